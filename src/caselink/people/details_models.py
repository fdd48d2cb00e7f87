"""The history of changes to a person's details: one row per field changed, kept for ever.

Written only by caselink.people.details. ``kind`` says what part of the record changed
(DETAILS, ADDRESS, ALIAS, CONTACT); ``field`` which field (``family_name``, ``address``,
``contact``...); ``old_value`` and ``new_value`` are the values as shown to people (an address as
one line, a date in ISO form), empty when the thing was added or removed.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class ChangeKind(enum.StrEnum):
    DETAILS = "DETAILS"
    ADDRESS = "ADDRESS"
    ALIAS = "ALIAS"
    CONTACT = "CONTACT"


class PersonChange(Base):
    __tablename__ = "person_changes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # ChangeKind
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200))  # the actor's audit label
    changed_by_id: Mapped[int | None] = mapped_column(BigInteger)
    # Transaction time: every field changed by one request shares it.
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_person_changes_person_id_changed_at", "person_id", "changed_at", "id"),)
