"""Search of the person index on a real PostgreSQL: one box for identifiers (any accepted form)
and names (with the usual mistakes), ranked with reasons, paginated, and every search audited."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import ANALYST, CASE_BUILDER, add_person, client_as

from caselink.people.models import NameType, PersonName
from caselink.platform.audit.models import AuditEvent

DOB = date(1984, 3, 7)


@pytest.fixture
async def people(db: AsyncSession) -> dict[str, int]:
    return {
        "gregor": await add_person(
            db,
            "Gregor",
            "Quennell",
            DOB,
            identifiers=[
                ("PNC", "2002/0073319Z"),
                ("CRO", "65656/91H"),
                ("PRISON_NUMBER", "A1234BC"),
                ("CRN", "X123456"),
                ("ASN", "2101ZD0100000448754Z"),
                ("NINO", "AB123456C"),
            ],
            postcode="CF10 1AA",
        ),
        "gregor_elder": await add_person(db, "Gregor", "Quennell", date(1951, 10, 30)),
        "william": await add_person(db, "William", "Trevelyan", date(1990, 5, 2)),
        "alys": await add_person(db, "Alys", "Abernethy-Rhys", date(1979, 12, 1)),
        "peggy": await add_person(
            db, "Margaret", "Ollerenshaw", date(1966, 4, 9), aliases=[(NameType.MAIDEN, "Peggy", "Dunwoody")]
        ),
    }


@pytest.fixture
async def reader(app: FastAPI) -> httpx.AsyncClient:
    return client_as(app, CASE_BUILDER)


async def search(client: httpx.AsyncClient, **params: object) -> httpx.Response:
    return await client.get("/api/v1/people", params={k: str(v) for k, v in params.items()})


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["person_id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "typed",
    [
        "2002/0073319Z",
        "02/73319Z",
        "0273319Z",
        "065656/91H",
        "a1234bc",
        "X123456",
        "21/01ZD/01/448754Z",
        "AB 12 34 56 C",
    ],
)
async def test_identifier_in_any_accepted_form_finds_the_person(
    reader: httpx.AsyncClient, people: dict[str, int], typed: str
) -> None:
    response = await search(reader, q=typed)
    assert ids(response) == [people["gregor"]]
    body = response.json()
    assert body["kind"] == "identifier"
    assert body["items"][0]["score"] == 1.0
    assert body["items"][0]["reasons"][0].startswith("same ")


async def test_identifier_with_a_wrong_check_letter_is_a_clear_error(
    reader: httpx.AsyncClient, people: dict[str, int]
) -> None:
    response = await search(reader, q="2002/0073319A")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["field"] == "query.q"
    assert "not a valid PNC ID" in error["message"]


async def test_empty_search_is_a_clear_error(reader: httpx.AsyncClient) -> None:
    for q in ("", "   ", "--"):
        response = await search(reader, q=q)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "query.q"
    missing = await reader.get("/api/v1/people")
    assert missing.status_code == 422


@pytest.mark.parametrize(
    ("typed", "dob", "who"),
    [
        ("Gregor Quenell", DOB, "gregor"),  # a letter missing
        ("Gregro Quennel", DOB, "gregor"),  # letters swapped and missing
        ("Quennell Gregor", DOB, "gregor"),  # given and family swapped
        ("Quennell, Gregor", None, "gregor"),  # family first with a comma
        ("Gregor Quennell", date(1984, 7, 3), "gregor"),  # day and month transposed
        ("Bill Trevelyan", None, "william"),  # a nickname
        ("Will Trevellyan", None, "william"),  # a nickname and a typo
        ("Alys Rhys", None, "alys"),  # one part of a double-barrelled name
        ("Alys Abernethy Rhys", None, "alys"),  # hyphen typed as a space
        ("Peggy Dunwoody", None, "peggy"),  # a maiden name recorded as another name
    ],
)
async def test_names_typed_with_mistakes_find_the_person_first(
    reader: httpx.AsyncClient, people: dict[str, int], typed: str, dob: date | None, who: str
) -> None:
    params: dict[str, object] = {"q": typed}
    if dob:
        params["date_of_birth"] = dob.isoformat()
    response = await search(reader, **params)
    found = ids(response)
    assert found and found[0] == people[who], response.json()
    assert response.json()["items"][0]["reasons"]


async def test_date_of_birth_puts_the_right_namesake_first(reader: httpx.AsyncClient, people: dict[str, int]) -> None:
    younger = ids(await search(reader, q="Gregor Quennell", date_of_birth="1984-03-07"))
    elder = ids(await search(reader, q="Gregor Quennell", date_of_birth="1951-10-30"))
    assert younger[:2] == [people["gregor"], people["gregor_elder"]]
    assert elder[:2] == [people["gregor_elder"], people["gregor"]]


async def test_age_range_filters(reader: httpx.AsyncClient, people: dict[str, int]) -> None:
    today = date.today()
    age = today.year - 1951 - ((today.month, today.day) < (10, 30))
    assert ids(await search(reader, q="Gregor Quennell", age_from=age, age_to=age)) == [people["gregor_elder"]]
    bad = await search(reader, q="Gregor Quennell", age_from=50, age_to=20)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.age_to"


async def test_postcode_raises_the_person_living_there(reader: httpx.AsyncClient, people: dict[str, int]) -> None:
    response = await search(reader, q="Gregor Quennell", postcode="cf101aa")
    assert ids(response)[0] == people["gregor"]
    assert "postcode CF10 1AA matches" in response.json()["items"][0]["reasons"]
    bad = await search(reader, q="Gregor Quennell", postcode="not a postcode")
    assert bad.json()["errors"][0]["field"] == "query.postcode"


async def test_results_are_paginated(reader: httpx.AsyncClient, db: AsyncSession) -> None:
    created = {
        await add_person(db, given, "Featherstonehaugh", date(1970, 1, 1 + i))
        for i, given in enumerate(
            ["Adam", "Ben", "Carl", "Dan", "Eli", "Finn", "Gus", "Hal", "Ivan", "Jon", "Kit", "Lee"]
        )
    }
    first = await search(reader, q="Featherstonehaugh", page_size=5)
    body = first.json()
    assert (body["total"], body["pages"], body["page"]) == (12, 3, 1)
    pages = [ids(first)] + [ids(await search(reader, q="Featherstonehaugh", page_size=5, page=p)) for p in (2, 3)]
    assert [len(p) for p in pages] == [5, 5, 2]
    assert {i for p in pages for i in p} == created


async def test_every_search_is_audited_with_its_terms(
    reader: httpx.AsyncClient, people: dict[str, int], db: AsyncSession
) -> None:
    await search(reader, q="Gregor Quennell", date_of_birth="1984-03-07")
    await search(reader, q="2002/0073319A")  # refused: recorded too
    rows = (
        await db.execute(
            select(AuditEvent.actor_label, AuditEvent.outcome, AuditEvent.detail)
            .where(AuditEvent.action == "person.search")
            .order_by(AuditEvent.id)
        )
    ).all()
    assert [(r.actor_label, r.outcome) for r in rows[-2:]] == [
        ("staff:pcbuilder", "allowed"),
        ("staff:pcbuilder", "refused"),
    ]
    assert rows[-2].detail["terms"] == {"q": "Gregor Quennell", "date_of_birth": "1984-03-07"}
    assert rows[-2].detail["kind"] == "name"
    assert rows[-1].detail["terms"] == {"q": "2002/0073319A"}


async def test_search_needs_people_read(app: FastAPI, people: dict[str, int]) -> None:
    async with client_as(app, ANALYST) as analyst:
        assert (await analyst.get("/api/v1/people", params={"q": "Quennell"})).status_code == 403


async def test_a_corrected_name_is_found_by_its_new_spelling(reader: httpx.AsyncClient, db: AsyncSession) -> None:
    # Search looks spellings up in person_name_terms, which triggers keep in step with every write.
    person = await add_person(db, "Orla", "Featherstonhaw", date(1991, 6, 5))
    await db.execute(
        update(PersonName)
        .where(PersonName.person_id == person)
        .values(family_name="Fetherstonhaugh", family_name_norm="fetherstonhaugh")
    )
    response = await search(reader, q="Orla Fetherstonhaugh")
    assert ids(response)[:1] == [person]
    assert "family name Fetherstonhaugh matches" in response.json()["items"][0]["reasons"]
