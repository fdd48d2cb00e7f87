"""Limited access (decision 0026) at court: a clerk excluded from a defendant sees the listing on the
daily list as a redacted row (no URN, names or link) and is refused, audited, the hearing page and
API; a colleague who is not excluded sees the list and the hearing as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.courts.courts_factory import charged_case, clerk, units
from tests.people.flags_factory import add_staff
from tests.people.people_factory import client_as

from caselink.courts import service
from caselink.courts.schemas import HearingListIn
from caselink.people.limited_access import LimitInput, add_limit
from caselink.platform.audit.models import AuditEvent

pytestmark = pytest.mark.usefixtures("reference_loaded")

MESSAGE = "Conflict of interest: ask the legal adviser."
URN = "01LA7777725"


async def test_an_excluded_clerk_sees_a_redacted_listing_and_is_refused_the_hearing(
    app: FastAPI, db: AsyncSession
) -> None:
    u = await units(db)
    case = await charged_case(db, u, urn=URN)
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0)
    body = HearingListIn(
        case_id=case.case_id,
        court_unit_code=u.magistrates_code,
        hearing_type_code="FH",
        starts_at=starts_at,
        courtroom="0",
    )
    hearing_id = await service.list_hearing(db, clerk(u.magistrates_id), body, now=starts_at - timedelta(days=7))
    manager = await add_staff(db, u.magistrates_id, "senior_probation_officer", "probation", "Sam Senior")
    excluded = await add_staff(db, u.magistrates_id, "court_clerk", "courts", "Ex Cluded")
    colleague = await add_staff(db, u.magistrates_id, "court_clerk", "courts", "Col League")
    assert excluded.id is not None
    await add_limit(db, manager, case.person_ids[0], LimitInput("exclusion", [excluded.id], MESSAGE))
    today = service.london_date(starts_at).isoformat()

    async with client_as(app, excluded) as web:
        listed = await web.get(f"/courts/{u.magistrates_code}/list", params={"date": today})
        assert listed.status_code == 200 and "Restricted" in listed.text
        assert URN not in listed.text and "TESTPERSON0" not in listed.text
        assert f"/courts/hearings/{hearing_id}" not in listed.text
        api_list = await web.get(
            f"/api/v1/courts/units/{u.magistrates_code}/daily-list", params={"date": today, "page_size": 100}
        )
        row = next(i for i in api_list.json()["items"] if i["hearing_id"] == hearing_id)
        assert row["restricted"] is True and row["urn"] is None and row["defendants"] == []

        page = await web.get(f"/courts/hearings/{hearing_id}")
        assert page.status_code == 403 and MESSAGE in page.text and "TESTPERSON0" not in page.text.upper()
        api = await web.get(f"/api/v1/courts/hearings/{hearing_id}")
        assert api.status_code == 403 and api.headers["content-type"].startswith("application/problem+json")
        assert api.json()["detail"] == MESSAGE

    refused = set(
        await db.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == excluded.id, AuditEvent.outcome == "refused")
        )
    )
    assert {"court.hearing.read", "person.court.daily_list"} <= refused

    async with client_as(app, colleague) as web:
        listed = await web.get(f"/courts/{u.magistrates_code}/list", params={"date": today})
        assert URN in listed.text and "Ffion TESTPERSON0" in listed.text
        assert f"/courts/hearings/{hearing_id}" in listed.text
        page = await web.get(f"/courts/hearings/{hearing_id}")
        assert page.status_code == 200 and URN in page.text
        api = await web.get(f"/api/v1/courts/hearings/{hearing_id}")
        assert api.status_code == 200 and api.json()["defendants"][0]["person_id"] == case.person_ids[0]


async def test_an_excluded_clerk_may_not_relist_adjourn_record_a_trial_or_list_the_case(
    app: FastAPI, db: AsyncSession
) -> None:
    u = await units(db)
    case = await charged_case(db, u, urn="01LA7777726")
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0)
    body = HearingListIn(
        case_id=case.case_id,
        court_unit_code=u.magistrates_code,
        hearing_type_code="FH",
        starts_at=starts_at,
        courtroom="0",
    )
    hearing_id = await service.list_hearing(db, clerk(u.magistrates_id), body, now=starts_at - timedelta(days=7))
    manager = await add_staff(db, u.magistrates_id, "senior_probation_officer", "probation", "Sam Senior")
    excluded = await add_staff(db, u.magistrates_id, "court_clerk", "courts", "Ex Cluded")
    colleague = await add_staff(db, u.magistrates_id, "court_clerk", "courts", "Col League")
    assert excluded.id is not None
    await add_limit(db, manager, case.person_ids[0], LimitInput("exclusion", [excluded.id], MESSAGE))
    later = (starts_at + timedelta(days=14)).isoformat()

    async with client_as(app, excluded) as web:
        writes = [
            (f"/api/v1/courts/hearings/{hearing_id}/relist", {"starts_at": later, "courtroom": "1"}),
            (f"/api/v1/courts/hearings/{hearing_id}/adjourn", {"reason": "defendant_absent"}),
            # Not a trial: the refusal comes before any check that would name the hearing's details.
            (f"/api/v1/courts/hearings/{hearing_id}/trial", {"effectiveness": "effective"}),
            (
                "/api/v1/courts/hearings",
                {
                    "case_id": case.case_id,
                    "court_unit_code": u.magistrates_code,
                    "hearing_type_code": "FH",
                    "starts_at": later,
                    "courtroom": "1",
                },
            ),
        ]
        for url, payload in writes:
            answer = await web.post(url, json=payload)
            assert answer.status_code == 403, (url, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert answer.json()["detail"] == MESSAGE
        page = await web.post(f"/courts/hearings/{hearing_id}/adjourn", data={"reason": "defendant_absent"})
        assert page.status_code == 403 and MESSAGE in page.text

    hearing = await service.get_hearing(db, colleague, hearing_id)
    assert hearing.status == "listed" and hearing.adjournment_reason is None
    refused = set(
        await db.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == excluded.id, AuditEvent.outcome == "refused")
        )
    )
    assert {"court.hearing.relist", "court.hearing.adjourn", "court.trial.record", "court.hearing.list"} <= refused

    async with client_as(app, colleague) as web:
        answer = await web.post(f"/api/v1/courts/hearings/{hearing_id}/adjourn", json={"reason": "defendant_absent"})
        assert answer.status_code == 200, answer.text
