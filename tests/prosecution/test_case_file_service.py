"""The police case file, the charging decision and progressing the case, on the real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.prosecution.prosecution_factory import THEFT, TODAY, World, case_file, world

from caselink.people.models import Person
from caselink.platform.errors import Conflict, Forbidden, ValidationFailed
from caselink.platform.events.models import OutboxEvent
from caselink.platform.tasks.models import Task
from caselink.prosecution import service
from caselink.prosecution.models import Charge, ChargingDecisionRecord, CustodyTimeLimit, Defendant, ProsecutionCase
from caselink.prosecution.schemas import (
    CaseFileIn,
    ChargingDecisionIn,
    DisclosureStepIn,
    DiscontinuanceIn,
    ServedIn,
)

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _count(db: AsyncSession, model: Any, *where: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _events(db: AsyncSession, type_: str) -> list[OutboxEvent]:
    return list((await db.scalars(select(OutboxEvent).where(OutboxEvent.type == type_))).all())


async def _submitted(db: AsyncSession, w: World, **overrides: Any) -> ProsecutionCase:
    case_id = await service.submit_case_file(db, w.builder, CaseFileIn.model_validate(case_file(w, **overrides)), TODAY)
    return await db.get_one(ProsecutionCase, case_id)


async def _proposed(db: AsyncSession, case_id: int) -> tuple[Defendant, Charge]:
    defendant = (await db.scalars(select(Defendant).where(Defendant.case_id == case_id))).one()
    charge = (await db.scalars(select(Charge).where(Charge.defendant_id == defendant.id))).one()
    return defendant, charge


def _decision(defendant_id: int, charge_id: int, **offence: Any) -> ChargingDecisionIn:
    return ChargingDecisionIn.model_validate(
        {
            "decided_on": TODAY.isoformat(),
            "reasons": "CCTV shows the suspect taking the phone; the victim identifies him.",
            "suspects": [{"defendant_id": defendant_id, "offences": [{"proposed_charge_id": charge_id, **offence}]}],
        }
    )


CHARGE = {
    "evidential": "met",
    "public_interest": "met",
    "outcome": "charge",
    "charges": [{"offence_code": THEFT, "wording": "Stole a mobile phone from the person of Jane Doe."}],
}


async def test_a_case_file_is_taken_whole_with_a_charging_task_in_the_cps_area_queue(db: AsyncSession) -> None:
    w = await world(db)
    case = await _submitted(db, w)

    assert case.urn == "01AB1234524"
    assert case.status == "awaiting_charging_decision"
    assert case.custody_status == "in_custody"
    defendant, charge = await _proposed(db, case.id)
    person = await db.get_one(Person, defendant.person_id)
    assert (person.given_name, person.family_name) == ("Quillon", "Zebedee-Marchbanks")
    assert (charge.offence_code, charge.status) == (THEFT, "proposed")
    task = (await db.scalars(select(Task).where(Task.type == "prosecution.charging_decision"))).one()
    assert (task.owner_type, task.owner_id, task.subject_id) == ("unit", w.cps_area_id, str(case.id))
    # In custody: one working day (Monday 4 March 2024 -> Tuesday 5 March).
    assert task.due_date == date(2024, 3, 5)
    [event] = await _events(db, "prosecution.case_file.submitted")
    assert event.data["caseId"] == case.id and event.person_ids["person"] == str(person.id)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"urn": "01/AB/123/24"}, "urn", "Enter a URN in the form 01/AB/12345/24"),
        ("bad-offence", "suspects.0.offences.0.offence_code", "ZZ99999 is not an offence code"),
    ],
)
async def test_bad_input_writes_nothing(db: AsyncSession, change: Any, field: str, message: str) -> None:
    w = await world(db)
    body = case_file(w)
    if change == "bad-offence":
        body["suspects"][0]["offences"][0]["offence_code"] = "ZZ99999"
    else:
        body.update(change)
    people_before = await _count(db, Person)
    with pytest.raises(ValidationFailed) as raised:
        await service.submit_case_file(db, w.builder, CaseFileIn.model_validate(body), TODAY)
    assert any(e.field == field and message in e.message for e in raised.value.errors), raised.value.errors
    assert await _count(db, ProsecutionCase) == 0
    assert await _count(db, Person) == people_before  # the new suspect was not added to the index either
    assert await _count(db, Task, Task.type == "prosecution.charging_decision") == 0


async def test_the_same_urn_twice_is_refused(db: AsyncSession) -> None:
    w = await world(db)
    await _submitted(db, w)
    with pytest.raises(ValidationFailed) as raised:
        await _submitted(db, w)
    assert raised.value.errors[0].field == "urn"


async def test_a_new_suspect_who_matches_someone_in_the_index_needs_a_choice(db: AsyncSession) -> None:
    w = await world(db)
    first = await _submitted(db, w)
    defendant, _ = await _proposed(db, first.id)
    with pytest.raises(Conflict) as raised:
        await _submitted(db, w, urn="01AB1234624")
    assert raised.value.extra is not None
    suspects = raised.value.extra["suspects"]
    assert isinstance(suspects, list)
    [suspect] = suspects
    assert defendant.person_id in [c["person_id"] for c in suspect["candidates"]]
    # Linking the existing person works.
    body = case_file(w, urn="01AB1234624")
    body["suspects"][0] = {**body["suspects"][0], "new_person": None, "person_id": defendant.person_id}
    case_id = await service.submit_case_file(db, w.builder, CaseFileIn.model_validate(body), TODAY)
    linked, _ = await _proposed(db, case_id)
    assert linked.person_id == defendant.person_id


async def test_only_a_cps_lawyer_makes_a_charging_decision(db: AsyncSession) -> None:
    w = await world(db)
    case = await _submitted(db, w)
    defendant, charge = await _proposed(db, case.id)
    for actor in (w.builder, w.paralegal):
        with pytest.raises(Forbidden):
            await service.record_charging_decision(
                db, actor, case.id, _decision(defendant.id, charge.id, **CHARGE), TODAY
            )
    with pytest.raises(Forbidden):  # a lawyer of another CPS area
        await service.record_charging_decision(
            db, w.other_lawyer, case.id, _decision(defendant.id, charge.id, **CHARGE), TODAY
        )
    assert await _count(db, ChargingDecisionRecord) == 0


async def test_charge_lays_charges_and_emits_charge_laid(db: AsyncSession) -> None:
    w = await world(db)
    case = await _submitted(db, w)
    defendant, proposed = await _proposed(db, case.id)
    result = await service.record_charging_decision(
        db, w.lawyer, case.id, _decision(defendant.id, proposed.id, **CHARGE), TODAY
    )
    await db.refresh(case)
    await db.refresh(proposed)
    assert case.status == "charged" and case.charged_on == TODAY
    assert proposed.status == "superseded"
    [laid] = [await db.get_one(Charge, i) for i in result.charges_laid]
    assert (laid.status, laid.offence_code, laid.proposed_charge_id) == ("charged", THEFT, proposed.id)
    [event] = await _events(db, "prosecution.charge.laid")
    assert event.data["charges"] == [{"chargeId": laid.id, "offenceCode": THEFT}]
    assert event.person_ids["person"] == str(defendant.person_id)


async def test_no_further_action_needs_a_stage_not_met_and_closes_the_case(db: AsyncSession) -> None:
    w = await world(db)
    case = await _submitted(db, w)
    defendant, proposed = await _proposed(db, case.id)
    with pytest.raises(ValidationFailed) as raised:
        await service.record_charging_decision(
            db,
            w.lawyer,
            case.id,
            _decision(defendant.id, proposed.id, evidential="met", public_interest="met", outcome="no_further_action"),
            TODAY,
        )
    assert {e.field for e in raised.value.errors} >= {
        "suspects.0.offences.0.outcome",
        "suspects.0.offences.0.nfa_reason",
    }
    await service.record_charging_decision(
        db,
        w.lawyer,
        case.id,
        _decision(
            defendant.id,
            proposed.id,
            evidential="not_met",
            public_interest="not_reached",
            outcome="no_further_action",
            nfa_reason="evidential",
        ),
        TODAY,
    )
    await db.refresh(case)
    await db.refresh(proposed)
    assert (case.status, proposed.status) == ("no_further_action", "no_further_action")
    assert await _events(db, "prosecution.charge.laid") == []


async def test_further_evidence_sends_an_action_plan_to_the_police_unit(db: AsyncSession) -> None:
    w = await world(db)
    case = await _submitted(db, w)
    defendant, proposed = await _proposed(db, case.id)
    due = TODAY + timedelta(days=14)
    result = await service.record_charging_decision(
        db,
        w.lawyer,
        case.id,
        _decision(
            defendant.id,
            proposed.id,
            evidential="not_met",
            public_interest="not_reached",
            outcome="further_evidence_needed",
            action_plan_due=due.isoformat(),
            action_plan_actions=["Obtain the platform CCTV in full", "Statement from the second witness"],
        ),
        TODAY,
    )
    [task] = [await db.get_one(Task, i) for i in result.action_plan_task_ids]
    assert (task.type, task.owner_type, task.owner_id, task.due_date) == (
        "prosecution.action_plan",
        "unit",
        w.police_unit_id,
        due,
    )
    assert "Obtain the platform CCTV in full" in (task.description or "")
    await db.refresh(case)
    assert case.status == "action_plan"
    [event] = await _events(db, "prosecution.further_evidence.requested")
    assert event.data["dueDate"] == due.isoformat() and event.data["taskId"] == task.id
    plans = await service.open_action_plans(db, w.builder)
    assert [p.id for p in plans] == [task.id]


async def _charged(db: AsyncSession, w: World) -> tuple[ProsecutionCase, Defendant, Charge]:
    case = await _submitted(db, w)
    defendant, proposed = await _proposed(db, case.id)
    result = await service.record_charging_decision(
        db, w.lawyer, case.id, _decision(defendant.id, proposed.id, **CHARGE), TODAY
    )
    return case, defendant, await db.get_one(Charge, result.charges_laid[0])


async def test_remand_in_custody_computes_the_limit_with_expiry_tasks(db: AsyncSession) -> None:
    w = await world(db)
    case, defendant, _charge = await _charged(db, w)
    [ctl] = await service.record_remand_period(db, w.lawyer, defendant.id, TODAY, None, "custody")
    # Either-way offence in the magistrates' court: 70 days from 4 March 2024 -> 13 May 2024 (a Monday).
    assert (ctl.clock, ctl.limit_days, ctl.expiry_date) == ("running", 70, date(2024, 5, 13))
    tasks = (await db.scalars(select(Task).where(Task.type == "prosecution.ctl_expiry").order_by(Task.due_date))).all()
    assert [t.due_date for t in tasks] == [date(2024, 4, 15), date(2024, 5, 6)]  # 28 and 7 days before
    assert all(t.status == "open" and t.subject_id == str(case.id) for t in tasks)

    # Bailed on 14 March: the clock stops with 60 days left and the expiry tasks are cancelled.
    [ctl] = await service.record_remand_period(db, w.lawyer, defendant.id, TODAY, date(2024, 3, 14), "bail")
    assert (ctl.clock, ctl.days_left, ctl.expiry_date) == ("stopped", 60, None)
    statuses = (await db.scalars(select(Task.status).where(Task.type == "prosecution.ctl_expiry"))).all()
    assert set(statuses) == {"cancelled"}
    assert await _count(db, CustodyTimeLimit) == 1


async def test_overlapping_remand_periods_are_refused(db: AsyncSession) -> None:
    w = await world(db)
    _, defendant, _ = await _charged(db, w)
    await service.record_remand_period(db, w.lawyer, defendant.id, TODAY, date(2024, 3, 20), "bail")
    with pytest.raises(ValidationFailed) as raised:
        await service.record_remand_period(db, w.lawyer, defendant.id, date(2024, 3, 10), date(2024, 3, 25), "bail")
    assert "overlaps" in raised.value.errors[0].message


async def test_readiness_is_computed_from_the_case_and_manual_ticks(db: AsyncSession) -> None:
    w = await world(db)
    case, _, _ = await _charged(db, w)
    hearing_at = datetime(2024, 3, 5, 10, tzinfo=UTC)
    await service.note_next_hearing(db, case.id, 9001, "first_hearing", hearing_at)
    found = await service.case_readiness(db, case.id, "first_hearing", hearing_at.date(), TODAY)
    assert found.readiness.status.value == "not_ready"  # 1 day to go, 3 items outstanding
    assert [o.item.id for o in found.readiness.outstanding] == [
        "idpc-served",
        "antecedents-served",
        "victim-views-on-bail",
    ]

    await service.record_idpc_served(db, w.paralegal, case.id, ServedIn(), TODAY)
    await service.record_antecedents_served(db, w.paralegal, case.id, ServedIn(), TODAY)
    await service.tick_readiness_item(db, w.lawyer, case.id, "first_hearing", "victim-views-on-bail")
    found = await service.case_readiness(db, case.id, "first_hearing", hearing_at.date(), TODAY)
    assert found.readiness.status.value == "ready"
    await db.refresh(case)
    assert case.readiness_outstanding == 0

    # A trial six weeks away with disclosure outstanding is at risk, not yet not ready.
    trial = await service.case_readiness(db, case.id, "trial", TODAY + timedelta(days=42), TODAY)
    assert trial.readiness.status.value == "at_risk"
    await service.record_disclosure_step(db, w.lawyer, case.id, DisclosureStepIn(step="initial_disclosure"), TODAY)
    trial = await service.case_readiness(db, case.id, "trial", TODAY + timedelta(days=42), TODAY)
    assert "disclosure-initial" not in [o.item.id for o in trial.readiness.outstanding]


async def test_the_lawyers_list_orders_by_next_hearing_with_readiness(db: AsyncSession) -> None:
    w = await world(db)
    case, _, _ = await _charged(db, w)
    from caselink.prosecution.schemas import AllocationIn

    await service.allocate(db, w.paralegal, case.id, AllocationIn(lawyer_id=w.lawyer.id, paralegal_id=w.paralegal.id))
    await service.note_next_hearing(db, case.id, 1, "first_hearing", datetime(2024, 3, 5, 10, tzinfo=UTC))
    listing = await service.lawyer_cases(db, w.lawyer, today=TODAY)
    [item] = listing.items
    assert (item.id, item.days_to_hearing, item.readiness and item.readiness.value) == (case.id, 1, "not_ready")
    assert item.defendant_names == ["Quillon Zebedee-Marchbanks"]
    assert (await service.lawyer_cases(db, w.other_lawyer, today=TODAY)).total == 0


async def test_discontinuance_needs_a_reason_and_emits_an_event(db: AsyncSession) -> None:
    w = await world(db)
    case, _, charge = await _charged(db, w)
    with pytest.raises(ValidationFailed) as raised:
        await service.stop_charge(
            db, w.lawyer, charge.id, DiscontinuanceIn(outcome="discontinued", reason="bored"), TODAY
        )
    assert raised.value.errors[0].field == "reason"
    await service.stop_charge(
        db, w.lawyer, charge.id, DiscontinuanceIn(outcome="discontinued", reason="victim_withdrew_support"), TODAY
    )
    await db.refresh(charge)
    await db.refresh(case)
    assert (charge.status, charge.discontinuance_reason) == ("discontinued", "victim_withdrew_support")
    assert case.status == "concluded"
    [event] = await _events(db, "prosecution.charge.discontinued")
    assert event.data["reason"] == "victim_withdrew_support"


async def test_victim_details_are_shown_only_where_the_policy_shares_them(db: AsyncSession) -> None:
    w = await world(db)
    case = await _submitted(db, w)
    assert (await service.get_case(db, w.lawyer, case.id)).victims is not None  # police -> CPS standing rule
    assert (await service.get_case(db, w.builder, case.id)).victims is not None  # the police's own
    with pytest.raises(Forbidden):
        await service.get_case(db, w.other_lawyer, case.id)
