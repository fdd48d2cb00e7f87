"""Merge and unmerge through the API (POST /api/v1/people/{id}/merge, POST
/api/v1/people/merges/{id}/unmerge, GET /api/v1/people/{id}/merges) and the pages."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import CASE_BUILDER, add_person, client_as

from caselink.people.models import Person
from caselink.platform.access.actor import Actor, ActorKind

OFFICER = Actor(kind=ActorKind.STAFF, id=611, name="dqofficer", roles=frozenset({"data_quality_officer"}))


@pytest.fixture
async def officer(app: FastAPI) -> httpx.AsyncClient:
    return client_as(app, OFFICER)


@pytest.fixture
async def pair(db: AsyncSession) -> tuple[int, int]:
    survivor = await add_person(db, "William", "Trevelyan", date(1990, 5, 2), identifiers=[("PNC", "2002/0073319Z")])
    duplicate = await add_person(db, "Bill", "Trevelyan", date(1990, 5, 2), identifiers=[("CRN", "X123456")])
    return survivor, duplicate


async def test_merge_list_and_unmerge_through_the_api(officer: httpx.AsyncClient, pair: tuple[int, int]) -> None:
    survivor, duplicate = pair
    response = await officer.post(
        f"/api/v1/people/{duplicate}/merge", json={"survivor_id": survivor, "reason": "Same person"}
    )
    assert response.status_code == 201, response.text
    merged = response.json()
    assert (merged["survivor_id"], merged["merged_id"], merged["active"]) == (survivor, duplicate, True)
    assert merged["moved"] == {"person_names.person_id": 1, "person_identifiers.person_id": 1}

    listed = (await officer.get(f"/api/v1/people/{survivor}/merges")).json()["items"]
    assert [m["id"] for m in listed] == [merged["id"]]

    undone = await officer.post(f"/api/v1/people/merges/{merged['id']}/unmerge", json={"reason": "Twins"})
    assert undone.status_code == 200
    assert undone.json()["active"] is False and undone.json()["undo_reason"] == "Twins"

    again = await officer.post(f"/api/v1/people/merges/{merged['id']}/unmerge", json={"reason": "Twins"})
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


async def test_api_errors_are_problem_details(officer: httpx.AsyncClient, app: FastAPI, pair: tuple[int, int]) -> None:
    survivor, _ = pair
    itself = await officer.post(f"/api/v1/people/{survivor}/merge", json={"survivor_id": survivor, "reason": "x"})
    assert itself.status_code == 422
    assert itself.json()["errors"] == [
        {"field": "survivor_id", "message": "A record cannot be merged into itself: choose another"}
    ]
    never = await officer.post("/api/v1/people/merges/424242/unmerge", json={"reason": "x"})
    assert never.status_code == 404
    async with client_as(app, CASE_BUILDER) as builder:
        refused = await builder.post(f"/api/v1/people/{pair[1]}/merge", json={"survivor_id": survivor, "reason": "x"})
    assert refused.status_code == 403


async def test_merge_page_compares_then_merges_and_the_person_page_offers_undo(
    officer: httpx.AsyncClient, db: AsyncSession, pair: tuple[int, int]
) -> None:
    survivor, duplicate = pair
    compare = await officer.get(f"/people/{survivor}/merge", params={"other_id": str(duplicate)})
    assert compare.status_code == 200
    assert "The two records side by side" in compare.text and "X123456" in compare.text
    assert 'name="csrf_token"' in compare.text

    missing = await officer.post(
        f"/people/{survivor}/merge", data={"other_id": str(duplicate), "survivor": "", "reason": ""}
    )
    assert missing.status_code == 400
    assert "govuk-error-summary" in missing.text
    assert 'href="#survivor"' in missing.text and 'href="#reason"' in missing.text

    done = await officer.post(
        f"/people/{survivor}/merge", data={"other_id": str(duplicate), "survivor": str(survivor), "reason": "Same"}
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/people/{survivor}?merged=")
    assert (await db.get_one(Person, duplicate)).merged_into_id == survivor

    page = await officer.get(done.headers["location"])
    assert "Records merged" in page.text
    undo = re.search(r'href="(/people/merges/\d+/unmerge)"', page.text)
    assert undo is not None

    confirm = await officer.get(undo.group(1))
    assert "Undo merge" in confirm.text
    no_reason = await officer.post(undo.group(1), data={"reason": " "})
    assert no_reason.status_code == 400 and 'href="#reason"' in no_reason.text
    undone = await officer.post(undo.group(1), data={"reason": "Different people"})
    assert undone.status_code == 303 and undone.headers["location"].startswith(f"/people/{duplicate}")
    await db.refresh(await db.get_one(Person, duplicate))
    assert (await db.get_one(Person, duplicate)).merged_into_id is None


async def test_merge_page_refuses_merging_a_record_with_itself(
    officer: httpx.AsyncClient, pair: tuple[int, int]
) -> None:
    response = await officer.get(f"/people/{pair[0]}/merge", params={"other_id": str(pair[0])})
    assert response.status_code == 400
    assert "cannot be merged with itself" in response.text
