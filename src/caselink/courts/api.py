"""JSON API of the courts: hearings (list, re-list, adjourn, trial effectiveness), results (pleas,
outcomes per charge, remand decisions, sentences) and a court's daily list. Errors are RFC 9457
problem details with field paths into the request body."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from caselink.courts import service
from caselink.courts.schemas import (
    AdjournIn,
    DailyListOut,
    HearingListIn,
    HearingOut,
    PleasIn,
    RelistIn,
    RemandIn,
    ResultsIn,
    SentenceIn,
    TrialOutcomeIn,
)
from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import PROBLEM, example_response

router = APIRouter(prefix="/courts", tags=["courts"])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {**PROBLEM, "description": "Not your court"},
    404: {**PROBLEM, "description": "No such hearing"},
    409: {**PROBLEM, "description": "The hearing's state does not allow this (vacated, or not yet its day)"},
    422: {**PROBLEM, "description": "Invalid input, with field paths"},
}
Reader = Annotated[Actor, Depends(requires("courts:read"))]
Lister = Annotated[Actor, Depends(requires("courts:list"))]
Writer = Annotated[Actor, Depends(requires("courts:results"))]

# Examples of the small answers below (the hearing itself is GET /hearings/{id}).
CREATED = {"id": 5521, "url": "/api/v1/courts/hearings/5521"}
UPDATED = {"id": 5521}


def _created(hearing_id: int) -> JSONResponse:
    return JSONResponse(
        {"id": hearing_id, "url": f"/api/v1/courts/hearings/{hearing_id}"},
        status_code=201,
        headers={"Location": f"/api/v1/courts/hearings/{hearing_id}"},
    )


@router.post(
    "/hearings",
    status_code=201,
    summary="List a case for a hearing",
    responses={**ERRORS, **example_response(CREATED, 201)},
)
async def list_hearing(db: DbSession, actor: Writer, body: HearingListIn) -> JSONResponse:
    """The hearing must be in the future, at a magistrates' court or Crown Court, with a type of
    hearing from the standing data. Emits `court.hearing.listed` for each defendant."""
    return _created(await service.list_hearing(db, actor, body))


@router.get("/hearings/{hearing_id}", response_model=HearingOut, summary="A hearing with its results", responses=ERRORS)
async def get_hearing(db: DbSession, actor: Reader, hearing_id: int) -> HearingOut:
    return await service.get_hearing(db, actor, hearing_id)


@router.post(
    "/hearings/{hearing_id}/relist",
    status_code=201,
    summary="Re-list a hearing",
    responses={**ERRORS, **example_response(CREATED, 201)},
)
async def relist(db: DbSession, actor: Writer, hearing_id: int, body: RelistIn) -> JSONResponse:
    """Vacates the listing and lists the case again (for a future time); returns the new hearing."""
    return _created(await service.relist_hearing(db, actor, hearing_id, body))


@router.post(
    "/hearings/{hearing_id}/adjourn",
    summary="Adjourn a hearing, with a reason",
    responses={**ERRORS, **example_response({"id": 5521, "next_hearing_id": 5607})},
)
async def adjourn(db: DbSession, actor: Writer, hearing_id: int, body: AdjournIn) -> JSONResponse:
    new_id = await service.adjourn_hearing(db, actor, hearing_id, body)
    return JSONResponse({"id": hearing_id, "next_hearing_id": new_id})


@router.post(
    "/hearings/{hearing_id}/trial",
    summary="Record whether a trial was effective",
    responses={**ERRORS, **example_response(UPDATED)},
)
async def trial(db: DbSession, actor: Writer, hearing_id: int, body: TrialOutcomeIn) -> JSONResponse:
    await service.record_trial_outcome(db, actor, hearing_id, body)
    return JSONResponse({"id": hearing_id})


@router.post(
    "/hearings/{hearing_id}/pleas", summary="Record pleas per charge", responses={**ERRORS, **example_response(UPDATED)}
)
async def pleas(db: DbSession, actor: Writer, hearing_id: int, body: PleasIn) -> JSONResponse:
    await service.record_pleas(db, actor, hearing_id, body)
    return JSONResponse({"id": hearing_id})


@router.post(
    "/hearings/{hearing_id}/outcomes",
    summary="Record verdicts and outcomes per charge",
    responses={**ERRORS, **example_response(UPDATED)},
)
async def outcomes(db: DbSession, actor: Writer, hearing_id: int, body: ResultsIn) -> JSONResponse:
    """A charge not before the court is refused (`results.N.charge_id`). Emits
    `court.defendant.convicted`, and `court.case.concluded` when every charge has ended."""
    await service.record_outcomes(db, actor, hearing_id, body)
    return JSONResponse({"id": hearing_id})


@router.post(
    "/hearings/{hearing_id}/remands",
    summary="Record a remand decision",
    responses={**ERRORS, **example_response(UPDATED)},
)
async def remands(db: DbSession, actor: Writer, hearing_id: int, body: RemandIn) -> JSONResponse:
    """Emits `court.defendant.remanded_in_custody` or `court.bail.granted`."""
    await service.record_remand(db, actor, hearing_id, body)
    return JSONResponse({"id": hearing_id})


@router.post(
    "/hearings/{hearing_id}/sentences",
    status_code=201,
    summary="Sentence a defendant",
    responses={**ERRORS, **example_response({"id": 881, "hearing_id": 5521}, 201)},
)
async def sentences(db: DbSession, actor: Writer, hearing_id: int, body: SentenceIn) -> JSONResponse:
    """Only convicted charges can be sentenced (`disposals.N...charge_id`). Emits
    `court.sentence.imposed` with the full terms."""
    sentence_id = await service.impose_sentence(db, actor, hearing_id, body)
    return JSONResponse({"id": sentence_id, "hearing_id": hearing_id}, status_code=201)


@router.get("/units/{unit_code}/daily-list", response_model=DailyListOut, summary="A court's list for a day")
async def daily_list(
    db: DbSession,
    actor: Lister,
    unit_code: str,
    sitting_date: Annotated[date, Query(alias="date")],
    page: Annotated[int, Query(ge=1, le=1_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = service.DAILY_LIST_PAGE_SIZE,
) -> DailyListOut:
    unit = await service.court_unit(db, unit_code, "path.unit_code")
    return await service.daily_list(db, actor, unit.id, sitting_date, page, page_size)
