"""Micro-benchmark of the outbox: what emit() adds to a write transaction, and how many events per
second the relay hands to handlers (one relay, then two side by side).

    python -m caselink.bench.micro_relay [--events 5000] [--rounds 400] [--batch-size 200]

Uses DATABASE_URL, or the embedded server of the data folder (schema upgraded first). Everything it
writes (events of type ``bench.*``, its handlers' subscriptions) is deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.db.engine import Database, create_engine
from caselink.platform.events.relay import run_batch
from caselink.platform.events.rules import Event
from caselink.platform.events.service import HandlerRegistry, emit, sync_subscriptions

HANDLER = "bench.relay-counter"


def summary(samples_s: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples_s)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"median {statistics.median(ms):.3f} ms, p95 {p95:.3f} ms (n={len(ms)})"


async def cleanup(sm: async_sessionmaker[AsyncSession]) -> None:
    async with sm() as db:
        await db.execute(text("DELETE FROM events WHERE type LIKE 'bench.%'"))
        await db.execute(text("DELETE FROM event_subscriptions WHERE handler LIKE 'bench.%'"))
        await db.execute(text("DROP TABLE IF EXISTS bench_outbox_write"))
        await db.commit()


async def emit_overhead(sm: async_sessionmaker[AsyncSession], rounds: int) -> None:
    """Time one committed write transaction with and without an emit() in it."""
    async with sm() as db:
        # A real (logged) table: a temporary one skips the WAL, so its commit would skip the fsync
        # every real write pays, and the difference would be the fsync, not the outbox.
        await db.execute(text("CREATE TABLE IF NOT EXISTS bench_outbox_write (id serial, payload text)"))
        await db.commit()
        plain: list[float] = []
        with_event: list[float] = []
        emit_only: list[float] = []
        for n in range(rounds):
            started = time.perf_counter()
            await db.execute(text("INSERT INTO bench_outbox_write (payload) VALUES ('a change')"))
            await db.commit()
            plain.append(time.perf_counter() - started)

            started = time.perf_counter()
            await db.execute(text("INSERT INTO bench_outbox_write (payload) VALUES ('a change')"))
            before_emit = time.perf_counter()
            await emit(db, "bench.thing.changed", f"thing/{n}", person_ids={"person": n % 50}, data={"n": n})
            emit_only.append(time.perf_counter() - before_emit)
            await db.commit()
            with_event.append(time.perf_counter() - started)
    print(f"write transaction alone:        {summary(plain)}")
    print(f"write transaction with emit():  {summary(with_event)}")
    print(f"emit() call itself:             {summary(emit_only)}")
    overhead = statistics.median(with_event) - statistics.median(plain)
    print(f"outbox overhead per write:      {overhead * 1000:.3f} ms at the median (target < 2 ms)")


async def relay_throughput(sm: async_sessionmaker[AsyncSession], events: int, batch_size: int, relays: int) -> float:
    handlers = HandlerRegistry()
    handled = 0

    async def count(db: AsyncSession, event: Event) -> None:
        nonlocal handled
        handled += 1

    handlers.register(HANDLER, ["bench.*"], count)
    async with sm() as db:
        await sync_subscriptions(db, handlers)
        await db.commit()
        # Many events per transaction, to create the backlog quickly.
        for n in range(events):
            await emit(db, "bench.relay.tested", f"thing/{n}", person_ids={"person": n % 500}, data={"n": n})
            if n % 1000 == 999:
                await db.commit()
        await db.commit()
        # A fresh database has no statistics on the outbox yet; production tables do (autovacuum).
        await db.execute(text("ANALYZE events, event_deliveries"))
        await db.commit()

    async def one_relay() -> None:
        while True:
            async with sm() as db:
                result = await run_batch(db, handlers, batch_size=batch_size)
            if result.claimed == 0:
                return

    started = time.perf_counter()
    await asyncio.gather(*(one_relay() for _ in range(relays)))
    elapsed = time.perf_counter() - started
    rate = handled / elapsed
    print(f"relay x{relays}: {handled} events to a handler in {elapsed:.2f} s = {rate:,.0f} events/s (target >= 1,000)")
    await cleanup(sm)
    return rate


async def main(events: int, rounds: int, batch_size: int) -> None:
    from caselink.cli import database_url
    from caselink.config import get_settings
    from caselink.db.migrate import upgrade_in_thread

    url = database_url(get_settings())
    upgrade_in_thread(url)
    database = Database(create_engine(url, pool_size=4, max_overflow=0))
    try:
        await cleanup(database.sessionmaker)
        await emit_overhead(database.sessionmaker, rounds)
        await cleanup(database.sessionmaker)
        await relay_throughput(database.sessionmaker, events, batch_size, relays=1)
        await relay_throughput(database.sessionmaker, events, batch_size, relays=2)
    finally:
        await cleanup(database.sessionmaker)
        await database.dispose()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rounds, args.batch_size))


if __name__ == "__main__":
    run()
