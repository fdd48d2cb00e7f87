"""Pages for agencies' units."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from caselink.db.session import DbSession
from caselink.organisations import service
from caselink.organisations.rules import AGENCY_NAMES, Agency
from caselink.platform.access import PUBLIC, requires
from caselink.web.pagination import pagination
from caselink.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(requires(PUBLIC))])

PAGE_SIZE = 50


@router.get("/organisations")
async def unit_list(request: Request, db: DbSession, agency: str = "", q: str = "", page: str = "1") -> Response:
    # An unknown agency or page number in a hand-edited address shows every agency / the first page.
    chosen = agency if agency in {a.value for a in Agency} else ""
    page_number = int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1
    search = q.strip()[:100]
    result = await service.list_units(
        db, agency=chosen or None, q=search or None, page=page_number, page_size=PAGE_SIZE
    )
    agency_items = [{"value": "", "text": "All agencies", "selected": not chosen}] + [
        {"value": a.value, "text": AGENCY_NAMES[a], "selected": a.value == chosen} for a in Agency
    ]
    return render(
        request,
        "organisations/units.html",
        {
            "page_title": "Organisations",
            "result": result,
            "agency_items": agency_items,
            "agency_names": {a.value: AGENCY_NAMES[a] for a in Agency},
            "q": search,
            "pagination": pagination(request, result.page, result.pages),
        },
    )
