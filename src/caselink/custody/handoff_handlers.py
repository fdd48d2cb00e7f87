"""Custody's share of the hand-offs between agencies (issue 7): the prison holding or expecting a
person is told when a risk flag, tier or the person's record changes. Idempotent: one task per
prison per event (de-duplication key)."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.custody.models import Booking, ExpectedArrival, OffenderManagerAllocation
from caselink.platform.events.rules import Event
from caselink.platform.events.service import register_handler
from caselink.platform.tasks.person_changes import PERSON_CHANGE_EVENTS, Recipient, person_of, tell
from caselink.platform.tasks.rules import OwnerType

PERSON_CHANGES_HANDLER = "custody.person_changes"


async def prisons_responsible(db: AsyncSession, person_id: int) -> list[Recipient]:
    """The prison holding the person (active booking) and any prison expecting them: the booking's
    prison offender manager when one is allocated there, else the prison's unit queue (its offender
    management unit)."""
    holding = select(Booking.prison_unit_id).where(Booking.person_id == person_id, Booking.status == "active")
    expecting = select(ExpectedArrival.prison_unit_id).where(
        ExpectedArrival.person_id == person_id, ExpectedArrival.status == "expected"
    )
    units = sorted((await db.scalars(union(holding, expecting))).all())
    rows = await db.execute(
        select(OffenderManagerAllocation.prison_unit_id, OffenderManagerAllocation.staff_id)
        .join(Booking, Booking.id == OffenderManagerAllocation.booking_id)
        .where(
            Booking.person_id == person_id,
            Booking.status == "active",
            Booking.prison_unit_id == OffenderManagerAllocation.prison_unit_id,
            OffenderManagerAllocation.ended_at.is_(None),
        )
    )
    managers = {r.prison_unit_id: r.staff_id for r in rows}
    return [
        Recipient(OwnerType.STAFF, managers[unit_id], unit_id)
        if unit_id in managers
        else Recipient(OwnerType.UNIT, unit_id)
        for unit_id in units
    ]


@register_handler(PERSON_CHANGES_HANDLER, PERSON_CHANGE_EVENTS)
async def tell_prison_of_person_change(db: AsyncSession, event: Event) -> None:
    person_id = person_of(event)
    if person_id is not None:
        await tell(db, event, "custody", await prisons_responsible(db, person_id))
