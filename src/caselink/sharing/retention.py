"""Sharing's retention steps (run by platform/retention.py, before the outbox's own):

- webhook deliveries delivered more than CASELINK_RETENTION_DELIVERED_DAYS ago, and cancelled ones
  made that long ago (pending and dead ones are never purged: a dead letter stays until an
  administrator replays it and it is delivered);
- feed entries recorded more than CASELINK_RETENTION_FEED_DAYS ago, always a prefix of the feed (the
  oldest first, stopping at the first younger entry), with the highest ``seq`` removed kept in
  ``sharing_feed_horizon``: a reader whose cursor is before it is told to start again from the
  oldest entry kept (410 problem), rather than silently skipping what was removed.

The sharing log (what left Caselink about whom) is a record, not a queue, and is not purged here.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.platform.retention import RetentionPolicy, delete_in_batches, register_purge
from caselink.sharing.models import FeedHorizon

_DONE_DELIVERIES = (
    "(status = 'delivered' AND delivered_at < :cutoff) OR (status = 'cancelled' AND created_at < :cutoff)"
)


async def purge_webhook_deliveries(
    sessionmaker: async_sessionmaker[AsyncSession], policy: RetentionPolicy, dry_run: bool
) -> int:
    cutoff = policy.cutoff(policy.delivered_days)
    if cutoff is None:
        return 0
    return await delete_in_batches(
        sessionmaker,
        f"SELECT count(*) FROM sharing_webhook_deliveries WHERE {_DONE_DELIVERIES}",
        f"""
        DELETE FROM sharing_webhook_deliveries WHERE id IN (
            SELECT id FROM sharing_webhook_deliveries WHERE {_DONE_DELIVERIES}
            ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED
        ) RETURNING id
        """,
        {"cutoff": cutoff},
        policy.batch_size,
        dry_run,
    )


# One batch: the oldest :batch entries, cut at the first one young enough to keep; the horizon moves
# to the highest seq removed in the same statement (so it is never behind what is gone).
_FEED_DELETE = """
    WITH head AS (
        SELECT seq, recorded_at FROM sharing_feed ORDER BY seq LIMIT :batch
    ), keep_from AS (
        SELECT coalesce(min(seq), 9223372036854775807) AS seq FROM head WHERE recorded_at >= :cutoff
    ), gone AS (
        DELETE FROM sharing_feed f USING head h
        WHERE f.seq = h.seq AND h.seq < (SELECT seq FROM keep_from)
        RETURNING f.seq
    ), horizon AS (
        INSERT INTO sharing_feed_horizon (id, purged_through, purged_at)
        SELECT 1, max(seq), now() FROM gone HAVING count(*) > 0
        ON CONFLICT (id) DO UPDATE
        SET purged_through = greatest(sharing_feed_horizon.purged_through, excluded.purged_through),
            purged_at = excluded.purged_at
    )
    SELECT seq FROM gone
"""


async def purge_feed(sessionmaker: async_sessionmaker[AsyncSession], policy: RetentionPolicy, dry_run: bool) -> int:
    cutoff = policy.cutoff(policy.feed_days)
    if cutoff is None:
        return 0
    return await delete_in_batches(
        sessionmaker,
        "SELECT count(*) FROM sharing_feed WHERE recorded_at < :cutoff",
        _FEED_DELETE,
        {"cutoff": cutoff},
        policy.batch_size,
        dry_run,
    )


async def feed_horizon(db: AsyncSession) -> int:
    """The highest feed ``seq`` retention has removed (0: nothing removed)."""
    return int(await db.scalar(select(func.coalesce(func.max(FeedHorizon.purged_through), 0))) or 0)


register_purge("webhook deliveries", purge_webhook_deliveries, order=100)
register_purge("feed entries", purge_feed, order=110)
