"""The person index pages: search with an error summary, add a person through the matches page,
and the person page with its identity bar."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import CASE_BUILDER, CPS_LAWYER, add_person, client_as

from caselink.people.models import Person
from caselink.platform.audit.models import AuditEvent

NEW = {
    "given_name": "Bill",
    "family_name": "Trevelyan",
    "dob_day": "2",
    "dob_month": "5",
    "dob_year": "1990",
    "identifier_type": "",
    "identifier_value": "",
}


@pytest.fixture
async def browser(app: FastAPI) -> httpx.AsyncClient:
    return client_as(app, CASE_BUILDER)


@pytest.fixture
async def existing(db: AsyncSession) -> int:
    return await add_person(db, "William", "Trevelyan", date(1990, 5, 2), identifiers=[("PRISON_NUMBER", "A1234BC")])


async def test_search_page_lists_matches_with_reasons(browser: httpx.AsyncClient, existing: int) -> None:
    page = await browser.get("/people", params={"q": "Bill Trevelyan"})
    assert page.status_code == 200
    assert f'href="/people/{existing}"' in page.text
    assert "Bill is a short form of William" in page.text
    assert "Prison number: A1234BC" in page.text


async def test_empty_search_shows_the_error_summary(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/people", params={"q": " "})
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert 'href="#q"' in page.text
    assert "Enter a name, or an identifier" in page.text


async def test_new_person_without_matches_goes_straight_to_their_page(
    browser: httpx.AsyncClient, db: AsyncSession
) -> None:
    response = await browser.post("/people/new", data={**NEW, "given_name": "Tamsin", "family_name": "Vosper"})
    assert response.status_code == 303
    match = re.fullmatch(r"/people/(\d+)\?created=1", response.headers["location"])
    assert match
    page = await browser.get(response.headers["location"])
    assert "Person record created" in page.text
    assert "moj-identity-bar" in page.text and "Tamsin Vosper" in page.text


async def test_new_person_with_likely_matches_shows_them_first(
    browser: httpx.AsyncClient, db: AsyncSession, existing: int
) -> None:
    count = await db.scalar(select(Person.id).order_by(Person.id.desc()).limit(1))
    page = await browser.post("/people/new", data=NEW)
    assert page.status_code == 200
    assert "Is this person already recorded?" in page.text
    assert f'href="/people/{existing}"' in page.text
    assert "Bill is a short form of William" in page.text
    assert await db.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) == count  # nothing created yet

    no_reason = await browser.post("/people/new/confirm", data={**NEW, "reason": ""})
    assert no_reason.status_code == 400
    assert 'href="#reason"' in no_reason.text

    confirmed = await browser.post("/people/new/confirm", data={**NEW, "reason": "Different father's name"})
    assert confirmed.status_code == 303
    person_id = int(re.findall(r"\d+", confirmed.headers["location"])[0])
    audit = (
        await db.execute(
            select(AuditEvent).where(AuditEvent.action == "person.create", AuditEvent.subject_id == str(person_id))
        )
    ).scalar_one()
    assert audit.detail["reason"] == "Different father's name"


async def test_invalid_identifier_on_the_form_links_to_the_field(browser: httpx.AsyncClient) -> None:
    page = await browser.post(
        "/people/new", data={**NEW, "identifier_type": "PNC", "identifier_value": "2002/0073319A", "dob_month": "13"}
    )
    assert page.status_code == 400
    assert 'href="#date_of_birth"' in page.text
    # The date is checked first; fix it and the identifier's own message shows.
    page = await browser.post(
        "/people/new", data={**NEW, "identifier_type": "PNC", "identifier_value": "2002/0073319A"}
    )
    assert page.status_code == 400
    assert 'href="#identifiers-0-value"' in page.text
    assert "check letter of this PNC ID" in page.text


async def test_person_page_shows_identity_bar_summary_and_timeline(
    browser: httpx.AsyncClient, db: AsyncSession, existing: int
) -> None:
    page = await browser.get(f"/people/{existing}")
    assert page.status_code == 200
    bar = page.text.split('class="moj-identity-bar', 1)[1].split("</dl>", 1)[0]
    assert "William Trevelyan" in bar and "02 May 1990" in bar and "A1234BC" in bar
    # The stored cross-agency timeline (tests/people/test_timeline.py); this record has no events yet.
    assert "Timeline" in page.text and "Nothing recorded on the timeline yet" in page.text
    read = (await db.execute(select(AuditEvent).where(AuditEvent.action == "person.read"))).scalars().all()
    assert [r.subject_id for r in read] == [str(existing)]
    assert (await browser.get("/people/999999999")).status_code == 404


async def test_adding_a_person_needs_people_write(app: FastAPI) -> None:
    async with client_as(app, CPS_LAWYER) as lawyer:
        assert (await lawyer.get("/people/new")).status_code == 403
        assert (await lawyer.get("/people")).status_code == 200
