"""Readiness checklists per CPS area: an area administrator changes the national default for their
area (items removed, added, restored; the not-ready threshold), and the area's cases are held to
the changed checklist while other areas keep the national one."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.prosecution.prosecution_factory import TODAY, World, world
from tests.prosecution.test_readiness_actions import charged_case

from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.errors import Forbidden, ValidationFailed
from caselink.prosecution import service
from caselink.prosecution.models import ProsecutionCase, ReadinessOverride
from caselink.prosecution.schemas import AreaChecklistChangeIn

pytestmark = pytest.mark.usefixtures("reference_loaded")

HEARING_AT = datetime(2024, 3, 5, 10, tzinfo=UTC)  # the day after TODAY: a first hearing is not ready


async def _administrator(db: AsyncSession, area_id: int) -> Actor:
    area = await db.get_one(OrganisationUnit, area_id)
    return Actor(
        kind=ActorKind.STAFF,
        id=8801,
        name="area-admin",
        roles=frozenset({"area_administrator"}),
        agency=None,
        unit_id=area_id,
        region=area.region,
    )


async def _outstanding(db: AsyncSession, case_id: int) -> list[str]:
    found = await service.case_readiness(db, case_id, "first_hearing", HEARING_AT.date(), TODAY)
    return [o.item.id for o in found.readiness.outstanding]


def change(action: str, **fields: object) -> AreaChecklistChangeIn:
    return AreaChecklistChangeIn.model_validate({"action": action, **fields})


async def _listed_case(db: AsyncSession, w: World) -> ProsecutionCase:
    case = await charged_case(db, w)
    await service.note_next_hearing(db, case.id, 9001, "first_hearing", HEARING_AT)
    return case


async def test_an_areas_changes_apply_to_its_cases_and_their_counts(db: AsyncSession) -> None:
    w = await world(db)
    case = await _listed_case(db, w)
    admin = await _administrator(db, w.cps_area_id)
    assert await _outstanding(db, case.id) == ["idpc-served", "antecedents-served", "victim-views-on-bail"]

    await service.change_area_checklist(
        db, admin, w.cps_area_id, "first_hearing", change("remove", item_id="antecedents-served"), TODAY
    )
    await service.change_area_checklist(
        db, admin, w.cps_area_id, "first_hearing", change("add", text="Interpreter booked for the defendant"), TODAY
    )
    assert await _outstanding(db, case.id) == [
        "idpc-served",
        "victim-views-on-bail",
        "area-interpreter-booked-for-the-defendant",
    ]
    await db.refresh(case)
    assert (case.readiness_outstanding, case.readiness_items) == (3, 3)  # the lawyer's list is current

    # The added item can be ticked like any manual item; a removed national item can be restored.
    await service.tick_readiness_item(
        db, w.lawyer, case.id, "first_hearing", "area-interpreter-booked-for-the-defendant"
    )
    await service.change_area_checklist(
        db, admin, w.cps_area_id, "first_hearing", change("restore", item_id="antecedents-served"), TODAY
    )
    assert await _outstanding(db, case.id) == ["idpc-served", "antecedents-served", "victim-views-on-bail"]

    # A threshold of 0 days: one day before the hearing the case is at risk, not yet not ready.
    await service.change_area_checklist(
        db, admin, w.cps_area_id, "first_hearing", change("threshold", not_ready_within_days=0), TODAY
    )
    found = await service.case_readiness(db, case.id, "first_hearing", HEARING_AT.date(), TODAY)
    assert found.readiness.status.value == "at_risk"

    # Another area keeps the national checklist.
    other = await service.area_checklist(db, w.other_cps_area_id, found.hearing_type, TODAY)
    assert [i.id for i in other.items] == ["idpc-served", "antecedents-served", "victim-views-on-bail"]


async def test_bad_changes_are_refused_and_nothing_is_stored(db: AsyncSession) -> None:
    w = await world(db)
    admin = await _administrator(db, w.cps_area_id)
    for body, field in [
        (change("remove", item_id="no-such-item"), "item_id"),
        (change("add", text="  "), "text"),
        (change("add", item_id="idpc-served", text="Again"), "text"),
        (change("restore", item_id="idpc-served"), "item_id"),
        (change("explode"), "action"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            await service.change_area_checklist(db, admin, w.cps_area_id, "first_hearing", body, TODAY)
        assert [e.field for e in refused.value.errors] == [field]
    assert (await db.scalar(select(ReadinessOverride.id))) is None
    with pytest.raises(Forbidden):  # a lawyer may not change the checklist
        await service.change_area_checklist(db, w.lawyer, w.cps_area_id, "first_hearing", change("threshold"), TODAY)


async def test_the_configuration_page_for_an_area_administrator(app: FastAPI, db: AsyncSession) -> None:
    w = await world(db)
    admin = await _administrator(db, w.cps_area_id)
    base = f"/prosecution/readiness-config/{w.cps_area_id}/first_hearing"
    async with client_as(app, admin) as page:
        shown = await page.get("/prosecution/readiness-config", params={"area": str(w.cps_area_id)})
        assert shown.status_code == 200 and 'data-item="victim-views-on-bail"' in shown.text
        removed = await page.post(base, data={"action": "remove", "item_id": "victim-views-on-bail", "csrf_token": "x"})
        assert removed.status_code == 303
        empty = await page.post(base, data={"action": "add", "text": "", "csrf_token": "x"})
        assert empty.status_code == 400 and 'href="#text-first_hearing"' in empty.text
        days = await page.post(base, data={"action": "threshold", "not_ready_within_days": "two", "csrf_token": "x"})
        assert days.status_code == 400 and 'href="#not_ready_within_days-first_hearing"' in days.text
        shown = await page.get("/prosecution/readiness-config", params={"area": str(w.cps_area_id)})
        api = await page.get(f"/api/v1/prosecution/areas/{w.cps_area_id}/readiness-checklists")
    assert 'data-removed="victim-views-on-bail"' in shown.text
    [first] = [c for c in api.json() if c["hearing_type"] == "first_hearing"]
    assert first["removed_national_item_ids"] == ["victim-views-on-bail"]
    async with client_as(app, w.lawyer) as lawyer:
        assert (await lawyer.get("/prosecution/readiness-config")).status_code == 403


async def test_an_administrator_cannot_configure_an_area_outside_their_region(db: AsyncSession) -> None:
    w = await world(db)
    areas = (await db.scalars(select(OrganisationUnit).where(OrganisationUnit.kind == "cps_area"))).all()
    home = next(a for a in areas if a.id == w.cps_area_id)
    elsewhere = next((a for a in areas if a.region != home.region), None)
    if elsewhere is None:
        pytest.skip("the standing data has CPS areas in one region only")
    admin = await _administrator(db, home.id)
    with pytest.raises(Forbidden):
        await service.area_readiness_config(db, admin, elsewhere.id, date(2024, 3, 4))
