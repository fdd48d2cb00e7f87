"""Alembic, driven from code: `caselink db upgrade` and the readiness check use this."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from caselink.db.engine import async_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", async_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revisions() -> set[str]:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return set(script.get_heads())


async def current_revisions(conn: AsyncConnection) -> set[str]:
    exists = await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    if not exists:
        return set()
    rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
    return {r[0] for r in rows}


def upgrade_in_thread(database_url: str) -> None:
    """Run an upgrade from code that may already be inside an event loop (tests, `caselink run`)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        upgrade(database_url)
        return
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            upgrade(database_url)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
