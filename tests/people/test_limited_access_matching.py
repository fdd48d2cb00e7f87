"""Limited access holds beyond search: matching before creation (API, 409 and the "Is this person
already recorded?" page), the duplicate review page and the import report show a person the user
may not see only as search does: an identifier, the responsible officer and the message."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.flags_factory import add_staff, add_unit
from tests.people.people_factory import add_person, client_as

from caselink.people import review
from caselink.people.linkage_models import LinkPair, PairBand, PairSource
from caselink.people.registration_models import PersonAccessLimit
from caselink.platform.access.actor import SYSTEM, Actor
from caselink.platform.audit.models import AuditEvent

MESSAGE = "This record is restricted. Contact the Head of PDU Croydon."
DETAILS = {
    "given_name": "Lorenzo",
    "family_name": "Quartermaine",
    "date_of_birth": "1979-11-03",
    "identifiers": [{"type": "PRISON_NUMBER", "value": "A1234BC"}],
}


@pytest.fixture
async def unit(db: AsyncSession) -> int:
    return await add_unit(db)


@pytest.fixture
async def excluded(db: AsyncSession, unit: int) -> Actor:
    return await add_staff(db, unit, "data_quality_officer", "police", "Ed Excluded")


@pytest.fixture
async def colleague(db: AsyncSession, unit: int) -> Actor:
    return await add_staff(db, unit, "data_quality_officer", "police", "Cara Colleague")


@pytest.fixture
async def person(db: AsyncSession, unit: int, excluded: Actor) -> int:
    """Lorenzo Quartermaine, whom Ed Excluded may not see; Sam Senior is responsible."""
    officer = await add_staff(db, unit, "senior_probation_officer", "probation", "Sam Senior")
    person_id = await add_person(
        db, "Lorenzo", "Quartermaine", date(1979, 11, 3), identifiers=[("PRISON_NUMBER", "A1234BC")]
    )
    db.add(
        PersonAccessLimit(
            person_id=person_id,
            kind="exclusion",
            staff_ids=[excluded.id],
            message=MESSAGE,
            responsible_staff_id=officer.id,
            created_by="staff:sam",
        )
    )
    await db.flush()
    return person_id


def assert_redacted(candidate: dict[str, object], person: int) -> None:
    assert candidate == {
        "person_id": person,
        "score": 0.0,
        "reasons": [],
        "restricted": True,
        "identifiers": [{"type": "PRISON_NUMBER", "value": "A1234BC"}],
        "responsible_officer": {"name": "Sam Senior"},
        "message": MESSAGE,
    }


async def refusals(db: AsyncSession, actor: Actor) -> list[str]:
    rows = await db.execute(
        select(AuditEvent.action).where(AuditEvent.actor_id == actor.id, AuditEvent.outcome == "refused")
    )
    return list(rows.scalars())


async def test_match_api_redacts_a_person_the_caller_may_not_see(
    app: FastAPI, db: AsyncSession, excluded: Actor, colleague: Actor, person: int
) -> None:
    response = await client_as(app, excluded).post("/api/v1/people/match", json=DETAILS)
    assert response.status_code == 200, response.text
    [candidate] = [c for c in response.json()["candidates"] if c["person_id"] == person]
    assert_redacted(candidate, person)
    assert "1979" not in response.text and "Lorenzo" not in response.text
    assert "person.search.redacted" in await refusals(db, excluded)

    seen = await client_as(app, colleague).post("/api/v1/people/match", json=DETAILS)
    [full] = [c for c in seen.json()["candidates"] if c["person_id"] == person]
    assert set(full) == {"person_id", "score", "reasons"} and full["score"] > 0.85 and full["reasons"]


async def test_a_hidden_duplicate_still_blocks_creation_but_is_shown_redacted(
    app: FastAPI, db: AsyncSession, excluded: Actor, person: int
) -> None:
    by_identifier = await client_as(app, excluded).post("/api/v1/people", json=DETAILS)
    assert by_identifier.status_code == 409
    [candidate] = by_identifier.json()["candidates"]
    assert_redacted(candidate, person)

    by_name = await client_as(app, excluded).post("/api/v1/people", json={**DETAILS, "identifiers": []})
    assert by_name.status_code == 409
    [candidate] = [c for c in by_name.json()["candidates"] if c["person_id"] == person]
    assert candidate["restricted"] is True and candidate["reasons"] == [] and "1979" not in by_name.text


async def test_the_matches_page_shows_only_the_identifier_and_responsible_officer(
    app: FastAPI, excluded: Actor, colleague: Actor, person: int
) -> None:
    form = {"given_name": "Lorenzo", "family_name": "Quartermaine", "dob_day": "3", "dob_month": "11"}
    form |= {"dob_year": "1979"}
    page = await client_as(app, excluded).post("/people/new", data=form)
    assert page.status_code == 200
    assert "Is this person already recorded?" in page.text
    assert "Restricted" in page.text and "A1234BC" in page.text and "Sam Senior" in page.text and MESSAGE in page.text
    assert f'href="/people/{person}"' not in page.text and "03/11/1979" not in page.text
    assert "Quartermaine matches" not in page.text  # no reasons

    seen = await client_as(app, colleague).post("/people/new", data=form)
    assert f'href="/people/{person}"' in seen.text and "03/11/1979" in seen.text


async def test_the_duplicate_review_needs_access_to_both_records(
    app: FastAPI, db: AsyncSession, excluded: Actor, colleague: Actor, person: int
) -> None:
    other = await add_person(db, "Laurence", "Quartermain", date(1979, 11, 3))
    await review.record_pairs(
        db, SYSTEM, [review.PairIn(other, person, 0.7, PairBand.REVIEW.value)], source=PairSource.IMPORT.value
    )
    pair_id = await db.scalar(select(LinkPair.id).where(LinkPair.person_b_id == max(person, other)))

    page = await client_as(app, excluded).get(f"/people/review/{pair_id}")
    assert page.status_code == 403
    assert MESSAGE in page.text and "Quartermaine" not in page.text and "03/11/1979" not in page.text
    decided = await client_as(app, excluded).post(f"/people/review/{pair_id}", data={"decision": "different"})
    assert decided.status_code == 403
    assert (await db.get_one(LinkPair, pair_id)).decision is None
    assert await refusals(db, excluded) == ["person.duplicate_review.read", "person.duplicate_review.decide"]

    assert (await client_as(app, colleague).get(f"/people/review/{pair_id}")).status_code == 200


async def test_the_import_report_does_not_name_a_person_the_importer_may_not_see(
    app: FastAPI, db: AsyncSession, excluded: Actor, colleague: Actor, person: int
) -> None:
    row = {"given_name": "Lorenzo", "family_name": "Quartermaine", "date_of_birth": "1979-11-03"}
    batch = {"dry_run": True, "rows": [row | {"prison_number": "A1234BC"}, row]}
    response = await client_as(app, excluded).post("/api/v1/people/import", json=batch)
    assert response.status_code == 200, response.text
    linked, by_name = response.json()["rows"]
    assert (linked["decision"], linked["person_id"], by_name["decision"]) == ("link", person, "link")
    for report in (linked, by_name):
        assert report["reasons"][0] == (
            f"matches a person whose record you may not see ({MESSAGE} Responsible officer: Sam Senior)"
        )
        assert not any("Quartermaine" in reason or "1979" in reason for reason in report["reasons"])

    seen = await client_as(app, colleague).post("/api/v1/people/import", json=batch)
    assert "family name Quartermaine matches" in seen.json()["rows"][1]["reasons"]
