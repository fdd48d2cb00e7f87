"""Pages of merge and unmerge: choose the other record, compare side by side, choose the survivor
and say why; undo a merge from the person page's merge history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.db.session import DbSession
from caselink.people import merge, service
from caselink.people.views import identifier_display, identifier_label
from caselink.platform.access import Actor, requires
from caselink.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from caselink.web.templating import error_list, field_errors, render

# The pages show both records, so they need people:read as well as people:merge.
router = APIRouter(include_in_schema=False, dependencies=[Depends(requires("people:read"))])
Merger = Annotated[Actor, Depends(requires("people:merge"))]


def _errors(errors: list[FieldError]) -> dict[str, Any]:
    return {"errors": error_list(errors), "field_errors": field_errors(errors)}


def _side(record: service.PersonRecord, counts: dict[str, int]) -> dict[str, str]:
    """One record's column of the comparison: label → text."""
    person = record.person
    rows = {
        "Name": record.primary_name,
        "Date of birth": person.date_of_birth.strftime("%d/%m/%Y") if person.date_of_birth else "",
        "Sex": person.sex.replace("_", " ").capitalize(),
        "Other names": "; ".join(f"{n.given_name} {n.family_name}" for n in record.other_names),
        "Identifiers": "; ".join(
            f"{identifier_label(i.type)} {identifier_display(i.type, i.value)}" for i in record.identifiers if i.valid
        ),
        "Addresses": "; ".join(
            "No fixed abode" if a.no_fixed_abode else ", ".join(p for p in [a.line1, a.town, a.postcode] if p)
            for a in record.addresses
        ),
    }
    for name, count in counts.items():
        rows[f"{merge.label_of(name)} (number)"] = str(count)
    return rows


async def _comparison(db: AsyncSession, actor: Actor, this_id: int, other_id: int) -> dict[str, Any]:
    this = await service.get_person(db, actor, this_id)
    other = await service.get_person(db, actor, other_id)
    this_rows = _side(this, await merge.reference_counts(db, this_id))
    other_rows = _side(other, await merge.reference_counts(db, other_id))
    sides = [
        {"id": this_id, "rows": this_rows, "record": this},
        {"id": other_id, "rows": other_rows, "record": other},
    ]
    labels = list(dict.fromkeys([*this_rows, *other_rows]))
    differs = {label for label in labels if this_rows.get(label) != other_rows.get(label)}
    return {"sides": sides, "labels": labels, "differs": differs}


def _other_id(value: str) -> tuple[int | None, FieldError | None]:
    tidy = value.strip()
    if not tidy:
        return None, FieldError("other_id", "Enter the record number of the other record")
    if not tidy.isdigit() or len(tidy) > 18:
        return None, FieldError("other_id", "Record number must be a number, like 1234")
    return int(tidy), None


@router.get("/people/{person_id}/merge")
async def merge_page(
    request: Request, db: DbSession, actor: Merger, person_id: int, other_id: str | None = None
) -> Response:
    this = await service.get_person(db, actor, person_id)
    context: dict[str, Any] = {"page_title": "Merge records", "this": this, "other_id": other_id or ""}
    if other_id is None:
        return render(request, "people/merge.html", context)
    other, error = _other_id(other_id)
    if error is None and other == person_id:
        error = FieldError("other_id", "Enter a different record: a record cannot be merged with itself")
    if error is None and other is not None:
        try:
            context["comparison"] = await _comparison(db, actor, person_id, other)
        except NotFound:
            error = FieldError("other_id", f"There is no record {other}")
    if error is not None:
        return render(request, "people/merge.html", {**context, **_errors([error])}, status_code=400)
    return render(request, "people/merge.html", context)


@router.post("/people/{person_id}/merge")
async def merge_submit(
    request: Request,
    db: DbSession,
    actor: Merger,
    person_id: int,
    other_id: Annotated[str, Form()] = "",
    survivor: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    other, error = _other_id(other_id)
    if error is not None or other is None:
        return RedirectResponse(f"/people/{person_id}/merge", status_code=303)
    errors: list[FieldError] = []
    if survivor not in (str(person_id), str(other)):
        errors.append(FieldError("survivor", "Choose which record to keep"))
    if not reason.strip():
        errors.append(FieldError("reason", "Say why these records are the same person"))
    if not errors:
        survivor_id = int(survivor)
        merged_id = other if survivor_id == person_id else person_id
        try:
            done = await merge.merge_people(db, actor, survivor_id, merged_id, reason[: merge.MAX_REASON])
            return RedirectResponse(f"/people/{done.survivor_id}?merged={done.id}", status_code=303)
        except ValidationFailed as exc:
            errors = [FieldError("survivor" if e.field == "survivor_id" else e.field, e.message) for e in exc.errors]
        except (Conflict, Forbidden) as exc:
            errors = [FieldError("survivor", str(exc.detail))]
    context = {
        "page_title": "Merge records",
        "this": await service.get_person(db, actor, person_id),
        "other_id": str(other),
        "comparison": await _comparison(db, actor, person_id, other),
        "survivor": survivor,
        "reason": reason,
        **_errors(errors),
    }
    return render(request, "people/merge.html", context, status_code=400)


@router.get("/people/merges/{merge_id}/unmerge")
async def unmerge_page(request: Request, db: DbSession, actor: Merger, merge_id: int) -> Response:
    record = await merge.get_merge(db, actor, merge_id)
    return render(request, "people/unmerge.html", {"page_title": "Undo a merge", "merge": record})


@router.post("/people/merges/{merge_id}/unmerge")
async def unmerge_submit(
    request: Request, db: DbSession, actor: Merger, merge_id: int, reason: Annotated[str, Form()] = ""
) -> Response:
    try:
        done = await merge.unmerge(db, actor, merge_id, reason[: merge.MAX_REASON])
    except ValidationFailed as exc:
        errors = exc.errors
    except (Conflict, Forbidden) as exc:
        errors = [FieldError("reason", str(exc.detail))]
    else:
        return RedirectResponse(f"/people/{done.merged_id}?unmerged={done.id}", status_code=303)
    record = await merge.get_merge(db, actor, merge_id)
    context = {"page_title": "Undo a merge", "merge": record, "reason": reason, **_errors(errors)}
    return render(request, "people/unmerge.html", context, status_code=400)
