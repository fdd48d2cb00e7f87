"""Court tables: hearings (listed, re-listed, adjourned, heard), pleas and outcomes per charge,
remand decisions and sentences per defendant, and one finalisation row per defendant that the
outcome measures read.

Codes are kept twice where the standing data has them: the CJS code as entered (``plea_code``,
``result_code``) beside the normalised enum value Caselink reasons with (``plea``, ``outcome``).
"""

from __future__ import annotations

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
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base

# The prosecution context's tables the court's records hang from.
CASES = "prosecution_cases.id"
DEFENDANTS = "defendants.id"
CHARGES = "charges.id"


class CourtHearing(Base):
    """One listing of a case at a court. Re-listing vacates this row and lists a new one
    (``relisted_from_id``), so every date a case was listed for stays visible."""

    __tablename__ = "court_hearings"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CASES), index=True)
    court_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation_units.id"))
    # Copied from the case when listed: the measures group by CPS area without a join per row.
    cps_area_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_units.id"))
    court_type: Mapped[str] = mapped_column(String(16))  # courts.rules.CourtType
    hearing_type_code: Mapped[str] = mapped_column(String(16))  # standing data type-of-hearing
    hearing_type: Mapped[str] = mapped_column(String(16))  # courts.rules.HearingType (readiness)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sitting_date: Mapped[date] = mapped_column(Date)  # the London date of starts_at
    courtroom: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="listed")  # courts.rules.HearingStatus
    relisted_from_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("court_hearings.id"))
    adjournment_reason: Mapped[str | None] = mapped_column(String(32))
    trial_effectiveness: Mapped[str | None] = mapped_column(String(16))
    trial_reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        # The court's daily list: one court, one day, by courtroom and time.
        Index("ix_court_hearings_daily_list", "court_unit_id", "sitting_date", "courtroom", "starts_at"),
        # Trial effectiveness for the outcome measures, by area and day.
        Index(
            "ix_court_hearings_trials_by_area",
            "cps_area_unit_id",
            "sitting_date",
            postgresql_where=text("trial_effectiveness IS NOT NULL"),
        ),
        CheckConstraint("status IN ('listed', 'heard', 'adjourned', 'vacated')", name="status"),
    )


class CourtPlea(Base):
    __tablename__ = "court_pleas"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    hearing_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("court_hearings.id"))
    charge_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CHARGES), index=True)
    plea_code: Mapped[str] = mapped_column(String(8))  # standing data plea-status
    plea: Mapped[str] = mapped_column(String(16))  # courts.rules.Plea
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("hearing_id", "charge_id", name="uq_court_pleas_hearing_charge"),)


class CourtChargeOutcome(Base):
    """How a charge ended. One per charge: a charge with an outcome is no longer before the court."""

    __tablename__ = "court_charge_outcomes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    charge_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CHARGES), unique=True)
    defendant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(DEFENDANTS), index=True)
    hearing_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("court_hearings.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(32))  # courts.rules.ChargeOutcome
    reason: Mapped[str | None] = mapped_column(String(32))  # courts.rules.DiscontinuanceReason
    verdict_code: Mapped[str] = mapped_column(String(4))  # standing data verdict
    result_code: Mapped[str | None] = mapped_column(String(8))  # standing data result-code, where one fits
    decided_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CourtRemand(Base):
    """The court's remand decision for a defendant at a hearing (custody time limits count these)."""

    __tablename__ = "court_remands"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    hearing_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("court_hearings.id"))
    defendant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(DEFENDANTS), index=True)
    decision: Mapped[str] = mapped_column(String(40))  # courts.rules.RemandDecision
    status_code: Mapped[str] = mapped_column(String(4))  # standing data remand-status
    result_code: Mapped[str | None] = mapped_column(String(8))
    decided_on: Mapped[date] = mapped_column(Date)
    conditions: Mapped[str | None] = mapped_column(Text)  # conditional bail: the conditions
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("hearing_id", "defendant_id", name="uq_court_remands_hearing_defendant"),)


class CourtSentence(Base):
    """Everything imposed on one defendant at one hearing. ``disposals`` holds the full terms in
    the shape of ``schemas.SentenceIn`` (validated by courts.rules before it is stored)."""

    __tablename__ = "court_sentences"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    hearing_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("court_hearings.id"))
    defendant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(DEFENDANTS), index=True)
    sentenced_on: Mapped[date] = mapped_column(Date)
    disposals: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    result_codes: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    rule_pack: Mapped[str] = mapped_column(String(64))  # the sentencing-limits version applied
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("hearing_id", "defendant_id", name="uq_court_sentences_hearing_defendant"),)


class CourtFinalisation(Base):
    """A defendant whose every charge has an outcome: the row the outcome measures count
    (courts.rules / prosecution.rules FinalisedDefendant)."""

    __tablename__ = "court_finalisations"

    defendant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(DEFENDANTS), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(CASES), index=True)
    cps_area_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_units.id"))
    court_type: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))  # the defendant's outcome (principal charge)
    charged_on: Mapped[date] = mapped_column(Date)
    finalised_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_court_finalisations_area_day", "cps_area_unit_id", "finalised_on"),)
