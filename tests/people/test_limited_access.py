"""Limited-access persons: exclusions and restrictions enforced on the person page and API, on
flags, redacted in search (page and API), filtered for exports and allocation; managed by
authorised roles, every blocked attempt audited, bad input refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.flags_factory import add_staff, add_unit
from tests.people.people_factory import READ_CLIENT, add_person, client_as

from caselink.people import limited_access
from caselink.people.registration_models import PersonAccessLimit
from caselink.platform.access.actor import Actor
from caselink.platform.audit.models import AuditEvent

MESSAGE = "This record is restricted. Contact the Head of PDU Croydon."


@pytest.fixture
async def unit(db: AsyncSession) -> int:
    return await add_unit(db)


@pytest.fixture
async def manager(db: AsyncSession, unit: int) -> Actor:
    return await add_staff(db, unit, "senior_probation_officer", "probation", "Sam Senior")


@pytest.fixture
async def excluded(db: AsyncSession, unit: int) -> Actor:
    return await add_staff(db, unit, "probation_practitioner", "probation", "Ed Excluded")


@pytest.fixture
async def colleague(db: AsyncSession, unit: int) -> Actor:
    return await add_staff(db, unit, "probation_practitioner", "probation", "Cara Colleague")


@pytest.fixture
async def person(db: AsyncSession) -> int:
    return await add_person(
        db, "Lorenzo", "Quartermaine", date(1979, 11, 3), identifiers=[("PRISON_NUMBER", "A1234BC")]
    )


async def _limit(app: FastAPI, manager: Actor, person: int, **body: object) -> httpx.Response:
    return await client_as(app, manager).post(f"/api/v1/people/{person}/access-limits", json=body)


async def _refusals(db: AsyncSession, actor: Actor) -> list[str]:
    rows = await db.execute(
        select(AuditEvent.action).where(AuditEvent.actor_id == actor.id, AuditEvent.outcome == "refused")
    )
    return list(rows.scalars())


async def test_an_excluded_practitioner_is_refused_the_page_and_the_api(
    app: FastAPI, db: AsyncSession, manager: Actor, excluded: Actor, colleague: Actor, person: int
) -> None:
    made = await _limit(app, manager, person, kind="exclusion", staff_ids=[excluded.id], message=MESSAGE)
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "active"

    api = await client_as(app, excluded).get(f"/api/v1/people/{person}")
    assert api.status_code == 403
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["detail"] == MESSAGE
    page = await client_as(app, excluded).get(f"/people/{person}")
    assert page.status_code == 403
    assert "Contact the Head of PDU Croydon" in page.text and "Quartermaine" not in page.text
    flags = await client_as(app, excluded).get(f"/api/v1/people/{person}/flags")
    assert flags.status_code == 403
    add_flag = await client_as(app, excluded).post(f"/api/v1/people/{person}/flags", json={"type": "SELF_HARM"})
    assert add_flag.status_code == 403
    assert await _refusals(db, excluded) == ["person.read", "person.read", "person.flags.read", "person.flag.add"]

    assert (await client_as(app, colleague).get(f"/api/v1/people/{person}")).status_code == 200
    assert (await client_as(app, READ_CLIENT).get(f"/api/v1/people/{person}")).status_code == 200  # not listed


async def test_search_by_an_excluded_practitioner_shows_the_redacted_result(
    app: FastAPI, db: AsyncSession, manager: Actor, excluded: Actor, colleague: Actor, person: int
) -> None:
    await _limit(app, manager, person, kind="exclusion", staff_ids=[excluded.id], message=MESSAGE)

    by_name = await client_as(app, excluded).get("/api/v1/people", params={"q": "Lorenzo Quartermaine"})
    assert by_name.status_code == 200
    [item] = [i for i in by_name.json()["items"] if i["person_id"] == person]
    assert item["restricted"] is True
    assert item["given_name"] is None and item["family_name"] is None and item["date_of_birth"] is None
    assert item["reasons"] == [] and item["score"] == 0
    assert item["identifiers"] == [{"type": "PRISON_NUMBER", "value": "A1234BC"}]
    assert item["responsible_officer"] == {"name": "Sam Senior"}
    assert item["message"] == MESSAGE
    assert "Quartermaine" not in by_name.text and "1979" not in by_name.text

    by_id = await client_as(app, excluded).get("/api/v1/people", params={"q": "a1234bc"})
    assert by_id.json()["items"][0]["identifiers"] == [{"type": "PRISON_NUMBER", "value": "A1234BC"}]
    assert by_id.json()["items"][0]["restricted"] is True

    page = await client_as(app, excluded).get("/people", params={"q": "Lorenzo Quartermaine"})
    assert page.status_code == 200
    assert "Restricted" in page.text and "A1234BC" in page.text and "Sam Senior" in page.text
    assert "Quartermaine</a>" not in page.text and "03/11/1979" not in page.text
    assert "person.search.redacted" in await _refusals(db, excluded)

    seen = await client_as(app, colleague).get("/api/v1/people", params={"q": "Lorenzo Quartermaine"})
    [full] = [i for i in seen.json()["items"] if i["person_id"] == person]
    assert full["restricted"] is False and full["family_name"] == "Quartermaine"


async def test_a_restriction_lets_only_the_listed_staff_and_blocks_api_clients(
    app: FastAPI, db: AsyncSession, manager: Actor, excluded: Actor, colleague: Actor, person: int
) -> None:
    made = await _limit(app, manager, person, kind="restriction", staff_ids=[manager.id, colleague.id], message=MESSAGE)
    assert made.status_code == 201
    assert (await client_as(app, colleague).get(f"/api/v1/people/{person}")).status_code == 200
    assert (await client_as(app, excluded).get(f"/api/v1/people/{person}")).status_code == 403
    client = await client_as(app, READ_CLIENT).get(f"/api/v1/people/{person}")
    assert client.status_code == 403 and client.json()["detail"] == MESSAGE

    assert await limited_access.may_see_person(db, colleague, person)
    assert not await limited_access.staff_may_see_person(db, excluded.id or 0, person)
    assert await limited_access.restricted_to_staff_ids(db, person) == {manager.id, colleague.id}
    assert await limited_access.visible_person_ids(db, excluded, [person]) == []


async def test_limits_are_time_bounded_and_can_be_lifted(
    app: FastAPI, db: AsyncSession, manager: Actor, excluded: Actor, person: int
) -> None:
    later = datetime.now(UTC) + timedelta(days=5)
    scheduled = await _limit(
        app, manager, person, kind="exclusion", staff_ids=[excluded.id], message=MESSAGE, starts_at=later.isoformat()
    )
    assert scheduled.json()["status"] == "scheduled"
    assert await limited_access.may_see_person(db, excluded, person)
    assert await limited_access.excluded_staff_ids(db, person) == frozenset()
    assert await limited_access.excluded_staff_ids(db, person, later + timedelta(hours=1)) == {excluded.id}

    now_on = await _limit(app, manager, person, kind="exclusion", staff_ids=[excluded.id], message=MESSAGE)
    assert not await limited_access.may_see_person(db, excluded, person)
    lifted = await client_as(app, manager).post(
        f"/api/v1/people/{person}/access-limits/{now_on.json()['id']}/lift", json={"reason": "Moved team"}
    )
    assert lifted.status_code == 200 and lifted.json()["status"] == "lifted"
    assert await limited_access.may_see_person(db, excluded, person)
    listed = (await client_as(app, manager).get(f"/api/v1/people/{person}/access-limits")).json()["items"]
    assert [i["status"] for i in listed] == ["lifted", "scheduled"]  # history kept


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "restriction", "staff_ids": [], "message": MESSAGE}, "staff_ids"),
        ({"kind": "exclusion", "staff_ids": [987654], "message": MESSAGE}, "staff_ids"),
        ({"kind": "quarantine", "staff_ids": ["SELF"], "message": MESSAGE}, "kind"),
        ({"kind": "exclusion", "staff_ids": ["OTHER"], "message": " "}, "message"),
        ({"kind": "restriction", "staff_ids": ["OTHER"], "message": MESSAGE}, "staff_ids"),  # without yourself
        (
            {"kind": "exclusion", "staff_ids": ["OTHER"], "message": MESSAGE, "ends_at": "2020-01-01T00:00:00Z"},
            "ends_at",
        ),
    ],
)
async def test_bad_limits_are_refused_and_nothing_is_written(
    app: FastAPI, db: AsyncSession, manager: Actor, excluded: Actor, person: int, body: dict[str, object], field: str
) -> None:
    ids = {"SELF": manager.id, "OTHER": excluded.id}
    body = {**body, "staff_ids": [ids.get(s, s) for s in body["staff_ids"]]}  # type: ignore[attr-defined]
    response = await _limit(app, manager, person, **body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await db.scalar(select(func.count()).select_from(PersonAccessLimit)) == 0


async def test_a_manager_who_cannot_see_the_person_cannot_limit_them(
    app: FastAPI, db: AsyncSession, manager: Actor, excluded: Actor, unit: int, person: int
) -> None:
    other_manager = await add_staff(db, unit, "senior_probation_officer", "probation", "Olu Other")
    await _limit(app, manager, person, kind="exclusion", staff_ids=[other_manager.id], message=MESSAGE)
    refused = await _limit(app, other_manager, person, kind="exclusion", staff_ids=[excluded.id], message="x")
    assert refused.status_code == 403 and refused.json()["detail"] == MESSAGE
    assert await db.scalar(select(func.count()).select_from(PersonAccessLimit)) == 1
    assert await _refusals(db, other_manager) == ["person.limit.add"]


async def test_only_authorised_roles_manage_limits(app: FastAPI, excluded: Actor, person: int) -> None:
    response = await _limit(app, excluded, person, kind="exclusion", staff_ids=[excluded.id], message=MESSAGE)
    assert response.status_code == 403


async def test_the_access_page_sets_a_limit_by_username_with_error_summaries(
    app: FastAPI, db: AsyncSession, manager: Actor, excluded: Actor, person: int
) -> None:
    browser = client_as(app, manager)
    assert (await browser.get(f"/people/{person}/access")).status_code == 200
    bad = await browser.post(
        f"/people/{person}/access", data={"kind": "exclusion", "staff": "nobody-here", "message": MESSAGE}
    )
    assert bad.status_code == 400 and 'href="#staff"' in bad.text and "nobody-here" in bad.text
    made = await browser.post(
        f"/people/{person}/access", data={"kind": "exclusion", "staff": excluded.name, "message": MESSAGE}
    )
    assert made.status_code == 303
    assert not await limited_access.may_see_person(db, excluded, person)
    assert "Ed Excluded" in (await browser.get(made.headers["location"])).text
