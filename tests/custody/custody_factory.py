"""Helpers for the custody tests: prisons from the loaded units, prison staff of a prison, a person,
court events as the courts context emits them, and a fixed clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import add_person

from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.events.rules import Event

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


async def prison_id(db: AsyncSession, code: str) -> int:
    found = await db.scalar(select(OrganisationUnit.id).where(OrganisationUnit.code == code))
    assert found is not None, f"prison {code} not loaded"
    return int(found)


def officer(unit_id: int, staff_id: int = 801, role: str = "prison_records_clerk") -> Actor:
    return Actor(
        kind=ActorKind.STAFF,
        id=staff_id,
        name=f"officer{staff_id}",
        roles=frozenset({role}),
        agency="prison",
        unit_id=unit_id,
    )


async def person(db: AsyncSession, given: str = "Dan", family: str = "Cooper") -> int:
    return await add_person(db, given, family)


def court_event(type: str, person_id: int, data: dict[str, Any], event_id: uuid.UUID | None = None) -> Event:
    return Event(
        position=0,
        id=event_id or uuid.uuid4(),
        type=type,
        source="caselink/courts",
        subject="defendant/1",
        time=NOW,
        data=data,
        person_ids={"person": str(person_id)},
    )


def custodial_sentence(person_id: int, months: int = 24, sentenced_on: str = "2025-03-10") -> Event:
    return court_event(
        "court.sentence.imposed",
        person_id,
        {
            "sentenceId": 1,
            "hearingId": None,
            "sentencedOn": sentenced_on,
            "disposals": [
                {
                    "kind": "custodial",
                    "terms": [
                        {
                            "charge_id": 11,
                            "length": {"years": 0, "months": months, "weeks": 0, "days": 0},
                            "relation": "concurrent",
                            "consecutive_to": None,
                        }
                    ],
                }
            ],
        },
    )
