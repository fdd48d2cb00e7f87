"""Pages of assessments of risk and needs: start and edit a draft, submit it, and the senior
officer's countersignature or return to draft. The history list is on the person's probation tab."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from caselink.assessments import rules, service
from caselink.assessments.schemas import AssessmentIn, AssessmentOut
from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.access.policy import has_permission
from caselink.platform.errors import Conflict, FieldError, Forbidden, ValidationFailed
from caselink.web.templating import error_list, field_errors, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("assessments:read"))]
Writer = Annotated[Actor, Depends(requires("assessments:write"))]
Countersigner = Annotated[Actor, Depends(requires("probation:countersign"))]

ROSH_ITEMS = [{"value": lv.value, "text": lv.value.replace("_", " ").capitalize()} for lv in rules.RoshLevel]
NEED_ITEMS = [
    {"value": "0", "text": "0 – no problems"},
    {"value": "1", "text": "1 – some problems"},
    {"value": "2", "text": "2 – significant problems"},
]


def _choices() -> dict[str, Any]:
    return {
        "rosh_areas": rules.ROSH_AREAS,
        "rosh_items": ROSH_ITEMS,
        "need_sections": [(s.value, s.label) for s in rules.NeedSection],
        "need_items": NEED_ITEMS,
    }


def _form_of(a: AssessmentOut | None) -> dict[str, Any]:
    if a is None:
        return {"needs": {}}
    form: dict[str, Any] = {area: getattr(a, area) or "" for area in rules.ROSH_AREAS}
    form["reoffending_score"] = "" if a.reoffending_score is None else str(a.reoffending_score)
    form["needs"] = {k: str(v) for k, v in a.needs.items()}
    form["summary"] = a.summary or ""
    return form


async def _posted(request: Request) -> tuple[dict[str, Any], AssessmentIn]:
    """The form as posted (to show again) and the body it makes; ValidationFailed names the fields."""
    posted = await request.form()
    form: dict[str, Any] = {area: str(posted.get(area) or "") for area in rules.ROSH_AREAS}
    form["reoffending_score"] = str(posted.get("reoffending_score") or "").strip()
    form["needs"] = {s.value: str(posted.get(f"needs-{s.value}") or "") for s in rules.NeedSection}
    form["summary"] = str(posted.get("summary") or "")
    errors: list[FieldError] = []
    score: int | None = None
    if form["reoffending_score"]:
        if not form["reoffending_score"].isdigit():
            errors.append(
                FieldError("reoffending_score", "Likelihood of reoffending must be a whole number from 0 to 100")
            )
        else:
            score = int(form["reoffending_score"])
    try:
        body = AssessmentIn.model_validate(
            {
                **{area: form[area] or None for area in rules.ROSH_AREAS},
                "reoffending_score": score,
                "needs": {k: int(v) for k, v in form["needs"].items() if v.isdigit()},
                "summary": form["summary"].strip() or None,
            }
        )
    except ValidationError as exc:
        for e in exc.errors():
            field = ".".join(str(p) for p in e["loc"])
            if not any(x.field == field for x in errors):
                errors.append(FieldError(field, e["msg"]))
        raise ValidationFailed(errors) from exc
    if errors:
        raise ValidationFailed(errors)
    return form, body


def _form_page(
    request: Request, action: str, person_id: int, form: dict[str, Any], errors: list[FieldError] | None = None
) -> Response:
    context = {"action": action, "person_id": person_id, "form": form, **_choices()}
    if errors:
        context |= {"errors": error_list(errors), "field_errors": field_errors(errors)}
    return render(request, "assessments/form.html", context, status_code=400 if errors else 200)


@router.get("/assessments/people/{person_id}/new")
async def new_form(request: Request, actor: Writer, person_id: int) -> Response:
    return _form_page(request, f"/assessments/people/{person_id}/new", person_id, {"needs": {}})


@router.post("/assessments/people/{person_id}/new")
async def new_submit(request: Request, db: DbSession, actor: Writer, person_id: int) -> Response:
    form: dict[str, Any] = {"needs": {}}
    try:
        form, body = await _posted(request)
        made = await service.start(db, actor, person_id, body)
    except ValidationFailed as exc:
        return _form_page(request, f"/assessments/people/{person_id}/new", person_id, form, exc.errors)
    return RedirectResponse(f"/assessments/{made.id}", status_code=303)


async def _assessment_page(
    request: Request, db: DbSession, actor: Actor, assessment_id: int, errors: list[FieldError] | None = None
) -> Response:
    a = await service.get(db, actor, assessment_id)
    context: dict[str, Any] = {
        "a": a,
        "is_author": a.author_staff_id == actor.id,
        "may_countersign": has_permission(actor, "probation:countersign"),
        "need_labels": dict(_choices()["need_sections"]),
        **_choices(),
    }
    if errors:
        context |= {"errors": error_list(errors), "field_errors": field_errors(errors)}
    return render(request, "assessments/assessment.html", context, status_code=400 if errors else 200)


@router.get("/assessments/{assessment_id}")
async def assessment_page(request: Request, db: DbSession, actor: Reader, assessment_id: int) -> Response:
    return await _assessment_page(request, db, actor, assessment_id)


@router.get("/assessments/{assessment_id}/edit")
async def edit_form(request: Request, db: DbSession, actor: Writer, assessment_id: int) -> Response:
    a = await service.get(db, actor, assessment_id)
    if a.status != rules.AssessmentStatus.DRAFT or a.author_staff_id != actor.id:
        problem = FieldError("edit", "Only the author can change an assessment, and only while it is a draft")
        return await _assessment_page(request, db, actor, assessment_id, [problem])
    return _form_page(request, f"/assessments/{assessment_id}/edit", a.person_id, _form_of(a))


@router.post("/assessments/{assessment_id}/edit")
async def edit_submit(request: Request, db: DbSession, actor: Writer, assessment_id: int) -> Response:
    form: dict[str, Any] = {"needs": {}}
    try:
        form, body = await _posted(request)
        await service.update_draft(db, actor, assessment_id, body)
    except ValidationFailed as exc:
        a = await service.get(db, actor, assessment_id)
        return _form_page(request, f"/assessments/{assessment_id}/edit", a.person_id, form, exc.errors)
    except (Conflict, Forbidden) as exc:
        return await _assessment_page(request, db, actor, assessment_id, [FieldError("edit", exc.detail)])
    return RedirectResponse(f"/assessments/{assessment_id}", status_code=303)


@router.post("/assessments/{assessment_id}/submission")
async def submit(request: Request, db: DbSession, actor: Writer, assessment_id: int) -> Response:
    try:
        await service.submit(db, actor, assessment_id)
    except ValidationFailed as exc:
        # The summary links to the fields of the edit form, where they are filled in.
        return await _assessment_page(request, db, actor, assessment_id, exc.errors)
    except (Conflict, Forbidden) as exc:
        return await _assessment_page(request, db, actor, assessment_id, [FieldError("submit", exc.detail)])
    return RedirectResponse(f"/assessments/{assessment_id}", status_code=303)


@router.post("/assessments/{assessment_id}/countersignature")
async def countersign(request: Request, db: DbSession, actor: Countersigner, assessment_id: int) -> Response:
    try:
        await service.countersign(db, actor, assessment_id)
    except ValidationFailed as exc:
        return await _assessment_page(request, db, actor, assessment_id, exc.errors)
    except (Conflict, Forbidden) as exc:
        return await _assessment_page(request, db, actor, assessment_id, [FieldError("countersigned_by", exc.detail)])
    return RedirectResponse(f"/assessments/{assessment_id}", status_code=303)


@router.post("/assessments/{assessment_id}/return")
async def return_to_author(
    request: Request, db: DbSession, actor: Countersigner, assessment_id: int, note: Annotated[str, Form()] = ""
) -> Response:
    try:
        await service.return_to_author(db, actor, assessment_id, note)
    except ValidationFailed as exc:
        return await _assessment_page(request, db, actor, assessment_id, exc.errors)
    except (Conflict, Forbidden) as exc:
        return await _assessment_page(request, db, actor, assessment_id, [FieldError("note", exc.detail)])
    return RedirectResponse(f"/assessments/{assessment_id}", status_code=303)
