"""Pages of recall: the practitioner's recommendation, the senior officer's countersignature or
rejection and the decision, and the senior officer's countersigning queue (recalls and
assessments). The printable recommendation and revocation are in supervision_views.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from caselink.assessments import service as assessments
from caselink.db.session import DbSession
from caselink.people.timeline import register_timeline_link
from caselink.platform.access import Actor, requires
from caselink.platform.access.policy import has_permission
from caselink.platform.errors import Conflict, FieldError, Forbidden, ValidationFailed
from caselink.probation import recall_service
from caselink.probation import supervision_rules as rules
from caselink.probation import supervision_service as service
from caselink.probation.supervision_schemas import CountersignIn, DecisionIn, RecallIn, RejectIn
from caselink.web.templating import error_list, field_errors, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("probation:read"))]
Supervisor = Annotated[Actor, Depends(requires("probation:supervise"))]
Countersigner = Annotated[Actor, Depends(requires("probation:countersign"))]

# Every probation event carries its caseId: the person's timeline links to the case page.
register_timeline_link("probation.", "/probation/cases/{caseId}")

TYPE_ITEMS = [{"value": t.value, "text": t.label} for t in rules.RecallType]


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    return [FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]


def _errors(errors: list[FieldError]) -> dict[str, Any]:
    return {"errors": error_list(errors), "field_errors": field_errors(errors)}


@router.get("/probation/cases/{case_id}/recalls/new")
async def recommend_form(request: Request, db: DbSession, actor: Supervisor, case_id: int) -> Response:
    s = await service.supervision(db, actor, case_id)
    form = {"recall_type": "", "reasons": ""}
    return render(request, "probation/recall_new.html", {"s": s, "form": form, "types": TYPE_ITEMS})


@router.post("/probation/cases/{case_id}/recalls/new")
async def recommend_submit(
    request: Request,
    db: DbSession,
    actor: Supervisor,
    case_id: int,
    recall_type: Annotated[str, Form()] = "",
    reasons: Annotated[str, Form()] = "",
) -> Response:
    form = {"recall_type": recall_type, "reasons": reasons}
    try:
        body = RecallIn.model_validate({"recall_type": recall_type or None, "reasons": reasons})
        recall_id = await recall_service.recommend(db, actor, case_id, body)
    except ValidationError as exc:
        errors = _pydantic_errors(exc)
    except ValidationFailed as exc:
        # The case-level refusals (not on licence, licence ended) are about the recommendation itself.
        errors = [FieldError("recall_type" if e.field == "case_id" else e.field, e.message) for e in exc.errors]
    except Conflict as exc:
        errors = [FieldError("recall_type", exc.detail)]
    else:
        return RedirectResponse(f"/probation/recalls/{recall_id}", status_code=303)
    s = await service.supervision(db, actor, case_id)
    ctx = {"s": s, "form": form, "types": TYPE_ITEMS, **_errors(errors)}
    return render(request, "probation/recall_new.html", ctx, status_code=400)


async def _recall_page(
    request: Request,
    db: DbSession,
    actor: Actor,
    recall_id: int,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
    status: int = 400,
) -> Response:
    recall = await recall_service.get_recall(db, actor, recall_id)
    ctx: dict[str, Any] = {
        "recall": recall,
        "form": form or {},
        "may_countersign": has_permission(actor, "probation:countersign"),
        "is_author": actor.id is not None and actor.id == recall.recommended_by_staff_id,
        **_errors(errors or []),
    }
    return render(request, "probation/recall.html", ctx, status_code=status if errors else 200)


@router.get("/probation/recalls/{recall_id}")
async def recall_page(request: Request, db: DbSession, actor: Reader, recall_id: int) -> Response:
    return await _recall_page(request, db, actor, recall_id)


@router.post("/probation/recalls/{recall_id}/countersign")
async def countersign(
    request: Request, db: DbSession, actor: Countersigner, recall_id: int, notes: Annotated[str, Form()] = ""
) -> Response:
    try:
        await recall_service.countersign(db, actor, recall_id, CountersignIn(notes=notes.strip() or None))
    except Forbidden as exc:
        return await _recall_page(request, db, actor, recall_id, [FieldError("notes", exc.detail)], status=403)
    except Conflict as exc:
        return await _recall_page(request, db, actor, recall_id, [FieldError("notes", exc.detail)])
    return RedirectResponse(f"/probation/recalls/{recall_id}", status_code=303)


@router.post("/probation/recalls/{recall_id}/reject")
async def reject(
    request: Request, db: DbSession, actor: Countersigner, recall_id: int, reason: Annotated[str, Form()] = ""
) -> Response:
    form = {"reason": reason}
    if not reason.strip():
        errors = [FieldError("reason", "Enter why the recommendation is rejected")]
        return await _recall_page(request, db, actor, recall_id, errors, form)
    try:
        await recall_service.reject(db, actor, recall_id, RejectIn(reason=reason))
    except Forbidden as exc:
        return await _recall_page(request, db, actor, recall_id, [FieldError("reason", exc.detail)], form, 403)
    except Conflict as exc:
        return await _recall_page(request, db, actor, recall_id, [FieldError("reason", exc.detail)], form)
    return RedirectResponse(f"/probation/recalls/{recall_id}", status_code=303)


@router.post("/probation/recalls/{recall_id}/decision")
async def decide(
    request: Request,
    db: DbSession,
    actor: Countersigner,
    recall_id: int,
    decision: Annotated[str, Form()] = "",
    prison_code: Annotated[str, Form()] = "",
    decision_notes: Annotated[str, Form()] = "",
) -> Response:
    form = {"decision": decision, "prison_code": prison_code, "decision_notes": decision_notes}
    if decision not in ("recall", "no_recall"):
        return await _recall_page(
            request, db, actor, recall_id, [FieldError("decision", "Choose whether to recall")], form
        )
    body = DecisionIn(recall=decision == "recall", prison_code=prison_code or None, notes=decision_notes or None)
    try:
        await recall_service.decide(db, actor, recall_id, body)
    except ValidationFailed as exc:
        return await _recall_page(request, db, actor, recall_id, exc.errors, form)
    except Forbidden as exc:
        return await _recall_page(request, db, actor, recall_id, [FieldError("decision", exc.detail)], form, 403)
    except Conflict as exc:
        return await _recall_page(request, db, actor, recall_id, [FieldError("decision", exc.detail)], form)
    return RedirectResponse(f"/probation/recalls/{recall_id}", status_code=303)


@router.get("/probation/countersigning")
async def countersigning_queue(request: Request, db: DbSession, actor: Countersigner) -> Response:
    recalls = await recall_service.countersigning_queue(db, actor)
    waiting = await assessments.awaiting_countersignature(db, actor)
    return render(request, "probation/countersigning.html", {"recalls": recalls, "assessments": waiting})
