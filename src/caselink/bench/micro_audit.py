"""Micro-benchmark of the platform's per-request costs: what audit.record() adds to a write
transaction, what sealing costs per entry, and check()/can() per call.

    python -m caselink.bench.micro_audit [--rounds 400] [--concurrency 4]

Uses DATABASE_URL, or the embedded server of the data folder. Every measured transaction is
rolled back, so the (append-only) audit table is left as it was. For comparison it also times the
rejected design, chaining each entry at insert under an advisory lock held to the end of the
transaction (docs/decisions/0003-audit-hash-chain-sealer.md).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.db.engine import Database, create_engine
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.access.policy import can, check
from caselink.platform.access.rules import AccessLimit, DataPurpose, LimitKind, Resource
from caselink.platform.audit import service
from caselink.platform.audit.rules import GENESIS_HASH, entry_hash

ACTOR = Actor(
    kind=ActorKind.STAFF,
    id=41,
    name="bench",
    roles=frozenset({"probation_practitioner"}),
    agency="probation",
    unit_id=10,
    region="London",
)
RESOURCE = Resource(
    kind="person",
    owning_agency="probation",
    unit_ids=frozenset({10}),
    responsible_staff_ids=frozenset({41}),
    purposes=frozenset({DataPurpose.HEALTH_INFORMATION}),
    limits=(AccessLimit(LimitKind.EXCLUSION, frozenset({99}), "Excluded."),),
)


def summary(samples_s: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples_s)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"median {statistics.median(ms):.3f} ms, p95 {p95:.3f} ms (n={len(ms)})"


async def _write(db: AsyncSession) -> None:
    await db.execute(text("INSERT INTO bench_write (payload) VALUES ('a write the audit accompanies')"))


async def _inline_chained_record(db: AsyncSession) -> None:
    """The rejected design: take the chain lock, read the last hash, hash and insert."""
    await db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": service.SEAL_LOCK_KEY})
    last = await db.scalar(text("SELECT hash FROM audit_events WHERE hash IS NOT NULL ORDER BY chain_seq DESC LIMIT 1"))
    entry: dict[str, object] = {
        "id": 0,
        "occurred_at": datetime.now(UTC),
        "actor_kind": "staff",
        "actor_id": 41,
        "actor_label": "staff:bench",
        "client_id": None,
        "action": "person.read",
        "subject_type": "person",
        "subject_id": "1",
        "outcome": "allowed",
        "request_id": None,
        "detail": {},
        "chain_seq": 0,
        "prev_hash": last or GENESIS_HASH,
    }
    await service.record(db, ACTOR, "person.read", "person", 1, detail={"h": entry_hash(entry)})


async def _timed_transactions(
    database: Database, bodies: Sequence[Callable[[AsyncSession], Awaitable[None]]], rounds: int
) -> list[list[float]]:
    """Time each body as a whole transaction, interleaved round by round so that load from other
    processes on the machine falls on every variant alike."""
    samples: list[list[float]] = [[] for _ in bodies]
    async with database.sessionmaker() as db:
        await db.execute(text("CREATE TEMP TABLE IF NOT EXISTS bench_write (id serial, payload text)"))
        await db.commit()
        for _ in range(rounds):
            for body, timings in zip(bodies, samples, strict=True):
                started = time.perf_counter()
                await body(db)
                await db.rollback()
                timings.append(time.perf_counter() - started)
    return samples


async def _concurrent_throughput(
    database: Database, audit: Callable[[AsyncSession], Awaitable[None]], workers: int, seconds: float
) -> float:
    """Transactions per second when each also spends 2 ms on the rest of its work after auditing."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        async with database.sessionmaker() as db:
            while time.perf_counter() < deadline:
                await audit(db)
                await db.execute(text("SELECT pg_sleep(0.002)"))
                await db.rollback()
                done += 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    return done / seconds


async def _seal_cost(database: Database, entries: int) -> float:
    async with database.sessionmaker() as db:
        for _ in range(entries // 500):
            await db.execute(
                text(
                    "INSERT INTO audit_events (actor_kind, actor_label, action, outcome) "
                    "SELECT 'system', 'system:bench', 'bench', 'allowed' FROM generate_series(1, 500)"
                )
            )
        started = time.perf_counter()
        sealed = await service.seal(db, batch_size=entries * 10)
        elapsed = time.perf_counter() - started
        await db.rollback()
    return elapsed / max(sealed, 1)


def _per_call(fn: Callable[[], object], calls: int = 20000) -> list[float]:
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        for _ in range(calls // 20):
            fn()
        samples.append((time.perf_counter() - started) / (calls // 20))
    return samples


async def main(rounds: int, concurrency: int) -> None:
    from caselink.cli import database_url
    from caselink.config import get_settings

    database = Database(create_engine(database_url(get_settings()), pool_size=concurrency + 1, max_overflow=0))
    try:

        async def write_only(db: AsyncSession) -> None:
            await _write(db)

        async def write_and_record(db: AsyncSession) -> None:
            await _write(db)
            await service.record(db, ACTOR, "person.update", "person", 1, detail={"fields": ["address"]})

        async def write_and_inline_chain(db: AsyncSession) -> None:
            await _write(db)
            await _inline_chained_record(db)

        variants = [write_only, write_and_record, write_and_inline_chain]
        await _timed_transactions(database, variants, 50)  # warm the pool and statement caches
        base, audited, inline = await _timed_transactions(database, variants, rounds)
        # Paired differences: each audited transaction against the plain one timed just before it.
        added = [a - b for a, b in zip(audited, base, strict=True)]
        added_inline = [a - b for a, b in zip(inline, base, strict=True)]
        print(f"write transaction alone:           {summary(base)}")
        print(f"write + audit.record():            {summary(audited)}")
        print(f"  time added by record():          {summary(added)}")
        print(f"  added by inline chaining instead: {summary(added_inline)}")
        print(f"sealing, per entry (batch of 5000): {await _seal_cost(database, 5000) * 1000:.4f} ms")

        async def plain(db: AsyncSession) -> None:
            await service.record(db, ACTOR, "person.read", "person", 1)

        tps_plain = await _concurrent_throughput(database, plain, concurrency, 3)
        tps_inline = await _concurrent_throughput(database, _inline_chained_record, concurrency, 3)
        print(
            f"{concurrency} concurrent writers (2 ms of other work each): "
            f"record() {tps_plain:.0f} tx/s, inline chaining {tps_inline:.0f} tx/s"
        )
    finally:
        await database.dispose()

    print(f"check(actor, permission):          {summary(_per_call(lambda: check(ACTOR, 'people:read')))}")
    print(f"can(actor, action, resource):      {summary(_per_call(lambda: can(ACTOR, 'people:read', RESOURCE)))}")


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.concurrency))


if __name__ == "__main__":
    run()
