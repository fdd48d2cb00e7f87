"""Pure rules of supervision: contact types and outcomes, requirement progress, the enforcement
decision (warning, then breach) from the ``probation.enforcement`` rule pack, and recall states.

No I/O here. The enforcement thresholds are data (``rulepacks/enforcement-*.toml``): the pack in
force on the date of the failure decides how long a failure counts and how many warnings come
before breach action, so a change of policy is a new pack version, not a code change. Imported by
the package's ``__init__`` so the series is registered whenever probation is (the repository-wide
pack test imports ``probation.rules`` only).
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from caselink.platform.rulepacks import RulePack, TableReader, register_family

# -- contacts ------------------------------------------------------------------------------------


class ContactType(enum.StrEnum):
    """What kind of contact. Appointments are booked ahead; the others may be recorded afterwards."""

    OFFICE_APPOINTMENT = "office_appointment"  # supervision appointment at the probation office
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    VIDEO = "video"
    RAR_SESSION = "rar_session"  # rehabilitation activity requirement: a day used when attended
    PROGRAMME_SESSION = "programme_session"  # accredited programme session
    UNPAID_WORK = "unpaid_work"  # a place on an unpaid work session (hours credited)
    CURFEW_CHECK = "curfew_check"  # monitoring report of a curfew breach or compliance
    OTHER = "other"

    @property
    def label(self) -> str:
        return CONTACT_TYPE_LABELS[self]


CONTACT_TYPE_LABELS: dict[ContactType, str] = {
    ContactType.OFFICE_APPOINTMENT: "Office appointment",
    ContactType.HOME_VISIT: "Home visit",
    ContactType.PHONE: "Telephone contact",
    ContactType.VIDEO: "Video call",
    ContactType.RAR_SESSION: "Rehabilitation activity session",
    ContactType.PROGRAMME_SESSION: "Accredited programme session",
    ContactType.UNPAID_WORK: "Unpaid work session",
    ContactType.CURFEW_CHECK: "Curfew monitoring",
    ContactType.OTHER: "Other contact",
}


class Outcome(enum.StrEnum):
    """Outcome of a contact, as probation records it."""

    ATTENDED_COMPLIED = "attended_complied"
    ATTENDED_FAILED_TO_COMPLY = "attended_failed_to_comply"  # e.g. sent home from unpaid work
    ACCEPTABLE_ABSENCE = "acceptable_absence"  # failed to attend, with an acceptable reason
    UNACCEPTABLE_ABSENCE = "unacceptable_absence"  # failed to attend, without one

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def is_failure(self) -> bool:
        """Counts towards enforcement: an unacceptable absence or a failure to comply."""
        return self in FAILURES

    @property
    def attended(self) -> bool:
        return self in (Outcome.ATTENDED_COMPLIED, Outcome.ATTENDED_FAILED_TO_COMPLY)


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.ATTENDED_COMPLIED: "Attended – complied",
    Outcome.ATTENDED_FAILED_TO_COMPLY: "Attended – failed to comply",
    Outcome.ACCEPTABLE_ABSENCE: "Failed to attend – acceptable absence",
    Outcome.UNACCEPTABLE_ABSENCE: "Failed to attend – unacceptable absence",
}
FAILURES = frozenset({Outcome.ATTENDED_FAILED_TO_COMPLY, Outcome.UNACCEPTABLE_ABSENCE})

# Which requirement a contact type counts towards (its progress).
REQUIREMENT_OF_CONTACT: dict[ContactType, str] = {
    ContactType.UNPAID_WORK: "unpaid_work",
    ContactType.RAR_SESSION: "rehabilitation_activity",
    ContactType.PROGRAMME_SESSION: "programme",
    ContactType.CURFEW_CHECK: "curfew",
}

MAX_SESSION_MINUTES = 12 * 60  # no unpaid work session credits more than a long working day


def hours_to_minutes(hours: float) -> int:
    return round(hours * 60)


def format_minutes(minutes: int) -> str:
    """``450`` -> ``7.5 hours``; whole hours without the decimal."""
    hours = minutes / 60
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return f"{text} hour" if text == "1" else f"{text} hours"


def outcome_errors(starts_at: dt.datetime, now: dt.datetime, existing: str | None) -> list[tuple[str, str]]:
    """Why an outcome cannot be recorded on this contact now: (field, message) pairs."""
    errors: list[tuple[str, str]] = []
    if existing is not None:
        errors.append(("outcome", f"An outcome is already recorded: {Outcome(existing).label.lower()}"))
    if starts_at > now:
        when = f"{starts_at:%d %B %Y at %H:%M}"
        errors.append(("outcome", f"This appointment has not happened yet (it is on {when}); record its outcome after"))
    return errors


def unpaid_work_hours_error(ordered_hours: int, minutes_worked: int, minutes_to_add: int) -> str | None:
    """Refuse credit that would take the hours worked past the hours the court ordered."""
    ordered = ordered_hours * 60
    if minutes_worked + minutes_to_add > ordered:
        left = max(0, ordered - minutes_worked)
        return (
            f"That is more than the hours ordered: {format_minutes(minutes_worked)} of {ordered_hours} hours "
            f"already worked, so at most {format_minutes(left)} can be credited"
        )
    return None


# -- requirement progress -----------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far a requirement has got, for the page: ``done`` of ``ordered`` ``unit``."""

    ordered: float
    done: float
    unit: str  # "hours", "days", "sessions"

    @property
    def remaining(self) -> float:
        return max(0.0, self.ordered - self.done)

    @property
    def percent(self) -> int:
        return 100 if self.ordered <= 0 else min(100, int(self.done * 100 / self.ordered))

    @property
    def complete(self) -> bool:
        return self.ordered > 0 and self.done >= self.ordered


def requirement_progress(
    kind: str, *, ordered_hours: int, ordered_days: int, minutes_worked: int, days_used: int, sessions: int
) -> Progress | None:
    """Progress of one requirement; None for requirements measured by time alone (curfew, exclusion,
    treatment), whose progress is the period running out."""
    if kind == "unpaid_work":
        return Progress(float(ordered_hours), minutes_worked / 60, "hours")
    if kind == "rehabilitation_activity":
        return Progress(float(ordered_days), float(days_used), "days")
    if kind == "programme":
        return Progress(float(ordered_days), float(sessions), "sessions")
    return None


# -- enforcement (rule pack) --------------------------------------------------------------------


class EnforcementKind(enum.StrEnum):
    WARNING = "warning"  # a formal warning letter
    BREACH = "breach"  # breach action: back to the court that made the order
    RECALL_REVIEW = "recall_review"  # a licence breach: consider recall
    ADDED_TO_BREACH = "added_to_breach"  # a further failure while breach action is open

    @property
    def label(self) -> str:
        return {
            EnforcementKind.WARNING: "Warning",
            EnforcementKind.BREACH: "Breach action",
            EnforcementKind.RECALL_REVIEW: "Recall consideration",
            EnforcementKind.ADDED_TO_BREACH: "Added to open breach",
        }[self]


class BreachRoute(enum.StrEnum):
    COURT = "court"  # community and suspended sentence orders
    RECALL = "recall"  # licences


CASE_KINDS = ("community_order", "suspended_sentence", "licence")


@dataclass(frozen=True)
class EnforcementPolicy:
    case_kind: str
    window_months: int  # how long a failure counts
    warnings_before_breach: int  # warnings given in the window before the next failure is a breach
    warning_due_working_days: int  # the warning letter is due within this many working days
    breach_due_working_days: int  # breach papers (or the recall review) due within this many
    route: BreachRoute


@dataclass(frozen=True)
class EnforcementRules:
    policies: dict[str, EnforcementPolicy]

    def policy_for(self, case_kind: str) -> EnforcementPolicy:
        return self.policies[case_kind]


def parse_enforcement_rules(r: TableReader) -> EnforcementRules:
    policies: dict[str, EnforcementPolicy] = {}
    for t in r.tables("policy"):
        kind = t.string("case_kind")
        if kind is not None and kind not in CASE_KINDS:
            t.problem("case_kind", f'"{kind}" is not one of {", ".join(CASE_KINDS)}')
            kind = None
        route_text = t.string("breach_route")
        route = None
        if route_text is not None:
            try:
                route = BreachRoute(route_text)
            except ValueError:
                t.problem("breach_route", 'must be "court" or "recall"')
        policy = EnforcementPolicy(
            case_kind=kind or "",
            window_months=t.integer("window_months", minimum=1) or 12,
            warnings_before_breach=t.integer("warnings_before_breach", minimum=0) or 0,
            warning_due_working_days=t.integer("warning_due_working_days", minimum=0) or 0,
            breach_due_working_days=t.integer("breach_due_working_days", minimum=0) or 0,
            route=route or BreachRoute.COURT,
        )
        t.finish()
        if kind is None:
            continue
        if kind in policies:
            t.problem("case_kind", f'"{kind}" has more than one policy')
        policies[kind] = policy
    for kind in CASE_KINDS:
        if kind not in policies and not r.problems:
            r.problem("policy", f'has no policy for "{kind}"')
    return EnforcementRules(policies)


RULEPACK_FOLDER = Path(__file__).parent / "rulepacks"
ENFORCEMENT_RULES = register_family("probation.enforcement", RULEPACK_FOLDER, parse_enforcement_rules)


def enforcement_pack_on(day: dt.date) -> RulePack[EnforcementRules]:
    return ENFORCEMENT_RULES.series().in_force_on(day)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class EnforcementDecision:
    kind: EnforcementKind
    failures_in_window: int  # including this one
    window_start: dt.date  # failures on or after this date count
    due_working_days: int | None  # None: no new task (a failure added to an open breach)
    explanation: str


def decide_enforcement(
    policy: EnforcementPolicy,
    failure_on: dt.date,
    earlier_failures: Sequence[dt.date],
    *,
    last_breach_on: dt.date | None = None,
    breach_open: bool = False,
) -> EnforcementDecision:
    """What a failure leads to. Failures count within ``window_months`` before this one, and only
    since the last breach action (the court dealt with those). Up to ``warnings_before_breach``
    failures get a warning each; the next one is breach action (a recall review for a licence).
    While breach action is open, a further failure is added to it rather than starting another."""
    window_start = add_months(failure_on, -policy.window_months) + dt.timedelta(days=1)
    if last_breach_on is not None and last_breach_on >= window_start:
        window_start = last_breach_on + dt.timedelta(days=1)
    counted = 1 + sum(1 for d in earlier_failures if window_start <= d <= failure_on)
    months = f"{policy.window_months} month{'s' if policy.window_months != 1 else ''}"
    if breach_open:
        return EnforcementDecision(
            EnforcementKind.ADDED_TO_BREACH,
            counted,
            window_start,
            None,
            "Breach action is already open: this failure is added to it as further evidence.",
        )
    if counted <= policy.warnings_before_breach:
        return EnforcementDecision(
            EnforcementKind.WARNING,
            counted,
            window_start,
            policy.warning_due_working_days,
            f"Failure {counted} in {months}: a warning (breach action follows after "
            f"{policy.warnings_before_breach} warning{'s' if policy.warnings_before_breach != 1 else ''}).",
        )
    kind = EnforcementKind.RECALL_REVIEW if policy.route is BreachRoute.RECALL else EnforcementKind.BREACH
    then = "consider recall" if kind is EnforcementKind.RECALL_REVIEW else "breach action back to court"
    return EnforcementDecision(
        kind,
        counted,
        window_start,
        policy.breach_due_working_days,
        f"Failure {counted} in {months}, after {policy.warnings_before_breach} warning(s): {then}.",
    )


# -- recall ---------------------------------------------------------------------------------------


class RecallType(enum.StrEnum):
    STANDARD = "standard"  # held until the end of the sentence unless re-released by the Parole Board
    FIXED_TERM = "fixed_term"  # automatically re-released after 14 or 28 days

    @property
    def label(self) -> str:
        return "Standard recall" if self is RecallType.STANDARD else "Fixed-term recall"


class RecallStatus(enum.StrEnum):
    AWAITING_COUNTERSIGNATURE = "awaiting_countersignature"  # recommended by the practitioner
    COUNTERSIGNED = "countersigned"  # endorsed by a senior officer; awaiting the decision
    REJECTED = "rejected"  # the senior officer did not endorse it (closed)
    RECALLED = "recalled"  # decided: licence revoked, sent to custody (closed)
    NOT_RECALLED = "not_recalled"  # decided against recall (closed)

    @property
    def label(self) -> str:
        return {
            RecallStatus.AWAITING_COUNTERSIGNATURE: "Awaiting countersignature",
            RecallStatus.COUNTERSIGNED: "Countersigned – awaiting decision",
            RecallStatus.REJECTED: "Rejected by senior officer",
            RecallStatus.RECALLED: "Recalled – licence revoked",
            RecallStatus.NOT_RECALLED: "Not recalled",
        }[self]


OPEN_RECALL_STATUSES = (RecallStatus.AWAITING_COUNTERSIGNATURE, RecallStatus.COUNTERSIGNED)
