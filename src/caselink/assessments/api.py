"""JSON API of assessments of risk and needs (shared by prison and probation)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from caselink.assessments import service
from caselink.assessments.schemas import AssessmentIn, AssessmentOut, ReturnIn
from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import PROBLEM

router = APIRouter(prefix="/assessments", tags=["assessments"])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {**PROBLEM, "description": "Not allowed"},
    404: {**PROBLEM, "description": "No such assessment or person"},
    409: {**PROBLEM, "description": "The assessment's status does not allow this"},
    422: {**PROBLEM, "description": "Invalid or incomplete, with field paths"},
}
Reader = Annotated[Actor, Depends(requires("assessments:read"))]
Writer = Annotated[Actor, Depends(requires("assessments:write"))]
Countersigner = Annotated[Actor, Depends(requires("probation:countersign"))]


@router.get("/people/{person_id}", summary="A person's assessments, newest first", responses=ERRORS)
async def person_assessments(db: DbSession, actor: Reader, person_id: int) -> list[AssessmentOut]:
    return await service.list_for_person(db, actor, person_id)


@router.post("/people/{person_id}", summary="Start a draft assessment", status_code=201, responses=ERRORS)
async def start(db: DbSession, actor: Writer, person_id: int, body: AssessmentIn) -> AssessmentOut:
    return await service.start(db, actor, person_id, body)


@router.get("/{assessment_id}", summary="An assessment with its history", responses=ERRORS)
async def get(db: DbSession, actor: Reader, assessment_id: int) -> AssessmentOut:
    return await service.get(db, actor, assessment_id)


@router.put("/{assessment_id}", summary="Change a draft (author only)", responses=ERRORS)
async def update(db: DbSession, actor: Writer, assessment_id: int, body: AssessmentIn) -> AssessmentOut:
    return await service.update_draft(db, actor, assessment_id, body)


@router.post("/{assessment_id}/submission", summary="Submit a complete draft", responses=ERRORS)
async def submit(db: DbSession, actor: Writer, assessment_id: int) -> AssessmentOut:
    return await service.submit(db, actor, assessment_id)


@router.post(
    "/{assessment_id}/countersignature", summary="Countersign (a senior officer, not the author)", responses=ERRORS
)
async def countersign(db: DbSession, actor: Countersigner, assessment_id: int) -> AssessmentOut:
    return await service.countersign(db, actor, assessment_id)


@router.post("/{assessment_id}/return", summary="Return a submitted assessment to its author", responses=ERRORS)
async def return_to_author(db: DbSession, actor: Countersigner, assessment_id: int, body: ReturnIn) -> AssessmentOut:
    return await service.return_to_author(db, actor, assessment_id, body.note)
