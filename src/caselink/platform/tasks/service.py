"""Work-queue use cases: create tasks (by hand, by services, by event handlers), my work, team and
unit queues, reassignment and completion. Every write keeps a history row, is audited and emits
an event in the same transaction.

Who may do what (the permissions are checked on the routes; the scope is checked here):
- ``tasks:read``: my work (tasks owned by me, my teams, my unit), the queues of my teams and my
  unit, the tasks in them, and completing a task owned by me, my team or my unit;
- ``tasks:manage``: besides, create and reassign tasks, complete others' tasks in my scope, and see
  the queue of any team of my unit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.models import OrganisationUnit, Team
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from caselink.platform.tasks.models import Task, TaskHistory
from caselink.platform.tasks.rules import (
    ACTIVE_STATUSES,
    CalendarRangeError,
    OwnerType,
    Priority,
    SubjectType,
    TaskStatus,
    add_working_days,
    is_overdue,
)

LONDON = ZoneInfo("Europe/London")
TASK_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MAX_PAGE_SIZE = 100
tasks_t = Task.__table__
ACTIVE = [s.value for s in ACTIVE_STATUSES]


def today() -> date:
    """Deadlines are England and Wales dates."""
    return datetime.now(LONDON).date()


def _has(actor: Actor, permission: str) -> bool:
    from caselink.platform.access.policy import has_permission

    return has_permission(actor, permission)


async def _audit(
    db: AsyncSession, actor: Actor, action: str, task_id: int, detail: dict[str, Any], outcome: str = "allowed"
) -> None:
    # Imported here: audit is a sibling platform service, and importing it lazily keeps tasks
    # importable on its own (rules and models in tests, migrations).
    from caselink.platform.audit.service import record

    await record(db, actor, action, subject_type="task", subject_id=task_id, outcome=outcome, detail=detail)


async def _emit(db: AsyncSession, event_type: str, task: Task, data: dict[str, Any]) -> None:
    from caselink.organisations.service import event_area_of
    from caselink.platform.events.service import emit

    person_ids = {"person": task.subject_id} if task.subject_type == SubjectType.PERSON else {}
    await emit(
        db,
        event_type,
        f"task/{task.id}",
        person_ids=person_ids,
        data={"taskId": task.id, "taskType": task.type, **data, **await event_area_of(db, task.unit_id)},
        detail_url=f"/api/v1/tasks/{task.id}",
    )


# -- views of a task -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskView:
    id: int
    type: str
    title: str
    description: str | None
    subject_type: str
    subject_id: str
    owner_type: str
    owner_id: int
    team_id: int | None
    unit_id: int | None
    due_date: date | None
    due_basis: str | None
    priority: int
    status: str
    overdue: bool
    outcome: str | None
    completed_at: datetime | None
    created_by: str
    created_at: datetime

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label

    @property
    def status_label(self) -> str:
        return TaskStatus(self.status).value.replace("_", " ").capitalize()


_VIEW_COLUMNS = [
    tasks_t.c.id,
    tasks_t.c.type,
    tasks_t.c.title,
    tasks_t.c.description,
    tasks_t.c.subject_type,
    tasks_t.c.subject_id,
    tasks_t.c.owner_type,
    tasks_t.c.owner_id,
    tasks_t.c.team_id,
    tasks_t.c.unit_id,
    tasks_t.c.due_date,
    tasks_t.c.due_basis,
    tasks_t.c.priority,
    tasks_t.c.status,
    tasks_t.c.outcome,
    tasks_t.c.completed_at,
    tasks_t.c.created_by,
    tasks_t.c.created_at,
]


def _view(row: Any, on: date) -> TaskView:
    values = dict(row._mapping) if hasattr(row, "_mapping") else {c.name: getattr(row, c.name) for c in _VIEW_COLUMNS}
    values["overdue"] = is_overdue(values["due_date"], TaskStatus(values["status"]), on)
    return TaskView(**values)


@dataclass(frozen=True)
class TaskPage:
    items: list[TaskView]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


# -- scope -------------------------------------------------------------------------------------------


def _owned_by_actor(actor: Actor, owner_type: str, owner_id: int) -> bool:
    if owner_type == OwnerType.STAFF:
        return actor.kind is ActorKind.STAFF and actor.id == owner_id
    if owner_type == OwnerType.TEAM:
        return owner_id in actor.team_ids
    return actor.unit_id is not None and owner_id == actor.unit_id


def _in_scope(actor: Actor, task: Task | TaskView) -> bool:
    if actor.kind is ActorKind.SYSTEM:
        return True
    return (
        _owned_by_actor(actor, task.owner_type, task.owner_id)
        or (task.team_id is not None and task.team_id in actor.team_ids)
        or (actor.unit_id is not None and task.unit_id == actor.unit_id)
    )


def _refuse(task_id: int) -> Forbidden:
    return Forbidden(f"Task {task_id} is not in your work queues or your unit's, so you cannot see or change it.")


# -- create -------------------------------------------------------------------------------------------


async def _placement(
    db: AsyncSession, owner_type: str, owner_id: int, team_id: int | None, unit_id: int | None, field_prefix: str = ""
) -> tuple[int | None, int | None]:
    """(team queue, unit queue) for a new owner; raises ValidationFailed for an unknown team or unit."""
    if owner_type == OwnerType.TEAM:
        team_unit = await db.scalar(select(Team.unit_id).where(Team.id == owner_id))
        if team_unit is None:
            raise ValidationFailed(FieldError(f"{field_prefix}owner_id", f"There is no team with id {owner_id}."))
        return owner_id, team_unit
    if owner_type == OwnerType.UNIT:
        exists = await db.scalar(select(OrganisationUnit.id).where(OrganisationUnit.id == owner_id))
        if exists is None:
            raise ValidationFailed(FieldError(f"{field_prefix}owner_id", f"There is no unit with id {owner_id}."))
        return None, owner_id
    if team_id is not None:
        team_unit = await db.scalar(select(Team.unit_id).where(Team.id == team_id))
        if team_unit is None:
            raise ValidationFailed(FieldError(f"{field_prefix}team_id", f"There is no team with id {team_id}."))
        return team_id, unit_id or team_unit
    if unit_id is not None:
        exists = await db.scalar(select(OrganisationUnit.id).where(OrganisationUnit.id == unit_id))
        if exists is None:
            raise ValidationFailed(FieldError(f"{field_prefix}unit_id", f"There is no unit with id {unit_id}."))
    return None, unit_id


async def create_task(
    db: AsyncSession,
    actor: Actor,
    *,
    type: str,
    title: str,
    subject_type: str,
    subject_id: str | int,
    owner_type: str,
    owner_id: int,
    due_date: date | None = None,
    due_in_working_days: int | None = None,
    due_from: date | None = None,
    priority: int = Priority.NORMAL,
    description: str | None = None,
    team_id: int | None = None,
    unit_id: int | None = None,
    dedupe_key: str | None = None,
    source_event_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    commit: bool = True,
) -> TaskView:
    """Create a task. Services and event handlers pass ``dedupe_key`` (e.g. ``"initial-appointment:
    sentence/123"``) so running twice creates it once, and ``commit=False`` inside the relay's
    transaction. A statutory deadline is ``due_in_working_days`` after ``due_from`` (default today)."""
    subject_id = str(subject_id).strip()
    errors: list[FieldError] = []
    if not TASK_TYPE.match(type or "") or len(type) > 80:
        errors.append(
            FieldError("type", "Task type must be lower-case words joined by dots, such as probation.review.")
        )
    if not (title or "").strip():
        errors.append(FieldError("title", "Enter a title for the task."))
    elif len(title) > 200:
        errors.append(FieldError("title", "Title must be 200 characters or fewer."))
    if subject_type not in {s.value for s in SubjectType}:
        errors.append(FieldError("subject_type", "Subject type must be person or case."))
    if not subject_id or len(subject_id) > 64:
        errors.append(FieldError("subject_id", "Enter the person's or case's identifier (64 characters or fewer)."))
    if owner_type not in {o.value for o in OwnerType}:
        errors.append(FieldError("owner_type", "Owner type must be staff, team or unit."))
    if owner_id is None or owner_id < 1:
        errors.append(FieldError("owner_id", "Owner id must be a positive whole number."))
    if priority not in {p.value for p in Priority}:
        errors.append(FieldError("priority", "Priority must be 1 (urgent) to 4 (low)."))
    if due_date is not None and due_in_working_days is not None:
        errors.append(FieldError("due_date", "Give a due date or a number of working days, not both."))
    due_basis = None
    if due_in_working_days is not None and not errors:
        start = due_from or today()
        try:
            due_date = add_working_days(start, due_in_working_days)
        except CalendarRangeError as exc:
            errors.append(FieldError("due_in_working_days", str(exc)))
        due_basis = f"{due_in_working_days} working days from {start.isoformat()}"
    if errors:
        raise ValidationFailed(errors)
    if owner_type == OwnerType.STAFF and team_id is None and unit_id is None and actor.kind is ActorKind.STAFF:
        unit_id = actor.unit_id  # a task someone assigns to a colleague sits in their unit's queue
    team_id, unit_id = await _placement(db, owner_type, owner_id, team_id, unit_id)

    values = {
        "type": type,
        "title": title.strip(),
        "description": (description or "").strip() or None,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "owner_type": owner_type,
        "owner_id": owner_id,
        "team_id": team_id,
        "unit_id": unit_id,
        "due_date": due_date,
        "due_basis": due_basis,
        "priority": int(priority),
        "status": TaskStatus.OPEN.value,
        "created_by": actor.audit_label,
        "created_by_staff_id": actor.id if actor.kind is ActorKind.STAFF else None,
        "dedupe_key": dedupe_key,
        "source_event_id": source_event_id,
        "details": details or {},
    }
    stmt = insert(Task).values(**values)
    if dedupe_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=[tasks_t.c.dedupe_key])
    task_id = await db.scalar(stmt.returning(tasks_t.c.id))
    if task_id is None:
        # Already created by an earlier run of the same service or handler: hand that one back.
        existing = (await db.execute(select(*_VIEW_COLUMNS).where(tasks_t.c.dedupe_key == dedupe_key))).one()
        if commit:
            await db.commit()
        return _view(existing, today())
    task = await db.get_one(Task, task_id)
    db.add(
        TaskHistory(
            task_id=task_id, action="created", actor=actor.audit_label, to_owner_type=owner_type, to_owner_id=owner_id
        )
    )
    await _audit(db, actor, "task.create", task_id, {"type": type, "owner": f"{owner_type}:{owner_id}"})
    await _emit(
        db,
        "tasks.task.created",
        task,
        {"owner": {"type": owner_type, "id": owner_id}, "dueDate": due_date.isoformat() if due_date else None},
    )
    await db.flush()
    view = _view(task, today())
    if commit:
        await db.commit()
    return view


# -- queues -------------------------------------------------------------------------------------------


def _mine_condition(actor: Actor) -> Any:
    clauses = []
    if actor.kind is ActorKind.STAFF and actor.id is not None:
        clauses.append(and_(tasks_t.c.owner_type == OwnerType.STAFF.value, tasks_t.c.owner_id == actor.id))
    if actor.team_ids:
        clauses.append(
            and_(tasks_t.c.owner_type == OwnerType.TEAM.value, tasks_t.c.owner_id.in_(sorted(actor.team_ids)))
        )
    if actor.unit_id is not None:
        clauses.append(and_(tasks_t.c.owner_type == OwnerType.UNIT.value, tasks_t.c.owner_id == actor.unit_id))
    return or_(*clauses) if clauses else false()


async def _check_team_scope(db: AsyncSession, actor: Actor, team_id: int) -> None:
    if actor.kind is ActorKind.SYSTEM or team_id in actor.team_ids:
        return
    team_unit = await db.scalar(select(Team.unit_id).where(Team.id == team_id))
    if team_unit is None:
        raise NotFound(f"There is no team with id {team_id}.")
    if not (_has(actor, "tasks:manage") and actor.unit_id is not None and team_unit == actor.unit_id):
        raise Forbidden("You can see the queues of your own teams, and managers those of every team in their unit.")


async def list_tasks(
    db: AsyncSession,
    actor: Actor,
    *,
    scope: str = "mine",
    team_id: int | None = None,
    unit_id: int | None = None,
    statuses: Sequence[str] | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    type: str | None = None,
    overdue_only: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> TaskPage:
    """A queue, overdue first, then by due date (none last), then priority. ``scope`` is ``mine``
    (owned by me, my teams or my unit), ``team`` (needs team_id) or ``unit`` (needs unit_id)."""
    errors: list[FieldError] = []
    statuses = list(statuses) if statuses else ACTIVE
    valid_statuses = {s.value for s in TaskStatus}
    if any(s not in valid_statuses for s in statuses):
        errors.append(FieldError("status", f"Status must be one of {', '.join(sorted(valid_statuses))}."))
    if page < 1:
        errors.append(FieldError("page", "Page must be 1 or more."))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors.append(FieldError("page_size", f"Page size must be between 1 and {MAX_PAGE_SIZE}."))
    if subject_type is not None and subject_type not in {s.value for s in SubjectType}:
        errors.append(FieldError("subject_type", "Subject type must be person or case."))
    if scope == "team" and team_id is None:
        errors.append(FieldError("team_id", "Give the team whose queue you want."))
    if scope == "unit" and unit_id is None:
        errors.append(FieldError("unit_id", "Give the unit whose queue you want."))
    if scope not in {"mine", "team", "unit"}:
        errors.append(FieldError("scope", "Scope must be mine, team or unit."))
    if errors:
        raise ValidationFailed(errors)

    conditions: list[Any] = [tasks_t.c.status.in_(statuses)]
    if scope == "mine":
        conditions.append(_mine_condition(actor))
    elif scope == "team":
        assert team_id is not None
        await _check_team_scope(db, actor, team_id)
        conditions.append(
            or_(
                tasks_t.c.team_id == team_id,
                and_(tasks_t.c.owner_type == OwnerType.TEAM.value, tasks_t.c.owner_id == team_id),
            )
        )
    else:
        if actor.kind is not ActorKind.SYSTEM and unit_id != actor.unit_id:
            raise Forbidden("You can see the queue of your own unit only.")
        conditions.append(tasks_t.c.unit_id == unit_id)
    if subject_type:
        conditions.append(tasks_t.c.subject_type == subject_type)
    if subject_id:
        conditions.append(tasks_t.c.subject_id == subject_id)
    if type:
        conditions.append(tasks_t.c.type == type)
    on = today()
    overdue = and_(tasks_t.c.due_date < on, tasks_t.c.status.in_(ACTIVE))
    if overdue_only:
        conditions.append(overdue)

    total = int(await db.scalar(select(func.count()).select_from(tasks_t).where(*conditions)) or 0)
    rows = await db.execute(
        select(*_VIEW_COLUMNS)
        .where(*conditions)
        .order_by(
            case((overdue, 0), else_=1),
            tasks_t.c.due_date.asc().nulls_last(),
            tasks_t.c.priority,
            tasks_t.c.id,
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return TaskPage(items=[_view(r, on) for r in rows], page=page, page_size=page_size, total=total)


async def my_work(db: AsyncSession, actor: Actor, page: int = 1, page_size: int = 25) -> TaskPage:
    return await list_tasks(db, actor, scope="mine", page=page, page_size=page_size)


async def team_queue(db: AsyncSession, actor: Actor, team_id: int, page: int = 1, page_size: int = 25) -> TaskPage:
    return await list_tasks(db, actor, scope="team", team_id=team_id, page=page, page_size=page_size)


async def unit_queue(db: AsyncSession, actor: Actor, unit_id: int, page: int = 1, page_size: int = 25) -> TaskPage:
    return await list_tasks(db, actor, scope="unit", unit_id=unit_id, page=page, page_size=page_size)


# -- one task -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    actor: str
    from_owner_type: str | None
    from_owner_id: int | None
    to_owner_type: str | None
    to_owner_id: int | None
    note: str | None


async def get_task(db: AsyncSession, actor: Actor, task_id: int) -> tuple[TaskView, list[HistoryEntry]]:
    row = (await db.execute(select(*_VIEW_COLUMNS).where(tasks_t.c.id == task_id))).first()
    if row is None:
        raise NotFound(f"There is no task {task_id}.")
    view = _view(row, today())
    if not _in_scope(actor, view):
        await _audit(db, actor, "task.read", task_id, {}, outcome="refused")
        await db.commit()
        raise _refuse(task_id)
    history = await db.execute(
        select(
            TaskHistory.at,
            TaskHistory.action,
            TaskHistory.actor,
            TaskHistory.from_owner_type,
            TaskHistory.from_owner_id,
            TaskHistory.to_owner_type,
            TaskHistory.to_owner_id,
            TaskHistory.note,
        )
        .where(TaskHistory.task_id == task_id)
        .order_by(TaskHistory.at, TaskHistory.id)
    )
    return view, [HistoryEntry(**h._mapping) for h in history]


async def _lock(db: AsyncSession, actor: Actor, task_id: int, action: str) -> Task:
    task = await db.scalar(select(Task).where(Task.id == task_id).with_for_update())
    if task is None:
        raise NotFound(f"There is no task {task_id}.")
    if not _in_scope(actor, task):
        await db.rollback()
        await _audit(db, actor, action, task_id, {}, outcome="refused")
        await db.commit()
        raise _refuse(task_id)
    if task.status not in ACTIVE:
        raise Conflict(f"Task {task_id} is {task.status.replace('_', ' ')}, so it cannot be changed.")
    return task


def _reassign_errors(owner_type: str, owner_id: int | None, reason: str | None) -> list[FieldError]:
    errors = []
    if owner_type not in {o.value for o in OwnerType}:
        errors.append(FieldError("owner_type", "Choose who the task goes to: a member of staff, a team or a unit."))
    if owner_id is None or owner_id < 1:
        errors.append(FieldError("owner_id", "Enter the id of the member of staff, team or unit."))
    if reason is not None and len(reason) > 500:
        errors.append(FieldError("reason", "Reason must be 500 characters or fewer."))
    return errors


async def _apply_reassign(
    db: AsyncSession, actor: Actor, task: Task, owner_type: str, owner_id: int, reason: str | None
) -> TaskView:
    """Move TASK (locked, active) to its new owner: history row, audit entry and
    ``tasks.task.reassigned``, flushed in the caller's transaction (no commit)."""
    keep_team, keep_unit = (task.team_id, task.unit_id) if owner_type == OwnerType.STAFF else (None, None)
    team_id, unit_id = await _placement(db, owner_type, owner_id, keep_team, keep_unit)
    previous = (task.owner_type, task.owner_id)
    task.owner_type, task.owner_id = owner_type, owner_id
    task.team_id, task.unit_id = team_id, unit_id
    task.updated_at = datetime.now(UTC)
    note = (reason or "").strip() or None
    db.add(
        TaskHistory(
            task_id=task.id,
            action="reassigned",
            actor=actor.audit_label,
            from_owner_type=previous[0],
            from_owner_id=previous[1],
            to_owner_type=owner_type,
            to_owner_id=owner_id,
            note=note,
        )
    )
    await _audit(
        db,
        actor,
        "task.reassign",
        task.id,
        {"from": f"{previous[0]}:{previous[1]}", "to": f"{owner_type}:{owner_id}", "reason": note},
    )
    await _emit(
        db,
        "tasks.task.reassigned",
        task,
        {"from": {"type": previous[0], "id": previous[1]}, "to": {"type": owner_type, "id": owner_id}},
    )
    await db.flush()
    return _view(task, today())


async def reassign_task(
    db: AsyncSession, actor: Actor, task_id: int, owner_type: str, owner_id: int, reason: str | None = None
) -> TaskView:
    """Give a task to another member of staff, team or unit (allocation is reassigning a team's task
    to one of its members). Keeps a history row, audited, emits tasks.task.reassigned; commits.
    Services reassigning inside their own transaction use ``reassign_in_transaction``."""
    errors = _reassign_errors(owner_type, owner_id, reason)
    if errors:
        raise ValidationFailed(errors)
    task = await _lock(db, actor, task_id, "task.reassign")
    if task.owner_type == owner_type and task.owner_id == owner_id:
        raise ValidationFailed(FieldError("owner_id", "The task already belongs to them; choose someone else."))
    view = await _apply_reassign(db, actor, task, owner_type, owner_id, reason)
    await db.commit()
    return view


async def reassign_in_transaction(
    db: AsyncSession, actor: Actor, task_id: int, owner_type: str, owner_id: int, reason: str | None = None
) -> TaskView | None:
    """For services: reassign a task as part of the caller's own change (allocating a case hands its
    first-appointment task to the practitioner), with the same history row, audit entry and
    ``tasks.task.reassigned`` as ``reassign_task`` but no commit, so the change, the reassignment
    and their audit are kept or lost together. No scope check: the caller has already checked the
    actor may make the change. Returns None (and changes nothing) when the task no longer exists, is
    no longer active, or already belongs to the new owner."""
    errors = _reassign_errors(owner_type, owner_id, reason)
    if errors:
        raise ValidationFailed(errors)
    task = await db.scalar(select(Task).where(Task.id == task_id).with_for_update())
    if task is None or task.status not in ACTIVE:
        return None
    if task.owner_type == owner_type and task.owner_id == owner_id:
        return None
    return await _apply_reassign(db, actor, task, owner_type, owner_id, reason)


async def complete_task(db: AsyncSession, actor: Actor, task_id: int, outcome: str) -> TaskView:
    """Complete a task with its outcome (what was done). Its owner (or a member of the owning team or
    unit) may; so may a manager in scope. Audited, emits tasks.task.completed; commits."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationFailed(FieldError("outcome", "Enter the outcome: what was done."))
    if len(outcome) > 2000:
        raise ValidationFailed(FieldError("outcome", "Outcome must be 2,000 characters or fewer."))
    task = await _lock(db, actor, task_id, "task.complete")
    if not (_owned_by_actor(actor, task.owner_type, task.owner_id) or _has(actor, "tasks:manage")):
        raise Forbidden("Only the task's owner, or a manager, can complete it. Ask for it to be reassigned to you.")
    now = datetime.now(UTC)
    task.status = TaskStatus.COMPLETED.value
    task.outcome = outcome
    task.completed_at = now
    task.completed_by = actor.audit_label
    task.updated_at = now
    db.add(TaskHistory(task_id=task_id, action="completed", actor=actor.audit_label, note=outcome))
    await _audit(db, actor, "task.complete", task_id, {"type": task.type})
    await _emit(db, "tasks.task.completed", task, {"outcome": outcome})
    await db.flush()
    view = _view(task, today())
    await db.commit()
    return view


async def complete_tasks_for(
    db: AsyncSession,
    actor: Actor,
    *,
    outcome: str,
    task_type: str | None = None,
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    dedupe_key: str | None = None,
) -> list[int]:
    """For services: the action that fulfils a task (listing the hearing, receiving the person)
    completes the matching open tasks in the caller's transaction (no commit), with a history row,
    an audit entry and ``tasks.task.completed`` each, as ``complete_task`` does. Matches one
    ``dedupe_key``, or a ``task_type`` about one subject. No scope check: the caller has already
    checked the actor may do the fulfilling action. Returns the ids completed (none is fine)."""
    if dedupe_key is None and (task_type is None or subject_type is None or subject_id is None):
        raise ValueError("complete_tasks_for needs a dedupe_key, or a task_type with its subject_type and subject_id")
    conditions: list[Any] = [tasks_t.c.status.in_(ACTIVE)]
    if dedupe_key is not None:
        conditions.append(tasks_t.c.dedupe_key == dedupe_key)
    if task_type is not None:
        conditions.append(tasks_t.c.type == task_type)
    if subject_type is not None:
        conditions.append(tasks_t.c.subject_type == subject_type)
    if subject_id is not None:
        conditions.append(tasks_t.c.subject_id == str(subject_id))
    tasks = (await db.scalars(select(Task).where(*conditions).order_by(Task.id).with_for_update())).all()
    now = datetime.now(UTC)
    for task in tasks:
        task.status = TaskStatus.COMPLETED.value
        task.outcome = outcome
        task.completed_at = now
        task.completed_by = actor.audit_label
        task.updated_at = now
        db.add(TaskHistory(task_id=task.id, action="completed", actor=actor.audit_label, note=outcome))
        await _audit(db, actor, "task.complete", task.id, {"type": task.type, "fulfilled": True})
        await _emit(db, "tasks.task.completed", task, {"outcome": outcome})
    await db.flush()
    return [task.id for task in tasks]


async def cancel_task(db: AsyncSession, actor: Actor, task_id: int, reason: str, commit: bool = True) -> TaskView:
    """For services: a task that is no longer needed (the case was discontinued, the person died)."""
    if not (reason or "").strip():
        raise ValidationFailed(FieldError("reason", "Say why the task is no longer needed."))
    task = await _lock(db, actor, task_id, "task.cancel")
    task.status = TaskStatus.CANCELLED.value
    task.updated_at = datetime.now(UTC)
    db.add(TaskHistory(task_id=task_id, action="cancelled", actor=actor.audit_label, note=reason.strip()))
    await _audit(db, actor, "task.cancel", task_id, {"reason": reason.strip()})
    await _emit(db, "tasks.task.cancelled", task, {"reason": reason.strip()})
    await db.flush()
    view = _view(task, today())
    if commit:
        await db.commit()
    return view


async def owner_names(db: AsyncSession, tasks: Sequence[TaskView]) -> dict[tuple[str, int], str]:
    """Names of the teams and units owning these tasks, in two queries whatever the page size."""
    team_ids = {t.owner_id for t in tasks if t.owner_type == OwnerType.TEAM} | {t.team_id for t in tasks if t.team_id}
    unit_ids = {t.owner_id for t in tasks if t.owner_type == OwnerType.UNIT} | {t.unit_id for t in tasks if t.unit_id}
    names: dict[tuple[str, int], str] = {}
    if team_ids:
        for team_row in await db.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))):
            names[("team", team_row.id)] = team_row.name
    if unit_ids:
        for unit_row in await db.execute(
            select(OrganisationUnit.id, OrganisationUnit.name).where(OrganisationUnit.id.in_(unit_ids))
        ):
            names[("unit", unit_row.id)] = unit_row.name
    return names


async def queue_name(db: AsyncSession, kind: str, queue_id: int) -> str | None:
    if kind == OwnerType.TEAM:
        return await db.scalar(select(Team.name).where(Team.id == queue_id))
    return await db.scalar(select(OrganisationUnit.name).where(OrganisationUnit.id == queue_id))
