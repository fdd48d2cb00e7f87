"""Assessments of risk and needs: one row per assessment (versioned per person by ``sequence``),
and an append-only history of every action with a snapshot of the content at that moment.

Shared by prison and probation: an assessment belongs to the person, not to a case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class Assessment(Base):
    """``status``: draft -> submitted -> (countersigned ->) completed (rules.AssessmentStatus).
    RoSH levels are rules.RoshLevel values; ``needs`` maps rules.NeedSection to a score 0-2."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("persons.id"))
    sequence: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... per person
    status: Mapped[str] = mapped_column(String(16), default="draft")
    author_staff_id: Mapped[int] = mapped_column(Integer, ForeignKey("staff.id"))
    author_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("organisation_units.id"))
    rosh_public: Mapped[str | None] = mapped_column(String(10))
    rosh_known_adult: Mapped[str | None] = mapped_column(String(10))
    rosh_children: Mapped[str | None] = mapped_column(String(10))
    rosh_staff: Mapped[str | None] = mapped_column(String(10))
    rosh_prisoners: Mapped[str | None] = mapped_column(String(10))
    # Likelihood of proven reoffending within two years, percent (an OGRS-like score).
    reoffending_score: Mapped[int | None] = mapped_column(SmallInteger)
    needs: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    summary: Mapped[str | None] = mapped_column(Text)
    countersignature_required: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    countersigned_by_staff_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("staff.id"))
    countersigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("person_id", "sequence", name="uq_assessments_person_sequence"),
        CheckConstraint("status IN ('draft', 'submitted', 'countersigned', 'completed')", name="status"),
        CheckConstraint("reoffending_score BETWEEN 0 AND 100", name="reoffending_score"),
        CheckConstraint(
            "countersigned_by_staff_id IS NULL OR countersigned_by_staff_id <> author_staff_id",
            name="countersigner_not_author",
        ),
        # The latest completed assessment of a person (drives tier).
        Index(
            "ix_assessments_latest_completed",
            "person_id",
            "completed_at",
            postgresql_where=text("status = 'completed'"),
        ),
        # The countersigning queue.
        Index(
            "ix_assessments_awaiting_countersignature",
            "submitted_at",
            postgresql_where=text("status = 'submitted' AND countersignature_required"),
        ),
    )


class AssessmentHistory(Base):
    """Append-only: who did what to an assessment, when, and what it said at that moment."""

    __tablename__ = "assessment_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("assessments.id"), index=True)
    action: Mapped[str] = mapped_column(
        String(24)
    )  # created | updated | submitted | countersigned | returned | completed
    actor: Mapped[str] = mapped_column(String(200))
    actor_staff_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("clock_timestamp()"))
