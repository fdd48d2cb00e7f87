"""Shell pages and operational endpoints: start page, accessibility, assets, health and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import text
from starlette.responses import FileResponse

from caselink.db.migrate import current_revisions, pending_heads
from caselink.platform.access import PUBLIC, requires
from caselink.platform.access.actor import ActorKind
from caselink.platform.access.declare import current_actor
from caselink.web.templating import NavItem, register_nav_item, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(requires(PUBLIC))])

register_nav_item(NavItem("Home", "/", order=0))


@router.get("/")
async def start_page(request: Request) -> Response:
    """The start page for visitors; signed-in staff go straight to their work queue ("My work")."""
    from caselink.platform.access.policy import has_permission

    actor = current_actor(request)
    if actor.kind is ActorKind.STAFF and has_permission(actor, "tasks:read"):
        return RedirectResponse("/tasks", status_code=303)
    return render(request, "start.html", {"start_link": {"text": "Sign in", "href": "/sign-in"}})


@router.get("/accessibility")
async def accessibility(request: Request) -> Response:
    return render(request, "accessibility.html", {"page_title": "Accessibility statement"})


@router.get("/developers/api")
async def api_reference(request: Request) -> Response:
    """The interactive API reference (Swagger UI from our own assets, not a CDN), public like the
    OpenAPI description it reads."""
    context = {"page_title": "API reference", "openapi_url": request.app.openapi_url}
    return render(request, "api_reference.html", context)


@router.get("/static/{name}")
async def static_asset(name: str, request: Request) -> Response:
    asset = request.app.state.assets.by_url_name.get(name)
    if asset is None:
        return Response(status_code=404)
    # The URL names the content, so it never changes: cache it for a year.
    return FileResponse(
        asset.path,
        media_type=asset.content_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """Alive: the process answers. Says nothing about the database (that is /readyz)."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready: the database answers and its schema is at the migrations' head."""
    try:
        async with request.app.state.database.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            current = await current_revisions(conn)
    except Exception as exc:
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable", "error": type(exc).__name__}, status_code=503
        )
    pending = pending_heads(current)
    if pending:
        return JSONResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "migrations": "pending",
                "current": sorted(current),
                "pending": sorted(pending),
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "migrations": "current"})
