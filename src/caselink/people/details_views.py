"""Pages for changing a person's details: "Change details", "Add address" and "History of changes"."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from caselink.db.session import DbSession
from caselink.people import details, service
from caselink.people.details_schemas import AddressIn, DetailsChange
from caselink.people.models import Sex
from caselink.platform.access import Actor, requires
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.web.pagination import pagination
from caselink.web.templating import error_list, field_errors, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("people:read"))]
Writer = Annotated[Actor, Depends(requires("people:write"))]

SEX_LABELS = {
    Sex.MALE.value: "Male",
    Sex.FEMALE.value: "Female",
    Sex.NOT_SPECIFIED.value: "Not specified",
    Sex.NOT_KNOWN.value: "Not known",
}
FIELD_LABELS = {
    "given_name": "Given name",
    "middle_names": "Middle names",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "gender_identity": "Gender identity",
    "nationality": "Nationality",
    "ethnicity": "Ethnicity",
    "language": "Language",
    "interpreter_needed": "Needs an interpreter",
    "address": "Current address",
    "previous_address": "Past address",
}
RECENT_CHANGES = 10


def change_label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def _date(field: str, day: str, month: str, year: str, what: str) -> tuple[date | None, FieldError | None]:
    """A GOV.UK date input's three boxes as a date; all empty is no date."""
    if not (day.strip() or month.strip() or year.strip()):
        return None, None
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, FieldError(field, f"{what} must be a real date, like 27 3 1985")


def _errors(errors: list[FieldError]) -> dict[str, Any]:
    return {"errors": error_list(errors), "field_errors": field_errors(errors)}


def _parts(value: date | None) -> tuple[str, str, str]:
    return (str(value.day), str(value.month), str(value.year)) if value else ("", "", "")


# --- change details -----------------------------------------------------------------------------

DETAIL_FORM_FIELDS = (
    "given_name",
    "middle_names",
    "family_name",
    "dob_day",
    "dob_month",
    "dob_year",
    "sex",
    "gender_identity",
    "nationality",
    "ethnicity",
    "language",
    "interpreter_needed",
    "reason",
)


async def _details_page(
    request: Request,
    db: DbSession,
    actor: Actor,
    record: service.PersonRecord,
    form: dict[str, str],
    errors: list[FieldError] | None = None,
) -> Response:
    recent = await details.history(db, actor, record.person.id, 1, RECENT_CHANGES)
    context = {
        "page_title": f"Change details – {record.primary_name}",
        "record": record,
        "form": form,
        "sexes": [{"value": k, "text": v, "selected": form["sex"] == k} for k, v in SEX_LABELS.items()],
        "recent": recent,
        "change_label": change_label,
        **(_errors(errors) if errors else {}),
    }
    return render(request, "people/details_change.html", context, 400 if errors else 200)


@router.get("/people/{person_id}/details")
async def change_details_form(request: Request, db: DbSession, actor: Writer, person_id: int) -> Response:
    record = await service.get_person(db, actor, person_id)
    person = record.person
    day, month, year = _parts(person.date_of_birth)
    form = {
        "given_name": person.given_name,
        "middle_names": person.middle_names or "",
        "family_name": person.family_name,
        "dob_day": day,
        "dob_month": month,
        "dob_year": year,
        "sex": person.sex,
        "gender_identity": person.gender_identity or "",
        "nationality": person.nationality or "",
        "ethnicity": person.ethnicity or "",
        "language": person.language or "",
        "interpreter_needed": "yes" if person.interpreter_needed else "no",
        "reason": "",
    }
    return await _details_page(request, db, actor, record, form)


@router.post("/people/{person_id}/details")
async def change_details_submit(request: Request, db: DbSession, actor: Writer, person_id: int) -> Response:
    posted = await request.form()
    form = {name: str(posted.get(name, "")) for name in DETAIL_FORM_FIELDS}
    dob, dob_error = _date("date_of_birth", form["dob_day"], form["dob_month"], form["dob_year"], "Date of birth")
    try:
        if dob_error:
            raise ValidationFailed([dob_error])
        change = DetailsChange(
            given_name=form["given_name"][:100],
            middle_names=form["middle_names"][:200],
            family_name=form["family_name"][:100],
            date_of_birth=dob,
            sex=form["sex"],
            gender_identity=form["gender_identity"][:32],
            nationality=form["nationality"][:64],
            ethnicity=form["ethnicity"][:8],
            language=form["language"][:64],
            interpreter_needed=form["interpreter_needed"] == "yes",
            reason=form["reason"][:500],
        )
        await details.change_details(db, actor, person_id, change)
    except ValidationFailed as exc:
        record = await service.get_person(db, actor, person_id)
        return await _details_page(request, db, actor, record, form, exc.errors)
    return RedirectResponse(f"/people/{person_id}/history?changed=1", status_code=303)


# --- add an address -----------------------------------------------------------------------------

ADDRESS_FORM_FIELDS = (
    "line1",
    "line2",
    "town",
    "county",
    "postcode",
    "no_fixed_abode",
    "from_day",
    "from_month",
    "from_year",
    "reason",
)


@router.get("/people/{person_id}/addresses/new")
async def add_address_form(request: Request, db: DbSession, actor: Writer, person_id: int) -> Response:
    record = await service.get_person(db, actor, person_id)
    form = dict.fromkeys(ADDRESS_FORM_FIELDS, "")
    return render(request, "people/details_address.html", {"page_title": "Add address", "record": record, "form": form})


@router.post("/people/{person_id}/addresses/new")
async def add_address_submit(
    request: Request,
    db: DbSession,
    actor: Writer,
    person_id: int,
    line1: Annotated[str, Form()] = "",
    line2: Annotated[str, Form()] = "",
    town: Annotated[str, Form()] = "",
    county: Annotated[str, Form()] = "",
    postcode: Annotated[str, Form()] = "",
    no_fixed_abode: Annotated[str, Form()] = "",
    from_day: Annotated[str, Form()] = "",
    from_month: Annotated[str, Form()] = "",
    from_year: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "line1": line1,
        "line2": line2,
        "town": town,
        "county": county,
        "postcode": postcode,
        "no_fixed_abode": no_fixed_abode,
        "from_day": from_day,
        "from_month": from_month,
        "from_year": from_year,
        "reason": reason,
    }
    moved_in, date_error = _date("from_date", from_day, from_month, from_year, "The date they moved in")
    try:
        if date_error:
            raise ValidationFailed([date_error])
        address = AddressIn(
            line1=line1[:200],
            line2=line2[:200] or None,
            town=town[:100] or None,
            county=county[:100] or None,
            postcode=postcode[:10] or None,
            no_fixed_abode=no_fixed_abode == "yes",
            from_date=moved_in,
            reason=reason[:500] or None,
        )
        await details.add_address(db, actor, person_id, address)
    except ValidationFailed as exc:
        record = await service.get_person(db, actor, person_id)
        context = {"page_title": "Add address", "record": record, "form": form, **_errors(exc.errors)}
        return render(request, "people/details_address.html", context, 400)
    return RedirectResponse(f"/people/{person_id}/history?changed=1", status_code=303)


# --- history ------------------------------------------------------------------------------------


@router.get("/people/{person_id}/history")
async def history_page(
    request: Request, db: DbSession, actor: Reader, person_id: int, page: str = "1", changed: str = ""
) -> Response:
    number = int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1
    record = await service.get_person(db, actor, person_id)
    found = await details.history(db, actor, person_id, number)
    return render(
        request,
        "people/details_history.html",
        {
            "page_title": f"History of changes – {record.primary_name}",
            "record": record,
            "history": found,
            "changed": changed == "1",
            "change_label": change_label,
            "pagination": pagination(request, found.page, found.pages),
        },
    )
