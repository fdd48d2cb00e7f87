"""The DATABASE_URL path: Caselink on a PostgreSQL it did not start (here the machine's own server
at 127.0.0.1:5432, user root, trust authentication), migrated by `caselink db upgrade`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import httpx
import pytest

from caselink.config import Settings
from caselink.db.engine import Database, create_engine

SERVER = "postgresql://root@127.0.0.1:5432"
CASELINK = Path(sys.executable).with_name("caselink")


def _server_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return False
    return True


# In CI this path must be tested, so there an unreachable server fails rather than skips.
pytestmark = pytest.mark.skipif(
    os.environ.get("CI") != "true" and not _server_reachable(),
    reason="no PostgreSQL at 127.0.0.1:5432 to test DATABASE_URL against (CI runs this test)",
)


@pytest.fixture
async def scratch_database_url() -> AsyncIterator[str]:
    name = f"caselink_urltest_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"{SERVER}/{name}"
    finally:
        admin = await asyncpg.connect(f"{SERVER}/postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def caselink_db_upgrade(database_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELINK_")}
    env.update(DATABASE_URL=database_url, CASELINK_DATA_DIR=str(data_dir))
    return subprocess.run(
        [str(CASELINK), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=300, check=False
    )


async def readyz(database_url: str, data_dir: Path) -> httpx.Response:
    """GET /readyz from the app configured by DATABASE_URL alone."""
    from caselink.app import create_app

    settings = replace(
        Settings.from_env({"DATABASE_URL": database_url, "CASELINK_DATA_DIR": str(data_dir)}),
        secret_key="test-secret-key-not-for-production",
    )
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        app = create_app(settings, database=Database(engine))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get("/readyz")
    finally:
        await engine.dispose()


async def test_db_upgrade_migrates_the_named_database_and_readyz_says_current(
    scratch_database_url: str, tmp_path: Path
) -> None:
    first = caselink_db_upgrade(scratch_database_url, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Database schema is at heads." in first.stdout
    # Idempotent: a second upgrade finds nothing to do.
    again = caselink_db_upgrade(scratch_database_url, tmp_path)
    assert again.returncode == 0, again.stderr

    response = await readyz(scratch_database_url, tmp_path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "current"}


async def test_readyz_says_pending_before_the_upgrade(scratch_database_url: str, tmp_path: Path) -> None:
    response = await readyz(scratch_database_url, tmp_path)
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"
