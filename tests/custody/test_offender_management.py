"""Prison offender managers: allocating one to a booking (API and the custody tab), refusals that
change nothing, the POM's own list with release dates and flags, the prison's unallocated list, and
the probation practitioner being told."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.custody.custody_factory import officer, person, prison_id
from tests.people.flags_factory import add_staff
from tests.people.people_factory import client_as
from tests.probation.supervision_factory import add_case, staff_actor, unit

from caselink.custody import offender_management_service as om
from caselink.custody import rules, service
from caselink.custody.handoff_handlers import prisons_responsible
from caselink.custody.models import OffenderManagerAllocation
from caselink.custody.schemas import LengthIn, MovementIn, ReceptionIn, SentencesIn, TermIn
from caselink.platform.access.actor import Actor
from caselink.platform.audit.models import AuditEvent
from caselink.platform.errors import Conflict, Forbidden, ValidationFailed
from caselink.platform.events.models import OutboxEvent
from caselink.platform.events.rules import Event
from caselink.platform.tasks.models import Task
from caselink.platform.tasks.person_changes import Recipient
from caselink.platform.tasks.rules import OwnerType
from caselink.probation.handoff_handlers import tell_practitioner_of_offender_manager

pytestmark = pytest.mark.usefixtures("reference_loaded")

LONG_AGO = datetime(2001, 1, 1, 9, 0, tzinfo=UTC)  # sorts first on the unallocated list


async def _booked(db: AsyncSession, given: str, prison: str = "PVI", location: str = "A-1-01") -> tuple[int, int]:
    pid = await person(db, given, "Prisoner")
    unit_id = await prison_id(db, prison)
    booking = await service.receive(
        db,
        officer(unit_id),
        ReceptionIn(
            person_id=pid,
            prison_code=prison,
            legal_status=rules.LegalStatus.SENTENCED,
            location=location,
            received_at=LONG_AGO,
        ),
    )
    return pid, booking


def allocator(unit_id: int) -> Actor:
    """Who allocates POMs (custody:allocate): a prison offender manager of the prison."""
    return officer(unit_id, 802, "prison_offender_manager")


async def _pom(db: AsyncSession, prison: str = "PVI", name: str = "Polly Manager") -> Actor:
    return await add_staff(db, await prison_id(db, prison), "prison_offender_manager", "prison", name)


async def _allocations(db: AsyncSession, booking: int) -> list[OffenderManagerAllocation]:
    rows = await db.scalars(
        select(OffenderManagerAllocation)
        .where(OffenderManagerAllocation.booking_id == booking)
        .order_by(OffenderManagerAllocation.id)
    )
    return list(rows)


async def test_allocate_is_audited_emits_an_event_and_fills_the_poms_list(db: AsyncSession) -> None:
    pid, booking = await _booked(db, "Ada")
    pom = await _pom(db)
    clerk = officer(await prison_id(db, "PVI"))
    two_years = TermIn(id="1", sentence_date=date(2025, 3, 10), offence_date=date(2025, 1, 1), length=LengthIn(years=2))
    await service.replace_sentences(db, clerk, pid, SentencesIn(terms=[two_years]))

    out = await om.allocate(db, allocator(await prison_id(db, "PVI")), booking, pom.id or 0, "New reception")
    assert out.staff_name == "Polly Manager" and out.prison_code == "PVI"

    audit = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "custody.offender_manager.allocate", AuditEvent.subject_id == str(booking)
        )
    )
    assert audit is not None and audit.detail["to_staff_id"] == pom.id and audit.detail["from_staff_id"] is None
    event = await db.scalar(
        select(OutboxEvent).where(
            OutboxEvent.type == "custody.offender_manager.allocated", OutboxEvent.subject == f"booking/{booking}"
        )
    )
    assert event is not None and event.data["staffId"] == pom.id and event.data["prisonCode"] == "PVI"
    assert event.person_ids["person"] == str(pid)

    mine = await om.my_prisoners(db, pom)
    assert [(r.person_id, r.location, r.legal_status, r.release_kind) for r in mine.items] == [
        (pid, "A-1-01", "sentenced", "CRD")
    ]
    assert mine.items[0].release_date == date(2025, 12, 26) and mine.items[0].hdced is not None
    unallocated = await om.unallocated(db, clerk, None, page_size=200)
    assert all(r.booking_id != booking for r in unallocated.items)


async def test_reallocation_ends_the_previous_one_and_keeps_the_history(db: AsyncSession) -> None:
    _, booking = await _booked(db, "Bea")
    first, second = await _pom(db, name="First Pom"), await _pom(db, name="Second Pom")
    clerk = allocator(await prison_id(db, "PVI"))
    await om.allocate(db, clerk, booking, first.id or 0)
    await om.allocate(db, clerk, booking, second.id or 0, "Caseload balancing")
    rows = await _allocations(db, booking)
    assert [(r.staff_id, r.ended_at is None) for r in rows] == [(first.id, False), (second.id, True)]
    panel = await om.booking_offender_manager(db, clerk, booking)
    assert panel.current is not None and panel.current.staff_name == "Second Pom"
    assert [a.staff_name for a in panel.history] == ["Second Pom", "First Pom"]
    assert (await om.my_prisoners(db, first)).total == 0
    with pytest.raises(ValidationFailed) as again:
        await om.allocate(db, clerk, booking, second.id or 0)
    assert again.value.errors[0].field == "staff_id" and "already" in again.value.errors[0].message


async def test_refusals_change_nothing(db: AsyncSession) -> None:
    _, booking = await _booked(db, "Cal")
    pvi = await prison_id(db, "PVI")
    elsewhere = await _pom(db, "BMI", "Brixton Pom")
    clerk_staff = await add_staff(db, pvi, "prison_records_clerk", "prison", "Clerk Without Role")
    with pytest.raises(ValidationFailed) as other_prison:
        await om.allocate(db, allocator(pvi), booking, elsewhere.id or 0)
    assert other_prison.value.errors[0].field == "staff_id"
    assert "not a member of staff of" in other_prison.value.errors[0].message
    with pytest.raises(ValidationFailed) as no_role:
        await om.allocate(db, allocator(pvi), booking, clerk_staff.id or 0)
    assert "prison offender manager role" in no_role.value.errors[0].message
    mine = await _pom(db, name="Pvi Pom")
    with pytest.raises(Forbidden):
        await om.allocate(db, allocator(await prison_id(db, "BMI")), booking, mine.id or 0)
    assert await _allocations(db, booking) == []
    refused = await db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "custody.offender_manager.allocate",
            AuditEvent.subject_id == str(booking),
            AuditEvent.outcome == "refused",
        )
    )
    assert refused == 1
    with pytest.raises(Forbidden):
        await om.unallocated(db, officer(await prison_id(db, "BMI")), "PVI")


async def test_a_released_booking_cannot_be_allocated(db: AsyncSession) -> None:
    _, booking = await _booked(db, "Dee")
    pom = await _pom(db)
    clerk = officer(await prison_id(db, "PVI"))
    await service.record_movement(db, clerk, booking, MovementIn(kind=rules.MovementKind.RELEASE))
    with pytest.raises(Conflict):
        await om.allocate(db, allocator(await prison_id(db, "PVI")), booking, pom.id or 0)


async def test_api_allocation_lists_and_problem_details(app: FastAPI, db: AsyncSession) -> None:
    pid, booking = await _booked(db, "Eli")
    other_pid, other_booking = await _booked(db, "Fay")
    pom = await _pom(db, name="Api Pom")
    async with client_as(app, allocator(await prison_id(db, "PVI"))) as api:
        options = (await api.get("/api/v1/custody/prisons/PVI/offender-managers")).json()
        assert any(o["staff_id"] == pom.id and o["caseload"] == 0 for o in options)
        made = await api.post(f"/api/v1/custody/bookings/{booking}/offender-manager", json={"staff_id": pom.id})
        assert made.status_code == 201 and made.json()["staff_name"] == "Api Pom"
        shown = (await api.get(made.headers["location"])).json()
        assert shown["current"]["staff_id"] == pom.id
        bad = await api.post(f"/api/v1/custody/bookings/{other_booking}/offender-manager", json={"staff_id": 0})
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in bad.json()["errors"]] == ["staff_id"]
        waiting = (await api.get("/api/v1/custody/prisons/PVI/unallocated?page_size=200")).json()
        ids = [r["person_id"] for r in waiting["items"]]
        assert other_pid in ids and pid not in ids
    async with client_as(app, pom) as api:
        mine = (await api.get("/api/v1/custody/offender-management/prisoners")).json()
        assert [r["person_id"] for r in mine["items"]] == [pid] and mine["staff_id"] == pom.id
    async with client_as(app, allocator(await prison_id(db, "BMI"))) as api:
        refused = await api.post(
            f"/api/v1/custody/bookings/{other_booking}/offender-manager", json={"staff_id": pom.id}
        )
        assert refused.status_code == 403
        assert (await api.get("/api/v1/custody/prisons/PVI/unallocated")).status_code == 403
    assert await _allocations(db, other_booking) == []


async def test_custody_tab_allocation_form_and_the_poms_pages(app: FastAPI, db: AsyncSession) -> None:
    pid, booking = await _booked(db, "Gus")
    pom = await _pom(db, name="Page Pom")
    async with client_as(app, allocator(await prison_id(db, "PVI"))) as web:
        tab = await web.get(f"/custody/people/{pid}")
        assert "Prison offender manager" in tab.text and "Not allocated" in tab.text and "Page Pom" in tab.text
        missing = await web.post(
            f"/custody/bookings/{booking}/offender-manager", data={"person_id": str(pid), "staff_id": ""}
        )
        assert missing.status_code == 400
        assert "govuk-error-summary" in missing.text and 'href="#staff_id"' in missing.text
        made = await web.post(
            f"/custody/bookings/{booking}/offender-manager", data={"person_id": str(pid), "staff_id": str(pom.id)}
        )
        assert made.status_code == 303
        tab = await web.get(f"/custody/people/{pid}")
        assert 'id="offender-manager">Page Pom<' in tab.text
        waiting = await web.get("/custody/offender-management/unallocated")
        assert waiting.status_code == 200 and "Prisoners without an offender manager" in waiting.text
    async with client_as(app, pom) as web:
        page = await web.get("/custody/offender-management")
        assert page.status_code == 200 and "Your prisoners" in page.text and "Gus Prisoner" in page.text
        assert 'href="/custody/offender-management"' in page.text  # in the navigation


async def test_a_records_clerk_may_not_allocate_and_has_no_offender_management_nav(
    app: FastAPI, db: AsyncSession
) -> None:
    pid, booking = await _booked(db, "Hal")
    pom = await _pom(db, name="Clerk Test Pom")
    async with client_as(app, officer(await prison_id(db, "PVI"))) as web:  # prison_records_clerk
        tab = await web.get(f"/custody/people/{pid}")
        assert tab.status_code == 200 and 'id="offender-manager">Not allocated<' in tab.text
        assert f'action="/custody/bookings/{booking}/offender-manager"' not in tab.text
        assert 'href="/custody/offender-management"' not in tab.text  # not in the navigation
        api = await web.post(f"/api/v1/custody/bookings/{booking}/offender-manager", json={"staff_id": pom.id})
        assert api.status_code == 403 and api.headers["content-type"].startswith("application/problem+json")
        page = await web.post(
            f"/custody/bookings/{booking}/offender-manager", data={"person_id": str(pid), "staff_id": str(pom.id)}
        )
        assert page.status_code == 403
    with pytest.raises(Forbidden):
        await om.allocate(db, officer(await prison_id(db, "PVI")), booking, pom.id or 0)
    assert await _allocations(db, booking) == []
    async with client_as(app, allocator(await prison_id(db, "PVI"))) as web:
        tab = await web.get(f"/custody/people/{pid}")
        assert f'action="/custody/bookings/{booking}/offender-manager"' in tab.text
        assert 'href="/custody/offender-management"' in tab.text


async def test_the_probation_practitioner_is_told(db: AsyncSession) -> None:
    pdu = await unit(db)
    practitioner = await staff_actor(db, "om.practitioner", "probation_practitioner", pdu)
    case = await add_case(db, pdu, practitioner, kind="licence", sentence={})
    _, booking = await _booked(db, "Hal")
    event = Event(
        position=0,
        id=uuid.uuid4(),
        type="custody.offender_manager.allocated",
        source="caselink/custody",
        subject=f"booking/{booking}",
        time=datetime.now(UTC),
        data={"bookingId": booking, "prisonCode": "PVI", "staffId": 1, "offenderManagerName": "Told Pom"},
        person_ids={"person": str(case.person_id)},
    )
    await tell_practitioner_of_offender_manager(db, event)
    await tell_practitioner_of_offender_manager(db, event)  # a replay creates nothing new
    tasks = (
        await db.scalars(
            select(Task).where(
                Task.type == "probation.offender_manager_allocated", Task.subject_id == str(case.person_id)
            )
        )
    ).all()
    assert [(t.owner_type, t.owner_id) for t in tasks] == [("staff", practitioner.id)]
    assert "Told Pom" in tasks[0].title


async def test_the_offender_manager_is_told_of_person_changes_instead_of_the_prison_queue(db: AsyncSession) -> None:
    pid, booking = await _booked(db, "Ivy")
    pvi = await prison_id(db, "PVI")
    assert await prisons_responsible(db, pid) == [Recipient(OwnerType.UNIT, pvi)]
    pom = await _pom(db, name="Told Of Changes")
    await om.allocate(db, allocator(pvi), booking, pom.id or 0)
    assert await prisons_responsible(db, pid) == [Recipient(OwnerType.STAFF, pom.id or 0, pvi)]
