"""Recall pages: recommendation, countersignature or rejection (never by the author), the decision,
the countersigning queue, and the supervision page's objective and licence condition forms."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.probation.supervision_factory import add_case, staff_actor, unit

from caselink.organisations.models import OrganisationUnit
from caselink.people.timeline import link_of
from caselink.platform.access.actor import Actor
from caselink.probation import recall_service
from caselink.probation import supervision_service as service
from caselink.probation.models import ProbationCase

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _current_licence(
    db: AsyncSession, pdu: OrganisationUnit, practitioner: Actor, given: str = "Alex"
) -> ProbationCase:
    """A licence still running today (the pages use the real clock)."""
    case = await add_case(db, pdu, practitioner, kind="licence", sentence={}, given=given)
    case.end_date = date.today() + timedelta(days=365)
    await db.commit()
    return case


async def _team(db: AsyncSession) -> tuple[OrganisationUnit, Actor, Actor]:
    pdu = await unit(db)
    practitioner = await staff_actor(db, "pat.practitioner", "probation_practitioner", pdu)
    senior = await staff_actor(db, "sue.senior", "senior_probation_officer", pdu)
    return pdu, practitioner, senior


async def test_recommend_countersign_and_decide_in_the_browser(app: FastAPI, db: AsyncSession) -> None:
    pdu, practitioner, senior = await _team(db)
    case = await _current_licence(db, pdu, practitioner)
    async with client_as(app, practitioner) as web:
        form = await web.get(f"/probation/cases/{case.id}/recalls/new")
        assert form.status_code == 200 and 'name="csrf_token"' in form.text
        made = await web.post(
            f"/probation/cases/{case.id}/recalls/new",
            data={"recall_type": "fixed_term", "reasons": "Missed three appointments; new partner at risk"},
        )
        assert made.status_code == 303
        recall_url = made.headers["location"]
    async with client_as(app, senior) as web:
        team = await web.get("/probation/team")
        assert 'href="/probation/countersigning"' in team.text
        queue = await web.get("/probation/countersigning")
        assert f'href="{recall_url}"' in queue.text
        assert (await web.post(f"{recall_url}/countersign", data={"notes": "Agreed"})).status_code == 303
        no_choice = await web.post(f"{recall_url}/decision", data={})
        assert no_choice.status_code == 400 and 'href="#decision"' in no_choice.text
        decided = await web.post(f"{recall_url}/decision", data={"decision": "recall", "prison_code": "pvi"})
        assert decided.status_code == 303
        page = await web.get(recall_url)
    assert "Recalled" in page.text and f'href="{recall_url}/documents/revocation"' in page.text
    recall = await recall_service.get_recall(db, senior, int(recall_url.rsplit("/", 1)[1]))
    assert recall.status == "recalled" and recall.prison_code == "PVI"


async def test_author_is_refused_and_recall_of_an_order_is_explained(app: FastAPI, db: AsyncSession) -> None:
    pdu, practitioner, senior = await _team(db)
    order = await add_case(db, pdu, practitioner)
    licence = await _current_licence(db, pdu, senior, given="Bryn")
    async with client_as(app, practitioner) as web:
        refused = await web.post(
            f"/probation/cases/{order.id}/recalls/new", data={"recall_type": "standard", "reasons": "Absconded"}
        )
        assert refused.status_code == 400 and "Only a person on licence" in refused.text
        missing = await web.post(f"/probation/cases/{order.id}/recalls/new", data={"reasons": ""})
        assert missing.status_code == 400 and 'href="#recall_type"' in missing.text
    async with client_as(app, senior) as web:
        made = await web.post(
            f"/probation/cases/{licence.id}/recalls/new", data={"recall_type": "standard", "reasons": "Absconded"}
        )
        recall_url = made.headers["location"]
        own = await web.post(f"{recall_url}/countersign", data={})
        assert own.status_code == 403 and "You wrote this recommendation" in own.text
        no_reason = await web.post(f"{recall_url}/reject", data={"reason": ""})
        assert no_reason.status_code == 400 and 'href="#reason"' in no_reason.text
    recall = await recall_service.get_recall(db, senior, int(recall_url.rsplit("/", 1)[1]))
    assert recall.status == "awaiting_countersignature"


async def test_practitioner_cannot_open_the_countersigning_queue(app: FastAPI, db: AsyncSession) -> None:
    _, practitioner, _ = await _team(db)
    async with client_as(app, practitioner) as web:
        assert (await web.get("/probation/countersigning")).status_code == 403


async def test_objectives_and_licence_conditions_are_added_and_changed_on_the_supervision_page(
    app: FastAPI, db: AsyncSession
) -> None:
    pdu, practitioner, _ = await _team(db)
    case = await add_case(db, pdu, practitioner, kind="licence", sentence={})
    base = f"/probation/cases/{case.id}"
    async with client_as(app, practitioner) as web:
        added = await web.post(
            f"{base}/objectives",
            data={"need": "Accommodation", "objective": "Settled address", "target_date": "2025-06-30"},
        )
        assert added.status_code == 303
        bad = await web.post(f"{base}/objectives", data={"need": "Drugs", "objective": "", "target_date": "soon"})
        assert bad.status_code == 400 and 'href="#objective_target_date"' in bad.text
        condition = await web.post(f"{base}/licence-conditions", data={"kind": "additional", "condition": "Curfew 7pm"})
        assert condition.status_code == 303
        no_kind = await web.post(f"{base}/licence-conditions", data={"condition": "Curfew"})
        assert no_kind.status_code == 400 and 'href="#condition_kind"' in no_kind.text
        s = await service.supervision(db, practitioner, case.id)
        objective_id = s.objectives[0].id
        achieved = await web.post(f"{base}/objectives/{objective_id}/status", data={"status": "achieved"})
        assert achieved.status_code == 303
        page = await web.get(f"{base}/supervision")
    assert "Settled address" in page.text and "(achieved)" in page.text and "Curfew 7pm" in page.text


async def test_supervisor_without_the_case_role_cannot_add_objectives(app: FastAPI, db: AsyncSession) -> None:
    pdu, practitioner, _ = await _team(db)
    upw = await staff_actor(db, "una.upw", "unpaid_work_supervisor", pdu)
    case = await add_case(db, pdu, practitioner)
    async with client_as(app, upw) as web:
        refused = await web.post(f"/probation/cases/{case.id}/objectives", data={"need": "x", "objective": "y"})
    assert refused.status_code == 403


def test_probation_timeline_entries_link_to_the_case_page() -> None:
    assert link_of("probation.recall.decided", {"caseId": 12, "recallId": 3}) == "/probation/cases/12"
