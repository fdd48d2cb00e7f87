"""JSON API of probation cases: a case, the person's cases, the unallocated queue, practitioners'
workload, allocation, termination, a practitioner's caseload."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import PROBLEM, example_response
from caselink.probation import service
from caselink.probation.schemas import (
    CASELOAD_EXAMPLE,
    UNALLOCATED_EXAMPLE,
    AllocateIn,
    CaseOut,
    PractitionerOut,
    TerminateIn,
)

router = APIRouter(prefix="/probation", tags=["probation"])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {**PROBLEM, "description": "Not your caseload or delivery unit"},
    404: {**PROBLEM, "description": "No such record"},
    409: {**PROBLEM, "description": "The case's state does not allow this (e.g. already allocated)"},
    422: {**PROBLEM, "description": "Invalid input, with field paths"},
}
Reader = Annotated[Actor, Depends(requires("probation:read"))]
Writer = Annotated[Actor, Depends(requires("probation:write"))]
Allocator = Annotated[Actor, Depends(requires("probation:allocate"))]


@router.get("/cases/{case_id}", summary="A probation case with its tier history and allocations", responses=ERRORS)
async def get_case(db: DbSession, actor: Reader, case_id: int) -> CaseOut:
    detail = await service.get_case(db, actor, case_id)
    return CaseOut.of(detail.case, detail.tier_history, detail.allocations)


@router.get("/people/{person_id}/cases", summary="A person's probation cases, newest first", responses=ERRORS)
async def person_cases(db: DbSession, actor: Reader, person_id: int) -> list[CaseOut]:
    return [CaseOut.of(c) for c in await service.cases_of_person(db, actor, person_id)]


@router.get(
    "/unallocated",
    summary="The delivery unit's unallocated cases, oldest first",
    responses={**ERRORS, **example_response(UNALLOCATED_EXAMPLE)},
)
async def unallocated(
    db: DbSession, actor: Reader, unit_id: int | None = None, page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    rows, total = await service.unallocated(db, actor, unit_id, page, min(max(page_size, 1), 200))
    return {"items": [asdict(r) for r in rows], "page": page, "total": total}


@router.get(
    "/cases/{case_id}/practitioners",
    summary="Practitioners who could take the case: caseload, workload points, excluded",
    responses=ERRORS,
)
async def practitioners(db: DbSession, actor: Allocator, case_id: int) -> list[PractitionerOut]:
    detail = await service.get_case(db, actor, case_id)
    loads = await service.practitioner_loads(db, detail.case.delivery_unit_id, detail.case.person_id)
    return [PractitionerOut(**{k: v for k, v in asdict(p).items() if k != "roles"}) for p in loads]


@router.post("/cases/{case_id}/allocation", summary="Allocate the case to a practitioner", responses=ERRORS)
async def allocate(db: DbSession, actor: Allocator, case_id: int, body: AllocateIn) -> CaseOut:
    return CaseOut.of(await service.allocate(db, actor, case_id, body.staff_id, body.notes))


@router.post("/cases/{case_id}/termination", summary="Terminate the order or licence", responses=ERRORS)
async def terminate(db: DbSession, actor: Writer, case_id: int, body: TerminateIn) -> CaseOut:
    c = await service.terminate(db, actor, case_id, body.reason.value, body.terminated_on, body.notes)
    return CaseOut.of(c)


@router.get(
    "/caseload",
    summary="A practitioner's open cases (your own by default)",
    responses={**ERRORS, **example_response(CASELOAD_EXAMPLE)},
)
async def caseload(
    db: DbSession, actor: Reader, staff_id: int | None = None, page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    found = await service.caseload(db, actor, staff_id, page, min(max(page_size, 1), 200))
    return {
        "items": [asdict(r) for r in found.rows],
        "page": found.page,
        "total": found.total,
        "shows_appointments": found.shows_appointments,
    }


@router.get("/team", summary="The delivery unit's practitioners with caseload and workload", responses=ERRORS)
async def team(db: DbSession, actor: Allocator) -> list[PractitionerOut]:
    loads = await service.team_view(db, actor)
    return [PractitionerOut(**{k: v for k, v in asdict(p).items() if k != "roles"}) for p in loads]
