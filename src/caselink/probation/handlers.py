"""Probation's reactions to other contexts' events. Each is idempotent: a replayed event finds
its case already made (unique source_event_id) or the tier already right."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.events.rules import Event
from caselink.platform.events.service import register_handler
from caselink.probation import service

CASES_FROM_SENTENCES = "probation.cases_from_sentences"
CASES_FROM_RELEASES = "probation.cases_from_releases"
TIER_FROM_ASSESSMENTS = "probation.tier_from_assessments"
TIER_FROM_FLAGS = "probation.tier_from_flags"


@register_handler(CASES_FROM_SENTENCES, ["court.sentence.imposed"])
async def case_from_sentence(db: AsyncSession, event: Event) -> None:
    """A community order or suspended sentence order opens a probation case."""
    await service.case_from_sentence_event(db, event)


@register_handler(CASES_FROM_RELEASES, ["custody.person.released"])
async def case_from_release(db: AsyncSession, event: Event) -> None:
    """A release on licence opens a licence case."""
    await service.case_from_release_event(db, event)


@register_handler(TIER_FROM_ASSESSMENTS, ["assessments.assessment.completed"])
async def tier_from_assessment(db: AsyncSession, event: Event) -> None:
    person_id = event.person_ids.get("person")
    if person_id is not None:
        await service.recalculate_tier(db, int(person_id), "assessment_completed")


@register_handler(TIER_FROM_FLAGS, ["people.registration.*"])
async def tier_from_flag(db: AsyncSession, event: Event) -> None:
    person_id = event.person_ids.get("person")
    if person_id is not None:
        await service.recalculate_tier(db, int(person_id), f"flag_{event.type.rsplit('.', 1)[-1]}")
