"""Limited access (decision 0026) in custody: a member of staff excluded from a person sees them as
a redacted row on the roll, upcoming releases and the offender management lists (no name, prison
number, dates or link) and is refused, audited, their custody tab and the custody API about them;
a colleague who is not excluded sees everything as before."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.custody.custody_factory import person, prison_id
from tests.people.flags_factory import add_staff
from tests.people.people_factory import client_as

from caselink.custody import offender_management_service as om
from caselink.custody import rules, service
from caselink.custody.models import OffenderManagerAllocation
from caselink.custody.schemas import ExpectedArrivalIn, LengthIn, ReceptionIn, SentencesIn, TermIn
from caselink.people.limited_access import LimitInput, add_limit
from caselink.platform.access.actor import Actor
from caselink.platform.audit.models import AuditEvent
from caselink.platform.errors import ValidationFailed

pytestmark = pytest.mark.usefixtures("reference_loaded")

NAME = ("Zebulon", "Limitedaccess")
MESSAGE = "Conflict of interest: ask the head of residence."


async def _setup(db: AsyncSession) -> tuple[int, int, Actor, Actor]:
    unit = await prison_id(db, "PVI")
    manager = await add_staff(db, unit, "senior_probation_officer", "probation", "Sam Senior")
    excluded = await add_staff(db, unit, "prison_records_clerk", "prison", "Ex Cluded")
    colleague = await add_staff(db, unit, "prison_records_clerk", "prison", "Col League")
    pid = await person(db, *NAME)
    booking = await service.receive(
        db,
        colleague,
        ReceptionIn(
            person_id=pid,
            prison_code="PVI",
            legal_status=rules.LegalStatus.SENTENCED,
            location="0-0-01",  # first on the roll
            received_at=datetime(1990, 1, 1, 9, 0, tzinfo=UTC),  # first on the unallocated list
        ),
    )
    term = TermIn(id="1", sentence_date=date(2025, 3, 10), offence_date=date(2025, 1, 1), length=LengthIn(years=2))
    await service.replace_sentences(db, colleague, pid, SentencesIn(terms=[term]))  # CRD 26 December 2025
    assert excluded.id is not None
    await add_limit(db, manager, pid, LimitInput("exclusion", [excluded.id], MESSAGE))
    return pid, booking, excluded, colleague


async def test_an_excluded_officer_sees_redacted_rows_and_is_refused_the_person(app: FastAPI, db: AsyncSession) -> None:
    pid, booking, excluded, _ = await _setup(db)
    async with client_as(app, excluded) as web:
        roll = await web.get("/custody/roll")
        assert roll.status_code == 200
        assert "Limitedaccess" not in roll.text and f'href="/custody/people/{pid}"' not in roll.text
        assert "Restricted" in roll.text and "0-0-01" not in roll.text
        releases = await web.get("/custody/releases?days=366")
        assert releases.status_code == 200 and "Limitedaccess" not in releases.text
        unallocated = await web.get("/custody/offender-management/unallocated")
        assert unallocated.status_code == 200 and "Limitedaccess" not in unallocated.text
        assert "Restricted" in unallocated.text and f'href="/custody/people/{pid}"' not in unallocated.text

        tab = await web.get(f"/custody/people/{pid}")
        assert tab.status_code == 403 and MESSAGE in tab.text and "Limitedaccess" not in tab.text

        api_roll = (await web.get("/api/v1/custody/prisons/PVI/roll?page_size=200")).json()
        row = next(r for r in api_roll["items"] if r["person_id"] == pid)
        assert row["restricted"] is True
        assert row["person_name"] is None and row["prison_number"] is None and row["location"] is None
        due = await web.get("/api/v1/custody/prisons/PVI/upcoming-releases?from_date=2025-12-20&days=14&page_size=200")
        release = next(r for r in due.json()["items"] if r["person_id"] == pid)
        assert release["restricted"] is True and release["release_date"] is None and release["person_name"] is None

        dates = await web.get(f"/api/v1/custody/people/{pid}/release-dates")
        assert dates.status_code == 403 and dates.headers["content-type"].startswith("application/problem+json")
        assert dates.json()["detail"] == MESSAGE
        detail = await web.get(f"/api/v1/custody/bookings/{booking}")
        assert detail.status_code == 403 and "Limitedaccess" not in detail.text
        move = await web.post(f"/api/v1/custody/bookings/{booking}/movements", json={"kind": "court_production"})
        assert move.status_code == 403

    listed = await om.unallocated(db, excluded, None, page_size=200)
    mine = next(r for r in listed.items if r.person_id == pid)
    assert mine.restricted and mine.person_name is None and mine.release_date is None and mine.flags == []

    refused = set(
        await db.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == excluded.id, AuditEvent.outcome == "refused")
        )
    )
    assert {"custody.person.read", "custody.release_dates.read", "custody.booking.read", "custody.movement"} <= refused
    assert {"person.custody.roll", "person.custody.releases", "person.custody.offender_manager.unallocated"} <= refused


async def test_a_colleague_not_excluded_sees_the_person_normally(app: FastAPI, db: AsyncSession) -> None:
    pid, booking, _, colleague = await _setup(db)
    async with client_as(app, colleague) as web:
        roll = await web.get("/custody/roll")
        assert "Zebulon Limitedaccess" in roll.text and f'href="/custody/people/{pid}"' in roll.text
        tab = await web.get(f"/custody/people/{pid}")
        assert tab.status_code == 200 and "Zebulon Limitedaccess" in tab.text
        api_roll = (await web.get("/api/v1/custody/prisons/PVI/roll?page_size=200")).json()
        row = next(r for r in api_roll["items"] if r["person_id"] == pid)
        assert row["restricted"] is False and row["person_name"] == "Zebulon Limitedaccess"
        dates = await web.get(f"/api/v1/custody/people/{pid}/release-dates")
        assert dates.status_code == 200
        assert (await web.get(f"/api/v1/custody/bookings/{booking}")).status_code == 200
    listed = await om.unallocated(db, colleague, None, page_size=200)
    assert any(r.person_id == pid and r.person_name == "Zebulon Limitedaccess" for r in listed.items)


async def test_expected_arrivals_redact_a_person_the_officer_may_not_see_and_refuse_receiving_them(
    app: FastAPI, db: AsyncSession
) -> None:
    unit = await prison_id(db, "PVI")
    manager = await add_staff(db, unit, "senior_probation_officer", "probation", "Sam Senior")
    excluded = await add_staff(db, unit, "prison_records_clerk", "prison", "Ex Cluded")
    colleague = await add_staff(db, unit, "prison_records_clerk", "prison", "Col League")
    pid = await person(db, "Yorick", "Arrivalwithheld")
    arrival = await service.create_expected_arrival(
        db,
        colleague,
        ExpectedArrivalIn(
            person_id=pid, prison_code="PVI", expected_on=date(1990, 1, 1), from_court="Limitedaccess Crown Court"
        ),
    )
    assert excluded.id is not None
    await add_limit(db, manager, pid, LimitInput("exclusion", [excluded.id], MESSAGE))

    async with client_as(app, excluded) as web:
        page = await web.get("/custody/expected-arrivals")
        assert page.status_code == 200 and "Restricted" in page.text
        assert "Arrivalwithheld" not in page.text and "Limitedaccess Crown Court" not in page.text
        assert f"arrival={arrival}" not in page.text
        api = (await web.get("/api/v1/custody/expected-arrivals?prison=PVI&page_size=200")).json()
        row = next(r for r in api["items"] if r["id"] == arrival)
        assert row["restricted"] is True and row["person_name"] is None
        assert row["expected_on"] is None and row["reason"] is None and row["from_court"] is None

        received = await web.post(
            "/api/v1/custody/receptions",
            json={"person_id": pid, "expected_arrival_id": arrival, "legal_status": "remand"},
        )
        assert received.status_code == 403 and received.json()["detail"] == MESSAGE
        cancelled = await web.post(f"/api/v1/custody/expected-arrivals/{arrival}/cancel")
        assert cancelled.status_code == 403 and cancelled.json()["detail"] == MESSAGE
        again = await web.post(
            "/api/v1/custody/expected-arrivals",
            json={"person_id": pid, "prison_code": "PVI", "expected_on": "2026-03-10"},
        )
        assert again.status_code == 403

    refused = set(
        await db.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == excluded.id, AuditEvent.outcome == "refused")
        )
    )
    assert {
        "person.custody.arrivals",
        "custody.reception",
        "custody.arrival.cancel",
        "custody.arrival.create",
    } <= refused

    async with client_as(app, colleague) as web:
        page = await web.get("/custody/expected-arrivals")
        assert "Yorick Arrivalwithheld" in page.text and f"arrival={arrival}" in page.text
        api = (await web.get("/api/v1/custody/expected-arrivals?prison=PVI&page_size=200")).json()
        row = next(r for r in api["items"] if r["id"] == arrival)
        assert row["restricted"] is False and row["person_name"] == "Yorick Arrivalwithheld"
        assert row["expected_on"] == "1990-01-01"


async def test_a_pom_excluded_from_the_person_or_not_on_their_restriction_cannot_be_allocated(
    app: FastAPI, db: AsyncSession
) -> None:
    pid, booking, _, _ = await _setup(db)  # Ex Cluded is excluded from the person
    unit = await prison_id(db, "PVI")
    manager = await add_staff(db, unit, "senior_probation_officer", "probation", "Sam Senior")
    blocked = await add_staff(db, unit, "prison_offender_manager", "prison", "Blocked Pom")
    allowed = await add_staff(db, unit, "prison_offender_manager", "prison", "Allowed Pom")
    assert blocked.id is not None and allowed.id is not None and manager.id is not None
    await add_limit(db, manager, pid, LimitInput("exclusion", [blocked.id], MESSAGE))

    head = await add_staff(db, unit, "prison_offender_manager", "prison", "Head Pom")  # custody:allocate
    async with client_as(app, head) as api:
        refused = await api.post(f"/api/v1/custody/bookings/{booking}/offender-manager", json={"staff_id": blocked.id})
        assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
        error = refused.json()["errors"][0]
        assert error["field"] == "staff_id" and "Blocked Pom is excluded from this person's record" in error["message"]

    # A restriction naming the manager, Head Pom and Allowed Pom: anyone else may not be chosen.
    other = await add_staff(db, unit, "prison_offender_manager", "prison", "Other Pom")
    assert other.id is not None
    assert head.id is not None
    await add_limit(db, manager, pid, LimitInput("restriction", [manager.id, head.id, allowed.id], MESSAGE))
    with pytest.raises(ValidationFailed) as not_listed:
        await om.allocate(db, head, booking, other.id or 0)
    assert not_listed.value.errors[0].field == "staff_id"
    assert (
        "Other Pom is not on the list of staff who may see this person's record" in not_listed.value.errors[0].message
    )
    rows = await db.scalars(select(OffenderManagerAllocation).where(OffenderManagerAllocation.booking_id == booking))
    assert list(rows) == []
    refusals = list(
        await db.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "custody.offender_manager.allocate",
                AuditEvent.subject_id == str(booking),
                AuditEvent.outcome == "refused",
            )
        )
    )
    assert sorted(d["staff_id"] for d in refusals) == sorted([blocked.id, other.id])

    made = await om.allocate(db, head, booking, allowed.id)
    assert made.staff_name == "Allowed Pom"
