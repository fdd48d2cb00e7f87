"""Custody use cases: expected arrivals, reception, location, movements and their reversal, the
roll, upcoming releases, and release dates (calculated with custody.rules, stored with the rule-pack
versions and steps, overridable with a reason).

Scope: prison staff act on the bookings and arrivals of their own establishment (Reach.UNIT on
the prison's unit). Movement events are held back EVENT_HOLD_BACK and published by
``publish_due_movements`` (a worker job), so a movement reversed within minutes never reaches
probation or the courts (docs/decisions/0024-custody-service.md).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.custody import rules
from caselink.custody.models import (
    Booking,
    ExpectedArrival,
    Movement,
    ReleaseCalculation,
    SentenceCredit,
    SentenceTerm,
)
from caselink.custody.schemas import (
    BookingOut,
    CalculationOut,
    DateOut,
    ExpectedArrivalIn,
    ExpectedArrivalOut,
    MovementIn,
    MovementOut,
    OverrideIn,
    ReceptionIn,
    ReleaseDatesOut,
    RollEntry,
    RollOut,
    SentencesIn,
    TermIn,
    UpcomingRelease,
    UpcomingReleasesOut,
)
from caselink.organisations.models import OrganisationUnit
from caselink.organisations.service import event_area_of
from caselink.people.limited_access import ensure_may_see, visible_person_ids
from caselink.people.models import Person, PersonIdentifier
from caselink.people.rules import IdentifierType
from caselink.platform.access.actor import SYSTEM, Actor
from caselink.platform.access.rules import Resource
from caselink.platform.audit.service import ensure_or_record_refusal, record
from caselink.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from caselink.platform.events.rules import Event
from caselink.platform.events.service import emit
from caselink.platform.rulepacks import NoRulePackInForce
from caselink.platform.tasks.service import complete_tasks_for, create_task

units_t = OrganisationUnit.__table__
persons_t = Person.__table__
bookings_t = Booking.__table__
arrivals_t = ExpectedArrival.__table__
movements_t = Movement.__table__
terms_t = SentenceTerm.__table__
calcs_t = ReleaseCalculation.__table__
identifiers_t = PersonIdentifier.__table__

MAX_PAGE_SIZE = 200
RECEPTION_PRISONS_FILE = Path(__file__).parent / "data" / "reception_prisons.json"


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _page(page: int, page_size: int) -> tuple[int, int]:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    return max(1, page), page_size


# -- access --------------------------------------------------------------------------------------


def prison_resource(prison_unit_ids: Iterable[int], kind: str = "custody_booking", id: object = None) -> Resource:
    """Custody records belong to the prison service, held by the prison the person is in (or expected at)."""
    return Resource(
        kind=kind,
        owning_agency="prison",
        agencies=frozenset({"probation"}),
        unit_ids=frozenset(prison_unit_ids),
        id=None if id is None else str(id),
    )


_ensure = ensure_or_record_refusal  # nothing is written before the check, so no rollback


async def withheld_person_ids(db: AsyncSession, actor: Actor, person_ids: Iterable[int], purpose: str) -> set[int]:
    """The people on a page of a list that the actor may not see (limited access, decision 0026):
    one query over the page's person ids, the withheld ones audited as one refused entry (the
    caller commits). Their rows are shown redacted: no name, identifier, date or link."""
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return set()
    return set(ids) - set(await visible_person_ids(db, actor, ids, purpose))


# -- prisons -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prison:
    id: int
    code: str
    name: str


async def prison_by_code(db: AsyncSession, code: str | None, field: str = "prison_code") -> Prison:
    text = (code or "").strip().upper()
    row = None
    if text:
        row = (
            await db.execute(
                select(units_t.c.id, units_t.c.code, units_t.c.name).where(
                    units_t.c.code == text, units_t.c.kind == "prison"
                )
            )
        ).one_or_none()
    if row is None:
        raise ValidationFailed(FieldError(field, f'"{code or ""}" is not the code of a prison, such as PVI'))
    return Prison(row.id, row.code, row.name)


async def prison_by_id(db: AsyncSession, unit_id: int) -> Prison:
    row = (await db.execute(select(units_t.c.id, units_t.c.code, units_t.c.name).where(units_t.c.id == unit_id))).one()
    return Prison(row.id, row.code, row.name)


async def actor_prison(db: AsyncSession, actor: Actor, code: str | None) -> Prison:
    """The prison named, or the actor's own when none is."""
    if code:
        return await prison_by_code(db, code)
    if actor.unit_id is None:
        raise ValidationFailed(FieldError("prison_code", "Enter a prison code"))
    row = (
        await db.execute(
            select(units_t.c.id, units_t.c.code, units_t.c.name).where(
                units_t.c.id == actor.unit_id, units_t.c.kind == "prison"
            )
        )
    ).one_or_none()
    if row is None:
        raise ValidationFailed(FieldError("prison_code", "You are not in a prison: enter a prison code"))
    return Prison(row.id, row.code, row.name)


@cache
def _reception_prisons() -> tuple[dict[str, str], str]:
    data = json.loads(RECEPTION_PRISONS_FILE.read_text(encoding="utf-8"))
    return dict(data["areas"]), str(data["default"])


async def _person_name(db: AsyncSession, person_id: int) -> str:
    row = (
        await db.execute(select(persons_t.c.given_name, persons_t.c.family_name).where(persons_t.c.id == person_id))
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no person with id {person_id}.")
    return f"{row.given_name} {row.family_name}"


def _name_column() -> Any:
    return (persons_t.c.given_name + " " + persons_t.c.family_name).label("person_name")


# -- expected arrivals -----------------------------------------------------------------------------


async def create_expected_arrival(
    db: AsyncSession,
    actor: Actor,
    body: ExpectedArrivalIn,
    *,
    source_event_id: uuid.UUID | None = None,
    commit: bool = True,
) -> int:
    """Expect someone at a prison, with a task in the prison's queue. From an event, at most once
    per event (``source_event_id``); the arrival already made is returned on a replay."""
    prison = await prison_by_code(db, body.prison_code)
    name = await _person_name(db, body.person_id)
    await _ensure(db, actor, "custody:write", prison_resource([prison.id]), "custody.arrival.create")
    await ensure_may_see(db, actor, body.person_id, "custody.arrival.create")
    stmt = insert(ExpectedArrival).values(
        person_id=body.person_id,
        prison_unit_id=prison.id,
        reason=body.reason.value,
        expected_on=body.expected_on,
        from_court=body.from_court,
        status="expected",
        source_event_id=source_event_id,
        created_by=actor.audit_label,
    )
    if source_event_id is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=[arrivals_t.c.source_event_id])
    arrival_id = await db.scalar(stmt.returning(arrivals_t.c.id))
    if arrival_id is None:
        existing = await db.scalar(select(arrivals_t.c.id).where(arrivals_t.c.source_event_id == source_event_id))
        assert existing is not None
        return int(existing)
    reason_text = {"remand": "remanded in custody", "sentence": "sentenced to custody", "manual": "expected"}
    await create_task(
        db,
        actor,
        type="custody.expected_arrival",
        title=f"Expected arrival: {name} ({reason_text[body.reason.value]})",
        subject_type="person",
        subject_id=body.person_id,
        owner_type="unit",
        owner_id=prison.id,
        due_date=body.expected_on,
        description=f"From {body.from_court}." if body.from_court else None,
        dedupe_key=f"custody.expected-arrival:{arrival_id}",
        source_event_id=source_event_id,
        details={"expectedArrivalId": arrival_id},
        commit=False,
    )
    await record(
        db,
        actor,
        "custody.arrival.create",
        "custody_expected_arrival",
        arrival_id,
        detail={"person_id": body.person_id, "prison": prison.code, "reason": body.reason.value},
    )
    if commit:
        await db.commit()
    return int(arrival_id)


def _court_of_event(event: Event) -> tuple[str | None, str | None]:
    """(court name, court region) as the court's event names them (``courtName``, ``courtRegion``):
    custody reads nothing of the courts' own. An event from before the courts sent them names no
    court: the arrival then goes to the default reception prison, which can transfer the person on."""
    name, region = event.data.get("courtName"), event.data.get("courtRegion")
    return (str(name) if name else None, str(region) if region else None)


def _event_person_id(event: Event) -> int | None:
    raw = event.person_ids.get("person")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


async def arrival_from_court_event(db: AsyncSession, event: Event) -> int | None:
    """Handler body for ``court.defendant.remanded_in_custody`` and ``court.sentence.imposed``:
    an expected arrival at the prison serving the court, unless the person is already in custody.
    Idempotent: keyed on the event id. Custodial terms from a sentence become calculator input."""
    person_id = _event_person_id(event)
    if person_id is None:
        return None
    sentenced = event.type == "court.sentence.imposed"
    if sentenced:
        terms = court_terms(event)
        if not terms:
            return None  # not a custodial sentence
        await add_court_terms(db, person_id, terms, event.id)
    on = date.fromisoformat(str(event.data.get("sentencedOn" if sentenced else "decidedOn") or event.time.date()))
    in_custody = await db.scalar(
        select(bookings_t.c.id).where(bookings_t.c.person_id == person_id, bookings_t.c.status == "active")
    )
    if in_custody is not None:
        return None
    court_name, region = _court_of_event(event)
    mapping, default = _reception_prisons()
    prison_code = rules.reception_prison_code(region, mapping, default)
    body = ExpectedArrivalIn(
        person_id=person_id,
        prison_code=prison_code,
        expected_on=on,
        reason=rules.ArrivalReason.SENTENCE if sentenced else rules.ArrivalReason.REMAND,
        from_court=court_name,
    )
    return await create_expected_arrival(db, SYSTEM, body, source_event_id=event.id, commit=False)


async def cancel_expected_arrival(db: AsyncSession, actor: Actor, arrival_id: int) -> None:
    row = await db.get(ExpectedArrival, arrival_id, with_for_update=True)
    if row is None:
        raise NotFound(f"There is no expected arrival with id {arrival_id}.")
    await _ensure(db, actor, "custody:write", prison_resource([row.prison_unit_id]), "custody.arrival.cancel")
    await ensure_may_see(db, actor, row.person_id, "custody.arrival.cancel")
    if row.status != "expected":
        raise Conflict(f"This arrival is already {row.status}.")
    row.status = "cancelled"
    await record(db, actor, "custody.arrival.cancel", "custody_expected_arrival", arrival_id)
    await db.commit()


async def expected_arrivals(
    db: AsyncSession, actor: Actor, prison_code: str | None, page: int = 1, page_size: int = 50
) -> tuple[Prison, list[ExpectedArrivalOut], int]:
    prison = await actor_prison(db, actor, prison_code)
    await _ensure(db, actor, "custody:read", prison_resource([prison.id]), "custody.arrivals.read")
    page, page_size = _page(page, page_size)
    where = [arrivals_t.c.prison_unit_id == prison.id, arrivals_t.c.status == "expected"]
    total = await db.scalar(select(func.count()).select_from(arrivals_t).where(*where)) or 0
    rows = await db.execute(
        select(arrivals_t, _name_column())
        .join(persons_t, persons_t.c.id == arrivals_t.c.person_id)
        .where(*where)
        .order_by(arrivals_t.c.expected_on, arrivals_t.c.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    items = [
        ExpectedArrivalOut(
            id=r.id,
            person_id=r.person_id,
            person_name=r.person_name,
            prison_code=prison.code,
            reason=r.reason,
            expected_on=r.expected_on,
            from_court=r.from_court,
            status=r.status,
        )
        for r in rows
    ]
    hidden = await withheld_person_ids(db, actor, [i.person_id for i in items], "custody.arrivals")
    items = [
        i.model_copy(
            update={"person_name": None, "reason": None, "expected_on": None, "from_court": None, "restricted": True}
        )
        if i.person_id in hidden
        else i
        for i in items
    ]
    await record(db, actor, "custody.arrivals.read", "prison", prison.code, detail={"page": page})
    await db.commit()
    return prison, items, total


# -- reception -------------------------------------------------------------------------------------


async def _prison_number(db: AsyncSession, person_id: int) -> str:
    """The person's prison number; a new one (NOMS format) if they have none. Written to the person
    index with source 'custody' (the people context has no service function to add an identifier)."""
    existing = await db.scalar(
        select(identifiers_t.c.value)
        .where(
            identifiers_t.c.person_id == person_id,
            identifiers_t.c.type == IdentifierType.PRISON_NUMBER.value,
            identifiers_t.c.valid.is_(True),
        )
        .order_by(identifiers_t.c.id.desc())
        .limit(1)
    )
    if existing is not None:
        return str(existing)
    while True:  # skip numbers already held (imported or demo records)
        next_value = await db.scalar(select(func.nextval("custody_prison_number_seq")))
        number = rules.prison_number_for(int(next_value or 0))
        taken = await db.scalar(
            select(identifiers_t.c.id).where(
                identifiers_t.c.type == IdentifierType.PRISON_NUMBER.value, identifiers_t.c.value == number
            )
        )
        if taken is None:
            break
    db.add(
        PersonIdentifier(
            person_id=person_id,
            type=IdentifierType.PRISON_NUMBER.value,
            value=number,
            raw_value=number,
            valid=True,
            source="custody",
        )
    )
    return number


async def receive(db: AsyncSession, actor: Actor, body: ReceptionIn, now: datetime | None = None) -> int:
    """Receive a person into a prison: a booking, a prison number if they have none, a reception
    movement (its event held back), and the expected arrival marked received."""
    moment = _now(now)
    errors: list[FieldError] = []
    arrival: ExpectedArrival | None = None
    if body.expected_arrival_id is not None:
        arrival = await db.get(ExpectedArrival, body.expected_arrival_id, with_for_update=True)
        if arrival is None or arrival.person_id != body.person_id:
            errors.append(FieldError("expected_arrival_id", "There is no such expected arrival for this person"))
        elif arrival.status != "expected":
            errors.append(FieldError("expected_arrival_id", f"This arrival is already {arrival.status}"))
    received_at = body.received_at or moment
    if received_at.tzinfo is None:
        errors.append(FieldError("received_at", "Give the time with its offset, such as 2025-03-10T14:00:00+00:00"))
    elif received_at > moment + timedelta(minutes=5):
        errors.append(FieldError("received_at", "The reception time cannot be in the future"))
    if body.prison_code is None and arrival is None:
        prison = await actor_prison(db, actor, None)
    elif body.prison_code is None and arrival is not None:
        prison = await prison_by_id(db, arrival.prison_unit_id)
    else:
        prison = await prison_by_code(db, body.prison_code)
    await _person_name(db, body.person_id)
    if errors:
        raise ValidationFailed(errors)
    await _ensure(db, actor, "custody:write", prison_resource([prison.id]), "custody.reception")
    await ensure_may_see(db, actor, body.person_id, "custody.reception")
    # Serialise receptions of one person, so two clerks cannot book them in twice.
    await db.execute(select(persons_t.c.id).where(persons_t.c.id == body.person_id).with_for_update())
    active = await db.scalar(
        select(units_t.c.name)
        .select_from(bookings_t.join(units_t, units_t.c.id == bookings_t.c.prison_unit_id))
        .where(bookings_t.c.person_id == body.person_id, bookings_t.c.status == "active")
    )
    if active is not None:
        raise Conflict(f"This person is already in custody at {active}: record a transfer instead.")
    number = await _prison_number(db, body.person_id)
    booking = Booking(
        person_id=body.person_id,
        prison_unit_id=prison.id,
        prison_number=number,
        legal_status=body.legal_status.value,
        status="active",
        location=(body.location or "").strip() or None,
        received_at=received_at,
        created_by=actor.audit_label,
    )
    db.add(booking)
    await db.flush()
    if arrival is not None:
        arrival.status, arrival.booking_id = "received", booking.id
        received_arrivals = [arrival.id]
    else:
        # Any arrival still expected for this person at this prison has now happened.
        received_arrivals = list(
            await db.scalars(
                update(ExpectedArrival)
                .where(
                    ExpectedArrival.person_id == body.person_id,
                    ExpectedArrival.prison_unit_id == prison.id,
                    ExpectedArrival.status == "expected",
                )
                .values(status="received", booking_id=booking.id)
                .returning(ExpectedArrival.id)
            )
        )
    # The reception is what each arrival's "expected arrival" task asked for.
    for arrival_id in received_arrivals:
        await complete_tasks_for(
            db,
            actor,
            dedupe_key=f"custody.expected-arrival:{arrival_id}",
            outcome=f"Received at {prison.name} (prison number {number}).",
        )
    db.add(
        Movement(
            booking_id=booking.id,
            person_id=body.person_id,
            kind=rules.MovementKind.RECEPTION.value,
            occurred_at=received_at,
            to_unit_id=prison.id,
            detail={"prisonNumber": number, "legalStatus": body.legal_status.value},
            publish_after=moment + rules.EVENT_HOLD_BACK,
            created_by=actor.audit_label,
        )
    )
    await record(
        db,
        actor,
        "custody.reception",
        "custody_booking",
        booking.id,
        detail={"person_id": body.person_id, "prison": prison.code, "prison_number": number},
    )
    await db.commit()
    return booking.id


async def _locked_booking(db: AsyncSession, booking_id: int) -> Booking:
    booking = await db.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise NotFound(f"There is no booking with id {booking_id}.")
    return booking


async def set_location(db: AsyncSession, actor: Actor, booking_id: int, location: str) -> None:
    booking = await _locked_booking(db, booking_id)
    await _ensure(
        db, actor, "custody:write", prison_resource([booking.prison_unit_id], id=booking_id), "custody.location"
    )
    await ensure_may_see(db, actor, booking.person_id, "custody.location")
    text = location.strip()
    if not text:
        raise ValidationFailed(FieldError("location", "Enter the location, such as A-2-014"))
    if booking.status != "active":
        raise Conflict("This person has been released: their location cannot change.")
    old, booking.location = booking.location, text
    await record(db, actor, "custody.location", "custody_booking", booking_id, detail={"from": old, "to": text})
    await db.commit()


# -- movements -------------------------------------------------------------------------------------


async def _current_calculation(db: AsyncSession, person_id: int) -> ReleaseCalculation | None:
    return (
        await db.execute(
            select(ReleaseCalculation).where(
                ReleaseCalculation.person_id == person_id, ReleaseCalculation.current.is_(True)
            )
        )
    ).scalar_one_or_none()


def _licence_dates(calc: ReleaseCalculation) -> dict[str, str]:
    return {d["kind"]: d["date"] for d in calc.dates}


async def record_movement(
    db: AsyncSession, actor: Actor, booking_id: int, body: MovementIn, now: datetime | None = None
) -> int:
    moment = _now(now)
    booking = await _locked_booking(db, booking_id)
    await _ensure(
        db, actor, "custody:write", prison_resource([booking.prison_unit_id], id=booking_id), "custody.movement"
    )
    await ensure_may_see(db, actor, booking.person_id, "custody.movement")
    if booking.status != "active":
        raise Conflict("This person has been released: record a new reception if they come back into custody.")
    to_prison = await prison_by_code(db, body.to_prison_code, "to_prison_code") if body.to_prison_code else None
    calc = await _current_calculation(db, booking.person_id) if body.on_licence else None
    errors = rules.movement_errors(
        body.kind,
        out_reason=booking.out_reason,
        current_prison_id=booking.prison_unit_id,
        to_prison_id=to_prison.id if to_prison else None,
        on_licence=body.on_licence,
        has_release_dates=calc is not None,
    )
    occurred = body.occurred_at or moment
    if occurred.tzinfo is None:
        errors.append(FieldError("occurred_at", "Give the time with its offset"))
    elif occurred < booking.received_at:
        errors.append(FieldError("occurred_at", "The movement cannot be before the reception"))
    if errors:
        raise ValidationFailed(errors)
    before = {"prison_unit_id": booking.prison_unit_id, "out_reason": booking.out_reason, "location": booking.location}
    detail: dict[str, Any] = {"before": before}
    if body.destination:
        detail["destination"] = body.destination.strip()
    kind = body.kind
    if kind is rules.MovementKind.TRANSFER:
        assert to_prison is not None
        booking.prison_unit_id, booking.location = to_prison.id, None
    elif kind in (rules.MovementKind.COURT_PRODUCTION, rules.MovementKind.TEMPORARY_RELEASE):
        booking.out_reason = kind.value
    elif kind is rules.MovementKind.RETURN:
        booking.out_reason = None
    elif kind is rules.MovementKind.RELEASE:
        booking.status, booking.released_at, booking.out_reason = "released", occurred, None
        detail["onLicence"] = body.on_licence
        if calc is not None:
            detail["licenceDates"] = _licence_dates(calc)
    else:
        raise ValidationFailed(FieldError("kind", "Receptions are recorded with the reception form"))
    movement = Movement(
        booking_id=booking.id,
        person_id=booking.person_id,
        kind=kind.value,
        occurred_at=occurred,
        from_unit_id=before["prison_unit_id"],
        to_unit_id=to_prison.id if to_prison else None,
        detail=detail,
        publish_after=moment + rules.EVENT_HOLD_BACK if kind in rules.MOVEMENT_EVENTS else None,
        created_by=actor.audit_label,
    )
    db.add(movement)
    await db.flush()
    await record(
        db,
        actor,
        f"custody.movement.{kind.value}",
        "custody_booking",
        booking.id,
        detail={"movement_id": movement.id, "on_licence": body.on_licence},
    )
    await db.commit()
    return movement.id


async def reverse_movement(
    db: AsyncSession, actor: Actor, movement_id: int, reason: str, now: datetime | None = None
) -> None:
    """Undo a movement recorded in error. Only the booking's latest movement, within the reversal
    window; if its event already went out, a ``custody.movement.reversed`` event follows it."""
    moment = _now(now)
    movement = await db.get(Movement, movement_id)
    if movement is None:
        raise NotFound(f"There is no movement with id {movement_id}.")
    booking = await _locked_booking(db, movement.booking_id)
    await db.refresh(movement, with_for_update=True)
    units = {booking.prison_unit_id, *(u for u in (movement.from_unit_id, movement.to_unit_id) if u)}
    await _ensure(db, actor, "custody:write", prison_resource(units, id=booking.id), "custody.movement.reverse")
    await ensure_may_see(db, actor, booking.person_id, "custody.movement.reverse")
    if not reason.strip():
        raise ValidationFailed(FieldError("reason", "Say why the movement is being reversed"))
    if movement.reversed_at is not None:
        raise Conflict("This movement has already been reversed.")
    kind = rules.MovementKind(movement.kind)
    if kind is rules.MovementKind.RECEPTION:
        raise Conflict("A reception cannot be reversed: record a release instead.")
    if moment - movement.created_at > rules.REVERSAL_WINDOW:
        hours = int(rules.REVERSAL_WINDOW.total_seconds() // 3600)
        raise Conflict(f"Movements can be reversed for {hours} hours after they are recorded; this one is older.")
    latest = await db.scalar(
        select(func.max(movements_t.c.id)).where(
            movements_t.c.booking_id == booking.id, movements_t.c.reversed_at.is_(None)
        )
    )
    if latest != movement.id:
        raise Conflict("A later movement has been recorded: reverse that one first.")
    if kind is rules.MovementKind.RELEASE:
        clash = await db.scalar(
            select(bookings_t.c.id).where(bookings_t.c.person_id == booking.person_id, bookings_t.c.status == "active")
        )
        if clash is not None:
            raise Conflict("The person has been received into custody again since this release.")
    before = movement.detail.get("before", {})
    booking.prison_unit_id = int(before.get("prison_unit_id", booking.prison_unit_id))
    booking.out_reason = before.get("out_reason")
    booking.location = before.get("location")
    if kind is rules.MovementKind.RELEASE:
        booking.status, booking.released_at = "active", None
    movement.reversed_at, movement.reversed_by = moment, actor.audit_label
    movement.reversal_reason = reason.strip()
    if movement.published_at is not None:
        await emit(
            db,
            "custody.movement.reversed",
            f"movement/{movement.id}",
            person_ids=await _person_ids(db, booking),
            data={
                "movementId": movement.id,
                "bookingId": booking.id,
                "reversedEventType": rules.MOVEMENT_EVENTS[kind],
                "reason": movement.reversal_reason,
                **await event_area_of(db, movement.to_unit_id or movement.from_unit_id or booking.prison_unit_id),
            },
            detail_url=f"/api/v1/custody/bookings/{booking.id}",
        )
    await record(
        db,
        actor,
        "custody.movement.reverse",
        "custody_booking",
        booking.id,
        detail={"movement_id": movement.id, "kind": kind.value, "reason": movement.reversal_reason},
    )
    await db.commit()


async def _person_ids(db: AsyncSession, booking: Booking) -> dict[str, object]:
    return {"person": booking.person_id, "prison_number": booking.prison_number}


async def publish_due_movements(db: AsyncSession, now: datetime | None = None, limit: int = 500) -> int:
    """Emit the events of movements whose hold-back has passed without a reversal. Safe in several
    workers at once (SKIP LOCKED); commits. Returns how many were published."""
    moment = _now(now)
    rows = (
        (
            await db.execute(
                select(Movement)
                .where(
                    Movement.published_at.is_(None),
                    Movement.reversed_at.is_(None),
                    Movement.publish_after.is_not(None),
                    Movement.publish_after <= moment,
                )
                .order_by(Movement.publish_after, Movement.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    codes = await _unit_codes(db, {u for m in rows for u in (m.from_unit_id, m.to_unit_id) if u})
    for movement in rows:
        booking = await db.get_one(Booking, movement.booking_id)
        kind = rules.MovementKind(movement.kind)
        data: dict[str, Any] = {
            "movementId": movement.id,
            "bookingId": booking.id,
            "prisonNumber": booking.prison_number,
            "occurredAt": movement.occurred_at.isoformat(),
        }
        if kind is rules.MovementKind.RECEPTION:
            data["prisonCode"] = codes.get(movement.to_unit_id or 0)
            data["legalStatus"] = movement.detail.get("legalStatus")
        elif kind is rules.MovementKind.TRANSFER:
            data["fromPrisonCode"] = codes.get(movement.from_unit_id or 0)
            data["toPrisonCode"] = codes.get(movement.to_unit_id or 0)
        elif kind is rules.MovementKind.RELEASE:
            data["prisonCode"] = codes.get(movement.from_unit_id or 0)
            data["onLicence"] = bool(movement.detail.get("onLicence"))
            data["licenceDates"] = movement.detail.get("licenceDates", {})
        # The prison the movement is about: the one received into or moved to, else the one left.
        data.update(await event_area_of(db, movement.to_unit_id or movement.from_unit_id or booking.prison_unit_id))
        await emit(
            db,
            rules.MOVEMENT_EVENTS[kind],
            f"movement/{movement.id}",
            person_ids=await _person_ids(db, booking),
            data=data,
            detail_url=f"/api/v1/custody/bookings/{booking.id}",
            time=movement.occurred_at,
        )
        movement.published_at = moment
    await db.commit()
    return len(rows)


async def _unit_codes(db: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await db.execute(select(units_t.c.id, units_t.c.code).where(units_t.c.id.in_(wanted)))
    return {r.id: r.code for r in rows}


# -- reading: bookings, roll, upcoming releases ----------------------------------------------------


def _movement_out(m: Any, codes: dict[int, str]) -> MovementOut:
    return MovementOut(
        id=m.id,
        kind=m.kind,
        occurred_at=m.occurred_at,
        from_prison=codes.get(m.from_unit_id) if m.from_unit_id else None,
        to_prison=codes.get(m.to_unit_id) if m.to_unit_id else None,
        detail={k: v for k, v in m.detail.items() if k != "before"},
        event_due_at=m.publish_after,
        published_at=m.published_at,
        reversed_at=m.reversed_at,
        reversal_reason=m.reversal_reason,
    )


async def _booking_out(db: AsyncSession, booking_id: int) -> BookingOut | None:
    b = (
        await db.execute(
            select(bookings_t, _name_column(), units_t.c.code.label("prison_code"), units_t.c.name.label("prison_name"))
            .join(persons_t, persons_t.c.id == bookings_t.c.person_id)
            .join(units_t, units_t.c.id == bookings_t.c.prison_unit_id)
            .where(bookings_t.c.id == booking_id)
        )
    ).one_or_none()
    if b is None:
        return None
    moves = list(
        await db.execute(
            select(movements_t).where(movements_t.c.booking_id == booking_id).order_by(movements_t.c.id.desc())
        )
    )
    codes = await _unit_codes(db, {u for m in moves for u in (m.from_unit_id, m.to_unit_id) if u})
    return BookingOut(
        id=b.id,
        person_id=b.person_id,
        person_name=b.person_name,
        prison_number=b.prison_number,
        prison_code=b.prison_code,
        prison_name=b.prison_name,
        legal_status=b.legal_status,
        status=b.status,
        location=b.location,
        out_reason=b.out_reason,
        received_at=b.received_at,
        released_at=b.released_at,
        movements=[_movement_out(m, codes) for m in moves],
    )


async def get_booking(db: AsyncSession, actor: Actor, booking_id: int) -> BookingOut:
    out = await _booking_out(db, booking_id)
    if out is None:
        raise NotFound(f"There is no booking with id {booking_id}.")
    prison = await prison_by_code(db, out.prison_code)
    await _ensure(db, actor, "custody:read", prison_resource([prison.id], id=booking_id), "custody.booking.read")
    await ensure_may_see(db, actor, out.person_id, "custody.booking.read")
    await record(db, actor, "custody.booking.read", "custody_booking", booking_id)
    await db.commit()
    return out


async def roll(db: AsyncSession, actor: Actor, prison_code: str | None, page: int = 1, page_size: int = 100) -> RollOut:
    """Who is on the prison's roll, by location; those out at court or on temporary release count."""
    prison = await actor_prison(db, actor, prison_code)
    await _ensure(db, actor, "custody:read", prison_resource([prison.id]), "custody.roll.read")
    page, page_size = _page(page, page_size)
    where = [bookings_t.c.prison_unit_id == prison.id, bookings_t.c.status == "active"]
    counts = (
        await db.execute(
            select(
                func.count().filter(bookings_t.c.out_reason.is_(None)).label("in_count"),
                func.count().filter(bookings_t.c.out_reason.is_not(None)).label("out_count"),
            ).where(*where)
        )
    ).one()
    rows = await db.execute(
        select(bookings_t, _name_column())
        .join(persons_t, persons_t.c.id == bookings_t.c.person_id)
        .where(*where)
        .order_by(bookings_t.c.location.nulls_last(), bookings_t.c.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    items = [
        RollEntry(
            booking_id=r.id,
            person_id=r.person_id,
            person_name=r.person_name,
            prison_number=r.prison_number,
            location=r.location,
            legal_status=r.legal_status,
            out_reason=r.out_reason,
        )
        for r in rows
    ]
    hidden = await withheld_person_ids(db, actor, [i.person_id for i in items], "custody.roll")
    items = [
        i.model_copy(
            update={
                "person_name": None,
                "prison_number": None,
                "location": None,
                "legal_status": None,
                "out_reason": None,
                "restricted": True,
            }
        )
        if i.person_id in hidden
        else i
        for i in items
    ]
    await record(db, actor, "custody.roll.read", "prison", prison.code, detail={"page": page})
    await db.commit()
    return RollOut(
        prison_code=prison.code,
        prison_name=prison.name,
        in_count=counts.in_count,
        out_count=counts.out_count,
        items=items,
        page=page,
        page_size=page_size,
        total=counts.in_count + counts.out_count,
    )


async def upcoming_releases(
    db: AsyncSession,
    actor: Actor,
    prison_code: str | None,
    from_date: date,
    days: int = 28,
    page: int = 1,
    page_size: int = 100,
) -> UpcomingReleasesOut:
    prison = await actor_prison(db, actor, prison_code)
    await _ensure(db, actor, "custody:read", prison_resource([prison.id]), "custody.releases.read")
    if not 1 <= days <= 366:
        raise ValidationFailed(FieldError("days", "Look ahead between 1 and 366 days"))
    page, page_size = _page(page, page_size)
    to_date = from_date + timedelta(days=days)
    where = [
        bookings_t.c.prison_unit_id == prison.id,
        bookings_t.c.status == "active",
        calcs_t.c.current.is_(True),
        calcs_t.c.release_date.between(from_date, to_date),
    ]
    base = (
        select(bookings_t.c.id, bookings_t.c.person_id, bookings_t.c.prison_number, _name_column(), calcs_t)
        .select_from(
            bookings_t.join(calcs_t, calcs_t.c.person_id == bookings_t.c.person_id).join(
                persons_t, persons_t.c.id == bookings_t.c.person_id
            )
        )
        .where(*where)
    )
    total = await db.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await db.execute(
        base.order_by(calcs_t.c.release_date, bookings_t.c.id).limit(page_size).offset((page - 1) * page_size)
    )
    items = []
    for r in rows:
        kinds = {d["kind"] for d in r.dates}
        items.append(
            UpcomingRelease(
                booking_id=r.id,
                person_id=r.person_id,
                person_name=r.person_name,
                prison_number=r.prison_number,
                release_date=r.release_date,
                release_kind="ARD" if "ARD" in kinds else "CRD",
                hdced=r.hdced,
                overridden=r.kind == "override",
            )
        )
    hidden = await withheld_person_ids(db, actor, [i.person_id for i in items], "custody.releases")
    items = [
        i.model_copy(
            update={
                "person_name": None,
                "prison_number": None,
                "release_date": None,
                "release_kind": None,
                "hdced": None,
                "overridden": False,
                "restricted": True,
            }
        )
        if i.person_id in hidden
        else i
        for i in items
    ]
    await record(db, actor, "custody.releases.read", "prison", prison.code, detail={"from": from_date.isoformat()})
    await db.commit()
    return UpcomingReleasesOut(
        prison_code=prison.code,
        from_date=from_date,
        to_date=to_date,
        items=items,
        page=page,
        page_size=page_size,
        total=total,
    )


async def person_bookings(db: AsyncSession, actor: Actor, person_id: int) -> list[BookingOut]:
    """The person's bookings, newest first (the custody tab); audited as a read of the person."""
    await _person_name(db, person_id)
    await _ensure(db, actor, "custody:read", await person_resource(db, person_id), "custody.person.read")
    await ensure_may_see(db, actor, person_id, "custody.person.read")
    ids = list(
        await db.scalars(
            select(bookings_t.c.id).where(bookings_t.c.person_id == person_id).order_by(bookings_t.c.id.desc())
        )
    )
    out = [b for b in [await _booking_out(db, i) for i in ids[:10]] if b is not None]
    await record(db, actor, "custody.person.read", "person", person_id)
    await db.commit()
    return out


# -- release dates ---------------------------------------------------------------------------------


async def person_resource(db: AsyncSession, person_id: int) -> Resource:
    """A person's custody record is held by the prison they are in, or are expected at."""
    held = set(
        await db.scalars(
            select(bookings_t.c.prison_unit_id).where(
                bookings_t.c.person_id == person_id, bookings_t.c.status == "active"
            )
        )
    )
    expected = set(
        await db.scalars(
            select(arrivals_t.c.prison_unit_id).where(
                arrivals_t.c.person_id == person_id, arrivals_t.c.status == "expected"
            )
        )
    )
    return prison_resource(held | expected, kind="person_custody", id=person_id)


def _length_dict(length: rules.Length) -> dict[str, int]:
    return {"years": length.years, "months": length.months, "weeks": length.weeks, "days": length.days}


def _length_of(d: dict[str, int]) -> rules.Length:
    return rules.Length(d.get("years", 0), d.get("months", 0), d.get("weeks", 0), d.get("days", 0))


def _term_from_row(t: Any) -> rules.SentenceTerm:
    return rules.SentenceTerm(
        id=t.term_ref,
        sentence_date=t.sentence_date,
        offence_date=t.offence_date,
        length=_length_of(t.length),
        kind=rules.SentenceKind(t.kind),
        extension=_length_of(t.extension) if t.extension else None,
        consecutive_to=t.consecutive_to,
        flags=frozenset(rules.OffenceFlag(f) for f in t.flags),
    )


def _term_from_in(t: TermIn) -> rules.SentenceTerm:
    return rules.SentenceTerm(
        id=t.id.strip(),
        sentence_date=t.sentence_date,
        offence_date=t.offence_date,
        length=t.length.to_rules(),
        kind=t.kind,
        extension=t.extension.to_rules() if t.extension else None,
        consecutive_to=(t.consecutive_to or "").strip() or None,
        flags=frozenset(t.flags),
    )


def calculate(calc: rules.SentenceCalculationInput) -> rules.ReleaseDates:
    """custody.rules with a missing rule pack explained against the term it concerns."""
    try:
        return rules.calculate_release_dates(calc)
    except NoRulePackInForce as exc:
        # The pack is chosen by sentence date: point at the earliest term, the usual culprit.
        first = min(range(len(calc.terms)), key=lambda i: calc.terms[i].sentence_date)
        raise rules.ReleaseDateInputError(FieldError(f"terms.{first}.sentence_date", str(exc))) from exc


def _input_json(calc: rules.SentenceCalculationInput) -> dict[str, Any]:
    return {
        "terms": [
            {
                "id": t.id,
                "sentence_date": t.sentence_date.isoformat(),
                "offence_date": t.offence_date.isoformat(),
                "length": _length_dict(t.length),
                "kind": t.kind.value,
                "extension": _length_dict(t.extension) if t.extension else None,
                "consecutive_to": t.consecutive_to,
                "flags": sorted(f.value for f in t.flags),
            }
            for t in calc.terms
        ],
        "remand_days": calc.remand_days,
        "tagged_bail_days": calc.tagged_bail_days,
    }


async def _store_calculation(
    db: AsyncSession,
    actor: Actor,
    person_id: int,
    calc: rules.SentenceCalculationInput,
    result: rules.ReleaseDates,
    notes: Sequence[str] = (),
) -> int:
    """Store RESULT as the person's current calculation. NOTES (where the input came from) open the
    explanation of every date and are kept with the input."""
    await db.execute(
        update(ReleaseCalculation)
        .where(ReleaseCalculation.person_id == person_id, ReleaseCalculation.current.is_(True))
        .values(current=False)
    )
    row = ReleaseCalculation(
        person_id=person_id,
        kind="calculated",
        current=True,
        input={**_input_json(calc), **({"notes": list(notes)} if notes else {})},
        dates=[
            {
                "kind": d.kind.value,
                "date": d.date.isoformat(),
                "steps": [*notes, *d.steps],
                "rule_pack": d.rule_pack,
            }
            for d in result.dates()
        ],
        rule_packs=list(result.rule_packs),
        release_date=result.release_date,
        hdced=result.hdced.date if result.hdced else None,
        licence_expiry=result.led.date if result.led else None,
        sentence_expiry=result.sed.date,
        created_by=actor.audit_label,
    )
    db.add(row)
    await db.flush()
    return row.id


async def _stored_input(db: AsyncSession, person_id: int) -> rules.SentenceCalculationInput:
    rows = list(await db.execute(select(terms_t).where(terms_t.c.person_id == person_id).order_by(terms_t.c.id)))
    credit = (
        await db.execute(
            select(SentenceCredit.remand_days, SentenceCredit.tagged_bail_days).where(
                SentenceCredit.person_id == person_id
            )
        )
    ).one_or_none()
    return rules.SentenceCalculationInput(
        tuple(_term_from_row(r) for r in rows),
        remand_days=credit.remand_days if credit else 0,
        tagged_bail_days=credit.tagged_bail_days if credit else 0,
    )


async def replace_sentences(db: AsyncSession, actor: Actor, person_id: int, body: SentencesIn) -> int:
    """Replace the person's terms and credit and recalculate. Bad input (ReleaseDateInputError, with
    field paths into ``body``) changes nothing. Returns the new calculation's id."""
    await _person_name(db, person_id)
    await _ensure(db, actor, "custody:release_dates", await person_resource(db, person_id), "custody.sentences")
    await ensure_may_see(db, actor, person_id, "custody.sentences")
    calc = rules.SentenceCalculationInput(
        tuple(_term_from_in(t) for t in body.terms), body.remand_days, body.tagged_bail_days
    )
    result = calculate(calc)  # raises before anything is written
    held = {
        r.term_ref: r
        for r in await db.execute(select(terms_t.c.term_ref, terms_t.c.source).where(terms_t.c.person_id == person_id))
    }
    await db.execute(delete(SentenceTerm).where(SentenceTerm.person_id == person_id))
    for t in calc.terms:
        source = held[t.id].source if t.id in held else "entered"
        db.add(_term_row(person_id, t, source, None, False, actor))
    await _set_credit(db, actor, person_id, calc.remand_days, calc.tagged_bail_days)
    calc_id = await _store_calculation(db, actor, person_id, calc, result)
    await record(
        db,
        actor,
        "custody.release_dates.calculate",
        "person",
        person_id,
        detail={"calculation_id": calc_id, "terms": len(calc.terms), "rule_packs": list(result.rule_packs)},
    )
    await db.commit()
    return calc_id


def _term_row(
    person_id: int,
    t: rules.SentenceTerm,
    source: str,
    event_id: uuid.UUID | None,
    offence_date_assumed: bool,
    actor: Actor,
) -> SentenceTerm:
    return SentenceTerm(
        person_id=person_id,
        term_ref=t.id,
        source=source,
        source_event_id=event_id,
        sentence_date=t.sentence_date,
        offence_date=t.offence_date,
        offence_date_assumed=offence_date_assumed,
        length=_length_dict(t.length),
        kind=t.kind.value,
        extension=_length_dict(t.extension) if t.extension else None,
        consecutive_to=t.consecutive_to,
        flags=sorted(f.value for f in t.flags),
        created_by=actor.audit_label,
    )


async def _set_credit(db: AsyncSession, actor: Actor, person_id: int, remand: int, tagged: int) -> None:
    stmt = insert(SentenceCredit).values(
        person_id=person_id, remand_days=remand, tagged_bail_days=tagged, updated_by=actor.audit_label
    )
    await db.execute(
        stmt.on_conflict_do_update(
            index_elements=[SentenceCredit.person_id],
            set_={"remand_days": remand, "tagged_bail_days": tagged, "updated_by": actor.audit_label},
        )
    )


@dataclass(frozen=True)
class CourtTerm:
    """A custodial term from the court's sentence, with where its offence date came from."""

    term: rules.SentenceTerm
    offence_date_assumed: bool
    note: str  # one line of the calculation's explanation


def _offence_date(charge: Any, term_ref: str, sentenced_on: date) -> tuple[date, bool, str]:
    """The offence date the calculator uses for a sentenced charge (``charges`` of the event:
    ``offenceDateFrom``/``offenceDateTo``): an offence over a period is taken as committed on its
    last day. Without one (an event from before the courts sent them, or a charge with no date)
    the day of sentence is assumed, said so, and the term marked for the prison to check."""
    facts = charge if isinstance(charge, dict) else {}
    try:
        start = date.fromisoformat(str(facts["offenceDateFrom"])) if facts.get("offenceDateFrom") else None
        end = date.fromisoformat(str(facts["offenceDateTo"])) if facts.get("offenceDateTo") else None
    except ValueError:
        start = end = None
    offence = f" ({facts['offenceCode']})" if facts.get("offenceCode") else ""
    last = end or start
    if last is None:
        return (
            sentenced_on,
            True,
            f"Term {term_ref}: the court's sentence did not give the offence date, so the day of sentence "
            f"({rules.long_date(sentenced_on)}) is assumed; check it, as the offence date can change which "
            "release rules apply.",
        )
    if start is not None and end is not None and end != start:
        return (
            end,
            False,
            f"Term {term_ref}: offence{offence} committed between {rules.long_date(start)} and "
            f"{rules.long_date(end)} (from the court's sentence); taken as committed on the last day.",
        )
    return (
        last,
        False,
        f"Term {term_ref}: offence{offence} committed on {rules.long_date(last)} (from the court's sentence).",
    )


def court_terms(event: Event) -> list[CourtTerm]:
    """Custodial terms from a ``court.sentence.imposed`` event's disposals, each with the offence
    date of its charge from the event's ``charges`` (the day of sentence, marked assumed, when the
    event gives none). The court records no offence flags: the prison adds them on the
    release-dates page."""
    sentenced_on = date.fromisoformat(str(event.data.get("sentencedOn")))
    charges = {str(c.get("chargeId")): c for c in event.data.get("charges") or [] if isinstance(c, dict)}
    terms = []
    for disposal in event.data.get("disposals") or []:
        if disposal.get("kind") != "custodial":
            continue
        for t in disposal.get("terms") or []:
            follows = t.get("consecutive_to") if t.get("relation") == "consecutive" else None
            ref = f"C{t['charge_id']}"
            offence_on, assumed, note = _offence_date(charges.get(str(t["charge_id"])), ref, sentenced_on)
            term = rules.SentenceTerm(
                id=ref,
                sentence_date=sentenced_on,
                offence_date=offence_on,
                length=_length_of(t.get("length") or {}),
                consecutive_to=f"C{follows}" if follows is not None else None,
            )
            terms.append(CourtTerm(term, assumed, note))
    return terms


async def add_court_terms(db: AsyncSession, person_id: int, terms: Sequence[CourtTerm], event_id: uuid.UUID) -> None:
    """Add the court's terms (once per term) and recalculate; if the person's terms cannot be
    calculated, a task asks the prison to put them right instead of failing the event. The
    explanation of each date starts with where the offence dates came from."""
    for ct in terms:
        stmt = insert(SentenceTerm).values(
            **{
                c: getattr(_term_row(person_id, ct.term, "court", event_id, ct.offence_date_assumed, SYSTEM), c)
                for c in (
                    "person_id",
                    "term_ref",
                    "source",
                    "source_event_id",
                    "sentence_date",
                    "offence_date",
                    "offence_date_assumed",
                    "length",
                    "kind",
                    "extension",
                    "consecutive_to",
                    "flags",
                    "created_by",
                )
            }
        )
        await db.execute(stmt.on_conflict_do_nothing(constraint="uq_custody_sentence_terms_person_ref"))
    notes = [ct.note for ct in terms]
    new_refs = {ct.term.id for ct in terms}
    for earlier in await db.execute(
        select(terms_t.c.term_ref, terms_t.c.sentence_date)
        .where(terms_t.c.person_id == person_id, terms_t.c.offence_date_assumed)
        .order_by(terms_t.c.id)
    ):
        if earlier.term_ref not in new_refs:
            notes.append(_offence_date(None, earlier.term_ref, earlier.sentence_date)[2])
    calc = await _stored_input(db, person_id)
    try:
        result = calculate(calc)
    except rules.ReleaseDateInputError as exc:
        resource = await person_resource(db, person_id)
        for unit_id in sorted(resource.unit_ids)[:1]:
            await create_task(
                db,
                SYSTEM,
                type="custody.release_dates_check",
                title="Release dates could not be calculated from the court's sentence",
                subject_type="person",
                subject_id=person_id,
                owner_type="unit",
                owner_id=unit_id,
                description="; ".join(e.message for e in exc.errors),
                dedupe_key=f"custody.release-dates-check:{event_id}",
                source_event_id=event_id,
                commit=False,
            )
        return
    await _store_calculation(db, SYSTEM, person_id, calc, result, notes)
    await record(db, SYSTEM, "custody.release_dates.calculate", "person", person_id, detail={"event": str(event_id)})


def _calculation_out(row: Any) -> CalculationOut:
    return CalculationOut(
        id=row.id,
        kind=row.kind,
        dates=[
            DateOut(
                kind=d["kind"],
                heading=rules.DateKind(d["kind"]).heading,
                date=date.fromisoformat(d["date"]),
                steps=d["steps"],
                rule_pack=d["rule_pack"],
                overridden_from=date.fromisoformat(d["overridden_from"]) if d.get("overridden_from") else None,
            )
            for d in row.dates
        ],
        rule_packs=list(row.rule_packs),
        override_reason=row.override_reason,
        created_by=row.created_by,
        created_at=row.created_at,
    )


async def release_dates(db: AsyncSession, actor: Actor, person_id: int) -> ReleaseDatesOut:
    await _person_name(db, person_id)
    await _ensure(db, actor, "custody:read", await person_resource(db, person_id), "custody.release_dates.read")
    await ensure_may_see(db, actor, person_id, "custody.release_dates.read")
    rows = list(
        await db.execute(
            select(calcs_t).where(calcs_t.c.person_id == person_id).order_by(calcs_t.c.id.desc()).limit(20)
        )
    )
    current = next((r for r in rows if r.current), None)
    terms = list(await db.execute(select(terms_t).where(terms_t.c.person_id == person_id).order_by(terms_t.c.id)))
    credit = await db.get(SentenceCredit, person_id)
    await record(db, actor, "custody.release_dates.read", "person", person_id)
    await db.commit()
    return ReleaseDatesOut(
        person_id=person_id,
        current=_calculation_out(current) if current is not None else None,
        history=[_calculation_out(r) for r in rows if not r.current],
        terms=[
            {
                "id": t.term_ref,
                "source": t.source,
                "sentence_date": t.sentence_date,
                "offence_date": t.offence_date,
                "offence_date_assumed": t.offence_date_assumed,
                "length": t.length,
                "kind": t.kind,
                "extension": t.extension,
                "consecutive_to": t.consecutive_to,
                "flags": list(t.flags),
            }
            for t in terms
        ],
        remand_days=credit.remand_days if credit else 0,
        tagged_bail_days=credit.tagged_bail_days if credit else 0,
    )


async def override_release_date(db: AsyncSession, actor: Actor, person_id: int, body: OverrideIn) -> int:
    """Set one date by hand, with a reason: a new current calculation (kind override) keeping the
    worked-out date beside it; audited with both dates. Recalculating replaces it."""
    await _person_name(db, person_id)
    await _ensure(db, actor, "custody:release_dates", await person_resource(db, person_id), "custody.override")
    await ensure_may_see(db, actor, person_id, "custody.override")
    reason = body.reason.strip()
    errors = [] if reason else [FieldError("reason", "Give the reason for overriding the calculated date")]
    current = await _current_calculation(db, person_id)
    if current is None:
        errors.append(FieldError("date_kind", "Calculate the release dates before overriding one"))
    elif body.date_kind.value not in {d["kind"] for d in current.dates}:
        errors.append(FieldError("date_kind", f"There is no {body.date_kind.value} to override for this person"))
    if errors:
        raise ValidationFailed(errors)
    assert current is not None
    kind = body.date_kind.value
    dates = []
    old_date = None
    for d in current.dates:
        if d["kind"] == kind:
            old_date = d.get("overridden_from") or d["date"]
            d = {
                **d,
                "date": body.date.isoformat(),
                "overridden_from": old_date,
                "steps": [
                    *d["steps"],
                    f"Overridden by {actor.display_name or actor.name} to {rules.long_date(body.date)}: {reason}",
                ],
            }
        dates.append(d)
    by_kind = {d["kind"]: date.fromisoformat(d["date"]) for d in dates}
    current.current = False
    await db.flush()
    row = ReleaseCalculation(
        person_id=person_id,
        kind="override",
        current=True,
        input=current.input,
        dates=dates,
        rule_packs=current.rule_packs,
        release_date=by_kind.get("CRD") or by_kind.get("ARD") or current.release_date,
        hdced=by_kind.get("HDCED"),
        licence_expiry=by_kind.get("LED"),
        sentence_expiry=by_kind.get("SED") or current.sentence_expiry,
        override_reason=reason,
        based_on_id=current.id,
        created_by=actor.audit_label,
    )
    db.add(row)
    await db.flush()
    await record(
        db,
        actor,
        "custody.release_dates.override",
        "person",
        person_id,
        detail={"date_kind": kind, "from": old_date, "to": body.date.isoformat(), "reason": reason},
    )
    await db.commit()
    return row.id
