"""API bodies and answers for work queues."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from caselink.platform.tasks.rules import OwnerType, Priority, SubjectType, TaskStatus


class TaskCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "probation.initial_appointment",
                    "title": "Arrange the first supervision appointment",
                    "description": "Community order made at Westminster Magistrates' Court on 10 March 2026",
                    "subject_type": "person",
                    "subject_id": "4211",
                    "owner_type": "staff",
                    "owner_id": 77,
                    "due_in_working_days": 5,
                    "due_from": "2026-03-10",
                    "priority": 2,
                    "team_id": 41,
                }
            ]
        },
        extra="forbid",
    )

    type: str = Field(min_length=3, max_length=80, description="What kind of task, e.g. probation.initial_appointment")
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    subject_type: SubjectType
    subject_id: str = Field(min_length=1, max_length=64)
    owner_type: OwnerType
    owner_id: int = Field(gt=0)
    due_date: date | None = None
    due_in_working_days: int | None = Field(
        default=None, ge=0, le=500, description="Statutory period: due this many working days after due_from"
    )
    due_from: date | None = Field(default=None, description="Start of the statutory period (default today)")
    priority: Priority = Priority.NORMAL
    team_id: int | None = Field(default=None, gt=0, description="Team queue of a task owned by one member of staff")
    unit_id: int | None = Field(default=None, gt=0, description="Unit queue of a task owned by one member of staff")


class TaskReassign(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"owner_type": "team", "owner_id": 41, "reason": "Practitioner on leave; back to the team queue"}
            ]
        },
        extra="forbid",
    )

    owner_type: OwnerType
    owner_id: int = Field(gt=0)
    reason: str | None = Field(default=None, max_length=500)


class TaskComplete(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"outcome": "First appointment booked for 13 March 2026 at 10:00, Barking probation office"}]
        },
        extra="forbid",
    )

    outcome: str = Field(min_length=1, max_length=2000)


TASK_EXAMPLE: dict[str, Any] = {
    "id": 20871,
    "type": "probation.initial_appointment",
    "title": "Arrange the first supervision appointment",
    "description": "Community order made at Westminster Magistrates' Court on 10 March 2026",
    "subject_type": "person",
    "subject_id": "4211",
    "owner_type": "staff",
    "owner_id": 77,
    "team_id": 41,
    "unit_id": 301,
    "due_date": "2026-03-15",
    "due_basis": "5 working days from 2026-03-10",
    "priority": 2,
    "status": "open",
    "overdue": False,
    "outcome": None,
    "completed_at": None,
    "created_by": "caselink:courts.sentence_handoff",
    "created_at": "2026-03-10T14:06:00Z",
}


class TaskOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [TASK_EXAMPLE]},
        from_attributes=True,
    )

    id: int
    type: str
    title: str
    description: str | None
    subject_type: SubjectType
    subject_id: str
    owner_type: OwnerType
    owner_id: int
    team_id: int | None
    unit_id: int | None
    due_date: date | None
    due_basis: str | None
    priority: Priority
    status: TaskStatus
    overdue: bool
    outcome: str | None
    completed_at: datetime | None
    created_by: str
    created_at: datetime


class TaskPageOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 20871,
                            "type": "probation.initial_appointment",
                            "title": "Arrange the first supervision appointment",
                            "description": "Community order made at Westminster Magistrates' Court on 10 March 2026",
                            "subject_type": "person",
                            "subject_id": "4211",
                            "owner_type": "staff",
                            "owner_id": 77,
                            "team_id": 41,
                            "unit_id": 301,
                            "due_date": "2026-03-15",
                            "due_basis": "5 working days from 2026-03-10",
                            "priority": 2,
                            "status": "open",
                            "overdue": False,
                            "outcome": None,
                            "completed_at": None,
                            "created_by": "caselink:courts.sentence_handoff",
                            "created_at": "2026-03-10T14:06:00Z",
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                }
            ]
        }
    )

    items: list[TaskOut]
    page: int
    page_size: int
    total: int


class HistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    actor: str
    from_owner_type: str | None
    from_owner_id: int | None
    to_owner_type: str | None
    to_owner_id: int | None
    note: str | None


class TaskDetailOut(TaskOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **TASK_EXAMPLE,
                    "history": [
                        {
                            "at": "2026-03-10T14:06:00Z",
                            "action": "created",
                            "actor": "caselink:courts.sentence_handoff",
                            "from_owner_type": None,
                            "from_owner_id": None,
                            "to_owner_type": "staff",
                            "to_owner_id": 77,
                            "note": None,
                        }
                    ],
                }
            ]
        }
    )

    history: list[HistoryOut]
