"""Changing a person's details after creation: the details themselves (primary name row kept in
step), addresses with their history, aliases, contact details, the history of changes, and the
pages with their error summaries. Limited access and permissions hold for every change."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.flags_factory import add_staff, add_unit
from tests.people.people_factory import CASE_BUILDER, READ_CLIENT, add_person, client_as

from caselink.people.details_models import PersonChange
from caselink.people.models import Person, PersonAddress, PersonContact, PersonName
from caselink.people.rules import fold_name
from caselink.platform.audit.models import AuditEvent
from caselink.platform.events.models import OutboxEvent


@pytest.fixture
async def writer(app: FastAPI) -> httpx.AsyncClient:
    return client_as(app, CASE_BUILDER)


@pytest.fixture
async def person(db: AsyncSession) -> int:
    return await add_person(db, "Rhiannon", "Pritchard", date(1984, 6, 9), postcode="CF10 1AA")


async def changes_of(db: AsyncSession, person_id: int) -> list[PersonChange]:
    rows = await db.execute(select(PersonChange).where(PersonChange.person_id == person_id).order_by(PersonChange.id))
    return list(rows.scalars())


async def events(db: AsyncSession, type_: str) -> list[dict[str, Any]]:
    rows = await db.execute(select(OutboxEvent.data).where(OutboxEvent.type == type_).order_by(OutboxEvent.position))
    return list(rows.scalars())


async def addresses_of(db: AsyncSession, person_id: int) -> list[PersonAddress]:
    rows = await db.execute(
        select(PersonAddress).where(PersonAddress.person_id == person_id).order_by(PersonAddress.id)
    )
    return list(rows.scalars().all())


# --- details --------------------------------------------------------------------------------------


async def test_changing_the_name_moves_the_primary_row_and_keeps_the_old_name(
    writer: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    response = await writer.patch(
        f"/api/v1/people/{person}",
        json={"family_name": "Morgan", "interpreter_needed": True, "language": "Welsh", "reason": "Marriage"},
    )
    assert response.status_code == 200, response.text
    fields = {(c["field"], c["old_value"], c["new_value"]) for c in response.json()["changes"]}
    assert fields == {
        ("family_name", "Pritchard", "Morgan"),
        ("interpreter_needed", "false", "true"),
        ("language", None, "Welsh"),
    }
    assert (await db.get(Person, person, populate_existing=True)).family_name == "Morgan"  # type: ignore[union-attr]
    names = {
        (n.name_type, n.family_name, n.family_name_norm)
        for n in (await db.execute(select(PersonName).where(PersonName.person_id == person))).scalars()
    }
    assert names == {("PRIMARY", "Morgan", "morgan"), ("PREVIOUS", "Pritchard", "pritchard")}
    history = await changes_of(db, person)
    assert {c.reason for c in history} == {"Marriage"}
    assert {c.changed_by for c in history} == {CASE_BUILDER.audit_label}
    assert await events(db, "people.person.updated") == [{"change": "details"}]
    audit = (await db.execute(select(AuditEvent).where(AuditEvent.action == "person.update"))).scalars().one()
    assert audit.subject_id == str(person)


async def test_the_person_is_found_by_both_names_after_a_change(writer: httpx.AsyncClient, person: int) -> None:
    await writer.patch(f"/api/v1/people/{person}", json={"family_name": "Morgan"})
    for q in ("Rhiannon Morgan", "Rhiannon Pritchard"):
        found = (await writer.get("/api/v1/people", params={"q": q})).json()["items"]
        assert person in [item["person_id"] for item in found], q


async def test_sending_the_same_values_records_nothing(
    writer: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    response = await writer.patch(f"/api/v1/people/{person}", json={"given_name": "Rhiannon"})
    assert response.json()["changes"] == []
    assert await changes_of(db, person) == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"date_of_birth": (date.today() + timedelta(days=1)).isoformat()}, "date_of_birth", "today or in the past"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth", "after 1900"),
        ({"family_name": " "}, "family_name", "Enter a family name"),
        ({"sex": "UNKNOWN"}, "sex", "MALE, FEMALE"),
        ({"ethnicity": "Q7"}, "ethnicity", "ONS 2021"),
    ],
)
async def test_bad_details_are_refused_with_the_field_and_nothing_changes(
    writer: httpx.AsyncClient, db: AsyncSession, person: int, body: dict[str, Any], field: str, message: str
) -> None:
    response = await writer.patch(f"/api/v1/people/{person}", json={**body, "language": "Welsh"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["field"] == field and message in error["message"]
    assert (await db.get(Person, person, populate_existing=True)).language is None  # type: ignore[union-attr]
    assert await changes_of(db, person) == []


async def test_an_impossible_date_is_refused(writer: httpx.AsyncClient, person: int) -> None:
    response = await writer.patch(f"/api/v1/people/{person}", json={"date_of_birth": "1990-02-30"})
    assert response.status_code == 422
    assert "date_of_birth" in response.json()["errors"][0]["field"]


async def test_reading_clients_and_unknown_people_are_refused(app: FastAPI, writer: httpx.AsyncClient) -> None:
    reader = client_as(app, READ_CLIENT)
    assert (await reader.patch("/api/v1/people/1", json={"language": "Welsh"})).status_code == 403
    assert (await writer.patch("/api/v1/people/999999999", json={"language": "Welsh"})).status_code == 404


async def test_an_excluded_member_of_staff_cannot_change_the_person(
    app: FastAPI, db: AsyncSession, person: int
) -> None:
    unit = await add_unit(db)
    manager = await add_staff(db, unit, "senior_probation_officer", "probation", "Sam Senior")
    excluded = await add_staff(db, unit, "police_case_builder", "police", "Ed Excluded")
    made = await client_as(app, manager).post(
        f"/api/v1/people/{person}/access-limits",
        json={"kind": "exclusion", "staff_ids": [excluded.id], "message": "Restricted record"},
    )
    assert made.status_code == 201, made.text
    blocked = client_as(app, excluded)
    refused = [
        await blocked.patch(f"/api/v1/people/{person}", json={"language": "Welsh"}),
        await blocked.post(f"/api/v1/people/{person}/addresses", json={"line1": "1 Quay St", "postcode": "CF10 1EP"}),
        await blocked.get(f"/api/v1/people/{person}/history"),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert await changes_of(db, person) == []
    assert len(await addresses_of(db, person)) == 1
    actions = (
        await db.execute(
            select(AuditEvent.action).where(AuditEvent.actor_id == excluded.id, AuditEvent.outcome == "refused")
        )
    ).scalars()
    assert set(actions) == {"person.update", "person.address.add", "person.read"}


# --- addresses ------------------------------------------------------------------------------------


async def test_a_new_address_becomes_current_and_ends_the_previous_one(
    writer: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    moved = date.today() - timedelta(days=3)
    response = await writer.post(
        f"/api/v1/people/{person}/addresses",
        json={"line1": "2 Bute Street", "town": "Cardiff", "postcode": "cf105aa", "from_date": moved.isoformat()},
    )
    assert response.status_code == 201, response.text
    old, new = await addresses_of(db, person)
    assert (old.is_current, old.to_date) == (False, moved)
    assert (new.is_current, new.postcode, new.from_date) == (True, "CF10 5AA", moved)
    [change] = await changes_of(db, person)
    assert (change.kind, change.field) == ("ADDRESS", "address")
    assert change.old_value == "1 High Street, CF10 1AA"
    assert change.new_value == "2 Bute Street, Cardiff, CF10 5AA"
    assert await events(db, "people.address.changed") == [{"change": "added", "address_id": new.id, "current": True}]


async def test_an_address_is_ended_and_cannot_end_before_it_began(
    writer: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    added = await writer.post(
        f"/api/v1/people/{person}/addresses",
        json={"line1": "2 Bute Street", "postcode": "CF10 5AA", "from_date": "2024-01-10"},
    )
    address_id = added.json()["id"]
    early = await writer.post(f"/api/v1/people/{person}/addresses/{address_id}/end", json={"to_date": "2024-01-09"})
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "to_date"
    ended = await writer.post(
        f"/api/v1/people/{person}/addresses/{address_id}/end", json={"to_date": "2024-03-01", "reason": "Evicted"}
    )
    assert ended.status_code == 200, ended.text
    address = await db.get(PersonAddress, address_id, populate_existing=True)
    assert address is not None and (address.is_current, address.to_date) == (False, date(2024, 3, 1))
    again = await writer.post(f"/api/v1/people/{person}/addresses/{address_id}/end", json={})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"line1": "2 Bute Street", "postcode": "CF10 XYZ"}, "postcode"),
        ({"line1": "2 Bute Street", "from_date": "2024-05-01", "to_date": "2024-04-01"}, "to_date"),
        ({"postcode": "CF10 5AA"}, "line1"),
        ({"line1": "2 Bute Street", "from_date": "1980-01-01"}, "from_date"),  # before the current one began?
    ],
)
async def test_bad_addresses_are_refused_and_nothing_changes(
    writer: httpx.AsyncClient, db: AsyncSession, person: int, body: dict[str, Any], field: str
) -> None:
    [current] = await addresses_of(db, person)
    current.from_date = date(2010, 1, 1)
    await db.flush()
    response = await writer.post(f"/api/v1/people/{person}/addresses", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    [still] = await addresses_of(db, person)
    assert still.is_current and still.to_date is None
    assert await changes_of(db, person) == []


# --- aliases and contacts -------------------------------------------------------------------------


async def test_an_alias_is_added_once_and_found_by_search(
    writer: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    added = await writer.post(
        f"/api/v1/people/{person}/aliases", json={"name_type": "alias", "given_name": "Rhi", "family_name": "Jenkins"}
    )
    assert added.status_code == 201, added.text
    name = await db.get(PersonName, added.json()["id"])
    assert name is not None and (name.name_type, name.family_name_norm) == ("ALIAS", fold_name("Jenkins"))
    twice = await writer.post(f"/api/v1/people/{person}/aliases", json={"given_name": "Rhi", "family_name": "JENKINS"})
    assert twice.status_code == 422
    primary = await writer.post(f"/api/v1/people/{person}/aliases", json={"name_type": "PRIMARY", "family_name": "X"})
    assert primary.json()["errors"][0]["field"] == "name_type"
    found = (await writer.get("/api/v1/people", params={"q": "Rhi Jenkins"})).json()["items"]
    assert person in [item["person_id"] for item in found]


async def test_contacts_are_added_checked_and_ended_with_history(
    writer: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    bad = await writer.post(f"/api/v1/people/{person}/contacts", json={"kind": "EMAIL", "value": "rhi@"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "value"
    added = await writer.post(
        f"/api/v1/people/{person}/contacts", json={"kind": "mobile", "value": "07700 900-982", "is_preferred": True}
    )
    assert added.status_code == 201, added.text
    contact_id = added.json()["id"]
    contact = await db.get(PersonContact, contact_id)
    assert contact is not None and (contact.kind, contact.value, contact.is_preferred) == (
        "MOBILE",
        "07700900982",
        True,
    )
    ended = await writer.post(f"/api/v1/people/{person}/contacts/{contact_id}/end", json={"reason": "Number lost"})
    assert ended.status_code == 200
    assert await db.get(PersonContact, contact_id, populate_existing=True) is None
    history = (await writer.get(f"/api/v1/people/{person}/history")).json()
    assert history["total"] == 2
    assert [(i["field"], i["old_value"], i["new_value"]) for i in history["items"]] == [
        ("mobile", "07700900982", None),
        ("mobile", None, "07700900982"),
    ]
    assert history["items"][0]["reason"] == "Number lost"


async def test_a_merged_record_cannot_be_changed(writer: httpx.AsyncClient, db: AsyncSession, person: int) -> None:
    survivor = await add_person(db, "Rhiannon", "Pritchard", date(1984, 6, 9))
    merged = await db.get(Person, person)
    assert merged is not None
    merged.merged_into_id = survivor
    await db.flush()
    response = await writer.patch(f"/api/v1/people/{person}", json={"language": "Welsh"})
    assert response.status_code == 409
    assert str(survivor) in response.json()["detail"]


# --- pages ----------------------------------------------------------------------------------------

DETAILS_FORM = {
    "given_name": "Rhiannon",
    "middle_names": "",
    "family_name": "Pritchard",
    "dob_day": "9",
    "dob_month": "6",
    "dob_year": "1984",
    "sex": "FEMALE",
    "gender_identity": "",
    "nationality": "British",
    "ethnicity": "",
    "language": "",
    "interpreter_needed": "no",
    "reason": "Confirmed at interview",
    "csrf_token": "x",
}


async def test_the_person_page_links_to_the_forms(writer: httpx.AsyncClient, person: int) -> None:
    page = await writer.get(f"/people/{person}")
    for href in ("details", "addresses/new", "history"):
        assert f'href="/people/{person}/{href}"' in page.text


async def test_the_change_details_page_saves_and_shows_the_history(
    writer: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    form = await writer.get(f"/people/{person}/details")
    assert form.status_code == 200
    assert 'name="csrf_token"' in form.text and 'value="Pritchard"' in form.text
    saved = await writer.post(f"/people/{person}/details", data=DETAILS_FORM)
    assert saved.status_code == 303
    assert {(c.field, c.new_value) for c in await changes_of(db, person)} == {
        ("sex", "FEMALE"),
        ("nationality", "British"),
    }
    history = await writer.get(saved.headers["location"])
    assert "History of changes" in history.text
    assert "Nationality" in history.text and "Confirmed at interview" in history.text


@pytest.mark.parametrize(
    ("overrides", "anchor", "message"),
    [
        ({"dob_day": "31", "dob_month": "2"}, "date_of_birth", "must be a real date"),
        ({"dob_year": str(date.today().year + 1)}, "date_of_birth", "today or in the past"),
        ({"family_name": ""}, "family_name", "Enter a family name"),
    ],
)
async def test_the_change_details_page_shows_the_error_summary(
    writer: httpx.AsyncClient, db: AsyncSession, person: int, overrides: dict[str, str], anchor: str, message: str
) -> None:
    page = await writer.post(f"/people/{person}/details", data={**DETAILS_FORM, **overrides})
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert f'href="#{anchor}"' in page.text and message in page.text
    assert await changes_of(db, person) == []


async def test_the_add_address_page_sets_the_current_address(
    writer: httpx.AsyncClient, db: AsyncSession, person: int
) -> None:
    form = await writer.get(f"/people/{person}/addresses/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    bad = await writer.post(f"/people/{person}/addresses/new", data={"line1": "2 Bute Street", "postcode": "XX1"})
    assert bad.status_code == 400
    assert 'href="#postcode"' in bad.text and "Enter a real postcode" in bad.text
    assert len(await addresses_of(db, person)) == 1
    saved = await writer.post(
        f"/people/{person}/addresses/new", data={"line1": "2 Bute Street", "town": "Cardiff", "postcode": "CF10 5AA"}
    )
    assert saved.status_code == 303
    current = [a for a in await addresses_of(db, person) if a.is_current]
    assert [a.line1 for a in current] == ["2 Bute Street"]
    page = await writer.get(f"/people/{person}")
    assert "2 Bute Street, Cardiff, CF10 5AA" in page.text
