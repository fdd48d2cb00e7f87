"""Helpers for the probation case tests: a person with an address in Cardiff (delivery unit
Cardiff and the Vale), its staff, and the events courts and custody emit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.flags_factory import add_staff
from tests.people.people_factory import add_person

from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import Actor
from caselink.platform.events.rules import Event

CARDIFF = "PS-WLS-CAR"


async def unit_id(db: AsyncSession, code: str = CARDIFF) -> int:
    found = await db.scalar(select(OrganisationUnit.id).where(OrganisationUnit.code == code))
    assert found is not None, f"unit {code} not loaded"
    return int(found)


async def cardiff_person(db: AsyncSession, given: str = "Rhys", family: str = "Evans") -> int:
    return await add_person(db, given, family, postcode="CF10 1AA")


async def practitioner(db: AsyncSession, unit: int, name: str = "Pat Practitioner") -> Actor:
    return await add_staff(db, unit, "probation_practitioner", "probation", name)


async def senior(db: AsyncSession, unit: int, name: str = "Sam Senior") -> Actor:
    return await add_staff(db, unit, "senior_probation_officer", "probation", name)


def event(type: str, person_id: int, data: dict[str, Any], event_id: uuid.UUID | None = None) -> Event:
    return Event(
        position=0,
        id=event_id or uuid.uuid4(),
        type=type,
        source="caselink/test",
        subject="test/1",
        time=datetime.now(UTC),
        data=data,
        person_ids={"person": str(person_id)},
    )


def community_order(person_id: int, sentenced_on: str = "2025-03-10", event_id: uuid.UUID | None = None) -> Event:
    return event(
        "court.sentence.imposed",
        person_id,
        {
            "sentenceId": 7,
            "sentencedOn": sentenced_on,
            "disposals": [
                {
                    "kind": "community_order",
                    "charge_ids": [1],
                    "length": {"years": 1, "months": 0, "weeks": 0, "days": 0},
                    "requirements": [{"kind": "unpaid_work", "hours": 120}],
                }
            ],
        },
        event_id,
    )


def release_on_licence(person_id: int, event_id: uuid.UUID | None = None) -> Event:
    return event(
        "custody.person.released",
        person_id,
        {
            "movementId": 3,
            "bookingId": 4,
            "prisonCode": "CFI",
            "occurredAt": "2025-03-10T09:00:00+00:00",
            "onLicence": True,
            "licenceDates": {"CRD": "2025-03-10", "LED": "2026-03-09", "SED": "2026-03-09"},
        },
        event_id,
    )
