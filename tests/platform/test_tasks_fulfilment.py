"""The action that fulfils a hand-off task closes it, in the action's own transaction: listing the
first hearing, receiving the person into prison, booking the first probation appointment,
recommending recall, countersigning or rejecting it, and the charging decision. Staff never see
stale work, and nothing but the fulfilled task is completed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.courts.courts_factory import FIRST_HEARING_AT, charged_case, clerk, units
from tests.courts.courts_factory import NOW as COURT_NOW
from tests.custody.custody_factory import NOW as CUSTODY_NOW
from tests.custody.custody_factory import court_event, officer, person
from tests.probation.case_factory import cardiff_person, community_order, practitioner, senior
from tests.probation.case_factory import unit_id as probation_unit_id
from tests.probation.supervision_factory import NOW as PROBATION_NOW
from tests.probation.supervision_factory import add_case, at, staff_actor
from tests.probation.supervision_factory import unit as delivery_unit
from tests.prosecution.prosecution_factory import TODAY, case_file, world

from caselink.courts import handlers as court_handlers
from caselink.courts import service as courts
from caselink.courts.schemas import HearingListIn
from caselink.custody import rules as custody_rules
from caselink.custody import service as custody
from caselink.custody.schemas import ReceptionIn
from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import SYSTEM
from caselink.platform.audit.models import AuditEvent
from caselink.platform.events.models import OutboxEvent
from caselink.platform.events.rules import Event
from caselink.platform.tasks.models import Task, TaskHistory
from caselink.platform.tasks.service import complete_tasks_for, create_task
from caselink.probation import handlers as probation_handlers
from caselink.probation import recall_service
from caselink.probation import service as probation
from caselink.probation import supervision_service as supervision
from caselink.probation.models import ProbationCase
from caselink.probation.supervision_rules import ContactType, Outcome, RecallType
from caselink.probation.supervision_schemas import ContactIn, CountersignIn, OutcomeIn, RecallIn, RejectIn
from caselink.prosecution import service as prosecution
from caselink.prosecution.models import Charge, Defendant, ProsecutionCase
from caselink.prosecution.schemas import CaseFileIn, ChargingDecisionIn

pytestmark = pytest.mark.usefixtures("reference_loaded")

LANCASHIRE_POLICE = "040000"  # CJS OU code: area 04; its magistrates' courts are B04xxxx
RECOMMENDATION = RecallIn(recall_type=RecallType.STANDARD, reasons="Two missed appointments; whereabouts unknown.")


async def _completed_ids(db: AsyncSession) -> set[int]:
    return set((await db.scalars(select(Task.id).where(Task.status == "completed"))).all())


async def _only_completed(db: AsyncSession, action: Awaitable[Any], task_id: int) -> Task:
    """Run the fulfilling action; the task (open before) is the one and only task it completed."""
    task = await db.get_one(Task, task_id)
    await db.refresh(task)
    assert task.status == "open", task.status
    before = await _completed_ids(db)
    await action
    assert await _completed_ids(db) - before == {task_id}
    await db.refresh(task)
    assert task.completed_at is not None
    history = (await db.scalars(select(TaskHistory.action).where(TaskHistory.task_id == task_id))).all()
    assert "completed" in history
    audited = await db.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "task.complete",
            AuditEvent.subject_type == "task",
            AuditEvent.subject_id == str(task_id),
        )
    )
    assert audited is not None, "completing the task is audited"
    told = await db.scalar(
        select(OutboxEvent.id).where(
            OutboxEvent.type == "tasks.task.completed", OutboxEvent.subject == f"task/{task_id}"
        )
    )
    assert told is not None, "completing the task emits tasks.task.completed"
    return task


async def _task(db: AsyncSession, type: str, **where: Any) -> Task:
    [task] = (
        await db.scalars(select(Task).where(Task.type == type, *(getattr(Task, k) == v for k, v in where.items())))
    ).all()
    return task


async def test_listing_the_first_hearing_closes_the_courts_listing_task(db: AsyncSession) -> None:
    ids = await charged_case(db, await units(db), defendants=1, charges_each=1)
    case = await db.get_one(ProsecutionCase, ids.case_id)
    # The hand-off picks a magistrates' court of the police force's area: Lancashire's, here.
    lancashire = await db.scalar(select(OrganisationUnit.id).where(OrganisationUnit.code == LANCASHIRE_POLICE))
    assert lancashire is not None
    case.police_force_unit_id = lancashire
    await db.flush()
    case_id = case.id
    charged = {"caseId": case_id, "defendantId": ids.defendant_ids[0], "chargedOn": "2025-03-03", "charges": []}
    laid = Event(
        position=0,
        id=uuid.uuid4(),
        type="prosecution.charge.laid",
        source="caselink/test",
        subject=f"case/{case_id}",
        time=COURT_NOW,
        data=charged,
        person_ids={"person": str(ids.person_ids[0])},
    )
    await court_handlers.first_hearing_to_list(db, laid)
    listing = await _task(db, "courts.first_hearing.list", subject_id=str(case_id))
    court = await db.get_one(OrganisationUnit, listing.owner_id)

    body = HearingListIn(
        case_id=case_id, court_unit_code=court.code, hearing_type_code="FH", starts_at=FIRST_HEARING_AT, courtroom="1"
    )
    task = await _only_completed(db, courts.list_hearing(db, clerk(court.id), body, now=COURT_NOW), listing.id)
    assert task.outcome == f"First hearing listed at {court.name} on 2025-03-10."
    assert task.completed_by == "staff:clerk701"  # the clerk who listed it


async def test_receiving_the_person_closes_the_prisons_expected_arrival_task(db: AsyncSession) -> None:
    pid = await person(db)
    other = await person(db, "Eve", "Other")
    remanded = {"hearingId": None, "decidedOn": "2025-03-10"}
    arrival_id = await custody.arrival_from_court_event(
        db, court_event("court.defendant.remanded_in_custody", pid, remanded)
    )
    await custody.arrival_from_court_event(db, court_event("court.defendant.remanded_in_custody", other, remanded))
    expected = await _task(db, "custody.expected_arrival", subject_id=str(pid))
    prison = await db.get_one(OrganisationUnit, expected.owner_id)

    reception = ReceptionIn(
        person_id=pid, expected_arrival_id=arrival_id, legal_status=custody_rules.LegalStatus.REMAND
    )
    task = await _only_completed(db, custody.receive(db, officer(prison.id), reception, now=CUSTODY_NOW), expected.id)
    assert task.outcome is not None and task.outcome.startswith(f"Received at {prison.name} (prison number ")
    assert (await _task(db, "custody.expected_arrival", subject_id=str(other))).status == "open"


async def test_a_reception_without_naming_the_arrival_closes_its_task_too(db: AsyncSession) -> None:
    pid = await person(db)
    await custody.arrival_from_court_event(
        db, court_event("court.defendant.remanded_in_custody", pid, {"decidedOn": "2025-03-10"})
    )
    expected = await _task(db, "custody.expected_arrival", subject_id=str(pid))
    prison = await db.get_one(OrganisationUnit, expected.owner_id)
    reception = ReceptionIn(person_id=pid, prison_code=prison.code, legal_status=custody_rules.LegalStatus.REMAND)
    await _only_completed(db, custody.receive(db, officer(prison.id), reception, now=CUSTODY_NOW), expected.id)


async def test_booking_the_first_appointment_closes_the_first_appointment_task(db: AsyncSession) -> None:
    person_id = await cardiff_person(db)
    await probation_handlers.case_from_sentence(db, community_order(person_id))
    case = (await db.scalars(select(ProbationCase).where(ProbationCase.person_id == person_id))).one()
    pdu = await probation_unit_id(db)
    pp, spo = await practitioner(db, pdu), await senior(db, pdu)
    assert pp.id is not None
    await probation.allocate(db, spo, case.id, pp.id)
    first = await _task(db, "probation.first_appointment", subject_id=f"probation-case/{case.id}")

    # A phone call is not the face-to-face first appointment: the task stays open.
    phone = ContactIn(type=ContactType.PHONE, starts_at=PROBATION_NOW + timedelta(days=1))
    await supervision.create_contact(db, pp, case.id, phone, PROBATION_NOW)
    await db.refresh(first)
    assert first.status == "open"

    booked = ContactIn(type=ContactType.OFFICE_APPOINTMENT, starts_at=at("2025-03-12"), location="Cardiff office")
    task = await _only_completed(db, supervision.create_contact(db, pp, case.id, booked, PROBATION_NOW), first.id)
    assert task.outcome == "First appointment booked: office appointment on 2025-03-12."


async def _recall_review(db: AsyncSession) -> tuple[Any, Any, ProbationCase, Task]:
    """A licence case whose two unacceptable absences have put "consider recall" in the queue."""
    pdu = await delivery_unit(db)
    pp = await staff_actor(db, "fulfil.pp", "probation_practitioner", pdu)
    spo = await staff_actor(db, "fulfil.spo", "senior_probation_officer", pdu)
    case = await add_case(db, pdu, pp, kind="licence", sentence={})
    for day in ("2025-03-05", "2025-03-07"):
        contact_id = await supervision.create_contact(
            db, pp, case.id, ContactIn(type=ContactType.OFFICE_APPOINTMENT, starts_at=at(day)), PROBATION_NOW
        )
        missed = OutcomeIn(outcome=Outcome.UNACCEPTABLE_ABSENCE, notes="Did not attend.")
        await supervision.record_outcome(db, pp, contact_id, missed, PROBATION_NOW)
    review = await _task(db, "probation.enforcement.recall_review", subject_id=str(case.person_id))
    return pp, spo, case, review


async def test_recommending_recall_closes_the_consider_recall_task(db: AsyncSession) -> None:
    pp, _, case, review = await _recall_review(db)
    warning = await _task(db, "probation.enforcement.warning", subject_id=str(case.person_id))

    task = await _only_completed(
        db, recall_service.recommend(db, pp, case.id, RECOMMENDATION, PROBATION_NOW), review.id
    )
    assert task.outcome is not None and task.outcome.startswith("Recall recommended (standard)")
    await db.refresh(warning)
    assert warning.status == "open"  # the warning letter is other work


async def test_countersigning_closes_the_countersign_task(db: AsyncSession) -> None:
    pp, spo, case, _ = await _recall_review(db)
    recall_id = await recall_service.recommend(db, pp, case.id, RECOMMENDATION, PROBATION_NOW)
    countersign = await _task(db, "probation.recall.countersign", subject_id=str(case.person_id))

    signed = recall_service.countersign(db, spo, recall_id, CountersignIn(notes="Agreed."), PROBATION_NOW)
    task = await _only_completed(db, signed, countersign.id)
    assert task.outcome == "Recall recommendation countersigned."


async def test_rejecting_the_recommendation_closes_the_countersign_task(db: AsyncSession) -> None:
    pp, spo, case, _ = await _recall_review(db)
    recall_id = await recall_service.recommend(db, pp, case.id, RECOMMENDATION, PROBATION_NOW)
    countersign = await _task(db, "probation.recall.countersign", subject_id=str(case.person_id))

    rejected = recall_service.reject(db, spo, recall_id, RejectIn(reason="Manage in the community."), PROBATION_NOW)
    task = await _only_completed(db, rejected, countersign.id)
    assert task.outcome == "Recall recommendation rejected."


async def test_the_charging_decision_closes_the_charging_task(db: AsyncSession) -> None:
    w = await world(db)
    case_id = await prosecution.submit_case_file(db, w.builder, CaseFileIn.model_validate(case_file(w)), TODAY)
    charging = await _task(db, "prosecution.charging_decision", subject_id=str(case_id))
    defendant = (await db.scalars(select(Defendant).where(Defendant.case_id == case_id))).one()
    proposed = (await db.scalars(select(Charge).where(Charge.defendant_id == defendant.id))).one()
    offence = {
        "proposed_charge_id": proposed.id,
        "evidential": "met",
        "public_interest": "met",
        "outcome": "charge",
        "charges": [{"offence_code": proposed.offence_code, "wording": "Stole a mobile phone."}],
    }
    decision = ChargingDecisionIn.model_validate(
        {
            "decided_on": TODAY.isoformat(),
            "reasons": "CCTV and a prompt identification.",
            "suspects": [{"defendant_id": defendant.id, "offences": [offence]}],
        }
    )
    decided = prosecution.record_charging_decision(db, w.lawyer, case_id, decision, TODAY)
    task = await _only_completed(db, decided, charging.id)
    assert task.outcome == "Charging decision recorded: charge."


async def test_a_decision_on_one_of_two_suspects_leaves_the_charging_task_open(db: AsyncSession) -> None:
    w = await world(db)
    body = case_file(w)
    second = {**body["suspects"][0], "new_person": {**body["suspects"][0]["new_person"], "given_name": "Rafe"}}
    body["suspects"] = [body["suspects"][0], second]
    case_id = await prosecution.submit_case_file(db, w.builder, CaseFileIn.model_validate(body), TODAY)
    charging = await _task(db, "prosecution.charging_decision", subject_id=str(case_id))
    first = (await db.scalars(select(Defendant).where(Defendant.case_id == case_id).order_by(Defendant.id))).first()
    assert first is not None
    proposed = (await db.scalars(select(Charge).where(Charge.defendant_id == first.id))).one()
    nfa = {
        "proposed_charge_id": proposed.id,
        "evidential": "not_met",
        "public_interest": "not_reached",
        "outcome": "no_further_action",
        "nfa_reason": "evidential",
    }
    decision = ChargingDecisionIn.model_validate(
        {
            "decided_on": TODAY.isoformat(),
            "reasons": "No identification of this suspect.",
            "suspects": [{"defendant_id": first.id, "offences": [nfa]}],
        }
    )
    await prosecution.record_charging_decision(db, w.lawyer, case_id, decision, TODAY)
    await db.refresh(charging)
    assert charging.status == "open"  # the other suspect still awaits a decision


async def test_completing_for_a_fulfilled_action_needs_a_key_or_a_type_and_subject(db: AsyncSession) -> None:
    with pytest.raises(ValueError, match="needs a dedupe_key"):
        await complete_tasks_for(db, SYSTEM, outcome="Done.", task_type="courts.first_hearing.list")


async def test_completing_by_type_and_subject_leaves_other_subjects_and_finished_tasks_alone(
    db: AsyncSession,
) -> None:
    unit = (await db.scalars(select(OrganisationUnit.id).order_by(OrganisationUnit.id).limit(1))).one()
    made = {}
    for subject in ("1", "2"):
        view = await create_task(
            db,
            SYSTEM,
            type="test.fulfilment",
            title=f"Do it for {subject}",
            subject_type="case",
            subject_id=subject,
            owner_type="unit",
            owner_id=unit,
            commit=False,
        )
        made[subject] = view.id
    done = complete_tasks_for(
        db, SYSTEM, outcome="Done.", task_type="test.fulfilment", subject_type="case", subject_id=1
    )
    await _only_completed(db, done, made["1"])
    # Running it again finds nothing open to complete.
    assert (
        await complete_tasks_for(
            db, SYSTEM, outcome="Again.", task_type="test.fulfilment", subject_type="case", subject_id=1
        )
        == []
    )
    assert (await db.get_one(Task, made["1"])).outcome == "Done."
    assert (await db.get_one(Task, made["2"])).status == "open"
