"""Every route declares its permission, and every role gets exactly what its permissions allow.

The walk covers every route of create_app(): routes of included routers (at any depth), mounted
sub-applications, and routes added directly to the app. Only the exceptions listed below may go
without a ``requires(...)`` declaration.

The matrix calls every route as nobody and as each role (an injected Actor, as the accounts
middleware sets in production) and checks the status: 401 for nobody on a non-public route, 403 for
a role without the permission, anything but 401/403 for a role with it (a 404 or 422 from a
placeholder id or an empty form still shows the request got past the permission check).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from caselink.app import create_app
from caselink.config import Settings
from caselink.db.engine import Database
from caselink.db.session import get_db
from caselink.platform.access import PERMISSIONS, PUBLIC, ROLES, Actor, declared_permission, permissions_of
from caselink.platform.access.actor import ANONYMOUS, ActorKind

# Routes allowed to have no declaration, each with the reason.
UNDECLARED_ALLOWED = {
    ("MOUNT", "/assets"): "GOV.UK Frontend's static fonts and images, public by nature",
    ("GET", "/api/v1/openapi.json"): "the OpenAPI description, public so other agencies can build clients",
}


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    permissions: tuple[str, ...]  # every requires(...) on the route, router and sub-dependencies

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def needed(self) -> frozenset[str]:
        return frozenset(p for p in self.permissions if p != PUBLIC)


def _declarations(dependant: Any) -> Iterator[str]:
    for sub in getattr(dependant, "dependencies", []):
        permission = declared_permission(sub.call)
        if permission is not None:
            yield permission
        yield from _declarations(sub)


def walk_routes(routes: Any, prefix: str = "") -> Iterator[RouteInfo]:
    """Every endpoint as (method, full path, declared permissions); raises on a route kind it does
    not understand, so a new kind of route cannot slip past unchecked."""
    for context in iter_route_contexts(routes):
        route = context.original_route
        path = prefix + (context.path or "")
        dependant = getattr(context, "dependant", None)
        if isinstance(route, Mount):
            sub_routes = getattr(route.app, "routes", None)
            if sub_routes is None:
                yield RouteInfo("MOUNT", path, ())
            else:
                yield from walk_routes(sub_routes, path)
            continue
        if dependant is None and not isinstance(route, Route):
            raise AssertionError(f"unrecognised route {route!r} at {path}: teach walk_routes about it")
        permissions = tuple(_declarations(dependant)) if dependant is not None else ()
        for method in sorted((context.methods or {"GET"}) - {"HEAD"}):
            yield RouteInfo(method, path, permissions)


def _settings_for_collection() -> Settings:
    return Settings.from_env({"DATABASE_URL": "postgresql://collect@localhost/unused"})


ROUTES = sorted(walk_routes(create_app(_settings_for_collection()).routes), key=lambda r: (r.path, r.method))
CHECKED_ROUTES = [r for r in ROUTES if (r.method, r.path) not in UNDECLARED_ALLOWED]


def test_every_route_declares_a_permission() -> None:
    missing = [r.id for r in CHECKED_ROUTES if not r.permissions]
    assert not missing, (
        "These routes declare no permission; add dependencies=[Depends(requires(...))] to the route "
        "or its router (use PUBLIC only for pages anyone may see): " + ", ".join(missing)
    )


def test_declared_permissions_are_in_the_catalogue() -> None:
    unknown = {f"{r.id}: {p}" for r in ROUTES for p in r.permissions if p != PUBLIC and p not in PERMISSIONS}
    assert not unknown, "Routes declare permissions the policy does not know: " + ", ".join(sorted(unknown))


def test_the_allowed_exceptions_still_exist() -> None:
    # An exception that no longer matches a route would silently widen the list.
    present = {(r.method, r.path) for r in ROUTES}
    assert set(UNDECLARED_ALLOWED) <= present


def test_the_walk_finds_routes_of_included_routers_and_mounts() -> None:
    ids = {r.id for r in ROUTES}
    assert {"GET /", "GET /audit", "GET /api/v1/audit/events", "MOUNT /assets"} <= ids


def test_the_walk_fails_a_route_without_a_declaration() -> None:
    from fastapi import APIRouter, Depends

    from caselink.platform.access import requires

    app = FastAPI()
    declared = APIRouter(dependencies=[Depends(requires("people:read"))])
    declared.add_api_route("/declared/{id}", lambda id: {}, methods=["GET", "POST"])
    bare = APIRouter()
    bare.add_api_route("/bare", lambda: {}, methods=["GET"])
    declared.include_router(bare, prefix="/nested")
    app.include_router(declared, prefix="/x")
    inner = FastAPI()
    inner.add_api_route("/inside", lambda: {}, methods=["GET"])
    app.mount("/sub", inner)
    found = {r.id: r.permissions for r in walk_routes(app.routes)}
    assert found["GET /x/declared/{id}"] == ("people:read",)
    assert found["POST /x/declared/{id}"] == ("people:read",)
    # The nested router inherits the outer router's declaration; the mounted app's route has none.
    assert found["GET /x/nested/bare"] == ("people:read",)
    assert found["GET /sub/inside"] == ()


# --- the authorisation matrix ---------------------------------------------------------------------


def actor_for(role: str) -> Actor:
    spec = ROLES[role]
    return Actor(
        kind=ActorKind.STAFF,
        id=9000 + sorted(ROLES).index(role),
        name=f"matrix-{role}",
        roles=frozenset({role}),
        agency=spec.agency or "probation",
        unit_id=1,
        unit_code="TEST001",
        region="London",
        team_ids=frozenset({1}),
        display_name=spec.title,
    )


ACTORS: dict[str, Actor] = {"anonymous": ANONYMOUS} | {role: actor_for(role) for role in sorted(ROLES)}


class InjectActor:
    """Test-only ASGI wrapper: sets request.state.actor from the X-Test-Actor header, standing in
    for the accounts middleware that does it from the session or bearer token in production."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            name = headers.get(b"x-test-actor", b"anonymous").decode()
            scope.setdefault("state", {})["actor"] = ACTORS[name]
        await self.app(scope, receive, send)


class _CurrentSession:
    session: AsyncSession | None = None


@pytest.fixture(scope="module")
def matrix_app(settings: Settings, engine: AsyncEngine) -> FastAPI:
    """One app for the whole matrix; each test's requests use that test's rolled-back session."""
    application = create_app(settings, database=Database(engine))

    async def current_session() -> AsyncIterator[AsyncSession]:
        assert _CurrentSession.session is not None
        yield _CurrentSession.session

    application.dependency_overrides[get_db] = current_session
    return application


@pytest.fixture
async def matrix_client(matrix_app: FastAPI, db: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    _CurrentSession.session = db
    transport = httpx.ASGITransport(app=InjectActor(matrix_app), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    _CurrentSession.session = None


PLACEHOLDER = "1"  # a number passes int converters; for anything else a 404/422 is fine


def concrete_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", PLACEHOLDER, path)


async def call(client: httpx.AsyncClient, route: RouteInfo, actor_name: str) -> int:
    headers = {"X-Test-Actor": actor_name}
    kwargs: dict[str, Any] = {}
    if route.method in {"POST", "PUT", "PATCH"}:
        kwargs = {"json": {}} if route.path.startswith("/api/") else {"data": {}}
    response = await client.request(route.method, concrete_path(route.path), headers=headers, **kwargs)
    return response.status_code


MATRIX_ROUTES = [r for r in CHECKED_ROUTES if r.method != "MOUNT"]


@pytest.mark.parametrize("route", MATRIX_ROUTES, ids=[r.id for r in MATRIX_ROUTES])
async def test_authorisation_matrix(matrix_client: httpx.AsyncClient, route: RouteInfo) -> None:
    wrong: list[str] = []
    status = await call(matrix_client, route, "anonymous")
    if route.needed and status != 401:
        wrong.append(f"anonymous got {status}, expected 401")
    if not route.needed and status in (401, 403):
        wrong.append(f"anonymous got {status} on a public route")
    for role, actor in ACTORS.items():
        if role == "anonymous":
            continue
        status = await call(matrix_client, route, role)
        allowed = route.needed <= permissions_of(actor)
        if allowed and status in (401, 403):
            wrong.append(f"{role} holds {sorted(route.needed)} but got {status}")
        if not allowed and status != 403:
            wrong.append(f"{role} lacks {sorted(route.needed - permissions_of(actor))} but got {status}")
    assert not wrong, f"{route.id}: " + "; ".join(wrong)


def test_matrix_covers_every_role() -> None:
    assert set(ACTORS) == {"anonymous", *ROLES}
    assert MATRIX_ROUTES, "the walk found no routes to call"
