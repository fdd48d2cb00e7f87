"""Limited-access persons: exclusion lists (these staff may not see the person) and restriction
lists (only these staff may), time-bounded, each with the message a blocked user sees.

Enforcement, for every context that shows a person (decision 0026):
- ``ensure_may_see(db, actor, person_id, action)``: call before reading or changing anything about
  the person (page, API, flags, merge, timeline); a blocked actor gets Forbidden with the limit's
  message and the attempt is audited as refused (committed, so it survives the error response).
- ``redactions(...)``: search results keep only the matched identifier and the responsible officer.
- ``visible_person_ids(...)``: the filter for exports and bulk lists (audits what it withheld).
- ``may_see_person`` / ``staff_may_see_person`` / ``excluded_staff_ids`` / ``restricted_to_staff_ids``:
  for allocation (never allocate a person to someone who may not see them).

API clients are on no staff list: a restriction blocks them, an exclusion does not
(caselink.platform.access.rules.limited_access_allows). Caselink itself (SYSTEM) is never blocked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import BigInteger, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts.models import Staff
from caselink.people.models import Person
from caselink.people.registration_models import PersonAccessLimit
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.access.policy import check
from caselink.platform.access.rules import AccessLimit, Decision, LimitKind, limited_access_allows
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed

MAX_MESSAGE = 500
MAX_STAFF = 500
DEFAULT_MESSAGE = "You do not have access to this person's record. Contact your line manager if you need it."
# Which of a person's identifiers a redacted name-search result shows, most useful first.
IDENTIFIER_PREFERENCE = ("CRN", "PNC", "PRISON_NUMBER", "CRO", "NINO", "ASN")


def _now() -> datetime:
    return datetime.now(UTC)


def _as_limit(row: PersonAccessLimit) -> AccessLimit:
    return AccessLimit(LimitKind(row.kind), frozenset(row.staff_ids), row.message, row.starts_at, row.ends_at)


async def _rows(db: AsyncSession, person_ids: Sequence[int]) -> list[PersonAccessLimit]:
    """Limits not lifted (active, or still to start, or already expired) on these people, one query."""
    if not person_ids:
        return []
    ids = any_(bindparam("limit_person_ids", list(person_ids), type_=ARRAY(BigInteger)))
    stmt = (
        select(PersonAccessLimit)
        .where(PersonAccessLimit.person_id == ids, PersonAccessLimit.lifted_at.is_(None))
        .order_by(PersonAccessLimit.id)
    )
    return list((await db.execute(stmt)).scalars())


async def limits_of(db: AsyncSession, person_ids: Sequence[int]) -> dict[int, tuple[AccessLimit, ...]]:
    """The platform's AccessLimit values of each person (for ``Resource.limits``)."""
    found: dict[int, list[AccessLimit]] = {}
    for row in await _rows(db, person_ids):
        found.setdefault(row.person_id, []).append(_as_limit(row))
    return {pid: tuple(limits) for pid, limits in found.items()}


async def decision(db: AsyncSession, actor: Actor, person_id: int, now: datetime | None = None) -> Decision:
    limits = (await limits_of(db, [person_id])).get(person_id, ())
    return limited_access_allows(actor, limits, now or _now())


async def may_see_person(db: AsyncSession, actor: Actor, person_id: int, now: datetime | None = None) -> bool:
    """For allocation and other contexts: no audit, no error."""
    return bool(await decision(db, actor, person_id, now))


async def staff_may_see_person(db: AsyncSession, staff_id: int, person_id: int, now: datetime | None = None) -> bool:
    """May this member of staff (not the one acting) see the person? For allocating to them."""
    return await may_see_person(db, Actor(kind=ActorKind.STAFF, id=staff_id, name=f"staff-{staff_id}"), person_id, now)


async def excluded_staff_ids(db: AsyncSession, person_id: int, now: datetime | None = None) -> frozenset[int]:
    """Staff on an exclusion list active now."""
    now = now or _now()
    excluded: set[int] = set()
    for limit in (await limits_of(db, [person_id])).get(person_id, ()):
        if limit.kind is LimitKind.EXCLUSION and limit.active_at(now):
            excluded |= limit.staff_ids
    return frozenset(excluded)


async def restricted_to_staff_ids(
    db: AsyncSession, person_id: int, now: datetime | None = None
) -> frozenset[int] | None:
    """None when no restriction is active; else the only staff who may see the person (on every
    active restriction list, less anyone excluded)."""
    now = now or _now()
    allowed: frozenset[int] | None = None
    for limit in (await limits_of(db, [person_id])).get(person_id, ()):
        if limit.kind is LimitKind.RESTRICTION and limit.active_at(now):
            allowed = limit.staff_ids if allowed is None else allowed & limit.staff_ids
    if allowed is None:
        return None
    return allowed - await excluded_staff_ids(db, person_id, now)


async def ensure_may_see(db: AsyncSession, actor: Actor, person_id: int, action: str = "person.read") -> None:
    """Raise Forbidden with the limit's message when the actor is blocked; the refusal is audited
    and committed (the caller has written nothing yet)."""
    allowed = await decision(db, actor, person_id)
    if allowed:
        return
    await record(db, actor, action, "person", person_id, outcome="refused", detail={"reason": "limited_access"})
    await db.commit()
    raise Forbidden(allowed.message or DEFAULT_MESSAGE)


async def visible_person_ids(
    db: AsyncSession, actor: Actor, person_ids: Sequence[int], purpose: str = "export"
) -> list[int]:
    """The filter for exports and bulk lists: the ids the actor may see, in the order given. What
    was withheld is audited as one refused entry (the caller commits with its own work)."""
    now = _now()
    limits = await limits_of(db, person_ids)
    visible = [pid for pid in person_ids if limited_access_allows(actor, limits.get(pid, ()), now)]
    withheld = sorted(set(person_ids) - set(visible))
    if withheld:
        await record(
            db,
            actor,
            f"person.{purpose}",
            outcome="refused",
            detail={"reason": "limited_access", "withheld_person_ids": withheld},
        )
    return visible


# --- redacted search results -------------------------------------------------------------------


@dataclass(frozen=True)
class Redaction:
    """What a search may show of a person the searcher may not see."""

    person_id: int
    identifier: tuple[str, str] | None  # (type, value): the one searched for, else the most useful
    responsible_officer: str | None
    message: str


def _pick_identifier(held: Sequence[tuple[str, str]], searched: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    searched_set = set(searched)
    for ident in held:
        if ident in searched_set:
            return ident
    for kind in IDENTIFIER_PREFERENCE:
        for ident in held:
            if ident[0] == kind:
                return ident
    return held[0] if held else None


async def redactions(
    db: AsyncSession,
    actor: Actor,
    identifiers: Mapping[int, Sequence[tuple[str, str]]],
    searched: Iterable[tuple[str, str]] = (),
) -> dict[int, Redaction]:
    """For the people on a page of results (id -> their valid identifiers): those the actor may not
    see, redacted. Two queries whatever the page size; audited as refused (caller commits)."""
    now = _now()
    rows = await _rows(db, list(identifiers))
    by_person: dict[int, list[PersonAccessLimit]] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(row)
    blocked: dict[int, tuple[str, int | None]] = {}
    for person_id, person_rows in by_person.items():
        outcome = limited_access_allows(actor, [_as_limit(r) for r in person_rows], now)
        if not outcome:
            officer = next((r.responsible_staff_id for r in reversed(person_rows) if r.responsible_staff_id), None)
            blocked[person_id] = (outcome.message, officer)
    if not blocked:
        return {}
    officer_ids = {officer for _, officer in blocked.values() if officer}
    names = await _staff_names(db, officer_ids)
    searched = list(searched)
    await record(
        db,
        actor,
        "person.search.redacted",
        outcome="refused",
        detail={"reason": "limited_access", "person_ids": sorted(blocked)},
    )
    return {
        pid: Redaction(
            pid, _pick_identifier(identifiers[pid], searched), names.get(officer) if officer else None, message
        )
        for pid, (message, officer) in blocked.items()
    }


# --- managing limits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitInput:
    kind: str
    staff_ids: Sequence[int]
    message: str
    reason: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    responsible_staff_id: int | None = None  # default: the manager setting it


@dataclass(frozen=True)
class LimitView:
    id: int
    person_id: int
    kind: str
    staff: list[tuple[int, str]]  # (id, name)
    message: str
    reason: str | None
    responsible_staff_id: int | None
    responsible_officer: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    lifted_at: datetime | None
    lift_reason: str | None
    created_by: str
    created_at: datetime

    def status(self, now: datetime | None = None) -> str:
        now = now or _now()
        if self.lifted_at is not None:
            return "lifted"
        if self.starts_at is not None and now < self.starts_at:
            return "scheduled"
        if self.ends_at is not None and now >= self.ends_at:
            return "expired"
        return "active"

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status(),
            "staff": [{"staff_id": sid, "name": name} for sid, name in self.staff],
            "message": self.message,
            "reason": self.reason,
            "responsible_officer": (
                {"staff_id": self.responsible_staff_id, "name": self.responsible_officer}
                if self.responsible_staff_id
                else None
            ),
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "lifted_at": self.lifted_at.isoformat() if self.lifted_at else None,
            "lift_reason": self.lift_reason,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


async def _person_or_404(db: AsyncSession, person_id: int) -> None:
    if await db.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise NotFound(f"There is no person with id {person_id}.")


async def _staff_names(db: AsyncSession, staff_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(staff_ids))
    if not ids:
        return {}
    rows = await db.execute(select(Staff.id, Staff.display_name).where(Staff.id.in_(ids)))
    return {staff_id: name for staff_id, name in rows}


async def list_limits(db: AsyncSession, actor: Actor, person_id: int) -> list[LimitView]:
    """Every limit ever set on the person, newest first (lifted ones included)."""
    check(actor, "people:limit_access")
    await _person_or_404(db, person_id)
    await ensure_may_see(db, actor, person_id, "person.limits.read")
    rows = list(
        (
            await db.execute(
                select(PersonAccessLimit)
                .where(PersonAccessLimit.person_id == person_id)
                .order_by(PersonAccessLimit.id.desc())
            )
        ).scalars()
    )
    names = await _staff_names(
        db,
        [sid for r in rows for sid in r.staff_ids] + [r.responsible_staff_id for r in rows if r.responsible_staff_id],
    )
    await record(db, actor, "person.limits.read", "person", person_id)
    await db.commit()
    return [_view(row, names) for row in rows]


def _view(row: PersonAccessLimit, names: Mapping[int, str]) -> LimitView:
    return LimitView(
        row.id,
        row.person_id,
        row.kind,
        [(sid, names.get(sid, f"staff {sid}")) for sid in row.staff_ids],
        row.message,
        row.reason,
        row.responsible_staff_id,
        names.get(row.responsible_staff_id) if row.responsible_staff_id else None,
        row.starts_at,
        row.ends_at,
        row.lifted_at,
        row.lift_reason,
        row.created_by,
        row.created_at,
    )


async def add_limit(db: AsyncSession, actor: Actor, person_id: int, data: LimitInput) -> LimitView:
    """Set an exclusion or restriction. The manager must be able to see the person, and must be on
    a restriction they set (someone has to be able to lift it). Nothing is written on error."""
    check(actor, "people:limit_access")
    await _person_or_404(db, person_id)
    await ensure_may_see(db, actor, person_id, "person.limit.add")
    now = _now()
    errors: list[FieldError] = []
    kind = (data.kind or "").strip().lower()
    if kind not in {k.value for k in LimitKind}:
        errors.append(
            FieldError(
                "kind", "Choose exclusion (these staff may not see the person) or restriction (only these staff may)"
            )
        )
    staff_ids = sorted(set(data.staff_ids))
    if not staff_ids:
        what = "may not" if kind == LimitKind.EXCLUSION else "may"
        errors.append(FieldError("staff_ids", f"Name at least one member of staff who {what} see this person"))
    elif len(staff_ids) > MAX_STAFF:
        errors.append(FieldError("staff_ids", f"Name at most {MAX_STAFF} members of staff"))
    known = await _staff_names(db, staff_ids + ([data.responsible_staff_id] if data.responsible_staff_id else []))
    unknown = [sid for sid in staff_ids if sid not in known]
    if unknown:
        errors.append(FieldError("staff_ids", f"There is no member of staff with id {', '.join(map(str, unknown))}"))
    if data.responsible_staff_id and data.responsible_staff_id not in known:
        errors.append(
            FieldError("responsible_staff_id", f"There is no member of staff with id {data.responsible_staff_id}")
        )
    if actor.kind is ActorKind.STAFF and actor.id is not None and staff_ids and not unknown:
        if kind == LimitKind.RESTRICTION and actor.id not in staff_ids:
            errors.append(
                FieldError("staff_ids", "Include yourself in the restriction list, so that it can be changed or lifted")
            )
        if kind == LimitKind.EXCLUSION and actor.id in staff_ids:
            errors.append(FieldError("staff_ids", "You cannot exclude yourself: ask another manager"))
    message = (data.message or "").strip()
    if not message:
        errors.append(FieldError("message", "Enter the message shown to staff who are blocked, such as who to contact"))
    elif len(message) > MAX_MESSAGE:
        errors.append(FieldError("message", f"Message must be {MAX_MESSAGE} characters or fewer"))
    for name, value in (("starts_at", data.starts_at), ("ends_at", data.ends_at)):
        if value is not None and value.tzinfo is None:
            errors.append(FieldError(name, "Give the time with its time zone, like 2026-01-31T09:00:00+00:00"))
    if not any(e.field in ("starts_at", "ends_at") for e in errors) and data.ends_at is not None:
        if data.starts_at is not None and data.ends_at <= data.starts_at:
            errors.append(FieldError("ends_at", "End must be after the start"))
        elif data.ends_at <= now:
            errors.append(FieldError("ends_at", "End must be in the future"))
    if errors:
        raise ValidationFailed(errors)
    responsible = data.responsible_staff_id or (actor.id if actor.kind is ActorKind.STAFF else None)
    row = PersonAccessLimit(
        person_id=person_id,
        kind=kind,
        staff_ids=staff_ids,
        message=message,
        reason=(data.reason or "").strip() or None,
        responsible_staff_id=responsible if responsible in known or responsible == actor.id else None,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        created_by=actor.audit_label,
    )
    db.add(row)
    await db.flush()
    await record(
        db,
        actor,
        "person.limit.add",
        "person",
        person_id,
        detail={
            "limit_id": row.id,
            "kind": kind,
            "staff_ids": staff_ids,
            "starts_at": data.starts_at.isoformat() if data.starts_at else None,
            "ends_at": data.ends_at.isoformat() if data.ends_at else None,
        },
    )
    await db.refresh(row)
    view = _view(
        row, await _staff_names(db, [*staff_ids, *([row.responsible_staff_id] if row.responsible_staff_id else [])])
    )
    await db.commit()
    return view


async def lift_limit(db: AsyncSession, actor: Actor, person_id: int, limit_id: int, reason: str) -> LimitView:
    check(actor, "people:limit_access")
    await _person_or_404(db, person_id)
    await ensure_may_see(db, actor, person_id, "person.limit.lift")
    why = (reason or "").strip()
    if not why:
        raise ValidationFailed(FieldError("reason", "Say why the limit is being lifted"))
    row = await db.scalar(
        select(PersonAccessLimit)
        .where(PersonAccessLimit.id == limit_id, PersonAccessLimit.person_id == person_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound(f"Person {person_id} has no access limit {limit_id}.")
    if row.lifted_at is not None:
        raise Conflict("This limit has already been lifted.")
    row.lifted_at, row.lifted_by, row.lift_reason = _now(), actor.audit_label, why
    await record(db, actor, "person.limit.lift", "person", person_id, detail={"limit_id": limit_id, "reason": why})
    await db.flush()
    view = _view(
        row, await _staff_names(db, [*row.staff_ids, *([row.responsible_staff_id] if row.responsible_staff_id else [])])
    )
    await db.commit()
    return view


async def staff_ids_for_usernames(db: AsyncSession, usernames: Sequence[str], field: str = "staff") -> list[int]:
    """The page's list of usernames as staff ids; unknown names are one clear error."""
    wanted = [u.strip().lower() for u in usernames if u.strip()]
    if not wanted:
        return []
    found = await db.execute(select(Staff.username, Staff.id).where(Staff.username.in_(wanted)))
    rows = {username: staff_id for username, staff_id in found}
    unknown = [u for u in wanted if u not in rows]
    if unknown:
        raise ValidationFailed(FieldError(field, f"There is no member of staff with username {', '.join(unknown)}"))
    return [rows[u] for u in wanted]
