"""Pure rules for the prosecution: charging decisions under the Full Code Test, custody time
limits, case readiness for each hearing, and the outcome measures the CPS reports. No I/O.

Rules that change with the law or with CPS practice are effective-dated data in
``prosecution/rulepacks/*.toml``: series ``prosecution.custody-time-limits`` and
``prosecution.readiness``. Decisions and simplifications: docs/decisions/0023-prosecution-and-court-rules.md.

Validators return lists of ``FieldError`` with dotted paths to the input at fault
(``suspects.0.offences.1.public_interest``); the ``check_*`` wrappers raise ``ValidationFailed``.
"""

from __future__ import annotations

import datetime as dt
import enum
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TypeVar, assert_never

from caselink.courts.rules import ChargeOutcome, CourtType, HearingType, TrialEffectiveness, TrialReason
from caselink.custody.rules import long_date
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.platform.rulepacks import RulePack, TableReader, register_family
from caselink.platform.tasks.rules import england_and_wales

E = TypeVar("E", bound=enum.StrEnum)

RULEPACK_FOLDER = Path(__file__).parent / "rulepacks"

# =============================================================================================
# 1. Charging decisions: the Full Code Test (Code for Crown Prosecutors, section 4)
# =============================================================================================


class StageResult(enum.StrEnum):
    """The result of one stage of the Full Code Test."""

    MET = "met"  # evidential: a realistic prospect of conviction; public interest: prosecution required
    NOT_MET = "not_met"
    NOT_REACHED = "not_reached"  # public interest stage only: not considered because the evidential stage failed
    NOT_RECORDED = "not_recorded"  # the lawyer has not recorded this stage yet (never valid in a decision)


class ChargingOutcome(enum.StrEnum):
    """The decision for one suspect on one offence."""

    CHARGE = "charge"  # charge, with the charges as laid (which may differ from the offence the police put)
    NO_FURTHER_ACTION = "no_further_action"  # no prosecution, with a reason
    FURTHER_EVIDENCE_NEEDED = "further_evidence_needed"  # an action plan back to the police, with a due date
    OUT_OF_COURT_DISPOSAL = "out_of_court_disposal"  # a caution authorised by the prosecutor


class NfaReason(enum.StrEnum):
    """Why there is no further action; must agree with the stage that failed."""

    EVIDENTIAL = "evidential"  # no realistic prospect of conviction
    PUBLIC_INTEREST = "public_interest"  # a prosecution is not required in the public interest


class OutOfCourtDisposal(enum.StrEnum):
    """Disposals a prosecutor may authorise instead of a charge."""

    DIVERSIONARY_CAUTION = "diversionary_caution"  # adult caution with conditions (two-tier framework)
    COMMUNITY_CAUTION = "community_caution"  # adult caution with conditions, lower tier
    CONDITIONAL_CAUTION = "conditional_caution"  # adult conditional caution (before the two-tier framework)
    YOUTH_CONDITIONAL_CAUTION = "youth_conditional_caution"


@dataclass(frozen=True)
class ChargeLaid:
    """A charge as the prosecutor lays it. The offence code is checked against the standing data
    by the service (local codes such as 0101CP001 exist, so the format alone proves nothing)."""

    offence_code: str
    wording: str
    offence_date: dt.date | None = None  # None when only a range or "on or before" is known (in the wording)


@dataclass(frozen=True)
class OffenceDecision:
    """The Full Code Test and its outcome for one offence the police put forward for one suspect."""

    offence_ref: str  # the police file's offence (id within the case file)
    evidential: StageResult
    public_interest: StageResult
    outcome: ChargingOutcome
    charges: tuple[ChargeLaid, ...] = ()  # CHARGE only
    nfa_reason: NfaReason | None = None  # NO_FURTHER_ACTION only
    action_plan_due: dt.date | None = None  # FURTHER_EVIDENCE_NEEDED only
    action_plan_actions: tuple[str, ...] = ()  # FURTHER_EVIDENCE_NEEDED only: what the police must do
    disposal: OutOfCourtDisposal | None = None  # OUT_OF_COURT_DISPOSAL only


@dataclass(frozen=True)
class SuspectDecision:
    suspect_ref: str  # the suspect on the police file
    offences: tuple[OffenceDecision, ...]


@dataclass(frozen=True)
class ChargingDecision:
    decided_on: dt.date
    reasons: str  # the lawyer's recorded reasons (the Code requires them for every decision)
    suspects: tuple[SuspectDecision, ...]


def _stage_errors(path: str, d: OffenceDecision) -> list[FieldError]:
    errors: list[FieldError] = []
    match d.evidential:
        case StageResult.MET:
            if d.public_interest in (StageResult.NOT_REACHED, StageResult.NOT_RECORDED):
                errors.append(
                    FieldError(
                        f"{path}.public_interest",
                        "The evidential stage is met, so record whether the public interest stage is met",
                    )
                )
        case StageResult.NOT_MET:
            if d.public_interest is not StageResult.NOT_REACHED:
                errors.append(
                    FieldError(
                        f"{path}.public_interest",
                        "The public interest stage cannot be considered when the evidential stage is not met",
                    )
                )
        case StageResult.NOT_REACHED | StageResult.NOT_RECORDED:
            errors.append(FieldError(f"{path}.evidential", "Record whether the evidential stage is met"))
        case _ as unreachable:
            assert_never(unreachable)
    return errors


def _outcome_errors(path: str, d: OffenceDecision, decided_on: dt.date) -> list[FieldError]:
    errors: list[FieldError] = []
    both_met = d.evidential is StageResult.MET and d.public_interest is StageResult.MET
    match d.outcome:
        case ChargingOutcome.CHARGE:
            if not both_met:
                errors.append(
                    FieldError(f"{path}.outcome", "A charge needs both the evidential and public interest stages met")
                )
            if not d.charges:
                errors.append(FieldError(f"{path}.charges", "Add at least one charge"))
            for i, charge in enumerate(d.charges):
                if not charge.offence_code.strip():
                    errors.append(FieldError(f"{path}.charges.{i}.offence_code", "Enter the offence code"))
                if not charge.wording.strip():
                    errors.append(FieldError(f"{path}.charges.{i}.wording", "Enter the wording of the charge"))
                if charge.offence_date is not None and charge.offence_date > decided_on:
                    errors.append(
                        FieldError(
                            f"{path}.charges.{i}.offence_date", "The offence date must not be after the decision"
                        )
                    )
        case ChargingOutcome.NO_FURTHER_ACTION:
            match d.nfa_reason:
                case None:
                    errors.append(FieldError(f"{path}.nfa_reason", "Give the reason for no further action"))
                case NfaReason.EVIDENTIAL:
                    if d.evidential is not StageResult.NOT_MET:
                        errors.append(
                            FieldError(
                                f"{path}.nfa_reason", "The reason is evidential, but the evidential stage is met"
                            )
                        )
                case NfaReason.PUBLIC_INTEREST:
                    if d.public_interest is not StageResult.NOT_MET:
                        errors.append(
                            FieldError(
                                f"{path}.nfa_reason",
                                "The reason is public interest, but the public interest stage is not recorded "
                                "as not met",
                            )
                        )
                case _ as unreachable:
                    assert_never(unreachable)
            if both_met:
                errors.append(
                    FieldError(
                        f"{path}.outcome", "Both stages are met: no further action needs a stage that is not met"
                    )
                )
        case ChargingOutcome.FURTHER_EVIDENCE_NEEDED:
            if d.evidential is not StageResult.NOT_MET:
                errors.append(
                    FieldError(
                        f"{path}.outcome", "Further evidence is only needed when the evidential stage is not met"
                    )
                )
            if d.action_plan_due is None:
                errors.append(FieldError(f"{path}.action_plan_due", "Enter the date the police must respond by"))
            elif d.action_plan_due <= decided_on:
                errors.append(
                    FieldError(f"{path}.action_plan_due", "The action plan due date must be after the decision")
                )
            if not [a for a in d.action_plan_actions if a.strip()]:
                errors.append(FieldError(f"{path}.action_plan_actions", "Add at least one action for the police"))
        case ChargingOutcome.OUT_OF_COURT_DISPOSAL:
            if d.evidential is not StageResult.MET:
                errors.append(FieldError(f"{path}.outcome", "An out-of-court disposal needs the evidential stage met"))
            if d.disposal is None:
                errors.append(FieldError(f"{path}.disposal", "Choose the out-of-court disposal"))
        case _ as unreachable:
            assert_never(unreachable)
    # Details that belong to another outcome are refused rather than silently dropped.
    if d.outcome is not ChargingOutcome.CHARGE and d.charges:
        errors.append(FieldError(f"{path}.charges", "Only a decision to charge lays charges"))
    if d.outcome is not ChargingOutcome.NO_FURTHER_ACTION and d.nfa_reason is not None:
        errors.append(FieldError(f"{path}.nfa_reason", "Only no further action has a no-further-action reason"))
    if d.outcome is not ChargingOutcome.FURTHER_EVIDENCE_NEEDED and (d.action_plan_due or d.action_plan_actions):
        errors.append(FieldError(f"{path}.action_plan_due", "Only further evidence needed has an action plan"))
    if d.outcome is not ChargingOutcome.OUT_OF_COURT_DISPOSAL and d.disposal is not None:
        errors.append(FieldError(f"{path}.disposal", "Only an out-of-court disposal outcome names a disposal"))
    return errors


def charging_decision_errors(decision: ChargingDecision) -> list[FieldError]:
    """Every problem with a charging decision, each with its field path."""
    errors: list[FieldError] = []
    if not decision.reasons.strip():
        errors.append(FieldError("reasons", "Record the reasons for the decision"))
    if not decision.suspects:
        errors.append(FieldError("suspects", "Record a decision for at least one suspect"))
    seen_suspects: set[str] = set()
    for s, suspect in enumerate(decision.suspects):
        spath = f"suspects.{s}"
        if suspect.suspect_ref in seen_suspects:
            errors.append(FieldError(f"{spath}.suspect_ref", "This suspect has two decisions"))
        seen_suspects.add(suspect.suspect_ref)
        if not suspect.offences:
            errors.append(FieldError(f"{spath}.offences", "Record a decision on at least one offence"))
        seen_offences: set[str] = set()
        for o, offence in enumerate(suspect.offences):
            opath = f"{spath}.offences.{o}"
            if offence.offence_ref in seen_offences:
                errors.append(FieldError(f"{opath}.offence_ref", "This offence has two decisions for the suspect"))
            seen_offences.add(offence.offence_ref)
            errors += _stage_errors(opath, offence)
            errors += _outcome_errors(opath, offence, decision.decided_on)
    return errors


def check_charging_decision(decision: ChargingDecision) -> None:
    errors = charging_decision_errors(decision)
    if errors:
        raise ValidationFailed(errors)


def suspect_is_charged(suspect: SuspectDecision) -> bool:
    """A suspect is charged when any offence decision is to charge (the case goes to court)."""
    return any(o.outcome is ChargingOutcome.CHARGE for o in suspect.offences)


# =============================================================================================
# 2. Custody time limits (Prosecution of Offences (Custody Time Limits) Regulations 1987)
# =============================================================================================


class OffenceMode(enum.StrEnum):
    """How an offence may be tried (standing data offence categories)."""

    SUMMARY_ONLY = "summary_only"  # magistrates' court only (CS summary, CM summary motoring)
    EITHER_WAY = "either_way"  # magistrates' court or Crown Court (CE)
    INDICTABLE_ONLY = "indictable_only"  # Crown Court only (CI)
    UNKNOWN = "unknown"  # category missing or not a criminal offence category (CB breach, CR civil)


_MODE_CODES = {
    "CS": OffenceMode.SUMMARY_ONLY,
    "CM": OffenceMode.SUMMARY_ONLY,
    "CE": OffenceMode.EITHER_WAY,
    "CI": OffenceMode.INDICTABLE_ONLY,
}


def offence_mode_from_category(code: str | None) -> OffenceMode:
    return _MODE_CODES.get((code or "").strip().upper(), OffenceMode.UNKNOWN)


class AgeGroup(enum.StrEnum):
    ADULT = "adult"  # 18 or over at first appearance
    YOUTH = "youth"  # under 18 at first appearance
    UNKNOWN = "unknown"  # date of birth not known


class CtlCourt(enum.StrEnum):
    MAGISTRATES = "magistrates"  # before summary trial, or before the case is sent
    CROWN = "crown"  # after sending for trial (Crime and Disorder Act 1998 s.51)


@dataclass(frozen=True)
class CtlLimit:
    """One row of the limits table: the first row matching the court, mode and age group applies."""

    id: str
    description: str
    regulation: str
    court: CtlCourt
    offence_modes: frozenset[OffenceMode]
    age_groups: frozenset[AgeGroup]
    days: int
    # The either-way reduction (reg 4(4)): ``reduced_days`` applies when summary trial is decided
    # within ``reduced_if_summary_trial_decided_within_days`` of the first appearance.
    reduced_days: int | None = None
    reduced_if_summary_trial_decided_within_days: int | None = None


@dataclass(frozen=True)
class CtlWarningRule:
    days_before: int  # how many days before expiry the task falls due
    task: str  # what the task asks of the lawyer or paralegal


@dataclass(frozen=True)
class CtlRules:
    limits: tuple[CtlLimit, ...]
    warnings: tuple[CtlWarningRule, ...]

    def limit_for(self, court: CtlCourt, mode: OffenceMode, age: AgeGroup) -> CtlLimit | None:
        for limit in self.limits:
            if limit.court is court and mode in limit.offence_modes and age in limit.age_groups:
                return limit
        return None


def _enum_set(r: TableReader, key: str, kind: type[E], exclude: E) -> frozenset[E]:
    allowed = {m.value for m in kind if m is not exclude}
    return frozenset(kind(v) for v in r.string_list(key, required=True, allowed=allowed.__contains__) if v in allowed)


def parse_ctl_rules(r: TableReader) -> CtlRules:
    limits: list[CtlLimit] = []
    courts = {c.value for c in CtlCourt}
    for t in r.tables("limit"):
        court = t.string("court")
        if court is not None and court not in courts:
            t.problem("court", f"must be one of {', '.join(sorted(courts))}")
        reduced = t.integer("reduced_days", required=False, minimum=1)
        within = t.integer("reduced_if_summary_trial_decided_within_days", required=False, minimum=1)
        if (reduced is None) != (within is None):
            t.problem(
                "reduced_days", "give both reduced_days and reduced_if_summary_trial_decided_within_days, or neither"
            )
        limits.append(
            CtlLimit(
                id=t.string("id") or "",
                description=t.string("description") or "",
                regulation=t.string("regulation") or "",
                court=CtlCourt(court) if court in courts else CtlCourt.MAGISTRATES,
                offence_modes=_enum_set(t, "offence_modes", OffenceMode, OffenceMode.UNKNOWN),
                age_groups=_enum_set(t, "age_groups", AgeGroup, AgeGroup.UNKNOWN),
                days=t.integer("days", minimum=1) or 1,
                reduced_days=reduced,
                reduced_if_summary_trial_decided_within_days=within,
            )
        )
        t.finish()
    warnings: list[CtlWarningRule] = []
    for t in r.tables("warning"):
        warnings.append(CtlWarningRule(t.integer("days_before", minimum=1) or 1, t.string("task") or ""))
        t.finish()
    return CtlRules(tuple(limits), tuple(sorted(warnings, key=lambda w: -w.days_before)))


CTL_RULES = register_family("prosecution.custody-time-limits", RULEPACK_FOLDER, parse_ctl_rules)


@dataclass(frozen=True)
class RemandPeriod:
    """One unbroken period in custody on this charge. Custody time runs from the day after
    ``remanded_on`` (the day custody began is not counted, reg 2(4)) to ``released_on`` inclusive;
    a period of bail between two periods stops the clock."""

    remanded_on: dt.date
    released_on: dt.date | None = None  # bailed or released; None while the defendant is still in custody

    def days(self, until: dt.date) -> int:
        return ((self.released_on or until) - self.remanded_on).days


@dataclass(frozen=True)
class CtlInput:
    """What the limit on one charge depends on."""

    offence_mode: OffenceMode
    age_group: AgeGroup
    first_appearance: dt.date
    remand_periods: tuple[RemandPeriod, ...]
    sent_for_trial_on: dt.date | None = None  # None while the case is in the magistrates' court
    summary_trial_decided_on: dt.date | None = None  # allocation for summary trial (either-way offences)


class CtlClock(enum.StrEnum):
    RUNNING = "running"  # in custody now: the limit expires on a fixed date
    STOPPED = "stopped"  # on bail: the clock is stopped with days left
    NOT_STARTED = "not_started"  # never remanded in custody on this charge


@dataclass(frozen=True)
class CtlWarning:
    days_before: int
    due_on: dt.date
    task: str


@dataclass(frozen=True)
class CtlResult:
    clock: CtlClock
    court: CtlCourt
    limit: CtlLimit
    limit_days: int  # after any either-way reduction
    days_used_before_current_period: int  # custody days in completed periods
    days_left_when_current_period_began: int  # RUNNING: limit less the days above; otherwise days left now
    expiry_date: dt.date | None  # RUNNING only: the last day of the limit, moved back off non-court days
    unadjusted_expiry_date: dt.date | None  # RUNNING only: before the reg 2(5) move
    warnings: tuple[CtlWarning, ...]  # RUNNING only: task due dates, earliest first
    steps: tuple[str, ...]  # how the result was worked out, for the page
    rule_pack: str  # "prosecution.custody-time-limits 2021.1"

    def days_left_on(self, today: dt.date) -> int:
        """Days of custody time left as of ``today`` (negative once expired)."""
        match self.clock:
            case CtlClock.RUNNING:
                assert self.expiry_date is not None
                return (self.expiry_date - today).days
            case CtlClock.STOPPED | CtlClock.NOT_STARTED:
                return self.days_left_when_current_period_began
            case _ as unreachable:
                assert_never(unreachable)


class CtlInputError(ValidationFailed):
    """The remand history cannot give a custody time limit; each error names the input at fault."""


def _ctl_errors(ctl: CtlInput) -> list[FieldError]:
    errors: list[FieldError] = []
    if ctl.offence_mode is OffenceMode.UNKNOWN:
        errors.append(
            FieldError(
                "offence_mode",
                "Record whether the offence is summary only, either way or indictable only: the custody time limit "
                "depends on it",
            )
        )
    if ctl.age_group is AgeGroup.UNKNOWN:
        errors.append(FieldError("age_group", "Record the defendant's date of birth: youth limits can differ"))
    if ctl.sent_for_trial_on is not None and ctl.sent_for_trial_on < ctl.first_appearance:
        errors.append(FieldError("sent_for_trial_on", "The case cannot be sent before the first appearance"))
    if ctl.summary_trial_decided_on is not None:
        if ctl.summary_trial_decided_on < ctl.first_appearance:
            errors.append(
                FieldError("summary_trial_decided_on", "Summary trial cannot be decided before the first appearance")
            )
        if ctl.sent_for_trial_on is not None:
            errors.append(
                FieldError("summary_trial_decided_on", "A case sent to the Crown Court is not also tried summarily")
            )
    for i, period in enumerate(ctl.remand_periods):
        path = f"remand_periods.{i}"
        if period.remanded_on < ctl.first_appearance:
            errors.append(
                FieldError(f"{path}.remanded_on", "A remand by the court cannot begin before the first appearance")
            )
        if period.released_on is not None and period.released_on < period.remanded_on:
            errors.append(FieldError(f"{path}.released_on", "The release date must not be before the remand date"))
    open_periods = [i for i, p in enumerate(ctl.remand_periods) if p.released_on is None]
    for i in open_periods[1:] if len(open_periods) > 1 else []:
        errors.append(FieldError(f"remand_periods.{i}.released_on", "Only one remand period can still be running"))
    # Periods are half-open: released on a day and re-remanded that day is not an overlap. Each
    # period is compared with the one reaching furthest so far, so a long period is not missed.
    furthest: RemandPeriod | None = None
    for j, later in sorted(enumerate(ctl.remand_periods), key=lambda ip: ip[1].remanded_on):
        if furthest is not None and (furthest.released_on is None or later.remanded_on < furthest.released_on):
            until = "still running" if furthest.released_on is None else f"to {long_date(furthest.released_on)}"
            errors.append(
                FieldError(
                    f"remand_periods.{j}.remanded_on",
                    f"This remand period (from {long_date(later.remanded_on)}) overlaps the one from "
                    f"{long_date(furthest.remanded_on)} {until}; a defendant is in custody on a charge only once",
                )
            )
        if furthest is None or (
            furthest.released_on is not None and (later.released_on is None or later.released_on > furthest.released_on)
        ):
            furthest = later
    return errors


def custody_time_limit(ctl: CtlInput) -> CtlResult:
    """The custody time limit on one charge from its remand history.

    Counting (regs 2(4), 2(5), 4 and 5): custody days exclude the day custody began; the expiry
    date is the day the limit's last day falls on: the start of the running period plus the days
    left; an expiry on a Saturday, Sunday, Christmas Day, Good Friday or bank holiday moves back to
    the previous day that is none of those. The Crown Court limit (182 days from sending less the
    time in the magistrates' court's custody) equals 182 less every custody day since the first
    appearance, which is how it is counted here. The pack in force on the day the limit began (the
    first appearance, or the sending for the Crown Court limit) applies.
    """
    errors = _ctl_errors(ctl)
    if errors:
        raise CtlInputError(errors)
    court = CtlCourt.CROWN if ctl.sent_for_trial_on is not None else CtlCourt.MAGISTRATES
    began = ctl.sent_for_trial_on or ctl.first_appearance
    pack: RulePack[CtlRules] = CTL_RULES.series().in_force_on(began)
    limit = pack.content.limit_for(court, ctl.offence_mode, ctl.age_group)
    if limit is None:
        where = "the Crown Court" if court is CtlCourt.CROWN else "the magistrates' court"
        hint = " Enter the date it was sent to the Crown Court." if court is CtlCourt.MAGISTRATES else ""
        raise CtlInputError(
            FieldError(
                "sent_for_trial_on" if hint else "offence_mode",
                f"No custody time limit applies in {where} to a {ctl.offence_mode.value.replace('_', '-')} offence "
                f"for a {ctl.age_group.value} defendant.{hint}",
            )
        )
    steps = [f"{limit.description}: {limit.days} days ({limit.regulation})"]
    limit_days = limit.days
    decided = ctl.summary_trial_decided_on
    if limit.reduced_days is not None and limit.reduced_if_summary_trial_decided_within_days is not None and decided:
        within = limit.reduced_if_summary_trial_decided_within_days
        if (decided - ctl.first_appearance).days <= within:
            limit_days = limit.reduced_days
            steps.append(
                f"Summary trial decided on {long_date(decided)}, within {within} days of the first appearance: "
                f"the limit is {limit_days} days"
            )
    periods = sorted(ctl.remand_periods, key=lambda p: p.remanded_on)
    closed = [p for p in periods if p.released_on is not None]
    used = sum(p.days(p.remanded_on) for p in closed)
    for p in closed:
        assert p.released_on is not None
        steps.append(
            f"In custody from {long_date(p.remanded_on)} to {long_date(p.released_on)}: "
            f"{p.days(p.remanded_on)} days counted"
        )
    left = limit_days - used
    current = periods[-1] if periods and periods[-1].released_on is None else None
    if current is None:
        clock = CtlClock.STOPPED if periods else CtlClock.NOT_STARTED
        steps.append(
            f"Not in custody now: the clock is stopped with {left} days left"
            if periods
            else f"Never remanded in custody: {left} days would be available"
        )
        return CtlResult(clock, court, limit, limit_days, used, left, None, None, (), tuple(steps), pack.label)
    unadjusted = current.remanded_on + dt.timedelta(days=left)
    expiry = _previous_court_day(unadjusted)
    steps.append(
        f"In custody since {long_date(current.remanded_on)} with {left} days left: expires {long_date(unadjusted)}"
    )
    if expiry != unadjusted:
        steps.append(
            f"{long_date(unadjusted)} is not a working day, so the limit expires on {long_date(expiry)} (reg 2(5))"
        )
    warnings = tuple(
        CtlWarning(w.days_before, expiry - dt.timedelta(days=w.days_before), w.task) for w in pack.content.warnings
    )
    return CtlResult(
        CtlClock.RUNNING, court, limit, limit_days, used, left, expiry, unadjusted, warnings, tuple(steps), pack.label
    )


def _previous_court_day(day: dt.date) -> dt.date:
    """Reg 2(5): Saturday, Sunday, Christmas Day, Good Friday and bank holidays give way to the
    day before. The England and Wales bank holiday list includes Christmas Day and Good Friday."""
    calendar = england_and_wales()
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


# =============================================================================================
# 3. Case readiness
# =============================================================================================


class CaseFact(enum.StrEnum):
    """Facts the case supplies for computed checklist items."""

    IDPC_SERVED = "idpc_served"  # initial details of the prosecution case served on the defence
    WITNESSES_WARNED = "witnesses_warned"  # every witness needed has been warned to attend
    SPECIAL_MEASURES_APPLIED = "special_measures_applied"  # applications made for witnesses who need them
    DISCLOSURE_INITIAL_DONE = "disclosure_initial_done"  # initial disclosure served (CPIA 1996 s.3)
    DEFENCE_STATEMENT_REVIEWED = "defence_statement_reviewed"  # defence statement reviewed, further disclosure done
    PRE_SENTENCE_REPORT_REQUESTED = "pre_sentence_report_requested"  # report requested from probation
    VICTIM_PERSONAL_STATEMENT_OBTAINED = "victim_personal_statement_obtained"
    ANTECEDENTS_SERVED = "antecedents_served"  # previous convictions served on the court and defence


class FactState(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"  # the case does not hold what would tell (treated as outstanding)


class ItemKind(enum.StrEnum):
    COMPUTED = "computed"  # done when the case's fact is YES
    MANUAL = "manual"  # done when a person ticks it


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    kind: ItemKind
    fact: CaseFact | None = None  # COMPUTED items only


@dataclass(frozen=True)
class Checklist:
    hearing_type: HearingType
    items: tuple[ChecklistItem, ...]
    not_ready_within_days: int  # N: with items outstanding, NOT_READY within N days of the hearing


@dataclass(frozen=True)
class ReadinessRules:
    checklists: Mapping[HearingType, Checklist]

    def checklist(self, hearing_type: HearingType) -> Checklist:
        found = self.checklists.get(hearing_type)
        if found is None:
            raise ValidationFailed(
                FieldError("hearing_type", f"There is no readiness checklist for {hearing_type.value}")
            )
        return found


_CHECKLIST_TYPES = tuple(t for t in HearingType if t is not HearingType.OTHER)


def _item_problems(item: ChecklistItem) -> list[tuple[str, str]]:
    """(key, message) for an item whose kind and fact disagree."""
    match item.kind:
        case ItemKind.COMPUTED:
            return [] if item.fact is not None else [("fact", "a computed item needs the name of a case fact")]
        case ItemKind.MANUAL:
            return [] if item.fact is None else [("fact", "a manual item has no fact")]
        case _ as unreachable:
            assert_never(unreachable)


def _parse_item(t: TableReader) -> ChecklistItem | None:
    kinds = {k.value for k in ItemKind}
    facts = {f.value for f in CaseFact}
    item_id, text, kind, fact = t.string("id"), t.string("text"), t.string("kind"), t.string("fact", required=False)
    if kind is not None and kind not in kinds:
        t.problem("kind", 'must be "computed" or "manual"')
    if fact is not None and fact not in facts:
        t.problem("fact", f'"{fact}" is not a case fact Caselink supplies')
    t.finish()
    if item_id is None or text is None or kind not in kinds or (fact is not None and fact not in facts):
        return None
    item = ChecklistItem(item_id, text, ItemKind(kind), CaseFact(fact) if fact is not None else None)
    for key, message in _item_problems(item):
        t.problem(key, message)
    return item


def parse_readiness_rules(r: TableReader) -> ReadinessRules:
    checklists: dict[HearingType, Checklist] = {}
    allowed = {t.value for t in _CHECKLIST_TYPES}
    for c in r.tables("checklist"):
        hearing = c.string("hearing_type")
        days = c.integer("not_ready_within_days", minimum=0)
        items = [item for t in c.tables("item") if (item := _parse_item(t)) is not None]
        ids = [i.id for i in items]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            c.problem("item", f'the id "{dup}" is used more than once')
        c.finish()
        if hearing is None or hearing not in allowed:
            c.problem("hearing_type", f"must be one of {', '.join(sorted(allowed))}")
            continue
        kind = HearingType(hearing)
        if kind in checklists:
            c.problem("hearing_type", f"{hearing} has two checklists")
        checklists[kind] = Checklist(kind, tuple(items), days or 0)
    for missing in [t for t in _CHECKLIST_TYPES if t not in checklists]:
        r.problem("checklist", f"there is no checklist for {missing.value}")
    return ReadinessRules(checklists)


READINESS_RULES = register_family("prosecution.readiness", RULEPACK_FOLDER, parse_readiness_rules)


def national_checklist(hearing_type: HearingType, on: dt.date) -> Checklist:
    """The national default checklist for a hearing type, from the pack in force on ``on``."""
    return READINESS_RULES.series().in_force_on(on).content.checklist(hearing_type)


@dataclass(frozen=True)
class AreaChecklistOverride:
    """A CPS area's changes to the national checklist for one hearing type. Removals are applied
    first, so removing an id and adding an item with the same id replaces it."""

    area_code: str
    hearing_type: HearingType
    remove_item_ids: tuple[str, ...] = ()
    add_items: tuple[ChecklistItem, ...] = ()
    not_ready_within_days: int | None = None  # None keeps the national value


def area_override_errors(national: Checklist, override: AreaChecklistOverride) -> list[FieldError]:
    errors: list[FieldError] = []
    if override.hearing_type is not national.hearing_type:
        errors.append(FieldError("hearing_type", "The override is for a different hearing type"))
    known = {i.id for i in national.items}
    for i, item_id in enumerate(override.remove_item_ids):
        if item_id not in known:
            errors.append(FieldError(f"remove_item_ids.{i}", f'The national checklist has no item "{item_id}"'))
    kept = known - set(override.remove_item_ids)
    added: set[str] = set()
    for i, item in enumerate(override.add_items):
        path = f"add_items.{i}"
        if not item.id.strip():
            errors.append(FieldError(f"{path}.id", "Give the item an id"))
        elif item.id in kept or item.id in added:
            errors.append(
                FieldError(f"{path}.id", f'There is already an item "{item.id}"; remove it first to replace it')
            )
        added.add(item.id)
        if not item.text.strip():
            errors.append(FieldError(f"{path}.text", "Enter what must be done"))
        errors += [FieldError(f"{path}.{key}", message.capitalize()) for key, message in _item_problems(item)]
    if override.not_ready_within_days is not None and override.not_ready_within_days < 0:
        errors.append(FieldError("not_ready_within_days", "Enter 0 or more days"))
    return errors


def apply_area_override(national: Checklist, override: AreaChecklistOverride) -> Checklist:
    """The area's checklist: the national items less those removed, then those added."""
    errors = area_override_errors(national, override)
    if errors:
        raise ValidationFailed(errors)
    removed = set(override.remove_item_ids)
    items = tuple(i for i in national.items if i.id not in removed) + override.add_items
    days = national.not_ready_within_days if override.not_ready_within_days is None else override.not_ready_within_days
    return Checklist(national.hearing_type, items, days)


class ReadinessStatus(enum.StrEnum):
    READY = "ready"  # nothing outstanding
    AT_RISK = "at_risk"  # items outstanding, more than N days to the hearing
    NOT_READY = "not_ready"  # items outstanding, N days or fewer to the hearing, or the hearing has passed

    @property
    def label(self) -> str:
        return {"ready": "Ready", "at_risk": "At risk", "not_ready": "Not ready"}[self.value]


@dataclass(frozen=True)
class OutstandingItem:
    item: ChecklistItem
    fact_state: FactState | None  # for a computed item: NO or UNKNOWN; None for a manual item


@dataclass(frozen=True)
class Readiness:
    status: ReadinessStatus
    outstanding: tuple[OutstandingItem, ...]  # in checklist order
    days_to_hearing: int  # negative once the hearing date has passed
    not_ready_within_days: int
    done_count: int
    item_count: int


def readiness(
    checklist: Checklist,
    facts: Mapping[CaseFact, FactState],
    manual_ticks: Iterable[str],
    hearing_date: dt.date,
    today: dt.date,
) -> Readiness:
    """How ready the prosecution is for a hearing.

    An item is done when its fact is YES (computed; a fact missing from ``facts`` is UNKNOWN) or
    its id is ticked (manual). Ticks for ids not in the checklist are ignored: an area may remove
    an item after it was ticked. A tick never overrides a computed item. Status: nothing
    outstanding → READY; outstanding and more than N days to the hearing → AT_RISK; outstanding
    with N days or fewer to go, or the hearing passed → NOT_READY (N = ``not_ready_within_days``).
    """
    ticked = set(manual_ticks)
    outstanding: list[OutstandingItem] = []
    for item in checklist.items:
        match item.kind:
            case ItemKind.COMPUTED:
                assert item.fact is not None
                state = facts.get(item.fact, FactState.UNKNOWN)
                if state is not FactState.YES:
                    outstanding.append(OutstandingItem(item, state))
            case ItemKind.MANUAL:
                if item.id not in ticked:
                    outstanding.append(OutstandingItem(item, None))
            case _ as unreachable:
                assert_never(unreachable)
    days = (hearing_date - today).days
    if not outstanding:
        status = ReadinessStatus.READY
    elif days > checklist.not_ready_within_days:
        status = ReadinessStatus.AT_RISK
    else:
        status = ReadinessStatus.NOT_READY
    total = len(checklist.items)
    return Readiness(status, tuple(outstanding), days, checklist.not_ready_within_days, total - len(outstanding), total)


# =============================================================================================
# 4. Outcome measures
# =============================================================================================


@dataclass(frozen=True)
class FinalisedDefendant:
    """One defendant's finalised prosecution, with the outcome of the principal charge (see
    ``defendant_outcome``)."""

    court_type: CourtType
    outcome: ChargeOutcome
    charged_on: dt.date
    finalised_on: dt.date


@dataclass(frozen=True)
class ListedTrial:
    court_type: CourtType
    effectiveness: TrialEffectiveness
    reason: TrialReason | None = None


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> Fraction | None:
        """The exact proportion; None when there is nothing to divide by."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def percent(self) -> float | None:
        return None if self.denominator == 0 else 100 * self.numerator / self.denominator


@dataclass(frozen=True)
class DurationSummary:
    count: int
    mean_days: Fraction | None  # None with no records
    median_days: Fraction | None  # middle value; the mean of the middle two for an even count


# Outcome precedence for a defendant with several charges: any conviction counts (guilty plea
# first, as the CPS reports it); otherwise the outcome that went furthest through the court.
_PRECEDENCE = (
    ChargeOutcome.GUILTY_PLEA,
    ChargeOutcome.CONVICTED_AFTER_TRIAL,
    ChargeOutcome.PROVED_IN_ABSENCE,
    ChargeOutcome.ACQUITTED,
    ChargeOutcome.DISMISSED,
    ChargeOutcome.WITHDRAWN,
    ChargeOutcome.DISCONTINUED,
)


def defendant_outcome(charge_outcomes: Iterable[ChargeOutcome]) -> ChargeOutcome:
    """A defendant's outcome from the outcomes of all their charges (see ``_PRECEDENCE``)."""
    present = set(charge_outcomes)
    if not present:
        raise ValueError("a finalised defendant has at least one charge outcome")
    return next(o for o in _PRECEDENCE if o in present)


def discontinuance_rate(records: Iterable[FinalisedDefendant]) -> Rate:
    """Defendants whose prosecution was discontinued or withdrawn, over all finalised defendants.

    As the CPS counts "discontinued": discontinuances, withdrawals and no evidence offered before
    trial (Caselink records the last as WITHDRAWN). Example: 10 finalised, 1 discontinued and
    1 withdrawn → 2/10 = 20%.
    """
    rows = list(records)
    stopped = sum(1 for r in rows if r.outcome in (ChargeOutcome.DISCONTINUED, ChargeOutcome.WITHDRAWN))
    return Rate(stopped, len(rows))


def unsuccessful_outcome_rate_by_court_type(records: Iterable[FinalisedDefendant]) -> dict[CourtType, Rate]:
    """Unsuccessful outcomes over all finalised defendants, per court type.

    Definition (CPS): an outcome is unsuccessful when it is anything other than a conviction —
    discontinued, withdrawn, dismissed or acquitted; convictions are guilty pleas, convictions
    after trial and proofs in absence. MAGISTRATES and CROWN are always present; UNKNOWN only
    when some records lack a court type.
    """
    counts: dict[CourtType, list[int]] = {CourtType.MAGISTRATES: [0, 0], CourtType.CROWN: [0, 0]}
    for r in records:
        tally = counts.setdefault(r.court_type, [0, 0])
        tally[1] += 1
        if not r.outcome.is_conviction:
            tally[0] += 1
    return {court: Rate(u, n) for court, (u, n) in counts.items()}


def prosecution_not_ready_ineffective_rate(trials: Iterable[ListedTrial]) -> Rate:
    """Trials ineffective because the prosecution was not ready, over all trials listed
    (effective, ineffective and cracked), as HMCTS reports trial effectiveness."""
    rows = list(trials)
    not_ready = sum(
        1
        for t in rows
        if t.effectiveness is TrialEffectiveness.INEFFECTIVE and t.reason is TrialReason.PROSECUTION_NOT_READY
    )
    return Rate(not_ready, len(rows))


def charge_to_outcome_days(records: Iterable[FinalisedDefendant]) -> DurationSummary:
    """Calendar days from charge to finalisation: count, mean and median (exact fractions)."""
    days = sorted((r.finalised_on - r.charged_on).days for r in records)
    if not days:
        return DurationSummary(0, None, None)
    return DurationSummary(
        len(days),
        Fraction(sum(days), len(days)),
        Fraction(statistics.median_low(days) + statistics.median_high(days), 2),
    )


@dataclass(frozen=True)
class OutcomeMeasures:
    """All four measures for one set of records (an area and period, chosen by the caller)."""

    discontinuance: Rate
    unsuccessful_by_court_type: dict[CourtType, Rate]
    ineffective_prosecution_not_ready: Rate
    charge_to_outcome: DurationSummary
    finalised: int


def outcome_measures(defendants: Iterable[FinalisedDefendant], trials: Iterable[ListedTrial]) -> OutcomeMeasures:
    rows = list(defendants)
    return OutcomeMeasures(
        discontinuance=discontinuance_rate(rows),
        unsuccessful_by_court_type=unsuccessful_outcome_rate_by_court_type(rows),
        ineffective_prosecution_not_ready=prosecution_not_ready_ineffective_rate(trials),
        charge_to_outcome=charge_to_outcome_days(rows),
        finalised=len(rows),
    )
