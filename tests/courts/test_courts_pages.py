"""Court pages on the real test database: the daily list by courtroom, results entry from plea to
sentence, the error summary on a verdict for a charge not before the court, and refusals (another
court's clerk, a form without its CSRF token)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import make_staff, session_for
from tests.courts.courts_factory import CaseIds, Units, charged_case, clerk, units
from tests.people.people_factory import client_as

from caselink.courts import service
from caselink.courts.models import CourtChargeOutcome, CourtHearing, CourtPlea, CourtSentence
from caselink.courts.schemas import HearingListIn
from caselink.organisations.models import OrganisationUnit
from caselink.platform.events.models import OutboxEvent
from caselink.prosecution import service as prosecution_service
from caselink.prosecution.models import IdpcService, ProsecutionCase, ReadinessTick

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _list_today(
    db: AsyncSession, u: Units, case: CaseIds, courtroom: str = "1", hearing_type: str = "FH", minutes: int = 0
) -> int:
    """A hearing sitting today (listed a week ago), so results can be entered on it now."""
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=minutes)
    body = HearingListIn(
        case_id=case.case_id,
        court_unit_code=u.magistrates_code,
        hearing_type_code=hearing_type,
        starts_at=starts_at,
        courtroom=courtroom,
    )
    return await service.list_hearing(db, clerk(u.magistrates_id), body, now=starts_at - timedelta(days=7))


async def _count(db: AsyncSession, model: Any, hearing_id: int) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(model.hearing_id == hearing_id)) or 0)


async def test_the_daily_list_groups_hearings_by_courtroom(app: FastAPI, db: AsyncSession) -> None:
    u = await units(db)
    first = await charged_case(db, u, urn="01AB1111125")
    second = await charged_case(db, u, urn="01AB2222225")
    await _list_today(db, u, first, courtroom="1")
    await _list_today(db, u, second, courtroom="2", minutes=1)
    today = service.london_date(datetime.now(UTC)).isoformat()
    async with client_as(app, clerk(u.magistrates_id)) as page:
        own = await page.get("/courts/list")
        assert own.status_code == 303 and own.headers["location"] == f"/courts/{u.magistrates_code}/list"
        listed = await page.get(f"/courts/{u.magistrates_code}/list", params={"date": today})
    assert listed.status_code == 200
    rooms = dict(re.findall(r'data-courtroom="([^"]+)">(.*?)</table>', listed.text, re.S))
    assert "01AB1111125" in rooms["1"] and "01AB2222225" not in rooms["1"]
    assert "01AB2222225" in rooms["2"] and "Ffion TESTPERSON0" in rooms["2"]
    assert "Record results" in rooms["1"]


async def test_a_clerk_of_another_court_is_refused(app: FastAPI, db: AsyncSession) -> None:
    u = await units(db)
    hearing_id = await _list_today(db, u, await charged_case(db, u))
    async with client_as(app, clerk(u.other_magistrates_id)) as outsider:
        assert (await outsider.get(f"/courts/{u.magistrates_code}/list")).status_code == 403
        assert (await outsider.get(f"/courts/hearings/{hearing_id}")).status_code == 403
        refused = await outsider.post(
            f"/courts/hearings/{hearing_id}/pleas", data={"pleas-0-charge_id": "1", "pleas-0-plea_code": "G"}
        )
        assert refused.status_code == 403
    assert await _count(db, CourtPlea, hearing_id) == 0


async def test_results_entry_from_guilty_plea_to_sentence(app: FastAPI, db: AsyncSession) -> None:
    u = await units(db)
    case = await charged_case(db, u, charges_each=1)
    hearing_id = await _list_today(db, u, case)
    charge_id, defendant_id = case.charge_ids[0][0], case.defendant_ids[0]
    url = f"/courts/hearings/{hearing_id}"
    async with client_as(app, clerk(u.magistrates_id)) as page:
        shown = await page.get(url)
        assert shown.status_code == 200 and 'name="pleas-0-plea_code"' in shown.text
        plea = await page.post(f"{url}/pleas", data={"pleas-0-charge_id": str(charge_id), "pleas-0-plea_code": "G"})
        assert plea.status_code == 303
        convicted = await page.post(
            f"{url}/outcomes", data={"results-0-charge_id": str(charge_id), "results-0-outcome": "guilty_plea"}
        )
        assert convicted.status_code == 303
        sentence_form = await page.get(url)
        assert f'name="fine-{charge_id}"' in sentence_form.text
        sentenced = await page.post(
            f"{url}/sentences",
            data={
                "defendant_id": str(defendant_id),
                "kind": "fine",
                f"charge-{charge_id}": "1",
                f"fine-{charge_id}": "250",
            },
        )
        assert sentenced.status_code == 303, sentenced.text
    assert await _count(db, CourtPlea, hearing_id) == 1
    assert await _count(db, CourtChargeOutcome, hearing_id) == 1
    sentence = (await db.execute(select(CourtSentence).where(CourtSentence.hearing_id == hearing_id))).scalar_one()
    assert sentence.disposals[0]["kind"] == "fine" and sentence.disposals[0]["amount_pence"] == 25_000
    events = {
        e.type: e
        for e in (
            await db.execute(
                select(OutboxEvent).where(
                    OutboxEvent.subject.in_([f"defendant/{defendant_id}", f"sentence/{sentence.id}"])
                )
            )
        ).scalars()
    }
    assert events["court.defendant.convicted"].data["chargeIds"] == [charge_id]
    assert events["court.sentence.imposed"].data["disposals"][0]["amount_pence"] == 25_000


async def test_a_verdict_on_a_charge_not_before_the_court_shows_the_error_summary(
    app: FastAPI, db: AsyncSession
) -> None:
    u = await units(db)
    case = await charged_case(db, u)
    other = await charged_case(db, u, urn="01AB3333325")
    hearing_id = await _list_today(db, u, case)
    foreign_charge = other.charge_ids[0][0]
    async with client_as(app, clerk(u.magistrates_id)) as page:
        refused = await page.post(
            f"/courts/hearings/{hearing_id}/outcomes",
            data={
                "results-0-charge_id": str(case.charge_ids[0][0]),
                "results-0-outcome": "acquitted",
                "results-1-charge_id": str(foreign_charge),
                "results-1-outcome": "convicted_after_trial",
            },
        )
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.text
    assert 'href="#results-1-charge_id"' in refused.text and 'id="results-1-charge_id"' in refused.text
    assert f"Charge {foreign_charge} is not before the court" in refused.text
    assert await _count(db, CourtChargeOutcome, hearing_id) == 0  # the valid acquittal was not kept either


async def test_a_form_without_its_csrf_token_is_refused(client: httpx.AsyncClient, db: AsyncSession) -> None:
    u = await units(db)
    case = await charged_case(db, u, charges_each=1)
    hearing_id = await _list_today(db, u, case)
    court = await db.get_one(OrganisationUnit, u.magistrates_id)
    staff = await make_staff(db, "court.clerk.csrf", ["court_clerk"], court)
    csrf = await session_for(client, db, staff)
    form = {"pleas-0-charge_id": str(case.charge_ids[0][0]), "pleas-0-plea_code": "G"}
    refused = await client.post(f"/courts/hearings/{hearing_id}/pleas", data=form)
    assert refused.status_code == 403
    assert await _count(db, CourtPlea, hearing_id) == 0
    page = await client.get(f"/courts/hearings/{hearing_id}")
    assert f'name="csrf_token" value="{csrf}"' in page.text
    accepted = await client.post(f"/courts/hearings/{hearing_id}/pleas", data={**form, "csrf_token": csrf})
    assert accepted.status_code == 303
    assert await _count(db, CourtPlea, hearing_id) == 1


async def test_listing_a_hearing_through_the_form(app: FastAPI, db: AsyncSession) -> None:
    u = await units(db)
    case = await charged_case(db, u, urn="01AB4444425")
    async with client_as(app, clerk(u.magistrates_id)) as page:
        form = await page.get(f"/courts/hearings/new?case_id={case.case_id}")
        assert form.status_code == 200 and f'value="{u.magistrates_code}"' in form.text
        fields = {"case_id": str(case.case_id), "court_unit_code": u.magistrates_code, "hearing_type_code": "FH"}
        past = await page.post(
            "/courts/hearings/new", data={**fields, "day": "2020-01-06", "time": "10:00", "courtroom": "3"}
        )
        assert past.status_code == 400 and 'href="#day"' in past.text
        listed = await page.post(
            "/courts/hearings/new", data={**fields, "day": "2099-01-05", "time": "10:00", "courtroom": "3"}
        )
        assert listed.status_code == 303, re.findall(r"govuk-error-summary__list.*?</ul>", listed.text, re.S)
        hearing = await page.get(listed.headers["location"])
    assert hearing.status_code == 200 and "01AB4444425" in hearing.text and "Adjourn" in hearing.text


async def test_a_hearing_is_listed_by_the_cases_urn(app: FastAPI, db: AsyncSession) -> None:
    u = await units(db)
    case = await charged_case(db, u, urn="01AB5555525")
    fields = {"court_unit_code": u.magistrates_code, "hearing_type_code": "FH", "day": "2099-01-05", "time": "10:00"}
    async with client_as(app, clerk(u.magistrates_id)) as page:
        unknown = await page.post(
            "/courts/hearings/new", data={**fields, "case_id": "01/AB/99999/25", "courtroom": "1"}
        )
        assert unknown.status_code == 400 and 'href="#case_id"' in unknown.text
        assert "There is no case with the URN 01/AB/99999/25" in unknown.text
        malformed = await page.post("/courts/hearings/new", data={**fields, "case_id": "AB-12", "courtroom": "1"})
        assert malformed.status_code == 400 and "Enter a URN in the form" in malformed.text
        listed = await page.post("/courts/hearings/new", data={**fields, "case_id": "01/AB/55555/25", "courtroom": "1"})
    assert listed.status_code == 303, re.findall(r"govuk-error-summary__list.*?</ul>", listed.text, re.S)
    assert await db.scalar(select(CourtHearing.case_id).where(CourtHearing.case_id == case.case_id)) == case.case_id


async def test_the_daily_list_shows_each_hearings_readiness(app: FastAPI, db: AsyncSession) -> None:
    u = await units(db)
    unready = await charged_case(db, u, urn="01AB6666625")
    ready = await charged_case(db, u, urn="01AB7777725")
    unready_hearing = await _list_today(db, u, unready, courtroom="1")
    ready_hearing = await _list_today(db, u, ready, courtroom="1", minutes=1)
    # Every first-hearing item done for the second case: IDPC and previous convictions served, ticked.
    case = await db.get_one(ProsecutionCase, ready.case_id)
    db.add(IdpcService(case_id=case.id, served_on=date(2025, 1, 2), served_by="test"))
    case.antecedents_served_on = date(2025, 1, 2)
    db.add(ReadinessTick(case_id=case.id, hearing_type="first_hearing", item_id="victim-views-on-bail", ticked_by="t"))
    await db.flush()
    await prosecution_service.refresh_readiness(db, case)
    await db.flush()

    found = await prosecution_service.readiness_for_cases(db, [unready.case_id, ready.case_id])
    assert (found[unready.case_id].hearing_id, found[unready.case_id].status) == (unready_hearing, "not_ready")
    assert (found[ready.case_id].hearing_id, found[ready.case_id].status) == (ready_hearing, "ready")

    today = service.london_date(datetime.now(UTC)).isoformat()
    async with client_as(app, clerk(u.magistrates_id)) as page:
        listed = await page.get(f"/courts/{u.magistrates_code}/list", params={"date": today})
    assert listed.status_code == 200
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", listed.text, re.S)
    by_urn = {urn: row for row in rows for urn in ("01AB6666625", "01AB7777725") if urn in row}
    assert 'data-readiness="not_ready"' in by_urn["01AB6666625"] and "Not ready" in by_urn["01AB6666625"]
    assert 'data-readiness="ready"' in by_urn["01AB7777725"]
