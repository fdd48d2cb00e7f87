"""Pages of registrations (risk flags) and limited access on a person's record."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from caselink.db.session import DbSession
from caselink.people import limited_access, registrations, service
from caselink.platform.access import Actor, requires
from caselink.platform.access.policy import has_permission
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.web.templating import error_list, field_errors, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("people:read"))]
Flagger = Annotated[Actor, Depends(requires("people:flags"))]
Limiter = Annotated[Actor, Depends(requires("people:limit_access"))]
LONDON = ZoneInfo("Europe/London")
DATE_HINT = "For example, 27 3 2026"


def parse_day(value: str, field: str, label: str) -> date | None:
    """A date typed as 27 3 2026, 27/03/2026 or 2026-03-27; empty is None."""
    text = value.strip()
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            return date.fromisoformat(text)
        day, month, year = (int(p) for p in re.split(r"[\s/.-]+", text))
        return date(year, month, day)
    except ValueError:
        raise ValidationFailed(FieldError(field, f"{label} must be a real date, like 27 3 2026")) from None


def _errors(exc: ValidationFailed) -> dict[str, Any]:
    return {"errors": error_list(exc.errors), "field_errors": field_errors(exc.errors)}


# --- flags --------------------------------------------------------------------------------------


async def _flags_page(
    request: Request,
    db: DbSession,
    actor: Actor,
    person_id: int,
    form: dict[str, str] | None = None,
    error: ValidationFailed | None = None,
    form_id: str = "add",
    notice: str | None = None,
) -> Response:
    record = await service.get_person(db, actor, person_id)
    flags = await registrations.list_flags(db, actor, person_id)
    history = await registrations.history(db, [f.id for f in flags])
    context = {
        "page_title": f"Registrations: {record.primary_name}",
        "record": record,
        "flags": record.flags,
        "live": [f for f in flags if f.active],
        "ended": [f for f in flags if not f.active],
        "history": history,
        "types": await registrations.list_types(db),
        "can_manage": has_permission(actor, "people:flags"),
        "form": form or {},
        "form_id": form_id,
        "notice": notice,
        "date_hint": DATE_HINT,
        **(_errors(error) if error else {}),
    }
    return render(request, "people/flags.html", context, status_code=400 if error else 200)


@router.get("/people/{person_id}/flags")
async def flags_page(request: Request, db: DbSession, actor: Reader, person_id: int, done: str = "") -> Response:
    notices = {"added": "Registration added", "reviewed": "Review recorded", "ended": "Registration ended"}
    return await _flags_page(request, db, actor, person_id, notice=notices.get(done))


@router.post("/people/{person_id}/flags")
async def add_flag(
    request: Request,
    db: DbSession,
    actor: Flagger,
    person_id: int,
    type: Annotated[str, Form()] = "",
    level: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    start_date: Annotated[str, Form()] = "",
    review_date: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    form = {"type": type, "level": level, "category": category, "start_date": start_date, "review_date": review_date}
    form["notes"] = notes
    try:
        data = registrations.FlagInput(
            type_code=type,
            level=level or None,
            category=category or None,
            start_date=parse_day(start_date, "start_date", "Start date"),
            review_date=parse_day(review_date, "review_date", "Review date"),
            notes=notes[:2000] or None,
        )
        await registrations.add_flag(db, actor, person_id, data)
    except ValidationFailed as exc:
        return await _flags_page(request, db, actor, person_id, form, exc)
    return RedirectResponse(f"/people/{person_id}/flags?done=added", status_code=303)


@router.post("/people/{person_id}/flags/{flag_id}/review")
async def review_flag(
    request: Request,
    db: DbSession,
    actor: Flagger,
    person_id: int,
    flag_id: int,
    next_review_date: Annotated[str, Form()] = "",
    level: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    try:
        await registrations.review_flag(
            db,
            actor,
            person_id,
            flag_id,
            next_review_date=parse_day(next_review_date, "next_review_date", "Next review date"),
            level=level or None,
            category=category or None,
            notes=notes[:2000] or None,
        )
    except ValidationFailed as exc:
        form = {"next_review_date": next_review_date, "notes": notes}
        return await _flags_page(request, db, actor, person_id, form, exc, form_id=f"review-{flag_id}")
    return RedirectResponse(f"/people/{person_id}/flags?done=reviewed", status_code=303)


@router.post("/people/{person_id}/flags/{flag_id}/end")
async def end_flag(
    request: Request,
    db: DbSession,
    actor: Flagger,
    person_id: int,
    flag_id: int,
    reason: Annotated[str, Form()] = "",
    ended_on: Annotated[str, Form()] = "",
) -> Response:
    try:
        await registrations.end_flag(
            db, actor, person_id, flag_id, reason=reason[:2000], ended_on=parse_day(ended_on, "ended_on", "End date")
        )
    except ValidationFailed as exc:
        form = {"reason": reason, "ended_on": ended_on}
        return await _flags_page(request, db, actor, person_id, form, exc, form_id=f"end-{flag_id}")
    return RedirectResponse(f"/people/{person_id}/flags?done=ended", status_code=303)


# --- limited access -----------------------------------------------------------------------------


def _start_of(day: date | None) -> datetime | None:
    """A page's dates are whole days in UK time: a limit starts (or ends) at the day's midnight."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC) if day else None


async def _access_page(
    request: Request,
    db: DbSession,
    actor: Actor,
    person_id: int,
    form: dict[str, str] | None = None,
    error: ValidationFailed | None = None,
    notice: str | None = None,
) -> Response:
    limits = await limited_access.list_limits(db, actor, person_id)
    context = {
        "page_title": "Limited access",
        "person_id": person_id,
        "limits": limits,
        "form": form or {"kind": "exclusion"},
        "notice": notice,
        "date_hint": DATE_HINT,
        **(_errors(error) if error else {}),
    }
    return render(request, "people/access.html", context, status_code=400 if error else 200)


@router.get("/people/{person_id}/access")
async def access_page(request: Request, db: DbSession, actor: Limiter, person_id: int, done: str = "") -> Response:
    notices = {"added": "Limit set", "lifted": "Limit lifted"}
    return await _access_page(request, db, actor, person_id, notice=notices.get(done))


@router.post("/people/{person_id}/access")
async def add_limit(
    request: Request,
    db: DbSession,
    actor: Limiter,
    person_id: int,
    kind: Annotated[str, Form()] = "",
    staff: Annotated[str, Form()] = "",
    message: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    starts_on: Annotated[str, Form()] = "",
    ends_on: Annotated[str, Form()] = "",
) -> Response:
    form = {"kind": kind, "staff": staff, "message": message, "reason": reason, "starts_on": starts_on}
    form["ends_on"] = ends_on
    try:
        usernames = [u for u in re.split(r"[\s,]+", staff) if u]
        data = limited_access.LimitInput(
            kind=kind,
            staff_ids=await limited_access.staff_ids_for_usernames(db, usernames, "staff"),
            message=message[:500],
            reason=reason[:2000] or None,
            starts_at=_start_of(parse_day(starts_on, "starts_on", "Start date")),
            ends_at=_start_of(parse_day(ends_on, "ends_on", "End date")),
        )
        await limited_access.add_limit(db, actor, person_id, data)
    except ValidationFailed as exc:
        # The service names staff by id; the page's field is the list of usernames.
        renamed = {"staff_ids": "staff", "starts_at": "starts_on", "ends_at": "ends_on"}
        exc = ValidationFailed([FieldError(renamed.get(e.field, e.field), e.message) for e in exc.errors])
        return await _access_page(request, db, actor, person_id, form, exc)
    return RedirectResponse(f"/people/{person_id}/access?done=added", status_code=303)


@router.post("/people/{person_id}/access/{limit_id}/lift")
async def lift_limit(
    request: Request,
    db: DbSession,
    actor: Limiter,
    person_id: int,
    limit_id: int,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        await limited_access.lift_limit(db, actor, person_id, limit_id, reason[:2000])
    except ValidationFailed as exc:
        return await _access_page(request, db, actor, person_id, {"kind": "exclusion"}, exc)
    return RedirectResponse(f"/people/{person_id}/access?done=lifted", status_code=303)
