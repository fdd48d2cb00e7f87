"""Async engine and sessions (SQLAlchemy 2 with asyncpg).

One engine per process; the pool is sized per worker (CASELINK_DB_POOL_SIZE + overflow), so N
workers hold at most N * (pool + overflow) connections.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from caselink.platform.errors import ConfigurationError


def async_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// forms and use the asyncpg driver."""
    unreadable = ConfigurationError(
        "DATABASE_URL could not be read; use the form postgresql://user:password@host:5432/database."
    )
    try:
        scheme = urlsplit(url).scheme
    except ValueError:  # e.g. an unclosed [ of an IPv6 address
        raise unreadable from None
    if scheme not in {"postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg"}:
        raise ConfigurationError(
            f"DATABASE_URL must be a PostgreSQL URL such as postgresql://user@host:5432/caselink, "
            f"not one starting {scheme or '(nothing)'}://."
        )
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 - a port that is not a number only shows up when read
    except (ArgumentError, ValueError):
        raise unreadable from None
    if not parsed.database:
        raise ConfigurationError("DATABASE_URL names no database; add one, as in postgresql://host/caselink.")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def create_engine(url: str, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,
        pool_recycle=1800,
        # The JIT costs more than it saves on short OLTP queries.
        connect_args={"server_settings": {"jit": "off", "application_name": "caselink"}},
    )


class Database:
    """The process's engine and session factory, held on the app's state."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)

    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
