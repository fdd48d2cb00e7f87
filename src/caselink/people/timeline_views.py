"""What the person page shows besides the record itself: the timeline (filtered, a page at a
time) and the merge history. Kept here so the person page view only spreads it into its context."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.people import merge, timeline
from caselink.platform.access import Actor
from caselink.platform.access.policy import has_permission
from caselink.platform.errors import ValidationFailed
from caselink.web.pagination import pagination


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < len(value) < 18 else None


async def person_page_extras(
    request: Request,
    db: AsyncSession,
    actor: Actor,
    person_id: int,
    agency: str = "",
    entry_type: str = "",
    page: str = "1",
) -> dict[str, Any]:
    """Context for the person page's timeline and merge sections; the record's read is audited by
    get_person, so these reads are not audited again."""
    try:
        timeline.validate_filters(agency, entry_type)
    except ValidationFailed:
        agency, entry_type = "", ""  # a hand-edited filter is read as no filter, like a bad page number
    page_number = _number(page) or 1
    result = await timeline.timeline_page(
        db, actor, person_id, agency or None, entry_type or None, min(page_number, 10_000), audit=False
    )
    merges = await merge.list_merges(db, actor, person_id)
    merged_id = _number(request.query_params.get("merged", ""))
    unmerged_id = _number(request.query_params.get("unmerged", ""))
    return {
        "timeline": result,
        "timeline_pagination": pagination(request, result.page, result.pages),
        "merges": merges,
        "can_merge": has_permission(actor, "people:merge"),
        "merged_now": next((m for m in merges if m.id == merged_id), None),
        "unmerged_now": next((m for m in merges if m.id == unmerged_id), None),
    }
