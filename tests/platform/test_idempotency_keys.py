"""Idempotency keys on every API POST that creates a record (caselink.platform.idempotency): a retry
replays the first response and creates nothing, another body is refused with a field path, a refused
request leaves its key usable, concurrent duplicates create one record, and the OpenAPI description
declares the header on every creating POST."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.custody.custody_factory import officer, person, prison_id
from tests.people.people_factory import CASE_BUILDER, client_as
from tests.platform.test_tasks_service import make_place
from tests.probation.supervision_factory import add_case, staff_actor, unit

from caselink.config import Settings
from caselink.custody.models import ExpectedArrival
from caselink.db.engine import Database
from caselink.people.models import Person
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.idempotency import HEADER, REPLAYED_HEADER, IdempotencyRecord
from caselink.platform.tasks.models import Task
from caselink.probation.supervision_models import Contact

pytestmark = pytest.mark.usefixtures("reference_loaded")


def keyed(key: str | None = None) -> dict[str, str]:
    return {HEADER: key or str(uuid.uuid4())}


async def count(db: AsyncSession, model: Any, *where: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def replays_once(api: httpx.AsyncClient, url: str, body: dict[str, Any]) -> tuple[httpx.Response, httpx.Response]:
    """POST twice with one key: the first creates (201), the second is the same response, replayed."""
    headers = keyed()
    first = await api.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert REPLAYED_HEADER not in first.headers
    again = await api.post(url, json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers[REPLAYED_HEADER] == "true"
    assert again.json() == first.json()
    assert again.headers.get("location") == first.headers.get("location")
    return first, again


async def test_people_create_replays_and_creates_one_person(app: FastAPI, db: AsyncSession) -> None:
    family = f"Idem{uuid.uuid4().hex[:8]}"
    body = {"given_name": "Rhiannon", "family_name": family, "date_of_birth": "1987-11-03"}
    async with client_as(app, CASE_BUILDER) as api:
        first, _ = await replays_once(api, "/api/v1/people", body)
    assert first.headers["location"] == f"/api/v1/people/{first.json()['id']}"
    assert await count(db, Person, Person.family_name == family) == 1


async def test_a_probation_contact_replays_and_is_booked_once(app: FastAPI, db: AsyncSession) -> None:
    pdu = await unit(db)
    practitioner = await staff_actor(db, "idem.practitioner", "probation_practitioner", pdu)
    case = await add_case(db, pdu, practitioner)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    async with client_as(app, practitioner) as api:
        await replays_once(
            api, f"/api/v1/probation/cases/{case.id}/contacts", {"type": "office_appointment", "starts_at": tomorrow}
        )
    assert await count(db, Contact, Contact.case_id == case.id) == 1


async def test_a_custody_expected_arrival_replays_and_is_expected_once(app: FastAPI, db: AsyncSession) -> None:
    pid = await person(db, "Idris", f"Idem{uuid.uuid4().hex[:6]}")
    prison = await prison_id(db, "PVI")
    body = {"person_id": pid, "prison_code": "PVI", "expected_on": str(date.today() + timedelta(days=2))}
    async with client_as(app, officer(prison)) as api:
        await replays_once(api, "/api/v1/custody/expected-arrivals", body)
    assert await count(db, ExpectedArrival, ExpectedArrival.person_id == pid) == 1


async def test_a_task_replays_and_is_created_once(app: FastAPI, db: AsyncSession) -> None:
    place = await make_place(db)
    title = f"Idempotent review {uuid.uuid4().hex[:8]}"
    body = {
        "type": "probation.review",
        "title": title,
        "subject_type": "person",
        "subject_id": "42",
        "owner_type": "team",
        "owner_id": place.team.id,
        "due_in_working_days": 10,
    }
    async with client_as(app, place.manager) as api:
        first, _ = await replays_once(api, "/api/v1/tasks", body)
        # Formatting and key order do not make another request; a changed value does.
        reordered = await api.post(
            "/api/v1/tasks",
            content=json.dumps(dict(reversed(body.items())), indent=2),
            headers={"Content-Type": "application/json", **keyed(first.request.headers[HEADER])},
        )
        assert reordered.status_code == 201 and reordered.headers[REPLAYED_HEADER] == "true"
    assert await count(db, Task, Task.title == title) == 1


async def test_another_body_with_the_same_key_is_refused_with_the_field_path(app: FastAPI, db: AsyncSession) -> None:
    family = f"Idem{uuid.uuid4().hex[:8]}"
    body = {"given_name": "Rhiannon", "family_name": family, "date_of_birth": "1987-11-03"}
    headers = keyed()
    async with client_as(app, CASE_BUILDER) as api:
        assert (await api.post("/api/v1/people", json=body, headers=headers)).status_code == 201
        other = await api.post("/api/v1/people", json=body | {"given_name": "Rhian"}, headers=headers)
        assert other.status_code == 422
        assert other.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in other.json()["errors"]] == [f"header.{HEADER}"]
        # The key belongs to one path: the same key on another creating route is a new request.
        place = await make_place(db)
        task = {
            "type": "probation.review",
            "title": "Another route",
            "subject_type": "person",
            "subject_id": "1",
            "owner_type": "team",
            "owner_id": place.team.id,
        }
    async with client_as(app, place.manager) as api:
        assert (await api.post("/api/v1/tasks", json=task, headers=headers)).status_code == 201
    assert await count(db, Person, Person.family_name == family) == 1


async def test_a_refused_request_leaves_its_key_usable(app: FastAPI, db: AsyncSession) -> None:
    family = f"Idem{uuid.uuid4().hex[:8]}"
    key = str(uuid.uuid4())
    async with client_as(app, CASE_BUILDER) as api:
        bad = await api.post(
            "/api/v1/people", json={"given_name": "Rhiannon", "date_of_birth": "1987-02-30"}, headers=keyed(key)
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] != f"header.{HEADER}"
        assert await count(db, IdempotencyRecord, IdempotencyRecord.key == key) == 0
        fixed = {"given_name": "Rhiannon", "family_name": family, "date_of_birth": "1987-02-28"}
        made = await api.post("/api/v1/people", json=fixed, headers=keyed(key))
        assert made.status_code == 201 and REPLAYED_HEADER not in made.headers
        # A refusal by the service after access checks (a strong match: 409) also frees the key.
        same = await api.post("/api/v1/people", json=fixed, headers=keyed(key + "-2"))
        assert same.status_code == 409
        assert await count(db, IdempotencyRecord, IdempotencyRecord.key == key + "-2") == 0
    stored = (await db.execute(select(IdempotencyRecord).where(IdempotencyRecord.key == key))).scalar_one()
    assert stored.status_code == 201 and stored.response_body == made.json()
    assert stored.response_headers == {"Location": made.headers["location"]}


async def test_routes_that_create_nothing_ignore_the_key(app: FastAPI, db: AsyncSession) -> None:
    body = {"given_name": "Rhiannon", "family_name": "Nobody", "date_of_birth": "1987-11-03"}
    headers = keyed()
    async with client_as(app, CASE_BUILDER) as api:
        first = await api.post("/api/v1/people/match", json=body, headers=headers)
        again = await api.post("/api/v1/people/match", json=body, headers=headers)
    assert first.status_code == again.status_code == 200 and REPLAYED_HEADER not in again.headers
    assert await count(db, IdempotencyRecord, IdempotencyRecord.key == headers[HEADER]) == 0


async def test_concurrent_duplicates_create_one_record(settings: Settings, engine: AsyncEngine) -> None:
    """Two requests with one key at the same moment, each on its own committed session: the second
    waits for the first and replays its response."""
    from caselink.app import create_app

    app = create_app(settings, database=Database(engine))  # real request sessions, committed
    committed = async_sessionmaker(engine, expire_on_commit=False)
    async with committed() as db:
        place = await make_place(db)
        await db.commit()
    name = f"idem-{uuid.uuid4().hex[:8]}"
    manager = Actor(
        kind=ActorKind.STAFF,
        id=place.manager.id,
        name=name,
        roles=place.manager.roles,
        agency="probation",
        unit_id=place.unit.id,
    )
    title = f"Concurrent {name}"
    body = {
        "type": "probation.review",
        "title": title,
        "subject_type": "person",
        "subject_id": "7",
        "owner_type": "team",
        "owner_id": place.team.id,
    }
    headers = keyed()
    try:
        async with client_as(app, manager) as one, client_as(app, manager) as two:
            first, second = await asyncio.gather(
                one.post("/api/v1/tasks", json=body, headers=headers),
                two.post("/api/v1/tasks", json=body, headers=headers),
            )
        assert first.status_code == second.status_code == 201, (first.text, second.text)
        assert first.json() == second.json()
        assert sorted(r.headers.get(REPLAYED_HEADER, "") for r in (first, second)) == ["", "true"]
        async with committed() as db:
            assert await count(db, Task, Task.title == title) == 1
    finally:
        async with committed() as db:
            await db.execute(delete(Task).where(Task.title == title))
            await db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.actor == f"staff:{name}"))
            await db.delete(place.team)
            await db.delete(place.other_team)
            await db.flush()
            await db.delete(place.unit)
            await db.delete(place.other_unit)
            await db.commit()


async def test_every_creating_post_declares_the_header_in_openapi(app: FastAPI) -> None:
    """A new creating route cannot forget: the header and its answers are added centrally."""
    schema = app.openapi()
    creating = [
        (path, ops["post"])
        for path, ops in schema["paths"].items()
        if "post" in ops and "201" in ops["post"]["responses"]
    ]
    assert len(creating) >= 30
    for path, op in creating:
        assert path.startswith("/api/v1/"), path
        headers = [p for p in op.get("parameters", []) if p["in"] == "header" and p["name"] == HEADER]
        assert len(headers) == 1 and headers[0]["required"] is False, path
        assert {"409", "422"} <= set(op["responses"]), path
        assert REPLAYED_HEADER in op["responses"]["201"]["headers"], path
    # Every route that answers 201 to a POST appears in that list (and so takes the key at run time).
    routes = {
        context.path
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and "POST" in (context.methods or set())
        and context.status_code == 201
        and (context.path or "").startswith("/api/v1/")
    }
    assert routes == {path for path, _ in creating}
    assert not any(
        p.get("name") == HEADER
        for ops in schema["paths"].values()
        if "get" in ops
        for p in ops["get"].get("parameters", [])
    )
