"""Enforcement on the real database: warning, then breach action with its task, due date and the
``probation.breach.initiated`` event; a licence breach becomes a recall review."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.probation.supervision_factory import NOW, add_case, at, staff_actor, unit

from caselink.platform.events.models import OutboxEvent
from caselink.platform.tasks.models import Task
from caselink.probation import supervision_service as service
from caselink.probation.supervision_models import EnforcementAction
from caselink.probation.supervision_rules import ContactType, Outcome
from caselink.probation.supervision_schemas import ContactIn, OutcomeIn

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _failure(db: AsyncSession, actor, case_id: int, day: str, outcome: Outcome = Outcome.UNACCEPTABLE_ABSENCE):  # type: ignore[no-untyped-def]
    contact_id = await service.create_contact(
        db, actor, case_id, ContactIn(type=ContactType.OFFICE_APPOINTMENT, starts_at=at(day)), NOW
    )
    return await service.record_outcome(db, actor, contact_id, OutcomeIn(outcome=outcome), NOW)


async def _events(db: AsyncSession, type: str, case_id: int) -> list[OutboxEvent]:
    return list(
        (
            await db.scalars(
                select(OutboxEvent).where(OutboxEvent.type == type, OutboxEvent.subject == f"probation-case/{case_id}")
            )
        ).all()
    )


async def test_warning_then_breach_with_task_due_date_and_event(db: AsyncSession) -> None:
    pdu = await unit(db)
    practitioner = await staff_actor(db, "pat.practitioner", "probation_practitioner", pdu)
    case = await add_case(db, pdu, practitioner)

    acceptable = await _failure(db, practitioner, case.id, "2025-02-03", Outcome.ACCEPTABLE_ABSENCE)
    assert acceptable.enforcement is None  # an acceptable absence is not a failure

    first = await _failure(db, practitioner, case.id, "2025-02-10")
    assert first.enforcement == "warning"
    assert await _events(db, "probation.breach.initiated", case.id) == []

    second = await _failure(db, practitioner, case.id, "2025-03-03", Outcome.ATTENDED_FAILED_TO_COMPLY)
    assert second.enforcement == "breach"
    action = await db.get(EnforcementAction, second.enforcement_action_id)
    assert action is not None
    assert action.failures_in_window == 2 and action.rule_version == "probation.enforcement 2015.1"
    # 10 working days from Monday 10 March 2025.
    assert action.due_date == date(2025, 3, 24)
    task = await db.get(Task, action.task_id)
    assert task is not None and task.type == "probation.enforcement.breach"
    assert (task.owner_type, task.owner_id) == ("staff", practitioner.id)
    [event] = await _events(db, "probation.breach.initiated", case.id)
    assert event.data["failuresInWindow"] == 2 and event.person_ids["person"] == str(case.person_id)

    third = await _failure(db, practitioner, case.id, "2025-03-07")
    assert third.enforcement == "added_to_breach"
    assert len(await _events(db, "probation.breach.initiated", case.id)) == 1


async def test_a_breach_of_licence_goes_to_recall_review_not_to_court(db: AsyncSession) -> None:
    pdu = await unit(db)
    practitioner = await staff_actor(db, "pat.practitioner", "probation_practitioner", pdu)
    case = await add_case(db, pdu, practitioner, kind="licence", sentence={})
    await _failure(db, practitioner, case.id, "2025-02-10")
    second = await _failure(db, practitioner, case.id, "2025-03-03")
    assert second.enforcement == "recall_review"
    action = await db.get(EnforcementAction, second.enforcement_action_id)
    assert action is not None
    task = await db.get(Task, action.task_id)
    assert task is not None and task.type == "probation.enforcement.recall_review"
    assert await _events(db, "probation.breach.initiated", case.id) == []
