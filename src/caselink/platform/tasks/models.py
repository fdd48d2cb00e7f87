"""Work-queue tables: tasks and each task's history (creation, reassignments, status changes)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))  # e.g. probation.initial_appointment
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    subject_type: Mapped[str] = mapped_column(String(16))  # person | case
    subject_id: Mapped[str] = mapped_column(String(64))
    # The owner: a member of staff (no foreign key: staff belong to accounts), a team or a unit.
    owner_type: Mapped[str] = mapped_column(String(16))  # staff | team | unit
    owner_id: Mapped[int] = mapped_column(Integer)
    # The queues the task sits in: kept when it is allocated to one member of the team, so the team
    # and unit managers still see it.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_units.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    due_basis: Mapped[str | None] = mapped_column(String(200))  # "5 working days from 2026-03-02"
    priority: Mapped[int] = mapped_column(SmallInteger, default=3)  # rules.Priority
    status: Mapped[str] = mapped_column(String(16), default="open")  # rules.TaskStatus
    outcome: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[str | None] = mapped_column(String(200))  # actor audit label
    created_by: Mapped[str] = mapped_column(String(200))  # "staff:jsmith", "system:handler-name"
    created_by_staff_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Set by services and event handlers so that a task is created once however often they run.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))

    __table_args__ = (
        CheckConstraint("subject_type IN ('person', 'case')", name="subject_type"),
        CheckConstraint("owner_type IN ('staff', 'team', 'unit')", name="owner_type"),
        CheckConstraint("status IN ('open', 'in_progress', 'completed', 'cancelled')", name="status"),
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority"),
        CheckConstraint("status <> 'completed' OR outcome IS NOT NULL", name="completed_has_outcome"),
        # My work: active tasks of an owner, by due date.
        Index(
            "ix_tasks_active_owner",
            "owner_type",
            "owner_id",
            "due_date",
            postgresql_where=text("status IN ('open', 'in_progress')"),
        ),
        Index(
            "ix_tasks_active_team", "team_id", "due_date", postgresql_where=text("status IN ('open', 'in_progress')")
        ),
        Index(
            "ix_tasks_active_unit", "unit_id", "due_date", postgresql_where=text("status IN ('open', 'in_progress')")
        ),
        Index("ix_tasks_subject", "subject_type", "subject_id"),
    )


class TaskHistory(Base):
    __tablename__ = "task_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("clock_timestamp()"))
    action: Mapped[str] = mapped_column(String(32))  # created | reassigned | started | completed | cancelled
    actor: Mapped[str] = mapped_column(String(200))
    from_owner_type: Mapped[str | None] = mapped_column(String(16))
    from_owner_id: Mapped[int | None] = mapped_column(Integer)
    to_owner_type: Mapped[str | None] = mapped_column(String(16))
    to_owner_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
