"""Micro-benchmark of the person index, server-side: identifier lookup, name search (with typos,
nicknames and swapped names) and matching one new record before creation.

    python -m caselink.bench.micro_people_search [--rounds 300] [--concurrency 4] [--rate 20]

Uses DATABASE_URL, or the embedded server of the data folder; needs people in it (`caselink demo
--people N`). Each call runs the real service (retrieval, scoring, the audit entry) in a
transaction that is rolled back, so the database is left as it was. Issue 4's targets with
1,000,000 people: identifier lookup p95 <= 10 ms, name search p95 <= 100 ms, match <= 50 ms.

Two ways to load the server. Without --rate, CONCURRENCY searches are always in flight, each sent
the moment the previous one ends: a saturation test, whose latencies are CONCURRENCY divided by
the throughput the machine manages (on two shared cores that is queueing, not search time). With
--rate, searches arrive at RATE a second at random (Poisson) moments, as 50 people searching now
and then would send them, with at most CONCURRENCY in flight: the latencies are what a user waits
at that load. Each line also prints the throughput achieved, the mean number in flight, and the
mean CPU time per call of this process and (when the server runs on this machine) of the database
server processes: on a machine shared with other work that is the fairest measure of service time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from caselink.db.engine import create_engine
from caselink.people import service
from caselink.people.rules import pnc_short_form
from caselink.people.schemas import IdentifierIn, PersonDetails
from caselink.platform.access.actor import Actor, ActorKind

ACTOR = Actor(kind=ActorKind.STAFF, id=1, name="bench", roles=frozenset({"police_case_builder"}))


@dataclass(frozen=True)
class Sample:
    given: str
    family: str
    dob: date | None
    identifier_type: str
    identifier: str


def _typo(name: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped, as people mistype."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def name_queries(sample: Sample, rng: random.Random) -> list[tuple[str, date | None]]:
    return [
        (f"{sample.given} {sample.family}", sample.dob),
        (f"{sample.given} {_typo(sample.family, rng)}", sample.dob),
        (f"{sample.family} {sample.given}", None),  # swapped, no date
        (sample.family, None),  # one word
    ]


def identifier_query(sample: Sample) -> str:
    return pnc_short_form(sample.identifier) if sample.identifier_type == "PNC" else sample.identifier


async def load_samples(engine: AsyncEngine, count: int, seed: int) -> list[Sample]:
    async with engine.connect() as conn:
        total = await conn.scalar(text("SELECT count(*) FROM persons"))
        if not total:
            raise SystemExit("No people in this database: run `caselink demo --people 1000000` first.")
        fraction = min(100.0, max(0.01, 100.0 * count * 4 / total))
        rows = (
            await conn.execute(
                text(
                    f"""
                    SELECT p.given_name, p.family_name, p.date_of_birth, i.type, i.value
                    FROM persons p TABLESAMPLE SYSTEM ({fraction}) REPEATABLE ({seed})
                    JOIN LATERAL (SELECT type, value FROM person_identifiers
                                  WHERE person_id = p.id AND valid ORDER BY id LIMIT 1) i ON true
                    LIMIT :n
                    """
                ),
                {"n": count},
            )
        ).all()
    return [Sample(*row) for row in rows]


# The database server processes serving the pool, for CPU accounting.
_backends: set[int] = set()


def _process_cpu(pid: int) -> float | None:
    """CPU seconds used so far by process PID, or None when it cannot be read (a remote server)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _backends_cpu() -> float | None:
    used = [_process_cpu(pid) for pid in _backends]
    return None if not used or None in used else sum(u for u in used if u is not None)


async def timed(engine: AsyncEngine, call: Callable[[AsyncSession], Awaitable[object]]) -> float:
    """Run CALL in a session whose commits are savepoints of a transaction rolled back after."""
    async with engine.connect() as conn:
        pid = conn.info.get("backend_pid")  # info lives with the pooled connection
        if pid is None:
            pid = conn.info["backend_pid"] = await conn.scalar(text("SELECT pg_backend_pid()"))
            _backends.add(pid)
            await conn.commit()
        outer = await conn.begin()
        session = AsyncSession(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")
        try:
            started = time.perf_counter()
            await call(session)
            return time.perf_counter() - started
        finally:
            await session.close()
            await outer.rollback()


@dataclass
class Run:
    samples: list[float]  # seconds per call
    seconds: float  # wall time of the whole run
    app_cpu: float  # CPU seconds of this process (the app's share: Python, SQLAlchemy, asyncpg)
    db_cpu: float | None  # CPU seconds of the database server processes; None when not local

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    @property
    def in_flight(self) -> float:
        """Mean number of calls in flight (Little's law: busy time over wall time)."""
        return sum(self.samples) / self.seconds if self.seconds else 0.0


async def run_all(
    engine: AsyncEngine,
    calls: list[Callable[[AsyncSession], Awaitable[object]]],
    concurrency: int,
    rate: float | None = None,
    seed: int = 1,
) -> Run:
    """Run CALLS, CONCURRENCY at a time back to back, or arriving at RATE a second (see the top)."""
    samples: list[float] = []
    started, app_started, db_started = time.perf_counter(), time.process_time(), _backends_cpu()
    if rate is None:
        queue = list(calls)

        async def worker() -> None:
            while queue:
                samples.append(await timed(engine, queue.pop()))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    else:
        arrivals = random.Random(seed)
        slots = asyncio.Semaphore(concurrency)

        async def one(call: Callable[[AsyncSession], Awaitable[object]]) -> None:
            async with slots:
                samples.append(await timed(engine, call))

        tasks = []
        due = started
        for call in calls:
            due += arrivals.expovariate(rate)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(call)))
        await asyncio.gather(*tasks)
    db_now = _backends_cpu()
    # Connections opened during the run count from when they were first seen.
    db_cpu = None if db_now is None else db_now - (db_started or 0.0)
    return Run(samples, time.perf_counter() - started, time.process_time() - app_started, db_cpu)


def summary(label: str, run: Run, target_ms: float | None) -> str:
    ms = sorted(s * 1000 for s in run.samples)
    p50 = statistics.median(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    target = f"  (target p95 <= {target_ms:g} ms: {'met' if p95 <= target_ms else 'NOT met'})" if target_ms else ""
    # Mean CPU per call, whatever else the machine runs: the service time on an idle machine.
    cpu = f"  CPU/call app {run.app_cpu * 1000 / len(ms):4.1f} ms"
    if run.db_cpu is not None:
        cpu += f" + db {run.db_cpu * 1000 / len(ms):4.1f} ms"
    return (
        f"{label:<22} n={len(ms):<5} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {ms[-1]:6.1f} ms"
        f"  {run.throughput:5.1f}/s  in flight {run.in_flight:4.1f}{cpu}{target}"
    )


async def main(rounds: int, concurrency: int, seed: int, rate: float | None = None) -> None:
    from caselink.cli import database_url
    from caselink.config import get_settings

    engine = create_engine(database_url(get_settings()), pool_size=concurrency + 1, max_overflow=0)
    gc.freeze()  # as the server does once started (caselink.app): full collections skip what was loaded
    rng = random.Random(seed)
    try:
        people = await engine.connect()
        count = await people.scalar(text("SELECT count(*) FROM persons"))
        await people.close()
        samples = await load_samples(engine, rounds, seed)
        load = f"arriving at {rate:g}/s, at most {concurrency} in flight" if rate else f"{concurrency} in flight"
        print(f"{count:,} people; {len(samples)} sampled; {load}")

        def search_call(q: str, dob: date | None) -> Callable[[AsyncSession], Awaitable[object]]:
            terms = service.validate_terms(q, dob)
            return lambda db: service.search(db, ACTOR, terms)

        def match_call(sample: Sample) -> Callable[[AsyncSession], Awaitable[object]]:
            dob = sample.dob + timedelta(days=1) if sample.dob else None  # a new person much like an old one
            details = PersonDetails(
                given_name=sample.given,
                family_name=sample.family,
                date_of_birth=dob,
                identifiers=[IdentifierIn(type="CRN", value=f"Z{rng.randrange(10**6):06d}")],
            )
            return lambda db: service.match(db, ACTOR, details)

        # Warm every pooled connection (prepared statements, catalog caches), as a running server's
        # would be, on people other than those measured.
        warm_up = samples[-min(len(samples) // 4, 2 * concurrency) :]
        samples = samples[: len(samples) - len(warm_up)]
        warm_calls = [search_call(identifier_query(s), None) for s in warm_up]
        warm_calls += [search_call(q, dob) for s in warm_up for q, dob in name_queries(s, rng)]
        warm_calls += [match_call(s) for s in warm_up]
        await run_all(engine, warm_calls, concurrency)
        lookups = await run_all(
            engine, [search_call(identifier_query(s), None) for s in samples], concurrency, rate, seed
        )
        print(summary("identifier lookup", lookups, 10))
        name_calls = [search_call(q, dob) for s in samples for q, dob in name_queries(s, rng)]
        rng.shuffle(name_calls)
        names = await run_all(engine, name_calls[: rounds * 2], concurrency, rate, seed)
        print(summary("name search (mixed)", names, 100))
        matches = await run_all(engine, [match_call(s) for s in samples], concurrency, rate, seed)
        print(summary("match one new record", matches, 50))
    finally:
        await engine.dispose()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=300, help="People sampled (identifier lookups and matches)")
    parser.add_argument("--concurrency", type=int, default=4, help="Searches in flight at once")
    parser.add_argument(
        "--rate", type=float, default=None, help="Searches arriving a second (default: back to back, saturating)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.rate is not None and args.rate <= 0:
        parser.error("--rate must be more than 0")
    asyncio.run(main(args.rounds, args.concurrency, args.seed, args.rate))


if __name__ == "__main__":
    cli()
