"""Pages for probation staff: the practitioner's caseload, the delivery unit's unallocated queue
and allocation (senior officers), the team view, a case, and the person's probation tab."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from caselink.assessments import service as assessments
from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.errors import Conflict, FieldError, ValidationFailed
from caselink.probation import rules, service
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("probation:read"))]
Writer = Annotated[Actor, Depends(requires("probation:write"))]
Allocator = Annotated[Actor, Depends(requires("probation:allocate"))]


register_nav_item(NavItem("Caseload", "/probation/caseload", permission="probation:read", order=45))


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": {k.value: k.label for k in rules.CaseKind},
        "reasons": [(r.value, r.label) for r in rules.TerminationReason],
    }


@router.get("/probation/caseload")
async def caseload_page(
    request: Request, db: DbSession, actor: Reader, staff_id: int | None = None, page: int = 1
) -> Response:
    found = await service.caseload(db, actor, staff_id, page)
    return render(request, "probation/caseload.html", {"caseload": found, **_labels()})


@router.get("/probation/unallocated")
async def unallocated_page(request: Request, db: DbSession, actor: Reader, page: int = 1) -> Response:
    rows, total = await service.unallocated(db, actor, None, page)
    return render(request, "probation/unallocated.html", {"rows": rows, "total": total, "page": page, **_labels()})


@router.get("/probation/team")
async def team_page(request: Request, db: DbSession, actor: Allocator) -> Response:
    loads = await service.team_view(db, actor)
    return render(request, "probation/team.html", {"loads": loads})


async def _case_page(
    request: Request, db: DbSession, actor: Actor, case_id: int, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    detail = await service.get_case(db, actor, case_id)
    loads: list[service.PractitionerLoad] = []
    from caselink.platform.access.policy import has_permission

    if detail.case.status == rules.CaseStatus.UNALLOCATED and has_permission(actor, "probation:allocate"):
        loads = await service.practitioner_loads(db, detail.case.delivery_unit_id, detail.case.person_id)
    context = {"d": detail, "loads": loads, **_labels(), **(extra or {})}
    return render(request, "probation/case.html", context, status_code=status)


@router.get("/probation/cases/{case_id}")
async def case_page(request: Request, db: DbSession, actor: Reader, case_id: int) -> Response:
    return await _case_page(request, db, actor, case_id)


@router.post("/probation/cases/{case_id}/allocation")
async def allocate(
    request: Request, db: DbSession, actor: Allocator, case_id: int, staff_id: Annotated[str, Form()] = ""
) -> Response:
    try:
        if not staff_id.strip().isdigit():
            raise ValidationFailed(FieldError("staff_id", "Choose a practitioner"))
        await service.allocate(db, actor, case_id, int(staff_id))
    except ValidationFailed as exc:
        extra = {"errors": error_list(exc.errors), "field_errors": field_errors(exc.errors)}
        return await _case_page(request, db, actor, case_id, extra, status=400)
    except Conflict as exc:
        errors = [FieldError("staff_id", str(exc))]
        extra = {"errors": error_list(errors), "field_errors": field_errors(errors)}
        return await _case_page(request, db, actor, case_id, extra, status=400)
    return RedirectResponse(f"/probation/cases/{case_id}", status_code=303)


@router.post("/probation/cases/{case_id}/termination")
async def terminate(
    request: Request,
    db: DbSession,
    actor: Writer,
    case_id: int,
    reason: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    try:
        await service.terminate(db, actor, case_id, reason, None, notes)
    except ValidationFailed as exc:
        extra = {"errors": error_list(exc.errors), "field_errors": field_errors(exc.errors), "form": {"notes": notes}}
        return await _case_page(request, db, actor, case_id, extra, status=400)
    return RedirectResponse(f"/probation/cases/{case_id}", status_code=303)


@router.get("/probation/people/{person_id}")
async def person_tab(request: Request, db: DbSession, actor: Reader, person_id: int) -> Response:
    cases = await service.cases_of_person(db, actor, person_id)
    from caselink.platform.access.policy import has_permission

    found = await assessments.list_for_person(db, actor, person_id) if has_permission(actor, "assessments:read") else []
    return render(
        request, "probation/person.html", {"person_id": person_id, "cases": cases, "assessments": found, **_labels()}
    )
