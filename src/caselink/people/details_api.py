"""JSON API for changing a person's details: PATCH the details, add addresses, aliases and
contact details, end an address or a contact detail, and read the history of changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from caselink.db.session import DbSession
from caselink.people import details
from caselink.people.details_models import PersonChange
from caselink.people.details_schemas import (
    AddressEnd,
    AddressIn,
    AliasIn,
    ChangeOut,
    ChangesOut,
    ContactEnd,
    ContactIn,
    CreatedOut,
    DetailsChange,
    HistoryPage,
)
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import PROBLEM

router = APIRouter(tags=["people"])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {**PROBLEM, "description": "The person is under limited access the caller is not allowed past"},
    404: {**PROBLEM, "description": "No such person (or address, contact detail)"},
    409: {**PROBLEM, "description": "The record was merged into another, or the address has already ended"},
    422: {**PROBLEM, "description": "A field is not valid; `errors` names each field and what is wrong"},
}
Reader = Annotated[Actor, Depends(requires("people:read"))]
Writer = Annotated[Actor, Depends(requires("people:write"))]


def _out(changes: Sequence[PersonChange]) -> list[ChangeOut]:
    return [
        ChangeOut(
            id=c.id,
            kind=c.kind,
            field=c.field,
            old_value=c.old_value,
            new_value=c.new_value,
            reason=c.reason,
            changed_by=c.changed_by,
            changed_at=c.changed_at,
        )
        for c in changes
    ]


@router.patch(
    "/people/{person_id}",
    response_model=ChangesOut,
    summary="Change a person's personal details",
    responses=ERRORS,
)
async def change_details(db: DbSession, actor: Writer, person_id: int, body: DetailsChange) -> ChangesOut:
    """Only the fields sent change; each changed field is kept in the history with the reason.
    Emits ``people.person.updated``."""
    return ChangesOut(person_id=person_id, changes=_out(await details.change_details(db, actor, person_id, body)))


@router.post(
    "/people/{person_id}/addresses",
    status_code=201,
    response_model=CreatedOut,
    summary="Add an address",
    responses=ERRORS,
)
async def add_address(db: DbSession, actor: Writer, person_id: int, body: AddressIn) -> CreatedOut:
    """Without ``to_date`` the address becomes current and the previous current one ends.
    Emits ``people.address.changed``."""
    address_id, changes = await details.add_address(db, actor, person_id, body)
    return CreatedOut(person_id=person_id, id=address_id, changes=_out(changes))


@router.post(
    "/people/{person_id}/addresses/{address_id}/end",
    response_model=ChangesOut,
    summary="End an address",
    responses=ERRORS,
)
async def end_address(db: DbSession, actor: Writer, person_id: int, address_id: int, body: AddressEnd) -> ChangesOut:
    changes = await details.end_address(db, actor, person_id, address_id, body)
    return ChangesOut(person_id=person_id, changes=_out(changes))


@router.post(
    "/people/{person_id}/aliases",
    status_code=201,
    response_model=CreatedOut,
    summary="Add another name the person is known by",
    responses=ERRORS,
)
async def add_alias(db: DbSession, actor: Writer, person_id: int, body: AliasIn) -> CreatedOut:
    name_id, changes = await details.add_alias(db, actor, person_id, body)
    return CreatedOut(person_id=person_id, id=name_id, changes=_out(changes))


@router.post(
    "/people/{person_id}/contacts",
    status_code=201,
    response_model=CreatedOut,
    summary="Add a phone number or email address",
    responses=ERRORS,
)
async def add_contact(db: DbSession, actor: Writer, person_id: int, body: ContactIn) -> CreatedOut:
    contact_id, changes = await details.add_contact(db, actor, person_id, body)
    return CreatedOut(person_id=person_id, id=contact_id, changes=_out(changes))


@router.post(
    "/people/{person_id}/contacts/{contact_id}/end",
    response_model=ChangesOut,
    summary="End a contact detail (kept in the history)",
    responses=ERRORS,
)
async def end_contact(db: DbSession, actor: Writer, person_id: int, contact_id: int, body: ContactEnd) -> ChangesOut:
    changes = await details.end_contact(db, actor, person_id, contact_id, body)
    return ChangesOut(person_id=person_id, changes=_out(changes))


@router.get(
    "/people/{person_id}/history",
    response_model=HistoryPage,
    summary="The history of changes to a person's details, newest first",
    responses=ERRORS,
)
async def person_history(
    db: DbSession,
    actor: Reader,
    person_id: int,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=details.MAX_HISTORY_PAGE_SIZE)] = details.HISTORY_PAGE_SIZE,
) -> HistoryPage:
    found = await details.history(db, actor, person_id, page, page_size)
    return HistoryPage(
        person_id=person_id, items=_out(found.items), page=found.page, page_size=found.page_size, total=found.total
    )
