"""JSON API for agencies' units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from caselink.db.session import DbSession
from caselink.organisations import service
from caselink.organisations.rules import Agency, UnitKind
from caselink.organisations.schemas import UnitOut, UnitPageOut
from caselink.platform.access import PUBLIC, requires

# Unit lists are public reference information; a later change may require a signed-in client.
router = APIRouter(tags=["organisations"], dependencies=[Depends(requires(PUBLIC))])


@router.get("/organisations/units", response_model=UnitPageOut, summary="List agencies' units")
async def list_units(
    db: DbSession,
    agency: Annotated[Agency | None, Query(description="Only this agency's units")] = None,
    kind: Annotated[UnitKind | None, Query(description="Only units of this kind")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Words of the name, or the start of the code")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> UnitPageOut:
    """Active units ordered by agency, kind and name."""
    result = await service.list_units(
        db,
        agency=agency.value if agency else None,
        kind=kind.value if kind else None,
        q=q,
        page=page,
        page_size=page_size,
    )
    return UnitPageOut(
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        items=[UnitOut.model_validate(item) for item in result.items],
    )
