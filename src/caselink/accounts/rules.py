"""Pure rules for staff accounts: the role catalogue, sign-in throttling, session lifetimes,
password and scope checks, and which training is outstanding. No I/O here."""

from __future__ import annotations

import calendar
import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from caselink.organisations.rules import Agency


class Role(enum.StrEnum):
    """Every role a member of staff can hold. Permissions per role live in platform/access."""

    POLICE_CASE_BUILDER = "police_case_builder"  # builds the police case file for the CPS
    CPS_LAWYER = "cps_lawyer"  # Crown Prosecutor: charging decisions and review
    CPS_PARALEGAL = "cps_paralegal"  # prepares case files and court bundles for lawyers
    COURT_LEGAL_ADVISER = "court_legal_adviser"  # advises magistrates on law and procedure
    COURT_CLERK = "court_clerk"  # lists hearings and records results
    PRISON_OFFENDER_MANAGER = "prison_offender_manager"  # manages a prisoner's sentence in custody
    PRISON_RECORDS_CLERK = "prison_records_clerk"  # receptions, movements, sentence calculation
    PROBATION_PRACTITIONER = "probation_practitioner"  # supervises people on licence or community orders
    SENIOR_PROBATION_OFFICER = "senior_probation_officer"  # manages a team; countersigns recalls
    UNPAID_WORK_SUPERVISOR = "unpaid_work_supervisor"  # supervises community payback sessions
    AREA_ADMINISTRATOR = "area_administrator"  # manages staff accounts in one area (unit tree)
    NATIONAL_ADMINISTRATOR = "national_administrator"  # manages every account and API client
    TRAINING_ADMINISTRATOR = "training_administrator"  # records completed training
    DATA_QUALITY_OFFICER = "data_quality_officer"  # resolves duplicates and data errors
    ANALYST = "analyst"  # reads aggregate reports and datasets
    AUDITOR = "auditor"  # searches the audit trail


ROLE_TITLES: dict[Role, str] = {
    Role.POLICE_CASE_BUILDER: "Police case builder",
    Role.CPS_LAWYER: "CPS lawyer",
    Role.CPS_PARALEGAL: "CPS paralegal",
    Role.COURT_LEGAL_ADVISER: "Court legal adviser",
    Role.COURT_CLERK: "Court clerk",
    Role.PRISON_OFFENDER_MANAGER: "Prison offender manager",
    Role.PRISON_RECORDS_CLERK: "Prison records clerk",
    Role.PROBATION_PRACTITIONER: "Probation practitioner",
    Role.SENIOR_PROBATION_OFFICER: "Senior probation officer",
    Role.UNPAID_WORK_SUPERVISOR: "Unpaid work supervisor",
    Role.AREA_ADMINISTRATOR: "Area administrator",
    Role.NATIONAL_ADMINISTRATOR: "National administrator",
    Role.TRAINING_ADMINISTRATOR: "Training administrator",
    Role.DATA_QUALITY_OFFICER: "Data quality officer",
    Role.ANALYST: "Analyst",
    Role.AUDITOR: "Auditor",
}

_ALL_AGENCIES = frozenset(Agency)

# The agencies whose units a role may exist in. Administration and oversight roles exist in all.
ROLE_AGENCIES: dict[Role, frozenset[Agency]] = {
    Role.POLICE_CASE_BUILDER: frozenset({Agency.POLICE}),
    Role.CPS_LAWYER: frozenset({Agency.CPS}),
    Role.CPS_PARALEGAL: frozenset({Agency.CPS}),
    Role.COURT_LEGAL_ADVISER: frozenset({Agency.COURTS}),
    Role.COURT_CLERK: frozenset({Agency.COURTS}),
    Role.PRISON_OFFENDER_MANAGER: frozenset({Agency.PRISON}),
    Role.PRISON_RECORDS_CLERK: frozenset({Agency.PRISON}),
    Role.PROBATION_PRACTITIONER: frozenset({Agency.PROBATION}),
    Role.SENIOR_PROBATION_OFFICER: frozenset({Agency.PROBATION}),
    Role.UNPAID_WORK_SUPERVISOR: frozenset({Agency.PROBATION}),
    Role.AREA_ADMINISTRATOR: _ALL_AGENCIES,
    Role.NATIONAL_ADMINISTRATOR: _ALL_AGENCIES,
    Role.TRAINING_ADMINISTRATOR: _ALL_AGENCIES,
    Role.DATA_QUALITY_OFFICER: _ALL_AGENCIES,
    Role.ANALYST: _ALL_AGENCIES,
    Role.AUDITOR: _ALL_AGENCIES,
}

# Only a national administrator may hand out these: they reach beyond one area.
NATIONAL_ONLY_ROLES = frozenset({Role.NATIONAL_ADMINISTRATOR})


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValueError(f"{value!r} is not a role; use one of: {', '.join(r.value for r in Role)}.") from None


def role_errors(roles: list[str], agency: str) -> list[str]:
    """Messages for roles that do not exist or cannot exist in a unit of AGENCY."""
    problems: list[str] = []
    if not roles:
        problems.append("Choose at least one role.")
    for value in roles:
        try:
            role = parse_role(value)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if Agency(agency) not in ROLE_AGENCIES[role]:
            problems.append(f"{ROLE_TITLES[role]} is not a role in a {agency} unit.")
    return problems


# -- administration scope ------------------------------------------------------------------


@dataclass(frozen=True)
class AdminScope:
    """What an administrator may manage: every account (national) or those in a set of units."""

    national: bool
    unit_ids: frozenset[int] = frozenset()

    def covers(self, unit_id: int) -> bool:
        return self.national or unit_id in self.unit_ids

    def may_grant(self, role: Role) -> bool:
        return self.national or role not in NATIONAL_ONLY_ROLES


# -- usernames and passwords ---------------------------------------------------------------

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")
PASSWORD_MIN_LENGTH = 12


def normalise_username(value: str) -> str:
    return value.strip().lower()


def username_error(username: str) -> str | None:
    if not USERNAME.match(username):
        return (
            "Enter a username of 3 to 64 characters: lower-case letters, digits, dots, hyphens or "
            "underscores, starting with a letter."
        )
    return None


def password_error(password: str, username: str) -> str | None:
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Enter a password of at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > 256:
        return "Enter a password of at most 256 characters."
    if username and username.lower() in password.lower():
        return "Your password must not contain your username."
    if len(set(password)) < 5:
        return "Your password is too easy to guess; use a mix of characters."
    return None


# -- sign-in throttling --------------------------------------------------------------------

ACCOUNT_FAILURES_BEFORE_LOCK = 5
ACCOUNT_FIRST_LOCK = timedelta(minutes=1)
ACCOUNT_MAX_LOCK = timedelta(hours=1)
ADDRESS_FAILURES_BEFORE_LOCK = 20
ADDRESS_WINDOW = timedelta(minutes=15)
ADDRESS_LOCK = timedelta(minutes=15)


def account_throttle_key(username: str) -> str:
    # Keyed by the name typed, whether or not such an account exists, so that locking out
    # says nothing about which accounts exist.
    return "account:" + normalise_username(username)[:200]


def address_throttle_key(address: str) -> str:
    return "address:" + address[:100]


@dataclass(frozen=True)
class Throttle:
    failures: int
    first_failure_at: datetime
    locked_until: datetime | None


def after_failure(key: str, current: Throttle | None, now: datetime) -> Throttle:
    """The throttle state after one more failed attempt under KEY."""
    if key.startswith("address:"):
        if current is None or now - current.first_failure_at > ADDRESS_WINDOW:
            return Throttle(1, now, None)
        failures = current.failures + 1
        locked = now + ADDRESS_LOCK if failures >= ADDRESS_FAILURES_BEFORE_LOCK else None
        return Throttle(failures, current.first_failure_at, locked)
    failures = (current.failures if current else 0) + 1
    first = current.first_failure_at if current else now
    if failures < ACCOUNT_FAILURES_BEFORE_LOCK:
        return Throttle(failures, first, None)
    # Back-off doubles with each further failure: 1, 2, 4 ... minutes, at most an hour.
    doublings = min(failures - ACCOUNT_FAILURES_BEFORE_LOCK, 10)
    lock = min(ACCOUNT_FIRST_LOCK * (2**doublings), ACCOUNT_MAX_LOCK)
    return Throttle(failures, first, now + lock)


def wait_message(locked_until: datetime, now: datetime) -> str:
    minutes = max(1, int((locked_until - now).total_seconds() + 59) // 60)
    unit = "minute" if minutes == 1 else "minutes"
    return f"There have been too many attempts to sign in. Wait {minutes} {unit} and try again."


# -- sessions ------------------------------------------------------------------------------

SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
# A half-signed-in session (password given, MFA step not yet done) lasts only this long.
PENDING_SESSION_TIMEOUT = timedelta(minutes=10)
# Last-seen is written at most this often, so a busy user does not cost a write per request.
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)


class SessionStage(enum.StrEnum):
    MFA = "mfa"  # password accepted; waiting for a TOTP or recovery code
    ENROL = "enrol"  # password accepted; must set up MFA before going further
    ACTIVE = "active"  # fully signed in


def session_expired(created_at: datetime, last_seen_at: datetime, expires_at: datetime, now: datetime) -> str | None:
    """Why a session is no longer usable, or None if it still is."""
    if now >= expires_at:
        return "absolute"
    if now - last_seen_at >= SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def token_hash(token: str) -> str:
    """Stored form of a random, high-entropy secret (session id, client secret, access token,
    recovery code): SHA-256 is enough when the secret cannot be guessed; passwords use argon2id."""
    return hashlib.sha256(token.encode()).hexdigest()


# -- API client scopes ---------------------------------------------------------------------

SCOPE = re.compile(r"^[a-z][a-z_]{1,31}:(read|write)$")


def scope_errors(scopes: list[str]) -> list[str]:
    if not scopes:
        return ["Give at least one scope, such as people:read."]
    return [
        f"{s!r} is not a scope; scopes look like people:read or people:write." for s in scopes if not SCOPE.match(s)
    ]


# -- training ------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RequiredModule:
    code: str
    title: str
    refresh_months: int | None  # None: once is enough
    last_completed_on: date | None


@dataclass(frozen=True)
class OutstandingModule:
    code: str
    title: str
    reason: str  # "not done" or "expired on 1 May 2026"


def training_status(required: list[RequiredModule], today: date) -> tuple[list[OutstandingModule], date | None]:
    """(modules outstanding, the first day something falls due again if nothing is outstanding).

    A completion is valid up to and including the day before its refresh date."""
    outstanding: list[OutstandingModule] = []
    next_due: date | None = None
    for module in sorted(required, key=lambda m: m.title):
        if module.last_completed_on is None:
            outstanding.append(OutstandingModule(module.code, module.title, "Not completed"))
            continue
        if module.refresh_months is None:
            continue
        due = add_months(module.last_completed_on, module.refresh_months)
        if due <= today:
            outstanding.append(OutstandingModule(module.code, module.title, f"Expired on {due:%-d %B %Y}"))
        elif next_due is None or due < next_due:
            next_due = due
    return outstanding, (None if outstanding else next_due)
