"""Probation cases: made once from the court's and the prison's events, allocated once to a
practitioner who is not excluded, tiered from the latest assessment and flags, terminated."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.probation.case_factory import (
    cardiff_person,
    community_order,
    event,
    practitioner,
    release_on_licence,
    senior,
    unit_id,
)

from caselink.assessments import service as assessments
from caselink.assessments.schemas import AssessmentIn
from caselink.people.limited_access import LimitInput, add_limit
from caselink.people.registration_models import PersonRegistration
from caselink.platform.errors import Conflict, ValidationFailed
from caselink.platform.events.models import OutboxEvent
from caselink.platform.tasks.models import Task
from caselink.probation import handlers, service
from caselink.probation.models import ProbationCase, ProbationTierChange

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _cases(db: AsyncSession, person_id: int) -> list[ProbationCase]:
    return list((await db.scalars(select(ProbationCase).where(ProbationCase.person_id == person_id))).all())


async def test_community_order_opens_one_case_in_the_address_unit_even_when_replayed(db: AsyncSession) -> None:
    person = await cardiff_person(db)
    sentence = community_order(person)
    await handlers.case_from_sentence(db, sentence)
    await handlers.case_from_sentence(db, sentence)  # replayed by the relay or an administrator

    [case] = await _cases(db, person)
    assert case.kind == "community_order" and case.status == "unallocated"
    assert case.delivery_unit_id == await unit_id(db)
    assert case.end_date == dt.date(2026, 3, 9)
    assert case.tier == "C1"  # unassessed: medium RoSH, number 1 (rule pack)
    tasks = (await db.scalars(select(Task).where(Task.subject_id == f"probation-case/{case.id}"))).all()
    assert sorted(t.type for t in tasks) == ["probation.first_appointment", "probation.pre_allocation"]
    first = next(t for t in tasks if t.type == "probation.first_appointment")
    assert (first.owner_type, first.owner_id) == ("unit", case.delivery_unit_id)
    assert first.due_date == case.first_appointment_due == dt.date(2025, 3, 17)  # 5 working days


async def test_release_on_licence_opens_a_licence_case_once(db: AsyncSession) -> None:
    person = await cardiff_person(db)
    released = release_on_licence(person)
    await handlers.case_from_release(db, released)
    await handlers.case_from_release(db, released)

    [case] = await _cases(db, person)
    assert (case.kind, case.start_date, case.end_date) == ("licence", dt.date(2025, 3, 10), dt.date(2026, 3, 9))


async def test_fine_opens_no_case(db: AsyncSession) -> None:
    person = await cardiff_person(db)
    fine = community_order(person)
    fine.data["disposals"] = [{"kind": "fine", "charge_id": 1, "amount_pence": 10000}]
    await handlers.case_from_sentence(db, fine)
    assert await _cases(db, person) == []


async def test_allocation_shows_load_refuses_excluded_practitioner_and_a_second_allocation(db: AsyncSession) -> None:
    unit = await unit_id(db)
    boss = await senior(db, unit)
    excluded = await practitioner(db, unit, "Ex Cluded")
    chosen = await practitioner(db, unit, "Cho Sen")
    person = await cardiff_person(db)
    case_id = await service.case_from_sentence_event(db, community_order(person))
    assert case_id is not None
    assert excluded.id is not None and chosen.id is not None
    await add_limit(db, boss, person, LimitInput("exclusion", [excluded.id], "Conflict of interest"))

    loads = {p.staff_id: p for p in await service.practitioner_loads(db, unit, person)}
    assert loads[excluded.id].excluded and not loads[chosen.id].excluded
    assert loads[chosen.id].caseload == 0

    with pytest.raises(ValidationFailed) as refused:
        await service.allocate(db, boss, case_id, excluded.id)
    assert refused.value.errors[0].field == "staff_id"
    assert "excluded" in refused.value.errors[0].message
    assert (await db.get_one(ProbationCase, case_id)).status == "unallocated"

    case = await service.allocate(db, boss, case_id, chosen.id)
    assert (case.status, case.practitioner_staff_id) == ("allocated", chosen.id)
    first = await db.get_one(Task, case.first_appointment_task_id)
    assert (first.owner_type, first.owner_id) == ("staff", chosen.id)
    assert (await db.get_one(Task, case.allocation_task_id)).status == "completed"

    loads = {p.staff_id: p for p in await service.practitioner_loads(db, unit)}
    assert (loads[chosen.id].caseload, loads[chosen.id].workload_points) == (1, 3)  # tier C: 3 points

    with pytest.raises(Conflict, match="already allocated to Cho Sen"):
        await service.allocate(db, boss, case_id, chosen.id)


async def test_completed_assessment_sets_the_tier_and_announces_the_change(db: AsyncSession) -> None:
    unit = await unit_id(db)
    author = await practitioner(db, unit)
    person = await cardiff_person(db)
    case_id = await service.case_from_sentence_event(db, community_order(person))
    body = AssessmentIn(
        rosh_public="medium",
        rosh_known_adult="low",
        rosh_children="low",
        rosh_staff="low",
        rosh_prisoners="low",
        reoffending_score=80,
        needs={s: 1 for s in assessments.rules.NeedSection},
    )
    draft = await assessments.start(db, author, person, body)
    done = await assessments.submit(db, author, draft.id)
    assert done.status == "completed" and not done.countersignature_required
    completed = (
        await db.scalars(select(OutboxEvent).where(OutboxEvent.type == "assessments.assessment.completed"))
    ).all()
    assert any(e.data["assessmentId"] == done.id for e in completed)

    await handlers.tier_from_assessment(db, community_order(person))  # any event naming the person
    case = await db.get_one(ProbationCase, case_id)
    assert case.tier == "C3"
    changes = (await db.scalars(select(OutboxEvent).where(OutboxEvent.type == "probation.tier.changed"))).all()
    assert any(e.data == {**e.data, "caseId": case_id, "from": "C1", "to": "C3"} for e in changes)


async def test_termination_early_needs_a_reason_and_emits(db: AsyncSession) -> None:
    unit = await unit_id(db)
    boss = await senior(db, unit)
    person = await cardiff_person(db)
    case_id = await service.case_from_sentence_event(db, community_order(person))
    assert case_id is not None

    with pytest.raises(ValidationFailed) as early:
        await service.terminate(db, boss, case_id, "expired", dt.date(2025, 6, 1))
    assert "end date is 2026-03-09" in early.value.errors[0].message
    with pytest.raises(ValidationFailed) as no_notes:
        await service.terminate(db, boss, case_id, "good_progress", dt.date(2025, 6, 1))
    assert no_notes.value.errors[0].field == "notes"

    case = await service.terminate(db, boss, case_id, "good_progress", dt.date(2025, 6, 1), "Revoked by the court")
    assert (case.status, case.termination_reason) == ("terminated", "good_progress")
    open_tasks = await db.scalar(
        select(func.count()).where(Task.subject_id == f"probation-case/{case_id}", Task.status == "open")
    )
    assert open_tasks == 0
    [ended] = (await db.scalars(select(OutboxEvent).where(OutboxEvent.type == "probation.order.terminated"))).all()
    assert ended.data["early"] is True
    with pytest.raises(ValidationFailed, match="already been terminated"):
        await service.terminate(db, boss, case_id, "other", None, "again")


async def test_a_new_flag_moves_the_tier(db: AsyncSession) -> None:
    unit = await unit_id(db)
    owner = await practitioner(db, unit)
    person = await cardiff_person(db)
    case_id = await service.case_from_sentence_event(db, community_order(person))
    assert owner.id is not None
    db.add(
        PersonRegistration(
            person_id=person,
            type_code="MAPPA",
            level="2",
            category="1",
            owner_staff_id=owner.id,
            owner_unit_id=unit,
            start_date=dt.date(2025, 3, 1),
            review_date=dt.date(2026, 3, 1),
            created_by="test",
        )
    )
    await db.flush()
    flag_added = event("people.registration.added", person, {"type": "MAPPA"})
    await handlers.tier_from_flag(db, flag_added)
    await handlers.tier_from_flag(db, flag_added)  # replay: no second change
    assert (await db.get_one(ProbationCase, case_id)).tier == "B1"
    changes = await db.scalar(
        select(func.count()).select_from(ProbationTierChange).where(ProbationTierChange.case_id == case_id)
    )
    assert changes == 2  # case created (C1), MAPPA flag (B1)
