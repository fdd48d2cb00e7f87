"""A person's single timeline across agencies: written from every context's events (by the
``people.timeline`` handler in handlers.py) or directly with ``add_timeline_entry``; read newest
first, filtered by agency and type, a page at a time.

Contexts stay uncoupled: an event carrying ``person_ids={"person": id}`` lands on that person's
timeline without the emitting context knowing the timeline exists. A context that has a page for
its detail registers where it is with ``register_timeline_link`` (one line), so entries link to
Caselink pages, never to API URLs.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.rules import Agency
from caselink.people.models import Person
from caselink.people.timeline_models import PersonTimelineEntry
from caselink.platform.access.actor import Actor
from caselink.platform.access.policy import check
from caselink.platform.access.rules import DataPurpose
from caselink.platform.audit.service import record
from caselink.platform.errors import FieldError, NotFound, ValidationFailed
from caselink.platform.events.rules import Event

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# The person index's own entries (record created, merged, unmerged) belong to no single agency.
CASELINK = "caselink"
AGENCIES: dict[str, str] = {
    Agency.POLICE.value: "Police",
    Agency.CPS.value: "CPS",
    Agency.COURTS.value: "Courts",
    Agency.PRISON.value: "Prison",
    Agency.PROBATION.value: "Probation",
    CASELINK: "Person index",
}
# What belongs on a person's timeline: what happened to the person along the justice journey.
# Work-queue events (tasks.*) are not: they are staff's work about the person, shown in queues.
TIMELINE_EVENT_PATTERNS = ("people.*", "prosecution.*", "court.*", "custody.*", "probation.*")
ENTRY_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

# Titles of the types whose humanised name reads badly; others are derived from the type.
TITLES: dict[str, str] = {
    "people.person.created": "Person record created",
    "people.person.merged": "Duplicate record merged into this one",
    "people.person.unmerged": "Merge undone",
    "prosecution.case_file.submitted": "Case file submitted to the CPS",
    "prosecution.idpc.served": "Initial details of the prosecution case served",
    "court.hearing.listed": "Hearing listed",
    "court.defendant.convicted": "Convicted",
    "court.defendant.remanded_in_custody": "Remanded in custody",
    "court.bail.granted": "Bail granted",
    "court.sentence.imposed": "Sentenced",
    "court.case.concluded": "Court case concluded",
    "probation.licence.started": "Licence started",
}

# Page links by event type (or "context." prefix): a str.format template over the event's data.
_LINKS: dict[str, str] = {
    "people.person.merged": "/people/{mergedId}",
    "people.person.unmerged": "/people/{mergedId}",
}


def register_timeline_link(type_or_prefix: str, template: str) -> None:
    """Say which Caselink page shows the detail of events of this type (``court.hearing.`` prefix or
    an exact type): ``register_timeline_link("court.hearing.", "/courts/hearings/{hearingId}")``."""
    if not template.startswith("/") or template.startswith("//") or template.startswith("/api/"):
        raise ValueError("A timeline link must be a Caselink page path (starting with one /, not /api/).")
    _LINKS[type_or_prefix] = template


def agency_of(event_type: str) -> str:
    context = event_type.split(".", 1)[0]
    if context == "prosecution":
        # The police build and submit the file; everything after is the CPS's.
        return Agency.POLICE.value if event_type.startswith("prosecution.case_file.") else Agency.CPS.value
    return {
        "court": Agency.COURTS.value,
        "custody": Agency.PRISON.value,
        "probation": Agency.PROBATION.value,
        "police": Agency.POLICE.value,
    }.get(context, CASELINK)


def title_of(entry_type: str) -> str:
    if entry_type in TITLES:
        return TITLES[entry_type]
    words = " ".join(entry_type.split(".")[1:]).replace("_", " ")
    return words[:1].upper() + words[1:]


def _day(value: Any) -> str | None:
    try:
        return (date.fromisoformat(str(value)[:10])).strftime("%-d %B %Y")
    except ValueError:
        return None


def summary_of(data: Mapping[str, Any]) -> str:
    """A line of the facts people look for, from whichever of them the event carries."""
    parts: list[str] = []
    if data.get("urn"):
        parts.append(f"Case {data['urn']}")
    if data.get("courtCode"):
        parts.append(f"at court {data['courtCode']}")
    if data.get("startsAt") and _day(data["startsAt"]):
        parts.append(f"on {_day(data['startsAt'])}")
    if data.get("decision"):
        parts.append(f"decision: {str(data['decision']).replace('_', ' ').lower()}")
    if data.get("kind"):
        parts.append(str(data["kind"]).replace("_", " ").lower())
    if data.get("mergedId"):
        parts.append(f"Record {data['mergedId']}")
    if data.get("reason"):
        parts.append(f"reason: {data['reason']}")
    line = ", ".join(parts)
    return (line[:1].upper() + line[1:])[:1000]


def link_of(event_type: str, data: Mapping[str, Any]) -> str | None:
    template = _LINKS.get(event_type)
    if template is None:
        for prefix, candidate in _LINKS.items():
            if prefix.endswith(".") and event_type.startswith(prefix):
                template = candidate
                break
    if template is None:
        return None
    try:
        return template.format(**data)
    except (KeyError, IndexError, ValueError):
        return None  # the event lacks what the page needs: no link rather than a broken one


# --- writing ------------------------------------------------------------------------------------


async def survivor_of(db: AsyncSession, person_id: int) -> int | None:
    """The record that now holds this person's data: itself, or the record it was merged into
    (followed through a chain of merges); None when there is no such person."""
    seen: set[int] = set()
    current = person_id
    while current not in seen:
        seen.add(current)
        merged_into = (await db.execute(select(Person.merged_into_id).where(Person.id == current))).first()
        if merged_into is None:
            return None
        if merged_into[0] is None:
            return current
        current = merged_into[0]
    return current  # a cycle cannot be made by merge_people; stop rather than loop


async def add_timeline_entry(
    db: AsyncSession,
    person_id: int,
    occurred_at: datetime,
    agency: str,
    entry_type: str,
    title: str,
    summary: str = "",
    link: str | None = None,
    source_id: uuid.UUID | None = None,
    purpose: str | None = None,
) -> bool:
    """Write one entry on a person's timeline in the caller's transaction (no commit). An entry for
    a merged record goes to its survivor. With ``source_id`` it is written at most once: returns
    False when that source was already written (or the person does not exist)."""
    errors = []
    if agency not in AGENCIES:
        errors.append(FieldError("agency", f"Agency must be one of {', '.join(AGENCIES)}"))
    if not ENTRY_TYPE.match(entry_type) or len(entry_type) > 120:
        errors.append(FieldError("entry_type", "Entry type must look like court.sentence.imposed"))
    if not title.strip() or len(title) > 200:
        errors.append(FieldError("title", "Enter a title of at most 200 characters"))
    if link is not None and (not link.startswith("/") or link.startswith("//") or link.startswith("/api/")):
        errors.append(FieldError("link", "A link must be a Caselink page path, like /people/42"))
    if purpose is not None and purpose not in {p.value for p in DataPurpose}:
        errors.append(FieldError("purpose", f"Purpose must be one of {', '.join(p.value for p in DataPurpose)}"))
    if occurred_at.tzinfo is None:
        errors.append(FieldError("occurred_at", "The time must carry a time zone"))
    if errors:
        raise ValidationFailed(errors)
    holder = await survivor_of(db, person_id)
    if holder is None:
        return False
    stmt = insert(PersonTimelineEntry).values(
        person_id=holder,
        occurred_at=occurred_at,
        agency=agency,
        entry_type=entry_type,
        title=title.strip(),
        summary=summary,
        link=link,
        source_event_id=source_id,
        purpose=purpose,
    )
    if source_id is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=[PersonTimelineEntry.source_event_id])
    result = await db.execute(stmt.returning(PersonTimelineEntry.id))
    return result.first() is not None


async def record_event(db: AsyncSession, event: Event) -> bool:
    """The handler's work: the event on the timeline of the person it names (once, whatever the
    number of deliveries). Events naming no Caselink person are not a person's history here."""
    raw = event.person_ids.get("person")
    if raw is None or not str(raw).isdigit():
        return False
    purpose = event.data.get("purpose")
    return await add_timeline_entry(
        db,
        int(raw),
        event.time,
        agency_of(event.type),
        event.type,
        title_of(event.type),
        summary_of(event.data),
        link_of(event.type, event.data),
        source_id=event.id,
        purpose=purpose if purpose in {p.value for p in DataPurpose} else None,
    )


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    id: int
    occurred_at: datetime
    agency: str
    agency_label: str
    entry_type: str
    title: str
    summary: str
    link: str | None
    purpose: str | None


@dataclass(frozen=True)
class TimelinePage:
    person_id: int
    items: list[TimelineItem]
    page: int
    page_size: int
    total: int
    # What the filters offer: the agencies and types this person's timeline holds (value, label).
    agencies: list[tuple[str, str]]
    types: list[tuple[str, str]]
    agency: str | None = None
    entry_type: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def validate_filters(agency: str | None, entry_type: str | None) -> tuple[str | None, str | None]:
    errors = []
    agency = (agency or "").strip() or None
    entry_type = (entry_type or "").strip() or None
    if agency is not None and agency not in AGENCIES:
        errors.append(FieldError("agency", f"Agency must be one of {', '.join(AGENCIES)}"))
    if entry_type is not None and (not ENTRY_TYPE.match(entry_type) or len(entry_type) > 120):
        errors.append(FieldError("type", "Type must be an entry type such as court.sentence.imposed"))
    if errors:
        raise ValidationFailed(errors)
    return agency, entry_type


async def timeline_page(
    db: AsyncSession,
    actor: Actor,
    person_id: int,
    agency: str | None = None,
    entry_type: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    audit: bool = True,
) -> TimelinePage:
    """One page of a person's timeline, newest first. Two queries whatever the page: the counts per
    (agency, type) give both the filter options and the total; then the page itself. The person
    page passes ``audit=False``: its read of the record is already audited."""
    check(actor, "people:read")
    agency, entry_type = validate_filters(agency, entry_type)
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    if await db.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise NotFound(f"There is no person with id {person_id}.")
    t = PersonTimelineEntry
    counts = (
        await db.execute(
            select(t.agency, t.entry_type, func.count())
            .where(t.person_id == person_id)
            .group_by(t.agency, t.entry_type)
        )
    ).all()
    total = sum(
        n for a, kind, n in counts if (agency is None or a == agency) and (entry_type is None or kind == entry_type)
    )
    conditions = [t.person_id == person_id]
    if agency:
        conditions.append(t.agency == agency)
    if entry_type:
        conditions.append(t.entry_type == entry_type)
    rows = (
        await db.execute(
            select(t.id, t.occurred_at, t.agency, t.entry_type, t.title, t.summary, t.link, t.purpose)
            .where(*conditions)
            .order_by(t.occurred_at.desc(), t.id.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    ).all()
    if audit:
        await record(
            db,
            actor,
            "person.timeline.read",
            "person",
            person_id,
            detail={"agency": agency, "type": entry_type, "page": page},
        )
        await db.commit()
    items = [
        TimelineItem(
            r.id,
            r.occurred_at,
            r.agency,
            AGENCIES.get(r.agency, r.agency),
            r.entry_type,
            r.title,
            r.summary,
            r.link,
            r.purpose,
        )
        for r in rows
    ]
    agencies = sorted({a for a, _, _ in counts}, key=list(AGENCIES).index)
    types = sorted({kind for _, kind, _ in counts}, key=title_of)
    return TimelinePage(
        person_id,
        items,
        page,
        page_size,
        total,
        [(a, AGENCIES[a]) for a in agencies],
        [(kind, title_of(kind)) for kind in types],
        agency,
        entry_type,
    )
