"""Test fixtures: a real PostgreSQL for the whole run, each test in a transaction rolled back.

By default the run starts its own embedded PostgreSQL in a temporary folder on a free port (so
parallel runs never collide). Set CASELINK_TEST_DATABASE_URL to a server URL (any database on
it) to run against that server instead: a fresh database is created and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from caselink.config import Settings
from caselink.db.embedded import EmbeddedPostgres, free_port
from caselink.db.engine import Database, create_engine
from caselink.db.migrate import upgrade
from caselink.db.session import get_db


def _admin_dsn(url: str) -> tuple[str, str]:
    """(DSN of the server's maintenance database, a fresh database name)."""
    from sqlalchemy import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    return admin, f"caselink_test_{uuid.uuid4().hex[:10]}"


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.new_event_loop().run_until_complete(coro)


async def _create_db(admin: str, name: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_db(admin: str, name: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a server to create test databases on."""
    external = os.environ.get("CASELINK_TEST_DATABASE_URL")
    if external:
        yield external
        return
    data_dir = tmp_path_factory.mktemp("embedded-pg")
    server = EmbeddedPostgres(Path(data_dir), free_port())
    server.start()
    try:
        yield server.url("postgres")
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def database_url(database_server: str) -> Iterator[str]:
    admin, name = _admin_dsn(database_server)
    _run(_create_db(admin, name))
    from sqlalchemy import make_url

    url = make_url(database_server).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    try:
        yield url
    finally:
        _run(_drop_db(admin, name))


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = Settings.from_env({"DATABASE_URL": database_url, "CASELINK_DATA_DIR": str(tmp_path_factory.mktemp("data"))})
    return replace(base, secret_key="test-secret-key-not-for-production", demo_mode=True, log_json=False)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    assert settings.database_url
    eng = create_engine(settings.database_url, pool_size=5, max_overflow=5)
    yield eng
    await eng.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose every commit is a savepoint inside a transaction rolled back at the end."""
    async with engine.connect() as conn:
        outer = await conn.begin()
        session = AsyncSession(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            await session.close()
            if outer.is_active:
                await outer.rollback()


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, db: AsyncSession):  # type: ignore[no-untyped-def]
    from caselink.app import create_app

    application = create_app(settings, database=Database(engine))

    async def test_session() -> AsyncIterator[AsyncSession]:
        yield db

    application.dependency_overrides[get_db] = test_session
    return application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="session")
def committed_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """For the few tests that need data other connections can see (they clean up after themselves)."""
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture(scope="session")
def reference_loaded(settings: Settings) -> str:
    """CJS standing data and Caselink's units, committed into the test database once per run by the
    real loader (about 2 s), so any test can use offences, courts, police units, prisons and PDUs."""
    from caselink.reference.service import ensure_loaded

    assert settings.database_url
    return ensure_loaded(settings.database_url, settings.assets_dir)
