"""Supervision through the API (problem details with field paths) and the pages (GOV.UK errors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.probation.supervision_factory import add_case, staff_actor, unit

from caselink.probation import supervision_service as service
from caselink.probation.supervision_schemas import SessionIn

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def test_api_refuses_an_outcome_before_the_appointment(app: FastAPI, db: AsyncSession) -> None:
    pdu = await unit(db)
    practitioner = await staff_actor(db, "pat.practitioner", "probation_practitioner", pdu)
    case = await add_case(db, pdu, practitioner)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    async with client_as(app, practitioner) as api:
        made = await api.post(
            f"/api/v1/probation/cases/{case.id}/contacts", json={"type": "office_appointment", "starts_at": tomorrow}
        )
        assert made.status_code == 201, made.text
        refused = await api.post(f"{made.json()['url']}/outcome", json={"outcome": "unacceptable_absence"})
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["field"] == "outcome"
        shown = await api.get(made.json()["url"])
        assert shown.json()["outcome"] is None


async def test_api_recall_of_a_community_order_is_refused(app: FastAPI, db: AsyncSession) -> None:
    pdu = await unit(db)
    practitioner = await staff_actor(db, "pat.practitioner", "probation_practitioner", pdu)
    case = await add_case(db, pdu, practitioner)
    async with client_as(app, practitioner) as api:
        refused = await api.post(
            f"/api/v1/probation/cases/{case.id}/recalls", json={"recall_type": "standard", "reasons": "Absconded"}
        )
    assert refused.status_code == 422
    assert "Only a person on licence" in refused.json()["errors"][0]["message"]


async def test_contact_pages_book_and_record_an_outcome(app: FastAPI, db: AsyncSession) -> None:
    pdu = await unit(db)
    practitioner = await staff_actor(db, "pat.practitioner", "probation_practitioner", pdu)
    case = await add_case(db, pdu, practitioner)
    async with client_as(app, practitioner) as web:
        booked = await web.post(
            f"/probation/cases/{case.id}/contacts/new",
            data={"type": "office_appointment", "starts_at": "2025-03-03T10:00", "location": "Cardiff office"},
        )
        assert booked.status_code == 303
        page = await web.get(f"/probation/cases/{case.id}/contacts")
        assert page.status_code == 200 and "Record outcome" in page.text
        contacts, _ = await service.list_contacts(db, practitioner, case.id)
        missing = await web.post(f"/probation/contacts/{contacts[0].id}/outcome", data={"outcome": ""})
        assert missing.status_code == 400 and "govuk-error-summary" in missing.text
        done = await web.post(f"/probation/contacts/{contacts[0].id}/outcome", data={"outcome": "unacceptable_absence"})
        assert done.status_code == 303
        tab = await web.get(f"/probation/cases/{case.id}/supervision")
    assert tab.status_code == 200 and "Warning" in tab.text and "probation.enforcement 2015.1" in tab.text


async def test_supervisor_session_page_shows_hours_beyond_the_order_against_the_person(
    app: FastAPI, db: AsyncSession
) -> None:
    pdu = await unit(db)
    practitioner = await staff_actor(db, "pat.practitioner", "probation_practitioner", pdu)
    supervisor = await staff_actor(db, "sam.supervisor", "unpaid_work_supervisor", pdu)
    case = await add_case(db, pdu, practitioner, sentence={"requirements": [{"kind": "unpaid_work", "hours": 5}]})
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=8)
    session_id = await service.create_session(
        db, supervisor, SessionIn(project="Canal towpath", starts_at=start, ends_at=start + timedelta(hours=7))
    )
    place = await service.add_place(db, supervisor, session_id, case.id)
    async with client_as(app, supervisor) as web:
        listing = await web.get("/probation/upw/sessions")
        assert listing.status_code == 200
        too_many = await web.post(
            f"/probation/upw/sessions/{session_id}",
            data={f"outcome-{place}": "attended_complied", f"hours-{place}": "7"},
        )
        assert too_many.status_code == 400
        assert f'href="#hours-{place}"' in too_many.text and "more than the hours ordered" in too_many.text
        ok = await web.post(
            f"/probation/upw/sessions/{session_id}",
            data={f"outcome-{place}": "attended_complied", f"hours-{place}": "5"},
        )
        assert ok.status_code == 303
        page = await web.get(f"/probation/upw/sessions/{session_id}")
    assert "1 of 1 recorded" in page.text
