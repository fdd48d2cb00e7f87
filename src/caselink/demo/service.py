"""Loading synthetic people by bulk COPY, and the first-run check that `caselink run` calls.

All of one load happens in one transaction: an interrupted or failed load leaves nothing behind.
A transaction-level advisory lock keeps two loads (two `caselink run` processes starting at
once, say) from generating the same demo people twice.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
from sqlalchemy import make_url

from caselink.db.engine import async_url
from caselink.demo.cases import (
    DemoCasesUnavailable,
    copy_demo_cases,
    count_demo_cases,
    delete_demo_cases,
    delete_demo_people,
)
from caselink.demo.generator import (
    ADDRESS_COLUMNS,
    CONTACT_COLUMNS,
    IDENTIFIER_COLUMNS,
    MAX_PEOPLE,
    NAME_COLUMNS,
    PERSON_COLUMNS,
    PeopleBatch,
    PeopleGenerator,
)
from caselink.demo.probation import copy_demo_probation, count_demo_probation
from caselink.platform.errors import CaselinkError, ConfigurationError

# Arbitrary, fixed: the advisory lock that serialises demo loads.
DEMO_LOCK_KEY = 7_304_112_001
DEFAULT_BATCH_SIZE = 5_000
# The share of demo people who get cases across the agencies, for `caselink run` and the bench.
DEFAULT_CASES_FRACTION = 0.3


class DemoDataError(CaselinkError):
    """The demo load cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class LoadResult:
    people: int
    rows: int
    seconds: float
    cases: int = 0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def asyncpg_dsn(database_url: str) -> str:
    """A plain postgresql:// DSN for asyncpg from any URL form Caselink accepts."""
    url = make_url(async_url(database_url))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def count_demo_people(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM persons WHERE is_demo"))


async def _connect(database_url: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(asyncpg_dsn(database_url), server_settings={"application_name": "caselink-demo"})
    except (OSError, asyncpg.PostgresError) as exc:
        raise ConfigurationError(
            f"Caselink could not connect to the database to load demo data ({exc}). "
            "Check DATABASE_URL, or leave it unset to use the embedded database."
        ) from None


async def _tables_exist(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass('persons') IS NOT NULL"))


async def load_demo_people(
    database_url: str,
    people: int,
    seed: int = 1,
    *,
    replace: bool = False,
    only_if_empty: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    reference_year: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_phase: Callable[[str], None] | None = None,
    cases_fraction: float = 0.0,
    today: date | None = None,
) -> LoadResult | None:
    """Generate PEOPLE demo people and COPY them in. Returns None when ONLY_IF_EMPTY found some.

    With CASES_FRACTION > 0, cases across the agencies follow for that share of the people
    (demo/cases.py), in the same transaction; the demo logins they are allocated to are made first.

    on_progress(people_done, rows_done) is called after each batch, on_phase(text) when a slow
    step without progress of its own begins.
    """
    if people < 1:
        raise DemoDataError("The number of people must be at least 1.")
    if people > MAX_PEOPLE:
        raise DemoDataError(f"The demo generator makes at most {MAX_PEOPLE:,} people at a time.")
    if not 0 <= cases_fraction <= 1:
        raise DemoDataError("The share of people with cases must be between 0 and 1.")
    if cases_fraction:
        await _ensure_demo_staff(database_url)
    conn = await _connect(database_url)
    try:
        if not await _tables_exist(conn):
            raise DemoDataError("The person tables do not exist yet; run `caselink db upgrade` first.")
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", DEMO_LOCK_KEY)
            existing = await count_demo_people(conn)
            if existing and only_if_empty:
                return None
            if existing and not replace:
                raise DemoDataError(
                    f"The database already holds {existing:,} demo people. "
                    "Run again with --replace to remove them and generate a new set."
                )
            if existing:
                # Cases of demo people first (their rows point at the people without cascading);
                # the people's own children go with them (ON DELETE CASCADE); real records are never demo.
                await delete_demo_cases(conn)
                await delete_demo_people(conn)
            rows = await _copy_people(conn, people, seed, batch_size, reference_year, on_progress, on_phase)
            cases = 0
            if cases_fraction:
                cases, case_rows = await _copy_cases(conn, cases_fraction, seed, today, on_phase)
                rows += case_rows
        # Planned with the statistics of near-empty tables, searches scan whole tables (seconds each at
        # a million people) until autovacuum gets round to analysing them: analyse now (seconds). VACUUM
        # also sets the visibility map, without which search's covering indexes still visit every row.
        for table in (*PERSON_TABLES, "person_name_terms"):
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        return LoadResult(people, rows, time.perf_counter() - started, cases)
    finally:
        await conn.close()


# Loads at least this big, into tables no bigger than the load, drop the person tables' secondary
# indexes and foreign keys and restore them at the end: one sorted index build is far cheaper than
# a million random inserts into trigram and btree indexes, and re-adding a foreign key checks every
# row in one join instead of one lookup per row. Unique indexes stay, and the restored keys check
# every row, so nothing goes in unchecked. The tables are locked until the load commits.
BULK_MODE_MIN_PEOPLE = 50_000
PERSON_TABLES = ("persons", "person_names", "person_identifiers", "person_addresses", "person_contacts")


async def _secondary_indexes(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the person tables' non-unique indexes."""
    rows = await conn.fetch(
        """
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i
        WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary
        ORDER BY 1
        """,
        list(PERSON_TABLES),
    )
    return [(row["name"], row["definition"]) for row in rows]


async def _foreign_keys(conn: asyncpg.Connection) -> list[tuple[str, str, str]]:
    """(table, constraint name, definition) of the foreign keys on the person tables."""
    rows = await conn.fetch(
        """
        SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
        FROM pg_constraint
        WHERE contype = 'f' AND conrelid = ANY($1::regclass[])
        ORDER BY 1, 2
        """,
        list(PERSON_TABLES),
    )
    return [(row["table_name"], row["conname"], row["definition"]) for row in rows]


async def _copy_people(
    conn: asyncpg.Connection,
    people: int,
    seed: int,
    batch_size: int,
    reference_year: int | None,
    on_progress: Callable[[int, int], None] | None,
    on_phase: Callable[[str], None] | None,
) -> int:
    generator = PeopleGenerator(seed, reference_year)
    sequence = await conn.fetchval("SELECT pg_get_serial_sequence('persons', 'id')")
    existing_people = int(await conn.fetchval("SELECT count(*) FROM persons"))
    deferred: list[tuple[str, str]] = []
    foreign_keys: list[tuple[str, str, str]] = []
    if people >= BULK_MODE_MIN_PEOPLE and existing_people <= people:
        deferred = await _secondary_indexes(conn)
        foreign_keys = await _foreign_keys(conn)
        for name, _ in deferred:
            await conn.execute(f"DROP INDEX {name}")
        for table, name, _ in foreign_keys:
            await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')

    async def reserve_ids(count: int) -> list[int]:
        # Ids come from the table's own sequence, so records made later by the app never collide.
        rows = await conn.fetch("SELECT nextval($1::regclass) FROM generate_series(1, $2)", sequence, count)
        return [row[0] for row in rows]

    done = rows = 0
    size = min(batch_size, people)
    pending: asyncio.Task[PeopleBatch] | None = asyncio.create_task(
        asyncio.to_thread(generator.batch, await reserve_ids(size))
    )
    while pending is not None:
        batch = await pending
        done += len(batch.persons)
        pending = None
        if done < people:
            # Generate the next batch in a thread while PostgreSQL takes this one.
            next_ids = await reserve_ids(min(batch_size, people - done))
            pending = asyncio.create_task(asyncio.to_thread(generator.batch, next_ids))
        try:
            await conn.copy_records_to_table("persons", records=batch.persons, columns=PERSON_COLUMNS)
            await conn.copy_records_to_table("person_names", records=batch.names, columns=NAME_COLUMNS)
            await conn.copy_records_to_table(
                "person_identifiers", records=batch.identifiers, columns=IDENTIFIER_COLUMNS
            )
            await conn.copy_records_to_table("person_addresses", records=batch.addresses, columns=ADDRESS_COLUMNS)
            await conn.copy_records_to_table("person_contacts", records=batch.contacts, columns=CONTACT_COLUMNS)
        except BaseException:
            if pending is not None:
                pending.cancel()
                await asyncio.gather(pending, return_exceptions=True)
            raise
        rows += batch.row_count
        if on_progress:
            on_progress(done, rows)
    if deferred:
        if on_phase:
            on_phase(f"Building {len(deferred)} indexes")
        await conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in deferred:
            await conn.execute(definition)
    for table, name, definition in foreign_keys:
        await conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return rows


async def _ensure_demo_staff(database_url: str) -> None:
    # The cases are allocated to the demo logins and listed at their units: make them first.
    from caselink.accounts.service import ensure_demo_staff_in, with_session

    await with_session(database_url, ensure_demo_staff_in)


async def _copy_cases(
    conn: asyncpg.Connection,
    fraction: float,
    seed: int,
    today: date | None,
    on_phase: Callable[[str], None] | None,
) -> tuple[int, int]:
    try:
        return await copy_demo_cases(conn, fraction, seed, today, on_phase)
    except DemoCasesUnavailable as exc:
        raise DemoDataError(f"Demo cases could not be generated: {exc}") from None


async def load_demo_cases(
    database_url: str, fraction: float = DEFAULT_CASES_FRACTION, seed: int = 1, today: date | None = None
) -> int | None:
    """Cases for FRACTION of the demo people already loaded, unless demo cases exist (None then)."""
    await _ensure_demo_staff(database_url)
    conn = await _connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", DEMO_LOCK_KEY)
            if await count_demo_cases(conn):
                return None
            cases, _ = await _copy_cases(conn, fraction, seed, today, None)
            return cases
    finally:
        await conn.close()


async def load_demo_probation(database_url: str, seed: int = 1, today: date | None = None) -> int | None:
    """Probation work for demo cases loaded before it was generated; None if there is some already
    or no demo cases to supervise."""
    conn = await _connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", DEMO_LOCK_KEY)
            if await count_demo_probation(conn) or not await count_demo_cases(conn):
                return None
            cases, _ = await copy_demo_probation(conn, seed, today)
            return cases
    finally:
        await conn.close()


def ensure_demo_data(database_url: str, people: int, seed: int = 1) -> str:
    """Generate PEOPLE demo people, then cases for DEFAULT_CASES_FRACTION of them, unless they exist
    already; one line saying what happened. People loaded before cases were generated get cases
    now. A database without the unit lists gets people only (the line says why).

    Synchronous, for `caselink run`'s start-up; safe to call from inside a running event loop.
    """

    async def run() -> str:
        result = await load_demo_people(database_url, people, seed, only_if_empty=True)
        if result is None:
            conn = await _connect(database_url)
            try:
                existing = await count_demo_people(conn)
            finally:
                await conn.close()
            said = f"Demo data: {existing:,} demo people already loaded"
        else:
            said = f"Demo data: generated {result.people:,} people ({result.rows:,} rows) in {result.seconds:.1f} s"
        started = time.perf_counter()
        try:
            cases = await load_demo_cases(database_url, DEFAULT_CASES_FRACTION, seed)
        except DemoDataError as exc:
            return f"{said}; no cases: {exc.detail}"
        if cases is None:
            probation = await load_demo_probation(database_url, seed)
            if probation:
                return f"{said}; {probation:,} probation cases in {time.perf_counter() - started:.1f} s."
            return f"{said}; nothing generated." if result is None else f"{said}; demo cases already there."
        return f"{said}; {cases:,} cases in {time.perf_counter() - started:.1f} s."

    return _run_sync(run)


def _run_sync(make: Callable[[], Coroutine[Any, Any, str]]) -> str:
    def call() -> str:
        return asyncio.run(make())

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    outcome: list[str] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return outcome[0]
