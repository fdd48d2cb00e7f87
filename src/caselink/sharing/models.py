"""Sharing tables: clients' subscriptions, webhook deliveries, the feed (commit-ordered), and the
per-person sharing log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
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
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class Subscription(Base):
    """An API client's wish to hear about event types (optionally only in some units or regions),
    by webhook (``webhook_url`` set) or by reading the feed (no URL)."""

    __tablename__ = "sharing_subscriptions"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)  # sub_<hex>: what clients see
    client_pk: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), index=True)
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(120)))
    unit_codes: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    region_codes: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    # Kept in clear: an HMAC needs the key itself. Shown to the client once, when made or rotated.
    secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(Base):
    """One event for one webhook subscription: pending until the receiver answers 2xx, dead after
    too many failures (with the reason) until an administrator replays it."""

    __tablename__ = "sharing_webhook_deliveries"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # The webhook-id header: the same for every attempt and replay of this message.
    message_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("sharing_subscriptions.id", ondelete="CASCADE"))
    event_position: Mapped[int] = mapped_column(BigInteger, ForeignKey("events.position", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|dead|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None] = mapped_column(SmallInteger)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dead_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replay_count: Mapped[int] = mapped_column(Integer, default=0)
    replayed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("subscription_id", "event_position", name="uq_sharing_webhook_deliveries_sub_event"),
        # The worker's scan: due pending deliveries.
        Index("ix_sharing_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_sharing_webhook_deliveries_status", "status", "id"),
        Index("ix_sharing_webhook_deliveries_subscription", "subscription_id", "id"),
        Index("ix_sharing_webhook_deliveries_event_position", "event_position"),
    )


class FeedEntry(Base):
    """The pull feed's order. ``seq`` is taken under one lock held to commit, so entries become
    visible in ``seq`` order and a reader's cursor never passes an entry still to commit."""

    __tablename__ = "sharing_feed"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_position: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("events.position", ondelete="CASCADE"), unique=True
    )
    event_type: Mapped[str] = mapped_column(String(120))
    unit_code: Mapped[str | None] = mapped_column(String(40))
    region_code: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FeedHorizon(Base):
    """One row: the feed's entries up to ``purged_through`` (a ``seq``) were removed by retention, so
    a cursor before it can no longer be served (the reader restarts from the oldest entry kept)."""

    __tablename__ = "sharing_feed_horizon"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False, server_default=text("1"))
    purged_through: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)


class SharingLogEntry(Base):
    """One event about a person that left Caselink: to which client, how, when. Append-only."""

    __tablename__ = "sharing_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(BigInteger)
    client_pk: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"))
    client_name: Mapped[str] = mapped_column(String(200))  # as it was when shared
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    event_type: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(16))  # webhook | feed
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_sharing_log_person", "person_id", "shared_at"),)


__all__ = ["FeedEntry", "FeedHorizon", "SharingLogEntry", "Subscription", "WebhookDelivery"]
