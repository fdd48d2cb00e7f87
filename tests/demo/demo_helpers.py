"""Shared by the demo tests: the demo loader commits on its own connection, so these read and clean
the shared test database directly, and build the Actor of a demo login."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.demo.cases import delete_demo_cases, delete_demo_people
from caselink.demo.service import asyncpg_dsn
from caselink.platform.access import Actor
from caselink.platform.access.actor import ActorKind


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def fetch(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def clean(database_url: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        async with conn.transaction():
            await delete_demo_cases(conn)
            await delete_demo_people(conn)
    finally:
        await conn.close()


@pytest.fixture
def no_demo_data_after(database_url: str) -> Iterator[None]:
    """Leave the shared test database without demo data."""
    yield
    run(clean(database_url))


async def demo_actor(db: AsyncSession, username: str) -> Actor:
    row = (
        await db.execute(
            text(
                "SELECT s.id, s.username, s.roles, u.id AS unit_id, u.code, u.agency, u.region "
                "FROM staff s JOIN organisation_units u ON u.id = s.unit_id WHERE s.username = :name"
            ),
            {"name": username},
        )
    ).one()
    return Actor(
        kind=ActorKind.STAFF,
        id=row.id,
        name=row.username,
        roles=frozenset(row.roles),
        agency=row.agency,
        unit_id=row.unit_id,
        unit_code=row.code,
        region=row.region,
    )
