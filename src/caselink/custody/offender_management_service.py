"""Prison offender management: each booking's prison offender manager (POM), allocated by the
prison's staff to a member of staff of the same prison who holds the prison_offender_manager
role; the POM's own list of prisoners (release dates, legal status, location, flags) and the
prison's list of prisoners nobody manages yet.

An allocation is audited and emits ``custody.offender_manager.allocated``, so the person's
probation practitioner learns who manages them in custody (probation.handoff_handlers). Kept apart
from service.py (reception, movements, release dates); it reuses that module's prison scoping.
See docs/decisions/0052-prison-offender-manager-allocation.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, any_, func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts.models import Staff
from caselink.custody.models import Booking, OffenderManagerAllocation, ReleaseCalculation
from caselink.custody.offender_management_schemas import (
    AllocationOut,
    BookingOffenderManagerOut,
    OffenderManagerOption,
    PrisonerListOut,
    PrisonerRow,
)
from caselink.custody.service import (
    Prison,
    actor_prison,
    prison_by_code,
    prison_by_id,
    prison_resource,
    withheld_person_ids,
)
from caselink.organisations.models import OrganisationUnit
from caselink.people.limited_access import ensure_may_see, excluded_staff_ids, restricted_to_staff_ids
from caselink.people.models import Person
from caselink.people.registration_models import PersonRegistration
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.audit.service import ensure_or_record_refusal, record
from caselink.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from caselink.platform.events.service import emit

POM_ROLE = "prison_offender_manager"
EVENT_TYPE = "custody.offender_manager.allocated"
MAX_PAGE_SIZE = 200

allocations_t = OffenderManagerAllocation.__table__
bookings_t = Booking.__table__
calcs_t = ReleaseCalculation.__table__
persons_t = Person.__table__
regs_t = PersonRegistration.__table__
staff_t = Staff.__table__
units_t = OrganisationUnit.__table__


def _page(page: int, page_size: int) -> tuple[int, int]:
    return max(1, page), max(1, min(page_size, MAX_PAGE_SIZE))


def _current_at_booking_prison() -> Any:
    """Join condition: the booking's current allocation, made at the prison that now holds it (an
    allocation made before a transfer is no longer anyone's to manage)."""
    return and_(
        allocations_t.c.booking_id == bookings_t.c.id,
        allocations_t.c.ended_at.is_(None),
        allocations_t.c.prison_unit_id == bookings_t.c.prison_unit_id,
    )


# -- who may be allocated --------------------------------------------------------------------------


async def offender_managers(db: AsyncSession, prison_unit_id: int) -> list[OffenderManagerOption]:
    """The prison's active prison offender managers, by name, with their current caseload."""
    load = (
        select(allocations_t.c.staff_id, func.count().label("n"))
        .select_from(allocations_t.join(bookings_t, _current_at_booking_prison()))
        .where(bookings_t.c.status == "active", allocations_t.c.prison_unit_id == prison_unit_id)
        .group_by(allocations_t.c.staff_id)
        .subquery()
    )
    rows = await db.execute(
        select(staff_t.c.id, staff_t.c.display_name, func.coalesce(load.c.n, 0).label("caseload"))
        .outerjoin(load, load.c.staff_id == staff_t.c.id)
        .where(
            staff_t.c.unit_id == prison_unit_id,
            staff_t.c.status == "active",
            literal(POM_ROLE) == any_(staff_t.c.roles),
        )
        .order_by(staff_t.c.display_name, staff_t.c.id)
    )
    return [OffenderManagerOption(staff_id=r.id, name=r.display_name, caseload=r.caseload) for r in rows]


async def _allocatable(db: AsyncSession, staff_id: int, prison: Prison) -> str:
    """The member of staff's name if they may be allocated at PRISON; ValidationFailed naming why not."""
    row = (
        await db.execute(
            select(staff_t.c.display_name, staff_t.c.unit_id, staff_t.c.roles, staff_t.c.status).where(
                staff_t.c.id == staff_id
            )
        )
    ).one_or_none()
    if row is None:
        raise ValidationFailed(FieldError("staff_id", f"There is no member of staff with id {staff_id}."))
    if row.unit_id != prison.id:
        raise ValidationFailed(
            FieldError(
                "staff_id",
                f"{row.display_name} is not a member of staff of {prison.name}: "
                "choose a prison offender manager of this prison.",
            )
        )
    if POM_ROLE not in (row.roles or []):
        raise ValidationFailed(
            FieldError(
                "staff_id",
                f"{row.display_name} does not have the prison offender manager role: choose a prison offender manager.",
            )
        )
    if row.status != "active":
        raise ValidationFailed(FieldError("staff_id", f"{row.display_name}'s account is {row.status}."))
    return str(row.display_name)


async def _refuse_if_blocked(db: AsyncSession, actor: Actor, booking: Booking, staff_id: int, name: str) -> None:
    """Never allocate a person to someone who may not see them (decision 0026), as probation's
    allocation refuses an excluded practitioner: the refusal is audited and committed (nothing
    has been written), then a 422 on ``staff_id``."""
    if staff_id in await excluded_staff_ids(db, booking.person_id):
        message = f"{name} is excluded from this person's record and cannot manage them. Choose someone else."
    else:
        allowed_only = await restricted_to_staff_ids(db, booking.person_id)
        if allowed_only is None or staff_id in allowed_only:
            return
        message = (
            f"{name} is not on the list of staff who may see this person's record and cannot manage them. "
            "Choose someone else."
        )
    await record(
        db, actor, "custody.offender_manager.allocate", "custody_booking", booking.id, outcome="refused",
        detail={"person_id": booking.person_id, "staff_id": staff_id, "reason": "excluded"},
    )  # fmt: skip
    await db.commit()
    raise ValidationFailed(FieldError("staff_id", message))


# -- allocating --------------------------------------------------------------------------------------


async def allocate(
    db: AsyncSession,
    actor: Actor,
    booking_id: int,
    staff_id: int,
    reason: str | None = None,
    now: datetime | None = None,
) -> AllocationOut:
    """Make STAFF_ID the booking's prison offender manager, ending the current allocation if there
    is one. Refused (nothing changed): someone outside the prison, without the role, or already
    allocated; a released booking; an actor not of the booking's prison. Audited; emits
    ``custody.offender_manager.allocated``; commits."""
    moment = now or datetime.now(UTC)
    booking = await db.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise NotFound(f"There is no booking with id {booking_id}.")
    await ensure_or_record_refusal(
        db,
        actor,
        "custody:allocate",
        prison_resource([booking.prison_unit_id], id=booking_id),
        "custody.offender_manager.allocate",
        rollback=True,
    )
    await ensure_may_see(db, actor, booking.person_id, "custody.offender_manager.allocate")
    if booking.status != "active":
        raise Conflict("This person has been released: they no longer have a prison offender manager.")
    note = (reason or "").strip() or None
    if note is not None and len(note) > 500:
        raise ValidationFailed(FieldError("reason", "Reason must be 500 characters or fewer."))
    prison = await prison_by_id(db, booking.prison_unit_id)
    name = await _allocatable(db, staff_id, prison)
    await _refuse_if_blocked(db, actor, booking, staff_id, name)
    current = (
        await db.execute(
            select(OffenderManagerAllocation)
            .where(OffenderManagerAllocation.booking_id == booking.id, OffenderManagerAllocation.ended_at.is_(None))
            .with_for_update()
        )
    ).scalar_one_or_none()
    previous_staff_id = None
    if current is not None:
        if current.staff_id == staff_id and current.prison_unit_id == booking.prison_unit_id:
            raise ValidationFailed(FieldError("staff_id", f"{name} is already this person's offender manager."))
        previous_staff_id = current.staff_id if current.prison_unit_id == booking.prison_unit_id else None
        current.ended_at, current.ended_by = moment, actor.audit_label
        await db.flush()  # the partial unique index allows one current row per booking
    allocation = OffenderManagerAllocation(
        booking_id=booking.id,
        person_id=booking.person_id,
        prison_unit_id=booking.prison_unit_id,
        staff_id=staff_id,
        reason=note,
        allocated_by=actor.audit_label,
        allocated_at=moment,
    )
    db.add(allocation)
    await db.flush()
    await record(
        db,
        actor,
        "custody.offender_manager.allocate",
        "custody_booking",
        booking.id,
        detail={
            "person_id": booking.person_id,
            "prison": prison.code,
            "from_staff_id": previous_staff_id,
            "to_staff_id": staff_id,
            "reason": note,
        },
    )
    await emit(
        db,
        EVENT_TYPE,
        f"booking/{booking.id}",
        person_ids={"person": booking.person_id, "prison_number": booking.prison_number},
        data={
            "bookingId": booking.id,
            "prisonNumber": booking.prison_number,
            "prisonCode": prison.code,
            "staffId": staff_id,
            "offenderManagerName": name,
            "previousStaffId": previous_staff_id,
            "allocatedAt": moment.isoformat(),
            **await _event_area(db, booking.prison_unit_id),
        },
        detail_url=f"/api/v1/custody/bookings/{booking.id}/offender-manager",
        time=moment,
    )
    out = AllocationOut(
        id=allocation.id,
        booking_id=booking.id,
        person_id=booking.person_id,
        prison_code=prison.code,
        staff_id=staff_id,
        staff_name=name,
        reason=note,
        allocated_by=actor.audit_label,
        allocated_at=moment,
        ended_at=None,
    )
    await db.commit()
    return out


async def _event_area(db: AsyncSession, unit_id: int) -> dict[str, str]:
    """``unitCode``/``regionCode`` of the prison, by the emitters' convention (docs/decisions/0021)."""
    try:
        from caselink.organisations.service import event_area_of
    except ImportError:  # pragma: no cover - older organisations service
        return {}
    return await event_area_of(db, unit_id)


# -- reading a booking's allocation ------------------------------------------------------------------


async def _history(db: AsyncSession, booking_id: int) -> list[AllocationOut]:
    rows = await db.execute(
        select(allocations_t, staff_t.c.display_name, units_t.c.code.label("prison_code"))
        .join(staff_t, staff_t.c.id == allocations_t.c.staff_id)
        .join(units_t, units_t.c.id == allocations_t.c.prison_unit_id)
        .where(allocations_t.c.booking_id == booking_id)
        .order_by(allocations_t.c.id.desc())
    )
    return [
        AllocationOut(
            id=r.id,
            booking_id=r.booking_id,
            person_id=r.person_id,
            prison_code=r.prison_code,
            staff_id=r.staff_id,
            staff_name=r.display_name,
            reason=r.reason,
            allocated_by=r.allocated_by,
            allocated_at=r.allocated_at,
            ended_at=r.ended_at,
        )
        for r in rows
    ]


async def booking_panel(db: AsyncSession, booking_id: int, prison_code: str) -> BookingOffenderManagerOut:
    """A booking's allocation and history, for a caller that has already checked access (the
    person's custody tab). Reads only."""
    history = await _history(db, booking_id)
    current = next((a for a in history if a.ended_at is None), None)
    if current is not None and current.prison_code != prison_code:
        current = None  # allocated at a prison the person has since left
    return BookingOffenderManagerOut(booking_id=booking_id, current=current, history=history)


async def person_tab(db: AsyncSession, booking_id: int, prison_code: str) -> dict[str, Any]:
    """What the person's custody tab shows of offender management (access already checked by the
    tab's own read): the allocation, its history and who may be allocated."""
    prison = await prison_by_code(db, prison_code)
    return {
        "offender_manager": await booking_panel(db, booking_id, prison.code),
        "offender_manager_options": await offender_managers(db, prison.id),
    }


async def booking_offender_manager(db: AsyncSession, actor: Actor, booking_id: int) -> BookingOffenderManagerOut:
    booking = await db.get(Booking, booking_id)
    if booking is None:
        raise NotFound(f"There is no booking with id {booking_id}.")
    await ensure_or_record_refusal(
        db,
        actor,
        "custody:read",
        prison_resource([booking.prison_unit_id], id=booking_id),
        "custody.offender_manager.read",
    )
    await ensure_may_see(db, actor, booking.person_id, "custody.offender_manager.read")
    out = await booking_panel(db, booking.id, (await prison_by_id(db, booking.prison_unit_id)).code)
    await record(db, actor, "custody.offender_manager.read", "custody_booking", booking_id)
    await db.commit()
    return out


# -- lists -------------------------------------------------------------------------------------------


def _row_columns() -> tuple[list[Any], Any]:
    flags = (
        select(func.array_agg(func.distinct(regs_t.c.type_code)).label("flags"))
        .where(regs_t.c.person_id == bookings_t.c.person_id, regs_t.c.ended_on.is_(None))
        .lateral("flags")
    )
    return [
        bookings_t.c.id,
        bookings_t.c.person_id,
        (persons_t.c.given_name + " " + persons_t.c.family_name).label("person_name"),
        bookings_t.c.prison_number,
        bookings_t.c.legal_status,
        bookings_t.c.location,
        bookings_t.c.out_reason,
        calcs_t.c.release_date,
        calcs_t.c.hdced,
        calcs_t.c.dates,
        flags.c.flags,
    ], flags


def _dated(kind: str, dates: Sequence[dict[str, Any]] | None) -> date | None:
    for d in dates or []:
        if d.get("kind") == kind and d.get("date"):
            return date.fromisoformat(str(d["date"]))
    return None


def _prisoner_row(r: Any, offender_manager: str | None = None) -> PrisonerRow:
    kinds = {d.get("kind") for d in (r.dates or [])}
    return PrisonerRow(
        booking_id=r.id,
        person_id=r.person_id,
        person_name=r.person_name,
        prison_number=r.prison_number,
        legal_status=r.legal_status,
        location=r.location,
        out_reason=r.out_reason,
        release_date=r.release_date,
        release_kind=None if r.release_date is None else ("ARD" if "ARD" in kinds else "CRD"),
        hdced=r.hdced,
        ped=_dated("PED", r.dates),
        flags=sorted(r.flags or []),
        offender_manager=offender_manager,
    )


async def _redacted(db: AsyncSession, actor: Actor, items: list[PrisonerRow], purpose: str) -> list[PrisonerRow]:
    """Rows of people the actor may not see (limited access) keep only their place: one query."""
    hidden = await withheld_person_ids(db, actor, [i.person_id for i in items], purpose)
    return [_withheld_row(i) if i.person_id in hidden else i for i in items]


def _withheld_row(row: PrisonerRow) -> PrisonerRow:
    return PrisonerRow(
        booking_id=row.booking_id,
        person_id=row.person_id,
        person_name=None,
        prison_number=None,
        legal_status=None,
        location=None,
        out_reason=None,
        release_date=None,
        release_kind=None,
        hdced=None,
        ped=None,
        flags=[],
        restricted=True,
    )


def _current_calculation() -> Any:
    return and_(calcs_t.c.person_id == bookings_t.c.person_id, calcs_t.c.current.is_(True))


def _page_rows(page_ids: Any, ordering: Sequence[Any]) -> Any:
    """The list's columns for the page's bookings only: the name, the current calculation and the
    flags are looked up for these rows, not for every prisoner of the prison."""
    columns, flags = _row_columns()
    source = (
        page_ids.join(bookings_t, bookings_t.c.id == page_ids.c.id)
        .join(persons_t, persons_t.c.id == bookings_t.c.person_id)
        .outerjoin(calcs_t, _current_calculation())
        .join(flags, true())
    )
    return select(*columns).select_from(source).order_by(*ordering)


async def my_prisoners(
    db: AsyncSession, actor: Actor, staff_id: int | None = None, page: int = 1, page_size: int = 50
) -> PrisonerListOut:
    """A prison offender manager's list: the prisoners allocated to them (or, for a colleague of the
    same prison, to STAFF_ID), soonest release first. Refused outside the prison."""
    prison = await actor_prison(db, actor, None)
    await ensure_or_record_refusal(
        db, actor, "custody:read", prison_resource([prison.id]), "custody.offender_manager.list.read"
    )
    whose = staff_id if staff_id is not None else (actor.id if actor.kind is ActorKind.STAFF else None)
    if whose is None:
        raise ValidationFailed(FieldError("staff_id", "Say whose list to show."))
    if whose != actor.id:
        unit = await db.scalar(select(staff_t.c.unit_id).where(staff_t.c.id == whose))
        if unit is None:
            raise NotFound(f"There is no member of staff with id {whose}.")
        if unit != prison.id:
            raise ValidationFailed(FieldError("staff_id", f"That member of staff is not at {prison.name}."))
    page, page_size = _page(page, page_size)
    where = [
        bookings_t.c.prison_unit_id == prison.id,
        bookings_t.c.status == "active",
        allocations_t.c.staff_id == whose,
    ]
    allocated = bookings_t.join(allocations_t, _current_at_booking_prison())
    total = await db.scalar(select(func.count()).select_from(allocated).where(*where)) or 0
    ordering = (calcs_t.c.release_date.nulls_last(), persons_t.c.family_name, bookings_t.c.id)
    page_ids = (
        select(bookings_t.c.id)
        .select_from(
            allocated.join(persons_t, persons_t.c.id == bookings_t.c.person_id).outerjoin(
                calcs_t, _current_calculation()
            )
        )
        .where(*where)
        .order_by(*ordering)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .subquery("page_ids")
    )
    rows = await db.execute(_page_rows(page_ids, ordering))
    items = await _redacted(db, actor, [_prisoner_row(r) for r in rows], "custody.offender_manager.list")
    await record(
        db, actor, "custody.offender_manager.list.read", "prison", prison.code, detail={"staff_id": whose, "page": page}
    )
    await db.commit()
    return PrisonerListOut(
        prison_code=prison.code,
        prison_name=prison.name,
        staff_id=whose,
        items=items,
        page=page,
        page_size=page_size,
        total=total,
    )


async def unallocated(
    db: AsyncSession, actor: Actor, prison_code: str | None, page: int = 1, page_size: int = 50
) -> PrisonerListOut:
    """The prison's prisoners with no offender manager, longest in custody first."""
    prison = await actor_prison(db, actor, prison_code)
    await ensure_or_record_refusal(
        db, actor, "custody:read", prison_resource([prison.id]), "custody.offender_manager.unallocated.read"
    )
    page, page_size = _page(page, page_size)
    where = [
        bookings_t.c.prison_unit_id == prison.id,
        bookings_t.c.status == "active",
        allocations_t.c.id.is_(None),
    ]
    # Counted and paged on the bookings alone (ix_custody_bookings_active_received, index only).
    unallocated_bookings = bookings_t.outerjoin(allocations_t, _current_at_booking_prison())
    total = await db.scalar(select(func.count()).select_from(unallocated_bookings).where(*where)) or 0
    ordering = (bookings_t.c.received_at, bookings_t.c.id)
    page_ids = (
        select(bookings_t.c.id)
        .select_from(unallocated_bookings)
        .where(*where)
        .order_by(*ordering)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .subquery("page_ids")
    )
    rows = await db.execute(_page_rows(page_ids, ordering))
    items = await _redacted(db, actor, [_prisoner_row(r) for r in rows], "custody.offender_manager.unallocated")
    await record(db, actor, "custody.offender_manager.unallocated.read", "prison", prison.code, detail={"page": page})
    await db.commit()
    return PrisonerListOut(
        prison_code=prison.code, prison_name=prison.name, items=items, page=page, page_size=page_size, total=total
    )


async def prison_offender_managers(
    db: AsyncSession, actor: Actor, prison_code: str | None
) -> tuple[Prison, list[OffenderManagerOption]]:
    """Who may be allocated at a prison (its prison offender managers), for the prison's staff."""
    prison = await actor_prison(db, actor, prison_code)
    await ensure_or_record_refusal(
        db, actor, "custody:read", prison_resource([prison.id]), "custody.offender_managers.read"
    )
    return prison, await offender_managers(db, prison.id)
