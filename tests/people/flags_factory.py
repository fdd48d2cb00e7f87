"""Staff and units for the flags and limited-access tests: registrations name an owner (a real
staff row) and limits name staff, so these tests need them in the database."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts.models import Staff
from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import Actor, ActorKind


async def add_unit(db: AsyncSession, agency: str = "probation") -> int:
    unit = OrganisationUnit(code=f"T{uuid.uuid4().hex[:8].upper()}", name="Test PDU", agency=agency, kind="pdu")
    db.add(unit)
    await db.flush()
    return unit.id


async def add_staff(db: AsyncSession, unit_id: int, role: str, agency: str, name: str) -> Actor:
    """A staff row and the actor that member of staff signs in as."""
    username = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:6]}"
    staff = Staff(username=username, display_name=name, unit_id=unit_id, roles=[role], status="active")
    db.add(staff)
    await db.flush()
    return Actor(
        kind=ActorKind.STAFF,
        id=staff.id,
        name=username,
        roles=frozenset({role}),
        agency=agency,
        unit_id=unit_id,
        display_name=name,
    )
