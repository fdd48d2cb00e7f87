"""Probation case tables: a case per community order, suspended sentence or licence, its
allocations to a practitioner (history) and its tier changes (history).

The supervision tables (appointments, contacts, requirements, enforcement, recall) live in
``supervision_models.py`` and refer to ``probation_cases.id``. Names here are stable: other
tables depend on them.
"""

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
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base

PERSONS = "persons.id"
UNITS = "organisation_units.id"
STAFF = "staff.id"
TEAMS = "teams.id"


class ProbationCase(Base):
    """One order or licence supervised by probation for one person.

    ``kind``: community_order | suspended_sentence | licence (rules.CaseKind).
    ``status``: unallocated -> allocated -> terminated (rules.CaseStatus).
    ``source_event_id`` makes creation from an event idempotent (one case per event).
    """

    __tablename__ = "probation_cases"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(PERSONS), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="unallocated")
    delivery_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey(UNITS))
    # How the delivery unit was chosen, in words ("postcode area CF -> Cardiff and the Vale").
    delivery_unit_basis: Mapped[str | None] = mapped_column(String(200))
    practitioner_staff_id: Mapped[int | None] = mapped_column(Integer, ForeignKey(STAFF))
    team_id: Mapped[int | None] = mapped_column(Integer, ForeignKey(TEAMS))
    allocated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    allocated_by: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    # Order end date, or licence expiry (LED) / top-up supervision expiry (TUSED) for a licence.
    end_date: Mapped[date | None] = mapped_column(Date)
    # The sentence as the court or prison described it: requirements with hours/days, the
    # suspended custodial term, licence dates. Supervision turns requirements into its own rows.
    sentence: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    source: Mapped[str] = mapped_column(String(24))  # court_sentence | custody_release | manual
    source_reference: Mapped[str | None] = mapped_column(String(64))  # court sentence id, booking id
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    court_name: Mapped[str | None] = mapped_column(String(200))
    # Tier (rules.Tier, e.g. "B2"); NULL until the first calculation.
    tier: Mapped[str | None] = mapped_column(String(2))
    tier_rule_version: Mapped[str | None] = mapped_column(String(80))
    tier_calculated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_appointment_due: Mapped[date | None] = mapped_column(Date)
    first_appointment_task_id: Mapped[int | None] = mapped_column(BigInteger)
    allocation_task_id: Mapped[int | None] = mapped_column(BigInteger)
    terminated_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(String(32))  # rules.TerminationReason
    termination_notes: Mapped[str | None] = mapped_column(Text)
    terminated_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("kind IN ('community_order', 'suspended_sentence', 'licence')", name="kind"),
        CheckConstraint("status IN ('unallocated', 'allocated', 'terminated')", name="status"),
        CheckConstraint(
            "status <> 'allocated' OR practitioner_staff_id IS NOT NULL", name="allocated_has_practitioner"
        ),
        # The practitioner's caseload (open cases by practitioner).
        Index(
            "ix_probation_cases_caseload",
            "practitioner_staff_id",
            "id",
            postgresql_where=text("status = 'allocated'"),
        ),
        # The delivery unit's unallocated queue, oldest first.
        Index(
            "ix_probation_cases_unallocated",
            "delivery_unit_id",
            "created_at",
            postgresql_where=text("status = 'unallocated'"),
        ),
    )


class ProbationAllocation(Base):
    """Every allocation of a case to a practitioner, kept as history."""

    __tablename__ = "probation_allocations"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("probation_cases.id"), index=True)
    staff_id: Mapped[int] = mapped_column(Integer, ForeignKey(STAFF))
    team_id: Mapped[int | None] = mapped_column(Integer, ForeignKey(TEAMS))
    allocated_by: Mapped[str] = mapped_column(String(200))
    allocated_by_staff_id: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    # What the allocating officer saw: the practitioner's caseload and workload points then.
    caseload_at_allocation: Mapped[int | None] = mapped_column(Integer)
    workload_points_at_allocation: Mapped[int | None] = mapped_column(Integer)
    allocated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProbationTierChange(Base):
    """Each change of a case's tier, with the inputs and the rule-pack version that produced it."""

    __tablename__ = "probation_tier_changes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("probation_cases.id"), index=True)
    from_tier: Mapped[str | None] = mapped_column(String(2))
    to_tier: Mapped[str] = mapped_column(String(2))
    trigger: Mapped[str] = mapped_column(String(64))  # case_created | assessment_completed | flag_changed
    rule_version: Mapped[str] = mapped_column(String(80))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
