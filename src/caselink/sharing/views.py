"""Sharing pages: the integrators' guide (public), subscriptions and webhook deliveries for national
administrators (with replay), and a person's sharing log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from caselink.db.session import DbSession
from caselink.platform.access import PUBLIC, SCOPES, Actor, requires
from caselink.platform.idempotency import HEADER as IDEMPOTENCY_HEADER
from caselink.sharing import rules, service
from caselink.web.pagination import pagination
from caselink.web.templating import NavItem, register_nav_item, render

router = APIRouter(include_in_schema=False)

Admin = Annotated[Actor, Depends(requires("sharing:manage"))]
Reader = Annotated[Actor, Depends(requires("people:read"))]

VERIFY_EXAMPLE = (Path(__file__).parent / "verify_example.py").read_text()

register_nav_item(
    NavItem(
        "Sharing",
        "/admin/sharing",
        permission="sharing:manage",
        order=95,
    )
)


@router.get("/developers", dependencies=[Depends(requires(PUBLIC))])
async def developers(request: Request) -> Response:
    areas: dict[str, list[str]] = {}
    for context, area in rules.EVENT_AREAS.items():
        areas.setdefault(area, []).append(f"{context}.*")
    return render(
        request,
        "sharing/developers.html",
        {
            "page_title": "Build on Caselink: API, webhooks and the event feed",
            "verify_example": VERIFY_EXAMPLE,
            "scopes": sorted(SCOPES),
            "areas": sorted(areas.items()),
            "idempotency_header": IDEMPOTENCY_HEADER,
            "tolerance_minutes": int(rules.TIMESTAMP_TOLERANCE.total_seconds() // 60),
            "grace_hours": int(rules.ROTATION_GRACE.total_seconds() // 3600),
            "max_attempts": rules.MAX_ATTEMPTS,
        },
    )


@router.get("/admin/sharing")
async def admin(
    request: Request,
    actor: Admin,
    db: DbSession,
    status: str = "dead",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    subscriptions = await service.all_subscriptions(db)
    deliveries = await service.list_deliveries(db, status=status or None, page=page)
    pages = max(1, -(-deliveries.total // deliveries.page_size))
    return render(
        request,
        "sharing/admin.html",
        {
            "page_title": "Sharing: subscriptions and webhook deliveries",
            "subscriptions": subscriptions,
            "deliveries": deliveries,
            "status": status,
            "pagination": pagination(request, page, pages),
            "replayed": request.query_params.get("replayed"),
        },
    )


@router.post("/admin/sharing/deliveries/{delivery_id}/replay")
async def replay(delivery_id: int, actor: Admin, db: DbSession) -> Response:
    await service.replay_delivery(db, actor, delivery_id)
    return RedirectResponse(f"/admin/sharing?replayed={delivery_id}", status_code=303)


@router.get("/people/{person_id}/sharing")
async def person_sharing(
    request: Request,
    person_id: int,
    actor: Reader,
    db: DbSession,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    log = await service.sharing_log(db, actor, person_id, page)
    pages = max(1, -(-log.total // log.page_size))
    return render(
        request,
        "sharing/person_sharing.html",
        {
            "page_title": "Shared with other systems",
            "person_id": person_id,
            "log": log,
            "pagination": pagination(request, page, pages),
        },
    )
