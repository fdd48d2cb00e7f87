"""Registrations (risk flags): add, review and end through the API and the pages, the review task
in the owner's work queue, events and history, flags first on the person page, and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.flags_factory import add_staff, add_unit
from tests.people.people_factory import add_person, client_as

from caselink.people.registration_models import PersonRegistration, PersonRegistrationHistory
from caselink.people.registrations import REVIEW_NOTICE_WORKING_DAYS, add_months
from caselink.platform.access.actor import Actor
from caselink.platform.events.models import OutboxEvent
from caselink.platform.tasks.models import Task
from caselink.platform.tasks.rules import add_working_days


@pytest.fixture
async def practitioner(db: AsyncSession) -> Actor:
    return await add_staff(db, await add_unit(db), "probation_practitioner", "probation", "Priya Practitioner")


@pytest.fixture
async def person(db: AsyncSession) -> int:
    return await add_person(db, "Darren", "Hollis", date(1984, 2, 9), identifiers=[("PRISON_NUMBER", "A1234BC")])


@pytest.fixture
def api(app: FastAPI, practitioner: Actor) -> httpx.AsyncClient:
    return client_as(app, practitioner)


async def _count(db: AsyncSession, model: type, *where: object) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_flag_added_shows_on_the_person_with_a_review_task_and_an_event(
    api: httpx.AsyncClient, db: AsyncSession, person: int, practitioner: Actor
) -> None:
    today = date.today()
    added = await api.post(f"/api/v1/people/{person}/flags", json={"type": "ROSH", "level": "high"})
    assert added.status_code == 201, added.text
    flag = added.json()
    assert flag["type"] == "ROSH" and flag["level"] == "HIGH"
    review = add_months(today, 6)
    assert flag["start_date"] == today.isoformat() and flag["review_date"] == review.isoformat()

    person_json = (await api.get(f"/api/v1/people/{person}")).json()
    assert [(f["type"], f["level"], f["start_date"], f["review_date"]) for f in person_json["flags"]] == [
        ("ROSH", "HIGH", today.isoformat(), review.isoformat())
    ]

    task = await db.scalar(select(Task).where(Task.dedupe_key == f"registration-review:{flag['id']}:{review}"))
    assert task is not None
    assert task.owner_type == "staff" and task.owner_id == practitioner.id
    assert task.due_date == max(add_working_days(review, -REVIEW_NOTICE_WORKING_DAYS), today)
    assert task.subject_id == str(person)
    assert await _count(db, OutboxEvent, OutboxEvent.type == "people.registration.added") == 1


async def test_mappa_needs_level_and_category(api: httpx.AsyncClient, db: AsyncSession, person: int) -> None:
    added = await api.post(f"/api/v1/people/{person}/flags", json={"type": "MAPPA", "level": "2", "category": "1"})
    assert added.status_code == 201
    assert added.json()["label"] == "MAPPA level 2, category 1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "NOT_A_TYPE"}, "type"),
        ({"type": "MAPPA", "category": "2"}, "level"),
        ({"type": "ROSH"}, "level"),
        ({"type": "ROSH", "level": "EXTREME"}, "level"),
        ({"type": "SELF_HARM", "level": "HIGH"}, "level"),
        ({"type": "SELF_HARM", "start_date": "2024-05-01", "review_date": "2024-04-01"}, "review_date"),
        ({"type": "SELF_HARM", "start_date": (date.today() + timedelta(days=3)).isoformat()}, "start_date"),
    ],
)
async def test_bad_flags_are_refused_with_the_field_and_nothing_is_written(
    api: httpx.AsyncClient, db: AsyncSession, person: int, body: dict[str, str], field: str
) -> None:
    response = await api.post(f"/api/v1/people/{person}/flags", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await _count(db, PersonRegistration, PersonRegistration.person_id == person) == 0
    assert await _count(db, Task, Task.subject_id == str(person)) == 0


async def test_review_moves_the_review_date_and_replaces_the_task(
    api: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    flag = (await api.post(f"/api/v1/people/{person}/flags", json={"type": "ROSH", "level": "MEDIUM"})).json()
    first_task = await db.scalar(select(Task.id).where(Task.subject_id == str(person)))
    next_review = date.today() + timedelta(days=90)
    reviewed = await api.post(
        f"/api/v1/people/{person}/flags/{flag['id']}/review",
        json={"next_review_date": next_review.isoformat(), "level": "VERY_HIGH", "notes": "New offence"},
    )
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["review_date"] == next_review.isoformat() and reviewed.json()["level"] == "VERY_HIGH"
    tasks = {t.id: t.status for t in (await db.execute(select(Task).where(Task.subject_id == str(person)))).scalars()}
    assert tasks.pop(first_task) == "cancelled"
    assert list(tasks.values()) == ["open"]
    actions = (
        await db.execute(
            select(PersonRegistrationHistory.action).where(PersonRegistrationHistory.registration_id == flag["id"])
        )
    ).scalars()
    assert list(actions) == ["added", "reviewed"]
    assert await _count(db, OutboxEvent, OutboxEvent.type == "people.registration.reviewed") == 1


async def test_end_keeps_the_history_and_stops_the_warning(
    api: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    flag = (await api.post(f"/api/v1/people/{person}/flags", json={"type": "SELF_HARM"})).json()
    no_reason = await api.post(f"/api/v1/people/{person}/flags/{flag['id']}/end", json={"reason": " "})
    assert no_reason.status_code == 422
    before_start = await api.post(
        f"/api/v1/people/{person}/flags/{flag['id']}/end",
        json={"reason": "Error", "ended_on": (date.today() - timedelta(days=1)).isoformat()},
    )
    assert before_start.status_code == 422
    assert [e["field"] for e in before_start.json()["errors"]] == ["ended_on"]
    assert (await api.get(f"/api/v1/people/{person}")).json()["flags"]  # still live

    ended = await api.post(f"/api/v1/people/{person}/flags/{flag['id']}/end", json={"reason": "Risk reduced"})
    assert ended.status_code == 200
    assert (await api.get(f"/api/v1/people/{person}")).json()["flags"] == []
    listed = (await api.get(f"/api/v1/people/{person}/flags")).json()["items"]
    assert [(f["id"], f["end_reason"]) for f in listed] == [(flag["id"], "Risk reduced")]
    again = await api.post(f"/api/v1/people/{person}/flags/{flag['id']}/end", json={"reason": "Twice"})
    assert again.status_code == 409
    assert await _count(db, Task, Task.subject_id == str(person), Task.status == "open") == 0
    assert await _count(db, OutboxEvent, OutboxEvent.type == "people.registration.ended") == 1


async def test_one_live_registration_per_type(api: httpx.AsyncClient, person: int) -> None:
    assert (await api.post(f"/api/v1/people/{person}/flags", json={"type": "RISK_TO_STAFF"})).status_code == 201
    second = await api.post(f"/api/v1/people/{person}/flags", json={"type": "RISK_TO_STAFF"})
    assert second.status_code == 422
    assert "already has a live Risk to staff" in second.text


async def test_agency_flags_are_changed_by_their_agency_only(app: FastAPI, db: AsyncSession, person: int) -> None:
    police = await add_staff(db, await add_unit(db, "police"), "police_case_builder", "police", "Pat Police")
    refused = await client_as(app, police).post(f"/api/v1/people/{person}/flags", json={"type": "ROSH", "level": "LOW"})
    assert refused.status_code == 403
    ok = await client_as(app, police).post(f"/api/v1/people/{person}/flags", json={"type": "SERIOUS_ORGANISED_CRIME"})
    assert ok.status_code == 201


async def test_roles_without_the_flags_permission_cannot_add(app: FastAPI, db: AsyncSession, person: int) -> None:
    clerk = await add_staff(db, await add_unit(db, "courts"), "court_clerk", "courts", "Cleo Clerk")
    response = await client_as(app, clerk).post(f"/api/v1/people/{person}/flags", json={"type": "SELF_HARM"})
    assert response.status_code == 403


async def test_warning_flags_come_first_on_the_person_page(api: httpx.AsyncClient, person: int) -> None:
    await api.post(f"/api/v1/people/{person}/flags", json={"type": "RISK_TO_STAFF"})
    page = await api.get(f"/people/{person}")
    assert page.status_code == 200
    warning = page.text.index("app-warning-flags")
    assert "Risk to staff" in page.text[warning : warning + 1500]
    assert warning < page.text.index("moj-identity-bar") < page.text.index("Summary")


async def test_the_flags_page_adds_reviews_and_ends_with_error_summaries(
    api: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    page = await api.get(f"/people/{person}/flags")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text

    bad = await api.post(f"/people/{person}/flags", data={"type": "MAPPA", "category": "2"})
    assert bad.status_code == 400
    assert "There is a problem" in bad.text and 'href="#level"' in bad.text

    start = date.today() - timedelta(days=10)
    added = await api.post(
        f"/people/{person}/flags", data={"type": "CHILD_CONCERNS", "start_date": start.strftime("%d %m %Y")}
    )
    assert added.status_code == 303
    flag_id = await db.scalar(select(PersonRegistration.id).where(PersonRegistration.person_id == person))
    page = await api.get(added.headers["location"])
    assert "Registration added" in page.text and "Child concerns" in page.text
    assert page.text.index("app-warning-flags") < page.text.index("<h1")

    bad_end = await api.post(f"/people/{person}/flags/{flag_id}/end", data={"reason": "Done", "ended_on": "1 1 2000"})
    assert bad_end.status_code == 400 and 'href="#ended_on"' in bad_end.text
    ended = await api.post(f"/people/{person}/flags/{flag_id}/end", data={"reason": "Case closed"})
    assert ended.status_code == 303
    assert "Case closed" in (await api.get(f"/people/{person}/flags")).text
