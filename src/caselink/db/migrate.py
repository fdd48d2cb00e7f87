"""Alembic, driven from code: `caselink db upgrade` and the readiness check use this."""

from __future__ import annotations

import asyncio
import functools
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


@functools.cache
def _script() -> ScriptDirectory:
    """The migration scripts, read once per process (readiness probes ask often)."""
    return ScriptDirectory(str(MIGRATIONS_DIR))


def head_revisions() -> set[str]:
    return set(_script().get_heads())


async def current_revisions(conn: AsyncConnection) -> set[str]:
    exists = await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    if not exists:
        return set()
    rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
    return {r[0] for r in rows}


def pending_heads(current: set[str]) -> set[str]:
    """Heads of the migration history not yet applied to a database at CURRENT.

    A head counts as applied when it is one of the current revisions or an ancestor of one,
    following both down_revision and depends_on: a context migration that depends on another
    context's head makes that head disappear from the alembic_version table once both are applied.
    """
    script = _script()
    try:
        applied = {rev.revision for rev in script.iterate_revisions(tuple(current), "base")} if current else set()
    except Exception:
        # A revision the code does not know (a newer release ran here): treat everything as pending.
        return set(script.get_heads())
    return set(script.get_heads()) - applied


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
