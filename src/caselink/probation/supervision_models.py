"""Supervision tables: sentence plan objectives, requirements with their progress, licence
conditions, unpaid work sessions, contacts (appointments) with outcomes, enforcement actions and
recalls. All hang off ``probation_cases`` (models.py, owned by the case part of probation).

Progress counters on ``probation_requirements`` (minutes worked, days used, sessions) are kept
in step with the contacts that credit them, under the requirement's row lock, so a check such as
"no more hours than ordered" cannot race with a second supervisor recording the same person.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base
from caselink.probation import models as _case_models  # noqa: F401  (probation_cases, for the foreign keys)

CASES = "probation_cases.id"
OUTCOMES_SQL = "('attended_complied', 'attended_failed_to_comply', 'acceptable_absence', 'unacceptable_absence')"


class SentencePlanObjective(Base):
    __tablename__ = "probation_objectives"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CASES), index=True)
    need: Mapped[str] = mapped_column(String(60))  # criminogenic need area: accommodation, thinking ...
    objective: Mapped[str] = mapped_column(Text)
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | achieved | withdrawn
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("status IN ('open', 'achieved', 'withdrawn')", name="status"),)


class Requirement(Base):
    """A requirement of the order, made from the sentence the court passed (``kind`` is the courts'
    RequirementKind), with its progress."""

    __tablename__ = "probation_requirements"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CASES))
    position: Mapped[int] = mapped_column(Integer)  # order in the sentence
    kind: Mapped[str] = mapped_column(String(32))
    ordered_hours: Mapped[int] = mapped_column(Integer, default=0)  # unpaid work
    ordered_days: Mapped[int] = mapped_column(Integer, default=0)  # RAR days, programme sessions
    hours_per_day: Mapped[int] = mapped_column(Integer, default=0)  # curfew
    days_per_week: Mapped[int] = mapped_column(Integer, default=0)  # curfew
    ends_on: Mapped[date | None] = mapped_column(Date)  # curfew, exclusion, treatment
    detail: Mapped[str | None] = mapped_column(Text)  # programme name, exclusion zone
    minutes_worked: Mapped[int] = mapped_column(Integer, default=0)
    days_used: Mapped[int] = mapped_column(Integer, default=0)
    sessions_attended: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("case_id", "position", name="uq_probation_requirements_case_position"),
        CheckConstraint("minutes_worked <= ordered_hours * 60", name="hours_within_order"),
        CheckConstraint("minutes_worked >= 0 AND days_used >= 0 AND sessions_attended >= 0", name="progress"),
    )


class LicenceCondition(Base):
    __tablename__ = "probation_licence_conditions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CASES), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # standard | additional
    condition: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("kind IN ('standard', 'additional')", name="kind"),)


class UnpaidWorkSession(Base):
    """A group session on an unpaid work project, run by a supervisor of the unit."""

    __tablename__ = "probation_upw_sessions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("organisation_units.id"))
    project: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    supervisor_staff_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("staff.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_probation_upw_sessions_unit_day", "unit_id", "starts_at"),
    )


class Contact(Base):
    """An appointment or a contact with the person, and its outcome once it has happened.

    ``sensitive`` contacts (e.g. about a victim or a health matter) keep their notes from staff
    outside the case's supervision (the unpaid work supervisor, for instance)."""

    __tablename__ = "probation_contacts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CASES))
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("persons.id"))
    type: Mapped[str] = mapped_column(String(32))  # supervision_rules.ContactType
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str | None] = mapped_column(String(200))
    with_whom: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    requirement_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("probation_requirements.id"))
    upw_session_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("probation_upw_sessions.id"))
    outcome: Mapped[str | None] = mapped_column(String(32))  # supervision_rules.Outcome
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome_recorded_by: Mapped[str | None] = mapped_column(String(200))
    minutes_credited: Mapped[int] = mapped_column(Integer, default=0)  # unpaid work only
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(f"outcome IS NULL OR outcome IN {OUTCOMES_SQL}", name="outcome"),
        CheckConstraint("minutes_credited >= 0 AND minutes_credited <= 720", name="minutes_credited"),
        # A case's contacts, newest first (the contacts page) and its next appointment.
        Index("ix_probation_contacts_case_time", "case_id", "starts_at"),
        # Failures counted for enforcement: only a few rows per case.
        Index(
            "ix_probation_contacts_failures",
            "case_id",
            "starts_at",
            postgresql_where=text("outcome IN ('attended_failed_to_comply', 'unacceptable_absence')"),
        ),
        # One place per person on a group session.
        Index(
            "uq_probation_contacts_upw_place",
            "upw_session_id",
            "case_id",
            unique=True,
            postgresql_where=text("upw_session_id IS NOT NULL"),
        ),
    )


class EnforcementAction(Base):
    """What a failure led to (warning, breach action, recall review), with the rule-pack version."""

    __tablename__ = "probation_enforcement_actions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CASES), index=True)
    contact_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("probation_contacts.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # supervision_rules.EnforcementKind
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    failures_in_window: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[date] = mapped_column(Date)
    explanation: Mapped[str] = mapped_column(Text)
    rule_version: Mapped[str] = mapped_column(String(80))
    due_date: Mapped[date | None] = mapped_column(Date)
    task_id: Mapped[int | None] = mapped_column(BigInteger)
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(
            "kind IN ('warning', 'breach', 'recall_review', 'added_to_breach')",
            name="kind",
        ),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )


class Recall(Base):
    """A recall from recommendation to decision; the documents are printed from this row."""

    __tablename__ = "probation_recalls"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CASES), index=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("persons.id"))
    recall_type: Mapped[str] = mapped_column(String(16))  # standard | fixed_term
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))  # supervision_rules.RecallStatus
    unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("organisation_units.id"))
    recommended_by_staff_id: Mapped[int | None] = mapped_column(Integer)
    recommended_by: Mapped[str] = mapped_column(String(200))
    recommended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    countersigned_by_staff_id: Mapped[int | None] = mapped_column(Integer)
    countersigned_by: Mapped[str | None] = mapped_column(String(200))
    countersigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    countersign_notes: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_notes: Mapped[str | None] = mapped_column(Text)
    prison_code: Mapped[str | None] = mapped_column(String(16))  # where the person is expected back
    expected_arrival_id: Mapped[int | None] = mapped_column(BigInteger)
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (
        CheckConstraint("recall_type IN ('standard', 'fixed_term')", name="recall_type"),
        CheckConstraint(
            "status IN ('awaiting_countersignature', 'countersigned', 'rejected', 'recalled', 'not_recalled')",
            name="status",
        ),
        # At most one recall in progress per case.
        Index(
            "uq_probation_recalls_open",
            "case_id",
            unique=True,
            postgresql_where=text("status IN ('awaiting_countersignature', 'countersigned')"),
        ),
        # The senior officers' countersigning queue of a unit.
        Index("ix_probation_recalls_queue", "unit_id", "status", "recommended_at"),
    )
