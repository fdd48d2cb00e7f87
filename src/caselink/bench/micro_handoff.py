"""Hand-off latency: from the commit of the transaction that emits an event in one agency to the
task being visible in the next agency's queue, with the real relay running in this process and a
background load of other events going through it.

    python -m caselink.bench.micro_handoff [--handoffs 100] [--load-per-second 200] [--idle 0.5]
    python -m caselink.bench.micro_handoff --live [--handoffs 100]

Target (issue 7): p95 <= 2 s. The relay sleeps ``--idle`` seconds when it finds nothing due, so an
event committed while it sleeps waits up to that long; the figures show how much that dominates.

``--live`` measures the real hand-off instead, through whatever ``caselink worker`` is running on
the database (start one, and ``caselink bench`` for the load, alongside): for demo prosecution
cases that have no hearing yet it commits the ``prosecution.charge.laid`` event charging commits,
and times until the courts' real handler has put the "list first hearing" task in the court's
queue. The tasks it caused are deleted afterwards, so it can be run again.

Uses DATABASE_URL, or the embedded server of the data folder (schema upgraded first). It deletes its
events, deliveries, tasks and bench unit at the end; the audit entries of the tasks it created stay
(the audit log is append-only).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.db.engine import Database, create_engine
from caselink.platform.access.actor import SYSTEM
from caselink.platform.events.relay import run_relay
from caselink.platform.events.rules import Event
from caselink.platform.events.service import HandlerRegistry, emit, sync_subscriptions
from caselink.platform.tasks.service import create_task

HANDOFF_HANDLER = "bench.handoff-to-queue"
LOAD_HANDLER = "bench.handoff-load"
BENCH_UNIT = "BENCHHO"
TASK_TYPE = "bench.handoff"


async def cleanup(sm: async_sessionmaker[AsyncSession]) -> None:
    async with sm() as db:
        await db.execute(text("DELETE FROM tasks WHERE type = :t"), {"t": TASK_TYPE})
        await db.execute(
            text(
                "DELETE FROM events WHERE type LIKE 'bench.%' OR (type LIKE 'tasks.task.%' AND data->>'taskType' = :t)"
            ),
            {"t": TASK_TYPE},
        )
        await db.execute(text("DELETE FROM event_subscriptions WHERE handler LIKE 'bench.%'"))
        await db.execute(text("DELETE FROM organisation_units WHERE code = :c"), {"c": BENCH_UNIT})
        await db.commit()


async def bench_unit(sm: async_sessionmaker[AsyncSession]) -> int:
    async with sm() as db:
        unit_id = await db.scalar(
            text(
                "INSERT INTO organisation_units (id, code, name, agency, kind, source, active)"
                " VALUES ((SELECT coalesce(max(id), 0) + 1 FROM organisation_units), :c, 'Bench court', 'courts',"
                " 'magistrates_court', 'caselink', true) RETURNING id"
            ),
            {"c": BENCH_UNIT},
        )
        await db.commit()
        return int(unit_id or 0)


def handlers_for(unit_id: int) -> HandlerRegistry:
    handlers = HandlerRegistry()

    async def to_queue(db: AsyncSession, event: Event) -> None:
        await create_task(
            db,
            SYSTEM,
            type=TASK_TYPE,
            title="List first hearing (bench)",
            subject_type="case",
            subject_id=str(event.data["n"]),
            owner_type="unit",
            owner_id=unit_id,
            due_in_working_days=10,
            dedupe_key=f"{TASK_TYPE}:{event.data['key']}",
            source_event_id=event.id,
            commit=False,
        )

    async def load(db: AsyncSession, event: Event) -> None:
        await db.execute(text("SELECT 1"))

    handlers.register(HANDOFF_HANDLER, ["bench.handoff.charge_laid"], to_queue)
    handlers.register(LOAD_HANDLER, ["bench.load.*"], load)
    return handlers


async def background_load(sm: async_sessionmaker[AsyncSession], per_second: int, stop: asyncio.Event) -> int:
    """Other agencies' writes: small transactions each emitting one event, at about PER_SECOND."""
    written = 0
    interval = 1 / per_second if per_second else 1.0
    async with sm() as db:
        while not stop.is_set():
            started = time.perf_counter()
            if per_second:
                await emit(db, "bench.load.changed", f"thing/{written}", person_ids={"person": written % 997})
                await db.commit()
                written += 1
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))
    return written


async def one_handoff(sm: async_sessionmaker[AsyncSession], n: int) -> float:
    key = uuid.uuid4().hex
    async with sm() as db:
        await emit(
            db, "bench.handoff.charge_laid", f"case/{n}", person_ids={"person": 100_000 + n}, data={"n": n, "key": key}
        )
        await db.commit()
        committed = time.perf_counter()
    # The receiving agency looking at its queue, every 5 ms.
    async with sm() as db:
        while True:
            found = await db.scalar(text("SELECT id FROM tasks WHERE dedupe_key = :k"), {"k": f"{TASK_TYPE}:{key}"})
            await db.rollback()
            if found is not None:
                return time.perf_counter() - committed
            await asyncio.sleep(0.005)


async def live_cases(sm: async_sessionmaker[AsyncSession], count: int) -> list[tuple[int, int, int | None]]:
    """(case id, defendant id, person id) of demo cases not yet listed and with no listing task."""
    async with sm() as db:
        rows = await db.execute(
            text(
                """
                SELECT DISTINCT ON (c.id) c.id, d.id AS defendant_id, d.person_id
                FROM prosecution_cases c JOIN defendants d ON d.case_id = c.id
                WHERE NOT EXISTS (SELECT 1 FROM court_hearings h WHERE h.case_id = c.id)
                  AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.dedupe_key = 'courts.first_hearing:' || c.id)
                ORDER BY c.id, d.id LIMIT :n
                """
            ),
            {"n": count},
        )
        return [(int(r.id), int(r.defendant_id), r.person_id) for r in rows]


async def one_live_handoff(
    sm: async_sessionmaker[AsyncSession], case_id: int, defendant_id: int, person: int | None
) -> float:
    async with sm() as db:
        await emit(
            db,
            "prosecution.charge.laid",
            f"case/{case_id}",
            person_ids={"person": person} if person is not None else {},
            data={"caseId": case_id, "defendantId": defendant_id, "chargedOn": date.today().isoformat(), "bench": True},
            source="/bench/handoff",
        )
        await db.commit()
        committed = time.perf_counter()
    key = f"courts.first_hearing:{case_id}"
    async with sm() as db:
        while True:
            found = await db.scalar(text("SELECT id FROM tasks WHERE dedupe_key = :k"), {"k": key})
            await db.rollback()
            if found is not None:
                return time.perf_counter() - committed
            if time.perf_counter() - committed > 60:
                raise SystemExit(
                    "No listing task appeared within 60 s: is a `caselink worker` running on this database?"
                )
            await asyncio.sleep(0.005)


async def measure_live(sm: async_sessionmaker[AsyncSession], handoffs: int) -> list[float]:
    cases = await live_cases(sm, handoffs)
    if not cases:
        raise SystemExit("No demo prosecution case without a hearing: load demo data (caselink demo) first.")
    rng = random.Random(7)
    latencies: list[float] = []
    try:
        for case_id, defendant_id, person in cases:
            latencies.append(await one_live_handoff(sm, case_id, defendant_id, person))
            await asyncio.sleep(rng.uniform(0, 0.2))
    finally:
        async with sm() as db:  # undo: the tasks this run caused (their audit entries stay)
            keys = [f"courts.first_hearing:{c}" for c, _, _ in cases]
            await db.execute(
                text("DELETE FROM task_history WHERE task_id IN (SELECT id FROM tasks WHERE dedupe_key = ANY(:k))"),
                {"k": keys},
            )
            await db.execute(text("DELETE FROM tasks WHERE dedupe_key = ANY(:k)"), {"k": keys})
            await db.commit()
    ms = [s * 1000 for s in latencies]
    print(
        f"live hand-off (charge laid -> court's listing task, real worker): p50 {statistics.median(ms):.0f} ms, "
        f"p95 {percentile(ms, 0.95):.0f} ms, max {max(ms):.0f} ms (n={len(ms)}; target p95 <= 2000 ms)"
    )
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def measure(sm: async_sessionmaker[AsyncSession], handoffs: int, per_second: int, idle: float) -> list[float]:
    handlers = handlers_for(await bench_unit(sm))
    async with sm() as db:
        await sync_subscriptions(db, handlers)
        await db.commit()
    stop = asyncio.Event()
    relay = asyncio.create_task(run_relay(sm, handlers, stop=stop, idle_seconds=idle))
    load = asyncio.create_task(background_load(sm, per_second, stop))
    latencies = []
    rng = random.Random(7)
    try:
        await asyncio.sleep(1.0)  # let the relay and the load settle
        for n in range(handoffs):
            latencies.append(await one_handoff(sm, n))
            await asyncio.sleep(rng.uniform(0, idle))  # land anywhere in the relay's idle sleep
    finally:
        stop.set()
        await relay
        written = await load
    ms = [s * 1000 for s in latencies]
    print(
        f"relay idle {idle:.2f} s, background load {written} events (~{per_second}/s): "
        f"commit -> task in queue p50 {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
        f"max {max(ms):.0f} ms (n={len(ms)}; target p95 <= 2000 ms)"
    )
    return latencies


async def main(handoffs: int, per_second: int, idles: list[float], live: bool = False) -> None:
    from caselink.cli import database_url
    from caselink.config import get_settings
    from caselink.db.migrate import upgrade_in_thread

    url = database_url(get_settings())
    upgrade_in_thread(url)
    database = Database(create_engine(url, pool_size=6, max_overflow=2))
    try:
        if live:
            await measure_live(database.sessionmaker, handoffs)
            return
        for idle in idles:
            await cleanup(database.sessionmaker)
            await measure(database.sessionmaker, handoffs, per_second, idle)
    finally:
        await cleanup(database.sessionmaker)
        await database.dispose()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--handoffs", type=int, default=100)
    parser.add_argument("--load-per-second", type=int, default=200)
    parser.add_argument("--idle", type=float, action="append", help="relay idle poll in seconds (repeatable)")
    parser.add_argument("--live", action="store_true", help="time the real hand-off through a running worker")
    args = parser.parse_args()
    asyncio.run(main(args.handoffs, args.load_per_second, args.idle or [0.5, 0.05], args.live))


if __name__ == "__main__":
    run()
