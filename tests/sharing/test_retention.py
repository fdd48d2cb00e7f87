"""Retention on real PostgreSQL: old delivered rows go (in batches), anything not yet delivered stays,
a reader whose feed cursor was purged is told where to start again, and the purge is audited.

Old rows are made by setting their timestamps back. Everything happens inside the test's rolled-back
transaction (the retention steps get sessions on the test's connection), so rows other tests left in
the shared database are untouched."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from tests.sharing.sharing_helpers import api_user, publish, same_connection_sessions

from caselink.platform.events.models import OutboxEvent
from caselink.platform.retention import RetentionPolicy, run_retention
from caselink.sharing import retention as sharing_retention

OLD = datetime.now(UTC) - timedelta(days=120)


async def _position(db: AsyncSession, event_id: str) -> int:
    return int(await db.scalar(select(OutboxEvent.position).where(OutboxEvent.id == uuid.UUID(event_id))) or 0)


async def _make_old(db: AsyncSession, position: int) -> None:
    await db.execute(
        text("UPDATE events SET time = :old, recorded_at = :old WHERE position = :p"), {"old": OLD, "p": position}
    )
    await db.execute(
        text("UPDATE sharing_feed SET recorded_at = :old WHERE event_position = :p"), {"old": OLD, "p": position}
    )


async def _count(db: AsyncSession, sql: str, **params: object) -> int:
    return int((await db.execute(text(sql), params)).scalar_one())


async def test_retention_purges_old_delivered_rows_and_keeps_everything_undelivered(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await api_user(client, db, "events:read", "people:read")
    made = await client.post(
        "/api/v1/subscriptions",
        json={"event_types": ["people.*"], "webhook_url": "http://127.0.0.1:9/hooks"},
        headers=user.headers,
    )
    assert made.status_code == 201, made.text
    sub_id = await db.scalar(
        text("SELECT id FROM sharing_subscriptions WHERE public_id = :p"), {"p": made.json()["id"]}
    )

    done = [await _position(db, await publish(db, "people.person.created", person=900 + n)) for n in range(5)]
    pending_hook = await _position(db, await publish(db, "people.person.created", person=910))
    dead_hook = await _position(db, await publish(db, "people.person.created", person=911))
    pending_handler = await _position(db, await publish(db, "people.person.created", person=912))
    young = await _position(db, await publish(db, "people.person.created", person=913))
    old = [*done, pending_hook, dead_hook, pending_handler]

    # Everything in the feed up to our old events is old (a prefix); our young event is not.
    await db.execute(
        text("UPDATE sharing_feed SET recorded_at = :old WHERE event_position <= :p"), {"old": OLD, "p": max(old)}
    )
    for position in old:
        await _make_old(db, position)
    # Webhooks: the old ones delivered long ago, except one pending and one dead letter.
    await db.execute(
        text(
            """UPDATE sharing_webhook_deliveries SET status = 'delivered', delivered_at = :old
               WHERE event_position = ANY(:ps)"""
        ),
        {"old": OLD, "ps": [*done, pending_handler]},
    )
    await db.execute(
        text("UPDATE sharing_webhook_deliveries SET status = 'dead', dead_at = :old WHERE event_position = :p"),
        {"old": OLD, "p": dead_hook},
    )
    await db.execute(
        text(
            "UPDATE sharing_webhook_deliveries SET status = 'delivered', delivered_at = now() WHERE event_position = :p"
        ),
        {"p": young},
    )
    # Handlers: every delivery of the old events delivered long ago, except the one still pending.
    await db.execute(
        text(
            "INSERT INTO event_deliveries (event_position, handler, ordering_key, status, attempts, "
            "next_attempt_at, replay_count) VALUES (:p, 'test.retention', 'person:912', 'pending', 0, now(), 0)"
        ),
        {"p": pending_handler},
    )
    await db.execute(
        text("""UPDATE event_deliveries SET status = 'delivered', delivered_at = :old
                WHERE event_position = ANY(:ps) AND handler <> 'test.retention'"""),
        {"old": OLD, "ps": old},
    )
    # Idempotency keys: one expired, one current.
    for key, created in (("old-key", OLD), ("new-key", datetime.now(UTC))):
        await db.execute(
            text("""INSERT INTO idempotency_keys (actor, method, path, key, request_hash, created_at)
                    VALUES ('test-retention', 'POST', '/x', :k, 'h', :c)"""),
            {"k": key, "c": created},
        )
    await db.commit()

    sm = same_connection_sessions(db)
    policy = RetentionPolicy(delivered_days=90, feed_days=90, batch_size=2)  # small batches: several rounds

    dry = await run_retention(sm, policy, dry_run=True)
    assert dry.dry_run and dry.counts["webhook deliveries"] >= 6 and dry.counts["idempotency keys"] >= 1
    assert await _count(db, "SELECT count(*) FROM events WHERE position = ANY(:ps)", ps=done) == 5  # nothing gone

    report = await run_retention(sm, policy)
    assert report.counts["webhook deliveries"] >= 6 and report.counts["feed entries"] >= 8
    assert report.counts["outbox events"] >= 5 and report.counts["idempotency keys"] >= 1

    # Purged: the delivered events with all their rows.
    assert await _count(db, "SELECT count(*) FROM events WHERE position = ANY(:ps)", ps=done) == 0
    assert await _count(db, "SELECT count(*) FROM event_deliveries WHERE event_position = ANY(:ps)", ps=done) == 0
    assert await _count(db, "SELECT count(*) FROM sharing_feed WHERE event_position = ANY(:ps)", ps=old) == 0
    # Kept: events a subscription or handler has not had yet, their undelivered rows, the dead letter,
    # and the young event with everything about it.
    kept = [pending_hook, dead_hook, pending_handler, young]
    assert await _count(db, "SELECT count(*) FROM events WHERE position = ANY(:ps)", ps=kept) == 4
    statuses = dict(
        (
            await db.execute(
                text(
                    """SELECT event_position, status FROM sharing_webhook_deliveries
                   WHERE subscription_id = :s AND event_position = ANY(:ps)"""
                ),
                {"s": sub_id, "ps": kept},
            )
        ).all()
    )
    assert statuses == {pending_hook: "pending", dead_hook: "dead", young: "delivered"}
    assert (
        await _count(
            db,
            "SELECT count(*) FROM event_deliveries WHERE event_position = :p AND status = 'pending'",
            p=pending_handler,
        )
        == 1
    )
    assert await _count(db, "SELECT count(*) FROM sharing_feed WHERE event_position = :p", p=young) == 1
    keys = (await db.scalars(text("SELECT key FROM idempotency_keys WHERE actor = 'test-retention'"))).all()
    assert keys == ["new-key"]

    audit = (
        await db.execute(
            text("""SELECT actor_kind, detail FROM audit_events WHERE action = 'retention.purge'
                    ORDER BY id DESC LIMIT 1""")
        )
    ).one()
    assert audit.actor_kind == "system" and audit.detail["deleted"]["outbox events"] == report.counts["outbox events"]

    # Once the dead letter is replayed and delivered, and time passes, it goes too.
    await db.execute(
        text(
            "UPDATE sharing_webhook_deliveries SET status = 'delivered', delivered_at = :old WHERE event_position = :p"
        ),
        {"old": OLD, "p": dead_hook},
    )
    await db.commit()
    again = await run_retention(sm, policy)
    assert again.counts["webhook deliveries"] >= 1
    assert await _count(db, "SELECT count(*) FROM events WHERE position = :p", p=dead_hook) == 0
    assert await _count(db, "SELECT count(*) FROM events WHERE position = :p", p=pending_hook) == 1


async def test_keep_for_ever_purges_nothing(db: AsyncSession) -> None:
    position = await _position(db, await publish(db, "people.person.created", person=920))
    await _make_old(db, position)
    await db.commit()
    report = await run_retention(same_connection_sessions(db), RetentionPolicy(delivered_days=0, feed_days=0))
    assert report.counts["webhook deliveries"] == report.counts["feed entries"] == report.counts["outbox events"] == 0
    assert await _count(db, "SELECT count(*) FROM events WHERE position = :p", p=position) == 1


async def test_a_purged_feed_cursor_is_a_problem_saying_where_to_start_again(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await api_user(client, db, "events:read", "people:read")
    cursor = (await client.get("/api/v1/feed", headers=user.headers)).json()["next"]
    while True:  # catch up with what earlier tests left
        page = (await client.get("/api/v1/feed", params={"after": cursor, "limit": 500}, headers=user.headers)).json()
        cursor = page["next"]
        if not page["items"]:
            break
    first, second, third = [await publish(db, "people.person.created", person=930 + n) for n in range(3)]
    page = (await client.get("/api/v1/feed", params={"after": cursor, "limit": 1}, headers=user.headers)).json()
    assert [i["id"] for i in page["items"]] == [first]
    after_first = page["next"]

    # The feed up to and including the second event becomes old, and is purged.
    second_position = await _position(db, second)
    await db.execute(
        text("UPDATE sharing_feed SET recorded_at = :old WHERE event_position <= :p"),
        {"old": OLD, "p": second_position},
    )
    await db.commit()
    purged = await sharing_retention.purge_feed(same_connection_sessions(db), RetentionPolicy(batch_size=2), False)
    assert purged >= 2

    gone = await client.get("/api/v1/feed", params={"after": after_first}, headers=user.headers)
    assert gone.status_code == 410 and gone.headers["content-type"].startswith("application/problem+json")
    problem = gone.json()
    assert "retention" in problem["detail"] and problem["oldest"] in problem["detail"]
    # The oldest cursor serves what is left: the reader knows it missed the second event.
    rest = await client.get("/api/v1/feed", params={"after": problem["oldest"]}, headers=user.headers)
    assert rest.status_code == 200 and [i["id"] for i in rest.json()["items"]] == [third]
    # A reader starting afresh is not refused; one up to date stays up to date.
    assert (await client.get("/api/v1/feed", headers=user.headers)).status_code == 200
    latest = rest.json()["next"]
    assert (await client.get("/api/v1/feed", params={"after": latest}, headers=user.headers)).json()["items"] == []
