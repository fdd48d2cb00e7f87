"""The CPS outcome measures for one CPS area and period, from the courts' finalisations and trial
records, computed by prosecution.rules (the measures' definitions live there, not in SQL)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import cast

from openpyxl import Workbook
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.courts.models import CourtFinalisation, CourtHearing
from caselink.courts.rules import ChargeOutcome, CourtType, TrialEffectiveness, TrialReason
from caselink.organisations.models import OrganisationUnit
from caselink.platform.access import Actor
from caselink.platform.access.policy import reach_of
from caselink.platform.access.rules import Reach
from caselink.platform.audit.service import record
from caselink.platform.errors import FieldError, Forbidden, ValidationFailed
from caselink.prosecution.rules import FinalisedDefendant, ListedTrial, OutcomeMeasures, Rate, outcome_measures

finalisations_t = cast(Table, CourtFinalisation.__table__)
hearings_t = cast(Table, CourtHearing.__table__)
units_t = cast(Table, OrganisationUnit.__table__)
MAX_PERIOD_DAYS = 366 * 3


@dataclass(frozen=True)
class Area:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Dashboard:
    area: Area
    start: date
    end: date
    measures: OutcomeMeasures


async def cps_areas(db: AsyncSession) -> list[Area]:
    rows = await db.execute(
        select(units_t.c.id, units_t.c.code, units_t.c.name)
        .where(units_t.c.kind == "cps_area")
        .order_by(units_t.c.name)
    )
    return [Area(r.id, r.code, r.name) for r in rows]


async def outcome_dashboard(db: AsyncSession, actor: Actor, area_code: str, start: date, end: date) -> Dashboard:
    """Staff with unit reach (CPS lawyers) see their own area; national roles (analysts) any."""
    errors: list[FieldError] = []
    if end < start:
        errors.append(FieldError("end", "The end of the period must not be before its start"))
    elif (end - start).days > MAX_PERIOD_DAYS:
        errors.append(FieldError("end", "Choose a period of at most 3 years"))
    areas = {a.code: a for a in await cps_areas(db)}
    area = areas.get(area_code.strip().upper())
    if area is None:
        errors.append(FieldError("area", "Choose a CPS area"))
    if errors:
        raise ValidationFailed(errors)
    assert area is not None
    if reach_of(actor) is not Reach.NATIONAL and actor.unit_id != area.id:
        await record(db, actor, "reports.outcomes.read", "cps_area", area.id, outcome="refused")
        await db.commit()
        raise Forbidden("You can see the outcome measures of your own CPS area only.")
    defendants = [
        FinalisedDefendant(CourtType(r.court_type), ChargeOutcome(r.outcome), r.charged_on, r.finalised_on)
        for r in await db.execute(
            select(
                finalisations_t.c.court_type,
                finalisations_t.c.outcome,
                finalisations_t.c.charged_on,
                finalisations_t.c.finalised_on,
            ).where(
                finalisations_t.c.cps_area_unit_id == area.id,
                finalisations_t.c.finalised_on.between(start, end),
            )
        )
    ]
    trials = [
        ListedTrial(
            CourtType(r.court_type),
            TrialEffectiveness(r.trial_effectiveness),
            TrialReason(r.trial_reason) if r.trial_reason else None,
        )
        for r in await db.execute(
            select(hearings_t.c.court_type, hearings_t.c.trial_effectiveness, hearings_t.c.trial_reason).where(
                hearings_t.c.cps_area_unit_id == area.id,
                hearings_t.c.sitting_date.between(start, end),
                hearings_t.c.trial_effectiveness.is_not(None),
            )
        )
    ]
    await record(
        db,
        actor,
        "reports.outcomes.read",
        "cps_area",
        area.id,
        detail={"start": start.isoformat(), "end": end.isoformat()},
    )
    await db.commit()
    return Dashboard(area, start, end, outcome_measures(defendants, trials))


def _percent(rate: Rate) -> str:
    return "" if rate.percent is None else f"{rate.percent:.1f}"


def measure_rows(d: Dashboard) -> list[list[str]]:
    """One row per measure: what the page, the CSV and the workbook all show."""
    m = d.measures
    rows = [["Measure", "Numerator", "Denominator", "Percent"]]
    rows.append(
        [
            "Discontinuance rate",
            str(m.discontinuance.numerator),
            str(m.discontinuance.denominator),
            _percent(m.discontinuance),
        ]
    )
    for court_type, rate in m.unsuccessful_by_court_type.items():
        rows.append(
            [f"Unsuccessful outcomes: {court_type.label}", str(rate.numerator), str(rate.denominator), _percent(rate)]
        )
    r = m.ineffective_prosecution_not_ready
    rows.append(["Trials ineffective: prosecution not ready", str(r.numerator), str(r.denominator), _percent(r)])
    c = m.charge_to_outcome
    mean = "" if c.mean_days is None else f"{float(c.mean_days):.1f}"
    median = "" if c.median_days is None else f"{float(c.median_days):.1f}"
    rows.append(["Days from charge to outcome: mean", mean, str(c.count), ""])
    rows.append(["Days from charge to outcome: median", median, str(c.count), ""])
    return rows


def to_csv(d: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["CPS area", d.area.name, "From", d.start.isoformat(), "To", d.end.isoformat()])
    writer.writerows(measure_rows(d))
    return out.getvalue()


def to_xlsx(d: Dashboard) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Outcome measures"
    sheet.append(["CPS area", d.area.name, "From", d.start.isoformat(), "To", d.end.isoformat()])
    for row in measure_rows(d):
        # Figures as numbers, so a spreadsheet can chart and sum them.
        sheet.append([_number(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(value: str) -> str | float:
    try:
        return float(value)
    except ValueError:
        return value
