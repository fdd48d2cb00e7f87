"""Pure scoring of how likely a record describes the same person as what someone typed.

No I/O: the service retrieves candidates with indexes, then asks ``score(query, candidate)`` for a
score from 0 to 1 and the reasons a person can read ("Bill is a short form of William"). The same
scoring serves search ranking and the match-before-create check, so what a user sees in a search
is what stops them creating a duplicate.

How the score is built (kept simple so the reasons explain it fully):
- a shared valid identifier (PNC ID, CRO number, ...) is decisive: score 1;
- otherwise the best of the person's names (primary and aliases) is compared with the query's
  name, family and given name separately, and also swapped (given typed as family);
- the date of birth, then the postcode, add their evidence; a date of birth that plainly differs
  pulls the score down hard, because two people often share a name but rarely a name and birthday.
Without a date of birth a name alone can never reach the strong-match band.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

import jellyfish
from rapidfuzz.distance import JaroWinkler

from caselink.people.rules import fold_name, name_parts, name_variants

# Scores at or above STRONG_MATCH stop a record being created without confirmation (API 409);
# at or above LIKELY_MATCH a candidate is shown before creation.
STRONG_MATCH = 0.85
LIKELY_MATCH = 0.6
# A name without a date of birth to support it scores at most this (below STRONG_MATCH).
NAME_ONLY_CAP = 0.75

# A plainly different date of birth multiplies the score by this.
DOB_CONFLICT_FACTOR = 0.8

# Weights of the evidence when it is present (they sum to 1 with all four).
FAMILY_WEIGHT = 0.35
GIVEN_WEIGHT = 0.25
DOB_WEIGHT = 0.3
POSTCODE_WEIGHT = 0.1

# Below this a name part counts as not matching at all (and says nothing in the reasons).
SPELLING_FLOOR = 0.84

# Comparisons of two spellings are pure and names repeat a lot (a search scores hundreds of
# candidates sharing a few dozen spellings), so their results are memoised: a bounded cache of
# facts about strings, never of records, so every worker process still answers the same.
_SPELLING_CACHE = 50_000
_folded = functools.lru_cache(maxsize=_SPELLING_CACHE)(fold_name)


# --- nicknames ----------------------------------------------------------------------------------


@functools.cache
def formal_names() -> dict[str, frozenset[str]]:
    """Each name in the nickname file -> the formal names it is a form of (a formal name -> itself)."""
    text = resources.files("caselink.people").joinpath("data/nicknames.txt").read_text(encoding="utf-8")
    forms: dict[str, set[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        formal, _, short = line.partition(":")
        formal = fold_name(formal)
        for name in {formal, *(fold_name(n) for n in short.split())}:
            forms.setdefault(name, set()).add(formal)
    return {name: frozenset(formals) for name, formals in forms.items()}


def shared_formal_name(a: str, b: str) -> str | None:
    """The formal name both A and B are forms of (bill, william -> william; bill, liam -> william)."""
    forms = formal_names()
    common = forms.get(_folded(a), frozenset()) & forms.get(_folded(b), frozenset())
    return min(common) if common else None


@functools.cache
def nicknames_of(given: str) -> frozenset[str]:
    """Names that are forms of the same formal name as GIVEN (folded); empty when none known."""
    folded = fold_name(given)
    forms = formal_names()
    related = {name for name, formals in forms.items() if formals & forms.get(folded, frozenset())}
    return frozenset(related - {folded})


# --- comparing one name part --------------------------------------------------------------------


@dataclass(frozen=True)
class PartMatch:
    score: float
    reason: str | None  # None when the parts do not match


_NO_MATCH = PartMatch(0.0, None)


@functools.lru_cache(maxsize=_SPELLING_CACHE)
def _sound_keys(folded: str) -> tuple[str, str]:
    """(metaphone, NYSIIS) of a folded name, spaces dropped: computed once per spelling, not per pair."""
    plain = folded.replace(" ", "")
    return jellyfish.metaphone(plain), jellyfish.nysiis(plain)


def _sounds_alike(a: str, b: str) -> bool:
    (a_metaphone, a_nysiis), (b_metaphone, b_nysiis) = _sound_keys(a), _sound_keys(b)
    return a_metaphone == b_metaphone or a_nysiis == b_nysiis


@functools.lru_cache(maxsize=_SPELLING_CACHE)
def _variants(text: str) -> frozenset[str]:
    return frozenset(name_variants(text))


def _spelling(a: str, b: str) -> float:
    return float(JaroWinkler.normalized_similarity(a, b))


@functools.lru_cache(maxsize=_SPELLING_CACHE)
def compare_given(typed: str, recorded: str) -> PartMatch:
    """How well a typed given name matches a recorded one (both any case; folded here)."""
    a, b = _folded(typed), _folded(recorded)
    if not a or not b:
        return _NO_MATCH
    if a == b:
        return PartMatch(1.0, f"given name {recorded} matches")
    formal = shared_formal_name(a, b)
    if formal is not None:
        if formal in (a, b):
            return PartMatch(
                0.9,
                f"{typed} is a short form of {recorded}" if formal == b else f"{recorded} is a short form of {typed}",
            )
        return PartMatch(0.85, f"{typed} and {recorded} are both forms of {formal.title()}")
    if _sounds_alike(a, b):
        return PartMatch(0.88, f"given name {typed} sounds like {recorded}")
    similarity = _spelling(a, b)
    if similarity >= SPELLING_FLOOR:
        return PartMatch(similarity * 0.95, f"given name {typed} is spelt like {recorded}")
    if len(a) == 1 and b.startswith(a):
        return PartMatch(0.6, f"initial {typed.upper()} fits {recorded}")
    return _NO_MATCH


@functools.lru_cache(maxsize=_SPELLING_CACHE)
def compare_family(typed: str, recorded: str) -> PartMatch:
    """How well a typed family name matches a recorded one, double-barrelled forms included."""
    a, b = _folded(typed), _folded(recorded)
    if not a or not b:
        return _NO_MATCH
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return PartMatch(1.0, f"family name {recorded} matches")
    typed_variants, recorded_variants = _variants(typed), _variants(recorded)
    if typed_variants & recorded_variants:
        return PartMatch(0.9, f"family name {typed} matches part of {recorded}")
    if _sounds_alike(a, b):
        return PartMatch(0.88, f"family name {typed} sounds like {recorded}")
    similarity = max(_spelling(x, y) for x in typed_variants for y in recorded_variants)
    if similarity >= SPELLING_FLOOR:
        return PartMatch(similarity * 0.95, f"family name {typed} is spelt like {recorded}")
    return _NO_MATCH


# --- dates of birth and postcodes ---------------------------------------------------------------


def transposed(day_first: date) -> date | None:
    """The date with day and month swapped (3 April -> 4 March), or None when that is no date."""
    if day_first.day == day_first.month or day_first.day > 12:
        return None
    try:
        return day_first.replace(month=day_first.day, day=day_first.month)
    except ValueError:
        return None


def compare_dob(typed: date, recorded: date) -> PartMatch:
    if typed == recorded:
        return PartMatch(1.0, f"date of birth {recorded:%d/%m/%Y} matches")
    if transposed(typed) == recorded:
        return PartMatch(0.85, f"date of birth matches with day and month swapped ({recorded:%d/%m/%Y})")
    if (typed.month, typed.day) == (recorded.month, recorded.day) and abs(typed.year - recorded.year) == 1:
        return PartMatch(0.6, f"date of birth {recorded:%d/%m/%Y} differs only by a year")
    if typed.year == recorded.year and typed.month == recorded.month:
        return PartMatch(0.5, f"date of birth {recorded:%d/%m/%Y} is in the same month")
    if typed.year == recorded.year and typed.day == recorded.day:
        return PartMatch(0.5, f"date of birth {recorded:%d/%m/%Y} differs only in the month")
    return _NO_MATCH


def _postcode_match(typed: str, recorded: Iterable[str]) -> PartMatch:
    typed_plain = typed.replace(" ", "").upper()
    for postcode in recorded:
        if postcode.replace(" ", "").upper() == typed_plain:
            return PartMatch(1.0, f"postcode {postcode} matches")
    typed_district = typed.upper().split(" ")[0]
    for postcode in recorded:
        if postcode.upper().split(" ")[0] == typed_district:
            return PartMatch(0.5, f"postcode {postcode} is in the same district")
    return _NO_MATCH


# --- the query and a candidate ------------------------------------------------------------------


@dataclass(frozen=True)
class NameQuery:
    """What someone typed. Names as typed; identifiers canonical (type, value) pairs, valid only."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    postcode: str | None = None
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RecordedName:
    given_name: str
    family_name: str
    name_type: str = "PRIMARY"


@dataclass(frozen=True)
class Candidate:
    """One person as retrieved for scoring: every name they are known by, and their evidence."""

    person_id: int
    names: Sequence[RecordedName]
    date_of_birth: date | None = None
    postcodes: Sequence[str] = ()
    identifiers: Sequence[tuple[str, str]] = ()  # valid (type, canonical value) pairs only


@dataclass(frozen=True)
class Match:
    person_id: int
    score: float
    reasons: list[str] = field(default_factory=list)


IDENTIFIER_LABELS = {
    "PNC": "PNC ID",
    "CRO": "CRO number",
    "PRISON_NUMBER": "prison number",
    "CRN": "CRN",
    "ASN": "arrest/summons number",
    "NINO": "National Insurance number",
}


def split_name(text: str) -> tuple[str, str]:
    """(given, family) from one box: "Smith, John" or "John Smith"; a single word is a family name.

    Middle names typed between are dropped: the given and family names carry the matching.
    """
    if "," in text:
        family, _, given = text.partition(",")
        given_parts = given.split()
        return (given_parts[0] if given_parts else ""), family.strip()
    words = text.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return "", words[0]
    return words[0], words[-1]


def _name_score(query: NameQuery, name: RecordedName) -> tuple[float, list[str]]:
    """Weighted name evidence (out of FAMILY_WEIGHT + GIVEN_WEIGHT, rescaled to 0-1) and reasons."""
    total, reasons = _name_evidence(query.given_name, query.family_name, name.given_name, name.family_name)
    return total, list(reasons)


@functools.lru_cache(maxsize=_SPELLING_CACHE)
def _name_evidence(typed_given: str, typed_family: str, given: str, family: str) -> tuple[float, tuple[str, ...]]:
    """_name_score of the typed names against one recorded name (memoised: names repeat)."""
    has_given = bool(_folded(typed_given))

    def evaluate(family_part: PartMatch, given_part: PartMatch | None) -> tuple[float, tuple[str, ...]]:
        if given_part is None:  # no given name typed: the family name is all the evidence
            return family_part.score, tuple(r for r in [family_part.reason] if r)
        total = (family_part.score * FAMILY_WEIGHT + given_part.score * GIVEN_WEIGHT) / (FAMILY_WEIGHT + GIVEN_WEIGHT)
        return total, tuple(r for r in (family_part.reason, given_part.reason) if r)

    straight = evaluate(
        compare_family(typed_family, family),
        compare_given(typed_given, given) if has_given else None,
    )
    if not has_given:
        # One word may be either name: "John" finds John Smith a little less surely than "Smith".
        as_given = compare_given(typed_family, given)
        if as_given.score * 0.8 > straight[0]:
            return as_given.score * 0.8, (f"{as_given.reason} (searched as a single name)",)
        return straight
    swapped_family = compare_family(typed_given, family)
    swapped_given = compare_given(typed_family, given)
    swapped_score, swapped_reasons = evaluate(swapped_family, swapped_given)
    # Swapping is a known mistake but not free: a straight reading of equal strength wins.
    swapped_score *= 0.92
    if swapped_score > straight[0] and swapped_family.reason and swapped_given.reason:
        return swapped_score, ("given and family names swapped", *swapped_reasons)
    return straight


def score(query: NameQuery, candidate: Candidate) -> Match:
    """How likely CANDIDATE is the person QUERY describes, 0 to 1, with the reasons."""
    if query.identifiers and candidate.identifiers:
        held = set(candidate.identifiers)
        shared = [(kind, value) for kind, value in query.identifiers if (kind, value) in held]
        if shared:
            return Match(
                candidate.person_id,
                1.0,
                [f"same {IDENTIFIER_LABELS.get(kind, kind)} {value}" for kind, value in shared],
            )

    # _name_score of each name, without copying the reasons of the names that lose.
    best_score, best_name = 0.0, None
    best_reasons: tuple[str, ...] = ()
    typed_given, typed_family = query.given_name, query.family_name
    for name in candidate.names:
        name_score, name_reasons = _name_evidence(typed_given, typed_family, name.given_name, name.family_name)
        if name_score > best_score:
            best_score, best_reasons, best_name = name_score, name_reasons, name
    reasons = list(best_reasons)
    if best_name is not None and best_name.name_type != "PRIMARY" and reasons:
        kind = "nickname" if best_name.name_type == "NICKNAME" else f"{best_name.name_type.lower()} name"
        reasons.append(f"through the {kind} {best_name.given_name} {best_name.family_name}")

    total = best_score * (FAMILY_WEIGHT + GIVEN_WEIGHT)
    weight = FAMILY_WEIGHT + GIVEN_WEIGHT
    dob_supported = dob_compared = dob_conflicts = False
    if query.date_of_birth and candidate.date_of_birth:
        dob_compared = True
        dob = compare_dob(query.date_of_birth, candidate.date_of_birth)
        weight += DOB_WEIGHT
        total += dob.score * DOB_WEIGHT
        if dob.reason:
            reasons.append(dob.reason)
            dob_supported = dob.score >= 0.85
        else:
            dob_conflicts = True
            reasons.append(f"date of birth differs ({candidate.date_of_birth:%d/%m/%Y})")
    if query.postcode:
        postcode = _postcode_match(query.postcode, candidate.postcodes)
        if postcode.reason:
            weight += POSTCODE_WEIGHT
            total += postcode.score * POSTCODE_WEIGHT
            reasons.append(postcode.reason)

    result = total / weight if weight else 0.0
    if not dob_compared:
        # A name alone never proves identity: scaled (so the ranking keeps its order) below STRONG_MATCH.
        result *= NAME_ONLY_CAP
    elif dob_conflicts:
        # Two people often share a name, rarely a name and a birthday: a plainly different date counts against.
        result *= DOB_CONFLICT_FACTOR
    elif not dob_supported:
        result = min(result, NAME_ONLY_CAP)
    return Match(candidate.person_id, round(result, 3), reasons)


def rank(query: NameQuery, candidates: Iterable[Candidate], minimum: float = 0.0) -> list[Match]:
    """Every candidate scoring at least MINIMUM, best first (ties: lower person id first, stable)."""
    matches = [m for m in (score(query, c) for c in candidates) if m.score >= minimum]
    matches.sort(key=lambda m: (-m.score, m.person_id))
    return matches


def given_name_keys(given: str) -> list[str]:
    """Folded given names worth looking up for GIVEN: itself and its nickname relations."""
    folded = fold_name(given)
    if not folded:
        return []
    return sorted({folded, *nicknames_of(folded)})


def family_name_keys(family: str) -> list[str]:
    """Folded family names worth looking up: the name, run together and each part alone."""
    return sorted(name_variants(family)) if name_parts(family) else []
