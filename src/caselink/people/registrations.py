"""Registrations (risk flags) on a person's record: add, review, end, list.

Each registration has an owner (a member of staff) and the owner's unit, a start date and a
review date. Adding or reviewing one puts a review task in the owner's work queue, due
``REVIEW_NOTICE_WORKING_DAYS`` working days before the review date (de-duplicated per
registration and review date, so a retry never creates two). Ending keeps the row with its reason;
every change is a history row, audited, and emits ``people.registration.added|reviewed|ended``.

Reading or changing a person's flags obeys limited access like every other read of the person.
"""

from __future__ import annotations

import calendar
import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts.models import Staff
from caselink.organisations.service import event_area_of
from caselink.people import limited_access
from caselink.people.models import Person
from caselink.people.registration_models import PersonRegistration, PersonRegistrationHistory, RegistrationType
from caselink.platform.access.actor import SYSTEM, Actor, ActorKind
from caselink.platform.access.policy import check
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from caselink.platform.events.service import emit
from caselink.platform.tasks.rules import CalendarRangeError, add_working_days
from caselink.platform.tasks.service import cancel_task, create_task
from caselink.platform.tasks.service import today as uk_today

# The review task falls due this many working days before the review date.
REVIEW_NOTICE_WORKING_DAYS = 10
MAX_NOTES = 2000


@dataclass(frozen=True)
class FlagInput:
    """A new registration as typed (page form or API body)."""

    type_code: str
    level: str | None = None
    category: str | None = None
    start_date: date | None = None
    review_date: date | None = None  # default: start + the type's review period
    owner_staff_id: int | None = None  # default: the member of staff adding it
    notes: str | None = None


@dataclass(frozen=True)
class FlagView:
    id: int
    person_id: int
    type_code: str
    type_name: str
    warns: bool
    level: str | None
    category: str | None
    notes: str | None
    owner_staff_id: int
    owner_name: str
    owner_unit_id: int
    start_date: date
    review_date: date
    ended_on: date | None
    end_reason: str | None
    review_task_id: int | None

    @property
    def active(self) -> bool:
        return self.ended_on is None

    @property
    def label(self) -> str:
        """ "MAPPA level 2, category 1", "Risk of serious harm: very high", "Self-harm"."""
        if self.type_code == "MAPPA" and self.level:
            return f"MAPPA level {self.level}" + (f", category {self.category}" if self.category else "")
        if self.level:
            return f"{self.type_name}: {self.level.replace('_', ' ').lower()}"
        return self.type_name

    def as_json(self) -> dict[str, object]:
        """The shape of a flag in the person API (``flags``) and the flags API."""
        return {
            "id": self.id,
            "type": self.type_code,
            "name": self.type_name,
            "label": self.label,
            "warns": self.warns,
            "level": self.level,
            "category": self.category,
            "start_date": self.start_date.isoformat(),
            "review_date": self.review_date.isoformat(),
            "owner": {"staff_id": self.owner_staff_id, "name": self.owner_name, "unit_id": self.owner_unit_id},
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
            "end_reason": self.end_reason,
            # The person page's warning text reads ``text``.
            "text": self.label,
        }


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_task_due(review_date: date, today: date) -> date:
    """When the review task falls due: the notice period before the review, but never in the past."""
    try:
        due = add_working_days(review_date, -REVIEW_NOTICE_WORKING_DAYS)
    except CalendarRangeError:
        raise ValidationFailed(FieldError("review_date", "Enter a review date within the next few years")) from None
    return max(due, today)


# --- reading ------------------------------------------------------------------------------------


async def list_types(db: AsyncSession) -> list[RegistrationType]:
    return list(
        (
            await db.execute(
                select(RegistrationType).where(RegistrationType.active).order_by(RegistrationType.sort_order)
            )
        ).scalars()
    )


async def _views(db: AsyncSession, person_ids: list[int], active_only: bool) -> list[FlagView]:
    stmt = (
        select(PersonRegistration, RegistrationType.name, RegistrationType.warns, Staff.display_name)
        .join(RegistrationType, RegistrationType.code == PersonRegistration.type_code)
        .join(Staff, Staff.id == PersonRegistration.owner_staff_id)
        .where(PersonRegistration.person_id.in_(person_ids))
        .order_by(PersonRegistration.ended_on.desc().nulls_first(), RegistrationType.sort_order, PersonRegistration.id)
    )
    if active_only:
        stmt = stmt.where(PersonRegistration.ended_on.is_(None))
    return [
        FlagView(
            reg.id,
            reg.person_id,
            reg.type_code,
            name,
            warns,
            reg.level,
            reg.category,
            reg.notes,
            reg.owner_staff_id,
            owner,
            reg.owner_unit_id,
            reg.start_date,
            reg.review_date,
            reg.ended_on,
            reg.end_reason,
            reg.review_task_id,
        )
        for reg, name, warns, owner in (await db.execute(stmt)).all()
    ]


async def active_flags(db: AsyncSession, person_id: int) -> list[FlagView]:
    """The person's live registrations, most serious types first. No access check: for callers
    that have already checked (``service.get_person``)."""
    return await _views(db, [person_id], active_only=True)


async def list_flags(db: AsyncSession, actor: Actor, person_id: int) -> list[FlagView]:
    """Live and ended registrations of one person (history included); audited as a read."""
    check(actor, "people:read")
    await _person_or_404(db, person_id)
    await limited_access.ensure_may_see(db, actor, person_id, "person.flags.read")
    flags = await _views(db, [person_id], active_only=False)
    await record(db, actor, "person.flags.read", "person", person_id)
    await db.commit()
    return flags


async def history(db: AsyncSession, registration_ids: list[int]) -> dict[int, list[PersonRegistrationHistory]]:
    rows = (
        await db.execute(
            select(PersonRegistrationHistory)
            .where(PersonRegistrationHistory.registration_id.in_(registration_ids))
            .order_by(PersonRegistrationHistory.id)
        )
    ).scalars()
    found: dict[int, list[PersonRegistrationHistory]] = {}
    for row in rows:
        found.setdefault(row.registration_id, []).append(row)
    return found


# --- checks -------------------------------------------------------------------------------------


async def _person_or_404(db: AsyncSession, person_id: int) -> None:
    if await db.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise NotFound(f"There is no person with id {person_id}.")


def _check_agency(actor: Actor, kind: RegistrationType) -> None:
    """Some registrations belong to one agency (MAPPA and RoSH to probation): only its staff change them."""
    if kind.agency is None or actor.kind is ActorKind.SYSTEM:
        return
    if actor.agency != kind.agency:
        raise Forbidden(f"Only {kind.agency} staff can add, review or end {kind.name} registrations.")


def _level_errors(kind: RegistrationType, level: str | None, category: str | None) -> list[FieldError]:
    errors: list[FieldError] = []
    level = (level or "").strip().upper() or None
    category = (category or "").strip().upper() or None
    if kind.levels:
        if level is None:
            what = "MAPPA level" if kind.code == "MAPPA" else f"{kind.name} level"
            errors.append(FieldError("level", f"Choose the {what}: {', '.join(kind.levels)}"))
        elif level not in kind.levels:
            errors.append(FieldError("level", f"Level must be one of {', '.join(kind.levels)}"))
    elif level is not None:
        errors.append(FieldError("level", f"{kind.name} registrations have no level"))
    if kind.categories:
        if category is None:
            errors.append(FieldError("category", f"Choose the {kind.name} category: {', '.join(kind.categories)}"))
        elif category not in kind.categories:
            errors.append(FieldError("category", f"Category must be one of {', '.join(kind.categories)}"))
    elif category is not None:
        errors.append(FieldError("category", f"{kind.name} registrations have no category"))
    return errors


def _tidy(value: str | None) -> str | None:
    return (value or "").strip().upper() or None


async def _owner(db: AsyncSession, staff_id: int, field: str) -> tuple[int, int, str]:
    row = (
        await db.execute(select(Staff.id, Staff.unit_id, Staff.display_name, Staff.status).where(Staff.id == staff_id))
    ).first()
    if row is None or row.status != "active":
        raise ValidationFailed(FieldError(field, f"There is no active member of staff with id {staff_id}"))
    return row.id, row.unit_id, row.display_name


async def _schedule_review(
    db: AsyncSession, actor: Actor, reg: PersonRegistration, kind: RegistrationType, today: date
) -> None:
    task = await create_task(
        db,
        SYSTEM if actor.kind is not ActorKind.STAFF else actor,
        type="people.registration.review",
        title=f"Review the {kind.name} registration",
        description=f"Review due on {reg.review_date.strftime('%d %B %Y')}.",
        subject_type="person",
        subject_id=reg.person_id,
        owner_type="staff",
        owner_id=reg.owner_staff_id,
        unit_id=reg.owner_unit_id,
        due_date=review_task_due(reg.review_date, today),
        dedupe_key=f"registration-review:{reg.id}:{reg.review_date.isoformat()}",
        details={"registration_id": reg.id, "review_date": reg.review_date.isoformat()},
        commit=False,
    )
    reg.review_task_id = task.id


async def _close_review_task(db: AsyncSession, reg: PersonRegistration, why: str) -> None:
    if reg.review_task_id is None:
        return
    # Caselink closes it: whoever reviewed need not be the task's owner. It may already have been
    # completed or cancelled by its owner.
    with contextlib.suppress(Conflict, NotFound):
        await cancel_task(db, SYSTEM, reg.review_task_id, why, commit=False)


async def _emit(db: AsyncSession, event: str, reg: PersonRegistration, data: dict[str, Any]) -> None:
    await emit(
        db,
        f"people.registration.{event}",
        f"person/{reg.person_id}/registration/{reg.id}",
        person_ids={"person": reg.person_id},
        data={"registrationId": reg.id, "type": reg.type_code, **data, **await event_area_of(db, reg.owner_unit_id)},
        detail_url=f"/api/v1/people/{reg.person_id}/flags",
    )


# --- changing -----------------------------------------------------------------------------------


async def add_flag(
    db: AsyncSession, actor: Actor, person_id: int, data: FlagInput, today: date | None = None
) -> FlagView:
    """Add a registration; every problem is reported at once and nothing is written on error."""
    check(actor, "people:flags")
    today = today or uk_today()
    await _person_or_404(db, person_id)
    await limited_access.ensure_may_see(db, actor, person_id, "person.flag.add")
    errors: list[FieldError] = []
    kind = await db.get(RegistrationType, (data.type_code or "").strip().upper())
    if kind is None or not kind.active:
        codes = ", ".join(t.code for t in await list_types(db))
        errors.append(FieldError("type", f"Choose a registration type: {codes}"))
    else:
        _check_agency(actor, kind)
        errors += _level_errors(kind, data.level, data.category)
    start = data.start_date or today
    if start > today:
        errors.append(FieldError("start_date", "Start date must be today or in the past"))
    review = data.review_date
    if review is None and kind is not None:
        review = add_months(start, kind.review_months)
    if review is not None and review <= start:
        errors.append(FieldError("review_date", "Review date must be after the start date"))
    elif review is not None and review < today:
        errors.append(FieldError("review_date", "Review date must be today or in the future"))
    notes = (data.notes or "").strip() or None
    if notes and len(notes) > MAX_NOTES:
        errors.append(FieldError("notes", f"Notes must be {MAX_NOTES:,} characters or fewer"))
    owner_id = data.owner_staff_id or (actor.id if actor.kind is ActorKind.STAFF else None)
    if owner_id is None:
        errors.append(FieldError("owner_staff_id", "Say which member of staff owns this registration"))
    if errors:
        raise ValidationFailed(errors)
    assert kind is not None and review is not None and owner_id is not None
    owner_id, owner_unit, _ = await _owner(db, owner_id, "owner_staff_id")
    live = select(PersonRegistration.id).where(
        PersonRegistration.person_id == person_id,
        PersonRegistration.type_code == kind.code,
        PersonRegistration.ended_on.is_(None),
    )
    if await db.scalar(live) is not None:
        raise ValidationFailed(
            FieldError("type", f"This person already has a live {kind.name} registration: review or end it instead")
        )

    reg = PersonRegistration(
        person_id=person_id,
        type_code=kind.code,
        level=_tidy(data.level),
        category=_tidy(data.category),
        notes=notes,
        owner_staff_id=owner_id,
        owner_unit_id=owner_unit,
        start_date=start,
        review_date=review,
        created_by=actor.audit_label,
    )
    db.add(reg)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise ValidationFailed(
            FieldError("type", f"This person already has a live {kind.name} registration: review or end it instead")
        ) from None
    await _schedule_review(db, actor, reg, kind, today)
    detail = {"level": reg.level, "category": reg.category, "start_date": start.isoformat()}
    detail["review_date"] = review.isoformat()
    db.add(PersonRegistrationHistory(registration_id=reg.id, action="added", actor=actor.audit_label, detail=detail))
    await record(db, actor, "person.flag.add", "person", person_id, detail={"registration_id": reg.id, **detail})
    await _emit(db, "added", reg, {"level": reg.level, "category": reg.category, "reviewDate": review.isoformat()})
    await db.flush()
    view = next(v for v in await _views(db, [person_id], active_only=True) if v.id == reg.id)
    await db.commit()
    return view


async def _live_registration(
    db: AsyncSession, actor: Actor, person_id: int, flag_id: int, action: str
) -> tuple[PersonRegistration, RegistrationType]:
    check(actor, "people:flags")
    await _person_or_404(db, person_id)
    await limited_access.ensure_may_see(db, actor, person_id, action)
    reg = await db.scalar(
        select(PersonRegistration)
        .where(PersonRegistration.id == flag_id, PersonRegistration.person_id == person_id)
        .with_for_update()
    )
    if reg is None:
        raise NotFound(f"Person {person_id} has no registration {flag_id}.")
    if reg.ended_on is not None:
        raise Conflict(f"This registration ended on {reg.ended_on.strftime('%d %B %Y')}, so it cannot be changed.")
    kind = await db.get_one(RegistrationType, reg.type_code)
    _check_agency(actor, kind)
    return reg, kind


async def review_flag(
    db: AsyncSession,
    actor: Actor,
    person_id: int,
    flag_id: int,
    *,
    next_review_date: date | None = None,
    level: str | None = None,
    category: str | None = None,
    notes: str | None = None,
    today: date | None = None,
) -> FlagView:
    """Record a review: the next review date (default: today + the type's period) and, for RoSH and
    MAPPA, the level and category now (unchanged when not given)."""
    today = today or uk_today()
    reg, kind = await _live_registration(db, actor, person_id, flag_id, "person.flag.review")
    new_level = _tidy(level) or reg.level
    new_category = _tidy(category) or reg.category
    errors = _level_errors(kind, new_level, new_category)
    next_review = next_review_date or add_months(today, kind.review_months)
    if next_review <= today:
        errors.append(FieldError("next_review_date", "Next review date must be in the future"))
    tidy_notes = (notes or "").strip() or None
    if tidy_notes and len(tidy_notes) > MAX_NOTES:
        errors.append(FieldError("notes", f"Notes must be {MAX_NOTES:,} characters or fewer"))
    if errors:
        raise ValidationFailed(errors)
    review_task_due(next_review, today)  # refuses a date the working-day calendar cannot count to
    detail = {
        "reviewed_on": today.isoformat(),
        "previous_review_date": reg.review_date.isoformat(),
        "review_date": next_review.isoformat(),
        "level": new_level,
        "category": new_category,
        "previous_level": reg.level,
        "previous_category": reg.category,
        "notes": tidy_notes,
    }
    await _close_review_task(db, reg, "Registration reviewed")
    reg.level, reg.category, reg.review_date = new_level, new_category, next_review
    await _schedule_review(db, actor, reg, kind, today)
    db.add(PersonRegistrationHistory(registration_id=reg.id, action="reviewed", actor=actor.audit_label, detail=detail))
    await record(db, actor, "person.flag.review", "person", person_id, detail={"registration_id": reg.id, **detail})
    await _emit(
        db, "reviewed", reg, {"level": new_level, "category": new_category, "reviewDate": next_review.isoformat()}
    )
    await db.flush()
    view = next(v for v in await _views(db, [person_id], active_only=True) if v.id == reg.id)
    await db.commit()
    return view


async def end_flag(
    db: AsyncSession,
    actor: Actor,
    person_id: int,
    flag_id: int,
    *,
    reason: str,
    ended_on: date | None = None,
    today: date | None = None,
) -> FlagView:
    """End a registration with a reason; it stays in the history, no longer warns."""
    today = today or uk_today()
    reg, _ = await _live_registration(db, actor, person_id, flag_id, "person.flag.end")
    end = ended_on or today
    errors: list[FieldError] = []
    why = (reason or "").strip()
    if not why:
        errors.append(FieldError("reason", "Say why the registration is ending"))
    elif len(why) > MAX_NOTES:
        errors.append(FieldError("reason", f"Reason must be {MAX_NOTES:,} characters or fewer"))
    if end < reg.start_date:
        errors.append(
            FieldError(
                "ended_on", f"End date must be on or after the start date, {reg.start_date.strftime('%d %B %Y')}"
            )
        )
    elif end > today:
        errors.append(FieldError("ended_on", "End date must be today or in the past"))
    if errors:
        raise ValidationFailed(errors)
    await _close_review_task(db, reg, "Registration ended")
    reg.ended_on, reg.end_reason = end, why
    detail = {"ended_on": end.isoformat(), "reason": why}
    db.add(PersonRegistrationHistory(registration_id=reg.id, action="ended", actor=actor.audit_label, detail=detail))
    await record(db, actor, "person.flag.end", "person", person_id, detail={"registration_id": reg.id, **detail})
    await _emit(db, "ended", reg, {"endedOn": end.isoformat()})
    await db.flush()
    view = next(v for v in await _views(db, [person_id], active_only=False) if v.id == reg.id)
    await db.commit()
    return view
