"""Forms on the supervision page: add a sentence plan objective and change its status, add a
licence condition. Errors re-show the supervision page with a GOV.UK error summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.errors import Conflict, FieldError, ValidationFailed
from caselink.probation import supervision_service as service
from caselink.probation.supervision_schemas import LicenceConditionIn, ObjectiveIn
from caselink.web.templating import error_list, field_errors, render

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Actor, Depends(requires("probation:supervise"))]


async def _page_with_errors(
    request: Request, db: DbSession, actor: Actor, case_id: int, errors: list[FieldError], form: dict[str, Any]
) -> Response:
    s = await service.supervision(db, actor, case_id)
    ctx = {"s": s, "form": form, "errors": error_list(errors), "field_errors": field_errors(errors)}
    return render(request, "probation/supervision_case.html", ctx, status_code=400)


def _pydantic_errors(exc: ValidationError, prefix: str) -> list[FieldError]:
    return [FieldError(prefix + ".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]


@router.post("/probation/cases/{case_id}/objectives")
async def add_objective(
    request: Request,
    db: DbSession,
    actor: Supervisor,
    case_id: int,
    need: Annotated[str, Form()] = "",
    objective: Annotated[str, Form()] = "",
    target_date: Annotated[str, Form()] = "",
) -> Response:
    form = {"need": need, "objective": objective, "target_date": target_date}
    try:
        target = date.fromisoformat(target_date.strip()) if target_date.strip() else None
    except ValueError:
        errors = [FieldError("objective_target_date", "Enter the target date as a date, such as 2025-09-30")]
        return await _page_with_errors(request, db, actor, case_id, errors, form)
    try:
        body = ObjectiveIn.model_validate({"need": need, "objective": objective, "target_date": target})
        await service.add_objective(db, actor, case_id, body)
    except ValidationError as exc:
        return await _page_with_errors(request, db, actor, case_id, _pydantic_errors(exc, "objective_"), form)
    except (ValidationFailed, Conflict) as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else [FieldError("objective_objective", exc.detail)]
        return await _page_with_errors(request, db, actor, case_id, errors, form)
    return RedirectResponse(f"/probation/cases/{case_id}/supervision", status_code=303)


@router.post("/probation/cases/{case_id}/objectives/{objective_id}/status")
async def objective_status(
    request: Request,
    db: DbSession,
    actor: Supervisor,
    case_id: int,
    objective_id: int,
    status: Annotated[str, Form()] = "",
) -> Response:
    try:
        await service.set_objective_status(db, actor, objective_id, status)
    except ValidationFailed:
        errors = [FieldError(f"status-{objective_id}", "Choose open, achieved or withdrawn")]
        return await _page_with_errors(request, db, actor, case_id, errors, {})
    return RedirectResponse(f"/probation/cases/{case_id}/supervision", status_code=303)


@router.post("/probation/cases/{case_id}/licence-conditions")
async def add_licence_condition(
    request: Request,
    db: DbSession,
    actor: Supervisor,
    case_id: int,
    kind: Annotated[str, Form()] = "",
    condition: Annotated[str, Form()] = "",
) -> Response:
    form = {"condition_kind": kind, "condition": condition}
    try:
        body = LicenceConditionIn.model_validate({"kind": kind, "condition": condition})
        await service.add_licence_condition(db, actor, case_id, body)
    except ValidationError as exc:
        errors = [
            FieldError(
                "condition_" + str(e["loc"][0]), "Choose standard or additional" if e["loc"][0] == "kind" else e["msg"]
            )
            for e in exc.errors()
        ]
        return await _page_with_errors(request, db, actor, case_id, errors, form)
    except (ValidationFailed, Conflict) as exc:
        errors = (
            [FieldError("condition_condition", e.message) for e in exc.errors]
            if isinstance(exc, ValidationFailed)
            else [FieldError("condition_condition", exc.detail)]
        )
        return await _page_with_errors(request, db, actor, case_id, errors, form)
    return RedirectResponse(f"/probation/cases/{case_id}/supervision", status_code=303)
