"""Custody tables: expected arrivals, bookings (a person's period in a prison), movements with
reversals, sentence terms (the calculator's input) and release-date calculations.

A booking's prison is the caseload key: prison staff see the bookings and arrivals of their own
establishment only (docs/decisions/0024-custody-service.md).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base

PERSONS = "persons.id"
UNITS = "organisation_units.id"


class ExpectedArrival(Base):
    """Someone a prison should expect: remanded or sentenced to custody by a court (created from the
    court's event, at most once per event) or entered by hand."""

    __tablename__ = "custody_expected_arrivals"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(PERSONS), index=True)
    prison_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey(UNITS))
    reason: Mapped[str] = mapped_column(String(16))  # rules.ArrivalReason
    expected_on: Mapped[date] = mapped_column(Date)
    from_court: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="expected")  # expected | received | cancelled
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    booking_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("custody_bookings.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_custody_expected_arrivals_prison", "prison_unit_id", "status", "expected_on"),
        CheckConstraint("status IN ('expected', 'received', 'cancelled')", name="status"),
    )


class Booking(Base):
    """One period in custody, from reception to release. ``prison_unit_id`` follows transfers;
    ``out_reason`` is set while the person is out of the prison (at court, on temporary release)."""

    __tablename__ = "custody_bookings"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(PERSONS), index=True)
    prison_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey(UNITS))
    prison_number: Mapped[str] = mapped_column(String(7))
    legal_status: Mapped[str] = mapped_column(String(16))  # rules.LegalStatus
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | released
    location: Mapped[str | None] = mapped_column(String(60))  # wing/landing/cell as the prison writes it
    out_reason: Mapped[str | None] = mapped_column(String(32))  # court_production | temporary_release
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        # The roll: who is in a prison, by location.
        Index("ix_custody_bookings_roll", "prison_unit_id", "location", postgresql_where=text("status = 'active'")),
        # The unallocated prisoners list (offender management): active bookings in reception order.
        Index(
            "ix_custody_bookings_active_received",
            "prison_unit_id",
            "received_at",
            "id",
            postgresql_where=text("status = 'active'"),
        ),
        # A person is in at most one prison at a time.
        Index("uq_custody_bookings_one_active", "person_id", unique=True, postgresql_where=text("status = 'active'")),
        CheckConstraint("status IN ('active', 'released')", name="status"),
    )


class Movement(Base):
    """A movement of a booked person. A reversal (a movement recorded in error, common within
    minutes) marks the row reversed and undoes its effect; its event is published only once the
    hold-back has passed without a reversal (``publish_after``)."""

    __tablename__ = "custody_movements"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    booking_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("custody_bookings.id"), index=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(PERSONS))
    kind: Mapped[str] = mapped_column(String(32))  # rules.MovementKind
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    from_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey(UNITS))
    to_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey(UNITS))
    # Before-state needed to reverse it (location, legal status) and facts for its event (licence dates).
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    publish_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: no event
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reversed_by: Mapped[str | None] = mapped_column(String(200))
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        # The publisher's queue: held-back events that are due.
        Index(
            "ix_custody_movements_to_publish",
            "publish_after",
            postgresql_where=text("published_at IS NULL AND reversed_at IS NULL AND publish_after IS NOT NULL"),
        ),
    )


class SentenceTerm(Base):
    """One custodial term, the calculator's input: from the court's ``court.sentence.imposed`` event
    or entered by the prison. ``term_ref`` is the term's id in the calculation (``C123`` for the
    court's charge 123)."""

    __tablename__ = "custody_sentence_terms"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(PERSONS))
    term_ref: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # court | entered
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    sentence_date: Mapped[date] = mapped_column(Date)
    offence_date: Mapped[date] = mapped_column(Date)
    offence_date_assumed: Mapped[bool] = mapped_column(Boolean, default=False)  # the court did not give it
    length: Mapped[dict[str, int]] = mapped_column(JSONB)  # {"years", "months", "weeks", "days"}
    kind: Mapped[str] = mapped_column(String(8), default="sds")  # rules.SentenceKind
    extension: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    consecutive_to: Mapped[str | None] = mapped_column(String(32))
    flags: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("person_id", "term_ref", name="uq_custody_sentence_terms_person_ref"),)


class SentenceCredit(Base):
    """Remand and tagged-bail days credited against the person's sentences."""

    __tablename__ = "custody_sentence_credits"

    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(PERSONS), primary_key=True)
    remand_days: Mapped[int] = mapped_column(Integer, default=0)
    tagged_bail_days: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReleaseCalculation(Base):
    """A person's release dates as worked out (``calculated``) or set by hand (``override``, with a
    reason). Exactly one row per person is ``current``; earlier ones are the history."""

    __tablename__ = "custody_release_calculations"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(PERSONS))
    kind: Mapped[str] = mapped_column(String(16))  # calculated | override
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    input: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the terms and credit, as calculated
    dates: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # [{kind, date, steps, rule_pack}]
    rule_packs: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    release_date: Mapped[date] = mapped_column(Date)  # CRD or ARD (after any override)
    hdced: Mapped[date | None] = mapped_column(Date)
    licence_expiry: Mapped[date | None] = mapped_column(Date)
    sentence_expiry: Mapped[date] = mapped_column(Date)
    override_reason: Mapped[str | None] = mapped_column(Text)
    based_on_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("custody_release_calculations.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index(
            "uq_custody_release_calculations_current",
            "person_id",
            unique=True,
            postgresql_where=text("current"),
        ),
        Index("ix_custody_release_calculations_history", "person_id", "id"),
        # Upcoming releases: current calculations by release date.
        Index("ix_custody_release_calculations_release", "release_date", postgresql_where=text("current")),
        CheckConstraint("kind IN ('calculated', 'override')", name="kind"),
        CheckConstraint("kind <> 'override' OR override_reason IS NOT NULL", name="override_has_reason"),
    )


class OffenderManagerAllocation(Base):
    """A booking's prison offender manager (a member of staff of the prison with the
    prison_offender_manager role). The row with ``ended_at`` NULL is the current one; a
    reallocation ends it and adds another, so the rows are the allocation history."""

    __tablename__ = "custody_offender_manager_allocations"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    booking_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("custody_bookings.id"), index=True)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(PERSONS))
    prison_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey(UNITS))
    staff_id: Mapped[int] = mapped_column(Integer, ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    allocated_by: Mapped[str] = mapped_column(String(200))
    allocated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        # At most one current offender manager per booking.
        Index(
            "uq_custody_om_allocations_current",
            "booking_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        # An offender manager's list: their current allocations.
        Index("ix_custody_om_allocations_staff", "staff_id", postgresql_where=text("ended_at IS NULL")),
    )
