"""JSON API of custody: expected arrivals, receptions, locations, movements and reversals, the roll,
upcoming releases and release dates. Errors are RFC 9457 problem details with field paths."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from caselink.custody import service
from caselink.custody.schemas import (
    EXPECTED_ARRIVALS_EXAMPLE,
    BookingOut,
    ExpectedArrivalIn,
    ExpectedArrivalOut,
    LocationIn,
    MovementIn,
    OverrideIn,
    ReceptionIn,
    ReleaseDatesOut,
    ReversalIn,
    RollOut,
    SentencesIn,
    UpcomingReleasesOut,
)
from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import PROBLEM, example_response

router = APIRouter(prefix="/custody", tags=["custody"])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {**PROBLEM, "description": "Not your prison"},
    404: {**PROBLEM, "description": "No such record"},
    409: {**PROBLEM, "description": "The record's state does not allow this"},
    422: {**PROBLEM, "description": "Invalid input, with field paths"},
}
Reader = Annotated[Actor, Depends(requires("custody:read"))]
Writer = Annotated[Actor, Depends(requires("custody:write"))]
Calculator = Annotated[Actor, Depends(requires("custody:release_dates"))]


def _created_example(url: str, id: int) -> dict[int | str, Any]:
    """The documented 201 answer of a route that answers with _created()."""
    return {**ERRORS, **example_response({"id": id, "url": url}, 201)}


def _created(url: str, id: int) -> JSONResponse:
    return JSONResponse({"id": id, "url": url}, status_code=201, headers={"Location": url})


@router.get(
    "/expected-arrivals",
    summary="People expected at a prison",
    responses={**ERRORS, **example_response(EXPECTED_ARRIVALS_EXAMPLE)},
)
async def expected_arrivals(
    db: DbSession,
    actor: Reader,
    prison: Annotated[str | None, Query(description="Prison code; defaults to your own")] = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, object]:
    found, items, total = await service.expected_arrivals(db, actor, prison, page, page_size)
    rows: list[ExpectedArrivalOut] = items
    return {"prison_code": found.code, "items": rows, "page": page, "total": total}


@router.post(
    "/expected-arrivals",
    status_code=201,
    summary="Expect someone at a prison",
    responses=_created_example("/api/v1/custody/expected-arrivals?prison=BXI", 3390),
)
async def create_expected_arrival(db: DbSession, actor: Writer, body: ExpectedArrivalIn) -> JSONResponse:
    arrival_id = await service.create_expected_arrival(db, actor, body)
    return _created(f"/api/v1/custody/expected-arrivals?prison={body.prison_code}", arrival_id)


@router.post("/expected-arrivals/{arrival_id}/cancel", status_code=204, responses=ERRORS)
async def cancel_expected_arrival(db: DbSession, actor: Writer, arrival_id: int) -> Response:
    await service.cancel_expected_arrival(db, actor, arrival_id)
    return Response(status_code=204)


@router.post(
    "/receptions",
    status_code=201,
    summary="Receive a person into a prison",
    responses=_created_example("/api/v1/custody/bookings/6120", 6120),
)
async def receive(db: DbSession, actor: Writer, body: ReceptionIn) -> JSONResponse:
    """Allocates a prison number if the person has none. Emits `custody.person.received` after
    the 45-minute hold-back."""
    booking_id = await service.receive(db, actor, body)
    return _created(f"/api/v1/custody/bookings/{booking_id}", booking_id)


@router.get(
    "/bookings/{booking_id}", response_model=BookingOut, summary="A booking and its movements", responses=ERRORS
)
async def get_booking(db: DbSession, actor: Reader, booking_id: int) -> BookingOut:
    return await service.get_booking(db, actor, booking_id)


@router.put("/bookings/{booking_id}/location", status_code=204, responses=ERRORS)
async def set_location(db: DbSession, actor: Writer, booking_id: int, body: LocationIn) -> Response:
    await service.set_location(db, actor, booking_id, body.location)
    return Response(status_code=204)


@router.post(
    "/bookings/{booking_id}/movements",
    status_code=201,
    summary="Record a movement",
    responses=_created_example("/api/v1/custody/bookings/6120", 40602),
)
async def record_movement(db: DbSession, actor: Writer, booking_id: int, body: MovementIn) -> JSONResponse:
    """Transfer (`custody.person.transferred`), court production, temporary release, return, or
    release (`custody.person.released`, with licence dates when on licence). Events go out after
    a 45-minute hold-back unless the movement is reversed first."""
    movement_id = await service.record_movement(db, actor, booking_id, body)
    return _created(f"/api/v1/custody/bookings/{booking_id}", movement_id)


@router.post("/movements/{movement_id}/reversal", status_code=204, summary="Reverse a movement", responses=ERRORS)
async def reverse_movement(db: DbSession, actor: Writer, movement_id: int, body: ReversalIn) -> Response:
    await service.reverse_movement(db, actor, movement_id, body.reason)
    return Response(status_code=204)


@router.get("/prisons/{prison_code}/roll", response_model=RollOut, summary="Who is in a prison", responses=ERRORS)
async def roll(db: DbSession, actor: Reader, prison_code: str, page: int = 1, page_size: int = 100) -> RollOut:
    return await service.roll(db, actor, prison_code, page, page_size)


@router.get(
    "/prisons/{prison_code}/upcoming-releases",
    response_model=UpcomingReleasesOut,
    summary="Releases due from a prison",
    responses=ERRORS,
)
async def upcoming_releases(
    db: DbSession,
    actor: Reader,
    prison_code: str,
    from_date: date | None = None,
    days: int = 28,
    page: int = 1,
    page_size: int = 100,
) -> UpcomingReleasesOut:
    return await service.upcoming_releases(db, actor, prison_code, from_date or date.today(), days, page, page_size)


@router.get(
    "/people/{person_id}/release-dates",
    response_model=ReleaseDatesOut,
    summary="A person's release dates with how each was worked out",
    responses=ERRORS,
)
async def release_dates(db: DbSession, actor: Reader, person_id: int) -> ReleaseDatesOut:
    return await service.release_dates(db, actor, person_id)


@router.put(
    "/people/{person_id}/sentences",
    status_code=201,
    summary="Enter sentences and recalculate",
    responses=_created_example("/api/v1/custody/people/4211/release-dates", 1508),
)
async def replace_sentences(db: DbSession, actor: Calculator, person_id: int, body: SentencesIn) -> JSONResponse:
    """Replaces the person's terms and credit; bad input is refused with field paths such as
    `terms.1.consecutive_to`, and nothing changes."""
    calc_id = await service.replace_sentences(db, actor, person_id, body)
    return _created(f"/api/v1/custody/people/{person_id}/release-dates", calc_id)


@router.post(
    "/people/{person_id}/release-dates/override",
    status_code=201,
    summary="Override one date",
    responses=_created_example("/api/v1/custody/people/4211/release-dates", 1509),
)
async def override(db: DbSession, actor: Calculator, person_id: int, body: OverrideIn) -> JSONResponse:
    calc_id = await service.override_release_date(db, actor, person_id, body)
    return _created(f"/api/v1/custody/people/{person_id}/release-dates", calc_id)
