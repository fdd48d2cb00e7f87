"""Routing without walking every context's routes on every request.

FastAPI matches a request by asking each included router in turn, and each asks each of its routes
(a regular expression and some bookkeeping per route): a page whose router is included late (the
probation pages, ~40 routers in) paid a millisecond or more before its code ran. Every route of a
context's router starts with one of a few fixed first path segments (``/probation``, ``/api``), so
a router none of whose routes can start with the request's first segment cannot match it, neither
fully nor partially (a 405), nor after a trailing-slash redirect: it is skipped. Routers with a
route whose first segment is a parameter, or whose routes cannot be read, are always asked, so the
order and the outcome of matching are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

_NO_MATCH: tuple[Match, Scope] = (Match.NONE, {})


def first_segment(path: str) -> str:
    """The first segment of a path: probation for /probation/caseload, the empty string for /."""
    return path[1:].split("/", 1)[0]


def _route_paths(router_route: Any, prefix: str | None = None) -> Iterable[str | None]:
    """The full paths of an included router's routes (None for one whose path cannot be read), read
    from the routes and the include prefixes. Not through FastAPI's effective route contexts: it
    builds those lazily, on a route's first use, and building them all here cost ~1 s per app."""
    prefix = router_route.include_context.prefix if prefix is None else prefix
    router = router_route.original_router
    if getattr(router, "_low_priority_routes", None):
        yield None  # routes matched after all others (frontend groups): do not guard this router
    for route in router.routes:
        if hasattr(route, "original_router"):  # a router included in this one
            yield from _route_paths(route, prefix + route.include_context.prefix)
            continue
        path = getattr(route, "path", None)
        yield prefix + path if isinstance(path, str) else None


def first_segments(router_route: Any) -> frozenset[str] | None:
    """The first path segments the router's routes can match, or None if any can match anything."""
    segments = set()
    try:
        for path in _route_paths(router_route):
            if not isinstance(path, str) or not path.startswith("/"):
                return None
            segment = first_segment(path)
            if "{" in segment:
                return None
            segments.add(segment)
    except Exception:  # a FastAPI whose included routers look different: do not guard
        return None
    return frozenset(segments)


def _guard(route: Any) -> None:
    matches: Callable[[Scope], tuple[Match, Scope]] = route.matches
    router = getattr(route, "original_router", None)
    version_of: Callable[[], Any] = getattr(router, "_get_routes_version", lambda: None)
    state: dict[str, Any] = {"version": version_of(), "segments": first_segments(route)}

    def guarded_matches(scope: Scope) -> tuple[Match, Scope]:
        version = version_of()
        if version != state["version"]:  # routes added since: read them again
            state["version"], state["segments"] = version, first_segments(route)
        segments = state["segments"]
        if (
            segments is not None
            and scope.get("type") in ("http", "websocket")
            and first_segment(get_route_path(scope)) not in segments
        ):
            return _NO_MATCH
        return matches(scope)

    route.matches = guarded_matches


def skip_unreachable_routers(app: FastAPI) -> None:
    """Call once every router is included (create_app)."""
    for route in app.router.routes:
        if hasattr(route, "original_router") and hasattr(route, "include_context"):
            _guard(route)
