"""JSON API of supervision, enforcement and recall under /api/v1/probation. Errors are RFC 9457
problem details with field paths (``attendance.1.hours``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import PROBLEM, example_response
from caselink.probation import plan_service, recall_service
from caselink.probation import supervision_service as service
from caselink.probation.supervision_schemas import (
    CONTACT_EXAMPLE,
    LICENCE_CONDITION_CHANGED_EXAMPLE,
    OBJECTIVE_CHANGED_EXAMPLE,
    SESSION_LIST_EXAMPLE,
    AttendanceIn,
    ContactIn,
    CountersignIn,
    DecisionIn,
    LicenceConditionIn,
    LicenceConditionUpdate,
    ObjectiveIn,
    ObjectiveUpdate,
    OutcomeIn,
    OutcomeResult,
    PlaceIn,
    RecallIn,
    RecallOut,
    RejectIn,
    SessionIn,
    SessionOut,
    SupervisionOut,
)

router = APIRouter(prefix="/probation", tags=["probation supervision"])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {**PROBLEM, "description": "Not your case, or not your role"},
    404: {**PROBLEM, "description": "No such record"},
    409: {**PROBLEM, "description": "The record's state does not allow this"},
    422: {**PROBLEM, "description": "Invalid input, with field paths"},
}
Reader = Annotated[Actor, Depends(requires("probation:read"))]
Supervisor = Annotated[Actor, Depends(requires("probation:supervise"))]
UpwSupervisor = Annotated[Actor, Depends(requires("probation:upw"))]
Countersigner = Annotated[Actor, Depends(requires("probation:countersign"))]


def _created(url: str, id: int) -> JSONResponse:
    return JSONResponse({"id": id, "url": url}, status_code=201, headers={"Location": url})


def _created_example(url: str, id: int) -> dict[int | str, Any]:
    """The documented 201 answer of a route that answers with _created()."""
    return {**ERRORS, **example_response({"id": id, "url": url}, 201)}


@router.get("/cases/{case_id}/supervision", summary="Requirements, plan, enforcement and recalls", responses=ERRORS)
async def supervision(db: DbSession, actor: Reader, case_id: int) -> SupervisionOut:
    return await service.supervision(db, actor, case_id)


@router.get(
    "/cases/{case_id}/contacts",
    summary="A case's contacts, newest first",
    responses={**ERRORS, **example_response({"items": [CONTACT_EXAMPLE], "page": 1, "total": 1})},
)
async def contacts(db: DbSession, actor: Reader, case_id: int, page: int = 1, page_size: int = 25) -> dict[str, Any]:
    items, total = await service.list_contacts(db, actor, case_id, page, page_size)
    return {"items": items, "page": page, "total": total}


@router.post(
    "/cases/{case_id}/contacts",
    status_code=201,
    summary="Book an appointment or record a contact",
    responses=_created_example("/api/v1/probation/contacts/70231", 70231),
)
async def create_contact(db: DbSession, actor: Supervisor, case_id: int, body: ContactIn) -> JSONResponse:
    contact_id = await service.create_contact(db, actor, case_id, body)
    return _created(f"/api/v1/probation/contacts/{contact_id}", contact_id)


@router.get("/contacts/{contact_id}", summary="One contact", responses={**ERRORS, **example_response(CONTACT_EXAMPLE)})
async def get_contact(db: DbSession, actor: Reader, contact_id: int) -> Any:
    contact, _ = await service.get_contact(db, actor, contact_id)
    return contact


@router.post("/contacts/{contact_id}/outcome", summary="Record a contact's outcome", responses=ERRORS)
async def record_outcome(db: DbSession, actor: Supervisor, contact_id: int, body: OutcomeIn) -> OutcomeResult:
    """Refused before the appointment has happened or when already recorded. An unacceptable
    absence or a failure to comply is counted for enforcement (warning, then breach action)."""
    return await service.record_outcome(db, actor, contact_id, body)


@router.post("/enforcement/{action_id}/close", status_code=204, responses=ERRORS)
async def close_enforcement(db: DbSession, actor: Supervisor, action_id: int) -> Response:
    await service.close_enforcement(db, actor, action_id)
    return Response(status_code=204)


@router.post(
    "/cases/{case_id}/objectives",
    status_code=201,
    summary="Add a sentence plan objective",
    responses=_created_example("/api/v1/probation/cases/3301/supervision", 611),
)
async def add_objective(db: DbSession, actor: Supervisor, case_id: int, body: ObjectiveIn) -> JSONResponse:
    objective_id = await service.add_objective(db, actor, case_id, body)
    return _created(f"/api/v1/probation/cases/{case_id}/supervision", objective_id)


@router.post(
    "/cases/{case_id}/licence-conditions",
    status_code=201,
    summary="Add a licence condition",
    responses=_created_example("/api/v1/probation/cases/3340/supervision", 230),
)
async def add_licence_condition(
    db: DbSession, actor: Supervisor, case_id: int, body: LicenceConditionIn
) -> JSONResponse:
    condition_id = await service.add_licence_condition(db, actor, case_id, body)
    return _created(f"/api/v1/probation/cases/{case_id}/supervision", condition_id)


@router.patch(
    "/cases/{case_id}/objectives/{objective_id}",
    summary="Change a sentence plan objective",
    responses={**ERRORS, **example_response(OBJECTIVE_CHANGED_EXAMPLE)},
)
async def update_objective(
    db: DbSession, actor: Supervisor, case_id: int, objective_id: int, body: ObjectiveUpdate
) -> dict[str, Any]:
    """Only the fields given change (`target_date: null` clears it). Refused on a terminated case.
    Audited with each changed field's old and new value; answers with those changes."""
    changes = await plan_service.update_objective(db, actor, case_id, objective_id, body)
    return {"id": objective_id, "changes": changes}


@router.patch(
    "/cases/{case_id}/licence-conditions/{condition_id}",
    summary="Change a licence condition",
    responses={**ERRORS, **example_response(LICENCE_CONDITION_CHANGED_EXAMPLE)},
)
async def update_licence_condition(
    db: DbSession, actor: Supervisor, case_id: int, condition_id: int, body: LicenceConditionUpdate
) -> dict[str, Any]:
    """Only the fields given change. Refused on a terminated case. Audited with old and new values."""
    changes = await plan_service.update_licence_condition(db, actor, case_id, condition_id, body)
    return {"id": condition_id, "changes": changes}


@router.get(
    "/upw/sessions",
    summary="Your unit's unpaid work sessions",
    responses={**ERRORS, **example_response(SESSION_LIST_EXAMPLE)},
)
async def sessions(
    db: DbSession, actor: UpwSupervisor, on_or_after: date | None = None, page: int = 1
) -> dict[str, Any]:
    items, total = await service.list_sessions(db, actor, on_or_after or date.today(), page)
    return {"items": items, "page": page, "total": total}


@router.post(
    "/upw/sessions",
    status_code=201,
    summary="Plan an unpaid work session",
    responses=_created_example("/api/v1/probation/upw/sessions/902", 902),
)
async def create_session(db: DbSession, actor: UpwSupervisor, body: SessionIn) -> JSONResponse:
    session_id = await service.create_session(db, actor, body)
    return _created(f"/api/v1/probation/upw/sessions/{session_id}", session_id)


@router.get("/upw/sessions/{session_id}", summary="A session and its places", responses=ERRORS)
async def get_session(db: DbSession, actor: UpwSupervisor, session_id: int) -> SessionOut:
    return await service.get_session(db, actor, session_id)


@router.post(
    "/upw/sessions/{session_id}/places",
    status_code=201,
    summary="Book a person onto a session",
    responses=_created_example("/api/v1/probation/contacts/70240", 70240),
)
async def add_place(db: DbSession, actor: UpwSupervisor, session_id: int, body: PlaceIn) -> JSONResponse:
    contact_id = await service.add_place(db, actor, session_id, body.case_id)
    return _created(f"/api/v1/probation/contacts/{contact_id}", contact_id)


@router.post("/upw/sessions/{session_id}/attendance", summary="Record the group's attendance and hours")
async def record_attendance(
    db: DbSession, actor: UpwSupervisor, session_id: int, body: AttendanceIn
) -> list[OutcomeResult]:
    """All or nothing: one wrong entry (hours beyond the order, an appointment not yet happened)
    keeps none, and the error names the entry."""
    return await service.record_attendance(db, actor, session_id, body)


@router.post(
    "/cases/{case_id}/recalls",
    status_code=201,
    summary="Recommend recall",
    responses=_created_example("/api/v1/probation/recalls/118", 118),
)
async def recommend(db: DbSession, actor: Supervisor, case_id: int, body: RecallIn) -> JSONResponse:
    recall_id = await recall_service.recommend(db, actor, case_id, body)
    return _created(f"/api/v1/probation/recalls/{recall_id}", recall_id)


@router.get("/recalls", summary="Recalls waiting for countersignature or decision", responses=ERRORS)
async def queue(db: DbSession, actor: Countersigner) -> list[RecallOut]:
    return await recall_service.countersigning_queue(db, actor)


@router.get("/recalls/{recall_id}", summary="A recall", responses=ERRORS)
async def get_recall(db: DbSession, actor: Reader, recall_id: int) -> RecallOut:
    return await recall_service.get_recall(db, actor, recall_id)


@router.post("/recalls/{recall_id}/countersign", status_code=204, responses=ERRORS)
async def countersign(db: DbSession, actor: Countersigner, recall_id: int, body: CountersignIn) -> Response:
    await recall_service.countersign(db, actor, recall_id, body)
    return Response(status_code=204)


@router.post("/recalls/{recall_id}/reject", status_code=204, responses=ERRORS)
async def reject(db: DbSession, actor: Countersigner, recall_id: int, body: RejectIn) -> Response:
    await recall_service.reject(db, actor, recall_id, body)
    return Response(status_code=204)


@router.post("/recalls/{recall_id}/decision", summary="Decide: recall (revoke the licence) or not", responses=ERRORS)
async def decide(db: DbSession, actor: Countersigner, recall_id: int, body: DecisionIn) -> RecallOut:
    """Recall emits `probation.recall.decided` and makes the person an expected arrival at the prison."""
    return await recall_service.decide(db, actor, recall_id, body)
