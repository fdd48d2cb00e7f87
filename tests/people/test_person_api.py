"""Matching before creation and the person resource: POST /api/v1/people/match, POST
/api/v1/people (409 with candidates on a strong match unless confirmed with a reason), GET one."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import CASE_BUILDER, CPS_LAWYER, READ_CLIENT, add_person, client_as

from caselink.people.models import Person, PersonIdentifier, PersonName
from caselink.platform.audit.models import AuditEvent
from caselink.platform.events.models import OutboxEvent


@pytest.fixture
async def writer(app: FastAPI) -> httpx.AsyncClient:
    return client_as(app, CASE_BUILDER)


@pytest.fixture
async def existing(db: AsyncSession) -> int:
    return await add_person(db, "William", "Trevelyan", date(1990, 5, 2), identifiers=[("PNC", "2002/0073319Z")])


def body(**overrides: Any) -> dict[str, Any]:
    return {"given_name": "Bill", "family_name": "Trevelyan", "date_of_birth": "1990-05-02", **overrides}


async def audit_of(db: AsyncSession, action: str) -> list[Any]:
    return list(
        (await db.execute(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))).scalars()
    )


async def test_match_returns_candidates_best_first(writer: httpx.AsyncClient, db: AsyncSession, existing: int) -> None:
    namesake = await add_person(db, "William", "Trevelyan", date(1990, 2, 5))  # day and month swapped
    response = await writer.post("/api/v1/people/match", json=body())
    assert response.status_code == 200
    candidates = response.json()["candidates"]
    assert [c["person_id"] for c in candidates] == [existing, namesake]
    assert set(candidates[0]) == {"person_id", "score", "reasons"}
    assert 0.85 <= candidates[1]["score"] < candidates[0]["score"] <= 1
    assert "Bill is a short form of William" in candidates[0]["reasons"]


async def test_match_by_identifier_alone(writer: httpx.AsyncClient, existing: int) -> None:
    response = await writer.post(
        "/api/v1/people/match",
        json={"family_name": "Nobody", "identifiers": [{"type": "PNC", "value": "02/73319Z"}]},
    )
    assert response.json()["candidates"] == [
        {"person_id": existing, "score": 1.0, "reasons": ["same PNC ID 2002/0073319Z"]}
    ]


async def test_creating_someone_new_answers_201_with_the_person(writer: httpx.AsyncClient, db: AsyncSession) -> None:
    response = await writer.post(
        "/api/v1/people",
        json={
            "given_name": "Siobhán",
            "family_name": "O'Brien-Ní Dhuibhir",
            "date_of_birth": "1993-08-14",
            "identifiers": [{"type": "CRN", "value": "x654321"}, {"type": "NINO", "value": "ab 12 34 56 c"}],
        },
    )
    assert response.status_code == 201, response.text
    person = response.json()
    assert response.headers["location"] == f"/api/v1/people/{person['id']}"
    assert person["date_of_birth"] == "1993-08-14"
    assert person["identifiers"] == [{"type": "CRN", "value": "X654321"}, {"type": "NINO", "value": "AB123456C"}]
    assert person["flags"] == []
    assert person["names"][0]["type"] == "PRIMARY"
    name = (await db.execute(select(PersonName).where(PersonName.person_id == person["id"]))).scalar_one()
    assert name.family_name_norm == "obrien ni dhuibhir"
    [event] = (await db.execute(select(OutboxEvent).where(OutboxEvent.subject == f"person/{person['id']}"))).scalars()
    assert event.type == "people.person.created"
    assert event.person_ids == {"person": str(person["id"]), "crn": "X654321", "nino": "AB123456C"}
    [created] = await audit_of(db, "person.create")
    assert created.subject_id == str(person["id"])
    assert created.detail["confirmed_new"] is False


async def test_a_strong_match_answers_409_with_the_candidates(
    writer: httpx.AsyncClient, db: AsyncSession, existing: int
) -> None:
    before = await db.scalar(select(Person.id).order_by(Person.id.desc()).limit(1))
    response = await writer.post("/api/v1/people", json=body())
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert [c["person_id"] for c in problem["candidates"]] == [existing]
    assert problem["candidates"][0]["score"] >= 0.85
    assert await db.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) == before  # nothing written


async def test_confirming_needs_a_reason(writer: httpx.AsyncClient, existing: int) -> None:
    response = await writer.post("/api/v1/people", json=body(confirm_new=True, reason="  "))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "reason", "message": "Say why this is a different person from the likely matches"}
    ]


async def test_confirmed_with_a_reason_creates_and_audits_the_reason(
    writer: httpx.AsyncClient, db: AsyncSession, existing: int
) -> None:
    reason = "Twin brother: confirmed with the custody record"
    response = await writer.post("/api/v1/people", json=body(confirm_new=True, reason=reason))
    assert response.status_code == 201, response.text
    [created] = await audit_of(db, "person.create")
    assert created.detail["confirmed_new"] is True
    assert created.detail["reason"] == reason
    assert created.detail["likely_matches"][0]["person_id"] == existing


async def test_an_identifier_held_by_someone_else_is_never_overridden(writer: httpx.AsyncClient, existing: int) -> None:
    response = await writer.post(
        "/api/v1/people",
        json={
            "given_name": "Other",
            "family_name": "Person",
            "identifiers": [{"type": "PNC", "value": "02/73319Z"}],
            "confirm_new": True,
            "reason": "I am sure",
        },
    )
    assert response.status_code == 409
    assert [c["person_id"] for c in response.json()["candidates"]] == [existing]


async def test_invalid_identifiers_and_dates_are_refused_with_field_paths(
    writer: httpx.AsyncClient, db: AsyncSession
) -> None:
    response = await writer.post(
        "/api/v1/people",
        json={
            "given_name": "Ann",
            "family_name": " ",
            "date_of_birth": "2999-01-01",
            "identifiers": [
                {"type": "CRN", "value": "X123456"},
                {"type": "PNC", "value": "2002/0073319A"},
                {"type": "PASSPORT", "value": "123"},
            ],
        },
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"family_name", "date_of_birth", "identifiers.1.value", "identifiers.2.type"}
    assert "check letter" in errors["identifiers.1.value"]
    assert not (await db.execute(select(PersonIdentifier).where(PersonIdentifier.value == "X123456"))).first()
    impossible = await writer.post("/api/v1/people", json=body(date_of_birth="1990-02-30"))
    assert impossible.status_code == 422
    assert impossible.json()["errors"][0]["field"] == "date_of_birth"


async def test_get_person_follows_the_contract_and_is_audited(
    writer: httpx.AsyncClient, db: AsyncSession, existing: int
) -> None:
    response = await writer.get(f"/api/v1/people/{existing}")
    assert response.status_code == 200
    person = response.json()
    assert set(person) == {"id", "names", "date_of_birth", "identifiers", "flags"}
    assert person["identifiers"] == [{"type": "PNC", "value": "2002/0073319Z"}]
    [read] = await audit_of(db, "person.read")
    assert (read.subject_type, read.subject_id, read.actor_label) == ("person", str(existing), "staff:pcbuilder")
    assert (await writer.get("/api/v1/people/999999999")).status_code == 404


async def test_scopes_and_roles(app: FastAPI, existing: int) -> None:
    async with client_as(app, READ_CLIENT) as client:
        assert (await client.get(f"/api/v1/people/{existing}")).status_code == 200
        assert (await client.post("/api/v1/people/match", json=body())).status_code == 200
        assert (await client.post("/api/v1/people", json=body(given_name="Zed"))).status_code == 403
    async with client_as(app, CPS_LAWYER) as lawyer:  # reads people, does not add them
        assert (await lawyer.post("/api/v1/people", json=body(given_name="Zed"))).status_code == 403
