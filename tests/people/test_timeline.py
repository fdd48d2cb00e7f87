"""The person's timeline across agencies: written once per event by the people.timeline handler,
newest first, filtered by agency and type, paged, on the person page and at
GET /api/v1/people/{id}/timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import CASE_BUILDER, add_person, client_as

from caselink.people import handlers, timeline
from caselink.people.merge import merge_people
from caselink.people.timeline_models import PersonTimelineEntry
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.errors import ValidationFailed
from caselink.platform.events.service import emit, get_event, registry

START = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)

OFFICER = Actor(kind=ActorKind.STAFF, id=611, name="dqofficer", roles=frozenset({"data_quality_officer"}))


async def publish(db: AsyncSession, event_type: str, person: int | None, data: dict[str, object] | None = None) -> str:
    """Emit an event and hand it to the timeline handler, as the relay does."""
    emitted = await emit(
        db, event_type, f"thing/{person}", person_ids={"person": person} if person else None, data=data, time=START
    )
    await handlers.write_timeline(db, await get_event(db, emitted.id))
    return str(emitted.id)


async def entries(db: AsyncSession, person_id: int) -> list[tuple[str, str, str]]:
    rows = await db.execute(
        select(PersonTimelineEntry.agency, PersonTimelineEntry.entry_type, PersonTimelineEntry.title)
        .where(PersonTimelineEntry.person_id == person_id)
        .order_by(PersonTimelineEntry.id)
    )
    return [(r.agency, r.entry_type, r.title) for r in rows]


@pytest.fixture
async def person(db: AsyncSession) -> int:
    return await add_person(db, "Ada", "Lovelace", date(1985, 12, 10))


async def test_every_agency_s_events_land_on_the_person_s_timeline(db: AsyncSession, person: int) -> None:
    assert registry.get(handlers.TIMELINE_HANDLER) is not None
    await publish(db, "prosecution.case_file.submitted", person, {"urn": "01AB1234525"})
    await publish(db, "court.sentence.imposed", person, {"courtCode": "B01AF00"})
    await publish(db, "probation.licence.started", person)
    assert await entries(db, person) == [
        ("police", "prosecution.case_file.submitted", "Case file submitted to the CPS"),
        ("courts", "court.sentence.imposed", "Sentenced"),
        ("probation", "probation.licence.started", "Licence started"),
    ]
    summaries = await db.scalars(
        select(PersonTimelineEntry.summary)
        .where(PersonTimelineEntry.person_id == person)
        .order_by(PersonTimelineEntry.id)
    )
    assert list(summaries)[:2] == ["Case 01AB1234525", "At court B01AF00"]


async def test_the_same_event_twice_writes_one_entry(db: AsyncSession, person: int) -> None:
    emitted = await emit(db, "court.hearing.listed", "hearing/1", person_ids={"person": person}, time=START)
    event = await get_event(db, emitted.id)
    await handlers.write_timeline(db, event)
    await handlers.write_timeline(db, event)  # a replay, or a second delivery
    count = await db.scalar(select(func.count()).where(PersonTimelineEntry.person_id == person))
    assert count == 1


async def test_events_about_no_person_or_an_unknown_one_are_skipped(db: AsyncSession, person: int) -> None:
    await publish(db, "court.hearing.listed", None)
    await publish(db, "court.hearing.listed", 987_654_321)
    assert await db.scalar(select(func.count()).select_from(PersonTimelineEntry)) == 0


async def test_an_event_about_a_merged_record_goes_to_the_survivor(db: AsyncSession, person: int) -> None:
    duplicate = await add_person(db, "Ada", "Lovelace", date(1985, 12, 10))
    await merge_people(db, OFFICER, person, duplicate, "Same person")
    await publish(db, "court.bail.granted", duplicate)
    assert ("courts", "court.bail.granted", "Bail granted") in await entries(db, person)
    assert await entries(db, duplicate) == []


async def test_direct_entries_are_checked(db: AsyncSession, person: int) -> None:
    with pytest.raises(ValidationFailed) as raised:
        await timeline.add_timeline_entry(db, person, START, "mi5", "Custody", "", link="/api/v1/people/1")
    assert {e.field for e in raised.value.errors} == {"agency", "entry_type", "title", "link"}
    assert await timeline.add_timeline_entry(db, person, START, "prison", "custody.reception.recorded", "Received")


async def a_long_timeline(db: AsyncSession, person: int) -> None:
    kinds = ["court.hearing.listed", "prosecution.case.reviewed", "court.bail.granted"]
    for n in range(25):
        kind = kinds[n % 3]
        await timeline.add_timeline_entry(
            db, person, START + timedelta(days=n), timeline.agency_of(kind), kind, f"Entry {n}"
        )


async def test_timeline_is_newest_first_filtered_and_paged(db: AsyncSession, person: int) -> None:
    await a_long_timeline(db, person)
    first = await timeline.timeline_page(db, OFFICER, person)
    assert (first.total, first.pages, len(first.items)) == (25, 2, 20)
    assert [i.title for i in first.items[:3]] == ["Entry 24", "Entry 23", "Entry 22"]
    second = await timeline.timeline_page(db, OFFICER, person, page=2)
    assert [i.title for i in second.items] == ["Entry 4", "Entry 3", "Entry 2", "Entry 1", "Entry 0"]
    courts = await timeline.timeline_page(db, OFFICER, person, agency="courts")
    assert courts.total == 17 and {i.agency for i in courts.items} == {"courts"}
    bail = await timeline.timeline_page(db, OFFICER, person, agency="courts", entry_type="court.bail.granted")
    assert bail.total == 8 and {i.entry_type for i in bail.items} == {"court.bail.granted"}
    assert first.agencies == [("cps", "CPS"), ("courts", "Courts")]
    assert ("court.bail.granted", "Bail granted") in first.types


async def test_timeline_api(app: FastAPI, db: AsyncSession, person: int) -> None:
    await a_long_timeline(db, person)
    async with client_as(app, CASE_BUILDER) as reader:
        response = await reader.get(f"/api/v1/people/{person}/timeline", params={"agency": "cps", "page": 1})
        assert response.status_code == 200
        body = response.json()
        assert (body["total"], body["pages"]) == (8, 1)
        assert body["items"][0]["type"] == "prosecution.case.reviewed"
        assert set(body["items"][0]) == {"id", "occurred_at", "agency", "type", "title", "summary", "link", "purpose"}
        bad = await reader.get(f"/api/v1/people/{person}/timeline", params={"agency": "mi5"})
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == ["query.agency"]
        missing = await reader.get("/api/v1/people/987654321/timeline")
        assert missing.status_code == 404


async def test_person_page_shows_the_timeline_with_filters_and_pages(
    app: FastAPI, db: AsyncSession, person: int
) -> None:
    await a_long_timeline(db, person)
    browser: httpx.AsyncClient
    async with client_as(app, CASE_BUILDER) as browser:
        page = await browser.get(f"/people/{person}")
        assert page.status_code == 200
        assert 'class="moj-timeline"' in page.text
        assert page.text.index("Entry 24") < page.text.index("Entry 23")
        assert "Entry 4" not in page.text and "govuk-pagination" in page.text
        assert 'name="agency"' in page.text and 'name="type"' in page.text
        filtered = await browser.get(f"/people/{person}", params={"agency": "cps"})
        assert "Entry 1<" in filtered.text and "Entry 0<" not in filtered.text
        # A hand-edited filter is read as none, as a bad page number is.
        odd = await browser.get(f"/people/{person}", params={"agency": "mi5", "page": "x"})
        assert odd.status_code == 200 and "Entry 24" in odd.text
