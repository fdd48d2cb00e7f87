"""Custody use cases on the real database: arrivals from court events (idempotent), reception,
movements and reversals, the roll, the held-back release event, release dates and overrides."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.custody.custody_factory import NOW, court_event, custodial_sentence, officer, person, prison_id

from caselink.custody import rules, service
from caselink.custody.models import Booking, ExpectedArrival, ReleaseCalculation, SentenceTerm
from caselink.custody.schemas import (
    LengthIn,
    MovementIn,
    OverrideIn,
    ReceptionIn,
    SentencesIn,
    TermIn,
)
from caselink.people.models import PersonIdentifier
from caselink.platform.audit.models import AuditEvent
from caselink.platform.errors import Conflict, Forbidden, ValidationFailed
from caselink.platform.events.models import OutboxEvent
from caselink.platform.tasks.models import Task

pytestmark = pytest.mark.usefixtures("reference_loaded")
LATER = NOW + timedelta(minutes=5)
AFTER_HOLD_BACK = NOW + timedelta(minutes=50)


async def _events(db: AsyncSession, type: str, person_id: int) -> list[OutboxEvent]:
    rows = await db.scalars(
        select(OutboxEvent).where(OutboxEvent.type == type, OutboxEvent.person_ids["person"].astext == str(person_id))
    )
    return list(rows)


async def _received(db: AsyncSession, person_id: int, prison: str = "PVI") -> tuple[int, int]:
    unit = await prison_id(db, prison)
    booking = await service.receive(
        db,
        officer(unit),
        ReceptionIn(
            person_id=person_id, prison_code=prison, legal_status=rules.LegalStatus.SENTENCED, location="A-1-01"
        ),
        now=NOW,
    )
    return unit, booking


async def test_a_remand_event_expects_the_person_once_with_one_task_however_often_it_is_replayed(
    db: AsyncSession,
) -> None:
    pid = await person(db)
    event = court_event("court.defendant.remanded_in_custody", pid, {"hearingId": None, "decidedOn": "2025-03-10"})
    first = await service.arrival_from_court_event(db, event)
    again = await service.arrival_from_court_event(db, event)
    assert first is not None and first == again
    arrivals = list(await db.scalars(select(ExpectedArrival).where(ExpectedArrival.person_id == pid)))
    assert len(arrivals) == 1
    assert arrivals[0].prison_unit_id == await prison_id(db, "PVI")  # no court region: the default
    assert arrivals[0].reason == "remand" and arrivals[0].expected_on == date(2025, 3, 10)
    tasks = await db.scalar(
        select(func.count())
        .select_from(Task)
        .where(Task.type == "custody.expected_arrival", Task.subject_id == str(pid))
    )
    assert tasks == 1


async def test_a_custodial_sentence_brings_its_terms_and_release_dates_and_a_fine_does_not(db: AsyncSession) -> None:
    pid = await person(db)
    await service.arrival_from_court_event(db, custodial_sentence(pid, months=24))
    terms = list(await db.scalars(select(SentenceTerm).where(SentenceTerm.person_id == pid)))
    assert [(t.term_ref, t.source, t.offence_date_assumed) for t in terms] == [("C11", "court", True)]
    calc = await db.scalar(
        select(ReleaseCalculation).where(ReleaseCalculation.person_id == pid, ReleaseCalculation.current)
    )
    assert calc is not None
    # 2 years from 10 March 2025 under SDS40 (2024.1): 730 days x 40% = 292 days, day 292 -> 26 December 2025.
    assert calc.release_date == date(2025, 12, 26)
    assert "custody.sds-release 2024.1" in calc.rule_packs

    other = await person(db, "Fay", "Fine")
    fine = court_event(
        "court.sentence.imposed",
        other,
        {"sentencedOn": "2025-03-10", "disposals": [{"kind": "fine", "charge_id": 3, "amount_pence": 10000}]},
    )
    assert await service.arrival_from_court_event(db, fine) is None
    assert (
        await db.scalar(select(func.count()).select_from(ExpectedArrival).where(ExpectedArrival.person_id == other))
        == 0
    )


async def test_reception_allocates_a_prison_number_marks_the_arrival_and_refuses_a_second_booking(
    db: AsyncSession,
) -> None:
    pid = await person(db)
    arrival = await service.arrival_from_court_event(
        db, court_event("court.defendant.remanded_in_custody", pid, {"decidedOn": "2025-03-10"})
    )
    unit = await prison_id(db, "PVI")
    booking_id = await service.receive(
        db,
        officer(unit),
        ReceptionIn(person_id=pid, expected_arrival_id=arrival, legal_status=rules.LegalStatus.REMAND),
        now=NOW,
    )
    booking = await db.get_one(Booking, booking_id)
    ident = await db.scalar(
        select(PersonIdentifier).where(PersonIdentifier.person_id == pid, PersonIdentifier.type == "PRISON_NUMBER")
    )
    assert ident is not None and ident.source == "custody" and ident.value == booking.prison_number
    assert len(booking.prison_number) == 7 and booking.prison_unit_id == unit
    assert (await db.get_one(ExpectedArrival, arrival)).status == "received"
    with pytest.raises(Conflict, match="already in custody at HMP Pentonville"):
        await service.receive(
            db, officer(unit), ReceptionIn(person_id=pid, legal_status=rules.LegalStatus.REMAND), now=NOW
        )


async def test_staff_of_another_prison_cannot_receive_into_or_read_this_prisons_roll(db: AsyncSession) -> None:
    pid = await person(db)
    outsider = officer(await prison_id(db, "BMI"))
    with pytest.raises(Forbidden):
        await service.receive(
            db, outsider, ReceptionIn(person_id=pid, prison_code="PVI", legal_status=rules.LegalStatus.REMAND)
        )
    with pytest.raises(Forbidden):
        await service.roll(db, outsider, "PVI")
    assert await db.scalar(select(func.count()).select_from(Booking).where(Booking.person_id == pid)) == 0


async def test_the_roll_counts_who_is_in_and_who_is_out_at_court_by_location(db: AsyncSession) -> None:
    first, second = await person(db, "Ann", "Able"), await person(db, "Bob", "Baker")
    unit, b1 = await _received(db, first)
    await _received(db, second)
    await service.record_movement(
        db, officer(unit), b1, MovementIn(kind=rules.MovementKind.COURT_PRODUCTION), now=LATER
    )
    out = await service.roll(db, officer(unit), "PVI")
    mine = [i for i in out.items if i.person_id in (first, second)]
    assert [(i.person_name, i.out_reason) for i in mine] == [("Ann Able", "court_production"), ("Bob Baker", None)]
    assert out.out_count >= 1 and out.in_count >= 1


async def test_a_release_reversed_within_minutes_is_undone_and_never_announced(db: AsyncSession) -> None:
    pid = await person(db)
    unit, booking_id = await _received(db, pid)
    await service.replace_sentences(db, officer(unit), pid, _two_years())
    movement = await service.record_movement(
        db, officer(unit), booking_id, MovementIn(kind=rules.MovementKind.RELEASE, on_licence=True), now=LATER
    )
    assert (await db.get_one(Booking, booking_id)).status == "released"
    await service.reverse_movement(db, officer(unit), movement, "Released in error", now=LATER + timedelta(minutes=3))
    booking = await db.get_one(Booking, booking_id)
    assert booking.status == "active" and booking.released_at is None and booking.location == "A-1-01"
    await service.publish_due_movements(db, now=AFTER_HOLD_BACK)
    assert await _events(db, "custody.person.released", pid) == []
    assert len(await _events(db, "custody.person.received", pid)) == 1  # the reception still goes out
    with pytest.raises(Conflict, match="already been reversed"):
        await service.reverse_movement(db, officer(unit), movement, "again", now=LATER + timedelta(minutes=4))


async def test_release_on_licence_is_announced_after_the_hold_back_with_licence_dates(db: AsyncSession) -> None:
    pid = await person(db)
    unit, booking_id = await _received(db, pid)
    await service.replace_sentences(db, officer(unit), pid, _two_years())
    await service.record_movement(
        db, officer(unit), booking_id, MovementIn(kind=rules.MovementKind.RELEASE, on_licence=True), now=LATER
    )
    await service.publish_due_movements(db, now=LATER + timedelta(minutes=10))
    assert await _events(db, "custody.person.released", pid) == []  # still held back
    await service.publish_due_movements(db, now=AFTER_HOLD_BACK)
    [released] = await _events(db, "custody.person.released", pid)
    assert released.data["onLicence"] is True and released.data["prisonCode"] == "PVI"
    assert released.data["licenceDates"]["CRD"] == "2025-12-26"
    assert released.data["licenceDates"]["LED"] == "2027-03-09"
    assert released.person_ids["prison_number"]


async def test_a_transfer_moves_the_booking_and_is_announced(db: AsyncSession) -> None:
    pid = await person(db)
    unit, booking_id = await _received(db, pid)
    await service.record_movement(
        db, officer(unit), booking_id, MovementIn(kind=rules.MovementKind.TRANSFER, to_prison_code="BMI"), now=LATER
    )
    assert (await db.get_one(Booking, booking_id)).prison_unit_id == await prison_id(db, "BMI")
    await service.publish_due_movements(db, now=AFTER_HOLD_BACK)
    [moved] = await _events(db, "custody.person.transferred", pid)
    assert (moved.data["fromPrisonCode"], moved.data["toPrisonCode"]) == ("PVI", "BMI")


async def test_movements_that_do_not_fit_the_booking_are_refused(db: AsyncSession) -> None:
    pid = await person(db)
    unit, booking_id = await _received(db, pid)
    with pytest.raises(ValidationFailed) as refused:
        await service.record_movement(
            db, officer(unit), booking_id, MovementIn(kind=rules.MovementKind.RELEASE, on_licence=True), now=LATER
        )
    assert [e.field for e in refused.value.errors] == ["on_licence"]  # no release dates yet
    with pytest.raises(ValidationFailed) as refused:
        await service.record_movement(db, officer(unit), booking_id, MovementIn(kind=rules.MovementKind.RETURN))
    assert [e.field for e in refused.value.errors] == ["kind"]


def _two_years(**changes: object) -> SentencesIn:
    term = TermIn(id="1", sentence_date=date(2025, 3, 10), offence_date=date(2025, 1, 1), length=LengthIn(years=2))
    return SentencesIn(terms=[term], **changes)  # type: ignore[arg-type]


async def test_bad_sentence_input_is_explained_by_field_and_changes_nothing(db: AsyncSession) -> None:
    pid = await person(db)
    unit, _ = await _received(db, pid)
    bad = SentencesIn(
        terms=[
            TermIn(id="1", sentence_date=date(2025, 3, 10), offence_date=date(2025, 4, 1), length=LengthIn(years=1)),
            TermIn(
                id="2",
                sentence_date=date(2025, 3, 10),
                offence_date=date(2025, 1, 1),
                length=LengthIn(months=6),
                consecutive_to="9",
            ),
        ]
    )
    with pytest.raises(rules.ReleaseDateInputError) as refused:
        await service.replace_sentences(db, officer(unit), pid, bad)
    assert {e.field for e in refused.value.errors} == {"terms.0.offence_date", "terms.1.consecutive_to"}
    assert await db.scalar(select(func.count()).select_from(SentenceTerm).where(SentenceTerm.person_id == pid)) == 0
    old = SentencesIn(
        terms=[TermIn(id="1", sentence_date=date(2010, 1, 4), offence_date=date(2010, 1, 1), length=LengthIn(years=1))]
    )
    with pytest.raises(rules.ReleaseDateInputError) as no_pack:
        await service.replace_sentences(db, officer(unit), pid, old)
    assert [e.field for e in no_pack.value.errors] == ["terms.0.sentence_date"]


async def test_an_override_needs_a_reason_is_audited_and_a_recalculation_replaces_it(db: AsyncSession) -> None:
    pid = await person(db)
    unit, _ = await _received(db, pid)
    clerk = officer(unit)
    await service.replace_sentences(db, clerk, pid, _two_years())
    with pytest.raises(ValidationFailed) as refused:
        await service.override_release_date(
            db, clerk, pid, OverrideIn(date_kind=rules.DateKind.CRD, date=date(2025, 12, 24), reason="  ")
        )
    assert [e.field for e in refused.value.errors] == ["reason"]
    await service.override_release_date(
        db,
        clerk,
        pid,
        OverrideIn(date_kind=rules.DateKind.CRD, date=date(2025, 12, 24), reason="Release brought forward: Christmas"),
    )
    dates = await service.release_dates(db, clerk, pid)
    assert dates.current is not None and dates.current.kind == "override"
    crd = next(d for d in dates.current.dates if d.kind == "CRD")
    assert crd.date == date(2025, 12, 24) and crd.overridden_from == date(2025, 12, 26)
    assert "Christmas" in crd.steps[-1]
    audit = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "custody.release_dates.override", AuditEvent.subject_id == str(pid)
        )
    )
    assert audit is not None and audit.detail["from"] == "2025-12-26" and audit.detail["to"] == "2025-12-24"
    # New input (30 days on remand): worked out again; the override no longer applies.
    await service.replace_sentences(db, clerk, pid, _two_years(remand_days=30))
    again = await service.release_dates(db, clerk, pid)
    assert again.current is not None and again.current.kind == "calculated"
    assert next(d.date for d in again.current.dates if d.kind == "CRD") == date(2025, 11, 26)
    assert len(again.history) == 2


async def test_upcoming_releases_list_the_prisons_people_by_release_date(db: AsyncSession) -> None:
    pid = await person(db)
    unit, _ = await _received(db, pid)
    await service.replace_sentences(db, officer(unit), pid, _two_years())
    found = await service.upcoming_releases(db, officer(unit), None, date(2025, 12, 1), days=60)
    mine = [i for i in found.items if i.person_id == pid]
    assert [(i.release_date, i.release_kind) for i in mine] == [(date(2025, 12, 26), "CRD")]
    assert mine[0].hdced is not None
    later = await service.upcoming_releases(db, officer(unit), None, date(2026, 1, 1), days=60)
    assert all(i.person_id != pid for i in later.items)
