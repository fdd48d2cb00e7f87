"""The outcome measures dashboard from known data, with figures worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession
from tests.courts.courts_factory import Units, charged_case, units
from tests.people.people_factory import ANALYST, client_as

from caselink.courts.models import CourtFinalisation, CourtHearing
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.errors import Forbidden
from caselink.reporting import service

pytestmark = pytest.mark.usefixtures("reference_loaded")

START, END = date(2025, 1, 1), date(2025, 12, 31)


async def _area_code(db: AsyncSession, unit_id: int) -> str:
    return next(a.code for a in await service.cps_areas(db) if a.id == unit_id)


async def _known_data(db: AsyncSession) -> Units:
    """Five finalised defendants and four trials in the area in 2025, and some that must not count."""
    u = await units(db)
    case = await charged_case(db, u, defendants=7, charges_each=1)
    other_area = next(a.id for a in await service.cps_areas(db) if a.id != u.cps_area_id)
    rows = [
        # court type, outcome, charged, finalised: days 10, 20, 30, 100, 10
        ("magistrates", "guilty_plea", date(2025, 1, 1), date(2025, 1, 11), u.cps_area_id),
        ("magistrates", "discontinued", date(2025, 1, 1), date(2025, 1, 21), u.cps_area_id),
        ("magistrates", "acquitted", date(2025, 1, 1), date(2025, 1, 31), u.cps_area_id),
        ("crown", "convicted_after_trial", date(2025, 1, 1), date(2025, 4, 11), u.cps_area_id),
        ("crown", "withdrawn", date(2025, 2, 1), date(2025, 2, 11), u.cps_area_id),
        ("crown", "discontinued", date(2024, 6, 1), date(2024, 12, 1), u.cps_area_id),  # before the period
        ("magistrates", "discontinued", date(2025, 1, 1), date(2025, 3, 1), other_area),  # another area
    ]
    for defendant_id, (court_type, outcome, charged, finalised, area) in zip(case.defendant_ids, rows, strict=True):
        db.add(
            CourtFinalisation(
                defendant_id=defendant_id,
                case_id=case.case_id,
                cps_area_unit_id=area,
                court_type=court_type,
                outcome=outcome,
                charged_on=charged,
                finalised_on=finalised,
            )
        )
    trials = [
        ("effective", None, date(2025, 5, 1)),
        ("ineffective", "prosecution_not_ready", date(2025, 5, 2)),
        ("ineffective", "defence_not_ready", date(2025, 5, 3)),
        ("cracked", "late_guilty_plea", date(2025, 5, 4)),
        ("ineffective", "prosecution_not_ready", date(2024, 5, 4)),  # before the period
    ]
    for effectiveness, reason, day in trials:
        db.add(
            CourtHearing(
                case_id=case.case_id,
                court_unit_id=u.crown_id,
                cps_area_unit_id=u.cps_area_id,
                court_type="crown",
                hearing_type_code="TRIAL",
                hearing_type="trial",
                starts_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
                sitting_date=day,
                courtroom="1",
                status="heard" if effectiveness != "ineffective" else "adjourned",
                trial_effectiveness=effectiveness,
                trial_reason=reason,
                created_by="test",
            )
        )
    await db.flush()
    return u


async def test_measures_match_the_hand_worked_figures(db: AsyncSession) -> None:
    u = await _known_data(db)
    d = await service.outcome_dashboard(db, ANALYST, await _area_code(db, u.cps_area_id), START, END)
    rows = {r[0]: r[1:] for r in service.measure_rows(d)[1:]}
    assert d.measures.finalised == 5
    assert rows["Discontinuance rate"] == ["2", "5", "40.0"]  # discontinued + withdrawn
    assert rows["Unsuccessful outcomes: Magistrates' court"] == ["2", "3", "66.7"]  # discontinued, acquitted
    assert rows["Unsuccessful outcomes: Crown Court"] == ["1", "2", "50.0"]  # withdrawn
    assert rows["Trials ineffective: prosecution not ready"] == ["1", "4", "25.0"]
    assert rows["Days from charge to outcome: mean"] == ["34.0", "5", ""]  # (10+20+30+100+10)/5
    assert rows["Days from charge to outcome: median"] == ["20.0", "5", ""]  # 10 10 [20] 30 100


async def test_a_cps_lawyer_sees_only_their_own_area(db: AsyncSession) -> None:
    u = await _known_data(db)
    other = next(a for a in await service.cps_areas(db) if a.id != u.cps_area_id)
    lawyer = Actor(
        kind=ActorKind.STAFF,
        id=801,
        name="lawyer",
        roles=frozenset({"cps_lawyer"}),
        agency="cps",
        unit_id=u.cps_area_id,
    )
    assert (
        await service.outcome_dashboard(db, lawyer, await _area_code(db, u.cps_area_id), START, END)
    ).measures.finalised == 5
    with pytest.raises(Forbidden):
        await service.outcome_dashboard(db, lawyer, other.code, START, END)


async def test_page_and_downloads_show_the_same_figures(app: FastAPI, db: AsyncSession) -> None:
    u = await _known_data(db)
    code = await _area_code(db, u.cps_area_id)
    query = {"area": code, "start": "2025-01-01", "end": "2025-12-31"}
    browser: httpx.AsyncClient
    async with client_as(app, ANALYST) as browser:
        page = await browser.get("/reports/outcomes", params=query)
        assert page.status_code == 200
        assert "40.0%" in page.text and 'aria-label="66.7 percent"' in page.text
        csv_response = await browser.get("/reports/outcomes.csv", params=query)
        lines = list(csv.reader(io.StringIO(csv_response.text)))
        assert ["Discontinuance rate", "2", "5", "40.0"] in lines
        xlsx = await browser.get("/reports/outcomes.xlsx", params=query)
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        values = [[c.value for c in row][:4] for row in sheet.iter_rows()]
        assert ["Trials ineffective: prosecution not ready", 1.0, 4.0, 25.0] in values
        bad = await browser.get("/reports/outcomes", params={**query, "end": "2024-01-01"})
        assert bad.status_code == 400 and "must not be before its start" in bad.text
