"""Helpers for the de-duplication, import and review tests: demo people written with the
generator's own rows, and a data quality officer to own review tasks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI, Request
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts.models import Staff
from caselink.demo.generator import (
    ADDRESS_COLUMNS,
    IDENTIFIER_COLUMNS,
    NAME_COLUMNS,
    PERSON_COLUMNS,
    PeopleBatch,
    PeopleGenerator,
)
from caselink.organisations.models import OrganisationUnit
from caselink.people.models import Person, PersonAddress, PersonIdentifier, PersonName
from caselink.platform.access.actor import Actor, ActorKind

CSRF = "test-csrf-token"
# Far above anything other tests create, so planted ids never collide.
FIRST_ID = 7_000_001


async def write_batch(db: AsyncSession, batch: PeopleBatch) -> None:
    for model, columns, rows in (
        (Person, PERSON_COLUMNS, batch.persons),
        (PersonName, NAME_COLUMNS, batch.names),
        (PersonIdentifier, IDENTIFIER_COLUMNS, batch.identifiers),
        (PersonAddress, ADDRESS_COLUMNS, batch.addresses),
    ):
        if rows:
            await db.execute(insert(model), [dict(zip(columns, row, strict=True)) for row in rows])
    await db.flush()


async def demo_people(db: AsyncSession, count: int, seed: int = 3) -> PeopleBatch:
    batch = PeopleGenerator(seed, reference_year=2025).batch(range(FIRST_ID, FIRST_ID + count))
    await write_batch(db, batch)
    return batch


@dataclass
class Officer:
    actor: Actor
    unit_id: int


async def data_quality_officer(db: AsyncSession) -> Officer:
    suffix = uuid.uuid4().hex[:6].upper()
    unit = OrganisationUnit(
        code=f"DQ{suffix}", name="Data quality team", agency="probation", kind="probation_delivery_unit"
    )
    db.add(unit)
    await db.flush()
    staff = Staff(
        username=f"dq{suffix.lower()}",
        display_name="Dana Quality",
        unit_id=unit.id,
        roles=["data_quality_officer"],
        status="active",
    )
    db.add(staff)
    await db.flush()
    # Review tasks are spread over every active data quality officer; servers started by other tests
    # may have committed demo ones into the shared test database. Within this test's transaction
    # (rolled back afterwards) this officer is the only one, so assignments are known.
    await db.execute(
        text("UPDATE staff SET status = 'suspended' WHERE 'data_quality_officer' = ANY(roles) AND id <> :id"),
        {"id": staff.id},
    )
    actor = Actor(
        kind=ActorKind.STAFF,
        id=staff.id,
        name=staff.username,
        roles=frozenset({"data_quality_officer"}),
        unit_id=unit.id,
    )
    return Officer(actor, unit.id)


class ActingAs:
    actor: Actor | None = None


@pytest.fixture
async def acting(app: FastAPI) -> AsyncIterator[ActingAs]:
    """Pages as a given actor, with a known CSRF token."""
    holder = ActingAs()

    async def fake_authenticate(request: Request) -> None:
        request.state.actor = holder.actor
        request.state.csrf_token = CSRF

    from caselink.accounts.authentication import authenticate

    app.dependency_overrides[authenticate] = fake_authenticate
    yield holder
