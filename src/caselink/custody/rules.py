"""Release dates for determinate custodial sentences in England and Wales (pure arithmetic).

Input: a person's sentence terms (sentence date, length, concurrent or consecutive, offence flags),
remand days and tagged-bail credit. Output: CRD or ARD, HDCED, LED, SED, TUSED and PED, each with
the steps that produced it and the rule-pack version applied. Release fractions and eligibility are
data in ``custody/rulepacks/*.toml`` (series ``custody.sds-release``), never constants here.

Day counting follows HMPPS practice (PSI 03/2015, the calculate-release-dates service): a term of N
days starting on day S runs to S + N - 1 (the SED); a release point of fraction f falls on
S + ceil(N x f) - 1; credited remand and tagged-bail days bring every date forward by that many days.

Simplifications (docs/decisions/0016-rule-packs.md): consecutive terms form a chain whose custodial
period is the sum of each term's own custodial period (CJA 2003 s.264); concurrent chains are
worked out separately and the latest date of each kind wins; remand and tagged-bail credit apply to
every chain; extended sentences may not be part of a consecutive chain; recalls, added days and
the age-based rules are out of scope.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from caselink.platform.errors import FieldError, ValidationFailed
from caselink.platform.rulepacks import NoRulePackInForce, RulePack, RulePackSeries, TableReader, register_family

ONE_DAY = dt.timedelta(days=1)


class OffenceFlag(enum.StrEnum):
    """Facts about an offence that move release points or eligibility. The court records them with
    the sentence; the rule packs say what each one does."""

    VIOLENT = "violent"  # specified violent offence (Sentencing Act 2020 Sch 18 / CJA 2003 Sch 15 Part 1)
    SEXUAL = "sexual"  # specified sexual offence (CJA 2003 Sch 15 Part 2)
    MAX_LIFE = "max_life"  # the offence carries a maximum of life imprisonment
    PCSC_LISTED_VIOLENT = "pcsc_listed_violent"  # manslaughter, s.18 wounding, attempted/conspiracy to murder
    TERRORISM = "terrorism"  # terrorism offence or terrorist connection
    DOMESTIC_ABUSE = "domestic_abuse"  # stalking, coercive control, strangulation, breach of protective orders
    SEX_OFFENDER_REGISTRATION = "sex_offender_registration"  # subject to notification (excludes HDC)


class SentenceKind(enum.StrEnum):
    SDS = "sds"  # standard determinate sentence
    EDS = "eds"  # extended determinate sentence: custodial term plus extension period on licence


class DateKind(enum.StrEnum):
    CRD = "CRD"
    ARD = "ARD"
    HDCED = "HDCED"
    PED = "PED"
    LED = "LED"
    SED = "SED"
    TUSED = "TUSED"

    @property
    def heading(self) -> str:
        return _DATE_TITLES[self]


_DATE_TITLES = {
    DateKind.CRD: "Conditional release date",
    DateKind.ARD: "Automatic release date",
    DateKind.HDCED: "Home detention curfew eligibility date",
    DateKind.PED: "Parole eligibility date",
    DateKind.LED: "Licence expiry date",
    DateKind.SED: "Sentence expiry date",
    DateKind.TUSED: "Top-up supervision expiry date",
}


_MONTH_NAMES = ("", *(dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)))


def long_date(day: dt.date) -> str:
    """``17 December 2024`` (GOV.UK style); a table lookup, as strftime is slow in bulk runs."""
    return f"{day.day} {_MONTH_NAMES[day.month]} {day.year}"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


_NAMED_FRACTIONS = {(1, 2): "half", (2, 3): "two-thirds", (2, 5): "40%", (1, 1): "all"}


def _fraction_text(f: Fraction) -> str:
    return _NAMED_FRACTIONS.get((f.numerator, f.denominator), f"{f.numerator}/{f.denominator}")


@dataclass(frozen=True)
class Length:
    """A sentence length as the court states it. Added to a date unit by unit, largest first,
    with month ends clamped (31 August + 6 months = 28 or 29 February), as HMPPS does."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    def add_to(self, start: dt.date) -> dt.date:
        total_months = start.month - 1 + self.months + 12 * self.years
        year = start.year + total_months // 12
        month = total_months % 12 + 1
        day = min(start.day, _days_in_month(year, month))
        return dt.date(year, month, day) + dt.timedelta(weeks=self.weeks, days=self.days)

    def is_negative(self) -> bool:
        return min(self.years, self.months, self.weeks, self.days) < 0

    def describe(self) -> str:
        parts = [(self.years, "year"), (self.months, "month"), (self.weeks, "week"), (self.days, "day")]
        text = " ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n)
        return text or "0 days"


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month]


def _at_least(start: dt.date, end: dt.date, threshold: Length) -> bool:
    """Is the term running from ``start`` to ``end`` (exclusive) at least ``threshold`` long?"""
    return threshold.add_to(start) <= end


# ---------------------------------------------------------------------------------------------
# Rule pack content (custody.sds-release)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermBand:
    min_term: Length | None = None
    max_term_exclusive: Length | None = None

    def contains(self, start: dt.date, end: dt.date) -> bool:
        if self.min_term is not None and not _at_least(start, end, self.min_term):
            return False
        return self.max_term_exclusive is None or not _at_least(start, end, self.max_term_exclusive)

    def describe(self) -> str:
        parts = []
        if self.min_term is not None:
            parts.append(f"at least {self.min_term.describe()}")
        if self.max_term_exclusive is not None:
            parts.append(f"under {self.max_term_exclusive.describe()}")
        return " and ".join(parts)


@dataclass(frozen=True)
class ReleasePoint:
    id: str
    description: str
    fraction: Fraction
    when_all_flags: frozenset[OffenceFlag]
    when_any_flags: frozenset[OffenceFlag]
    band: TermBand

    def matches(self, flags: frozenset[OffenceFlag], start: dt.date, end: dt.date) -> bool:
        if not self.when_all_flags <= flags:
            return False
        if self.when_any_flags and not (self.when_any_flags & flags):
            return False
        return self.band.contains(start, end)


@dataclass(frozen=True)
class Tranche:
    band: TermBand
    release_no_earlier_than: dt.date


@dataclass(frozen=True)
class Transition:
    """Whether the pack also applies to sentences already being served when it commenced (SDS40
    did; SDS+ did not), and the earliest release it allows for them."""

    applies_to_sentences_being_served: bool
    tranches: tuple[Tranche, ...] = ()


@dataclass(frozen=True)
class HdcRules:
    band: TermBand
    excluded_flags: frozenset[OffenceFlag]
    excluded_release_points: frozenset[str]
    min_days_in_custody: int
    fraction_of_custodial_period: Fraction
    max_days_on_hdc: int
    earliest_days_after_sentence: int


@dataclass(frozen=True)
class UnconditionalRelease:
    one_day_terms: bool
    below_term: Length
    for_offences_before: dt.date


@dataclass(frozen=True)
class TopUpSupervision:
    band: TermBand  # min_term here is exclusive: "more than 1 day"
    for_offences_on_or_after: dt.date
    only_if_licence_shorter_than: Length
    length: Length


@dataclass(frozen=True)
class ExtendedRules:
    parole_eligibility_fraction: Fraction


@dataclass(frozen=True)
class ReleaseRules:
    release_points: tuple[ReleasePoint, ...]
    transition: Transition
    hdc: HdcRules
    unconditional_release: UnconditionalRelease
    top_up_supervision: TopUpSupervision
    extended: ExtendedRules | None

    def release_point_for(self, flags: frozenset[OffenceFlag], start: dt.date, end: dt.date) -> ReleasePoint:
        for point in self.release_points:
            if point.matches(flags, start, end):
                return point
        raise LookupError("no release point matches")  # parse_release_rules requires a catch-all last


_FLAG_VALUES = {f.value for f in OffenceFlag}


def _length(r: TableReader, key: str, *, required: bool = False) -> Length | None:
    def parse(t: TableReader) -> Length:
        values = {
            unit: t.integer(unit, required=False, minimum=0) or 0 for unit in ("years", "months", "weeks", "days")
        }
        return Length(**values)

    return r.nested(key, parse, required=required)


def _flags(r: TableReader, key: str) -> frozenset[OffenceFlag]:
    return frozenset(OffenceFlag(v) for v in r.string_list(key, allowed=_FLAG_VALUES.__contains__) if v in _FLAG_VALUES)


def _band(r: TableReader, min_key: str = "min_term") -> TermBand:
    return TermBand(_length(r, min_key), _length(r, "max_term_exclusive"))


def parse_release_rules(r: TableReader) -> ReleaseRules:
    points: list[ReleasePoint] = []
    for p in r.tables("release_point"):
        points.append(
            ReleasePoint(
                id=p.string("id") or "",
                description=p.string("description") or "",
                fraction=p.fraction("fraction") or Fraction(1, 2),
                when_all_flags=_flags(p, "when_all_flags"),
                when_any_flags=_flags(p, "when_any_flags"),
                band=_band(p),
            )
        )
        p.finish()
    last = points[-1] if points else None
    if last is not None and (last.when_all_flags or last.when_any_flags or last.band != TermBand()):
        r.problem("release_point", "the last release point must have no conditions, so every term has one")

    def transition(t: TableReader) -> Transition:
        tranches = []
        for tr in t.tables("tranche", required=False):
            tranches.append(Tranche(_band(tr), tr.date("release_no_earlier_than") or dt.date.min))
            tr.finish()
        return Transition(bool(t.boolean("applies_to_sentences_being_served")), tuple(tranches))

    def hdc(t: TableReader) -> HdcRules:
        excluded_points = frozenset(t.string_list("excluded_release_points"))
        for name in excluded_points - {p.id for p in points}:
            t.problem("excluded_release_points", f'"{name}" is not the id of a release point in this pack')
        return HdcRules(
            band=_band(t),
            excluded_flags=_flags(t, "excluded_flags"),
            excluded_release_points=excluded_points,
            min_days_in_custody=t.integer("min_days_in_custody", minimum=0) or 0,
            fraction_of_custodial_period=t.fraction("fraction_of_custodial_period") or Fraction(1, 2),
            max_days_on_hdc=t.integer("max_days_on_hdc", minimum=0) or 0,
            earliest_days_after_sentence=t.integer("earliest_days_after_sentence", minimum=0) or 0,
        )

    def unconditional(t: TableReader) -> UnconditionalRelease:
        return UnconditionalRelease(
            one_day_terms=bool(t.boolean("one_day_terms")),
            below_term=_length(t, "below_term", required=True) or Length(),
            for_offences_before=t.date("for_offences_before") or dt.date.min,
        )

    def top_up(t: TableReader) -> TopUpSupervision:
        return TopUpSupervision(
            band=TermBand(_length(t, "min_term_exclusive"), _length(t, "max_term_exclusive")),
            for_offences_on_or_after=t.date("for_offences_on_or_after") or dt.date.min,
            only_if_licence_shorter_than=_length(t, "only_if_licence_shorter_than", required=True) or Length(),
            length=_length(t, "length", required=True) or Length(),
        )

    def extended(t: TableReader) -> ExtendedRules:
        return ExtendedRules(t.fraction("parole_eligibility_fraction") or Fraction(2, 3))

    return ReleaseRules(
        release_points=tuple(points),
        transition=r.nested("transition", transition, required=False) or Transition(False),
        hdc=r.nested("hdc", hdc) or HdcRules(TermBand(), frozenset(), frozenset(), 0, Fraction(1, 2), 0, 0),
        unconditional_release=r.nested("unconditional_release", unconditional)
        or UnconditionalRelease(False, Length(), dt.date.min),
        top_up_supervision=r.nested("top_up_supervision", top_up)
        or TopUpSupervision(TermBand(), dt.date.min, Length(), Length()),
        extended=r.nested("extended", extended, required=False),
    )


RELEASE_RULES = register_family("custody.sds-release", Path(__file__).parent / "rulepacks", parse_release_rules)


# ---------------------------------------------------------------------------------------------
# Calculation input and output
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceTerm:
    """One sentence as passed by the court. For an extended sentence ``length`` is the custodial
    term and ``extension`` the extension period. ``consecutive_to`` names another term's ``id``."""

    id: str
    sentence_date: dt.date
    offence_date: dt.date
    length: Length
    kind: SentenceKind = SentenceKind.SDS
    extension: Length | None = None
    consecutive_to: str | None = None
    flags: frozenset[OffenceFlag] = frozenset()


@dataclass(frozen=True)
class SentenceCalculationInput:
    terms: tuple[SentenceTerm, ...]
    remand_days: int = 0
    tagged_bail_days: int = 0  # the credit the court directed (half the qualifying curfew days, s.240A)


@dataclass(frozen=True)
class CalculatedDate:
    kind: DateKind
    date: dt.date
    steps: tuple[str, ...]
    rule_pack: str  # "custody.sds-release 2024.1"


@dataclass(frozen=True)
class ReleaseDates:
    crd: CalculatedDate | None
    ard: CalculatedDate | None
    hdced: CalculatedDate | None
    ped: CalculatedDate | None
    led: CalculatedDate | None
    sed: CalculatedDate
    tused: CalculatedDate | None
    rule_packs: tuple[str, ...]

    @property
    def release_date(self) -> dt.date:
        chosen = self.crd or self.ard
        assert chosen is not None
        return chosen.date

    def dates(self) -> list[CalculatedDate]:
        """The dates that apply, in the order a page shows them."""
        found = [self.crd, self.ard, self.hdced, self.ped, self.led, self.sed, self.tused]
        return [d for d in found if d is not None]


class ReleaseDateInputError(ValidationFailed):
    """The sentences given cannot be calculated: each FieldError names the input at fault
    (``terms.1.consecutive_to``) so the API and pages can point at it."""


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _validate(calc: SentenceCalculationInput) -> dict[str, int]:
    """Check the input; return each term's position by id. Raises ReleaseDateInputError."""
    errors: list[FieldError] = []
    if not calc.terms:
        errors.append(FieldError("terms", "Add at least one sentence term"))
    if calc.remand_days < 0:
        errors.append(FieldError("remand_days", "Remand days must be 0 or more"))
    if calc.tagged_bail_days < 0:
        errors.append(FieldError("tagged_bail_days", "Tagged bail days must be 0 or more"))
    index: dict[str, int] = {}
    for i, term in enumerate(calc.terms):
        path = f"terms.{i}"
        if not term.id:
            errors.append(FieldError(f"{path}.id", "Give the term an identifier"))
        elif term.id in index:
            errors.append(FieldError(f"{path}.id", f"Term {term.id} appears twice"))
        else:
            index[term.id] = i
        if term.length.is_negative():
            errors.append(FieldError(f"{path}.length", f"Term {term.id}: length must not be negative"))
        elif term.length.add_to(term.sentence_date) <= term.sentence_date:
            errors.append(FieldError(f"{path}.length", f"Term {term.id}: length must be at least 1 day"))
        if term.offence_date > term.sentence_date:
            errors.append(
                FieldError(
                    f"{path}.offence_date",
                    f"Term {term.id}: the offence date ({long_date(term.offence_date)}) is after the sentence "
                    f"date ({long_date(term.sentence_date)})",
                )
            )
        if term.kind is SentenceKind.EDS:
            if term.extension is None or term.extension.is_negative() or term.extension == Length():
                errors.append(
                    FieldError(f"{path}.extension", f"Term {term.id}: an extended sentence needs an extension period")
                )
            if term.consecutive_to is not None:
                errors.append(
                    FieldError(
                        f"{path}.consecutive_to",
                        f"Term {term.id}: extended sentences in a consecutive chain are not supported",
                    )
                )
        elif term.extension is not None:
            errors.append(
                FieldError(f"{path}.extension", f"Term {term.id}: only an extended sentence has an extension period")
            )
    followers: dict[str, str] = {}
    for i, term in enumerate(calc.terms):
        target = term.consecutive_to
        if target is None:
            continue
        path = f"terms.{i}.consecutive_to"
        if target == term.id:
            errors.append(FieldError(path, f"Term {term.id} cannot be consecutive to itself"))
        elif target not in index:
            errors.append(FieldError(path, f"Term {term.id} is consecutive to {target}, but there is no term {target}"))
        elif target in followers:
            errors.append(
                FieldError(
                    path,
                    f"Terms {followers[target]} and {term.id} are both consecutive to {target}; "
                    "make one follow the other",
                )
            )
        else:
            followers[target] = term.id
            earlier = calc.terms[index[target]]
            if earlier.kind is SentenceKind.EDS:
                errors.append(
                    FieldError(path, f"Term {term.id}: extended sentences in a consecutive chain are not supported")
                )
            if term.sentence_date < earlier.sentence_date:
                errors.append(
                    FieldError(
                        path, f"Term {term.id} was passed before term {target}, so it cannot be consecutive to it"
                    )
                )
    if errors:
        raise ReleaseDateInputError(errors)
    # Every term must hang from a concurrent term (one without consecutive_to); the rest form a loop.
    reached: set[str] = set()
    for term in calc.terms:
        if term.consecutive_to is None:
            current: str | None = term.id
            while current is not None:
                reached.add(current)
                current = followers.get(current)
    looped = [(i, t) for i, t in enumerate(calc.terms) if t.id not in reached]
    if looped:
        raise ReleaseDateInputError(
            [
                FieldError(f"terms.{i}.consecutive_to", f"Term {t.id} is part of a loop of consecutive terms")
                for i, t in looped
            ]
        )
    return index


# ---------------------------------------------------------------------------------------------
# Calculation
# ---------------------------------------------------------------------------------------------


@dataclass
class _TermSpan:
    term: SentenceTerm
    position: int
    start: dt.date
    end: dt.date  # exclusive: the day after the term's last day
    days: int


@dataclass
class _ChainResult:
    release: dt.date
    release_kind: DateKind
    release_steps: list[str]
    sed: dt.date
    sed_steps: list[str]
    pack: RulePack[ReleaseRules]  # the pack that set the release date
    led: dt.date | None = None
    hdced: dt.date | None = None
    hdc_steps: list[str] = field(default_factory=list)
    hdc_excluded: str | None = None  # why HDC is not available, if it is not
    hdc_pack: str = ""
    tused: dt.date | None = None
    tused_steps: list[str] = field(default_factory=list)
    ped: dt.date | None = None
    ped_steps: list[str] = field(default_factory=list)
    packs: list[str] = field(default_factory=list)


def calculate_release_dates(
    calc: SentenceCalculationInput, series: RulePackSeries[ReleaseRules] | None = None
) -> ReleaseDates:
    """Work out a person's release dates. ``series`` defaults to the packs in the repository."""
    series = series or RELEASE_RULES.series()
    index = _validate(calc)
    credit = calc.remand_days + calc.tagged_bail_days
    followers = {t.consecutive_to: t for t in calc.terms if t.consecutive_to is not None}
    chains: list[list[_TermSpan]] = []
    for root in (t for t in calc.terms if t.consecutive_to is None):
        spans: list[_TermSpan] = []
        current: SentenceTerm | None = root
        start = root.sentence_date
        while current is not None:
            end = current.length.add_to(start)
            if spans and current.sentence_date >= start:
                raise ReleaseDateInputError(
                    FieldError(
                        f"terms.{index[current.id]}.consecutive_to",
                        f"Term {current.id} is consecutive to {current.consecutive_to}, which had already expired "
                        f"when {current.id} was passed",
                    )
                )
            spans.append(_TermSpan(current, index[current.id], start, end, (end - start).days))
            start = end
            current = followers.get(current.id)
        chains.append(spans)
    longest = max(_chain_total_days(c) for c in chains)
    if credit >= longest:
        raise ReleaseDateInputError(
            FieldError(
                "remand_days",
                f"Remand and tagged bail credit ({_days(credit)}) is as long as or longer than the sentence "
                f"({_days(longest)})",
            )
        )
    results = [_calculate_chain(chain, calc, credit, series) for chain in chains]
    return _combine(results, len(chains) > 1)


def _chain_total_days(chain: list[_TermSpan]) -> int:
    total = sum(s.days for s in chain)
    only = chain[0].term
    if only.kind is SentenceKind.EDS and only.extension is not None:
        total += (only.extension.add_to(chain[-1].end) - chain[-1].end).days
    return total


def _pack_on(series: RulePackSeries[ReleaseRules], span: _TermSpan) -> RulePack[ReleaseRules]:
    try:
        return series.in_force_on(span.term.sentence_date)
    except NoRulePackInForce as exc:
        raise ReleaseDateInputError(FieldError(f"terms.{span.position}.sentence_date", exc.detail)) from exc


def _describe_term(span: _TermSpan) -> str:
    kind = "extended sentence custodial term" if span.term.kind is SentenceKind.EDS else "term"
    return (
        f"Term {span.term.id}: {kind} of {span.term.length.describe()} from {long_date(span.start)} "
        f"to {long_date(span.end - ONE_DAY)} ({_days(span.days)})."
    )


def _credit_step(credit: int, calc: SentenceCalculationInput) -> str:
    return (
        f"Credit {_days(credit)} ({_days(calc.remand_days)} on remand, {_days(calc.tagged_bail_days)} of tagged bail): "
        f"every date moves {_days(credit)} earlier."
    )


def _calculate_chain(
    chain: list[_TermSpan], calc: SentenceCalculationInput, credit: int, series: RulePackSeries[ReleaseRules]
) -> _ChainResult:
    start = chain[0].start
    chain_end = chain[-1].end
    total_days = sum(s.days for s in chain)
    latest_sentence = max(s.term.sentence_date for s in chain)
    base_packs = [_pack_on(series, s) for s in chain]
    governing = max(base_packs, key=lambda p: p.effective_from)
    term_steps = [_describe_term(s) for s in chain]
    if len(chain) > 1:
        term_steps.append(
            f"The {len(chain)} consecutive terms run together for {_days(total_days)}, "
            f"from {long_date(start)} to {long_date(chain_end - ONE_DAY)}."
        )
    credit_steps = [_credit_step(credit, calc)] if credit else []

    first = chain[0].term
    if first.kind is SentenceKind.EDS:
        return _calculate_extended(chain[0], governing, credit, term_steps, credit_steps)

    # Release point of each term under the pack in force when it was passed (s.264: the custodial
    # period of a chain is the sum of each term's own custodial period).
    points = [p.content.release_point_for(s.term.flags, s.start, s.end) for p, s in zip(base_packs, chain, strict=True)]
    fractions = [pt.fraction for pt in points]
    steps = list(term_steps)
    for span, pack, point in zip(chain, base_packs, points, strict=True):
        steps.append(
            f"Term {span.term.id} was passed on {long_date(span.term.sentence_date)}, under {pack.label} "
            f"({pack.title}): {point.description}."
        )
    custodial = _custodial_days(chain, fractions)
    steps.append(_custodial_step(chain, fractions, custodial))
    release = start + dt.timedelta(days=custodial - 1 - credit)
    steps += credit_steps
    if credit:
        steps.append(f"Release date after credit: {long_date(release)}.")
    hdced, hdc_steps, hdc_excluded = _hdc(chain, governing, points, custodial, credit, release, calc)
    packs = [p.label for p in base_packs]
    release_pack = hdc_pack = governing

    # Later packs that also govern sentences already being served (SDS40, the longer HDC period),
    # if the person was still in custody when they commenced. They can only bring dates forward.
    for later in series.commencing_after(min(s.term.sentence_date for s in chain)):
        rules = later.content
        if not rules.transition.applies_to_sentences_being_served or release < later.effective_from:
            continue
        new_fractions = [
            min(f, rules.release_point_for(s.term.flags, s.start, s.end).fraction)
            if s.term.sentence_date < later.effective_from
            else f
            for f, s in zip(fractions, chain, strict=True)
        ]
        floor = later.effective_from
        for tranche in rules.transition.tranches:
            if tranche.band.contains(start, chain_end):
                floor = max(floor, tranche.release_no_earlier_than)
        new_custodial = _custodial_days(chain, new_fractions)
        candidate = start + dt.timedelta(days=new_custodial - 1 - credit)
        new_release = min(release, max(candidate, floor))
        governing = later
        packs.append(later.label)
        if new_release != release:
            steps.append(
                f"{later.label} ({later.title}) also applies to sentences being served on "
                f"{long_date(later.effective_from)}. {_custodial_step(chain, new_fractions, new_custodial)}"
            )
            if candidate < floor:
                steps.append(
                    f"That point is before {long_date(floor)}, the earliest release it allows for this sentence."
                )
            steps.append(f"Release date under {later.label}: {long_date(new_release)}.")
            release, fractions, custodial = new_release, new_fractions, new_custodial
            release_pack = later
        new_points = [rules.release_point_for(s.term.flags, s.start, s.end) for s in chain]
        later_hdced, later_steps, _ = _hdc(chain, later, new_points, custodial, credit, release, calc)
        if later_hdced is not None and later_hdced < later.effective_from:
            later_hdced = later.effective_from
            later_steps.append(f"Not before {long_date(later.effective_from)}, when {later.label} came into force.")
        if later_hdced is not None and (hdced is None or later_hdced < hdced):
            hdced, hdc_steps, hdc_excluded, hdc_pack = later_hdced, later_steps, None, later

    if release < latest_sentence:
        release = latest_sentence
        steps.append(
            f"The credit covers the custodial period, so release is on the day of sentence, {long_date(release)}."
        )

    sed = start + dt.timedelta(days=total_days - 1 - credit)
    sed_steps = [*term_steps, f"The sentence expires on its last day, {long_date(chain_end - ONE_DAY)}.", *credit_steps]
    if sed < latest_sentence:
        sed = latest_sentence
        sed_steps.append("The credit covers the whole term, so it expires on the day of sentence.")
    elif credit:
        sed_steps.append(f"Sentence expiry after credit: {long_date(sed)}.")

    rules = governing.content
    result = _ChainResult(release, DateKind.CRD, steps, sed, sed_steps, release_pack, packs=packs)
    if hdced is not None and hdced < release:
        result.hdced, result.hdc_steps, result.hdc_pack = hdced, hdc_steps, hdc_pack.label
    else:
        result.hdc_excluded = hdc_excluded or "the eligibility date would not be before the release date"

    unconditional = rules.unconditional_release
    one_day = unconditional.one_day_terms and total_days == 1
    short_old = not _at_least(start, chain_end, unconditional.below_term) and all(
        s.term.offence_date < unconditional.for_offences_before for s in chain
    )
    if one_day or short_old:
        result.release_kind = DateKind.ARD
        reason = (
            "a sentence of one day"
            if one_day
            else f"under {unconditional.below_term.describe()} for offences before "
            f"{long_date(unconditional.for_offences_before)}"
        )
        steps.append(f"Released without licence (automatic release): {reason} ({governing.label}).")
        return result

    result.led = sed
    tus = rules.top_up_supervision
    tus_band_ok = tus.band.max_term_exclusive is None or not _at_least(start, chain_end, tus.band.max_term_exclusive)
    more_than_min = tus.band.min_term is None or tus.band.min_term.add_to(start) < chain_end
    offences_ok = all(s.term.offence_date >= tus.for_offences_on_or_after for s in chain)
    if tus_band_ok and more_than_min and offences_ok:
        licence_ends_soon = sed < tus.only_if_licence_shorter_than.add_to(release)
        if licence_ends_soon:
            result.tused = tus.length.add_to(release)
            result.tused_steps = [
                f"The term is {tus.band.describe().replace('at least', 'more than')} for offences on or after "
                f"{long_date(tus.for_offences_on_or_after)}, so top-up supervision applies ({governing.label}).",
                f"Supervision runs to {tus.length.describe()} after release on {long_date(release)}: "
                f"{long_date(result.tused)}.",
            ]
    return result


def _custodial_days(chain: list[_TermSpan], fractions: list[Fraction]) -> int:
    return math.ceil(sum((f * s.days for f, s in zip(fractions, chain, strict=True)), Fraction(0)))


def _custodial_step(chain: list[_TermSpan], fractions: list[Fraction], custodial: int) -> str:
    parts = [f"{_fraction_text(f)} of {_days(s.days)}" for f, s in zip(fractions, chain, strict=True)]
    start = chain[0].start
    return (
        f"Custodial period: {' + '.join(parts)}, rounded up = {_days(custodial)}, "
        f"so release falls on day {custodial} counting {long_date(start)} as day 1: "
        f"{long_date(start + dt.timedelta(days=custodial - 1))}."
    )


def _hdc(
    chain: list[_TermSpan],
    pack: RulePack[ReleaseRules],
    points: list[ReleasePoint],
    custodial: int,
    credit: int,
    release: dt.date,
    calc: SentenceCalculationInput,
) -> tuple[dt.date | None, list[str], str | None]:
    """HDC eligibility date under one pack, or why there is none."""
    hdc = pack.content.hdc
    start, end = chain[0].start, chain[-1].end
    if not hdc.band.contains(start, end):
        return None, [], f"the term is not {hdc.band.describe()} ({pack.label})"
    for span in chain:
        excluded = span.term.flags & hdc.excluded_flags
        if excluded:
            names = ", ".join(sorted(f.value.replace("_", " ") for f in excluded))
            return None, [], f"term {span.term.id} is excluded from HDC ({names}; {pack.label})"
    for span, point in zip(chain, points, strict=True):
        if point.id in hdc.excluded_release_points:
            return (
                None,
                [],
                f"term {span.term.id} is released at {_fraction_text(point.fraction)} ({point.id}; {pack.label})",
            )
    share = math.ceil(custodial * hdc.fraction_of_custodial_period)
    before_release = custodial - hdc.max_days_on_hdc
    served = max(hdc.min_days_in_custody, share, before_release)
    hdced = start + dt.timedelta(days=served - credit)
    steps = [
        f"HDC applies to terms {hdc.band.describe()} ({pack.label}).",
        f"Days to serve first: the most of {hdc.min_days_in_custody} days, "
        f"{_fraction_text(hdc.fraction_of_custodial_period)} "
        f"of the {custodial}-day custodial period ({share}), and the custodial period less "
        f"{hdc.max_days_on_hdc} days ({before_release}) = {_days(served)} from {long_date(start)}.",
    ]
    if credit:
        steps.append(_credit_step(credit, calc))
    earliest = start + dt.timedelta(days=hdc.earliest_days_after_sentence)
    if release < earliest:
        return None, [], f"release falls within {hdc.earliest_days_after_sentence} days of sentence"
    if hdced < earliest:
        hdced = earliest
        steps.append(f"Not earlier than {_days(hdc.earliest_days_after_sentence)} after sentence.")
    steps.append(f"Eligible from {long_date(hdced)}.")
    return hdced, steps, None


def _calculate_extended(
    span: _TermSpan, pack: RulePack[ReleaseRules], credit: int, term_steps: list[str], credit_steps: list[str]
) -> _ChainResult:
    term = span.term
    extended = pack.content.extended
    if extended is None:
        raise ReleaseDateInputError(
            FieldError(
                f"terms.{span.position}.kind", f"{pack.label} has no rules for extended sentences passed on that date"
            )
        )
    assert term.extension is not None
    licence_end = term.extension.add_to(span.end)
    release = span.start + dt.timedelta(days=span.days - 1 - credit)
    release = max(release, term.sentence_date)
    release_steps = [
        *term_steps,
        f"Extended sentence ({pack.label}): automatic release at the end of the custodial term, "
        f"{long_date(span.end - ONE_DAY)}.",
        *credit_steps,
    ]
    ped_days = math.ceil(span.days * extended.parole_eligibility_fraction)
    ped = max(span.start + dt.timedelta(days=ped_days - 1 - credit), term.sentence_date)
    ped_steps = [
        *term_steps,
        f"Parole eligibility at {_fraction_text(extended.parole_eligibility_fraction)} of the custodial term "
        f"({pack.label}): {_days(ped_days)}, day {ped_days} counting {long_date(span.start)} as day 1.",
        *credit_steps,
        f"Parole eligibility date: {long_date(ped)}.",
    ]
    sed = max(licence_end - ONE_DAY - dt.timedelta(days=credit), term.sentence_date)
    sed_steps = [
        *term_steps,
        f"Extension period of {term.extension.describe()} on licence follows, to {long_date(licence_end - ONE_DAY)}.",
        *credit_steps,
    ]
    result = _ChainResult(release, DateKind.CRD, release_steps, sed, sed_steps, pack, packs=[pack.label])
    result.led = sed
    result.ped, result.ped_steps = ped, ped_steps
    result.hdc_excluded = "extended sentences are not eligible for HDC"
    return result


def _combine(results: list[_ChainResult], concurrent: bool) -> ReleaseDates:
    packs = tuple(dict.fromkeys(label for r in results for label in r.packs))
    # Latest release governs; on a tie a licence release (CRD) beats an unconditional one.
    lead = max(results, key=lambda r: (r.release, r.release_kind is DateKind.CRD))
    note = [f"Of {len(results)} concurrent sentences or chains, this one ends latest."] if concurrent else []

    release = CalculatedDate(lead.release_kind, lead.release, tuple(lead.release_steps + note), lead.pack.label)
    sed_lead = max(results, key=lambda r: r.sed)
    sed = CalculatedDate(DateKind.SED, sed_lead.sed, tuple(sed_lead.sed_steps + note), sed_lead.pack.label)

    led = None
    licensed = [r for r in results if r.led is not None]
    if licensed and lead.release_kind is DateKind.CRD:
        led_lead = max(licensed, key=lambda r: r.led or dt.date.min)
        assert led_lead.led is not None
        led = CalculatedDate(
            DateKind.LED,
            led_lead.led,
            (*led_lead.sed_steps, *note, "The licence runs to the end of the sentence."),
            led_lead.pack.label,
        )

    hdced = None
    if lead.hdced is not None:
        # Every chain still being served on the HDC date must allow HDC.
        blocking = [r for r in results if r.hdc_excluded is not None and r.release > lead.hdced]
        if not blocking:
            hdced = CalculatedDate(DateKind.HDCED, lead.hdced, tuple(lead.hdc_steps), lead.hdc_pack)

    tused = None
    with_tus = [r for r in results if r.tused is not None]
    if with_tus:
        tus_lead = max(with_tus, key=lambda r: r.tused or dt.date.min)
        assert tus_lead.tused is not None
        if tus_lead.tused > sed.date:
            tused = CalculatedDate(DateKind.TUSED, tus_lead.tused, tuple(tus_lead.tused_steps), tus_lead.pack.label)

    ped = None
    with_ped = [r for r in results if r.ped is not None]
    if with_ped:
        ped_lead = max(with_ped, key=lambda r: r.ped or dt.date.min)
        assert ped_lead.ped is not None
        if ped_lead.ped < release.date:
            ped = CalculatedDate(DateKind.PED, ped_lead.ped, tuple(ped_lead.ped_steps), ped_lead.pack.label)

    return ReleaseDates(
        crd=release if release.kind is DateKind.CRD else None,
        ard=release if release.kind is DateKind.ARD else None,
        hdced=hdced,
        ped=ped,
        led=led,
        sed=sed,
        tused=tused,
        rule_packs=packs,
    )


# ---------------------------------------------------------------------------------------------
# Custody: arrivals, movements, prison numbers (pure; the service stores and publishes)
# ---------------------------------------------------------------------------------------------


class ArrivalReason(enum.StrEnum):
    REMAND = "remand"  # remanded in custody by a court
    SENTENCE = "sentence"  # sentenced to custody
    MANUAL = "manual"  # entered by the prison (another route: recall, transfer in from elsewhere)


class LegalStatus(enum.StrEnum):
    REMAND = "remand"
    SENTENCED = "sentenced"


class MovementKind(enum.StrEnum):
    """What happened to a booked person. Each may be reversed within REVERSAL_WINDOW."""

    RECEPTION = "reception"
    TRANSFER = "transfer"  # to another prison
    COURT_PRODUCTION = "court_production"  # out to court for the day
    TEMPORARY_RELEASE = "temporary_release"  # release on temporary licence (ROTL)
    RETURN = "return"  # back in from court or temporary release
    RELEASE = "release"  # with or without licence; ends the booking

    @property
    def label(self) -> str:
        return _MOVEMENT_LABELS[self]


_MOVEMENT_LABELS = {
    MovementKind.RECEPTION: "Reception",
    MovementKind.TRANSFER: "Transfer",
    MovementKind.COURT_PRODUCTION: "Out to court",
    MovementKind.TEMPORARY_RELEASE: "Temporary release",
    MovementKind.RETURN: "Returned",
    MovementKind.RELEASE: "Release",
}

# Movements a prison records after reception (reception itself has its own use case).
RECORDABLE_MOVEMENTS = (
    MovementKind.TRANSFER,
    MovementKind.COURT_PRODUCTION,
    MovementKind.TEMPORARY_RELEASE,
    MovementKind.RETURN,
    MovementKind.RELEASE,
)

# HMPPS holds reception, transfer and release events back 45 minutes, as they are often reversed
# within minutes; a movement reversed inside the hold-back never reaches other agencies.
EVENT_HOLD_BACK = dt.timedelta(minutes=45)
# A movement may be reversed (recorded in error) up to this long after it was recorded.
REVERSAL_WINDOW = dt.timedelta(hours=24)

MOVEMENT_EVENTS = {
    MovementKind.RECEPTION: "custody.person.received",
    MovementKind.TRANSFER: "custody.person.transferred",
    MovementKind.RELEASE: "custody.person.released",
}


def movement_errors(
    kind: MovementKind,
    *,
    out_reason: str | None,
    current_prison_id: int,
    to_prison_id: int | None,
    on_licence: bool,
    has_release_dates: bool,
) -> list[FieldError]:
    """Why a movement cannot be recorded for a booking in its present state (empty if it can)."""
    errors: list[FieldError] = []
    if kind is MovementKind.RETURN:
        if out_reason is None:
            errors.append(FieldError("kind", "The person is in the prison: there is nothing to return from"))
    elif out_reason is not None and kind is not MovementKind.RELEASE:
        errors.append(
            FieldError("kind", f"The person is out ({out_reason.replace('_', ' ')}): record their return first")
        )
    if kind is MovementKind.TRANSFER:
        if to_prison_id is None:
            errors.append(FieldError("to_prison_code", "Enter the prison the person is transferred to"))
        elif to_prison_id == current_prison_id:
            errors.append(FieldError("to_prison_code", "The person is already in that prison"))
    elif to_prison_id is not None:
        errors.append(FieldError("to_prison_code", "Only a transfer goes to another prison"))
    if on_licence and kind is not MovementKind.RELEASE:
        errors.append(FieldError("on_licence", "Only a release can be on licence"))
    if on_licence and not has_release_dates:
        errors.append(FieldError("on_licence", "Calculate the person's release dates before releasing them on licence"))
    return errors


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def prison_number_for(n: int) -> str:
    """The n-th prison number Caselink allocates (n from 1): ``A0001AA``, ``A0002AA`` ...
    ``A9999AA``, ``A0000AB`` ... in the NOMS format letter, 4 digits, 2 letters."""
    if n < 1 or n >= 26 * 26 * 26 * 10_000:
        raise ValueError("prison number sequence exhausted")
    digits, rest = n % 10_000, n // 10_000
    second, rest = rest % 26, rest // 26
    first, prefix = rest % 26, rest // 26
    return f"{_LETTERS[prefix]}{digits:04d}{_LETTERS[first]}{_LETTERS[second]}"


def reception_prison_code(court_region: str | None, mapping: dict[str, str], default: str) -> str:
    """The local prison serving a court's criminal justice area (custody/data/reception_prisons.json)."""
    return mapping.get((court_region or "").strip(), default)
