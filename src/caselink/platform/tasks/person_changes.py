"""Telling the responsible officers of every agency that something about a person changed: a risk
flag (registration) added, reviewed or ended, a probation tier changed, or two records merged.

Each receiving context (prosecution, custody, probation) has a handler that finds, in its own
tables, who holds an open case for the person, and calls ``tell`` with them. ``tell`` creates one
notification task per recipient per event (de-duplication key ``<agency>.person_change:<event id>:
<owner>``), so a replayed event creates nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.access.actor import SYSTEM
from caselink.platform.events.rules import Event
from caselink.platform.tasks.rules import OwnerType, Priority, SubjectType

PERSON_CHANGE_EVENTS = ["people.registration.*", "probation.tier.changed", "people.person.merged"]
# A notification is read and acknowledged, not worked: two working days.
NOTIFICATION_DUE_WORKING_DAYS = 2


@dataclass(frozen=True)
class Recipient:
    """Who is told: a member of staff (with the unit whose queue also shows it) or a unit."""

    owner_type: OwnerType
    owner_id: int
    unit_id: int | None = None


def describe(event: Event) -> tuple[str, str]:
    """(title, description) of the notification for a person-change event."""
    data = event.data
    if event.type == "probation.tier.changed":
        return (
            f"Probation tier changed to {data.get('to')}",
            f"The probation tier changed from {data.get('from') or 'none'} to {data.get('to')} "
            f"({str(data.get('trigger') or '').replace('_', ' ')}).",
        )
    if event.type == "people.person.merged":
        return (
            "Duplicate person records merged",
            f"Record {data.get('mergedId')} was merged into record {data.get('survivorId')}: "
            "check that what you hold about them is still right.",
        )
    change = event.type.rsplit(".", 1)[-1]
    flag = data.get("type") or "a flag"
    return (f"Risk flag {flag} {change}", f"The person's {flag} registration was {change}.")


def person_of(event: Event) -> int | None:
    person = event.person_ids.get("person")
    return int(str(person)) if person is not None else None


async def tell(db: AsyncSession, event: Event, agency: str, recipients: Iterable[Recipient]) -> list[int]:
    """One notification task per distinct recipient; returns the task ids (existing ones on a replay)."""
    from caselink.platform.tasks.service import create_task

    person_id = person_of(event)
    if person_id is None:
        return []
    title, description = describe(event)
    ids = []
    for recipient in dict.fromkeys(recipients):  # keeps order, drops repeats
        task = await create_task(
            db,
            SYSTEM,
            type=f"{agency}.person_change",
            title=title,
            description=description,
            subject_type=SubjectType.PERSON.value,
            subject_id=person_id,
            owner_type=recipient.owner_type.value,
            owner_id=recipient.owner_id,
            unit_id=recipient.unit_id,
            due_in_working_days=NOTIFICATION_DUE_WORKING_DAYS,
            due_from=event.time.date(),
            priority=Priority.HIGH if event.type.startswith("people.registration.") else Priority.NORMAL,
            dedupe_key=f"{agency}.person_change:{event.id}:{recipient.owner_type.value}:{recipient.owner_id}",
            source_event_id=event.id,
            details={"eventType": event.type, "eventId": str(event.id), **event.data},
            commit=False,
        )
        ids.append(task.id)
    return ids
