"""Pages of the duplicate review queue: two records side by side, "same person" or "different people"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from caselink.db.session import DbSession
from caselink.people import review
from caselink.platform.access import Actor, requires
from caselink.platform.errors import ValidationFailed
from caselink.web.templating import error_list, field_errors, render

router = APIRouter(include_in_schema=False)
Reviewer = Annotated[Actor, Depends(requires("people:merge"))]


@router.get("/people/review/{pair_id}")
async def review_page(request: Request, pair_id: int, db: DbSession, actor: Reviewer) -> Response:
    comparison = await review.get_pair(db, actor, pair_id)
    return render(request, "people/review.html", {"comparison": comparison})


@router.post("/people/review/{pair_id}")
async def review_decide(
    request: Request,
    pair_id: int,
    db: DbSession,
    actor: Reviewer,
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        await review.decide(db, actor, pair_id, decision, note)
    except ValidationFailed as exc:
        comparison = await review.get_pair(db, actor, pair_id)
        return render(
            request,
            "people/review.html",
            {
                "comparison": comparison,
                "errors": error_list(exc.errors),
                "field_errors": field_errors(exc.errors),
                "note": note,
            },
            status_code=400,
        )
    return RedirectResponse(f"/people/review/{pair_id}", status_code=303)
