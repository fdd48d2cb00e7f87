"""Changing a person's details after creation: names, date of birth and the other personal
details, addresses (with their history), aliases and contact details.

Every change is checked whole before anything is written (all problems at once, nothing half
changed), respects limited access, is kept field by field in ``person_changes`` (what, old, new,
who, when, why), audited, and announced with a thin event: ``people.person.updated`` or
``people.address.changed`` carrying the person's id and the kind of change.

A changed primary name is written to ``persons`` and to its PRIMARY ``person_names`` row together
(search reads the latter), and the old name is kept as a PREVIOUS name so the person can still be
found by it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.service import actor_event_area
from caselink.people import limited_access
from caselink.people.details_models import ChangeKind, PersonChange
from caselink.people.details_schemas import AddressEnd, AddressIn, AliasIn, ContactEnd, ContactIn, DetailsChange
from caselink.people.merge import PersonReference, register_person_reference
from caselink.people.models import ContactKind, NameType, Person, PersonAddress, PersonContact, PersonName, Sex
from caselink.people.rules import fold_name, normalise_postcode
from caselink.platform.access.actor import Actor
from caselink.platform.access.policy import check
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from caselink.platform.events.service import emit

# A merge moves the history with the rest of the record (and an unmerge moves it back).
register_person_reference(PersonReference("person_changes", "person_id", label="History of changes"))

OLDEST_BIRTH_YEAR = 1900
HISTORY_PAGE_SIZE = 20
MAX_HISTORY_PAGE_SIZE = 100
PERSON_UPDATED = "people.person.updated"
ADDRESS_CHANGED = "people.address.changed"

# ONS 2021 census ethnic group codes: A (Asian), B (Black), M (Mixed), O (Other), W (White), with a number.
_ETHNICITY = re.compile(r"[ABMOW][1-9]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"\+?[0-9]{10,15}")
ALIAS_TYPES = [t.value for t in NameType if t is not NameType.PRIMARY]
SEX_CHOICES = "MALE, FEMALE, NOT_KNOWN or NOT_SPECIFIED"
POSTCODE_MESSAGE = "Enter a real postcode, like SW1A 1AA"

# The personal details PATCH may change, in the order the history lists them.
DETAIL_FIELDS = (
    "given_name",
    "middle_names",
    "family_name",
    "date_of_birth",
    "sex",
    "gender_identity",
    "nationality",
    "ethnicity",
    "language",
    "interpreter_needed",
)
NAME_FIELDS = ("given_name", "middle_names", "family_name")


# --- shared steps -------------------------------------------------------------------------------


async def _writable(db: AsyncSession, actor: Actor, person_id: int, action: str) -> Person:
    """The person, locked for this change, once the actor may change them."""
    check(actor, "people:write")
    if await db.get(Person, person_id) is None:
        raise NotFound(f"There is no person with id {person_id}.")
    await limited_access.ensure_may_see(db, actor, person_id, action)
    # The lock keeps the primary name, its mirror row and the one current address in step.
    person = (
        await db.execute(
            select(Person).where(Person.id == person_id).with_for_update().execution_options(populate_existing=True)
        )
    ).scalar_one()
    if person.merged_into_id is not None:
        raise Conflict(
            f"This record was merged into person {person.merged_into_id}; change that record instead.",
            extra={"merged_into": person.merged_into_id},
        )
    return person


def _reason(text: str | None) -> str | None:
    return (text or "").strip() or None


def _shown(value: object) -> str | None:
    """A value as kept in the history."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def address_line(address: PersonAddress) -> str:
    if address.no_fixed_abode:
        return "No fixed abode" + (f" ({address.town})" if address.town else "")
    parts = [address.line1, address.line2, address.line3, address.town, address.county, address.postcode]
    return ", ".join(p for p in parts if p)


def _change(
    person_id: int, actor: Actor, kind: ChangeKind, field: str, old: object, new: object, reason: str | None
) -> PersonChange:
    return PersonChange(
        person_id=person_id,
        kind=kind.value,
        field=field,
        old_value=_shown(old),
        new_value=_shown(new),
        reason=reason,
        changed_by=actor.audit_label,
        changed_by_id=actor.id,
    )


async def _finish(
    db: AsyncSession,
    actor: Actor,
    person_id: int,
    changes: Sequence[PersonChange],
    action: str,
    event_type: str,
    change: str,
    reason: str | None,
    extra: dict[str, Any] | None = None,
) -> list[PersonChange]:
    """Keep the history, audit, emit and commit one change."""
    db.add_all(changes)
    await db.flush()
    await record(
        db,
        actor,
        action,
        "person",
        person_id,
        detail={"fields": [c.field for c in changes], "reason": reason, **(extra or {})},
    )
    await emit(
        db,
        event_type,
        f"person/{person_id}",
        person_ids={"person": person_id},
        data={"change": change, **(extra or {}), **actor_event_area(actor)},
        detail_url=f"/api/v1/people/{person_id}/history",
    )
    await db.commit()
    for row in changes:
        await db.refresh(row)
    return list(changes)


# --- personal details ---------------------------------------------------------------------------


def _dob_errors(value: date | None, today: date) -> list[FieldError]:
    if value is None:
        return []
    if value > today:
        return [FieldError("date_of_birth", "Date of birth must be today or in the past")]
    if value.year < OLDEST_BIRTH_YEAR:
        return [FieldError("date_of_birth", f"Date of birth must be after {OLDEST_BIRTH_YEAR}")]
    return []


def check_details_change(change: DetailsChange, today: date) -> dict[str, object]:
    """The fields sent, tidied to what is stored; raises ValidationFailed with every problem."""
    sent = {name: getattr(change, name) for name in DETAIL_FIELDS if name in change.model_fields_set}
    errors: list[FieldError] = []
    wanted: dict[str, object] = {}
    for name, value in sent.items():
        if isinstance(value, str):
            value = value.strip() or None
        if name == "family_name":
            if value is None or not fold_name(str(value)):
                errors.append(FieldError("family_name", "Enter a family name"))
        elif name == "given_name":
            value = value or ""  # a person may be recorded with a family name only
        elif name == "date_of_birth":
            errors += _dob_errors(change.date_of_birth, today)
        elif name == "sex":
            value = str(value or "").upper()
            if value not in {s.value for s in Sex}:
                errors.append(FieldError("sex", f"Choose {SEX_CHOICES}"))
        elif name == "ethnicity" and value is not None:
            value = str(value).upper()
            if not _ETHNICITY.fullmatch(value):
                errors.append(FieldError("ethnicity", "Enter an ONS 2021 ethnic group code, like W1, A2 or M4"))
        elif name == "interpreter_needed" and value is None:
            errors.append(FieldError("interpreter_needed", "Say whether the person needs an interpreter"))
        wanted[name] = value
    if errors:
        raise ValidationFailed(errors)
    return wanted


async def change_details(
    db: AsyncSession, actor: Actor, person_id: int, change: DetailsChange, today: date | None = None
) -> list[PersonChange]:
    """Change the personal details sent; returns the history rows written (none when nothing differed)."""
    wanted = check_details_change(change, today or date.today())
    person = await _writable(db, actor, person_id, "person.update")
    reason = _reason(change.reason)
    differing = {name: value for name, value in wanted.items() if getattr(person, name) != value}
    if not differing:
        await db.commit()  # releases the lock; nothing to record
        return []
    changes = [
        _change(person_id, actor, ChangeKind.DETAILS, name, getattr(person, name), value, reason)
        for name, value in differing.items()
    ]
    if any(name in differing for name in NAME_FIELDS):
        await _rename(db, person, {n: differing.get(n, getattr(person, n)) for n in NAME_FIELDS})
    for name, value in differing.items():
        setattr(person, name, value)
    return await _finish(db, actor, person_id, changes, "person.update", PERSON_UPDATED, "details", reason)


async def _rename(db: AsyncSession, person: Person, new: dict[str, Any]) -> None:
    """Move the PRIMARY name row to the new name and keep the old one as a PREVIOUS name."""
    names = list((await db.execute(select(PersonName).where(PersonName.person_id == person.id))).scalars())
    old_key = (fold_name(person.given_name), fold_name(person.family_name))
    new_key = (fold_name(new["given_name"]), fold_name(new["family_name"]))
    primary = next((n for n in names if n.name_type == NameType.PRIMARY.value), None)
    if primary is None:  # an older record without its mirror row: give it one
        primary = PersonName(person_id=person.id, name_type=NameType.PRIMARY.value)
        db.add(primary)
    primary.given_name = new["given_name"]
    primary.middle_names = new["middle_names"]
    primary.family_name = new["family_name"]
    primary.given_name_norm, primary.family_name_norm = new_key
    already_kept = any(
        (n.given_name_norm, n.family_name_norm) == old_key for n in names if n.name_type != NameType.PRIMARY.value
    )
    if old_key != new_key and not already_kept:
        db.add(
            PersonName(
                person_id=person.id,
                name_type=NameType.PREVIOUS.value,
                given_name=person.given_name,
                middle_names=person.middle_names,
                family_name=person.family_name,
                given_name_norm=old_key[0],
                family_name_norm=old_key[1],
            )
        )


# --- addresses ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedAddress:
    address: AddressIn
    postcode: str | None


def check_address(address: AddressIn, today: date) -> CheckedAddress:
    errors: list[FieldError] = []
    if not address.no_fixed_abode and not address.line1:
        errors.append(FieldError("line1", "Enter the first line of the address, or say the person has no fixed abode"))
    postcode = None
    if address.postcode:
        postcode = normalise_postcode(address.postcode)
        if postcode is None:
            errors.append(FieldError("postcode", POSTCODE_MESSAGE))
    if address.from_date and address.from_date > today:
        errors.append(FieldError("from_date", "The date they moved in must be today or in the past"))
    if address.to_date and address.to_date > today:
        errors.append(FieldError("to_date", "The date they moved out must be today or in the past"))
    elif address.to_date and address.from_date and address.to_date < address.from_date:
        errors.append(FieldError("to_date", "The date they moved out must be the same as or after they moved in"))
    if errors:
        raise ValidationFailed(errors)
    return CheckedAddress(address, postcode)


async def add_address(
    db: AsyncSession, actor: Actor, person_id: int, address: AddressIn, today: date | None = None
) -> tuple[int, list[PersonChange]]:
    """Record an address. Without a to-date it becomes the current one, and the previous current
    address ends the day this one starts (today when no start is given)."""
    today = today or date.today()
    checked = check_address(address, today)
    await _writable(db, actor, person_id, "person.address.add")
    reason = _reason(address.reason)
    becomes_current = address.to_date is None
    previous: list[PersonAddress] = []
    if becomes_current:
        previous = list(
            (
                await db.execute(
                    select(PersonAddress).where(PersonAddress.person_id == person_id, PersonAddress.is_current)
                )
            ).scalars()
        )
        moved_in = address.from_date or today
        for old in previous:
            if old.from_date and old.from_date > moved_in:
                raise ValidationFailed(
                    [
                        FieldError(
                            "from_date",
                            "The date they moved in must be after they moved into their current address "
                            f"({old.from_date.strftime('%d/%m/%Y')})",
                        )
                    ]
                )
    new = PersonAddress(
        person_id=person_id,
        line1=address.line1 or ("No fixed abode" if address.no_fixed_abode else ""),
        line2=address.line2 or None,
        line3=address.line3 or None,
        town=address.town or None,
        county=address.county or None,
        postcode=checked.postcode,
        no_fixed_abode=address.no_fixed_abode,
        from_date=address.from_date or (today if becomes_current else None),
        to_date=address.to_date,
        is_current=becomes_current,
    )
    db.add(new)
    for old in previous:
        old.is_current = False
        old.to_date = new.from_date
    await db.flush()
    field = "address" if becomes_current else "previous_address"
    old_line = "; ".join(address_line(a) for a in previous) or None
    changes = [_change(person_id, actor, ChangeKind.ADDRESS, field, old_line, address_line(new), reason)]
    written = await _finish(
        db,
        actor,
        person_id,
        changes,
        "person.address.add",
        ADDRESS_CHANGED,
        "added",
        reason,
        {"address_id": new.id, "current": becomes_current},
    )
    return new.id, written


async def end_address(
    db: AsyncSession, actor: Actor, person_id: int, address_id: int, end: AddressEnd, today: date | None = None
) -> list[PersonChange]:
    """The person no longer lives at this address (from the day after ``to_date``)."""
    today = today or date.today()
    to_date = end.to_date or today
    await _writable(db, actor, person_id, "person.address.end")
    address = await db.get(PersonAddress, address_id)
    if address is None or address.person_id != person_id:
        raise NotFound(f"Person {person_id} has no address with id {address_id}.")
    if address.to_date is not None and not address.is_current:
        raise Conflict("This address has already ended.")
    errors = []
    if to_date > today:
        errors.append(FieldError("to_date", "The date they moved out must be today or in the past"))
    elif address.from_date and to_date < address.from_date:
        errors.append(
            FieldError(
                "to_date",
                "The date they moved out must be the same as or after they moved in "
                f"({address.from_date.strftime('%d/%m/%Y')})",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    address.to_date = to_date
    address.is_current = False
    reason = _reason(end.reason)
    changes = [_change(person_id, actor, ChangeKind.ADDRESS, "address", address_line(address), None, reason)]
    return await _finish(
        db,
        actor,
        person_id,
        changes,
        "person.address.end",
        ADDRESS_CHANGED,
        "ended",
        reason,
        {"address_id": address_id, "current": False},
    )


# --- aliases ------------------------------------------------------------------------------------


async def add_alias(db: AsyncSession, actor: Actor, person_id: int, alias: AliasIn) -> tuple[int, list[PersonChange]]:
    """Another name the person is known by; search finds them by it at once."""
    errors = []
    name_type = alias.name_type.strip().upper()
    if name_type not in ALIAS_TYPES:
        errors.append(FieldError("name_type", f"Choose the kind of name: {', '.join(ALIAS_TYPES)}"))
    if not fold_name(alias.family_name):
        errors.append(FieldError("family_name", "Enter a family name"))
    if errors:
        raise ValidationFailed(errors)
    await _writable(db, actor, person_id, "person.alias.add")
    key = (fold_name(alias.given_name), fold_name(alias.family_name))
    known = (
        await db.execute(
            select(PersonName.id).where(
                PersonName.person_id == person_id,
                PersonName.given_name_norm == key[0],
                PersonName.family_name_norm == key[1],
            )
        )
    ).first()
    if known:
        raise ValidationFailed([FieldError("family_name", "This name is already recorded for this person")])
    name = PersonName(
        person_id=person_id,
        name_type=name_type,
        given_name=alias.given_name,
        middle_names=alias.middle_names or None,
        family_name=alias.family_name,
        given_name_norm=key[0],
        family_name_norm=key[1],
    )
    db.add(name)
    await db.flush()
    reason = _reason(alias.reason)
    shown = " ".join(p for p in (alias.given_name, alias.middle_names, alias.family_name) if p)
    changes = [_change(person_id, actor, ChangeKind.ALIAS, name_type.lower(), None, shown, reason)]
    written = await _finish(
        db, actor, person_id, changes, "person.alias.add", PERSON_UPDATED, "alias", reason, {"name_id": name.id}
    )
    return name.id, written


# --- contact details ----------------------------------------------------------------------------


def tidy_contact(kind: str, value: str) -> tuple[str, str]:
    """(kind, value) as stored; raises ValidationFailed when either is not well formed."""
    kind = kind.strip().upper()
    value = value.strip()
    if kind not in {k.value for k in ContactKind}:
        raise ValidationFailed([FieldError("kind", "Choose MOBILE, PHONE or EMAIL")])
    if not value:
        raise ValidationFailed([FieldError("value", "Enter the phone number or email address")])
    if kind == ContactKind.EMAIL:
        if not _EMAIL.fullmatch(value):
            raise ValidationFailed([FieldError("value", "Enter an email address like name@example.com")])
        return kind, value
    digits = _PHONE_PUNCTUATION.sub("", value)
    if not _PHONE.fullmatch(digits):
        raise ValidationFailed([FieldError("value", "Enter a phone number like 01632 960 001 or +44 7700 900 982")])
    return kind, digits


async def add_contact(
    db: AsyncSession, actor: Actor, person_id: int, contact: ContactIn
) -> tuple[int, list[PersonChange]]:
    kind, value = tidy_contact(contact.kind, contact.value)
    await _writable(db, actor, person_id, "person.contact.add")
    existing = list((await db.execute(select(PersonContact).where(PersonContact.person_id == person_id))).scalars())
    if any(c.kind == kind and c.value == value for c in existing):
        raise ValidationFailed([FieldError("value", "This contact detail is already recorded for this person")])
    if contact.is_preferred:
        for other in existing:  # one preferred way to reach the person
            other.is_preferred = False
    row = PersonContact(person_id=person_id, kind=kind, value=value, is_preferred=contact.is_preferred)
    db.add(row)
    await db.flush()
    reason = _reason(contact.reason)
    changes = [_change(person_id, actor, ChangeKind.CONTACT, kind.lower(), None, value, reason)]
    written = await _finish(
        db, actor, person_id, changes, "person.contact.add", PERSON_UPDATED, "contact", reason, {"contact_id": row.id}
    )
    return row.id, written


async def end_contact(
    db: AsyncSession, actor: Actor, person_id: int, contact_id: int, end: ContactEnd
) -> list[PersonChange]:
    """The contact detail no longer reaches the person: removed from the record, kept in the history."""
    await _writable(db, actor, person_id, "person.contact.end")
    row = await db.get(PersonContact, contact_id)
    if row is None or row.person_id != person_id:
        raise NotFound(f"Person {person_id} has no contact detail with id {contact_id}.")
    reason = _reason(end.reason)
    changes = [_change(person_id, actor, ChangeKind.CONTACT, row.kind.lower(), row.value, None, reason)]
    await db.delete(row)
    return await _finish(
        db,
        actor,
        person_id,
        changes,
        "person.contact.end",
        PERSON_UPDATED,
        "contact",
        reason,
        {"contact_id": contact_id},
    )


# --- history ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    person_id: int
    items: list[PersonChange]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


async def history(
    db: AsyncSession, actor: Actor, person_id: int, page: int = 1, page_size: int = HISTORY_PAGE_SIZE
) -> History:
    """One page of the changes to a person's details, newest first; the read is audited."""
    check(actor, "people:read")
    if await db.get(Person, person_id) is None:
        raise NotFound(f"There is no person with id {person_id}.")
    await limited_access.ensure_may_see(db, actor, person_id)
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_HISTORY_PAGE_SIZE)
    total = (
        await db.execute(select(func.count()).select_from(PersonChange).where(PersonChange.person_id == person_id))
    ).scalar_one()
    items = list(
        (
            await db.execute(
                select(PersonChange)
                .where(PersonChange.person_id == person_id)
                .order_by(PersonChange.changed_at.desc(), PersonChange.id.desc())
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        ).scalars()
    )
    await record(db, actor, "person.read", "person", person_id, detail={"part": "history", "page": page})
    await db.commit()
    return History(person_id, items, page, page_size, total)
