"""Helpers for the supervision, enforcement and recall tests: a delivery unit and its staff, a
case written straight into the case part's table (as its service would leave it), a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import make_staff
from tests.people.people_factory import add_person

from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import Actor, ActorKind
from caselink.probation.models import ProbationCase

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


async def unit(db: AsyncSession, kind: str = "probation_delivery_unit", offset: int = 0) -> OrganisationUnit:
    found = (
        await db.scalars(select(OrganisationUnit).where(OrganisationUnit.kind == kind).order_by(OrganisationUnit.id))
    ).all()
    assert len(found) > offset, f"no {kind} units loaded"
    return found[offset]


async def staff_actor(db: AsyncSession, username: str, role: str, pdu: OrganisationUnit) -> Actor:
    staff = await make_staff(db, username, [role], pdu, password=None)
    return Actor(
        kind=ActorKind.STAFF,
        id=staff.id,
        name=username,
        display_name=staff.display_name,
        roles=frozenset({role}),
        agency="probation",
        unit_id=pdu.id,
    )


UPW_ORDER = {"requirements": [{"kind": "unpaid_work", "hours": 40}, {"kind": "rehabilitation_activity", "days": 10}]}


async def add_case(
    db: AsyncSession,
    pdu: OrganisationUnit,
    practitioner: Actor | None,
    *,
    kind: str = "community_order",
    sentence: dict[str, Any] | None = None,
    given: str = "Alex",
    family: str = "Morgan",
) -> ProbationCase:
    person_id = await add_person(db, given, family)
    case = ProbationCase(
        person_id=person_id,
        kind=kind,
        status="allocated" if practitioner else "unallocated",
        delivery_unit_id=pdu.id,
        practitioner_staff_id=practitioner.id if practitioner else None,
        start_date=date(2025, 1, 6),
        end_date=date(2026, 1, 5),
        sentence=sentence if sentence is not None else UPW_ORDER,
        source="manual",
        created_by="test",
    )
    db.add(case)
    await db.flush()
    await db.commit()
    return case
