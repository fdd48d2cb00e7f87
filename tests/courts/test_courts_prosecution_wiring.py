"""What the court's results do to the prosecution case: the next hearing and its readiness on the
lawyer's list, custody time limits from remands, charges ended by outcomes, and the finalisation
of a case the CPS stops outside court."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.courts.courts_factory import FIRST_HEARING_AT, NOW, ON_THE_DAY, CaseIds, Units, charged_case, clerk, units

from caselink.accounts.models import Staff
from caselink.courts import service
from caselink.courts.models import CourtFinalisation, CourtRemand
from caselink.courts.rules import AdjournmentReason, ChargeOutcome
from caselink.courts.schemas import AdjournIn, ChargeResultIn, HearingListIn, RelistIn, RemandIn, ResultsIn
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.errors import ValidationFailed
from caselink.platform.events.models import OutboxEvent
from caselink.platform.tasks.models import Task
from caselink.prosecution import service as prosecution_service
from caselink.prosecution.models import Charge, CustodyTimeLimit, Defendant, ProsecutionCase, RemandPeriodRecord
from caselink.prosecution.rules import ReadinessStatus
from caselink.prosecution.schemas import DiscontinuanceIn

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _lawyer(db: AsyncSession, cps_area_id: int) -> Actor:
    staff = Staff(username="wiring-lawyer", display_name="Wiring Lawyer", unit_id=cps_area_id, roles=["cps_lawyer"])
    db.add(staff)
    await db.flush()
    return Actor(
        kind=ActorKind.STAFF,
        id=staff.id,
        name=staff.username,
        roles=frozenset({"cps_lawyer"}),
        agency="cps",
        unit_id=cps_area_id,
    )


async def _listed(db: AsyncSession, charges_each: int = 1, defendants: int = 1) -> tuple[Units, CaseIds, int, Actor]:
    u = await units(db)
    case = await charged_case(db, u, charges_each=charges_each, defendants=defendants)
    lawyer = await _lawyer(db, u.cps_area_id)
    (await db.get_one(ProsecutionCase, case.case_id)).allocated_lawyer_id = lawyer.id
    body = HearingListIn(
        case_id=case.case_id,
        court_unit_code=u.magistrates_code,
        hearing_type_code="FH",
        starts_at=FIRST_HEARING_AT,
        courtroom="2",
    )
    hearing_id = await service.list_hearing(db, clerk(u.magistrates_id), body, now=NOW)
    return u, case, hearing_id, lawyer


async def _active_ctl_tasks(db: AsyncSession, case_id: int) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(Task)
            .where(
                Task.type == "prosecution.ctl_expiry",
                Task.subject_id == str(case_id),
                Task.status.in_(["open", "in_progress"]),
            )
        )
        or 0
    )


async def test_listing_a_hearing_puts_it_on_the_lawyers_list_with_readiness_and_days(db: AsyncSession) -> None:
    _, case, hearing_id, lawyer = await _listed(db)
    record = await db.get_one(ProsecutionCase, case.case_id)
    assert (record.next_hearing_id, record.next_hearing_type) == (hearing_id, "first_hearing")

    listed = await prosecution_service.lawyer_cases(db, lawyer, today=NOW.date())
    [item] = listed.items
    assert item.id == case.case_id
    assert item.days_to_hearing == 7
    # Nothing is done yet (IDPC not served), so the case is not ready, at risk or worse.
    assert item.readiness in (ReadinessStatus.AT_RISK, ReadinessStatus.NOT_READY)


async def test_relisting_and_adjourning_move_the_next_hearing(db: AsyncSession) -> None:
    u, case, hearing_id, _ = await _listed(db)
    actor = clerk(u.magistrates_id)
    later = FIRST_HEARING_AT + timedelta(days=7)
    moved = await service.relist_hearing(db, actor, hearing_id, RelistIn(starts_at=later, courtroom="4"), now=NOW)
    record = await db.get_one(ProsecutionCase, case.case_id)
    assert (record.next_hearing_id, record.next_hearing_at) == (moved, later)

    await service.adjourn_hearing(
        db, actor, moved, AdjournIn(reason=AdjournmentReason.PROSECUTION_NOT_READY), now=ON_THE_DAY + timedelta(days=7)
    )
    await db.refresh(record)
    assert (record.next_hearing_id, record.next_hearing_at) == (None, None)


async def test_custody_remand_starts_a_custody_time_limit_with_expiry_tasks_and_bail_stops_it(
    db: AsyncSession,
) -> None:
    u, case, hearing_id, _ = await _listed(db)
    actor, defendant_id = clerk(u.magistrates_id), case.defendant_ids[0]
    await service.record_remand(
        db, actor, hearing_id, RemandIn(defendant_id=defendant_id, remand_code="PR"), now=ON_THE_DAY
    )

    [ctl] = (await db.scalars(select(CustodyTimeLimit).where(CustodyTimeLimit.defendant_id == defendant_id))).all()
    # Theft (TH68010) is either way: 70 days from the first appearance on 10 March 2025.
    assert (ctl.first_appearance, ctl.limit_days, ctl.expiry_date) == (date(2025, 3, 10), 70, date(2025, 5, 19))
    assert await _active_ctl_tasks(db, case.case_id) > 0
    assert (await db.get_one(Defendant, defendant_id)).custody_status == "in_custody"

    # At the next hearing the court grants bail: the running period closes and the expiry tasks go.
    next_at = FIRST_HEARING_AT + timedelta(days=7)
    next_id = await service.list_hearing(
        db,
        actor,
        HearingListIn(
            case_id=case.case_id,
            court_unit_code=u.magistrates_code,
            hearing_type_code="FH",
            starts_at=next_at,
            courtroom="2",
        ),
        now=ON_THE_DAY,
    )
    await service.record_remand(
        db,
        actor,
        next_id,
        RemandIn(defendant_id=defendant_id, remand_code="CB", conditions="Reside at home address"),
        now=ON_THE_DAY + timedelta(days=7),
    )
    [period] = (
        await db.scalars(select(RemandPeriodRecord).where(RemandPeriodRecord.defendant_id == defendant_id))
    ).all()
    assert (period.remanded_on, period.released_on) == (date(2025, 3, 10), date(2025, 3, 17))
    await db.refresh(ctl)
    assert ctl.expiry_date is None  # the clock is stopped while on bail
    assert await _active_ctl_tasks(db, case.case_id) == 0
    assert (await db.get_one(Defendant, defendant_id)).custody_status == "conditional_bail"


async def test_a_further_custody_remand_continues_the_running_period(db: AsyncSession) -> None:
    u, case, hearing_id, _ = await _listed(db)
    actor, defendant_id = clerk(u.magistrates_id), case.defendant_ids[0]
    await service.record_remand(
        db, actor, hearing_id, RemandIn(defendant_id=defendant_id, remand_code="PR"), now=ON_THE_DAY
    )
    next_id = await service.list_hearing(
        db,
        actor,
        HearingListIn(
            case_id=case.case_id,
            court_unit_code=u.magistrates_code,
            hearing_type_code="FH",
            starts_at=FIRST_HEARING_AT + timedelta(days=7),
            courtroom="2",
        ),
        now=ON_THE_DAY,
    )
    await service.record_remand(
        db, actor, next_id, RemandIn(defendant_id=defendant_id, remand_code="PR"), now=ON_THE_DAY + timedelta(days=7)
    )
    periods = (
        await db.scalars(select(RemandPeriodRecord).where(RemandPeriodRecord.defendant_id == defendant_id))
    ).all()
    assert [(p.remanded_on, p.released_on) for p in periods] == [(date(2025, 3, 10), None)]


async def test_a_guilty_plea_outcome_concludes_the_charge_and_finalises_the_case(db: AsyncSession) -> None:
    u, case, hearing_id, _ = await _listed(db)
    [charge_id] = case.charge_ids[0]
    await service.record_outcomes(
        db,
        clerk(u.magistrates_id),
        hearing_id,
        ResultsIn(results=[ChargeResultIn(charge_id=charge_id, outcome=ChargeOutcome.GUILTY_PLEA)]),
        now=ON_THE_DAY,
    )
    charge = await db.get_one(Charge, charge_id)
    assert (charge.status, charge.ended_on) == ("concluded", date(2025, 3, 10))
    final = await db.get_one(CourtFinalisation, case.defendant_ids[0])
    assert (final.outcome, final.court_type) == ("guilty_plea", "magistrates")
    # Heard, with nothing else listed: the case has no next hearing.
    assert (await db.get_one(ProsecutionCase, case.case_id)).next_hearing_id is None


async def test_the_case_is_concluded_when_its_last_defendant_is_finalised_at_court(db: AsyncSession) -> None:
    u, case, hearing_id, _ = await _listed(db, defendants=2)
    [first], [second] = case.charge_ids

    async def outcome(charge_id: int) -> None:
        await service.record_outcomes(
            db,
            clerk(u.magistrates_id),
            hearing_id,
            ResultsIn(results=[ChargeResultIn(charge_id=charge_id, outcome=ChargeOutcome.GUILTY_PLEA)]),
            now=ON_THE_DAY,
        )

    await outcome(first)
    assert (await db.get_one(ProsecutionCase, case.case_id)).status == "charged"  # one defendant still to go

    await outcome(second)
    record = await prosecution_service.get_case(db, _area_reader(u.cps_area_id), case.case_id, today=date(2025, 3, 10))
    assert record.case.status == "concluded"
    assert "Case concluded: every charge has ended" in [h.title for h in record.history]


def _area_reader(cps_area_id: int) -> Actor:
    return Actor(
        kind=ActorKind.STAFF,
        id=9901,
        name="area-reader",
        roles=frozenset({"cps_lawyer"}),
        agency="cps",
        unit_id=cps_area_id,
    )


async def test_discontinuing_the_last_charges_outside_court_finalises_the_defendant_once(db: AsyncSession) -> None:
    _, case, _, lawyer = await _listed(db, charges_each=2)
    first, second = case.charge_ids[0]
    stop = DiscontinuanceIn(outcome="discontinued", reason="insufficient_evidence", on=date(2025, 3, 5))
    await prosecution_service.stop_charge(db, lawyer, first, stop, today=date(2025, 3, 5))
    assert await db.get(CourtFinalisation, case.defendant_ids[0]) is None  # one charge is still live

    await prosecution_service.stop_charge(db, lawyer, second, stop, today=date(2025, 3, 6))
    final = await db.get_one(CourtFinalisation, case.defendant_ids[0])
    assert (final.outcome, final.court_type, final.finalised_on) == ("discontinued", "magistrates", date(2025, 3, 5))
    concluded = (await db.scalars(select(OutboxEvent).where(OutboxEvent.type == "court.case.concluded"))).all()
    assert [e.data["caseId"] for e in concluded] == [case.case_id]


async def test_a_remand_refused_by_the_custody_time_limit_rules_keeps_nothing(db: AsyncSession) -> None:
    u, case, hearing_id, _ = await _listed(db)
    defendant_id = case.defendant_ids[0]
    # A period recorded by hand that runs past the court's remand date makes the new one overlap.
    db.add(
        RemandPeriodRecord(
            defendant_id=defendant_id, remanded_on=date(2025, 3, 1), released_on=date(2025, 3, 20), kind="custody"
        )
    )
    await db.flush()
    with pytest.raises(ValidationFailed):
        await service.record_remand(
            db,
            clerk(u.magistrates_id),
            hearing_id,
            RemandIn(defendant_id=defendant_id, remand_code="PR"),
            now=ON_THE_DAY,
        )
    remands = await db.scalar(
        select(func.count()).select_from(CourtRemand).where(CourtRemand.defendant_id == defendant_id)
    )
    assert remands == 0
