"""A burst of events through the real outbox relay and the delivery worker, on committed data: the
worker is cancelled mid-burst and restarted (as two workers side by side), and the receiver counts
every raw receipt — each event arrives exactly once, none lost, none twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.sharing.sharing_helpers import Receiver

from caselink.accounts import service as accounts
from caselink.accounts.schemas import ClientCreate
from caselink.platform.access.actor import SYSTEM, Actor, ActorKind
from caselink.platform.events.relay import relay_once
from caselink.platform.events.service import HandlerRegistry, emit, sync_subscriptions
from caselink.sharing import rules, service
from caselink.sharing.delivery import deliver_once, run_worker
from caselink.sharing.handlers import HANDLER_NAME, share_event
from caselink.sharing.schemas import SubscriptionIn

BURST = 120
EVENT_TYPE = "tasks.sharingtest.burst"


@pytest.fixture
async def subscriber(
    committed_sessionmaker: async_sessionmaker[AsyncSession], receiver: Receiver
) -> AsyncIterator[Actor]:
    sm = committed_sessionmaker
    async with sm() as db:
        new = await accounts.create_client(
            db, SYSTEM, ClientCreate(name="Burst receiver", scopes=["events:read", "tasks:read"])
        )
        actor = Actor(
            kind=ActorKind.CLIENT,
            id=new.client.id,
            name=new.client.client_id,
            scopes=frozenset(new.client.scopes),
            display_name=new.client.name,
        )
        await service.create_subscription(
            db, actor, SubscriptionIn(event_types=["tasks.sharingtest.*"], webhook_url=receiver.url)
        )
    try:
        yield actor
    finally:
        async with sm() as db:
            await db.execute(text("DELETE FROM events WHERE type = :t"), {"t": EVENT_TYPE})
            await db.execute(text("DELETE FROM api_clients WHERE id = :id"), {"id": actor.id})
            await db.execute(text("DELETE FROM event_subscriptions WHERE handler = :h"), {"h": HANDLER_NAME})
            await db.commit()


async def test_worker_cancelled_mid_burst_and_restarted_delivers_every_event_exactly_once(
    committed_sessionmaker: async_sessionmaker[AsyncSession], receiver: Receiver, subscriber: Actor
) -> None:
    sm = committed_sessionmaker
    handlers = HandlerRegistry()
    handlers.register(HANDLER_NAME, rules.SHAREABLE_PATTERNS, share_event)
    async with sm() as db:
        await sync_subscriptions(db, handlers)
        await db.commit()
    async with sm() as db:
        event_ids = [
            str((await emit(db, EVENT_TYPE, f"burst/{n}", person_ids={"person": 900000 + n % 7})).id)
            for n in range(BURST)
        ]
        await db.commit()
    relayed = await relay_once(sm, handlers, batch_size=50)
    assert relayed.delivered >= BURST

    receiver.delay = 0.003  # slow enough that the burst is still going when the worker is stopped
    worker = asyncio.create_task(run_worker(sm, batch_size=10, concurrency=4, idle_seconds=0.05))
    for _ in range(2000):
        if len(receiver.receipts) >= 25:
            break
        await asyncio.sleep(0.01)
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker
    stopped_at = len(receiver.receipts)
    assert 25 <= stopped_at < BURST, "the worker should have been stopped in the middle of the burst"

    # Restart, as two workers side by side.
    receiver.delay = 0
    results = await asyncio.gather(deliver_once(sm, batch_size=15), deliver_once(sm, batch_size=15))
    assert sum(r.dead + r.retrying for r in results) == 0

    counts = Counter(r.headers["webhook-id"] for r in receiver.receipts)
    assert len(receiver.receipts) == BURST, f"{len(receiver.receipts)} receipts for {BURST} events"
    assert set(counts.values()) == {1}
    import json

    received_events = sorted(json.loads(r.body)["data"]["id"] for r in receiver.receipts)
    assert received_events == sorted(event_ids)
