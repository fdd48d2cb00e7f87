"""Outbox tables: events, which handlers want which types, and one delivery row per (event, handler)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
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
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class OutboxEvent(Base):
    """A domain event, written in the same transaction as the change it describes (CloudEvents 1.0)."""

    __tablename__ = "events"

    # Relay order. Per ordering key it is also commit order: emit() serialises writers of one key.
    position: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)  # CloudEvents "id"
    specversion: Mapped[str] = mapped_column(String(8), default="1.0")
    source: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(120), index=True)  # e.g. court.sentence.imposed
    subject: Mapped[str] = mapped_column(String(200))
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    datacontenttype: Mapped[str] = mapped_column(String(64), default="application/json")
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Extensions: the person's identifiers ({"person": "42", "crn": "X123456"}), a URL for the
    # detail (which applies access control), and the version of the data's shape.
    person_ids: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    detail_url: Mapped[str | None] = mapped_column(String(500))
    dataversion: Mapped[int] = mapped_column(Integer, default=1)
    ordering_key: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_events_ordering_key_position", "ordering_key", "position"),
        Index("ix_events_time", "time"),
    )


class EventSubscription(Base):
    """Which handler wants which event types (patterns like ``court.*``). Written by the relay from
    its registry when it starts, read by emit() to fan out deliveries in the writer's transaction."""

    __tablename__ = "event_subscriptions"

    handler: Mapped[str] = mapped_column(String(120), primary_key=True)
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(120)))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EventDelivery(Base):
    """One event for one handler: pending until the handler's work commits with it, or dead after
    too many failures (kept with the reason until an administrator replays it)."""

    __tablename__ = "event_deliveries"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_position: Mapped[int] = mapped_column(BigInteger, ForeignKey("events.position", ondelete="CASCADE"))
    handler: Mapped[str] = mapped_column(String(120))
    ordering_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dead_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replay_count: Mapped[int] = mapped_column(Integer, default=0)
    replayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replayed_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("event_position", "handler", name="uq_event_deliveries_event_handler"),
        # The relay's scan: pending deliveries in event order.
        Index(
            "ix_event_deliveries_pending",
            "event_position",
            postgresql_where=text("status = 'pending'"),
        ),
        # "Is an earlier delivery of this person to this handler still waiting to be retried?"
        Index(
            "ix_event_deliveries_pending_key",
            "handler",
            "ordering_key",
            "event_position",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_event_deliveries_dead", "dead_at", postgresql_where=text("status = 'dead'")),
        Index("ix_event_deliveries_status_handler", "status", "handler"),
    )
