"""Work-queue pages and API, and the outbox admin API, as a signed-in member of staff.

Signing in is the accounts context's job; here the request's actor is set directly (by overriding
its ``authenticate`` dependency) so these tests exercise only the task and event routes, under the
real access policy."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.platform.test_tasks_service import Place, make_place, new_task

from caselink.platform.access import policy
from caselink.platform.access.actor import Actor
from caselink.platform.events.service import HandlerRegistry, emit, sync_subscriptions
from caselink.platform.tasks import service
from caselink.platform.tasks.models import Task

CSRF = "test-csrf-token"


@pytest.fixture
async def place(db: AsyncSession) -> Place:
    return await make_place(db)


class ActingAs:
    actor: Actor | None = None


@pytest.fixture
async def acting(app) -> AsyncIterator[ActingAs]:  # type: ignore[no-untyped-def]
    holder = ActingAs()

    async def fake_authenticate(request: Request) -> None:
        request.state.actor = holder.actor
        request.state.csrf_token = CSRF

    from caselink.accounts.authentication import authenticate

    app.dependency_overrides[authenticate] = fake_authenticate
    yield holder


async def test_my_work_page_lists_tasks_overdue_first_with_a_tag(
    client: httpx.AsyncClient, db: AsyncSession, place: Place, acting: ActingAs
) -> None:
    await new_task(db, place, title="Due next week", due_date=service.today() + timedelta(days=7))
    await new_task(db, place, title="Late review", due_date=service.today() - timedelta(days=1))
    acting.actor = place.practitioner
    response = await client.get("/tasks")
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="govuk-heading-l">My work</h1>' in html
    assert "govuk-table" in html
    assert html.index("Late review") < html.index("Due next week")
    assert "govuk-tag--red" in html and "Overdue" in html


async def test_my_work_needs_a_signed_in_user(client: httpx.AsyncClient, acting: ActingAs) -> None:
    acting.actor = None
    response = await client.get("/tasks")
    assert response.status_code == 401


async def test_completing_on_the_page_shows_errors_then_completes(
    client: httpx.AsyncClient, db: AsyncSession, place: Place, acting: ActingAs
) -> None:
    task = await new_task(db, place)
    acting.actor = place.practitioner
    page = await client.get(f"/tasks/{task.id}")
    assert page.status_code == 200
    assert f'name="csrf_token" value="{CSRF}"' in page.text

    empty = await client.post(f"/tasks/{task.id}/complete", data={"csrf_token": CSRF, "outcome": ""})
    assert empty.status_code == 400
    assert "govuk-error-summary" in empty.text and 'href="#outcome"' in empty.text

    done = await client.post(f"/tasks/{task.id}/complete", data={"csrf_token": CSRF, "outcome": "Booked."})
    assert done.status_code == 303
    assert (await db.get(Task, task.id)).status == "completed"  # type: ignore[union-attr]


async def test_reassigning_on_the_page_is_for_managers(
    client: httpx.AsyncClient, db: AsyncSession, place: Place, acting: ActingAs
) -> None:
    task = await new_task(db, place, owner_type="team", owner_id=place.team.id)
    acting.actor = place.practitioner
    assert "Reassign this task" not in (await client.get(f"/tasks/{task.id}")).text
    assert (await client.post(f"/tasks/{task.id}/reassign", data={"csrf_token": CSRF})).status_code == 403

    acting.actor = place.manager
    bad = await client.post(
        f"/tasks/{task.id}/reassign", data={"csrf_token": CSRF, "owner_type": "team", "owner_id": "x"}
    )
    assert bad.status_code == 400 and 'href="#owner_id"' in bad.text
    good = await client.post(
        f"/tasks/{task.id}/reassign",
        data={"csrf_token": CSRF, "owner_type": "staff", "owner_id": "9001", "reason": "her case"},
    )
    assert good.status_code == 303
    assert (await db.get(Task, task.id)).owner_id == 9001  # type: ignore[union-attr]


async def test_team_and_unit_pages(client: httpx.AsyncClient, db: AsyncSession, place: Place, acting: ActingAs) -> None:
    await new_task(db, place, title="Team work", owner_type="team", owner_id=place.team.id)
    acting.actor = place.manager
    team = await client.get(f"/tasks/team/{place.team.id}")
    assert (
        team.status_code == 200 and "Team queue: Offender management team 1" in team.text and "Team work" in team.text
    )
    assert (await client.get(f"/tasks/unit/{place.unit.id}")).status_code == 200
    acting.actor = place.outsider
    assert (await client.get(f"/tasks/unit/{place.unit.id}")).status_code == 403


async def test_api_lists_creates_reassigns_and_completes(
    client: httpx.AsyncClient, db: AsyncSession, place: Place, acting: ActingAs
) -> None:
    acting.actor = place.manager
    created = await client.post(
        "/api/v1/tasks",
        json={
            "type": "probation.review",
            "title": "Review the sentence plan",
            "subject_type": "person",
            "subject_id": "42",
            "owner_type": "team",
            "owner_id": place.team.id,
            "due_in_working_days": 10,
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "open" and body["due_basis"].startswith("10 working days from")
    task_id = body["id"]

    invalid = await client.post("/api/v1/tasks", json={"type": "x", "subject_type": "dog"})
    assert invalid.status_code == 422
    assert invalid.headers["content-type"].startswith("application/problem+json")
    assert {"subject_type", "title"} <= {re.sub(r"^body\.", "", e["field"]) for e in invalid.json()["errors"]}

    moved = await client.post(f"/api/v1/tasks/{task_id}/reassign", json={"owner_type": "staff", "owner_id": 9001})
    assert moved.status_code == 200 and moved.json()["owner_id"] == 9001

    acting.actor = place.practitioner
    listed = await client.get("/api/v1/tasks", params={"page_size": 10})
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["items"]] == [task_id] and listed.json()["total"] == 1
    assert (await client.post("/api/v1/tasks", json={})).status_code in (403, 422)
    forbidden = await client.post(
        f"/api/v1/tasks/{task_id}/reassign", json={"owner_type": "unit", "owner_id": place.unit.id}
    )
    assert forbidden.status_code == 403

    completed = await client.post(f"/api/v1/tasks/{task_id}/complete", json={"outcome": "Reviewed."})
    assert completed.status_code == 200 and completed.json()["status"] == "completed"
    again = await client.post(f"/api/v1/tasks/{task_id}/complete", json={"outcome": "Twice."})
    assert again.status_code == 409
    detail = await client.get(f"/api/v1/tasks/{task_id}")
    assert [h["action"] for h in detail.json()["history"]] == ["created", "reassigned", "completed"]


@pytest.fixture
def events_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Grant events:manage to national administrators if the policy does not list it yet."""
    if "events:manage" not in policy.PERMISSIONS:
        monkeypatch.setitem(policy.PERMISSIONS, "events:manage", "Replay events to handlers.")
        monkeypatch.setattr(policy, "ALL_PERMISSIONS", frozenset(policy.PERMISSIONS))
    role = "national_administrator"
    monkeypatch.setitem(policy.ROLE_PERMISSIONS, role, policy.ROLE_PERMISSIONS[role] | {"events:manage"})


async def test_admin_lists_dead_letters_and_replays_them(
    client: httpx.AsyncClient, db: AsyncSession, acting: ActingAs, events_manager: None
) -> None:
    from caselink.platform.access.actor import ActorKind
    from caselink.platform.events.models import EventDelivery

    handlers = HandlerRegistry()

    async def noop(session: AsyncSession, event: object) -> None: ...

    handlers.register("test.admin", ["court.*"], noop)
    await sync_subscriptions(db, handlers)
    emitted = await emit(db, "court.hearing.listed", "hearing/5", person_ids={"person": 5})
    delivery = await db.scalar(
        select(EventDelivery).where(
            EventDelivery.event_position == emitted.position, EventDelivery.handler == "test.admin"
        )
    )
    assert delivery is not None
    delivery.status, delivery.attempts, delivery.last_error = "dead", 8, "RuntimeError: boom"
    await db.flush()

    acting.actor = Actor(kind=ActorKind.STAFF, id=1, name="admin", roles=frozenset({"national_administrator"}))
    listed = await client.get("/api/v1/events/deliveries", params={"handler": "test.admin"})
    assert listed.status_code == 200
    assert listed.json()["items"][0]["last_error"] == "RuntimeError: boom"
    page = await client.get("/admin/events", params={"handler": "test.admin"})
    assert page.status_code == 200 and "RuntimeError: boom" in page.text
    replayed = await client.post(f"/api/v1/events/deliveries/{delivery.id}/replay")
    assert replayed.status_code == 202
    await db.refresh(delivery)
    assert delivery.status == "pending" and delivery.attempts == 0
    envelope = await client.get(f"/api/v1/events/{emitted.id}")
    assert envelope.json()["specversion"] == "1.0"

    acting.actor = Actor(kind=ActorKind.STAFF, id=2, name="p", roles=frozenset({"probation_practitioner"}))
    assert (await client.get("/api/v1/events/deliveries")).status_code == 403
