"""JSON API for standing data: the offence finder and the small code lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from caselink.db.session import DbSession
from caselink.platform.access import PUBLIC, requires
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.platform.openapi import PROBLEM
from caselink.reference import service
from caselink.reference.rules import query_problem
from caselink.reference.schemas import CodeListOut, CodeOut, OffenceOut, OffenceSearchResult

# Standing data is public reference information, not personal data.
router = APIRouter(tags=["reference"], dependencies=[Depends(requires(PUBLIC))])


@router.get(
    "/reference/offences",
    response_model=OffenceSearchResult,
    summary="Find offences by code or title words",
    responses={422: {**PROBLEM, "description": "q is missing, blank or one character (field `query.q`)"}},
)
async def find_offences(
    db: DbSession,
    q: Annotated[str | None, Query(description="An offence code or its start (TH68001, th68) or title words")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> OffenceSearchResult:
    """Ranked: the exact code first, then codes starting with `q`, then titles containing every word
    of `q` (closest title first). When nothing matches, misspelt words are respelt and
    `corrected_query` says so."""
    # Field paths of query parameters read "query.<name>", as for FastAPI's own checks (page, page_size).
    problem = query_problem(q)
    if problem:
        raise ValidationFailed(FieldError("query.q", problem))
    result = await service.find_offences(db, q, page, page_size)
    return OffenceSearchResult(
        query=result.query,
        corrected_query=result.corrected_query,
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        items=[OffenceOut.model_validate(item) for item in result.items],
    )


@router.get(
    "/reference/offences/{code}",
    response_model=OffenceOut,
    summary="One offence by its CJS code",
    responses={404: {**PROBLEM, "description": "No offence has this code"}},
)
async def get_offence(code: str, db: DbSession) -> OffenceOut:
    return OffenceOut.model_validate(await service.get_offence(db, code))


@router.get(
    "/reference/lists/{list_name}",
    response_model=CodeListOut,
    summary="A small standing-data list",
    responses={404: {**PROBLEM, "description": "No list has this name"}},
)
async def get_list(list_name: str, db: DbSession) -> CodeListOut:
    """Lists: forces, court-type, type-of-hearing, plea-status, verdict, remand-status, result-code,
    offence-category."""
    rows = await service.list_codes(db, list_name)
    return CodeListOut(
        list_name=list_name,
        items=[CodeOut(code=r.code, description=r.description, attributes=r.attributes) for r in rows],
    )
