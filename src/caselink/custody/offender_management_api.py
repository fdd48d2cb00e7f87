"""JSON API of prison offender management under /api/v1/custody: allocate a booking's prison
offender manager, read the allocation and its history, a POM's list, the prison's unallocated
list and its offender managers. Errors are RFC 9457 problem details with field paths."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from caselink.custody import offender_management_service as service
from caselink.custody.api import ERRORS
from caselink.custody.offender_management_schemas import (
    AllocationOut,
    BookingOffenderManagerOut,
    OffenderManagerIn,
    OffenderManagerOption,
    PrisonerListOut,
)
from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires

router = APIRouter(prefix="/custody", tags=["custody"])

Reader = Annotated[Actor, Depends(requires("custody:read"))]
Allocator = Annotated[Actor, Depends(requires("custody:allocate"))]


@router.post(
    "/bookings/{booking_id}/offender-manager",
    status_code=201,
    summary="Allocate a booking's prison offender manager",
    responses={**ERRORS, 201: {"model": AllocationOut, "description": "The new allocation"}},
)
async def allocate(db: DbSession, actor: Allocator, booking_id: int, body: OffenderManagerIn) -> JSONResponse:
    """The member of staff must be of the booking's prison and hold the prison offender manager
    role and be allowed to see the person (limited access): `staff_id` is refused otherwise, and
    nothing changes. Needs `custody:allocate` (prison offender managers). Replaces any current allocation.
    Emits `custody.offender_manager.allocated`."""
    out = await service.allocate(db, actor, booking_id, body.staff_id, body.reason)
    url = f"/api/v1/custody/bookings/{booking_id}/offender-manager"
    return JSONResponse(out.model_dump(mode="json"), status_code=201, headers={"Location": url})


@router.get(
    "/bookings/{booking_id}/offender-manager",
    response_model=BookingOffenderManagerOut,
    summary="A booking's prison offender manager and the allocation history",
    responses=ERRORS,
)
async def offender_manager(db: DbSession, actor: Reader, booking_id: int) -> BookingOffenderManagerOut:
    return await service.booking_offender_manager(db, actor, booking_id)


@router.get(
    "/offender-management/prisoners",
    response_model=PrisonerListOut,
    summary="A prison offender manager's list: your prisoners (or a colleague's)",
    responses=ERRORS,
)
async def my_prisoners(
    db: DbSession,
    actor: Reader,
    staff_id: Annotated[int | None, Query(description="A colleague at your prison; defaults to you")] = None,
    page: int = 1,
    page_size: int = 50,
) -> PrisonerListOut:
    return await service.my_prisoners(db, actor, staff_id, page, page_size)


@router.get(
    "/prisons/{prison_code}/unallocated",
    response_model=PrisonerListOut,
    summary="Prisoners with no prison offender manager",
    responses=ERRORS,
)
async def unallocated(
    db: DbSession, actor: Reader, prison_code: str, page: int = 1, page_size: int = 50
) -> PrisonerListOut:
    return await service.unallocated(db, actor, prison_code, page, page_size)


@router.get(
    "/prisons/{prison_code}/offender-managers",
    response_model=list[OffenderManagerOption],
    summary="A prison's offender managers and their caseloads",
    responses=ERRORS,
)
async def offender_managers(db: DbSession, actor: Reader, prison_code: str) -> list[OffenderManagerOption]:
    _, options = await service.prison_offender_managers(db, actor, prison_code)
    return options
