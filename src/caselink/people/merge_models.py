"""Merges of duplicate person records, kept for ever: who merged which record into which, why,
and exactly which rows were re-pointed (so an unmerge moves back those rows and only those)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class PersonMerge(Base):
    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    merged_by: Mapped[str] = mapped_column(String(200))  # the actor's audit label
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # {"<table>.<column>": [row ids re-pointed from merged_id to survivor_id], ...}
    moved: Mapped[dict[str, list[int]]] = mapped_column(JSONB, default=dict)
    # Rows changed besides re-pointing, with their old values: {"person_names.name_type": {"12": "PRIMARY"}}.
    changed: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(String(200))
    undo_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # A record is merged into at most one survivor at a time.
        Index("uq_person_merges_active_merged", "merged_id", unique=True, postgresql_where=text("undone_at IS NULL")),
    )
