"""Contacts and outcomes, requirement progress and unpaid work group sessions, on the real database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.probation.supervision_factory import NOW, add_case, at, staff_actor, unit

from caselink.platform.errors import Conflict, Forbidden, ValidationFailed
from caselink.probation import supervision_service as service
from caselink.probation.supervision_models import Contact, Requirement
from caselink.probation.supervision_rules import ContactType, Outcome
from caselink.probation.supervision_schemas import (
    AttendanceEntry,
    AttendanceIn,
    ContactIn,
    OutcomeIn,
    SessionIn,
)

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _setup(db: AsyncSession):  # type: ignore[no-untyped-def]
    pdu = await unit(db)
    practitioner = await staff_actor(db, "pat.practitioner", "probation_practitioner", pdu)
    case = await add_case(db, pdu, practitioner)
    return pdu, practitioner, case


async def test_outcome_recorded_after_the_appointment(db: AsyncSession) -> None:
    _, practitioner, case = await _setup(db)
    contact_id = await service.create_contact(
        db, practitioner, case.id, ContactIn(type=ContactType.OFFICE_APPOINTMENT, starts_at=at("2025-03-10", 9)), NOW
    )
    result = await service.record_outcome(
        db, practitioner, contact_id, OutcomeIn(outcome=Outcome.ATTENDED_COMPLIED, notes="Discussed work"), NOW
    )
    assert result.enforcement is None
    contact = await db.get(Contact, contact_id)
    assert contact is not None and contact.outcome == "attended_complied"
    assert contact.outcome_recorded_by == practitioner.audit_label


async def test_outcome_before_the_appointment_is_refused_and_nothing_changes(db: AsyncSession) -> None:
    _, practitioner, case = await _setup(db)
    contact_id = await service.create_contact(
        db,
        practitioner,
        case.id,
        ContactIn(type=ContactType.OFFICE_APPOINTMENT, starts_at=NOW + timedelta(days=2)),
        NOW,
    )
    with pytest.raises(ValidationFailed) as exc:
        await service.record_outcome(db, practitioner, contact_id, OutcomeIn(outcome=Outcome.UNACCEPTABLE_ABSENCE), NOW)
    assert exc.value.errors[0].field == "outcome"
    assert "has not happened yet" in exc.value.errors[0].message
    await db.rollback()
    contact = await db.get(Contact, contact_id)
    assert contact is not None
    await db.refresh(contact)
    assert contact.outcome is None


async def test_an_outcome_cannot_be_recorded_twice(db: AsyncSession) -> None:
    _, practitioner, case = await _setup(db)
    contact_id = await service.create_contact(
        db, practitioner, case.id, ContactIn(type=ContactType.PHONE, starts_at=at("2025-03-07")), NOW
    )
    await service.record_outcome(db, practitioner, contact_id, OutcomeIn(outcome=Outcome.ATTENDED_COMPLIED), NOW)
    with pytest.raises(ValidationFailed, match="already recorded"):
        await service.record_outcome(db, practitioner, contact_id, OutcomeIn(outcome=Outcome.UNACCEPTABLE_ABSENCE), NOW)


async def test_another_practitioner_cannot_record_on_a_case_not_theirs(db: AsyncSession) -> None:
    pdu, practitioner, case = await _setup(db)
    other = await staff_actor(db, "other.practitioner", "probation_practitioner", pdu)
    contact_id = await service.create_contact(
        db, practitioner, case.id, ContactIn(type=ContactType.PHONE, starts_at=at("2025-03-07")), NOW
    )
    with pytest.raises(Forbidden, match="caseload"):
        await service.record_outcome(db, other, contact_id, OutcomeIn(outcome=Outcome.ATTENDED_COMPLIED), NOW)


async def test_sensitive_notes_are_withheld_from_the_unpaid_work_supervisor(db: AsyncSession) -> None:
    pdu, practitioner, case = await _setup(db)
    supervisor = await staff_actor(db, "sam.supervisor", "unpaid_work_supervisor", pdu)
    await service.create_contact(
        db,
        practitioner,
        case.id,
        ContactIn(type=ContactType.HOME_VISIT, starts_at=at("2025-03-05"), notes="Victim lives nearby", sensitive=True),
        NOW,
    )
    mine, _ = await service.list_contacts(db, practitioner, case.id)
    theirs, _ = await service.list_contacts(db, supervisor, case.id)
    assert mine[0].notes == "Victim lives nearby" and mine[0].sensitive
    assert theirs[0].notes is None and theirs[0].notes_withheld and theirs[0].sensitive


async def test_rar_days_and_progress_from_the_sentence(db: AsyncSession) -> None:
    _, practitioner, case = await _setup(db)
    for hour in (9, 14):  # two activities on one day use one RAR day
        await service.create_contact(
            db,
            practitioner,
            case.id,
            ContactIn(
                type=ContactType.RAR_SESSION, starts_at=at("2025-03-03", hour), outcome=Outcome.ATTENDED_COMPLIED
            ),
            NOW,
        )
    out = await service.supervision(db, practitioner, case.id, NOW)
    rar = next(r for r in out.requirements if r.kind == "rehabilitation_activity")
    upw = next(r for r in out.requirements if r.kind == "unpaid_work")
    assert (rar.ordered, rar.done, rar.unit) == (10, 1, "days")
    assert (upw.ordered, upw.done, upw.unit) == (40, 0, "hours")


async def _session_with(db: AsyncSession, pdu, supervisor, cases):  # type: ignore[no-untyped-def]
    session_id = await service.create_session(
        db, supervisor, SessionIn(project="Park clearance", starts_at=at("2025-03-08", 9), ends_at=at("2025-03-08", 16))
    )
    places = [await service.add_place(db, supervisor, session_id, c.id) for c in cases]
    return session_id, places


async def test_supervisor_records_attendance_and_hours_for_the_group(db: AsyncSession) -> None:
    pdu, practitioner, case = await _setup(db)
    second = await add_case(db, pdu, practitioner, given="Jo", family="Baker")
    supervisor = await staff_actor(db, "sam.supervisor", "unpaid_work_supervisor", pdu)
    session_id, (first_place, second_place) = await _session_with(db, pdu, supervisor, [case, second])
    results = await service.record_attendance(
        db,
        supervisor,
        session_id,
        AttendanceIn(
            attendance=[
                AttendanceEntry(contact_id=first_place, outcome=Outcome.ATTENDED_COMPLIED, hours=Decimal("6.5")),
                AttendanceEntry(contact_id=second_place, outcome=Outcome.UNACCEPTABLE_ABSENCE),
            ]
        ),
        NOW,
    )
    assert [r.enforcement for r in results] == [None, "warning"]
    worked = await db.scalar(
        select(Requirement.minutes_worked).where(Requirement.case_id == case.id, Requirement.kind == "unpaid_work")
    )
    assert worked == 390
    session = await service.get_session(db, supervisor, session_id)
    assert session.recorded_count == 2
    assert {p.person_name: p.hours_credited for p in session.places} == {"Alex Morgan": 6.5, "Jo Baker": 0}


async def test_hours_beyond_the_order_are_refused_for_the_whole_group(db: AsyncSession) -> None:
    pdu, practitioner, case = await _setup(db)
    second = await add_case(db, pdu, practitioner, given="Jo", family="Baker")
    supervisor = await staff_actor(db, "sam.supervisor", "unpaid_work_supervisor", pdu)
    session_id, (first_place, second_place) = await _session_with(db, pdu, supervisor, [case, second])
    case_ids = [case.id, second.id]  # kept: the refusal's rollback expires the objects
    # 37 of 40 hours already worked on the first person's order.
    await db.execute(
        Requirement.__table__.update()
        .where(Requirement.case_id == case.id, Requirement.kind == "unpaid_work")
        .values(minutes_worked=37 * 60)
    )
    await db.commit()
    with pytest.raises(ValidationFailed) as exc:
        await service.record_attendance(
            db,
            supervisor,
            session_id,
            AttendanceIn(
                attendance=[
                    AttendanceEntry(contact_id=second_place, outcome=Outcome.ATTENDED_COMPLIED, hours=Decimal("7")),
                    AttendanceEntry(contact_id=first_place, outcome=Outcome.ATTENDED_COMPLIED, hours=Decimal("7")),
                ]
            ),
            NOW,
        )
    assert [e.field for e in exc.value.errors] == ["attendance.1.hours"]
    assert "at most 3 hours" in exc.value.errors[0].message
    recorded = (await db.scalars(select(Contact.outcome).where(Contact.upw_session_id == session_id))).all()
    assert recorded == [None, None]  # the good entry was not kept either
    worked = (
        await db.scalars(
            select(Requirement.minutes_worked)
            .where(Requirement.kind == "unpaid_work", Requirement.case_id.in_(case_ids))
            .order_by(Requirement.case_id)
        )
    ).all()
    assert worked == [37 * 60, 0]


async def test_a_person_is_booked_once_per_session(db: AsyncSession) -> None:
    pdu, _, case = await _setup(db)
    supervisor = await staff_actor(db, "sam.supervisor", "unpaid_work_supervisor", pdu)
    session_id, _ = await _session_with(db, pdu, supervisor, [case])
    with pytest.raises(Conflict, match="already has a place"):
        await service.add_place(db, supervisor, session_id, case.id)
