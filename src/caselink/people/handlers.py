"""Outbox handlers of the person index: every context's events about a person go on that person's
timeline, in the relay's transaction (idempotent: the event id is unique on the timeline)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from caselink.people import timeline
from caselink.platform.events.rules import Event
from caselink.platform.events.service import register_handler

TIMELINE_HANDLER = "people.timeline"


@register_handler(TIMELINE_HANDLER, timeline.TIMELINE_EVENT_PATTERNS)
async def write_timeline(db: AsyncSession, event: Event) -> None:
    await timeline.record_event(db, event)
