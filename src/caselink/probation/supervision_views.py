"""Pages of supervision: the practitioner's contact pages (list, book, record an outcome), the
supervision tab, the unpaid work supervisor's sessions and attendance form, and the recall
documents as printable pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.errors import Conflict, FieldError, ValidationFailed
from caselink.probation import recall_service
from caselink.probation import supervision_rules as rules
from caselink.probation import supervision_service as service
from caselink.probation.supervision_schemas import AttendanceIn, ContactIn, OutcomeIn
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("probation:read"))]
Supervisor = Annotated[Actor, Depends(requires("probation:supervise"))]
UpwSupervisor = Annotated[Actor, Depends(requires("probation:upw"))]


register_nav_item(NavItem("Unpaid work", "/probation/upw/sessions", permission="probation:upw", order=56))

OUTCOME_ITEMS = [{"value": o.value, "text": o.label} for o in rules.Outcome]
TYPE_ITEMS = [{"value": t.value, "text": t.label} for t in rules.ContactType if t is not rules.ContactType.UNPAID_WORK]


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    return [FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]


def _form_errors(request: Request, template: str, ctx: dict[str, Any], errors: list[FieldError]) -> Response:
    return render(
        request, template, {**ctx, "errors": error_list(errors), "field_errors": field_errors(errors)}, status_code=400
    )


def _hours(text: str, field: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValidationFailed(FieldError(field, "Enter hours as a number, such as 6 or 6.5")) from exc


@router.get("/probation/cases/{case_id}/supervision")
async def supervision_page(request: Request, db: DbSession, actor: Reader, case_id: int) -> Response:
    out = await service.supervision(db, actor, case_id)
    return render(request, "probation/supervision_case.html", {"s": out})


@router.get("/probation/cases/{case_id}/contacts")
async def contacts_page(request: Request, db: DbSession, actor: Reader, case_id: int, page: int = 1) -> Response:
    items, total = await service.list_contacts(db, actor, case_id, page, 25)
    return render(
        request,
        "probation/supervision_contacts.html",
        {"case_id": case_id, "items": items, "total": total, "page": page, "page_size": 25},
    )


@router.get("/probation/cases/{case_id}/contacts/new")
async def new_contact_form(request: Request, db: DbSession, actor: Supervisor, case_id: int) -> Response:
    form = {"type": "office_appointment", "starts_at": "", "location": "", "with_whom": "", "notes": ""}
    return render(
        request, "probation/supervision_contact_new.html", {"case_id": case_id, "form": form, "types": TYPE_ITEMS}
    )


@router.post("/probation/cases/{case_id}/contacts/new")
async def new_contact_submit(
    request: Request,
    db: DbSession,
    actor: Supervisor,
    case_id: int,
    type: Annotated[str, Form()] = "",
    starts_at: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    with_whom: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    sensitive: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "type": type,
        "starts_at": starts_at,
        "location": location,
        "with_whom": with_whom,
        "notes": notes,
        "sensitive": bool(sensitive),
    }
    ctx = {"case_id": case_id, "form": form, "types": TYPE_ITEMS}
    try:
        when = datetime.fromisoformat(starts_at) if starts_at else None
        if when is not None and when.tzinfo is None:
            when = when.astimezone()  # a browser's local time: the server's zone
        body = ContactIn.model_validate(
            {
                "type": type,
                "starts_at": when,
                "location": location or None,
                "with_whom": with_whom or None,
                "notes": notes or None,
                "sensitive": bool(sensitive),
            }
        )
        await service.create_contact(db, actor, case_id, body)
    except ValueError as exc:
        errors = _pydantic_errors(exc) if isinstance(exc, ValidationError) else [FieldError("starts_at", str(exc))]
        return _form_errors(request, "probation/supervision_contact_new.html", ctx, errors)
    except ValidationFailed as exc:
        return _form_errors(request, "probation/supervision_contact_new.html", ctx, exc.errors)
    return RedirectResponse(f"/probation/cases/{case_id}/contacts", status_code=303)


@router.get("/probation/contacts/{contact_id}/outcome")
async def outcome_form(request: Request, db: DbSession, actor: Supervisor, contact_id: int) -> Response:
    contact, _ = await service.get_contact(db, actor, contact_id)
    form = {"outcome": "", "notes": "", "hours": ""}
    return render(
        request,
        "probation/supervision_outcome.html",
        {"contact": contact, "form": form, "outcomes": OUTCOME_ITEMS},
    )


@router.post("/probation/contacts/{contact_id}/outcome")
async def outcome_submit(
    request: Request,
    db: DbSession,
    actor: Supervisor,
    contact_id: int,
    outcome: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    hours: Annotated[str, Form()] = "",
) -> Response:
    contact, _ = await service.get_contact(db, actor, contact_id)
    ctx = {"contact": contact, "form": {"outcome": outcome, "notes": notes, "hours": hours}, "outcomes": OUTCOME_ITEMS}
    try:
        body = OutcomeIn.model_validate(
            {"outcome": outcome or None, "notes": notes or None, "hours": _hours(hours, "hours")}
        )
        await service.record_outcome(db, actor, contact_id, body)
    except ValidationError as exc:
        return _form_errors(request, "probation/supervision_outcome.html", ctx, _pydantic_errors(exc))
    except ValidationFailed as exc:
        return _form_errors(request, "probation/supervision_outcome.html", ctx, exc.errors)
    return RedirectResponse(f"/probation/cases/{contact.case_id}/contacts", status_code=303)


@router.get("/probation/upw/sessions")
async def sessions_page(request: Request, db: DbSession, actor: UpwSupervisor, page: int = 1) -> Response:
    items, total = await service.list_sessions(db, actor, date.today(), page)
    return render(request, "probation/supervision_sessions.html", {"items": items, "total": total, "page": page})


@router.get("/probation/upw/sessions/{session_id}")
async def session_page(request: Request, db: DbSession, actor: UpwSupervisor, session_id: int) -> Response:
    session = await service.get_session(db, actor, session_id)
    form = {str(p.contact_id): {"outcome": p.outcome or "", "hours": ""} for p in session.places}
    return render(
        request, "probation/supervision_session.html", {"session": session, "form": form, "outcomes": OUTCOME_ITEMS}
    )


@router.post("/probation/upw/sessions/{session_id}")
async def session_submit(request: Request, db: DbSession, actor: UpwSupervisor, session_id: int) -> Response:
    session = await service.get_session(db, actor, session_id)
    posted = await request.form()
    form: dict[str, dict[str, str]] = {}
    entries: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for place in session.places:
        if place.outcome:
            continue  # already recorded
        key = str(place.contact_id)
        outcome = str(posted.get(f"outcome-{key}") or "")
        hours = str(posted.get(f"hours-{key}") or "")
        form[key] = {"outcome": outcome, "hours": hours}
        if not outcome:
            continue  # not recorded yet: the supervisor may come back to it
        try:
            entries.append({"contact_id": place.contact_id, "outcome": outcome, "hours": _hours(hours, f"hours-{key}")})
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    ctx = {"session": session, "form": form, "outcomes": OUTCOME_ITEMS}
    if not entries and not errors:
        errors.append(FieldError("attendance", "Record an outcome for at least one person"))
    if errors:
        return _form_errors(request, "probation/supervision_session.html", ctx, errors)
    try:
        await service.record_attendance(db, actor, session_id, AttendanceIn.model_validate({"attendance": entries}))
    except ValidationError as exc:
        return _form_errors(request, "probation/supervision_session.html", ctx, _pydantic_errors(exc))
    except ValidationFailed as exc:
        # attendance.N.hours -> the form field of the Nth entry's person
        mapped = []
        for e in exc.errors:
            parts = e.field.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(entries):
                mapped.append(FieldError(f"{parts[2]}-{entries[int(parts[1])]['contact_id']}", e.message))
            else:
                mapped.append(e)
        return _form_errors(request, "probation/supervision_session.html", ctx, mapped)
    except Conflict as exc:
        return _form_errors(request, "probation/supervision_session.html", ctx, [FieldError("attendance", exc.detail)])
    return RedirectResponse(f"/probation/upw/sessions/{session_id}", status_code=303)


@router.get("/probation/recalls/{recall_id}/documents/{document}")
async def recall_document(request: Request, db: DbSession, actor: Reader, recall_id: int, document: str) -> Response:
    """Printable pages: the recommendation (with countersignature) and the revocation notice."""
    recall = await recall_service.get_recall(db, actor, recall_id)
    if document not in ("recommendation", "revocation"):
        return render(request, "probation/supervision_document_missing.html", {"recall": recall}, status_code=404)
    if document == "revocation" and recall.status != rules.RecallStatus.RECALLED.value:
        return render(request, "probation/supervision_document_missing.html", {"recall": recall}, status_code=404)
    return render(request, f"probation/supervision_recall_{document}.html", {"recall": recall})
