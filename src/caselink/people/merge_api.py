"""JSON API of merge and unmerge, and of a person's cross-agency timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from caselink.db.session import DbSession
from caselink.people import merge, timeline
from caselink.people.merge_schemas import (
    MergeIn,
    MergeList,
    MergeOut,
    TimelineEntryOut,
    TimelinePageOut,
    UnmergeIn,
)
from caselink.platform.access import Actor, requires
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.platform.openapi import PROBLEM

router = APIRouter(tags=["people"])

Reader = Annotated[Actor, Depends(requires("people:read"))]
Merger = Annotated[Actor, Depends(requires("people:merge"))]


def merge_out(record: merge.MergeRecord) -> MergeOut:
    return MergeOut(
        id=record.id,
        survivor_id=record.survivor_id,
        merged_id=record.merged_id,
        reason=record.reason,
        merged_by=record.merged_by,
        merged_at=record.merged_at,
        moved=record.moved_counts,
        active=record.is_active,
        undone_at=record.undone_at,
        undone_by=record.undone_by,
        undo_reason=record.undo_reason,
    )


@router.post(
    "/people/{person_id}/merge",
    status_code=201,
    response_model=MergeOut,
    summary="Merge this duplicate record into another (the survivor)",
    responses={
        403: {**PROBLEM, "description": "No people:merge, or a record the caller may not see (limited access)"},
        404: {**PROBLEM, "description": "No such person"},
        409: {**PROBLEM, "description": "Already merged, survivor merged, or records that cannot be held twice"},
        422: {**PROBLEM, "description": "Merge into itself, no such survivor, no reason"},
    },
)
async def merge_person(db: DbSession, actor: Merger, person_id: int, body: MergeIn) -> MergeOut:
    """Every record referring to this person moves to the survivor; the merge can be undone exactly."""
    return merge_out(await merge.merge_people(db, actor, body.survivor_id, person_id, body.reason))


@router.post(
    "/people/merges/{merge_id}/unmerge",
    response_model=MergeOut,
    summary="Undo a merge exactly",
    responses={
        404: {**PROBLEM, "description": "No such merge (never merged)"},
        409: {**PROBLEM, "description": "Already undone, or the survivor was merged again since"},
        422: {**PROBLEM, "description": "No reason"},
    },
)
async def unmerge(db: DbSession, actor: Merger, merge_id: int, body: UnmergeIn) -> MergeOut:
    """The rows the merge moved go back; rows recorded on the survivor since stay with it."""
    return merge_out(await merge.unmerge(db, actor, merge_id, body.reason))


@router.get(
    "/people/{person_id}/merges",
    response_model=MergeList,
    summary="Merges into or of this record, newest first",
    responses={404: {**PROBLEM, "description": "No such person"}},
)
async def list_merges(db: DbSession, actor: Reader, person_id: int) -> MergeList:
    return MergeList(items=[merge_out(m) for m in await merge.list_merges(db, actor, person_id)])


@router.get(
    "/people/{person_id}/timeline",
    response_model=TimelinePageOut,
    summary="A person's timeline across agencies, newest first",
    responses={
        404: {**PROBLEM, "description": "No such person"},
        422: {**PROBLEM, "description": "Unknown agency or malformed type (`query.agency`, `query.type`)"},
    },
)
async def person_timeline(
    db: DbSession,
    actor: Reader,
    person_id: int,
    agency: Annotated[
        str | None, Query(description="police, cps, courts, prison, probation or caselink (the index itself)")
    ] = None,
    type: Annotated[str | None, Query(description="An entry type, e.g. court.sentence.imposed")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=timeline.MAX_PAGE_SIZE)] = timeline.PAGE_SIZE,
) -> TimelinePageOut:
    """Audited as a read of the person's record."""
    try:
        result = await timeline.timeline_page(db, actor, person_id, agency, type, page, page_size)
    except ValidationFailed as exc:
        raise ValidationFailed([FieldError(f"query.{e.field}", e.message) for e in exc.errors]) from None
    return TimelinePageOut(
        items=[
            TimelineEntryOut(
                id=i.id,
                occurred_at=i.occurred_at,
                agency=i.agency,
                type=i.entry_type,
                title=i.title,
                summary=i.summary,
                link=i.link,
                purpose=i.purpose,
            )
            for i in result.items
        ],
        page=result.page,
        page_size=result.page_size,
        total=result.total,
        pages=result.pages,
    )
