"""The person's timeline across agencies: one row per thing that happened to the person, written
by the people.timeline event handler (from every context's events) or directly by a context.

Read newest first per person, so the index is (person_id, occurred_at DESC, id DESC).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String, Text, Uuid, func, text
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class PersonTimelineEntry(Base):
    __tablename__ = "person_timeline"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Who the entry comes from: an organisations.rules.Agency value, or "caselink" for the index itself.
    agency: Mapped[str] = mapped_column(String(16))
    # The event type it came from (court.sentence.imposed), or the writer's own type for direct entries.
    entry_type: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A page within Caselink (never an API URL or another site); None when no page shows the detail.
    link: Mapped[str | None] = mapped_column(String(500))
    # The event written, so a replayed or duplicated delivery writes nothing twice; a direct writer
    # may pass its own key. None for direct entries that need no idempotency.
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    # A platform.access.rules.DataPurpose value for sensitive entries (filtered by access later);
    # None for ordinary case data.
    purpose: Mapped[str | None] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_person_timeline_person_occurred", "person_id", text("occurred_at DESC"), text("id DESC")),
    )
