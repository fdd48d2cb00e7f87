"""The prosecution's reactions to other contexts' events. Each is idempotent (tasks carry a
de-duplication key), so a replayed event creates nothing new."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.events.rules import Event
from caselink.platform.events.service import register_handler
from caselink.platform.tasks.person_changes import PERSON_CHANGE_EVENTS, Recipient, person_of, tell
from caselink.platform.tasks.rules import OwnerType
from caselink.prosecution.models import CaseStatus, Defendant, ProsecutionCase

PERSON_CHANGES_HANDLER = "prosecution.person_changes"
OPEN_CASE_STATUSES = (CaseStatus.AWAITING_CHARGING_DECISION, CaseStatus.ACTION_PLAN, CaseStatus.CHARGED)


async def open_case_recipients(db: AsyncSession, person_id: int) -> list[Recipient]:
    """The allocated lawyer of each open case with the person as a defendant, else the CPS area."""
    rows = await db.execute(
        select(ProsecutionCase.allocated_lawyer_id, ProsecutionCase.cps_area_unit_id)
        .join(Defendant, Defendant.case_id == ProsecutionCase.id)
        .where(Defendant.person_id == person_id, ProsecutionCase.status.in_([s.value for s in OPEN_CASE_STATUSES]))
        .order_by(ProsecutionCase.id)
    )
    return [
        Recipient(OwnerType.STAFF, r.allocated_lawyer_id, r.cps_area_unit_id)
        if r.allocated_lawyer_id
        else Recipient(OwnerType.UNIT, r.cps_area_unit_id)
        for r in rows
    ]


@register_handler(PERSON_CHANGES_HANDLER, PERSON_CHANGE_EVENTS)
async def tell_lawyers_of_person_change(db: AsyncSession, event: Event) -> None:
    """A risk flag, tier or merge: the CPS lawyers with an open case for the person are told."""
    person_id = person_of(event)
    if person_id is not None:
        await tell(db, event, "prosecution", await open_case_recipients(db, person_id))
