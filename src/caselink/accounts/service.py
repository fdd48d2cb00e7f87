"""Use cases for staff accounts: administration, sign-in with MFA, sessions, the training gate,
API clients and the demo logins. The only place in accounts that checks scope, audits and commits."""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

import pyotp
from argon2 import PasswordHasher
from argon2 import Type as Argon2Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts import rules
from caselink.accounts.models import (
    ApiAccessToken,
    ApiClient,
    RecoveryCode,
    SignInThrottle,
    Staff,
    StaffSession,
    StaffTeam,
    TrainingCompletion,
    TrainingModule,
    TrainingRequirement,
)
from caselink.accounts.rules import AdminScope, Role, SessionStage
from caselink.accounts.schemas import ClientCreate, StaffCreate, StaffOut, StaffUpdate
from caselink.organisations.models import OrganisationUnit, Team
from caselink.platform.access.actor import SYSTEM, Actor, ActorKind
from caselink.platform.errors import FieldError, Forbidden, NotFound, ValidationFailed

log = logging.getLogger("caselink.accounts")

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): strong, and quick enough
# that a sign-in costs tens of milliseconds on a 2-core machine.
password_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Argon2Type.ID)
_dummy_hash: str | None = None

TOTP_ISSUER = "Caselink"
RECOVERY_CODE_COUNT = 10
SETUP_LINK_LIFETIME = timedelta(days=7)
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
DEMO_PASSWORD = "caselink-demo"  # noqa: S105 - documented in README "Demo logins"; demo mode only


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- audit ---------------------------------------------------------------------------------

try:
    from caselink.platform.audit.service import record as _record_audit
except ImportError:  # pragma: no cover - the audit module is written in parallel
    _record_audit = None  # type: ignore[assignment]


async def _audit(
    db: AsyncSession,
    actor: Actor,
    action: str,
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    outcome: str = "allowed",
    detail: dict[str, Any] | None = None,
) -> None:
    """Write an audit entry in the caller's transaction (the caller commits)."""
    if _record_audit is None:  # pragma: no cover
        log.info("audit %s %s %s", action, outcome, detail)
        return
    await _record_audit(
        db, actor, action, subject_type=subject_type, subject_id=subject_id, outcome=outcome, detail=detail
    )


async def _refuse(db: AsyncSession, actor: Actor, action: str, error: Exception, **subject: Any) -> None:
    """Roll back anything begun, keep an audit entry of the refusal, and raise the error."""
    await db.rollback()
    await _audit(db, actor, action, outcome="refused", detail={"reason": str(error)}, **subject)
    await db.commit()
    raise error


# -- passwords -----------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def _verify_password(stored: str | None, password: str) -> bool:
    """Always spends one argon2 verification, so an unknown username takes as long as a known one."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = password_hasher.hash(secrets.token_urlsafe(16))
    try:
        return password_hasher.verify(stored or _dummy_hash, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


# -- units and administration scope --------------------------------------------------------

_SUBTREE = text(
    """
    WITH RECURSIVE tree(id) AS (
        SELECT id FROM organisation_units WHERE id = :root
        UNION
        SELECT u.id FROM organisation_units u JOIN tree t ON u.parent_id = t.id
    )
    SELECT id FROM tree
    """
)


async def unit_subtree(db: AsyncSession, unit_id: int) -> frozenset[int]:
    return frozenset((await db.execute(_SUBTREE, {"root": unit_id})).scalars().all())


async def admin_scope(db: AsyncSession, actor: Actor, manage: bool) -> AdminScope:
    """Whose accounts ACTOR may see (manage=False) or change (manage=True).

    National administrators (and Caselink itself) reach everyone; auditors and API clients may
    read everyone; area administrators, training administrators and senior probation officers
    reach the staff of their own unit and the units beneath it."""
    roles = actor.roles
    if actor.kind is ActorKind.SYSTEM or Role.NATIONAL_ADMINISTRATOR in roles:
        return AdminScope(national=True)
    if not manage and (actor.kind is ActorKind.CLIENT or Role.AUDITOR in roles):
        return AdminScope(national=True)
    local_roles = (
        {Role.AREA_ADMINISTRATOR}
        if manage
        else {
            Role.AREA_ADMINISTRATOR,
            Role.TRAINING_ADMINISTRATOR,
            Role.SENIOR_PROBATION_OFFICER,
        }
    )
    if actor.kind is ActorKind.STAFF and actor.unit_id is not None and roles & local_roles:
        return AdminScope(national=False, unit_ids=await unit_subtree(db, actor.unit_id))
    raise Forbidden("Only administrators can manage staff accounts.")


async def _unit_by_code(db: AsyncSession, code: str, field: str) -> OrganisationUnit:
    unit = await db.scalar(select(OrganisationUnit).where(OrganisationUnit.code == code.strip().upper()))
    if unit is None:
        unit = await db.scalar(select(OrganisationUnit).where(OrganisationUnit.code == code.strip()))
    if unit is None or not unit.active:
        raise ValidationFailed(FieldError(field, f"There is no active unit with the code {code!r}."))
    return unit


# -- staff administration ------------------------------------------------------------------


def _staff_out(staff: Staff, unit: OrganisationUnit, team_codes: list[str]) -> StaffOut:
    return StaffOut(
        id=staff.id,
        username=staff.username,
        display_name=staff.display_name,
        email=staff.email,
        unit_code=unit.code,
        unit_name=unit.name,
        agency=unit.agency,
        roles=list(staff.roles),
        team_codes=sorted(team_codes),
        status=staff.status,
        suspended_reason=staff.suspended_reason,
        mfa_enrolled=staff.mfa_enrolled_at is not None,
        last_sign_in_at=staff.last_sign_in_at,
    )


async def _team_codes(db: AsyncSession, staff_ids: list[int]) -> dict[int, list[str]]:
    rows = await db.execute(
        select(StaffTeam.staff_id, Team.code)
        .join(Team, Team.id == StaffTeam.team_id)
        .where(StaffTeam.staff_id.in_(staff_ids))
    )
    result: dict[int, list[str]] = {sid: [] for sid in staff_ids}
    for staff_id, code in rows:
        result[staff_id].append(code)
    return result


@dataclass(frozen=True)
class StaffListing:
    items: list[StaffOut]
    page: int
    page_size: int
    total: int


async def list_staff(
    db: AsyncSession, actor: Actor, q: str | None = None, page: int = 1, page_size: int = 50
) -> StaffListing:
    scope = await admin_scope(db, actor, manage=False)
    page, page_size = max(page, 1), min(max(page_size, 1), 200)
    query = select(Staff, OrganisationUnit).join(OrganisationUnit, OrganisationUnit.id == Staff.unit_id)
    if not scope.national:
        query = query.where(Staff.unit_id.in_(scope.unit_ids))
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(func.lower(Staff.username).like(pattern) | func.lower(Staff.display_name).like(pattern))
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = (await db.execute(query.order_by(Staff.username).limit(page_size).offset((page - 1) * page_size))).all()
    teams = await _team_codes(db, [s.id for s, _ in rows])
    return StaffListing([_staff_out(s, u, teams[s.id]) for s, u in rows], page, page_size, total)


async def _load_staff(db: AsyncSession, staff_id: int, for_update: bool = False) -> tuple[Staff, OrganisationUnit]:
    query = select(Staff, OrganisationUnit).join(OrganisationUnit, OrganisationUnit.id == Staff.unit_id)
    query = query.where(Staff.id == staff_id)
    if for_update:
        query = query.with_for_update(of=Staff)
    row = (await db.execute(query)).first()
    if row is None:
        raise NotFound("There is no member of staff with that id.")
    return row[0], row[1]


async def get_staff(db: AsyncSession, actor: Actor, staff_id: int) -> StaffOut:
    scope = await admin_scope(db, actor, manage=False)
    staff, unit = await _load_staff(db, staff_id)
    # Outside one's area a record is "not found", so that ids cannot be probed.
    if not scope.covers(staff.unit_id):
        raise NotFound("There is no member of staff with that id.")
    return _staff_out(staff, unit, (await _team_codes(db, [staff.id]))[staff.id])


async def _resolve_teams(db: AsyncSession, unit: OrganisationUnit, codes: list[str], field: str) -> list[int]:
    if not codes:
        return []
    wanted = {c.strip().upper() for c in codes if c.strip()}
    rows = (await db.execute(select(Team.id, Team.code).where(Team.unit_id == unit.id, Team.code.in_(wanted)))).all()
    found = {code: team_id for team_id, code in rows}
    missing = sorted(wanted - set(found))
    if missing:
        raise ValidationFailed(FieldError(field, f"{unit.name} has no team {', '.join(missing)}."))
    return [found[c] for c in sorted(wanted)]


def _check_roles(scope: AdminScope, roles: list[str], unit: OrganisationUnit, field: str) -> list[str]:
    problems = rules.role_errors(roles, unit.agency)
    if problems:
        raise ValidationFailed([FieldError(field, p) for p in problems])
    parsed = sorted({rules.parse_role(r) for r in roles})
    for role in parsed:
        if not scope.may_grant(role):
            raise Forbidden(f"Only a national administrator can give the role {rules.ROLE_TITLES[role]}.")
    return [r.value for r in parsed]


def new_setup_token() -> str:
    return secrets.token_urlsafe(32)


async def create_staff(
    db: AsyncSession, actor: Actor, data: StaffCreate, password: str | None = None
) -> tuple[StaffOut, str | None]:
    """Create an account. Returns it and, unless PASSWORD was given, a one-time set-up token."""
    try:
        scope = await admin_scope(db, actor, manage=True)
        username = rules.normalise_username(data.username)
        errors: list[FieldError] = []
        if problem := rules.username_error(username):
            errors.append(FieldError("username", problem))
        if not data.display_name.strip():
            errors.append(FieldError("display_name", "Enter the person's full name."))
        if password is not None and (problem := rules.password_error(password, username)):
            errors.append(FieldError("password", problem))
        if errors:
            raise ValidationFailed(errors)
        unit = await _unit_by_code(db, data.unit_code, "unit_code")
        if not scope.covers(unit.id):
            raise Forbidden("You can only create accounts in your own area.")
        roles = _check_roles(scope, data.roles, unit, "roles")
        team_ids = await _resolve_teams(db, unit, data.team_codes, "team_codes")
        if await db.scalar(select(Staff.id).where(Staff.username == username)) is not None:
            raise ValidationFailed(FieldError("username", f"The username {username} is already taken."))
    except (Forbidden, NotFound, ValidationFailed) as exc:
        await _refuse(db, actor, "staff.create", exc, subject_type="staff", subject_id=data.username[:64])
        raise  # unreachable: _refuse raises
    setup_token = None if password is not None else new_setup_token()
    staff = Staff(
        username=username,
        display_name=data.display_name.strip(),
        email=(data.email or "").strip() or None,
        unit_id=unit.id,
        roles=roles,
        status="active",
        password_hash=hash_password(password) if password is not None else None,
        setup_token_hash=rules.token_hash(setup_token) if setup_token else None,
        setup_token_expires_at=utcnow() + SETUP_LINK_LIFETIME if setup_token else None,
    )
    db.add(staff)
    await db.flush()
    db.add_all([StaffTeam(staff_id=staff.id, team_id=t) for t in team_ids])
    await _audit(
        db, actor, "staff.create", "staff", staff.id, detail={"username": username, "roles": roles, "unit": unit.code}
    )
    await db.commit()
    return await get_staff(db, SYSTEM, staff.id), setup_token


async def update_staff(db: AsyncSession, actor: Actor, staff_id: int, data: StaffUpdate) -> StaffOut:
    try:
        scope = await admin_scope(db, actor, manage=True)
        staff, unit = await _load_staff(db, staff_id, for_update=True)
        if not scope.covers(staff.unit_id):
            raise NotFound("There is no member of staff with that id.")
        changes: dict[str, Any] = {}
        if data.unit_code is not None and data.unit_code.strip().upper() != unit.code.upper():
            unit = await _unit_by_code(db, data.unit_code, "unit_code")
            if not scope.covers(unit.id):
                raise Forbidden("You can only move accounts to units in your own area.")
            changes["unit"] = unit.code
        roles = list(staff.roles)
        if data.roles is not None or "unit" in changes:
            roles = _check_roles(scope, data.roles if data.roles is not None else roles, unit, "roles")
            # Taking away a national-only role is as far-reaching as giving it.
            for removed in set(staff.roles) - set(roles):
                if not scope.may_grant(Role(removed)):
                    raise Forbidden(f"Only a national administrator can remove the role {removed}.")
            if roles != list(staff.roles):
                changes["roles"] = roles
        team_ids: list[int] | None = None
        if data.team_codes is not None or "unit" in changes:
            team_ids = await _resolve_teams(db, unit, data.team_codes or [], "team_codes")
            changes["teams"] = sorted(data.team_codes or [])
        if data.display_name is not None:
            if not data.display_name.strip():
                raise ValidationFailed(FieldError("display_name", "Enter the person's full name."))
            changes["display_name"] = data.display_name.strip()
    except (Forbidden, NotFound, ValidationFailed) as exc:
        await _refuse(db, actor, "staff.update", exc, subject_type="staff", subject_id=staff_id)
        raise
    staff.unit_id = unit.id
    staff.roles = roles
    if data.display_name is not None:
        staff.display_name = data.display_name.strip()
    if data.email is not None:
        staff.email = data.email.strip() or None
        changes["email"] = staff.email
    staff.updated_at = utcnow()
    if team_ids is not None:
        await db.execute(delete(StaffTeam).where(StaffTeam.staff_id == staff.id))
        db.add_all([StaffTeam(staff_id=staff.id, team_id=t) for t in team_ids])
    if "roles" in changes or "unit" in changes:
        # New roles may need new training and reach further: sign the person in afresh.
        await _revoke_sessions(db, staff.id)
    await _audit(db, actor, "staff.update", "staff", staff.id, detail={"changes": changes})
    await db.commit()
    return await get_staff(db, SYSTEM, staff.id)


async def set_staff_status(
    db: AsyncSession, actor: Actor, staff_id: int, suspend: bool, reason: str | None = None
) -> StaffOut:
    action = "staff.suspend" if suspend else "staff.reactivate"
    try:
        scope = await admin_scope(db, actor, manage=True)
        staff, _ = await _load_staff(db, staff_id, for_update=True)
        if not scope.covers(staff.unit_id):
            raise NotFound("There is no member of staff with that id.")
        if suspend and actor.kind is ActorKind.STAFF and actor.id == staff.id:
            raise ValidationFailed(FieldError("reason", "You cannot suspend your own account."))
        if suspend and not (reason or "").strip():
            raise ValidationFailed(FieldError("reason", "Enter why the account is being suspended."))
        if not scope.national and any(not scope.may_grant(Role(r)) for r in staff.roles):
            raise Forbidden("Only a national administrator can suspend or reactivate a national administrator.")
    except (Forbidden, NotFound, ValidationFailed) as exc:
        await _refuse(db, actor, action, exc, subject_type="staff", subject_id=staff_id)
        raise
    staff.status = "suspended" if suspend else "active"
    staff.suspended_reason = (reason or "").strip() if suspend else None
    staff.updated_at = utcnow()
    if suspend:
        await _revoke_sessions(db, staff.id)
    else:
        # A reactivated account starts with a clean slate of failed attempts.
        await db.execute(delete(SignInThrottle).where(SignInThrottle.key == rules.account_throttle_key(staff.username)))
    await _audit(db, actor, action, "staff", staff.id, detail={"reason": staff.suspended_reason})
    await db.commit()
    return await get_staff(db, SYSTEM, staff.id)


async def reset_setup_link(db: AsyncSession, actor: Actor, staff_id: int) -> str:
    """A new one-time set-up link (for a forgotten password or lost MFA device): clears both."""
    try:
        scope = await admin_scope(db, actor, manage=True)
        staff, _ = await _load_staff(db, staff_id, for_update=True)
        if not scope.covers(staff.unit_id):
            raise NotFound("There is no member of staff with that id.")
    except (Forbidden, NotFound) as exc:
        await _refuse(db, actor, "staff.reset", exc, subject_type="staff", subject_id=staff_id)
        raise
    token = new_setup_token()
    staff.password_hash = None
    staff.mfa_secret = None
    staff.mfa_enrolled_at = None
    staff.setup_token_hash = rules.token_hash(token)
    staff.setup_token_expires_at = utcnow() + SETUP_LINK_LIFETIME
    await db.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    await _revoke_sessions(db, staff.id)
    await _audit(db, actor, "staff.reset", "staff", staff.id)
    await db.commit()
    return token


async def complete_setup(db: AsyncSession, token: str, password: str) -> str:
    """Set a password from a one-time link. Returns the username."""
    now = utcnow()
    staff = await db.scalar(select(Staff).where(Staff.setup_token_hash == rules.token_hash(token)).with_for_update())
    if staff is None or staff.setup_token_expires_at is None or staff.setup_token_expires_at <= now:
        raise ValidationFailed(
            FieldError("token", "This set-up link has expired or been used. Ask your administrator for a new one.")
        )
    if problem := rules.password_error(password, staff.username):
        raise ValidationFailed(FieldError("password", problem))
    staff.password_hash = await asyncio.to_thread(hash_password, password)
    staff.setup_token_hash = None
    staff.setup_token_expires_at = None
    await _audit(db, _actor_for_staff(staff), "staff.password_set", "staff", staff.id)
    await db.commit()
    return staff.username


def _actor_for_staff(staff: Staff) -> Actor:
    return Actor(kind=ActorKind.STAFF, id=staff.id, name=staff.username, roles=frozenset(staff.roles))


# -- sign-in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    session_token: str | None = None
    stage: SessionStage | None = None
    error: str | None = None


GENERIC_FAILURE = "Enter a correct username and password."


async def _throttles(db: AsyncSession, keys: list[str]) -> dict[str, rules.Throttle]:
    rows = (await db.execute(select(SignInThrottle).where(SignInThrottle.key.in_(keys)))).scalars().all()
    return {r.key: rules.Throttle(r.failures, r.first_failure_at, r.locked_until) for r in rows}


async def _record_failure(db: AsyncSession, keys: list[str], now: datetime) -> None:
    current = await _throttles(db, keys)
    for key in keys:
        state = rules.after_failure(key, current.get(key), now)
        values = {
            "failures": state.failures,
            "first_failure_at": state.first_failure_at,
            "locked_until": state.locked_until,
        }
        stmt = pg_insert(SignInThrottle).values(key=key, **values)
        await db.execute(stmt.on_conflict_do_update(index_elements=[SignInThrottle.key], set_=values))


def _locked_until(throttles: dict[str, rules.Throttle], now: datetime) -> datetime | None:
    until = [t.locked_until for t in throttles.values() if t.locked_until and t.locked_until > now]
    return max(until) if until else None


async def _new_session(
    db: AsyncSession, staff_id: int, stage: SessionStage, now: datetime, address: str | None, user_agent: str | None
) -> str:
    token = secrets.token_urlsafe(32)
    lifetime = rules.SESSION_ABSOLUTE_TIMEOUT if stage is SessionStage.ACTIVE else rules.PENDING_SESSION_TIMEOUT
    db.add(
        StaffSession(
            id_hash=rules.token_hash(token),
            staff_id=staff_id,
            stage=stage.value,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            ip_address=(address or "")[:64] or None,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    return token


async def sign_in(
    db: AsyncSession,
    username: str,
    password: str,
    *,
    mfa_required: bool,
    address: str | None = None,
    user_agent: str | None = None,
) -> SignInResult:
    """Check a username and password. Every failure looks and takes the same whether or not the
    account exists; failures count against the typed username and against the address."""
    now = utcnow()
    name = rules.normalise_username(username)[:64]
    keys = [rules.account_throttle_key(name), rules.address_throttle_key(address or "unknown")]
    attempt = Actor(kind=ActorKind.ANONYMOUS, name=name or "anonymous")
    locked = _locked_until(await _throttles(db, keys), now)
    if locked is not None:
        await _audit(db, attempt, "sign_in", outcome="refused", detail={"reason": "locked", "address": address})
        await db.commit()
        return SignInResult(error=rules.wait_message(locked, now))
    staff = await db.scalar(select(Staff).where(Staff.username == name).with_for_update())
    # argon2 takes tens of milliseconds of CPU: off the event loop, so other requests keep moving.
    verified = await asyncio.to_thread(_verify_password, staff.password_hash if staff else None, password)
    if not verified or staff is None:
        await _record_failure(db, keys, now)
        await _audit(
            db, attempt, "sign_in", outcome="refused", detail={"reason": "bad credentials", "address": address}
        )
        await db.commit()
        return SignInResult(error=GENERIC_FAILURE)
    if staff.status != "active":
        await _audit(
            db, _actor_for_staff(staff), "sign_in", "staff", staff.id, outcome="refused", detail={"reason": "suspended"}
        )
        await db.commit()
        return SignInResult(error="Your account is suspended. Ask your administrator to reactivate it.")
    await db.execute(delete(SignInThrottle).where(SignInThrottle.key == keys[0]))
    if staff.password_hash and password_hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = await asyncio.to_thread(hash_password, password)
    if staff.mfa_enrolled_at is not None:
        stage = SessionStage.MFA
    elif mfa_required:
        stage = SessionStage.ENROL
    else:
        stage = SessionStage.ACTIVE
        staff.last_sign_in_at = now
    token = await _new_session(db, staff.id, stage, now, address, user_agent)
    await _audit(
        db, _actor_for_staff(staff), "sign_in", "staff", staff.id, detail={"stage": stage.value, "address": address}
    )
    await db.commit()
    return SignInResult(session_token=token, stage=stage)


@dataclass(frozen=True)
class SessionInfo:
    """What a request needs to know about its session (one query: see resolve_session)."""

    session_pk: int
    stage: SessionStage
    csrf_token: str
    actor: Actor
    training_ok_until: datetime | None
    last_seen_at: datetime
    display_name: str


# Runs on every signed-in request, so it goes straight to the driver (_fetchrow_on_driver).
_SESSION_QUERY = """
    SELECT s.id, s.stage, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.training_ok_until,
           st.id AS staff_id, st.username, st.display_name, st.roles, st.status,
           u.id AS unit_id, u.code AS unit_code, u.agency, u.region,
           ARRAY(SELECT team_id FROM staff_teams t WHERE t.staff_id = st.id) AS team_ids
    FROM staff_sessions s
    JOIN staff st ON st.id = s.staff_id
    JOIN organisation_units u ON u.id = st.unit_id
    WHERE s.id_hash = $1 AND s.revoked_at IS NULL
"""


async def _fetchrow_on_driver(db: AsyncSession, query: str, *args: Any) -> Any:
    """Run QUERY on the asyncpg connection under DB's (checked out of the pool if need be): for the
    reads every request makes (its session, its bearer token).

    Sent straight to the driver it skips SQLAlchemy's statement handling and result objects and -
    when the session has not started a transaction yet - the BEGIN and ROLLBACK round trips too (it
    then runs as a statement on its own; the session's later queries BEGIN as usual). Inside a
    transaction already begun it runs there and sees that transaction's writes. asyncpg prepares
    each query once per connection and keeps it in its statement cache."""
    connection = await db.connection()
    driver: Any = (await connection.get_raw_connection()).driver_connection
    try:
        return await driver.fetchrow(query, *args)
    except BaseException:
        if driver.is_closed():  # lost: make sure the pool does not hand it out again
            await connection.invalidate()
        raise


async def resolve_session(db: AsyncSession, token: str, now: datetime | None = None) -> SessionInfo | None:
    """The live session for a cookie's token, or None (unknown, revoked, expired, suspended).

    One indexed read (session, staff, unit and teams together), sent straight to the driver."""
    if not token or len(token) > 100:
        return None
    now = now or utcnow()
    row = await _fetchrow_on_driver(db, _SESSION_QUERY, rules.token_hash(token))
    if row is None or row["status"] != "active":
        return None
    if rules.session_expired(row["created_at"], row["last_seen_at"], row["expires_at"], now):
        return None
    actor = Actor(
        kind=ActorKind.STAFF,
        id=row["staff_id"],
        name=row["username"],
        roles=frozenset(row["roles"]),
        agency=row["agency"],
        unit_id=row["unit_id"],
        unit_code=row["unit_code"],
        region=row["region"],
        team_ids=frozenset(row["team_ids"] or ()),
        session_id=str(row["id"]),
        display_name=row["display_name"],
    )
    return SessionInfo(
        session_pk=row["id"],
        stage=SessionStage(row["stage"]),
        csrf_token=row["csrf_token"],
        actor=actor,
        training_ok_until=row["training_ok_until"],
        last_seen_at=row["last_seen_at"],
        display_name=row["display_name"],
    )


async def refresh_session(db: AsyncSession, info: SessionInfo, now: datetime | None = None) -> bool:
    """Keep the session alive and the training gate current. Returns True when training is complete.

    Writes only when a minute has passed or the training state changed, so a busy user's requests
    are reads."""
    now = now or utcnow()
    ok_until = info.training_ok_until
    touch_due = now - info.last_seen_at >= rules.SESSION_TOUCH_INTERVAL
    if ok_until is None or ok_until <= now or touch_due:
        assert info.actor.id is not None
        outstanding, next_due = await training_outstanding(db, info.actor.id, info.actor.roles, now.date())
        if outstanding:
            ok_until = None
        else:
            # Nothing due: the session itself ends before any training could fall due without a refresh.
            ok_until = datetime.combine(next_due, time.min, UTC) if next_due else now + rules.SESSION_ABSOLUTE_TIMEOUT
    if touch_due or ok_until != info.training_ok_until:
        await db.execute(
            update(StaffSession)
            .where(StaffSession.id == info.session_pk)
            .values(last_seen_at=now if touch_due else info.last_seen_at, training_ok_until=ok_until)
        )
        await db.commit()
    return ok_until is not None and ok_until > now


async def _pending_session(db: AsyncSession, token: str, stage: SessionStage) -> tuple[StaffSession, Staff]:
    now = utcnow()
    row = (
        await db.execute(
            select(StaffSession, Staff)
            .join(Staff, Staff.id == StaffSession.staff_id)
            .where(StaffSession.id_hash == rules.token_hash(token or ""), StaffSession.revoked_at.is_(None))
            .with_for_update()
        )
    ).first()
    if row is None or row[0].stage != stage.value or row[0].expires_at <= now or row[1].status != "active":
        raise Forbidden("Your sign-in has timed out. Sign in again.")
    return row[0], row[1]


def _totp_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time-step CODE belongs to (within one step either way), unless it is not a current
    code or its step was already used (a replay)."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in (0, -1, 1):
        step = current + offset
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def _activate(db: AsyncSession, session: StaffSession, staff: Staff, now: datetime) -> str:
    """Promote a half-signed-in session under a new id, so an id seen before sign-in is useless after."""
    token = secrets.token_urlsafe(32)
    session.id_hash = rules.token_hash(token)
    session.stage = SessionStage.ACTIVE.value
    session.csrf_token = secrets.token_urlsafe(32)
    session.last_seen_at = now
    session.expires_at = now + rules.SESSION_ABSOLUTE_TIMEOUT
    staff.last_sign_in_at = now
    return token


async def verify_second_factor(db: AsyncSession, token: str, code: str) -> SignInResult:
    """Check a TOTP code (or a recovery code) for a session waiting at the MFA step."""
    now = utcnow()
    session, staff = await _pending_session(db, token, SessionStage.MFA)
    actor = _actor_for_staff(staff)
    account_key = rules.account_throttle_key(staff.username)
    locked = _locked_until(await _throttles(db, [account_key]), now)
    if locked is not None:
        await _audit(db, actor, "sign_in.mfa", "staff", staff.id, outcome="refused", detail={"reason": "locked"})
        await db.commit()
        return SignInResult(error=rules.wait_message(locked, now))
    cleaned = "".join(code.split()).replace("-", "").lower()
    accepted = False
    method = "totp"
    if cleaned.isdigit() and len(cleaned) == 6 and staff.mfa_secret:
        step = _totp_step(staff.mfa_secret, cleaned, now, staff.mfa_last_step)
        if step is not None:
            staff.mfa_last_step = step
            accepted = True
    elif cleaned:
        method = "recovery code"
        recovery = await db.scalar(
            select(RecoveryCode)
            .where(
                RecoveryCode.staff_id == staff.id,
                RecoveryCode.code_hash == rules.token_hash(cleaned),
                RecoveryCode.used_at.is_(None),
            )
            .with_for_update()
        )
        if recovery is not None:
            recovery.used_at = now
            accepted = True
    if not accepted:
        await _record_failure(db, [account_key], now)
        await _audit(db, actor, "sign_in.mfa", "staff", staff.id, outcome="refused", detail={"reason": "bad code"})
        await db.commit()
        return SignInResult(error="Enter a current code from your authenticator app, or an unused recovery code.")
    new_token = await _activate(db, session, staff, now)
    await db.execute(delete(SignInThrottle).where(SignInThrottle.key == account_key))
    await _audit(db, actor, "sign_in.mfa", "staff", staff.id, detail={"method": method})
    await db.commit()
    return SignInResult(session_token=new_token, stage=SessionStage.ACTIVE)


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    username: str


async def _enrolment_for(db: AsyncSession, staff: Staff) -> Enrolment:
    if not staff.mfa_secret or staff.mfa_enrolled_at is not None:
        # A new secret until one is confirmed; an enrolled secret is never shown again.
        staff.mfa_secret = pyotp.random_base32()
        await db.commit()
    assert staff.mfa_secret is not None
    uri = pyotp.TOTP(staff.mfa_secret).provisioning_uri(name=staff.username, issuer_name=TOTP_ISSUER)
    return Enrolment(staff.mfa_secret, uri, staff.username)


async def begin_enrolment(db: AsyncSession, token: str | None, actor: Actor | None) -> Enrolment:
    """The secret to enrol: for a session held at the ENROL step, or a signed-in user (re-)enrolling."""
    if actor is not None and actor.id is not None:
        staff = await db.get(Staff, actor.id, with_for_update=True)
        if staff is None:
            raise NotFound("There is no account for you to set up.")
        if staff.mfa_enrolled_at is not None:
            staff.mfa_enrolled_at = None  # replacing a device: the old one stops working once confirmed
            staff.mfa_secret = None
        return await _enrolment_for(db, staff)
    _, staff = await _pending_session(db, token or "", SessionStage.ENROL)
    return await _enrolment_for(db, staff)


@dataclass(frozen=True)
class EnrolmentResult:
    recovery_codes: list[str]
    session_token: str | None  # a new session id when this completed sign-in


async def confirm_enrolment(db: AsyncSession, token: str | None, actor: Actor | None, code: str) -> EnrolmentResult:
    now = utcnow()
    session: StaffSession | None = None
    if actor is not None and actor.id is not None:
        staff = await db.get(Staff, actor.id, with_for_update=True)
        if staff is None:
            raise NotFound("There is no account for you to set up.")
    else:
        session, staff = await _pending_session(db, token or "", SessionStage.ENROL)
    cleaned = "".join(code.split())
    step = _totp_step(staff.mfa_secret, cleaned, now, None) if staff.mfa_secret and len(cleaned) == 6 else None
    if step is None:
        await _audit(db, _actor_for_staff(staff), "mfa.enrol", "staff", staff.id, outcome="refused")
        await db.commit()
        raise ValidationFailed(FieldError("code", "Enter the 6-digit code your authenticator app shows now."))
    staff.mfa_enrolled_at = now
    staff.mfa_last_step = step
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]  # 40 bits each, single use
    await db.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    db.add_all([RecoveryCode(staff_id=staff.id, code_hash=rules.token_hash(c)) for c in codes])
    new_token = await _activate(db, session, staff, now) if session is not None else None
    await _audit(db, _actor_for_staff(staff), "mfa.enrol", "staff", staff.id)
    await db.commit()
    return EnrolmentResult([f"{c[:5]}-{c[5:]}" for c in codes], new_token)


async def _revoke_sessions(db: AsyncSession, staff_id: int) -> int:
    result = await db.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def sign_out(db: AsyncSession, token: str) -> None:
    row = await db.scalar(select(StaffSession).where(StaffSession.id_hash == rules.token_hash(token or "")))
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    staff = await db.get(Staff, row.staff_id)
    if staff is not None:
        await _audit(db, _actor_for_staff(staff), "sign_out", "staff", staff.id)
    await db.commit()


async def sign_out_everywhere(db: AsyncSession, actor: Actor) -> int:
    assert actor.id is not None
    count = await _revoke_sessions(db, actor.id)
    await _audit(db, actor, "sign_out.everywhere", "staff", actor.id, detail={"sessions": count})
    await db.commit()
    return count


@dataclass(frozen=True)
class SessionRow:
    created_at: datetime
    last_seen_at: datetime
    ip_address: str | None
    user_agent: str | None
    current: bool


async def list_sessions(db: AsyncSession, actor: Actor) -> list[SessionRow]:
    now = utcnow()
    rows = (
        await db.execute(
            select(StaffSession)
            .where(
                StaffSession.staff_id == actor.id,
                StaffSession.revoked_at.is_(None),
                StaffSession.expires_at > now,
                StaffSession.last_seen_at > now - rules.SESSION_IDLE_TIMEOUT,
            )
            .order_by(StaffSession.last_seen_at.desc())
            .limit(50)
        )
    ).scalars()
    return [
        SessionRow(r.created_at, r.last_seen_at, r.ip_address, r.user_agent, str(r.id) == actor.session_id)
        for r in rows
    ]


# -- training ------------------------------------------------------------------------------


async def training_outstanding(
    db: AsyncSession, staff_id: int, roles: frozenset[str] | list[str], today: date
) -> tuple[list[rules.OutstandingModule], date | None]:
    latest = (
        select(TrainingCompletion.module_code, func.max(TrainingCompletion.completed_on).label("last"))
        .where(TrainingCompletion.staff_id == staff_id)
        .group_by(TrainingCompletion.module_code)
        .subquery()
    )
    rows = await db.execute(
        select(TrainingModule.code, TrainingModule.title, TrainingModule.refresh_months, latest.c.last)
        .distinct()
        .join(TrainingRequirement, TrainingRequirement.module_code == TrainingModule.code)
        .outerjoin(latest, latest.c.module_code == TrainingModule.code)
        .where(TrainingRequirement.role.in_(list(roles)), TrainingModule.active.is_(True))
    )
    required = [rules.RequiredModule(code, title, refresh, last) for code, title, refresh, last in rows]
    return rules.training_status(required, today)


async def list_modules(db: AsyncSession) -> list[TrainingModule]:
    return list((await db.execute(select(TrainingModule).order_by(TrainingModule.title))).scalars())


async def record_completion(
    db: AsyncSession, actor: Actor, username: str, module_code: str, completed_on: date
) -> None:
    try:
        errors: list[FieldError] = []
        staff = await db.scalar(select(Staff).where(Staff.username == rules.normalise_username(username)))
        if staff is None:
            errors.append(FieldError("username", f"There is no member of staff with the username {username!r}."))
        module = await db.get(TrainingModule, module_code)
        if module is None:
            errors.append(FieldError("module_code", "Choose a training module."))
        if completed_on > utcnow().date():
            errors.append(FieldError("completed_on", "The date of completion must be today or in the past."))
        if errors:
            raise ValidationFailed(errors)
        assert staff is not None
        local = Role.NATIONAL_ADMINISTRATOR not in actor.roles and actor.kind is ActorKind.STAFF and actor.unit_id
        if local and actor.unit_id and staff.unit_id not in await unit_subtree(db, actor.unit_id):
            raise Forbidden("You can only record training for staff in your own area.")
    except (ValidationFailed, Forbidden) as exc:
        await _refuse(db, actor, "training.record", exc, subject_type="staff", subject_id=username[:64])
        raise
    db.add(
        TrainingCompletion(
            staff_id=staff.id, module_code=module_code, completed_on=completed_on, recorded_by=actor.audit_label[:100]
        )
    )
    # Let the person through at their next request rather than after the session cache expires.
    await db.execute(update(StaffSession).where(StaffSession.staff_id == staff.id).values(training_ok_until=None))
    await _audit(
        db,
        actor,
        "training.record",
        "staff",
        staff.id,
        detail={"module": module_code, "completed_on": completed_on.isoformat()},
    )
    await db.commit()


# -- API clients ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    secret: str


async def create_client(db: AsyncSession, actor: Actor, data: ClientCreate) -> NewClient:
    problems = rules.scope_errors(data.scopes)
    if problems:
        await _refuse(db, actor, "client.create", ValidationFailed([FieldError("scopes", p) for p in problems]))
    if actor.kind not in (ActorKind.SYSTEM, ActorKind.STAFF) or (
        actor.kind is ActorKind.STAFF and Role.NATIONAL_ADMINISTRATOR not in actor.roles
    ):
        await _refuse(db, actor, "client.create", Forbidden("Only a national administrator can create API clients."))
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id="cl_" + secrets.token_hex(10),
        name=data.name.strip(),
        secret_hash=rules.token_hash(secret),
        scopes=sorted(set(data.scopes)),
        created_by=actor.audit_label[:100],
        expires_at=utcnow() + timedelta(days=data.expires_in_days),
    )
    db.add(client)
    await db.flush()
    await _audit(
        db, actor, "client.create", "api_client", client.id, detail={"name": client.name, "scopes": client.scopes}
    )
    await db.commit()
    return NewClient(client, secret)


async def list_clients(db: AsyncSession) -> list[ApiClient]:
    return list((await db.execute(select(ApiClient).order_by(ApiClient.created_at.desc()).limit(500))).scalars())


async def revoke_client(db: AsyncSession, actor: Actor, client_id: str) -> ApiClient:
    client = await db.scalar(select(ApiClient).where(ApiClient.client_id == client_id).with_for_update())
    if client is None:
        await _refuse(db, actor, "client.revoke", NotFound(f"There is no API client {client_id!r}."))
    assert client is not None
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        # Its tokens die with it (the bearer check also looks at the client, so this is tidiness).
        await db.execute(delete(ApiAccessToken).where(ApiAccessToken.client_pk == client.id))
        await _audit(db, actor, "client.revoke", "api_client", client.id)
        await db.commit()
    return client


class OAuthError(Exception):
    """An RFC 6749 token-endpoint error (error code, description, HTTP status)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: list[str]


async def issue_token(db: AsyncSession, client_id: str, client_secret: str, requested: str | None) -> IssuedToken:
    """OAuth 2.0 client-credentials grant."""
    now = utcnow()
    client = await db.scalar(select(ApiClient).where(ApiClient.client_id == client_id[:64]))
    secret_ok = secrets.compare_digest(client.secret_hash if client else "-" * 64, rules.token_hash(client_secret))
    refusal = None
    if client is None or not secret_ok:
        refusal = "unknown client or wrong secret"
    elif client.revoked_at is not None:
        refusal = "revoked"
    elif client.expires_at <= now:
        refusal = "expired"
    if refusal or client is None:
        actor = Actor(kind=ActorKind.CLIENT, name=client_id[:64] or "unknown")
        await _audit(db, actor, "oauth.token", outcome="refused", detail={"reason": refusal})
        await db.commit()
        raise OAuthError("invalid_client", "The client is unknown, revoked or expired, or the secret is wrong.", 401)
    scopes = sorted(set(client.scopes))
    if requested and requested.strip():
        wanted = set(requested.split())
        if not wanted <= set(client.scopes):
            raise OAuthError(
                "invalid_scope", f"This client may not have: {' '.join(sorted(wanted - set(client.scopes)))}."
            )
        scopes = sorted(wanted)
    token = secrets.token_urlsafe(32)
    expires_at = min(now + ACCESS_TOKEN_LIFETIME, client.expires_at)
    db.add(
        ApiAccessToken(
            token_hash=rules.token_hash(token), client_pk=client.id, scopes=scopes, issued_at=now, expires_at=expires_at
        )
    )
    client.last_used_at = now
    # Tidy expired tokens of this client as we go (bounded by the index on client_pk).
    await db.execute(
        delete(ApiAccessToken).where(ApiAccessToken.client_pk == client.id, ApiAccessToken.expires_at <= now)
    )
    await _audit(db, client_actor(client, scopes), "oauth.token", "api_client", client.id)
    await db.commit()
    return IssuedToken(token, int((expires_at - now).total_seconds()), scopes)


def client_actor(client: ApiClient, scopes: list[str]) -> Actor:
    return Actor(
        kind=ActorKind.CLIENT, id=client.id, name=client.client_id, scopes=frozenset(scopes), display_name=client.name
    )


_BEARER_QUERY = """
    SELECT c.id, c.client_id, c.name, t.scopes
    FROM api_access_tokens t JOIN api_clients c ON c.id = t.client_pk
    WHERE t.token_hash = $1 AND t.expires_at > $2 AND c.revoked_at IS NULL AND c.expires_at > $2
"""


async def actor_for_bearer(db: AsyncSession, token: str) -> Actor | None:
    if not token or len(token) > 100:
        return None
    row = await _fetchrow_on_driver(db, _BEARER_QUERY, rules.token_hash(token), utcnow())
    if row is None:
        return None
    return Actor(kind=ActorKind.CLIENT, id=row[0], name=row[1], scopes=frozenset(row[3]), display_name=row[2])


# -- demo ----------------------------------------------------------------------------------

# Where each role's demo login works: (agency, unit kinds in order of preference).
_DEMO_PLACES: dict[Role, tuple[str, tuple[str, ...]]] = {
    Role.POLICE_CASE_BUILDER: ("police", ("police_force", "police_unit")),
    Role.CPS_LAWYER: ("cps", ("cps_area",)),
    Role.CPS_PARALEGAL: ("cps", ("cps_area",)),
    Role.COURT_LEGAL_ADVISER: ("courts", ("magistrates_court",)),
    Role.COURT_CLERK: ("courts", ("magistrates_court",)),
    Role.PRISON_OFFENDER_MANAGER: ("prison", ("prison",)),
    Role.PRISON_RECORDS_CLERK: ("prison", ("prison",)),
    Role.PROBATION_PRACTITIONER: ("probation", ("probation_delivery_unit",)),
    Role.SENIOR_PROBATION_OFFICER: ("probation", ("probation_delivery_unit",)),
    Role.UNPAID_WORK_SUPERVISOR: ("probation", ("probation_delivery_unit",)),
    Role.AREA_ADMINISTRATOR: ("probation", ("probation_region",)),
    Role.TRAINING_ADMINISTRATOR: ("probation", ("probation_region",)),
    Role.NATIONAL_ADMINISTRATOR: ("probation", ("national",)),
    Role.DATA_QUALITY_OFFICER: ("probation", ("national",)),
    Role.ANALYST: ("probation", ("national",)),
    Role.AUDITOR: ("probation", ("national",)),
}

# Used when the unit lists are not loaded yet, so demo sign-in works on any database.
_FALLBACK_UNITS: dict[tuple[str, str], tuple[str, str]] = {
    ("police", "police_force"): ("DEMO-POL", "Demo Constabulary"),
    ("cps", "cps_area"): ("DEMO-CPS", "CPS Demo Area"),
    ("courts", "magistrates_court"): ("DEMO-MC", "Demo Magistrates' Court"),
    ("prison", "prison"): ("DEMO-HMP", "HMP Demo"),
    ("probation", "probation_region"): ("DEMO-PSR", "Demo probation region"),
    ("probation", "probation_delivery_unit"): ("DEMO-PDU", "Demo probation delivery unit"),
    ("probation", "national"): ("DEMO-PSN", "Probation Service – national (demo)"),
}


def demo_username(role: Role) -> str:
    return "demo." + role.value.replace("_", "-")


def demo_login_lines() -> list[str]:
    """One line per role for `caselink run` and the README: who to sign in as."""
    width = max(len(t) for t in rules.ROLE_TITLES.values())
    lines = [f"{rules.ROLE_TITLES[role]:<{width}}  {demo_username(role)}" for role in Role]
    lines.append(f"Password for every demo login: {DEMO_PASSWORD}")
    return lines


async def _demo_unit(db: AsyncSession, agency: str, kinds: tuple[str, ...], parent_id: int | None) -> OrganisationUnit:
    for kind in kinds:
        query = select(OrganisationUnit).where(
            OrganisationUnit.agency == agency, OrganisationUnit.kind == kind, OrganisationUnit.active.is_(True)
        )
        if parent_id is not None and kind == "probation_delivery_unit":
            query = query.where(OrganisationUnit.parent_id == parent_id)
        unit = await db.scalar(query.order_by(OrganisationUnit.code).limit(1))
        if unit is not None:
            return unit
    code, name = _FALLBACK_UNITS[(agency, kinds[0])]
    unit = await db.scalar(select(OrganisationUnit).where(OrganisationUnit.code == code))
    if unit is None:
        unit = OrganisationUnit(
            code=code, name=name, agency=agency, kind=kinds[0], parent_id=parent_id, source="caselink", active=True
        )
        db.add(unit)
        await db.flush()
    return unit


async def ensure_demo_staff_in(db: AsyncSession) -> str:
    """Create (or repair) one demo login per role, fully trained, all with DEMO_PASSWORD."""
    region = await _demo_unit(db, "probation", ("probation_region",), None)
    units: dict[tuple[str, tuple[str, ...]], OrganisationUnit] = {}
    password_hash: str | None = None
    created = 0
    today = utcnow().date()
    for role, (agency, kinds) in _DEMO_PLACES.items():
        if (agency, kinds) not in units:
            # Probation front-line staff work in a PDU inside the demo area administrator's region.
            units[(agency, kinds)] = await _demo_unit(db, agency, kinds, region.id)
        unit = units[(agency, kinds)]
        username = demo_username(role)
        staff = await db.scalar(select(Staff).where(Staff.username == username))
        if staff is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            staff = Staff(
                username=username,
                display_name=f"Demo {rules.ROLE_TITLES[role].lower()}",
                unit_id=unit.id,
                roles=[role.value],
                status="active",
                password_hash=password_hash,
            )
            db.add(staff)
            await db.flush()
            created += 1
        outstanding, _ = await training_outstanding(db, staff.id, [role.value], today)
        db.add_all(
            [
                TrainingCompletion(
                    staff_id=staff.id, module_code=m.code, completed_on=today, recorded_by="caselink:demo"
                )
                for m in outstanding
            ]
        )
    await db.commit()
    return f"{len(Role)} demo logins ready ({created} new); password {DEMO_PASSWORD}"


T = TypeVar("T")


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine from synchronous code, even inside a running event loop (tests, runner)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_call(factory))
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(asyncio.run(_call(factory)))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


async def _call(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()


async def with_session(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from caselink.db.engine import create_engine

    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as db:
            return await work(db)
    finally:
        await engine.dispose()


def ensure_demo_staff(database_url: str) -> str:
    """First-run step for `caselink run` (demo mode only): the demo logins."""
    return run_sync(lambda: with_session(database_url, ensure_demo_staff_in))


def demo_logins_step(database_url: str) -> str:
    """`caselink run` first-run step: the demo logins, listed for the person at the terminal."""
    from caselink.config import get_settings

    if not get_settings().demo_mode:
        return "skipped (CASELINK_DEMO_MODE is off)"
    summary = ensure_demo_staff(database_url)
    return "\n".join([summary, *("      " + line for line in demo_login_lines())])
