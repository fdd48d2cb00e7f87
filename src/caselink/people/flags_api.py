"""JSON API of registrations (risk flags) and limited access on a person's record."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from caselink.db.session import DbSession
from caselink.people import limited_access, registrations
from caselink.people.registration_schemas import (
    ACCESS_LIMIT_EXAMPLE,
    FLAG_EXAMPLE,
    AccessLimitIn,
    FlagEndIn,
    FlagIn,
    FlagReviewIn,
    LiftIn,
)
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import PROBLEM, example_response

router = APIRouter(tags=["people"])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {**PROBLEM, "description": "Not allowed, or the person is limited-access (detail: the message to show)"},
    404: {**PROBLEM, "description": "No such person or registration"},
    422: {**PROBLEM, "description": "Bad input, with field paths"},
}
Reader = Annotated[Actor, Depends(requires("people:read"))]
Flagger = Annotated[Actor, Depends(requires("people:flags"))]
Limiter = Annotated[Actor, Depends(requires("people:limit_access"))]


@router.get(
    "/people/{person_id}/flags",
    summary="A person's registrations, live and ended",
    responses={**ERRORS, **example_response({"items": [FLAG_EXAMPLE]})},
)
async def list_flags(db: DbSession, actor: Reader, person_id: int) -> dict[str, Any]:
    flags = await registrations.list_flags(db, actor, person_id)
    return {"items": [f.as_json() for f in flags]}


@router.post(
    "/people/{person_id}/flags",
    status_code=201,
    summary="Add a registration",
    responses={**ERRORS, **example_response(FLAG_EXAMPLE, 201)},
)
async def add_flag(db: DbSession, actor: Flagger, person_id: int, body: FlagIn) -> dict[str, object]:
    """A review task is put in the owner's work queue, due 10 working days before the review date."""
    data = registrations.FlagInput(
        body.type, body.level, body.category, body.start_date, body.review_date, body.owner_staff_id, body.notes
    )
    return (await registrations.add_flag(db, actor, person_id, data)).as_json()


@router.post(
    "/people/{person_id}/flags/{flag_id}/review",
    summary="Record a review",
    responses={**ERRORS, **example_response(FLAG_EXAMPLE)},
)
async def review_flag(
    db: DbSession, actor: Flagger, person_id: int, flag_id: int, body: FlagReviewIn
) -> dict[str, object]:
    view = await registrations.review_flag(
        db,
        actor,
        person_id,
        flag_id,
        next_review_date=body.next_review_date,
        level=body.level,
        category=body.category,
        notes=body.notes,
    )
    return view.as_json()


@router.post(
    "/people/{person_id}/flags/{flag_id}/end",
    summary="End a registration",
    responses={**ERRORS, **example_response({**FLAG_EXAMPLE, "ended_on": "2026-03-10", "end_reason": "Order ended"})},
)
async def end_flag(db: DbSession, actor: Flagger, person_id: int, flag_id: int, body: FlagEndIn) -> dict[str, object]:
    view = await registrations.end_flag(db, actor, person_id, flag_id, reason=body.reason, ended_on=body.ended_on)
    return view.as_json()


@router.get(
    "/people/{person_id}/access-limits",
    summary="Exclusions and restrictions",
    responses={**ERRORS, **example_response({"items": [ACCESS_LIMIT_EXAMPLE]})},
)
async def list_limits(db: DbSession, actor: Limiter, person_id: int) -> dict[str, Any]:
    return {"items": [v.as_json() for v in await limited_access.list_limits(db, actor, person_id)]}


@router.post(
    "/people/{person_id}/access-limits",
    status_code=201,
    summary="Set an exclusion or restriction",
    responses={**ERRORS, **example_response(ACCESS_LIMIT_EXAMPLE, 201)},
)
async def add_limit(db: DbSession, actor: Limiter, person_id: int, body: AccessLimitIn) -> dict[str, object]:
    data = limited_access.LimitInput(
        body.kind, body.staff_ids, body.message, body.reason, body.starts_at, body.ends_at, body.responsible_staff_id
    )
    return (await limited_access.add_limit(db, actor, person_id, data)).as_json()


@router.post(
    "/people/{person_id}/access-limits/{limit_id}/lift",
    summary="Lift a limit",
    responses={**ERRORS, **example_response(ACCESS_LIMIT_EXAMPLE)},
)
async def lift_limit(db: DbSession, actor: Limiter, person_id: int, limit_id: int, body: LiftIn) -> dict[str, object]:
    return (await limited_access.lift_limit(db, actor, person_id, limit_id, body.reason)).as_json()
