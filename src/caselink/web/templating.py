"""Jinja2 set-up shared by every context's views.

Each context keeps its pages in ``<context>/templates/<context>/``; the shared layout and error
pages live in ``web/templates``. The GOV.UK macros come from govuk-frontend-jinja.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
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


# Layout fragments that are the same on every page (the GOV.UK header and footer) or on every page
# with the same navigation: rendered once per process, then reused. Bounded: the keys are few
# (one per set of visible navigation items and active item), but never let it grow without limit.
_FRAGMENT_CACHE_LIMIT = 512
_fragments: dict[str, Markup] = {}


def cached_fragment(*key: Any, caller: Callable[[], Markup]) -> Markup:
    """``{% call cached_fragment("name", inputs...) %}...{% endcall %}``: the body's HTML, rendered
    the first time these KEY values are seen. The body must depend on nothing but KEY."""
    if _RELOADING:  # template development: show edits at once
        return caller()
    cache_key = repr(key)
    html = _fragments.get(cache_key)
    if html is None:
        if len(_fragments) >= _FRAGMENT_CACHE_LIMIT:
            _fragments.clear()
        # The call block's body, already escaped: the environment autoescapes, so it is Markup.
        html = _fragments[cache_key] = caller()
    return html


def templates_auto_reload() -> bool:
    """Whether Jinja checks every template's file for changes on each use (a stat() per template
    per render, ~25 per page with the GOV.UK macros). Off unless CASELINK_TEMPLATE_RELOAD is set
    (template development): the templates ship with the code, so a release restarts the workers."""
    return os.environ.get("CASELINK_TEMPLATE_RELOAD", "").strip().lower() in {"1", "true", "yes", "on"}


_RELOADING = templates_auto_reload()


def build_environment() -> jinja2.Environment:
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(_template_dirs()),
            jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Compiled once per process and kept: no LRU eviction (there are a few hundred templates).
        cache_size=-1,
        auto_reload=_RELOADING,
    )
    env.globals["navigation_items"] = navigation_items
    env.globals["cached_fragment"] = cached_fragment
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
