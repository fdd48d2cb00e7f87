"""`caselink audit seal` and `caselink audit verify` against a database of their own: the command
needs committed entries, and an append-only table cannot be cleaned up after a shared test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy import make_url
from typer.testing import CliRunner

from caselink import config
from caselink.cli import app as cli
from caselink.db.migrate import upgrade


@pytest.fixture
def audit_database(database_server: str) -> Iterator[str]:
    admin = make_url(database_server).set(drivername="postgresql", database="postgres")
    admin_dsn = admin.render_as_string(hide_password=False)
    name = f"caselink_audit_cli_{uuid.uuid4().hex[:8]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.new_event_loop().run_until_complete(run(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.new_event_loop().run_until_complete(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _sql(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def test_verify_exits_0_when_intact_and_1_naming_the_first_bad_entry(
    audit_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", audit_database)
    monkeypatch.setattr(config, "_settings", None)
    runner = CliRunner()
    insert = (
        "INSERT INTO audit_events (actor_kind, actor_label, action, subject_type, subject_id, outcome) "
        "SELECT 'staff', 'staff:jsmith', 'person.read', 'person', n::text, 'allowed' FROM generate_series(1, 5) n"
    )
    asyncio.new_event_loop().run_until_complete(_sql(audit_database, insert))

    sealed = runner.invoke(cli, ["audit", "seal"])
    assert sealed.exit_code == 0, sealed.output
    assert "Sealed 5 audit entries" in sealed.output
    intact = runner.invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "intact: 5 entries verified" in intact.output

    asyncio.new_event_loop().run_until_complete(
        _sql(
            audit_database,
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete",
            "UPDATE audit_events SET subject_id = '999' WHERE chain_seq = 3",
            "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete",
        )
    )
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "chain position 3" in broken.output and "changed after sealing" in broken.output
    monkeypatch.setattr(config, "_settings", None)
