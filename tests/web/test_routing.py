"""Skipping routers that cannot match a request (web/routing.py) changes no outcome of routing."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI

from caselink.web.routing import first_segments, skip_unreachable_routers


def _app() -> tuple[FastAPI, APIRouter]:
    app = FastAPI()
    people = APIRouter()
    late = APIRouter()
    catch_all = APIRouter()

    @people.get("/people/{person_id}")
    async def person(person_id: int) -> dict[str, int]:
        return {"person": person_id}

    @late.get("/probation/caseload")
    async def caseload() -> dict[str, str]:
        return {"page": "caseload"}

    @late.post("/probation/cases/{case_id}/notes")
    async def note(case_id: int) -> dict[str, int]:
        return {"note": case_id}

    @catch_all.get("/{slug}/about")
    async def about(slug: str) -> dict[str, str]:
        return {"about": slug}

    app.include_router(people)
    app.include_router(late, prefix="/v1")
    app.include_router(catch_all)
    skip_unreachable_routers(app)
    return app, people


async def _get(app: FastAPI, method: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.request(method, path)


async def test_the_same_routes_answer_with_routers_skipped() -> None:
    app, people = _app()
    assert (await _get(app, "GET", "/v1/probation/caseload")).json() == {"page": "caseload"}
    assert (await _get(app, "GET", "/people/7")).json() == {"person": 7}
    # A router whose first segment is a parameter is always asked.
    assert (await _get(app, "GET", "/anything/about")).json() == {"about": "anything"}
    assert (await _get(app, "GET", "/probation/caseload")).status_code == 404
    # Wrong method: still 405 naming the allowed one; trailing slash: still redirected.
    wrong = await _get(app, "GET", "/v1/probation/cases/3/notes")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
    slash = await _get(app, "GET", "/v1/probation/caseload/")
    assert slash.status_code == 307 and slash.headers["location"].endswith("/v1/probation/caseload")

    # A route added to an included router later is read again, not skipped.
    @people.get("/reports/late")
    async def added() -> dict[str, str]:
        return {"added": "yes"}

    assert (await _get(app, "GET", "/reports/late")).json() == {"added": "yes"}


def test_first_segments_of_a_router() -> None:
    app, _ = _app()
    routers = [r for r in app.router.routes if hasattr(r, "original_router")]
    assert [first_segments(r) for r in routers] == [frozenset({"people"}), frozenset({"v1"}), None]
