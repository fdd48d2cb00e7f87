"""JSON API of the person index: search, match before creation, create, read (issue 4 contract)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from caselink.db.session import DbSession
from caselink.people import service
from caselink.people.schemas import (
    IdentifierOut,
    MatchCandidate,
    MatchResponse,
    NameOut,
    PersonCreate,
    PersonDetails,
    PersonOut,
    ResponsibleOfficer,
    SearchItem,
    SearchPage,
)
from caselink.platform.access import Actor, requires
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.platform.openapi import PROBLEM

router = APIRouter(tags=["people"])

Reader = Annotated[Actor, Depends(requires("people:read"))]
Writer = Annotated[Actor, Depends(requires("people:write"))]


@router.get(
    "/people",
    response_model=SearchPage,
    summary="Find people by an identifier or a name",
    responses={422: {**PROBLEM, "description": "q is empty, or has digits but is no valid identifier (`query.q`)"}},
)
async def search_people(
    db: DbSession,
    actor: Reader,
    q: Annotated[
        str | None, Query(description="A PNC ID (long or short), CRO, prison number, CRN, ASN, NINO, or a name")
    ] = None,
    date_of_birth: Annotated[
        date | None, Query(description="Raises people born that day (or day and month swapped)")
    ] = None,
    postcode: Annotated[str | None, Query(description="Raises people with an address at this postcode")] = None,
    age_from: Annotated[int | None, Query(description="Only people at least this old")] = None,
    age_to: Annotated[int | None, Query(description="Only people at most this old")] = None,
    page: Annotated[int, Query(ge=1, le=1_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = service.PAGE_SIZE,
) -> SearchPage:
    """Ranked best first, each with its score (0–1) and the reasons it matched. Every search is audited."""
    try:
        terms = service.validate_terms(q, date_of_birth, postcode, age_from, age_to)
        result = await service.search(db, actor, terms, page, page_size)
    except ValidationFailed as exc:
        # Query parameters' field paths read "query.<name>", as in FastAPI's own checks.
        raise ValidationFailed([FieldError(f"query.{e.field}", e.message) for e in exc.errors]) from None
    return SearchPage(
        kind=result.kind,
        items=[
            SearchItem(
                person_id=hit.person.person_id,
                score=hit.score,
                reasons=hit.reasons,
                given_name=hit.person.given_name,
                family_name=hit.person.family_name,
                date_of_birth=hit.person.date_of_birth,
                identifiers=[IdentifierOut(type=t, value=v) for t, v in hit.person.identifiers],
            )
            if hit.restricted is None
            else SearchItem(
                person_id=hit.person.person_id,
                score=0.0,
                reasons=[],
                given_name=None,
                family_name=None,
                date_of_birth=None,
                identifiers=[IdentifierOut(type=t, value=v) for t, v in hit.person.identifiers],
                restricted=True,
                responsible_officer=ResponsibleOfficer(name=hit.restricted.responsible_officer),
                message=hit.restricted.message,
            )
            for hit in result.items
        ],
        page=result.page,
        page_size=result.page_size,
        total=result.total,
        pages=result.pages,
    )


@router.post(
    "/people/match",
    response_model=MatchResponse,
    # A visible candidate is exactly {"person_id", "score", "reasons"} (the contract); only a
    # restricted one carries the redaction's fields.
    response_model_exclude_defaults=True,
    summary="Likely existing records of a person, before creating one",
    responses={422: {**PROBLEM, "description": "Missing family name, impossible date, invalid identifier"}},
)
async def match_person(db: DbSession, actor: Reader, body: PersonDetails) -> MatchResponse:
    """Candidates scoring at least 0.6, best first; 0.85 or more is a strong match that blocks creation.
    A limited-access person the caller may not see keeps their place with only an identifier, the
    responsible officer and the message (`restricted`)."""
    _, found = await service.match(db, actor, body)
    # The same shape as a 409's candidates: limited-access people the caller may not see redacted.
    return MatchResponse(candidates=[MatchCandidate.model_validate(c) for c in service.candidates_body(found)])


@router.post(
    "/people",
    status_code=201,
    response_model=PersonOut,
    summary="Create a person (refused with 409 and the candidates when a strong match exists)",
    responses={
        409: {**PROBLEM, "description": "A strong match exists (`candidates`), or an identifier belongs to someone"},
        422: {**PROBLEM, "description": "Invalid identifier (`identifiers.N.value`), impossible date, ..."},
    },
)
async def create_person(db: DbSession, actor: Writer, body: PersonCreate) -> JSONResponse:
    """Send `"confirm_new": true` with a `reason` to create a record despite strong matches (audited)."""
    person_id = await service.create(db, actor, body)
    person = await read_person(db, actor, person_id)
    return JSONResponse(
        person.model_dump(mode="json"), status_code=201, headers={"Location": f"/api/v1/people/{person_id}"}
    )


@router.get(
    "/people/{person_id}",
    response_model=PersonOut,
    summary="One person",
    responses={404: {**PROBLEM, "description": "No such person"}},
)
async def get_person(db: DbSession, actor: Reader, person_id: int) -> PersonOut:
    """Every read is audited."""
    return await read_person(db, actor, person_id)


async def read_person(db: DbSession, actor: Actor, person_id: int) -> PersonOut:
    record = await service.get_person(db, actor, person_id)
    return PersonOut(
        id=record.person.id,
        names=[
            NameOut(type=n.name_type, given_name=n.given_name, middle_names=n.middle_names, family_name=n.family_name)
            for n in record.names
        ],
        date_of_birth=record.person.date_of_birth,
        identifiers=[IdentifierOut(type=i.type, value=i.value) for i in record.identifiers if i.valid],
        flags=record.flags,
    )
