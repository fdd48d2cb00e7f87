"""Jinja2 set-up shared by every context's views.

Each context keeps its pages in ``<context>/templates/<context>/``; the shared layout and error
pages live in ``web/templates``. The GOV.UK macros come from govuk-frontend-jinja.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from caselink.platform.errors import FieldError

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    # Shown only to a signed-in actor holding this permission (None: shown to everyone).
    permission: str | None = None
    order: int = 100


_nav_items: list[NavItem] = []


def register_nav_item(item: NavItem) -> None:
    """Contexts add their entry to the service navigation when the app is built."""
    if all(existing.href != item.href for existing in _nav_items):
        _nav_items.append(item)
        _nav_items.sort(key=lambda i: i.order)


def navigation_items(request: Request) -> list[dict[str, Any]]:
    path = request.url.path
    items = []
    from caselink.platform.access.declare import current_actor
    from caselink.platform.access.policy import has_permission

    actor = current_actor(request)
    for item in _nav_items:
        if item.permission is not None and not (actor.is_authenticated and has_permission(actor, item.permission)):
            continue
        active = path == item.href or (item.href != "/" and path.startswith(item.href))
        items.append({"href": item.href, "text": item.text, "active": active})
    return items


def _template_dirs() -> list[str]:
    dirs = [str(PACKAGE_ROOT / "web" / "templates")]
    # Contexts (caselink/<context>/templates) and platform services (caselink/platform/<service>/templates).
    found = [*PACKAGE_ROOT.glob("*/templates"), *PACKAGE_ROOT.glob("platform/*/templates")]
    dirs += sorted(str(p) for p in found if p.parent.name != "web")
    return dirs


def build_environment() -> jinja2.Environment:
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(_template_dirs()),
            jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals["navigation_items"] = navigation_items
    return env


templates = Jinja2Templates(env=build_environment())


def error_list(errors: list[FieldError], prefix: str = "") -> list[dict[str, str]]:
    """GOV.UK error summary items: each links to its field (ids follow the form's field names)."""
    return [{"text": e.message, "href": f"#{prefix}{e.field.replace('.', '-')}"} for e in errors]


def field_errors(errors: list[FieldError]) -> dict[str, dict[str, str]]:
    """Per-field error messages for the GOV.UK macros' errorMessage parameter."""
    return {e.field: {"text": e.message} for e in errors}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    ctx: dict[str, Any] = {"request": request}
    state = request.app.state
    ctx["settings"] = state.settings
    ctx["asset_url"] = state.assets.url
    ctx["current_user"] = getattr(request.state, "user", None)
    ctx["csrf_token"] = getattr(request.state, "csrf_token", "")
    if context:
        ctx.update(context)
    return templates.TemplateResponse(request, template, ctx, status_code=status_code, headers=headers)
