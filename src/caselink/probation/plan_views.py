"""Forms on the supervision page: add a sentence plan objective and change its status, add a
licence condition. Errors re-show the supervision page with a GOV.UK error summary. Changing an
objective or a licence condition has a form page of its own (errors re-show it, status 400)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.errors import Conflict, FieldError, ValidationFailed
from caselink.probation import plan_service
from caselink.probation import supervision_service as service
from caselink.probation.supervision_schemas import (
    LicenceConditionIn,
    LicenceConditionUpdate,
    ObjectiveIn,
    ObjectiveUpdate,
)
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


# -- changing an objective or a licence condition ------------------------------------------------------


def _edit_page(
    request: Request,
    what: str,
    case_id: int,
    item_id: int,
    form: dict[str, Any],
    errors: list[FieldError] | None = None,
) -> Response:
    errors = errors or []
    ctx = {
        "what": what,
        "case_id": case_id,
        "item_id": item_id,
        "form": form,
        "errors": error_list(errors),
        "field_errors": field_errors(errors),
    }
    return render(request, "probation/plan_edit.html", ctx, status_code=400 if errors else 200)


def _edit_errors(exc: ValidationError | ValidationFailed | Conflict, default_field: str) -> list[FieldError]:
    if isinstance(exc, ValidationError):
        return [FieldError(str(e["loc"][0]) if e["loc"] else default_field, e["msg"]) for e in exc.errors()]
    if isinstance(exc, ValidationFailed):
        return [FieldError(e.field if e.field != "body" else default_field, e.message) for e in exc.errors]
    return [FieldError(default_field, exc.detail)]


@router.get("/probation/cases/{case_id}/objectives/{objective_id}/edit")
async def edit_objective_form(
    request: Request, db: DbSession, actor: Supervisor, case_id: int, objective_id: int
) -> Response:
    o = await plan_service.get_objective(db, actor, case_id, objective_id)
    form = {
        "need": o.need,
        "objective": o.objective,
        "target_date": o.target_date.isoformat() if o.target_date else "",
        "status": o.status,
    }
    return _edit_page(request, "objective", case_id, objective_id, form)


@router.post("/probation/cases/{case_id}/objectives/{objective_id}/edit")
async def edit_objective(
    request: Request,
    db: DbSession,
    actor: Supervisor,
    case_id: int,
    objective_id: int,
    need: Annotated[str, Form()] = "",
    objective: Annotated[str, Form()] = "",
    target_date: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
) -> Response:
    form = {"need": need, "objective": objective, "target_date": target_date, "status": status}
    try:
        target = date.fromisoformat(target_date.strip()) if target_date.strip() else None
    except ValueError:
        errors = [FieldError("target_date", "Enter the target date as a date, such as 2025-09-30")]
        return _edit_page(request, "objective", case_id, objective_id, form, errors)
    try:
        body = ObjectiveUpdate.model_validate(
            {"need": need, "objective": objective, "target_date": target, "status": status or None}
        )
        await plan_service.update_objective(db, actor, case_id, objective_id, body)
    except (ValidationError, ValidationFailed, Conflict) as exc:
        await db.rollback()
        return _edit_page(request, "objective", case_id, objective_id, form, _edit_errors(exc, "objective"))
    return RedirectResponse(f"/probation/cases/{case_id}/supervision", status_code=303)


@router.get("/probation/cases/{case_id}/licence-conditions/{condition_id}/edit")
async def edit_licence_condition_form(
    request: Request, db: DbSession, actor: Supervisor, case_id: int, condition_id: int
) -> Response:
    c = await plan_service.get_licence_condition(db, actor, case_id, condition_id)
    return _edit_page(request, "condition", case_id, condition_id, {"kind": c.kind, "condition": c.condition})


@router.post("/probation/cases/{case_id}/licence-conditions/{condition_id}/edit")
async def edit_licence_condition(
    request: Request,
    db: DbSession,
    actor: Supervisor,
    case_id: int,
    condition_id: int,
    kind: Annotated[str, Form()] = "",
    condition: Annotated[str, Form()] = "",
) -> Response:
    form = {"kind": kind, "condition": condition}
    try:
        body = LicenceConditionUpdate.model_validate({"kind": kind or None, "condition": condition})
        await plan_service.update_licence_condition(db, actor, case_id, condition_id, body)
    except (ValidationError, ValidationFailed, Conflict) as exc:
        await db.rollback()
        errors = _edit_errors(exc, "condition")
        errors = [FieldError(e.field, "Choose standard or additional") if e.field == "kind" else e for e in errors]
        return _edit_page(request, "condition", case_id, condition_id, form, errors)
    return RedirectResponse(f"/probation/cases/{case_id}/supervision", status_code=303)
