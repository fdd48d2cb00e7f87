"""Pages for prison staff: expected arrivals, the reception form, the roll, upcoming releases and a
person's custody tab (bookings, movements, release dates with their working, override)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from caselink.custody import offender_management_service, rules, service
from caselink.custody.schemas import LengthIn, MovementIn, OverrideIn, ReceptionIn, SentencesIn, TermIn
from caselink.db.session import DbSession
from caselink.platform.access import Actor, permissions_of, requires
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("custody:read"))]
Writer = Annotated[Actor, Depends(requires("custody:write"))]
Calculator = Annotated[Actor, Depends(requires("custody:release_dates"))]


register_nav_item(NavItem("Prison", "/custody/roll", permission="custody:read", order=40))


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    return [FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]


def _int(value: str) -> int:
    text = value.strip()
    return int(text) if text.isdigit() else 0


@router.get("/custody/expected-arrivals")
async def arrivals_page(request: Request, db: DbSession, actor: Reader, prison: str | None = None) -> Response:
    found, items, total = await service.expected_arrivals(db, actor, prison)
    return render(request, "custody/arrivals.html", {"prison": found, "items": items, "total": total})


@router.get("/custody/reception")
async def reception_form(
    request: Request, db: DbSession, actor: Writer, person_id: int | None = None, arrival: int | None = None
) -> Response:
    form = {"person_id": person_id or "", "expected_arrival_id": arrival or "", "legal_status": "remand"}
    return render(request, "custody/reception.html", {"form": form})


@router.post("/custody/reception")
async def reception_submit(
    request: Request,
    db: DbSession,
    actor: Writer,
    person_id: Annotated[str, Form()] = "",
    expected_arrival_id: Annotated[str, Form()] = "",
    legal_status: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    prison_code: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "person_id": person_id,
        "expected_arrival_id": expected_arrival_id,
        "legal_status": legal_status,
        "location": location,
        "prison_code": prison_code,
    }
    try:
        body = ReceptionIn.model_validate(
            {
                "person_id": _int(person_id) or -1,
                "expected_arrival_id": _int(expected_arrival_id) or None,
                "legal_status": legal_status,
                "location": location or None,
                "prison_code": prison_code or None,
            }
        )
        await service.receive(db, actor, body)
    except ValidationError as exc:
        return _form_errors(request, "custody/reception.html", form, _pydantic_errors(exc))
    except ValidationFailed as exc:
        return _form_errors(request, "custody/reception.html", form, exc.errors)
    return RedirectResponse(f"/custody/people/{body.person_id}", status_code=303)


def _form_errors(request: Request, template: str, form: dict[str, Any], errors: list[FieldError]) -> Response:
    return render(
        request,
        template,
        {"form": form, "errors": error_list(errors), "field_errors": field_errors(errors)},
        status_code=400,
    )


@router.get("/custody/roll")
async def roll_page(
    request: Request, db: DbSession, actor: Reader, prison: str | None = None, page: int = 1
) -> Response:
    out = await service.roll(db, actor, prison, page)
    return render(request, "custody/roll.html", {"roll": out})


@router.get("/custody/releases")
async def releases_page(
    request: Request, db: DbSession, actor: Reader, prison: str | None = None, days: int = 28
) -> Response:
    out = await service.upcoming_releases(db, actor, prison, date.today(), days)
    return render(request, "custody/releases.html", {"releases": out})


async def _person_page(
    request: Request,
    db: DbSession,
    actor: Actor,
    person_id: int,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    bookings = await service.person_bookings(db, actor, person_id)
    dates = await service.release_dates(db, actor, person_id)
    name = bookings[0].person_name if bookings else await service._person_name(db, person_id)
    context = {
        "person_id": person_id,
        "person_name": name,
        "bookings": bookings,
        "dates": dates,
        "movement_kinds": [(k.value, k.label) for k in rules.RECORDABLE_MOVEMENTS],
        "date_kinds": [d.kind for d in dates.current.dates] if dates.current else [],
        "form": {},
        **(await _offender_management_tab(db, actor, bookings)),
        **(extra or {}),
    }
    return render(request, "custody/person.html", context, status_code=status)


async def _offender_management_tab(db: DbSession, actor: Actor, bookings: list[Any]) -> dict[str, Any]:
    """The prison offender manager part of the tab (offender_management_service), for an active
    booking; the allocation form only for those who allocate (custody:allocate, decision 0056)."""
    if not bookings or bookings[0].status != "active":
        return {}
    tab = await offender_management_service.person_tab(db, bookings[0].id, bookings[0].prison_code)
    return {**tab, "may_allocate": "custody:allocate" in permissions_of(actor)}


@router.get("/custody/people/{person_id}")
async def person_page(request: Request, db: DbSession, actor: Reader, person_id: int) -> Response:
    return await _person_page(request, db, actor, person_id)


@router.post("/custody/bookings/{booking_id}/movements")
async def movement_submit(
    request: Request,
    db: DbSession,
    actor: Writer,
    booking_id: int,
    person_id: Annotated[int, Form()],
    kind: Annotated[str, Form()] = "",
    to_prison_code: Annotated[str, Form()] = "",
    on_licence: Annotated[str, Form()] = "",
) -> Response:
    try:
        body = MovementIn.model_validate(
            {"kind": kind, "to_prison_code": to_prison_code or None, "on_licence": on_licence == "yes"}
        )
        await service.record_movement(db, actor, booking_id, body)
    except (ValidationError, ValidationFailed) as exc:
        errors = _pydantic_errors(exc) if isinstance(exc, ValidationError) else exc.errors
        return await _person_page(
            request, db, actor, person_id, {"errors": error_list(errors), "field_errors": field_errors(errors)}, 400
        )
    return RedirectResponse(f"/custody/people/{person_id}", status_code=303)


@router.post("/custody/movements/{movement_id}/reversal")
async def reversal_submit(
    request: Request,
    db: DbSession,
    actor: Writer,
    movement_id: int,
    person_id: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        await service.reverse_movement(db, actor, movement_id, reason)
    except ValidationFailed as exc:
        return await _person_page(
            request,
            db,
            actor,
            person_id,
            {"errors": error_list(exc.errors), "field_errors": field_errors(exc.errors)},
            400,
        )
    return RedirectResponse(f"/custody/people/{person_id}", status_code=303)


@router.post("/custody/people/{person_id}/terms")
async def add_term_submit(
    request: Request,
    db: DbSession,
    actor: Calculator,
    person_id: int,
    term_id: Annotated[str, Form()] = "",
    sentence_date: Annotated[str, Form()] = "",
    offence_date: Annotated[str, Form()] = "",
    years: Annotated[str, Form()] = "",
    months: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
    consecutive_to: Annotated[str, Form()] = "",
    flags: Annotated[list[str] | None, Form()] = None,
    remand_days: Annotated[str, Form()] = "",
    tagged_bail_days: Annotated[str, Form()] = "",
) -> Response:
    """Add one term to those held (or change the credit) and recalculate; errors point at this form."""
    held = await service.release_dates(db, actor, person_id)
    terms = [
        TermIn(
            id=str(t["id"]),
            sentence_date=t["sentence_date"],  # type: ignore[arg-type]
            offence_date=t["offence_date"],  # type: ignore[arg-type]
            length=LengthIn(**t["length"]),  # type: ignore[arg-type]
            kind=t["kind"],  # type: ignore[arg-type]
            extension=LengthIn(**t["extension"]) if t["extension"] else None,  # type: ignore[arg-type]
            consecutive_to=t["consecutive_to"],  # type: ignore[arg-type]
            flags=t["flags"],  # type: ignore[arg-type]
        )
        for t in held.terms
    ]
    form = {
        "term_id": term_id,
        "sentence_date": sentence_date,
        "offence_date": offence_date,
        "years": years,
        "months": months,
        "days": days,
        "consecutive_to": consecutive_to,
        "flags": flags or [],
        "remand_days": remand_days,
        "tagged_bail_days": tagged_bail_days,
    }
    position = len(terms)
    errors: list[FieldError] = []
    try:
        if term_id.strip():
            terms.append(
                TermIn(
                    id=term_id,
                    sentence_date=_date(sentence_date, "sentence_date", errors),
                    offence_date=_date(offence_date, "offence_date", errors),
                    length=LengthIn(years=_int(years), months=_int(months), days=_int(days)),
                    consecutive_to=consecutive_to or None,
                    flags=[rules.OffenceFlag(f) for f in flags or [] if f in rules.OffenceFlag.__members__.values()],
                )
            )
        if not errors:
            body = SentencesIn(
                terms=terms,
                remand_days=_int(remand_days) if remand_days.strip() else held.remand_days,
                tagged_bail_days=_int(tagged_bail_days) if tagged_bail_days.strip() else held.tagged_bail_days,
            )
            await service.replace_sentences(db, actor, person_id, body)
    except ValidationError as exc:
        errors = _pydantic_errors(exc)
    except ValidationFailed as exc:
        errors = exc.errors
    if errors:
        # Paths into the new term (terms.N.length) become this form's field names (length).
        prefix = f"terms.{position}."
        local = [FieldError(e.field.removeprefix(prefix), e.message) for e in errors]
        return await _person_page(
            request,
            db,
            actor,
            person_id,
            {"errors": error_list(local), "field_errors": field_errors(local), "form": form},
            400,
        )
    return RedirectResponse(f"/custody/people/{person_id}#release-dates", status_code=303)


def _date(text: str, field: str, errors: list[FieldError]) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        errors.append(FieldError(field, "Enter the date as YYYY-MM-DD, for example 2025-03-10"))
        return date.min


@router.post("/custody/people/{person_id}/release-dates/override")
async def override_submit(
    request: Request,
    db: DbSession,
    actor: Calculator,
    person_id: int,
    date_kind: Annotated[str, Form()] = "",
    new_date: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    errors: list[FieldError] = []
    when = _date(new_date, "date", errors)
    try:
        if not errors:
            await service.override_release_date(
                db,
                actor,
                person_id,
                OverrideIn.model_validate({"date_kind": date_kind, "date": when, "reason": reason}),
            )
    except ValidationError as exc:
        errors = _pydantic_errors(exc)
    except ValidationFailed as exc:
        errors = exc.errors
    if errors:
        return await _person_page(
            request, db, actor, person_id, {"errors": error_list(errors), "field_errors": field_errors(errors)}, 400
        )
    return RedirectResponse(f"/custody/people/{person_id}#release-dates", status_code=303)
