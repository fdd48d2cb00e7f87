"""The audit table. Rows are inserted by ``service.record`` and sealed into the hash chain later by
``service.seal``; a trigger (migration 0003_audit) refuses every other UPDATE, any DELETE and TRUNCATE."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Identity, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # clock_timestamp, not now(): the moment of the act, not the start of its transaction.
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("clock_timestamp()"))
    actor_kind: Mapped[str] = mapped_column(String(16))  # staff | client | system | anonymous
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(200))  # "staff:jsmith", "client:nomis-sync"
    client_id: Mapped[int | None] = mapped_column(Integer)  # the API client behind the call, if any
    action: Mapped[str] = mapped_column(String(100))  # "person.read", "person.search", "audit.search"
    subject_type: Mapped[str | None] = mapped_column(String(50))  # "person", "case", "staff"
    subject_id: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16))  # allowed | refused | error
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # The chain: position, previous entry's hash and this entry's hash, set once when sealed.
    chain_seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    sealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("outcome IN ('allowed', 'refused', 'error')", name="outcome"),
        Index("ix_audit_events_subject", "subject_type", "subject_id", "occurred_at"),
        Index("ix_audit_events_actor_label", "actor_label", "occurred_at"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
        # The sealer's work list: only rows not yet in the chain.
        Index("ix_audit_events_unsealed", "id", postgresql_where=text("hash IS NULL")),
    )
