"""Work queues: creating tasks (by hand, by services, by event handlers), my work, team and unit
queues, reassignment and completion, each audited and evented."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.models import OrganisationUnit, Team
from caselink.platform.access.actor import SYSTEM, Actor, ActorKind
from caselink.platform.audit.models import AuditEvent
from caselink.platform.errors import Conflict, Forbidden, ValidationFailed
from caselink.platform.events.models import OutboxEvent
from caselink.platform.events.relay import run_batch
from caselink.platform.events.rules import Event
from caselink.platform.events.service import HandlerRegistry, emit, sync_subscriptions
from caselink.platform.tasks import service
from caselink.platform.tasks.models import Task, TaskHistory
from caselink.platform.tasks.rules import add_working_days


@dataclass
class Place:
    unit: OrganisationUnit
    other_unit: OrganisationUnit
    team: Team
    other_team: Team
    practitioner: Actor
    manager: Actor
    outsider: Actor


@pytest.fixture
async def place(db: AsyncSession) -> Place:
    return await make_place(db)


async def make_place(db: AsyncSession) -> Place:
    """Two probation delivery units, two teams in the first, and three members of staff."""
    suffix = uuid.uuid4().hex[:6].upper()
    unit = OrganisationUnit(
        code=f"TU{suffix}", name="Test PDU North", agency="probation", kind="probation_delivery_unit"
    )
    other_unit = OrganisationUnit(
        code=f"TV{suffix}", name="Test PDU South", agency="probation", kind="probation_delivery_unit"
    )
    db.add_all([unit, other_unit])
    await db.flush()
    team = Team(unit_id=unit.id, code="T1", name="Offender management team 1")
    other_team = Team(unit_id=unit.id, code="T2", name="Offender management team 2")
    db.add_all([team, other_team])
    await db.flush()

    def staff(staff_id: int, role: str, unit_id: int, teams: set[int]) -> Actor:
        return Actor(
            kind=ActorKind.STAFF,
            id=staff_id,
            name=f"user{staff_id}",
            roles=frozenset({role}),
            agency="probation",
            unit_id=unit_id,
            team_ids=frozenset(teams),
        )

    return Place(
        unit=unit,
        other_unit=other_unit,
        team=team,
        other_team=other_team,
        practitioner=staff(9001, "probation_practitioner", unit.id, {team.id}),
        manager=staff(9002, "senior_probation_officer", unit.id, set()),
        outsider=staff(9003, "probation_practitioner", other_unit.id, set()),
    )


async def new_task(db: AsyncSession, place: Place, **overrides: object) -> service.TaskView:
    values: dict[str, object] = {
        "type": "probation.initial_appointment",
        "title": "Book initial appointment",
        "subject_type": "person",
        "subject_id": "42",
        "owner_type": "staff",
        "owner_id": place.practitioner.id,
        "due_date": service.today() + timedelta(days=5),
    }
    values.update(overrides)
    return await service.create_task(db, place.manager, **values)  # type: ignore[arg-type]


async def test_a_statutory_deadline_is_counted_in_working_days(db: AsyncSession, place: Place) -> None:
    task = await new_task(db, place, due_date=None, due_in_working_days=5, due_from=date(2024, 3, 28))
    assert task.due_date == date(2024, 4, 8)  # Good Friday and Easter Monday do not count
    assert task.due_basis == "5 working days from 2024-03-28"
    assert task.due_date == add_working_days(date(2024, 3, 28), 5)


async def test_creating_a_task_keeps_history_audits_and_emits(db: AsyncSession, place: Place) -> None:
    task = await new_task(db, place)
    history = (await db.scalars(select(TaskHistory).where(TaskHistory.task_id == task.id))).all()
    assert [(h.action, h.to_owner_type, h.to_owner_id) for h in history] == [("created", "staff", 9001)]
    assert task.unit_id == place.unit.id  # a colleague's task sits in the assigning manager's unit
    audited = await db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "task.create", AuditEvent.subject_id == str(task.id))
    )
    assert audited == 1
    event = await db.scalar(select(OutboxEvent).where(OutboxEvent.subject == f"task/{task.id}"))
    assert event is not None and event.type == "tasks.task.created" and event.person_ids == {"person": "42"}


async def test_bad_input_names_each_field(db: AsyncSession, place: Place) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await new_task(db, place, type="Bad Type", title=" ", subject_type="dog", owner_type="team", owner_id=0)
    fields = {e.field for e in caught.value.errors}
    assert fields == {"type", "title", "subject_type", "owner_id"}
    with pytest.raises(ValidationFailed, match="no team with id 999999"):
        await new_task(db, place, owner_type="team", owner_id=999999)


async def test_my_work_has_mine_my_teams_and_my_units_overdue_first_then_due_date_and_priority(
    db: AsyncSession, place: Place
) -> None:
    today = service.today()
    later_low = await new_task(db, place, title="later low", due_date=today + timedelta(days=3), priority=4)
    later_urgent = await new_task(db, place, title="later urgent", due_date=today + timedelta(days=3), priority=1)
    overdue = await new_task(db, place, title="overdue", due_date=today - timedelta(days=2))
    team_task = await new_task(db, place, title="team", owner_type="team", owner_id=place.team.id, due_date=today)
    unit_task = await new_task(db, place, title="unit", owner_type="unit", owner_id=place.unit.id, due_date=None)
    await new_task(db, place, title="other team", owner_type="team", owner_id=place.other_team.id)
    done = await new_task(db, place, title="done")
    await service.complete_task(db, place.practitioner, done.id, "Seen.")

    page = await service.my_work(db, place.practitioner)
    assert [t.id for t in page.items] == [overdue.id, team_task.id, later_urgent.id, later_low.id, unit_task.id]
    assert page.items[0].overdue and not page.items[1].overdue
    assert page.total == 5

    second = await service.my_work(db, place.practitioner, page=2, page_size=2)
    assert [t.id for t in second.items] == [later_urgent.id, later_low.id]


async def test_team_and_unit_queues_are_for_members_and_managers_of_the_unit(db: AsyncSession, place: Place) -> None:
    allocated = await new_task(db, place, owner_type="team", owner_id=place.other_team.id)
    await service.reassign_task(db, place.manager, allocated.id, "staff", 9100, "allocated")

    queue = await service.team_queue(db, place.manager, place.other_team.id)
    assert [t.id for t in queue.items] == [allocated.id]  # still in the team's queue once allocated
    with pytest.raises(Forbidden):
        await service.team_queue(db, place.practitioner, place.other_team.id)  # not her team, not a manager
    assert (await service.team_queue(db, place.practitioner, place.team.id)).total == 0
    assert [t.id for t in (await service.unit_queue(db, place.manager, place.unit.id)).items] == [allocated.id]
    with pytest.raises(Forbidden):
        await service.unit_queue(db, place.outsider, place.unit.id)


async def test_reassignment_is_recorded_audited_and_refused_for_finished_tasks(db: AsyncSession, place: Place) -> None:
    task = await new_task(db, place, owner_type="team", owner_id=place.team.id)
    moved = await service.reassign_task(db, place.manager, task.id, "team", place.other_team.id, "workload")
    assert (moved.owner_type, moved.owner_id, moved.team_id) == ("team", place.other_team.id, place.other_team.id)
    _, history = await service.get_task(db, place.manager, task.id)
    assert [(h.action, h.from_owner_id, h.to_owner_id, h.note) for h in history][-1] == (
        "reassigned",
        place.team.id,
        place.other_team.id,
        "workload",
    )
    audited = await db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "task.reassign", AuditEvent.subject_id == str(task.id))
    )
    assert audited == 1
    with pytest.raises(ValidationFailed, match="already belongs"):
        await service.reassign_task(db, place.manager, task.id, "team", place.other_team.id)
    await service.complete_task(db, place.manager, task.id, "Done by the manager.")
    with pytest.raises(Conflict, match="completed"):
        await service.reassign_task(db, place.manager, task.id, "staff", 9001)


async def test_completion_needs_an_outcome_and_the_owner_or_a_manager(db: AsyncSession, place: Place) -> None:
    mine = await new_task(db, place)
    with pytest.raises(ValidationFailed, match="Enter the outcome"):
        await service.complete_task(db, place.practitioner, mine.id, "  ")
    done = await service.complete_task(db, place.practitioner, mine.id, "Appointment booked for Monday.")
    assert done.status == "completed" and done.outcome == "Appointment booked for Monday."

    colleagues = await new_task(db, place, owner_type="staff", owner_id=9100, team_id=place.team.id)
    with pytest.raises(Forbidden, match="owner, or a manager"):
        await service.complete_task(db, place.practitioner, colleagues.id, "Did it for them.")
    stranger = await new_task(db, place)
    with pytest.raises(Forbidden, match="not in your work queues"):
        await service.complete_task(db, place.outsider, stranger.id, "Nope.")
    refused = await db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.subject_id == str(stranger.id), AuditEvent.outcome == "refused")
    )
    assert refused == 1


async def test_services_create_a_task_once_however_often_they_run(db: AsyncSession, place: Place) -> None:
    first = await new_task(db, place, dedupe_key="initial-appointment:sentence/1")
    again = await new_task(db, place, dedupe_key="initial-appointment:sentence/1", title="different")
    assert again.id == first.id and again.title == first.title


async def test_an_event_handler_creates_a_task_once_even_when_the_event_is_replayed(
    db: AsyncSession, place: Place
) -> None:
    unit_id = place.unit.id

    async def allocate_on_sentence(session: AsyncSession, event: Event) -> None:
        await service.create_task(
            session,
            SYSTEM,
            type="probation.allocation",
            title="Allocate a probation practitioner",
            subject_type="person",
            subject_id=event.person_ids["person"],
            owner_type="unit",
            owner_id=unit_id,
            due_in_working_days=2,
            due_from=event.time.date(),
            dedupe_key=f"allocation:{event.id}",
            source_event_id=event.id,
            commit=False,
        )

    handlers = HandlerRegistry()
    handlers.register("test.allocate-on-sentence", ["court.sentence.imposed"], allocate_on_sentence)
    await sync_subscriptions(db, handlers)
    emitted = await emit(db, "court.sentence.imposed", "sentence/1", person_ids={"person": 77})
    await run_batch(db, handlers)
    from caselink.platform.events.service import replay

    await replay(db, SYSTEM, emitted.id, "test.allocate-on-sentence")
    await run_batch(db, handlers)
    tasks = (await db.scalars(select(Task).where(Task.source_event_id == emitted.id))).all()
    assert len(tasks) == 1
    assert tasks[0].owner_type == "unit" and tasks[0].created_by == "system:caselink"
    page = await service.my_work(db, place.practitioner)
    assert tasks[0].id in [t.id for t in page.items]  # her unit's queue is part of her work
