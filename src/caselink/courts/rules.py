"""Pure rules for what happens in court: pleas, outcomes per charge, trial effectiveness, remand
decisions and the shapes of sentences, with their validation. No I/O.

Standing data (``reference_codes``) carries the CJS codes courts exchange; the functions
``*_from_code`` turn those codes into the enums used here and refuse codes they do not know, so a
new code in the standing data is noticed instead of silently mapped to something else.

Statutory limits on sentences (unpaid work hours, curfew hours, suspended sentence terms ...) are
effective-dated data in ``courts/rulepacks/*.toml`` (series ``courts.sentencing-limits``). The
version applied is the one in force on the sentence date (a stated simplification: some changes
apply by offence date; see docs/decisions/0023-prosecution-and-court-rules.md).

Every validator returns a list of ``FieldError`` with the dotted path of the input at fault
(``disposals.0.terms.1.charge_id``); the ``check_*`` wrappers raise ``ValidationFailed``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import assert_never

from caselink.custody.rules import Length, long_date
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.platform.rulepacks import RulePack, TableReader, register_family

# ---------------------------------------------------------------------------------------------
# Courts and hearings
# ---------------------------------------------------------------------------------------------


class CourtType(enum.StrEnum):
    """The two trial courts the CPS reports its outcomes by."""

    MAGISTRATES = "magistrates"  # magistrates' courts, adult and youth (standing data MCA, MCY)
    CROWN = "crown"  # the Crown Court (standing data CC)
    UNKNOWN = "unknown"  # the court type was not recorded or is not a trial court

    @property
    def label(self) -> str:
        return _COURT_TYPE_LABELS[self]


_COURT_TYPE_LABELS = {
    CourtType.MAGISTRATES: "Magistrates' court",
    CourtType.CROWN: "Crown Court",
    CourtType.UNKNOWN: "Court type not known",
}

# Standing data court-type.json codes. Appeal, High Court and the magistrates' family, licensing
# and enforcement courts do not try criminal cases at first instance, so they map to UNKNOWN.
_COURT_TYPE_CODES = {"MCA": CourtType.MAGISTRATES, "MCY": CourtType.MAGISTRATES, "CC": CourtType.CROWN}


def court_type_from_code(code: str) -> CourtType:
    """The trial court type of a standing-data court-type code; UNKNOWN for any other code."""
    return _COURT_TYPE_CODES.get(code.strip().upper(), CourtType.UNKNOWN)


class HearingType(enum.StrEnum):
    """Hearings that have a readiness checklist, and OTHER for the rest."""

    FIRST_HEARING = "first_hearing"  # first appearance in the magistrates' court
    PTPH = "ptph"  # plea and trial preparation hearing (Crown Court)
    TRIAL = "trial"  # trial in either court
    SENTENCE = "sentence"  # sentencing hearing, with or without a pre-sentence report
    OTHER = "other"  # mentions, bail applications, reviews ...: no readiness checklist


# Standing data type-of-hearing.json codes. PDH (plea and directions hearing) is the standing
# data's only code for the hearing that became the PTPH.
_HEARING_TYPE_CODES = {
    "FH": HearingType.FIRST_HEARING,
    "FHEAH": HearingType.FIRST_HEARING,
    "FHEFH": HearingType.FIRST_HEARING,
    "PDH": HearingType.PTPH,
    "TRIAL": HearingType.TRIAL,
    "STPSR": HearingType.SENTENCE,
    "SWPSR": HearingType.SENTENCE,
    "DS": HearingType.SENTENCE,
    "CS": HearingType.SENTENCE,
    "CSPBV": HearingType.SENTENCE,
}


def hearing_type_from_code(code: str) -> HearingType:
    """The readiness hearing type of a standing-data type-of-hearing code (OTHER if it has none)."""
    return _HEARING_TYPE_CODES.get(code.strip().upper(), HearingType.OTHER)


# ---------------------------------------------------------------------------------------------
# Pleas
# ---------------------------------------------------------------------------------------------


class Plea(enum.StrEnum):
    """A plea entered on one charge (or the answer to an allegation of breach)."""

    GUILTY = "guilty"
    NOT_GUILTY = "not_guilty"
    NO_PLEA = "no_plea"  # asked but no plea taken (e.g. indictable-only at the first hearing)
    ADMITS = "admits"  # admits a breach or allegation
    DENIES = "denies"  # denies a breach or allegation
    CONSENTS = "consents"  # consents to an application
    OPPOSES = "opposes"  # opposes an application


# Standing data plea-status.json (list "plea-status"): CJS code -> plea.
_PLEA_CODES = {
    "G": Plea.GUILTY,
    "NG": Plea.NOT_GUILTY,
    "NONE": Plea.NO_PLEA,
    "ADM": Plea.ADMITS,
    "DEN": Plea.DENIES,
    "CON": Plea.CONSENTS,
    "OPP": Plea.OPPOSES,
}


def plea_from_code(code: str, field: str = "plea") -> Plea:
    """The plea for a standing-data plea-status code; a code not known here is refused."""
    plea = _PLEA_CODES.get(code.strip().upper())
    if plea is None:
        raise ValidationFailed(FieldError(field, f'"{code}" is not a plea code Caselink knows'))
    return plea


# ---------------------------------------------------------------------------------------------
# Outcomes per charge
# ---------------------------------------------------------------------------------------------


class ChargeOutcome(enum.StrEnum):
    """How one charge ended. The first three are convictions; the rest are what the CPS counts as
    unsuccessful outcomes."""

    GUILTY_PLEA = "guilty_plea"  # convicted on the defendant's guilty plea
    CONVICTED_AFTER_TRIAL = "convicted_after_trial"  # found guilty at trial
    PROVED_IN_ABSENCE = "proved_in_absence"  # magistrates' court: proved with the defendant absent
    ACQUITTED = "acquitted"  # found not guilty at trial (including on the judge's direction)
    DISMISSED = "dismissed"  # dismissed by the court (no case to answer, no evidence offered)
    DISCONTINUED = "discontinued"  # stopped by the CPS before trial (POA 1985 s.23 / s.23A notice)
    WITHDRAWN = "withdrawn"  # withdrawn by the prosecution at court

    @property
    def is_conviction(self) -> bool:
        return self in _CONVICTIONS

    @property
    def needs_reason(self) -> bool:
        """Discontinuance and withdrawal must carry a reason code (reported to the CPS)."""
        return self in (ChargeOutcome.DISCONTINUED, ChargeOutcome.WITHDRAWN)


_CONVICTIONS = frozenset(
    {ChargeOutcome.GUILTY_PLEA, ChargeOutcome.CONVICTED_AFTER_TRIAL, ChargeOutcome.PROVED_IN_ABSENCE}
)


class DiscontinuanceReason(enum.StrEnum):
    """Why the prosecution stopped a charge (discontinued or withdrawn)."""

    INSUFFICIENT_EVIDENCE = "insufficient_evidence"  # the evidential stage is no longer met
    PUBLIC_INTEREST = "public_interest"  # the public interest no longer requires a prosecution
    VICTIM_WITHDREW_SUPPORT = "victim_withdrew_support"  # victim retracted or will not give evidence
    WITNESS_UNAVAILABLE = "witness_unavailable"  # an essential witness cannot or will not attend
    PROSECUTION_NOT_READY = "prosecution_not_ready"  # the prosecution could not proceed (e.g. refused adjournment)
    CHARGE_SUBSTITUTED = "charge_substituted"  # replaced by another charge or an alternative accepted
    DEFENDANT_DIED = "defendant_died"
    OTHER = "other"  # any other reason, recorded in the note


@dataclass(frozen=True)
class ChargeResult:
    """The outcome of one charge. ``reason`` is required for discontinued and withdrawn charges
    and must be absent otherwise."""

    charge_id: str
    outcome: ChargeOutcome
    reason: DiscontinuanceReason | None = None


def charge_result_errors(charges_before_court: Iterable[str], results: Iterable[ChargeResult]) -> list[FieldError]:
    """Problems with the outcomes entered for a hearing (paths ``results.N.*``)."""
    before = set(charges_before_court)
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, result in enumerate(results):
        path = f"results.{i}"
        if result.charge_id not in before:
            errors.append(FieldError(f"{path}.charge_id", f"Charge {result.charge_id} is not before the court"))
        elif result.charge_id in seen:
            errors.append(FieldError(f"{path}.charge_id", f"Charge {result.charge_id} has more than one outcome"))
        seen.add(result.charge_id)
        if result.outcome.needs_reason and result.reason is None:
            errors.append(
                FieldError(f"{path}.reason", f"Give the reason charge {result.charge_id} was {result.outcome.value}")
            )
        elif not result.outcome.needs_reason and result.reason is not None:
            errors.append(
                FieldError(f"{path}.reason", "Only a discontinued or withdrawn charge has a discontinuance reason")
            )
    return errors


def check_charge_results(charges_before_court: Iterable[str], results: Iterable[ChargeResult]) -> None:
    errors = charge_result_errors(charges_before_court, results)
    if errors:
        raise ValidationFailed(errors)


# ---------------------------------------------------------------------------------------------
# Trial effectiveness
# ---------------------------------------------------------------------------------------------


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


class TrialEffectiveness(enum.StrEnum):
    """What happened on the day a trial was listed (HMCTS trial effectiveness)."""

    EFFECTIVE = "effective"  # the trial started on the day listed
    INEFFECTIVE = "ineffective"  # it did not go ahead and had to be re-listed
    CRACKED = "cracked"  # it did not go ahead and did not need re-listing (plea, no evidence offered)


class TrialReason(enum.StrEnum):
    """Why a trial was ineffective or cracked; each reason belongs to one of the two."""

    # ineffective
    PROSECUTION_NOT_READY = "prosecution_not_ready"  # prosecution not ready (incl. disclosure, case papers)
    PROSECUTION_WITNESS_ABSENT = "prosecution_witness_absent"
    DEFENCE_NOT_READY = "defence_not_ready"
    DEFENDANT_ABSENT = "defendant_absent"  # defendant absent or ill, or not produced from custody
    DEFENCE_WITNESS_ABSENT = "defence_witness_absent"
    NO_COURT_TIME = "no_court_time"  # overlisting, no judge or magistrates available
    INTERPRETER_UNAVAILABLE = "interpreter_unavailable"
    OTHER_INEFFECTIVE = "other_ineffective"
    # cracked
    LATE_GUILTY_PLEA = "late_guilty_plea"  # guilty plea entered on the day
    PLEA_TO_ALTERNATIVE = "plea_to_alternative"  # plea to an alternative charge accepted
    PROSECUTION_OFFERED_NO_EVIDENCE = "prosecution_offered_no_evidence"
    DEFENDANT_BOUND_OVER = "defendant_bound_over"
    OTHER_CRACKED = "other_cracked"

    @property
    def applies_to(self) -> TrialEffectiveness:
        return TrialEffectiveness.CRACKED if self in _CRACKED_REASONS else TrialEffectiveness.INEFFECTIVE


_CRACKED_REASONS = frozenset(
    {
        TrialReason.LATE_GUILTY_PLEA,
        TrialReason.PLEA_TO_ALTERNATIVE,
        TrialReason.PROSECUTION_OFFERED_NO_EVIDENCE,
        TrialReason.DEFENDANT_BOUND_OVER,
        TrialReason.OTHER_CRACKED,
    }
)


@dataclass(frozen=True)
class TrialOutcome:
    effectiveness: TrialEffectiveness
    reason: TrialReason | None = None  # required when ineffective or cracked; absent when effective


def trial_outcome_errors(outcome: TrialOutcome, field: str = "trial") -> list[FieldError]:
    match outcome.effectiveness:
        case TrialEffectiveness.EFFECTIVE:
            if outcome.reason is not None:
                return [FieldError(f"{field}.reason", "An effective trial has no ineffective or cracked reason")]
            return []
        case TrialEffectiveness.INEFFECTIVE | TrialEffectiveness.CRACKED:
            kind = outcome.effectiveness.value
            if outcome.reason is None:
                return [FieldError(f"{field}.reason", f"Give the reason the trial was {kind}")]
            if outcome.reason.applies_to is not outcome.effectiveness:
                belongs = outcome.reason.applies_to.value
                message = f"That reason is for {_article(belongs)} {belongs} trial, not {_article(kind)} {kind} one"
                return [FieldError(f"{field}.reason", message)]
            return []
        case _ as unreachable:
            assert_never(unreachable)


# ---------------------------------------------------------------------------------------------
# Remand decisions
# ---------------------------------------------------------------------------------------------


class RemandDecision(enum.StrEnum):
    """Where the court sends the defendant until the next hearing."""

    CUSTODY = "custody"  # remanded in custody (prison, or a young offender institution)
    CONDITIONAL_BAIL = "conditional_bail"
    UNCONDITIONAL_BAIL = "unconditional_bail"
    LOCAL_AUTHORITY_ACCOMMODATION = "local_authority_accommodation"  # a child remanded to the council's care
    YOUTH_DETENTION_ACCOMMODATION = "youth_detention_accommodation"  # a child remanded to secure accommodation
    NOT_APPLICABLE = "not_applicable"  # no remand (case concluded, or summons case not on bail)

    @property
    def counts_for_custody_time_limit(self) -> bool:
        """Custody time limits run while the defendant is in custody; for children that includes
        local authority accommodation (Prosecution of Offences Act 1985 s.22(11))."""
        match self:
            case (
                RemandDecision.CUSTODY
                | RemandDecision.LOCAL_AUTHORITY_ACCOMMODATION
                | RemandDecision.YOUTH_DETENTION_ACCOMMODATION
            ):
                return True
            case RemandDecision.CONDITIONAL_BAIL | RemandDecision.UNCONDITIONAL_BAIL | RemandDecision.NOT_APPLICABLE:
                return False
            case _ as unreachable:
                assert_never(unreachable)


# Standing data remand-status.json: PB and PR are both "Custody" (different SPI codes).
_REMAND_CODES = {
    "PB": RemandDecision.CUSTODY,
    "PR": RemandDecision.CUSTODY,
    "CB": RemandDecision.CONDITIONAL_BAIL,
    "UB": RemandDecision.UNCONDITIONAL_BAIL,
    "LA": RemandDecision.LOCAL_AUTHORITY_ACCOMMODATION,
    "SA": RemandDecision.YOUTH_DETENTION_ACCOMMODATION,
    "NA": RemandDecision.NOT_APPLICABLE,
}


def remand_decision_from_code(code: str, field: str = "remand") -> RemandDecision:
    decision = _REMAND_CODES.get(code.strip().upper())
    if decision is None:
        raise ValidationFailed(FieldError(field, f'"{code}" is not a remand status code Caselink knows'))
    return decision


# ---------------------------------------------------------------------------------------------
# Sentencing limits (rule pack courts.sentencing-limits)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentencingLimits:
    """Statutory limits on the shapes of sentences, as in force on a date."""

    unpaid_work_min_hours: int
    unpaid_work_max_hours: int
    curfew_min_hours_per_day: int
    curfew_max_hours_per_day: int
    curfew_max_hours_per_week: int | None  # None when the law sets no weekly cap
    curfew_max_period: Length
    exclusion_max_period: Length
    suspended_min_term: Length
    suspended_max_term: Length
    suspended_min_operational_period: Length
    suspended_max_operational_period: Length
    community_order_max_length: Length
    conditional_discharge_max_period: Length


def _read_length(r: TableReader, key: str) -> Length:
    def parse(t: TableReader) -> Length:
        units = {u: t.integer(u, required=False, minimum=0) or 0 for u in ("years", "months", "weeks", "days")}
        return Length(**units)

    return r.nested(key, parse) or Length()


def parse_sentencing_limits(r: TableReader) -> SentencingLimits:
    def section(key: str) -> TableReader:
        return r.table(key) or TableReader({}, key, r.problems)

    upw, curfew, exclusion = section("unpaid_work"), section("curfew"), section("exclusion")
    suspended, community, discharge = section("suspended_sentence"), section("community_order"), section("discharge")
    limits = SentencingLimits(
        unpaid_work_min_hours=upw.integer("min_hours", minimum=1) or 0,
        unpaid_work_max_hours=upw.integer("max_hours", minimum=1) or 0,
        curfew_min_hours_per_day=curfew.integer("min_hours_per_day", minimum=1) or 0,
        curfew_max_hours_per_day=curfew.integer("max_hours_per_day", minimum=1) or 0,
        curfew_max_hours_per_week=curfew.integer("max_hours_per_week", required=False, minimum=1),
        curfew_max_period=_read_length(curfew, "max_period"),
        exclusion_max_period=_read_length(exclusion, "max_period"),
        suspended_min_term=_read_length(suspended, "min_term"),
        suspended_max_term=_read_length(suspended, "max_term"),
        suspended_min_operational_period=_read_length(suspended, "min_operational_period"),
        suspended_max_operational_period=_read_length(suspended, "max_operational_period"),
        community_order_max_length=_read_length(community, "max_length"),
        conditional_discharge_max_period=_read_length(discharge, "conditional_max_period"),
    )
    for t in (upw, curfew, exclusion, suspended, community, discharge):
        t.finish()
    if limits.unpaid_work_min_hours > limits.unpaid_work_max_hours:
        upw.problem("min_hours", "must not be more than max_hours")
    if limits.curfew_min_hours_per_day > limits.curfew_max_hours_per_day:
        curfew.problem("min_hours_per_day", "must not be more than max_hours_per_day")
    return limits


SENTENCING_LIMITS = register_family(
    "courts.sentencing-limits", Path(__file__).parent / "rulepacks", parse_sentencing_limits
)


def sentencing_limits_on(day: dt.date) -> RulePack[SentencingLimits]:
    """The limits in force on ``day``; raises NoRulePackInForce before the first version."""
    return SENTENCING_LIMITS.series().in_force_on(day)


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------


NO_PERIOD = Length()  # a requirement or discharge without a period


class DisposalKind(enum.StrEnum):
    CUSTODIAL = "custodial"  # immediate custody: a term per charge
    SUSPENDED = "suspended"  # suspended sentence order: terms, operational period, requirements
    COMMUNITY_ORDER = "community_order"  # community order with at least one requirement
    FINE = "fine"
    DISCHARGE = "discharge"  # absolute, or conditional for a period


class TermRelation(enum.StrEnum):
    """How a custodial term on one charge runs against the others in the same sentence."""

    CONCURRENT = "concurrent"  # runs at the same time as the others, from the sentence date
    CONSECUTIVE = "consecutive"  # starts when the term named in ``consecutive_to`` ends


class DischargeKind(enum.StrEnum):
    ABSOLUTE = "absolute"  # no further action; no period
    CONDITIONAL = "conditional"  # on condition of committing no offence for a period (max 3 years)


class RequirementKind(enum.StrEnum):
    """Requirements of a community order or suspended sentence order (Sentencing Act 2020 Sch 9)."""

    UNPAID_WORK = "unpaid_work"  # hours of unpaid work (40–300)
    REHABILITATION_ACTIVITY = "rehabilitation_activity"  # up to a number of activity days
    PROGRAMME = "programme"  # an accredited programme, for a number of days
    CURFEW = "curfew"  # hours a day at an address, on some days a week, for a period
    EXCLUSION = "exclusion"  # not to enter a place, for a period
    DRUG_REHABILITATION = "drug_rehabilitation"  # treatment and testing, for a period
    ALCOHOL_TREATMENT = "alcohol_treatment"  # treatment for alcohol dependency, for a period


@dataclass(frozen=True)
class Requirement:
    """One requirement. Which fields apply depends on ``kind`` (checked by the validator):
    UNPAID_WORK: ``hours``; REHABILITATION_ACTIVITY and PROGRAMME: ``days`` (PROGRAMME also
    ``detail``, the programme's name); CURFEW: ``hours_per_day``, ``days_per_week`` and ``period``;
    EXCLUSION: ``detail`` (the place) and ``period``; DRUG_REHABILITATION, ALCOHOL_TREATMENT:
    ``period``."""

    kind: RequirementKind
    hours: int = 0
    days: int = 0
    hours_per_day: int = 0
    days_per_week: int = 0
    period: Length = NO_PERIOD
    detail: str = ""


@dataclass(frozen=True)
class ChargeTerm:
    """A custodial term on one charge. ``consecutive_to`` names another charge in the same
    disposal, and is required for (and only for) a consecutive term."""

    charge_id: str
    length: Length
    relation: TermRelation = TermRelation.CONCURRENT
    consecutive_to: str | None = None


@dataclass(frozen=True)
class CustodialSentence:
    terms: tuple[ChargeTerm, ...]

    @property
    def kind(self) -> DisposalKind:
        return DisposalKind.CUSTODIAL

    @property
    def charge_ids(self) -> tuple[str, ...]:
        return tuple(t.charge_id for t in self.terms)


@dataclass(frozen=True)
class SuspendedSentence:
    terms: tuple[ChargeTerm, ...]
    operational_period: Length
    requirements: tuple[Requirement, ...] = ()  # optional for a suspended sentence order

    @property
    def kind(self) -> DisposalKind:
        return DisposalKind.SUSPENDED

    @property
    def charge_ids(self) -> tuple[str, ...]:
        return tuple(t.charge_id for t in self.terms)


@dataclass(frozen=True)
class CommunityOrder:
    charge_ids: tuple[str, ...]
    length: Length  # the order's end date is this length after the sentence date (max 3 years)
    requirements: tuple[Requirement, ...]

    @property
    def kind(self) -> DisposalKind:
        return DisposalKind.COMMUNITY_ORDER


@dataclass(frozen=True)
class Fine:
    charge_id: str
    amount_pence: int

    @property
    def kind(self) -> DisposalKind:
        return DisposalKind.FINE

    @property
    def charge_ids(self) -> tuple[str, ...]:
        return (self.charge_id,)


@dataclass(frozen=True)
class Discharge:
    charge_id: str
    discharge: DischargeKind
    period: Length = NO_PERIOD  # conditional discharge only

    @property
    def kind(self) -> DisposalKind:
        return DisposalKind.DISCHARGE

    @property
    def charge_ids(self) -> tuple[str, ...]:
        return (self.charge_id,)


Disposal = CustodialSentence | SuspendedSentence | CommunityOrder | Fine | Discharge


@dataclass(frozen=True)
class Sentence:
    """Everything the court imposed on one defendant on one occasion."""

    sentenced_on: dt.date
    disposals: tuple[Disposal, ...]


def _within(start: dt.date, length: Length, low: Length | None, high: Length | None) -> bool:
    end = length.add_to(start)
    if low is not None and end < low.add_to(start):
        return False
    return high is None or end <= high.add_to(start)


def _is_empty(length: Length) -> bool:
    return length == Length() or length.is_negative()


def _terms_errors(path: str, terms: tuple[ChargeTerm, ...], start: dt.date) -> tuple[list[FieldError], dt.date | None]:
    """Errors in a set of terms, and the day after the last term ends (None if it cannot be worked out)."""
    errors: list[FieldError] = []
    if not terms:
        return [FieldError(f"{path}.terms", "Add a term for at least one charge")], None
    by_charge = {t.charge_id: i for i, t in enumerate(terms)}
    for i, term in enumerate(terms):
        tp = f"{path}.terms.{i}"
        if _is_empty(term.length):
            errors.append(FieldError(f"{tp}.length", f"Enter the term for charge {term.charge_id}"))
        match term.relation:
            case TermRelation.CONCURRENT:
                if term.consecutive_to is not None:
                    errors.append(FieldError(f"{tp}.consecutive_to", "A concurrent term is not consecutive to another"))
            case TermRelation.CONSECUTIVE:
                target = term.consecutive_to
                if target is None:
                    errors.append(FieldError(f"{tp}.consecutive_to", "Say which charge's term this one follows"))
                elif target == term.charge_id:
                    errors.append(FieldError(f"{tp}.consecutive_to", "A term cannot be consecutive to itself"))
                elif target not in by_charge:
                    errors.append(
                        FieldError(f"{tp}.consecutive_to", f"There is no term on charge {target} in this sentence")
                    )
            case _ as unreachable:
                assert_never(unreachable)
    if errors:
        return errors, None
    # Work out when each term ends, following consecutive chains; a loop never resolves.
    ends: dict[str, dt.date] = {}
    resolving: set[str] = set()

    def end_of(charge_id: str) -> dt.date | None:
        if charge_id in ends:
            return ends[charge_id]
        if charge_id in resolving:
            return None
        resolving.add(charge_id)
        term = terms[by_charge[charge_id]]
        begins = start if term.consecutive_to is None else end_of(term.consecutive_to)
        if begins is None:
            return None
        ends[charge_id] = term.length.add_to(begins)
        return ends[charge_id]

    for i, term in enumerate(terms):
        if end_of(term.charge_id) is None:
            errors.append(FieldError(f"{path}.terms.{i}.consecutive_to", "These consecutive terms form a loop"))
    if errors:
        return errors, None
    return [], max(ends.values())


def _requirement_errors(path: str, req: Requirement, start: dt.date, limits: SentencingLimits) -> list[FieldError]:
    errors: list[FieldError] = []
    match req.kind:
        case RequirementKind.UNPAID_WORK:
            low, high = limits.unpaid_work_min_hours, limits.unpaid_work_max_hours
            if not low <= req.hours <= high:
                errors.append(FieldError(f"{path}.hours", f"Unpaid work must be between {low} and {high} hours"))
        case RequirementKind.REHABILITATION_ACTIVITY | RequirementKind.PROGRAMME:
            if req.days < 1:
                errors.append(FieldError(f"{path}.days", "Enter the number of days, 1 or more"))
            if req.kind is RequirementKind.PROGRAMME and not req.detail.strip():
                errors.append(FieldError(f"{path}.detail", "Enter the name of the accredited programme"))
        case RequirementKind.CURFEW:
            low, high = limits.curfew_min_hours_per_day, limits.curfew_max_hours_per_day
            if not low <= req.hours_per_day <= high:
                errors.append(
                    FieldError(f"{path}.hours_per_day", f"A curfew must be between {low} and {high} hours a day")
                )
            if not 1 <= req.days_per_week <= 7:
                errors.append(FieldError(f"{path}.days_per_week", "A curfew applies on 1 to 7 days a week"))
            weekly = limits.curfew_max_hours_per_week
            if weekly is not None and req.hours_per_day * req.days_per_week > weekly:
                errors.append(
                    FieldError(
                        f"{path}.hours_per_day",
                        f"A curfew must not exceed {weekly} hours in any week "
                        f"({req.hours_per_day} hours on {req.days_per_week} days is "
                        f"{req.hours_per_day * req.days_per_week})",
                    )
                )
            errors += _period_errors(f"{path}.period", "curfew", req.period, start, limits.curfew_max_period)
        case RequirementKind.EXCLUSION:
            if not req.detail.strip():
                errors.append(FieldError(f"{path}.detail", "Enter the place the person must not enter"))
            errors += _period_errors(f"{path}.period", "exclusion", req.period, start, limits.exclusion_max_period)
        case RequirementKind.DRUG_REHABILITATION | RequirementKind.ALCOHOL_TREATMENT:
            if _is_empty(req.period):
                errors.append(FieldError(f"{path}.period", "Enter how long the treatment lasts"))
        case _ as unreachable:
            assert_never(unreachable)
    return errors


def _period_errors(path: str, what: str, period: Length, start: dt.date, maximum: Length) -> list[FieldError]:
    if _is_empty(period):
        return [FieldError(path, f"Enter how long the {what} lasts")]
    if not _within(start, period, None, maximum):
        return [FieldError(path, f"A {what} can last at most {maximum.describe()}")]
    return []


def _disposal_errors(path: str, disposal: Disposal, start: dt.date, limits: SentencingLimits) -> list[FieldError]:
    errors: list[FieldError] = []
    match disposal.kind:
        case DisposalKind.CUSTODIAL:
            assert isinstance(disposal, CustodialSentence)
            errors += _terms_errors(path, disposal.terms, start)[0]
        case DisposalKind.SUSPENDED:
            assert isinstance(disposal, SuspendedSentence)
            term_errors, ends = _terms_errors(path, disposal.terms, start)
            errors += term_errors
            low, high = limits.suspended_min_term, limits.suspended_max_term
            rule = f"between {low.describe()} and {high.describe()}"
            too_long_or_short = [
                i
                for i, term in enumerate(disposal.terms)
                if not _is_empty(term.length) and not _within(start, term.length, low, high)
            ]
            for i in too_long_or_short:
                errors.append(FieldError(f"{path}.terms.{i}.length", f"A suspended sentence must be {rule}"))
            # The total matters only when each term alone is within the limit (s.277: the aggregate).
            if not too_long_or_short and ends is not None and ends > high.add_to(start):
                errors.append(
                    FieldError(f"{path}.terms", f"The terms together must not be more than {high.describe()}")
                )
            low, high = limits.suspended_min_operational_period, limits.suspended_max_operational_period
            if not _within(start, disposal.operational_period, low, high):
                errors.append(
                    FieldError(
                        f"{path}.operational_period",
                        f"The operational period must be between {low.describe()} and {high.describe()}",
                    )
                )
            for i, req in enumerate(disposal.requirements):
                errors += _requirement_errors(f"{path}.requirements.{i}", req, start, limits)
        case DisposalKind.COMMUNITY_ORDER:
            assert isinstance(disposal, CommunityOrder)
            if not disposal.charge_ids:
                errors.append(FieldError(f"{path}.charge_ids", "Say which charges the community order is for"))
            maximum = limits.community_order_max_length
            if _is_empty(disposal.length):
                errors.append(FieldError(f"{path}.length", "Enter how long the community order lasts"))
            elif not _within(start, disposal.length, None, maximum):
                errors.append(FieldError(f"{path}.length", f"A community order can last at most {maximum.describe()}"))
            if not disposal.requirements:
                errors.append(FieldError(f"{path}.requirements", "A community order needs at least one requirement"))
            for i, req in enumerate(disposal.requirements):
                errors += _requirement_errors(f"{path}.requirements.{i}", req, start, limits)
        case DisposalKind.FINE:
            assert isinstance(disposal, Fine)
            if disposal.amount_pence <= 0:
                errors.append(FieldError(f"{path}.amount_pence", "Enter a fine of more than £0"))
        case DisposalKind.DISCHARGE:
            assert isinstance(disposal, Discharge)
            match disposal.discharge:
                case DischargeKind.ABSOLUTE:
                    if not _is_empty(disposal.period):
                        errors.append(FieldError(f"{path}.period", "An absolute discharge has no period"))
                case DischargeKind.CONDITIONAL:
                    maximum = limits.conditional_discharge_max_period
                    errors += _period_errors(f"{path}.period", "conditional discharge", disposal.period, start, maximum)
                case _ as unreachable:
                    assert_never(unreachable)
        case _ as unreachable:
            assert_never(unreachable)
    return errors


# A charge gets at most one of these; a fine may be added to any of them except a discharge.
_MAIN_DISPOSALS = frozenset(
    {DisposalKind.CUSTODIAL, DisposalKind.SUSPENDED, DisposalKind.COMMUNITY_ORDER, DisposalKind.DISCHARGE}
)


def sentence_errors(sentence: Sentence, convicted_charge_ids: Iterable[str]) -> list[FieldError]:
    """Problems with a sentence: charges sentenced without a conviction, shapes outside the law in
    force on the sentence date, and incompatible disposals on one charge (paths ``disposals.N.*``)."""
    convicted = set(convicted_charge_ids)
    limits = sentencing_limits_on(sentence.sentenced_on).content
    errors: list[FieldError] = []
    if not sentence.disposals:
        return [FieldError("disposals", "Add at least one sentence")]
    kinds_by_charge: dict[str, list[DisposalKind]] = {}
    for i, disposal in enumerate(sentence.disposals):
        path = f"disposals.{i}"
        for j, charge_id in enumerate(disposal.charge_ids):
            charge_path = _charge_path(path, disposal, j)
            if charge_id not in convicted:
                errors.append(
                    FieldError(charge_path, f"Charge {charge_id} has no conviction, so it cannot be sentenced")
                )
                continue
            earlier = kinds_by_charge.setdefault(charge_id, [])
            clash = _clash(earlier, disposal.kind)
            if clash is not None:
                errors.append(FieldError(charge_path, f"Charge {charge_id}: {clash}"))
            earlier.append(disposal.kind)
        errors += _disposal_errors(path, disposal, sentence.sentenced_on, limits)
    return errors


def _charge_path(path: str, disposal: Disposal, index: int) -> str:
    if isinstance(disposal, CustodialSentence | SuspendedSentence):
        return f"{path}.terms.{index}.charge_id"
    if isinstance(disposal, CommunityOrder):
        return f"{path}.charge_ids.{index}"
    return f"{path}.charge_id"


def _clash(earlier: list[DisposalKind], kind: DisposalKind) -> str | None:
    if kind in earlier:
        return f"it already has a {kind.value.replace('_', ' ')} sentence"
    if kind is DisposalKind.FINE:
        return "a fine cannot be combined with a discharge" if DisposalKind.DISCHARGE in earlier else None
    if kind is DisposalKind.DISCHARGE and DisposalKind.FINE in earlier:
        return "a discharge cannot be combined with a fine"
    other = next((k for k in earlier if k in _MAIN_DISPOSALS), None)
    if kind in _MAIN_DISPOSALS and other is not None:
        return f"it already has a {other.value.replace('_', ' ')} sentence"
    return None


def check_sentence(sentence: Sentence, convicted_charge_ids: Iterable[str]) -> None:
    errors = sentence_errors(sentence, convicted_charge_ids)
    if errors:
        raise ValidationFailed(errors)


def convicted_charges(results: Mapping[str, ChargeOutcome] | Iterable[ChargeResult]) -> frozenset[str]:
    """The charges with a conviction, from results by charge id or a list of ChargeResult."""
    if isinstance(results, Mapping):
        return frozenset(charge for charge, outcome in results.items() if outcome.is_conviction)
    return frozenset(r.charge_id for r in results if r.outcome.is_conviction)


def describe_length_from(start: dt.date, length: Length) -> str:
    """``6 months (to 14 August 2025)``: how a page states a period ordered on a date."""
    return f"{length.describe()} (to {long_date(length.add_to(start) - dt.timedelta(days=1))})"


# ---------------------------------------------------------------------------------------------
# Listing hearings
# ---------------------------------------------------------------------------------------------


def listing_errors(starts_at: dt.datetime, now: dt.datetime, courtroom: str, field: str = "") -> list[FieldError]:
    """A new listing (or a re-listing) must be for a time still to come, in a named courtroom.
    Results of a hearing that already took place are entered on that hearing, never by listing a
    new one in the past (it would hide the date the case was really heard)."""
    prefix = f"{field}." if field else ""
    errors: list[FieldError] = []
    if starts_at.tzinfo is None:
        raise ValueError("a hearing time must carry a time zone")
    if starts_at <= now:
        errors.append(
            FieldError(
                f"{prefix}starts_at",
                "A hearing can only be listed for a date and time in the future; enter the results of a past "
                "hearing on that hearing",
            )
        )
    if not courtroom.strip():
        errors.append(FieldError(f"{prefix}courtroom", "Enter the courtroom, such as 1 or Court 3"))
    elif len(courtroom.strip()) > 20:
        errors.append(FieldError(f"{prefix}courtroom", "The courtroom must be 20 characters or fewer"))
    return errors


# ---------------------------------------------------------------------------------------------
# Standing-data codes for results (result-code.json, verdict.json)
# ---------------------------------------------------------------------------------------------

# CJS result codes for what Caselink records, where the standing data has one that fits. A
# conviction itself has no result code (the verdict says it); the sentence that follows does.
DISPOSAL_RESULT_CODES: dict[DisposalKind, str] = {
    DisposalKind.CUSTODIAL: "1002",  # Imprisonment
    DisposalKind.SUSPENDED: "1115",  # Suspended Imprisonment
    DisposalKind.COMMUNITY_ORDER: "1116",  # Community Order
    DisposalKind.FINE: "1015",  # Fine
}
DISCHARGE_RESULT_CODES: dict[DischargeKind, str] = {
    DischargeKind.ABSOLUTE: "1017",  # Absolute Discharge
    DischargeKind.CONDITIONAL: "1018",  # Conditional Discharge
}
REQUIREMENT_RESULT_CODES: dict[RequirementKind, str] = {
    RequirementKind.UNPAID_WORK: "3101",
    RequirementKind.REHABILITATION_ACTIVITY: "3272",
    RequirementKind.PROGRAMME: "3103",
    RequirementKind.CURFEW: "3105",
    RequirementKind.EXCLUSION: "3106",
    RequirementKind.DRUG_REHABILITATION: "3109",
    RequirementKind.ALCOHOL_TREATMENT: "3110",
}
REMAND_RESULT_CODES: dict[RemandDecision, str] = {
    RemandDecision.CUSTODY: "4028",  # Remand In Custody
    RemandDecision.CONDITIONAL_BAIL: "4027",  # Remand On Conditional Bail
    RemandDecision.UNCONDITIONAL_BAIL: "4047",  # Remand On Unconditional Bail
    RemandDecision.LOCAL_AUTHORITY_ACCOMMODATION: "4029",
    RemandDecision.YOUTH_DETENTION_ACCOMMODATION: "4058",
}
REMAND_STATUS_CODES: dict[RemandDecision, str] = {
    RemandDecision.CUSTODY: "PR",
    RemandDecision.CONDITIONAL_BAIL: "CB",
    RemandDecision.UNCONDITIONAL_BAIL: "UB",
    RemandDecision.LOCAL_AUTHORITY_ACCOMMODATION: "LA",
    RemandDecision.YOUTH_DETENTION_ACCOMMODATION: "SA",
    RemandDecision.NOT_APPLICABLE: "NA",
}
OUTCOME_RESULT_CODES: dict[ChargeOutcome, str] = {
    ChargeOutcome.ACQUITTED: "2005",  # Acquitted
    ChargeOutcome.DISMISSED: "2006",  # Dismissed
    ChargeOutcome.WITHDRAWN: "2063",  # Withdrawn - Final
    ChargeOutcome.DISCONTINUED: "2053",  # Discontinuance
}
# verdict.json: G guilty, NG not guilty, NC no conviction.
OUTCOME_VERDICT_CODES: dict[ChargeOutcome, str] = {
    ChargeOutcome.GUILTY_PLEA: "G",
    ChargeOutcome.CONVICTED_AFTER_TRIAL: "G",
    ChargeOutcome.PROVED_IN_ABSENCE: "G",
    ChargeOutcome.ACQUITTED: "NG",
    ChargeOutcome.DISMISSED: "NC",
    ChargeOutcome.WITHDRAWN: "NC",
    ChargeOutcome.DISCONTINUED: "NC",
}


def disposal_result_code(disposal: Disposal) -> str:
    if isinstance(disposal, Discharge):
        return DISCHARGE_RESULT_CODES[disposal.discharge]
    return DISPOSAL_RESULT_CODES[disposal.kind]


def sentence_result_codes(sentence: Sentence) -> list[str]:
    """Every result code the sentence carries: each disposal's, then each requirement's."""
    codes: list[str] = []
    for disposal in sentence.disposals:
        codes.append(disposal_result_code(disposal))
        if isinstance(disposal, CommunityOrder | SuspendedSentence):
            codes += [REQUIREMENT_RESULT_CODES[r.kind] for r in disposal.requirements]
    return codes


# ---------------------------------------------------------------------------------------------
# Custody periods from remand decisions (what custody time limits count)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustodyPeriod:
    """An unbroken period remanded in custody by the court: from ``remanded_on`` until the court
    bailed the defendant or the case ended (``released_on``; None while still remanded)."""

    remanded_on: dt.date
    released_on: dt.date | None = None


def custody_periods(decisions: Iterable[tuple[dt.date, RemandDecision]]) -> tuple[CustodyPeriod, ...]:
    """Custody periods from a defendant's remand decisions in date order: a custody-type decision
    opens a period (a further custody remand continues it), any other decision closes it."""
    periods: list[CustodyPeriod] = []
    open_since: dt.date | None = None
    for day, decision in sorted(decisions, key=lambda d: d[0]):
        if decision.counts_for_custody_time_limit:
            open_since = open_since or day
        elif open_since is not None:
            periods.append(CustodyPeriod(open_since, day))
            open_since = None
    if open_since is not None:
        periods.append(CustodyPeriod(open_since, None))
    return tuple(periods)


# ---------------------------------------------------------------------------------------------
# Hearings: status and adjournments
# ---------------------------------------------------------------------------------------------


class HearingStatus(enum.StrEnum):
    LISTED = "listed"  # to be heard
    HEARD = "heard"  # went ahead; results entered
    ADJOURNED = "adjourned"  # opened on the day and adjourned (reason recorded)
    VACATED = "vacated"  # taken out of the list before the day (re-listed elsewhere or later)

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AdjournmentReason(enum.StrEnum):
    """Why a hearing was adjourned. PROSECUTION_NOT_READY is the one the CPS answers for."""

    PROSECUTION_NOT_READY = "prosecution_not_ready"  # papers, disclosure, evidence or witnesses not ready
    DEFENCE_NOT_READY = "defence_not_ready"
    DEFENDANT_ABSENT = "defendant_absent"  # absent, ill, or not produced from custody
    WITNESS_ABSENT = "witness_absent"
    REPORTS_NEEDED = "reports_needed"  # pre-sentence or medical reports
    NO_COURT_TIME = "no_court_time"
    OTHER = "other"  # recorded in the note

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()
