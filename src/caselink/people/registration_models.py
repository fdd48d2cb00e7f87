"""Tables of registrations (risk flags) and limited access on a person's record.

Nothing here is ever deleted: a registration is ended (``ended_on`` with a reason) and each
change is a row of ``person_registration_history``; an exclusion or restriction is lifted
(``lifted_at``), so "who could see this person on that day" can still be answered.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class RegistrationType(Base):
    """A kind of registration: seeded with the domain's own (RoSH, MAPPA, ...), more may be added.

    ``levels`` / ``categories`` list the allowed values when the type has them (RoSH level, MAPPA
    level and category); empty means the type takes none. ``agency`` is the agency whose staff
    manage it (None: any agency whose roles manage flags)."""

    __tablename__ = "registration_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    warns: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    review_months: Mapped[int] = mapped_column(Integer)
    agency: Mapped[str | None] = mapped_column(String(16))
    levels: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list, server_default=text("'{}'"))
    categories: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list, server_default=text("'{}'"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    sort_order: Mapped[int] = mapped_column(Integer, default=100, server_default=text("100"))


class PersonRegistration(Base):
    __tablename__ = "person_registrations"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("registration_types.code"))
    level: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    owner_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation_units.id"))
    start_date: Mapped[date] = mapped_column(Date)
    review_date: Mapped[date] = mapped_column(Date)
    review_task_id: Mapped[int | None] = mapped_column(BigInteger)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        # One live registration of each type per person: a new RoSH level is a review, not a second flag.
        Index(
            "uq_person_registrations_live_type",
            "person_id",
            "type_code",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
        ),
    )


class PersonRegistrationHistory(Base):
    """Append-only: one row per add, review and end, with what it set."""

    __tablename__ = "person_registration_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("person_registrations.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # added | reviewed | ended
    actor: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))


class PersonAccessLimit(Base):
    """An exclusion (the listed staff may not see the person) or a restriction (only they may).

    Active from ``starts_at`` until ``ends_at`` (None: open-ended) unless lifted earlier."""

    __tablename__ = "person_access_limits"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # caselink.platform.access.rules.LimitKind
    staff_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    message: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    # Shown in redacted search results as the officer to contact about the person.
    responsible_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    lift_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
