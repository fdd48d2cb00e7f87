"""The background worker delivers committed events to handlers and seals new audit entries."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.config import Settings
from caselink.platform.access.actor import SYSTEM
from caselink.platform.audit.service import record
from caselink.platform.events.rules import Event
from caselink.platform.events.service import emit, registry
from caselink.platform.worker import registered_jobs, run_worker


async def test_worker_relays_events_and_seals_the_audit(
    settings: Settings, committed_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    assert {"events-relay", "audit-sealer"} <= {job.name for job in registered_jobs()}
    marker = uuid.uuid4().hex
    received: list[str] = []

    async def handle(db: AsyncSession, event: Event) -> None:
        received.append(event.subject)

    registry.register("testworker.recorder", ["testworker.*"], handle)
    stop = asyncio.Event()
    assert settings.database_url
    worker = asyncio.create_task(run_worker(settings, settings.database_url, stop))
    try:
        # Deliveries are created at emit time for subscribed handlers; the worker subscribes ours on start.
        for _ in range(200):
            async with committed_sessionmaker() as db:
                if await db.scalar(
                    text("SELECT count(*) FROM event_subscriptions WHERE handler = 'testworker.recorder'")
                ):
                    break
            await asyncio.sleep(0.1)
        async with committed_sessionmaker() as db:
            await emit(db, "testworker.thing.happened", f"thing/{marker}", person_ids={"person": marker})
            await record(db, SYSTEM, "testworker.action", subject_type="thing", subject_id=marker)
            await db.commit()
        sealed = False
        for _ in range(200):  # up to 20 s on a slow machine; normally well under a second
            async with committed_sessionmaker() as db:
                sealed = bool(
                    await db.scalar(
                        text("SELECT hash IS NOT NULL FROM audit_events WHERE subject_id = :m"), {"m": marker}
                    )
                )
            if received and sealed:
                break
            await asyncio.sleep(0.1)
        assert received == [f"thing/{marker}"], "the event did not reach its handler exactly once"
        assert sealed, "the audit entry was not sealed into the hash chain"
    finally:
        stop.set()
        await asyncio.wait_for(worker, timeout=30)
        registry.unregister("testworker.recorder")
        async with committed_sessionmaker() as db:
            await db.execute(text("DELETE FROM events WHERE type LIKE 'testworker.%'"))
            await db.execute(text("DELETE FROM event_subscriptions WHERE handler LIKE 'testworker.%'"))
            await db.commit()
