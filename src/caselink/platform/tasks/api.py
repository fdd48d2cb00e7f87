"""Work queues as JSON under /api/v1/tasks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.tasks import service
from caselink.platform.tasks.schemas import (
    HistoryOut,
    TaskComplete,
    TaskCreate,
    TaskDetailOut,
    TaskOut,
    TaskPageOut,
    TaskReassign,
)

router = APIRouter(prefix="/tasks", tags=["tasks"])

Reader = Annotated[Actor, Depends(requires("tasks:read"))]
Manager = Annotated[Actor, Depends(requires("tasks:manage"))]


@router.get("", response_model=TaskPageOut)
async def list_tasks(
    actor: Reader,
    db: DbSession,
    scope: Annotated[str, Query(description="mine (default), team or unit")] = "mine",
    team_id: int | None = None,
    unit_id: int | None = None,
    status: Annotated[list[str] | None, Query(description="Repeat for several; default open and in_progress")] = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    type: str | None = None,
    overdue: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 25,
) -> TaskPageOut:
    """A work queue, overdue first, then by due date and priority."""
    result = await service.list_tasks(
        db,
        actor,
        scope=scope,
        team_id=team_id,
        unit_id=unit_id,
        statuses=status,
        subject_type=subject_type,
        subject_id=subject_id,
        type=type,
        overdue_only=overdue,
        page=page,
        page_size=page_size,
    )
    return TaskPageOut(
        items=[TaskOut.model_validate(t) for t in result.items],
        page=result.page,
        page_size=result.page_size,
        total=result.total,
    )


@router.post("", response_model=TaskOut, status_code=201)
async def create_task(body: TaskCreate, actor: Manager, db: DbSession) -> TaskOut:
    task = await service.create_task(db, actor, **body.model_dump())
    return TaskOut.model_validate(task)


@router.get("/{task_id}", response_model=TaskDetailOut)
async def get_task(task_id: int, actor: Reader, db: DbSession) -> TaskDetailOut:
    task, history = await service.get_task(db, actor, task_id)
    return TaskDetailOut(
        **TaskOut.model_validate(task).model_dump(), history=[HistoryOut.model_validate(h) for h in history]
    )


@router.post("/{task_id}/reassign", response_model=TaskOut)
async def reassign_task(task_id: int, body: TaskReassign, actor: Manager, db: DbSession) -> TaskOut:
    task = await service.reassign_task(db, actor, task_id, body.owner_type.value, body.owner_id, body.reason)
    return TaskOut.model_validate(task)


@router.post("/{task_id}/complete", response_model=TaskOut)
async def complete_task(task_id: int, body: TaskComplete, actor: Reader, db: DbSession) -> TaskOut:
    task = await service.complete_task(db, actor, task_id, body.outcome)
    return TaskOut.model_validate(task)
