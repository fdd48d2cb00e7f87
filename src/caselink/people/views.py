"""Pages of the person index: search, add a person (matching first), the person page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from caselink.db.session import DbSession
from caselink.people import matching, service
from caselink.people.rules import PERSON_IDENTIFIER_TYPES, nino_display
from caselink.people.schemas import IdentifierIn, PersonCreate
from caselink.people.timeline_views import person_page_extras
from caselink.platform.access import Actor, requires
from caselink.platform.errors import Conflict, FieldError, ValidationFailed
from caselink.web.pagination import pagination
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("people:read"))]
Writer = Annotated[Actor, Depends(requires("people:write"))]


register_nav_item(NavItem("People", "/people", permission="people:read", order=10))

IDENTIFIER_LABELS = {
    **matching.IDENTIFIER_LABELS,
    "PRISON_NUMBER": "Prison number",
    "NINO": "National Insurance number",
}


def identifier_label(kind: str) -> str:
    label = IDENTIFIER_LABELS.get(kind, kind)
    return label[:1].upper() + label[1:]


def identifier_display(kind: str, value: str) -> str:
    return nino_display(value) if kind == "NINO" and len(value) == 9 else value


def person_link(person: service.PersonSummary) -> Markup:
    name = f"{person.given_name} {person.family_name}".strip() or "Name not known"
    return Markup('<a class="govuk-link" href="/people/{}">{}</a>').format(person.person_id, name)


def lines(items: list[str]) -> Markup:
    """Each item on its own line, escaped."""
    return Markup("<br>").join(escape(item) for item in items)


def identifier_lines(identifiers: list[tuple[str, str]]) -> Markup:
    return lines([f"{identifier_label(k)}: {identifier_display(k, v)}" for k, v in identifiers]) or Markup("None")


TABLE_HELPERS = {"person_link": person_link, "lines": lines, "identifier_lines": identifier_lines}


def _date_from_parts(prefix: str, day: str, month: str, year: str) -> tuple[date | None, FieldError | None]:
    """A GOV.UK date input's three boxes as a date; all empty is no date."""
    if not (day.strip() or month.strip() or year.strip()):
        return None, None
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, FieldError(prefix, "Date of birth must be a real date, like 27 3 1985")


def _errors_context(errors: list[FieldError]) -> dict[str, Any]:
    return {"errors": error_list(errors), "field_errors": field_errors(errors)}


def _page_number(page: str) -> int:
    # A hand-edited page number is read as the first page rather than refused.
    return int(page) if page.isdigit() and 0 < int(page) <= 1_000 else 1


# --- search -------------------------------------------------------------------------------------


@router.get("/people")
async def search_page(
    request: Request,
    db: DbSession,
    actor: Reader,
    q: str | None = None,
    dob_day: str = "",
    dob_month: str = "",
    dob_year: str = "",
    postcode: str = "",
    age_from: str = "",
    age_to: str = "",
    page: str = "1",
) -> Response:
    form = {
        "q": q or "",
        "dob_day": dob_day,
        "dob_month": dob_month,
        "dob_year": dob_year,
        "postcode": postcode,
        "age_from": age_from,
        "age_to": age_to,
    }
    context: dict[str, Any] = {"page_title": "Find a person", "form": form, **TABLE_HELPERS}
    if q is None:
        return render(request, "people/search.html", context)
    errors: list[FieldError] = []
    dob, dob_error = _date_from_parts("date_of_birth", dob_day, dob_month, dob_year)
    errors += [dob_error] if dob_error else []
    ages: dict[str, int | None] = {}
    for name, value in (("age_from", age_from), ("age_to", age_to)):
        ages[name] = int(value) if value.strip().isdigit() else None
        if value.strip() and ages[name] is None:
            errors.append(FieldError(name, "Enter an age in whole years, like 30"))
    try:
        if errors:
            raise ValidationFailed(errors)
        terms = service.validate_terms(q, dob, postcode, ages["age_from"], ages["age_to"])
        result = await service.search(db, actor, terms, _page_number(page))
    except ValidationFailed as exc:
        context.update(_errors_context(exc.errors))
        return render(request, "people/search.html", context, status_code=400)
    context.update(result=result, pagination=pagination(request, result.page, result.pages))
    return render(request, "people/search.html", context)


# --- add a person -------------------------------------------------------------------------------


def _new_form(
    given_name: str = "",
    middle_names: str = "",
    family_name: str = "",
    dob_day: str = "",
    dob_month: str = "",
    dob_year: str = "",
    postcode: str = "",
    identifier_type: str = "",
    identifier_value: str = "",
) -> dict[str, str]:
    return {
        "given_name": given_name,
        "middle_names": middle_names,
        "family_name": family_name,
        "dob_day": dob_day,
        "dob_month": dob_month,
        "dob_year": dob_year,
        "postcode": postcode,
        "identifier_type": identifier_type,
        "identifier_value": identifier_value,
    }


def _details(form: dict[str, str], confirm_new: bool = False, reason: str | None = None) -> PersonCreate:
    """The form as the API's body, so the page and the API apply the same checks."""
    errors: list[FieldError] = []
    dob, dob_error = _date_from_parts("date_of_birth", form["dob_day"], form["dob_month"], form["dob_year"])
    errors += [dob_error] if dob_error else []
    identifiers = []
    if form["identifier_value"].strip():
        if not form["identifier_type"]:
            errors.append(FieldError("identifiers.0.type", "Choose the type of identifier"))
        identifiers.append(IdentifierIn(type=form["identifier_type"] or "?", value=form["identifier_value"][:60]))
    if errors:
        raise ValidationFailed(errors)
    return PersonCreate(
        given_name=form["given_name"][:100],
        middle_names=form["middle_names"][:200] or None,
        family_name=form["family_name"][:100],
        date_of_birth=dob,
        postcode=form["postcode"][:10] or None,
        identifiers=identifiers,
        confirm_new=confirm_new,
        reason=reason,
    )


def _new_context(form: dict[str, str]) -> dict[str, Any]:
    types: list[dict[str, object]] = [{"value": "", "text": "Choose a type"}]
    types += [
        {"value": t.value, "text": identifier_label(t.value), "selected": form["identifier_type"] == t.value}
        for t in PERSON_IDENTIFIER_TYPES
    ]
    return {"page_title": "Add a person", "form": form, "identifier_types": types}


@router.get("/people/new")
async def new_person_form(request: Request, actor: Writer) -> Response:
    return render(request, "people/new.html", _new_context(_new_form()))


@router.post("/people/new")
async def new_person_submit(
    request: Request,
    db: DbSession,
    actor: Writer,
    given_name: Annotated[str, Form()] = "",
    middle_names: Annotated[str, Form()] = "",
    family_name: Annotated[str, Form()] = "",
    dob_day: Annotated[str, Form()] = "",
    dob_month: Annotated[str, Form()] = "",
    dob_year: Annotated[str, Form()] = "",
    postcode: Annotated[str, Form()] = "",
    identifier_type: Annotated[str, Form()] = "",
    identifier_value: Annotated[str, Form()] = "",
) -> Response:
    """Check the details, then show likely existing records before anything is created."""
    form = _new_form(
        given_name, middle_names, family_name, dob_day, dob_month, dob_year, postcode, identifier_type, identifier_value
    )
    try:
        details = _details(form)
        _, found = await service.match(db, actor, details)
        if not found:
            person_id = await service.create(db, actor, details)
            return RedirectResponse(f"/people/{person_id}?created=1", status_code=303)
    except ValidationFailed as exc:
        return render(request, "people/new.html", {**_new_context(form), **_errors_context(exc.errors)}, 400)
    return await _matches_page(request, db, form, found)


async def _matches_page(
    request: Request,
    db: DbSession,
    form: dict[str, str],
    found: list[service.CandidateMatch],
    errors: list[FieldError] | None = None,
) -> Response:
    # Limited-access people the user may not see come redacted (``restricted``) from service.match.
    rows = [{"match": m, "person": m.person} for m in found if m.person is not None]
    context = {
        "page_title": "Is this person already recorded?",
        "form": form,
        "rows": rows,
        "strong": any(m.score >= matching.STRONG_MATCH for m in found),
        **TABLE_HELPERS,
        **(_errors_context(errors) if errors else {}),
    }
    return render(request, "people/matches.html", context, status_code=400 if errors else 200)


@router.post("/people/new/confirm")
async def confirm_new_person(
    request: Request,
    db: DbSession,
    actor: Writer,
    given_name: Annotated[str, Form()] = "",
    middle_names: Annotated[str, Form()] = "",
    family_name: Annotated[str, Form()] = "",
    dob_day: Annotated[str, Form()] = "",
    dob_month: Annotated[str, Form()] = "",
    dob_year: Annotated[str, Form()] = "",
    postcode: Annotated[str, Form()] = "",
    identifier_type: Annotated[str, Form()] = "",
    identifier_value: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Create the record after the user has seen the likely matches and said why this is someone else."""
    form = _new_form(
        given_name, middle_names, family_name, dob_day, dob_month, dob_year, postcode, identifier_type, identifier_value
    )
    try:
        details = _details(form, confirm_new=True, reason=reason[:1000])
        person_id = await service.create(db, actor, details)
    except ValidationFailed as exc:
        if any(e.field == "reason" for e in exc.errors):
            _, found = await service.match(db, actor, _details(form))
            return await _matches_page(request, db, form, found, exc.errors)
        return render(request, "people/new.html", {**_new_context(form), **_errors_context(exc.errors)}, 400)
    except Conflict as exc:
        # Only an identifier already held by someone else stops a confirmed creation.
        _, found = await service.match(db, actor, _details(form))
        error = FieldError("identifiers.0.value", str(exc.detail))
        return await _matches_page(request, db, form, found, [error])
    return RedirectResponse(f"/people/{person_id}?created=1", status_code=303)


# --- the person page ----------------------------------------------------------------------------


@router.get("/people/{person_id}")
async def person_page(
    request: Request,
    db: DbSession,
    actor: Reader,
    person_id: int,
    created: str = "",
    agency: str = "",
    type: str = "",
    page: str = "1",
) -> Response:
    record = await service.get_person(db, actor, person_id)
    return render(
        request,
        "people/person.html",
        {
            "page_title": record.primary_name,
            "record": record,
            "created": created == "1",
            "identifier_label": identifier_label,
            "identifier_display": identifier_display,
            # The cross-agency timeline (filtered by agency and type, paged) and the merge history.
            **await person_page_extras(request, db, actor, person_id, agency, type, page),
        },
    )
