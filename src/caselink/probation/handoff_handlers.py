"""Probation's share of the hand-offs between agencies (issue 7), kept apart from handlers.py while
that file is being finished: the practitioner of each open probation case is told when a risk flag,
tier or the person's record changes. Idempotent: one task per recipient per event."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.access.actor import SYSTEM
from caselink.platform.events.rules import Event
from caselink.platform.events.service import register_handler
from caselink.platform.tasks.person_changes import (
    NOTIFICATION_DUE_WORKING_DAYS,
    PERSON_CHANGE_EVENTS,
    Recipient,
    person_of,
    tell,
)
from caselink.platform.tasks.rules import OwnerType
from caselink.platform.tasks.service import create_task
from caselink.probation.models import ProbationCase
from caselink.probation.rules import CaseStatus

PERSON_CHANGES_HANDLER = "probation.person_changes"


async def practitioners_responsible(db: AsyncSession, person_id: int) -> list[Recipient]:
    """The practitioner of each open case, or the delivery unit's queue while it is unallocated."""
    rows = await db.execute(
        select(ProbationCase.practitioner_staff_id, ProbationCase.delivery_unit_id)
        .where(ProbationCase.person_id == person_id, ProbationCase.status != CaseStatus.TERMINATED.value)
        .order_by(ProbationCase.id)
    )
    return [
        Recipient(OwnerType.STAFF, r.practitioner_staff_id, r.delivery_unit_id)
        if r.practitioner_staff_id
        else Recipient(OwnerType.UNIT, r.delivery_unit_id)
        for r in rows
    ]


@register_handler(PERSON_CHANGES_HANDLER, PERSON_CHANGE_EVENTS)
async def tell_practitioner_of_person_change(db: AsyncSession, event: Event) -> None:
    person_id = person_of(event)
    if person_id is not None:
        await tell(db, event, "probation", await practitioners_responsible(db, person_id))


OFFENDER_MANAGER_HANDLER = "probation.prison_offender_manager"


@register_handler(OFFENDER_MANAGER_HANDLER, ["custody.offender_manager.allocated"])
async def tell_practitioner_of_offender_manager(db: AsyncSession, event: Event) -> None:
    """The practitioner of each open case (or the delivery unit's queue) is told who now manages
    the person in custody: one notification task per recipient per event."""
    person_id = person_of(event)
    if person_id is None:
        return
    name = event.data.get("offenderManagerName") or "a prison offender manager"
    prison = event.data.get("prisonCode") or "the prison"
    for recipient in dict.fromkeys(await practitioners_responsible(db, person_id)):
        await create_task(
            db,
            SYSTEM,
            type="probation.offender_manager_allocated",
            title=f"Prison offender manager allocated: {name}",
            description=f"{name} at {prison} is now the person's prison offender manager.",
            subject_type="person",
            subject_id=person_id,
            owner_type=recipient.owner_type.value,
            owner_id=recipient.owner_id,
            unit_id=recipient.unit_id,
            due_in_working_days=NOTIFICATION_DUE_WORKING_DAYS,
            due_from=event.time.date(),
            dedupe_key=f"probation.offender_manager:{event.id}:{recipient.owner_type.value}:{recipient.owner_id}",
            source_event_id=event.id,
            details={"eventType": event.type, "eventId": str(event.id), **event.data},
            commit=False,
        )
