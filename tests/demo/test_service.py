"""Loading demo people into PostgreSQL by COPY: through the CLI, and the first-run check."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import asyncpg
import pytest
from typer.testing import CliRunner

from caselink.cli import app
from caselink.config import Settings, set_settings
from caselink.demo.cases import delete_demo_cases
from caselink.demo.service import asyncpg_dsn, ensure_demo_data
from caselink.people.rules import parse

pytestmark = pytest.mark.usefixtures("reference_loaded", "no_demo_people_after")
T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def _fetch(database_url: str, query: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await conn.fetch(query))
    finally:
        await conn.close()


@pytest.fixture
def no_demo_people_after(database_url: str) -> Iterator[None]:
    """These tests commit (the loader uses its own connection); leave the shared test database clean."""
    yield
    _run(_delete_demo_data(database_url))


async def _delete_demo_data(database_url: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        async with conn.transaction():
            await delete_demo_cases(conn)  # the cases point at the people
            await conn.execute("DELETE FROM persons WHERE is_demo")
    finally:
        await conn.close()


def test_ensure_demo_data_generates_once(database_url: str) -> None:
    first = ensure_demo_data(database_url, people=50, seed=3)
    assert first.startswith("Demo data: generated 50 people") and "15 cases" in first
    second = ensure_demo_data(database_url, people=50, seed=3)
    assert second == "Demo data: 50 demo people already loaded; nothing generated."
    rows = _run(_fetch(database_url, "SELECT count(*) AS n FROM persons WHERE is_demo"))
    assert rows[0]["n"] == 50


def test_demo_command_loads_people_with_valid_identifiers(database_url: str, settings: Settings) -> None:
    set_settings(replace(settings, database_url=database_url))
    try:
        runner = CliRunner()
        result = runner.invoke(app, ["demo", "--people", "500", "--seed", "5"])
        assert result.exit_code == 0, result.output
        assert "Generated 500 demo people" in result.output and "rows/s" in result.output

        again = runner.invoke(app, ["demo", "--people", "10"])
        assert again.exit_code == 1
        assert "already holds 500 demo people" in again.output and "--replace" in again.output

        replaced = runner.invoke(app, ["demo", "--people", "20", "--replace"])
        assert replaced.exit_code == 0, replaced.output
    finally:
        set_settings(None)

    counts = _run(
        _fetch(
            database_url,
            """SELECT (SELECT count(*) FROM persons WHERE is_demo) AS people,
                      (SELECT count(*) FROM person_names n JOIN persons p ON p.id = n.person_id
                        WHERE p.is_demo AND n.name_type = 'PRIMARY') AS primary_names""",
        )
    )
    assert (counts[0]["people"], counts[0]["primary_names"]) == (20, 20)
    identifiers = _run(
        _fetch(
            database_url,
            "SELECT i.type, i.value FROM person_identifiers i JOIN persons p ON p.id = i.person_id WHERE p.is_demo",
        )
    )
    assert identifiers
    assert all(parse(row["type"], row["value"]).valid for row in identifiers)


def test_bad_counts_are_refused_with_a_message(database_url: str, settings: Settings) -> None:
    set_settings(replace(settings, database_url=database_url))
    try:
        result = CliRunner().invoke(app, ["demo", "--people", "0"])
    finally:
        set_settings(None)
    assert result.exit_code == 1
    assert "at least 1" in result.output


def test_large_loads_restore_the_indexes_and_keys_they_set_aside(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caselink.demo import service

    index_query = (
        "SELECT indexrelid::regclass::text AS name FROM pg_index "
        "WHERE indrelid = ANY('{persons,person_names,person_identifiers,person_addresses,person_contacts}'::regclass[])"
    )
    key_query = "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text LIKE 'person%'"
    before = {row["name"] for row in _run(_fetch(database_url, index_query))}
    keys_before = {row["conname"] for row in _run(_fetch(database_url, key_query))}
    assert len(keys_before) >= 5
    monkeypatch.setattr(service, "BULK_MODE_MIN_PEOPLE", 10)
    phases: list[str] = []
    result = _run(service.load_demo_people(database_url, 30, seed=9, on_phase=phases.append))
    assert result is not None and result.people == 30
    assert phases == [f"Building {len(before) - 6} indexes"]  # all but the 5 primary keys and the unique index
    assert {row["name"] for row in _run(_fetch(database_url, index_query))} == before
    assert {row["conname"] for row in _run(_fetch(database_url, key_query))} == keys_before


async def test_ensure_demo_data_works_inside_a_running_event_loop(database_url: str) -> None:
    assert ensure_demo_data(database_url, people=5).startswith("Demo data: generated 5 people")
