"""Outbox administration pages: dead letters (and other deliveries) with a replay button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.events import service
from caselink.web.templating import render

router = APIRouter(prefix="/admin/events", include_in_schema=False)

Admin = Annotated[Actor, Depends(requires("events:manage"))]


@router.get("")
async def deliveries(
    request: Request,
    actor: Admin,
    db: DbSession,
    status: str = "dead",
    handler: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    result = await service.list_deliveries(db, status=status or None, handler=handler or None, page=page)
    pages = max(1, -(-result.total // result.page_size))
    pagination = {}
    query = f"status={status}" + (f"&handler={handler}" if handler else "")
    if page > 1:
        pagination["previous"] = {"href": f"/admin/events?{query}&page={page - 1}"}
    if page < pages:
        pagination["next"] = {"href": f"/admin/events?{query}&page={page + 1}"}
    return render(
        request,
        "events/deliveries.html",
        {
            "page_title": "Event deliveries",
            "result": result,
            "status": status,
            "handler": handler or "",
            "pagination": pagination,
            "replayed": request.query_params.get("replayed"),
        },
    )


@router.post("/deliveries/{delivery_id}/replay")
async def replay(request: Request, delivery_id: int, actor: Admin, db: DbSession) -> Response:
    await service.replay_delivery(db, actor, delivery_id)
    return RedirectResponse(f"/admin/events?replayed={delivery_id}", status_code=303)
