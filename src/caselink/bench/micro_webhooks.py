"""Micro-benchmark of webhook delivery: N events queued for one subscription, delivered signed to a
local receiver (its own process, answering 204), by one worker process and then by two side by side.

    python -m caselink.bench.micro_webhooks [--events 3000] [--batch-size 200] [--concurrency 16]

Uses DATABASE_URL, or the embedded server of the data folder (schema upgraded first). Everything it
writes (its API client, subscription, events of type ``tasks.benchhook.*``) is deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event as EventType
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.db.engine import Database, create_engine

EVENT_TYPE = "tasks.benchhook.sent"
CLIENT_NAME = "bench webhook receiver"


def _receiver(port: Synchronized[int], received: Synchronized[int], ready: EventType) -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                with received.get_lock():
                    received.value += 1
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve_forever() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=1024)
        port.value = server.sockets[0].getsockname()[1]
        ready.set()
        await server.serve_forever()

    asyncio.run(serve_forever())


def _worker_process(url: str, batch_size: int, concurrency: int, go: EventType, done: Any) -> None:
    """One delivery worker in its own process (as `caselink sharing deliver` runs), started on GO."""

    async def work() -> None:
        from caselink.sharing.delivery import deliver_once

        database = Database(create_engine(url, pool_size=2, max_overflow=0))
        try:
            async with database.sessionmaker() as db:  # connect before the clock starts
                await db.execute(text("SELECT 1"))
            await asyncio.to_thread(go.wait)
            result = await deliver_once(database.sessionmaker, batch_size=batch_size, concurrency=concurrency)
            done.put((result.delivered, result.retrying + result.dead))
        finally:
            await database.dispose()

    asyncio.run(work())


async def cleanup(sm: async_sessionmaker[AsyncSession]) -> None:
    async with sm() as db:
        await db.execute(text("DELETE FROM events WHERE type LIKE 'tasks.benchhook.%'"))
        await db.execute(text("DELETE FROM api_clients WHERE name = :n"), {"n": CLIENT_NAME})
        await db.execute(text("DELETE FROM event_subscriptions WHERE handler = 'bench.sharing-outbound'"))
        await db.commit()


async def queue_events(sm: async_sessionmaker[AsyncSession], events: int, url: str) -> None:
    from caselink.accounts import service as accounts
    from caselink.accounts.schemas import ClientCreate
    from caselink.platform.access.actor import SYSTEM, Actor, ActorKind
    from caselink.platform.events.relay import relay_once
    from caselink.platform.events.service import HandlerRegistry, emit, sync_subscriptions
    from caselink.sharing import rules, service
    from caselink.sharing.handlers import share_event
    from caselink.sharing.schemas import SubscriptionIn

    async with sm() as db:
        new = await accounts.create_client(
            db, SYSTEM, ClientCreate(name=CLIENT_NAME, scopes=["events:read", "tasks:read"])
        )
        actor = Actor(
            kind=ActorKind.CLIENT, id=new.client.id, name=new.client.client_id, scopes=frozenset(new.client.scopes)
        )
        await service.create_subscription(db, actor, SubscriptionIn(event_types=["tasks.benchhook.*"], webhook_url=url))
    # Only the sharing handler, under a bench name, so no other handler's work is timed.
    handlers = HandlerRegistry()
    handlers.register("bench.sharing-outbound", rules.SHAREABLE_PATTERNS, share_event)
    async with sm() as db:
        await sync_subscriptions(db, handlers)
        await db.commit()
    async with sm() as db:
        for n in range(events):
            await emit(db, EVENT_TYPE, f"bench/{n}", person_ids={"person": n % 500})
        await db.commit()
    started = time.perf_counter()
    await relay_once(sm, handlers, batch_size=500)
    elapsed = time.perf_counter() - started
    print(f"enqueue (relay → feed + webhook rows): {events} events in {elapsed:.2f} s = {events / elapsed:,.0f}/s")
    async with sm() as db:
        await db.execute(text("DELETE FROM event_subscriptions WHERE handler = 'bench.sharing-outbound'"))
        await db.execute(text("ANALYZE sharing_webhook_deliveries"))
        await db.commit()


async def deliver(url: str, workers: int, batch_size: int, concurrency: int) -> float:
    go = multiprocessing.Event()
    done: Any = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_worker_process, args=(url, batch_size, concurrency, go, done))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    await asyncio.sleep(3)  # let them import and connect before the clock starts
    started = time.perf_counter()
    go.set()
    results = [await asyncio.to_thread(done.get) for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    delivered = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    rate = delivered / elapsed
    print(
        f"deliver, {workers} worker process(es): {delivered} webhooks ({failed} failed) in {elapsed:.2f} s "
        f"= {rate:,.0f} deliveries/s (target >= 500)"
    )
    return rate


async def main(events: int, batch_size: int, concurrency: int) -> None:
    from caselink.cli import database_url
    from caselink.config import get_settings
    from caselink.db.migrate import upgrade_in_thread

    port = multiprocessing.Value("i", 0)
    received = multiprocessing.Value("l", 0)
    ready = multiprocessing.Event()
    receiver = multiprocessing.Process(target=_receiver, args=(port, received, ready), daemon=True)
    receiver.start()
    url = database_url(get_settings())
    upgrade_in_thread(url)
    database = Database(create_engine(url, pool_size=4, max_overflow=0))
    sm = database.sessionmaker
    try:
        await asyncio.to_thread(ready.wait, 30)
        hook = f"http://127.0.0.1:{port.value}/hooks"
        for workers in (1, 2):
            await cleanup(sm)
            await queue_events(sm, events, hook)
            await deliver(url, workers, batch_size, concurrency)
        print(f"receiver counted {received.value} requests")
    finally:
        await cleanup(sm)
        await database.dispose()
        receiver.terminate()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.batch_size, args.concurrency))


if __name__ == "__main__":
    run()
