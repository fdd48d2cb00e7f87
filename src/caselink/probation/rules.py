"""Probation case rules (pure): case kinds and states, which court disposals make a case, where a
case goes (postcode area -> delivery unit), tier and workload points from the rule pack
``probation.tiering`` (``probation/rulepacks/*.toml``), and termination reasons.

Tier is a simplification of the HMPPS tiering framework: a letter A-D from the highest risk of
serious harm (RoSH), a number 0-3 from the likelihood of reoffending, both moved by flags. See
docs/decisions/0034-probation-cases-tier-allocation.md.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from caselink.platform.errors import FieldError, ValidationFailed
from caselink.platform.rulepacks import RulePack, TableReader, register_family


class CaseKind(enum.StrEnum):
    COMMUNITY_ORDER = "community_order"
    SUSPENDED_SENTENCE = "suspended_sentence"
    LICENCE = "licence"

    @property
    def label(self) -> str:
        return {"community_order": "Community order", "suspended_sentence": "Suspended sentence order"}.get(
            self.value, "Licence"
        )


class CaseStatus(enum.StrEnum):
    UNALLOCATED = "unallocated"
    ALLOCATED = "allocated"
    TERMINATED = "terminated"


class TerminationReason(enum.StrEnum):
    """Why an order or licence ended."""

    EXPIRED = "expired"  # ran to its end date
    GOOD_PROGRESS = "good_progress"  # revoked early by the court for good progress
    REVOKED_RESENTENCED = "revoked_resentenced"  # revoked on breach or a new offence and resentenced
    RECALLED = "recalled"  # licence ended by recall to custody
    DECEASED = "deceased"
    TRANSFERRED_OUT = "transferred_out"  # to Scotland, Northern Ireland or abroad
    OTHER = "other"

    @property
    def label(self) -> str:
        return _TERMINATION_LABELS[self]

    @property
    def is_early(self) -> bool:
        return self is not TerminationReason.EXPIRED


_TERMINATION_LABELS = {
    TerminationReason.EXPIRED: "Reached its end date",
    TerminationReason.GOOD_PROGRESS: "Revoked early for good progress",
    TerminationReason.REVOKED_RESENTENCED: "Revoked and resentenced",
    TerminationReason.RECALLED: "Recalled to custody",
    TerminationReason.DECEASED: "Person died",
    TerminationReason.TRANSFERRED_OUT: "Transferred out of England and Wales",
    TerminationReason.OTHER: "Other reason",
}


ROSH_LEVELS = ("low", "medium", "high", "very_high")  # least to most serious
TIER = re.compile(r"^[A-D][0-3]$")


def rosh_rank(level: str) -> int:
    return ROSH_LEVELS.index(level)


# ---------------------------------------------------------------------------------------------
# Rule pack content (probation.tiering)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagEffect:
    type: str  # registration type code, e.g. MAPPA
    raise_letter_to: str | None
    add_to_number: int


@dataclass(frozen=True)
class TieringRules:
    rosh_letter: Mapping[str, str]
    unassessed_rosh: str
    likelihood_bands: tuple[tuple[int, int], ...]  # (min_score, number), highest first
    unassessed_likelihood: int
    flags: tuple[FlagEffect, ...]
    workload_points: Mapping[str, int]  # by tier letter
    licence_extra_points: int
    first_appointment_working_days: int


def parse_tiering_rules(reader: TableReader) -> TieringRules:
    letters: dict[str, str] = {}
    table = reader.table("rosh_letter")
    if table is not None:
        for level in ROSH_LEVELS:
            letter = table.string(level)
            if letter is not None and letter not in "ABCD":
                table.problem(level, "must be one of A, B, C, D")
            letters[level] = letter or "D"
        table.finish()
    unassessed = reader.string("unassessed_rosh") or "medium"
    if unassessed not in ROSH_LEVELS:
        reader.problem("unassessed_rosh", f"must be one of {', '.join(ROSH_LEVELS)}")
    bands: list[tuple[int, int]] = []
    for band in reader.tables("likelihood_band"):
        low = band.integer("min_score", minimum=0)
        number = band.integer("number", minimum=0)
        if number is not None and number > 3:
            band.problem("number", "must be 0 to 3")
        band.finish()
        if low is not None and number is not None:
            bands.append((low, number))
    bands.sort(reverse=True)
    if bands and bands[-1][0] != 0:
        reader.problem("likelihood_band", "the lowest band must start at min_score = 0")
    unassessed_number = reader.integer("unassessed_likelihood", minimum=0) or 0
    flags: list[FlagEffect] = []
    for flag in reader.tables("flag", required=False):
        code = flag.string("type") or ""
        raise_to = flag.string("raise_letter_to", required=False)
        if raise_to is not None and raise_to not in "ABCD":
            flag.problem("raise_letter_to", "must be one of A, B, C, D")
        add = flag.integer("add_to_number", required=False, minimum=0) or 0
        flag.finish()
        flags.append(FlagEffect(code, raise_to, add))
    points: dict[str, int] = {}
    extra = 0
    workload = reader.table("workload")
    if workload is not None:
        for letter in "ABCD":
            points[letter] = workload.integer(letter, minimum=0) or 0
        extra = workload.integer("licence_extra", minimum=0) or 0
        workload.finish()
    days = 5
    first = reader.table("first_appointment")
    if first is not None:
        days = first.integer("working_days", minimum=1) or 5
        first.finish()
    return TieringRules(letters, unassessed, tuple(bands), unassessed_number, tuple(flags), points, extra, days)


TIERING_RULES = register_family("probation.tiering", Path(__file__).parent / "rulepacks", parse_tiering_rules)


def tiering_rules_on(day: dt.date) -> RulePack[TieringRules]:
    return TIERING_RULES.series().in_force_on(day)


# ---------------------------------------------------------------------------------------------
# Tier
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierInputs:
    """What the tier is worked out from. ``rosh`` is the highest RoSH of the latest completed
    assessment (None: none yet); ``rosh_flag`` the level of an active ROSH registration."""

    rosh: str | None
    reoffending_score: int | None
    flag_types: frozenset[str]
    rosh_flag: str | None = None
    assessment_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "rosh": self.rosh,
            "reoffendingScore": self.reoffending_score,
            "flags": sorted(self.flag_types),
            "roshFlag": self.rosh_flag,
            "assessmentId": self.assessment_id,
        }


@dataclass(frozen=True)
class TierResult:
    tier: str
    steps: tuple[str, ...]  # how it was worked out, for the page
    rule_version: str


def calculate_tier(inputs: TierInputs, pack: RulePack[TieringRules]) -> TierResult:
    rules = pack.content
    steps: list[str] = []
    rosh = inputs.rosh
    if rosh is None:
        rosh = rules.unassessed_rosh
        steps.append(f"No completed assessment: risk of serious harm taken as {rosh.replace('_', ' ')}")
    else:
        steps.append(f"Highest risk of serious harm in the latest assessment: {rosh.replace('_', ' ')}")
    flag = inputs.rosh_flag
    if flag is not None and flag in ROSH_LEVELS and rosh_rank(flag) > rosh_rank(rosh):
        rosh = flag
        steps.append(f"Raised to {rosh.replace('_', ' ')} by the ROSH registration")
    letter = rules.rosh_letter[rosh]
    score = inputs.reoffending_score
    if score is None:
        number = rules.unassessed_likelihood
        steps.append(f"No likelihood of reoffending score: number {number}")
    else:
        number = next(n for low, n in rules.likelihood_bands if score >= low)
        steps.append(f"Likelihood of reoffending {score}%: number {number}")
    for effect in rules.flags:
        if effect.type not in inputs.flag_types:
            continue
        if effect.raise_letter_to is not None and effect.raise_letter_to < letter:
            letter = effect.raise_letter_to
            steps.append(f"{effect.type} registration raises the letter to {letter}")
        if effect.add_to_number:
            raised = min(3, number + effect.add_to_number)
            if raised != number:
                number = raised
                steps.append(f"{effect.type} registration raises the number to {number}")
    tier = f"{letter}{number}"
    steps.append(f"Tier {tier} ({pack.label})")
    return TierResult(tier, tuple(steps), pack.label)


def workload_points(tier: str | None, kind: str, rules: TieringRules) -> int:
    """Points a case adds to its practitioner's workload (an untiered case counts as C)."""
    letter = tier[0] if tier else "C"
    return rules.workload_points.get(letter, 0) + (rules.licence_extra_points if kind == CaseKind.LICENCE else 0)


# ---------------------------------------------------------------------------------------------
# Cases from court sentences and releases
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSpec:
    kind: CaseKind
    start_date: dt.date
    end_date: dt.date | None
    sentence: dict[str, Any]


def _add_length(start: dt.date, length: Mapping[str, Any]) -> dt.date:
    """Court lengths are added as the courts do (largest unit first, month ends clamped); the order
    ends the day before that anniversary."""
    from caselink.courts.rules import Length

    years, months = int(length.get("years", 0)), int(length.get("months", 0))
    weeks, days = int(length.get("weeks", 0)), int(length.get("days", 0))
    return Length(years, months, weeks, days).add_to(start) - dt.timedelta(days=1)


def cases_from_sentence(data: Mapping[str, Any]) -> list[CaseSpec]:
    """The probation cases a ``court.sentence.imposed`` event makes: one per community order or
    suspended sentence order. Custody, fines and discharges make none here."""
    sentenced_on = dt.date.fromisoformat(str(data["sentencedOn"]))
    specs: list[CaseSpec] = []
    for disposal in data.get("disposals") or []:
        kind = disposal.get("kind")
        if kind == "community_order":
            end = _add_length(sentenced_on, disposal.get("length") or {})
            specs.append(CaseSpec(CaseKind.COMMUNITY_ORDER, sentenced_on, end, dict(disposal)))
        elif kind == "suspended":
            end = _add_length(sentenced_on, disposal.get("operational_period") or {})
            specs.append(CaseSpec(CaseKind.SUSPENDED_SENTENCE, sentenced_on, end, dict(disposal)))
    return specs


def licence_end(licence_dates: Mapping[str, str]) -> dt.date | None:
    """Supervision on licence lasts to the top-up supervision expiry if there is one, else the
    licence expiry, else the sentence expiry."""
    for kind in ("TUSED", "LED", "SED"):
        value = licence_dates.get(kind)
        if value:
            return dt.date.fromisoformat(value)
    return None


# ---------------------------------------------------------------------------------------------
# Delivery unit by postcode area
# ---------------------------------------------------------------------------------------------

DELIVERY_UNITS_FILE = Path(__file__).parent / "data" / "delivery_units.json"
_AREA = re.compile(r"^([A-Z]{1,2})\d")


@cache
def _delivery_units() -> tuple[dict[str, str], str]:
    data = json.loads(DELIVERY_UNITS_FILE.read_text(encoding="utf-8"))
    return dict(data["postcode_areas"]), str(data["default"])


def postcode_area(postcode: str | None) -> str | None:
    match = _AREA.match((postcode or "").replace(" ", "").upper())
    return match.group(1) if match else None


@dataclass(frozen=True)
class UnitChoice:
    pdu_code: str
    basis: str


def delivery_unit_for(postcode: str | None) -> UnitChoice:
    mapping, default = _delivery_units()
    area = postcode_area(postcode)
    if area is None:
        return UnitChoice(default, "No current address with a postcode: default delivery unit, to find the right one")
    code = mapping.get(area)
    if code is None:
        return UnitChoice(default, f"Postcode area {area} is not mapped: default delivery unit, to find the right one")
    return UnitChoice(code, f"Current address in postcode area {area}")


# ---------------------------------------------------------------------------------------------
# Termination
# ---------------------------------------------------------------------------------------------


def termination_errors(
    status: str, end_date: dt.date | None, start_date: dt.date, reason: str, on: dt.date, notes: str | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    if status == CaseStatus.TERMINATED:
        return [FieldError("reason", "This order or licence has already been terminated")]
    try:
        why = TerminationReason(reason)
    except ValueError:
        choices = ", ".join(r.value for r in TerminationReason)
        return [FieldError("reason", f"Choose a reason for termination ({choices})")]
    if on < start_date:
        errors.append(FieldError("terminated_on", "The termination date cannot be before the order or licence started"))
    if why is TerminationReason.EXPIRED:
        if end_date is None:
            errors.append(FieldError("reason", "This case has no end date: choose the reason it ended early"))
        elif on < end_date:
            errors.append(
                FieldError("reason", f"The end date is {end_date.isoformat()}: before then, choose why it ended early")
            )
    elif not (notes or "").strip():
        errors.append(FieldError("notes", "Say why the order or licence ended early"))
    return errors


def check_termination(*args: Any) -> None:
    errors = termination_errors(*args)
    if errors:
        raise ValidationFailed(errors)


def highest_rosh(levels: Iterable[str | None]) -> str | None:
    known = [lv for lv in levels if lv in ROSH_LEVELS]
    return max(known, key=rosh_rank) if known else None
