"""Pages for standing data: the offence finder."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from caselink.db.session import DbSession
from caselink.platform.access import PUBLIC, requires
from caselink.platform.errors import FieldError
from caselink.reference import service
from caselink.reference.rules import query_problem
from caselink.web.pagination import pagination
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(requires(PUBLIC))])

register_nav_item(NavItem("Offences", "/reference/offences", order=20))

PAGE_SIZE = 20


@router.get("/reference/offences")
async def offence_finder(request: Request, db: DbSession, q: str | None = None, page: str = "1") -> Response:
    context: dict[str, object] = {"page_title": "Find an offence", "q": q or ""}
    if q is None:
        return render(request, "reference/offences.html", context)
    problem = query_problem(q)
    if problem:
        errors = [FieldError("q", problem)]
        context.update(errors=error_list(errors), field_errors=field_errors(errors))
        return render(request, "reference/offences.html", context, status_code=400)
    # A hand-edited page number is read as the first page rather than refused.
    page_number = int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1
    result = await service.find_offences(db, q, page_number, PAGE_SIZE)
    context.update(
        page_title=f"Offences matching {result.query}",
        result=result,
        pagination=pagination(request, result.page, result.pages),
    )
    return render(request, "reference/offences.html", context)
