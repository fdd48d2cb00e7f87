"""Retention: old rows that have done their job are deleted, in small batches, by the background
worker (``caselink worker``, every CASELINK_RETENTION_INTERVAL_SECONDS) or by hand
(``caselink retention run [--dry-run]``).

What goes, oldest first, each step in batches of CASELINK_RETENTION_BATCH_SIZE rows per statement
(one short transaction each, so no lock is held for long and other work interleaves):
- steps registered by contexts (``register_purge``): sharing purges delivered and cancelled webhook
  deliveries and the oldest feed entries;
- handler deliveries (``event_deliveries``) delivered more than CASELINK_RETENTION_DELIVERED_DAYS ago;
- outbox events older than that which nothing refers to any more: no handler delivery (so none
  pending, none dead) and no row of any other table with a foreign key to the event (a webhook
  delivery not yet purged, a feed entry). An event some handler or subscription has not yet had is
  therefore never deleted, and dead letters stay until they are replayed and delivered;
- idempotency keys past their lifetime.

Each run that deletes something writes one audit entry (a system action) with the counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.config import Settings
from caselink.platform.access.actor import Actor, ActorKind

log = logging.getLogger("caselink.retention")

RETENTION_ACTOR = Actor(kind=ActorKind.SYSTEM, name="caselink-retention")


@dataclass(frozen=True)
class RetentionPolicy:
    """Days to keep; 0 keeps for ever. ``now`` stands in for the clock (tests)."""

    delivered_days: int = 90
    feed_days: int = 90
    batch_size: int = 5000
    now: datetime | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(
            delivered_days=settings.retention_delivered_days,
            feed_days=settings.retention_feed_days,
            batch_size=settings.retention_batch_size,
        )

    def cutoff(self, days: int) -> datetime | None:
        """Rows older than this go; None: keep for ever."""
        if days <= 0:
            return None
        return (self.now or datetime.now(UTC)) - timedelta(days=days)


@dataclass
class RetentionReport:
    """Rows deleted (or, in a dry run, that would be) per kind."""

    counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        return [f"{name}: {verb} {count}" for name, count in self.counts.items()]


# A step deletes (or counts, when dry_run) one kind of row, in batches, committing after each batch.
PurgeStep = Callable[[async_sessionmaker[AsyncSession], RetentionPolicy, bool], Awaitable[int]]


@dataclass(frozen=True)
class Purge:
    name: str
    run: PurgeStep
    order: int


_purges: list[Purge] = []


def register_purge(name: str, run: PurgeStep, order: int = 100) -> None:
    """Contexts add purge steps here (from their handlers module). Lower ``order`` runs first;
    context steps run before the outbox's own (order 1000+), so an event is deleted only after the
    rows that refer to it."""
    if all(p.name != name for p in _purges):
        _purges.append(Purge(name, run, order))


async def delete_in_batches(
    sessionmaker: async_sessionmaker[AsyncSession],
    select_sql: str,
    delete_sql: str,
    params: dict[str, Any],
    batch_size: int,
    dry_run: bool,
) -> int:
    """Run DELETE_SQL (which must delete at most :batch rows chosen like SELECT_SQL and RETURN one
    column) until it deletes fewer than a batch, committing each batch; in a dry run, count the rows
    SELECT_SQL (a ``SELECT count(*)``) finds instead. Returns the number of rows."""
    if dry_run:
        async with sessionmaker() as db:
            return int((await db.execute(text(select_sql), params)).scalar_one())
    total = 0
    while True:
        async with sessionmaker() as db:
            deleted = len((await db.execute(text(delete_sql), {**params, "batch": batch_size})).all())
            await db.commit()
        total += deleted
        if deleted < batch_size:
            return total


# -- the outbox's own steps ---------------------------------------------------------------------


async def purge_handler_deliveries(
    sessionmaker: async_sessionmaker[AsyncSession], policy: RetentionPolicy, dry_run: bool
) -> int:
    cutoff = policy.cutoff(policy.delivered_days)
    if cutoff is None:
        return 0
    where = "status = 'delivered' AND delivered_at < :cutoff"
    return await delete_in_batches(
        sessionmaker,
        f"SELECT count(*) FROM event_deliveries WHERE {where}",
        f"""
        DELETE FROM event_deliveries WHERE id IN (
            SELECT id FROM event_deliveries WHERE {where} ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED
        ) RETURNING id
        """,
        {"cutoff": cutoff},
        policy.batch_size,
        dry_run,
    )


def _unreferenced_condition() -> str:
    """No row of any table refers to the event: built from the models' foreign keys to events, so a
    table a context adds later keeps its events alive without this module knowing it."""
    from caselink.db.models import metadata

    events = metadata.tables["events"]
    conditions = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is events and fk.column.name == "position":
                conditions.append(f"NOT EXISTS (SELECT 1 FROM {table.name} r WHERE r.{fk.parent.name} = e.position)")
    return " AND ".join(sorted(conditions)) or "TRUE"


async def purge_events(sessionmaker: async_sessionmaker[AsyncSession], policy: RetentionPolicy, dry_run: bool) -> int:
    cutoff = policy.cutoff(policy.delivered_days)
    if cutoff is None:
        return 0
    # `time` narrows through its index; `recorded_at` is when Caselink actually wrote it.
    where = f"e.time < :cutoff AND e.recorded_at < :cutoff AND {_unreferenced_condition()}"
    return await delete_in_batches(
        sessionmaker,
        f"SELECT count(*) FROM events e WHERE {where}",
        f"""
        DELETE FROM events WHERE position IN (
            SELECT e.position FROM events e WHERE {where}
            ORDER BY e.position LIMIT :batch FOR UPDATE SKIP LOCKED
        ) RETURNING position
        """,
        {"cutoff": cutoff},
        policy.batch_size,
        dry_run,
    )


async def purge_idempotency_keys(
    sessionmaker: async_sessionmaker[AsyncSession], policy: RetentionPolicy, dry_run: bool
) -> int:
    from caselink.platform.idempotency import KEY_LIFETIME

    cutoff = (policy.now or datetime.now(UTC)) - KEY_LIFETIME
    return await delete_in_batches(
        sessionmaker,
        "SELECT count(*) FROM idempotency_keys WHERE created_at < :cutoff",
        """
        DELETE FROM idempotency_keys WHERE id IN (
            SELECT id FROM idempotency_keys WHERE created_at < :cutoff
            ORDER BY created_at LIMIT :batch FOR UPDATE SKIP LOCKED
        ) RETURNING id
        """,
        {"cutoff": cutoff},
        policy.batch_size,
        dry_run,
    )


register_purge("handler deliveries", purge_handler_deliveries, order=1000)
register_purge("outbox events", purge_events, order=1010)
register_purge("idempotency keys", purge_idempotency_keys, order=1020)


def registered_purges() -> list[Purge]:
    return sorted(_purges, key=lambda p: p.order)


# -- running it ---------------------------------------------------------------------------------


async def run_retention(
    sessionmaker: async_sessionmaker[AsyncSession], policy: RetentionPolicy, *, dry_run: bool = False
) -> RetentionReport:
    """Every registered step in order; one audit entry for the run when anything was deleted."""
    from caselink.platform.audit.service import record

    report = RetentionReport(dry_run=dry_run)
    for purge in registered_purges():
        report.counts[purge.name] = await purge.run(sessionmaker, policy, dry_run)
    if not dry_run and report.total:
        async with sessionmaker() as db:
            await record(
                db,
                RETENTION_ACTOR,
                "retention.purge",
                "retention",
                None,
                detail={
                    "deleted": report.counts,
                    "delivered_days": policy.delivered_days,
                    "feed_days": policy.feed_days,
                },
            )
            await db.commit()
        log.info("retention purge", extra={"deleted": report.counts})
    return report


async def run_retention_job(
    sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event, settings: Settings | None = None
) -> None:
    """The worker's job: a purge every CASELINK_RETENTION_INTERVAL_SECONDS (the first a minute after
    start, so a restart loop does not purge in a loop). Several workers may run it at once: each
    batch claims its rows with SKIP LOCKED."""
    settings = settings or Settings.from_env()
    policy = RetentionPolicy.from_settings(settings)
    wait: float = min(60, settings.retention_interval_seconds)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)
        if stop.is_set():
            break
        try:
            await run_retention(sessionmaker, policy)
        except Exception:
            log.exception("retention purge failed; will retry at the next interval")
        wait = settings.retention_interval_seconds
