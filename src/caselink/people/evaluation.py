"""The matching quality measure: a labelled synthetic set, precision and recall (``caselink people match-eval``).

The set starts from the demo generator's people (its names, regions, postcodes and identifiers)
and plants, each with its kinds recorded:
- true duplicates of existing people: typing slips, phonetic spellings, nicknames, given and family
  names swapped, day and month swapped, no date of birth, a recorded alias used as the name,
  double-barrelled family names, a different address; a quarter share one identifier with the
  original, the rest carry none (another agency's record);
- hard negatives: twins (same family name, date of birth and address, another given name),
  siblings and spouses at the same address, and a parent and child of the same name at the same
  address; half carry their own identifiers, half none.

Two matchers are measured on it:
- the online matcher (caselink.people.matching, used by search, match-before-create and import):
  the later record of each pair is scored as a query against the earlier, over every pair that
  shares a family name, a date of birth, a postcode or an identifier (which is what candidate
  retrieval brings to scoring; retrieval itself is covered by the search tests). Auto-link means
  a score of at least ``STRONG_MATCH``; the review band is ``LIKELY_MATCH`` up to it;
- the batch linkage (caselink.people.linkage) over the whole set, blocking included.

Precision = true pairs among those predicted; recall = true pairs found among all true pairs.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from caselink.demo import data
from caselink.demo.generator import PeopleGenerator
from caselink.people import linkage, matching
from caselink.people.matching import Candidate, NameQuery, RecordedName
from caselink.people.rules import fold_name

PRECISION_TARGET = 0.995
RECALL_TARGET = 0.97


@dataclass(frozen=True)
class Record:
    person_id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    sex: str
    postcodes: tuple[str, ...] = ()  # current first
    identifiers: tuple[tuple[str, str], ...] = ()
    other_names: tuple[tuple[str, str, str], ...] = ()  # (name_type, given, family)


@dataclass(frozen=True)
class LabelledPair:
    earlier: int
    later: int
    same_person: bool
    kinds: tuple[str, ...]

    @property
    def key(self) -> tuple[int, int]:
        return (min(self.earlier, self.later), max(self.earlier, self.later))


@dataclass
class LabelledSet:
    records: dict[int, Record]
    pairs: list[LabelledPair]

    @property
    def true_pairs(self) -> set[tuple[int, int]]:
        return {p.key for p in self.pairs if p.same_person}


# --- building the set ---------------------------------------------------------------------------


def _records_from_generator(first_id: int, count: int, seed: int, reference_year: int) -> list[Record]:
    batch = PeopleGenerator(seed, reference_year).batch(range(first_id, first_id + count))
    names: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for person_id, name_type, given, _middle, family, _g, _f in batch.names:
        if name_type != "PRIMARY":
            names[person_id].append((name_type, given, family))
    identifiers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for person_id, kind, value, _raw, valid, _source in batch.identifiers:
        if valid:
            identifiers[person_id].append((kind, value))
    postcodes: dict[int, list[str]] = defaultdict(list)
    for row in batch.addresses:
        person_id, postcode, is_current = row[0], row[6], row[10]
        if postcode:
            if is_current:
                postcodes[person_id].insert(0, postcode)
            else:
                postcodes[person_id].append(postcode)
    return [
        Record(
            p[0],
            p[1],
            p[3],
            p[4],
            p[5],
            tuple(postcodes[p[0]]),
            tuple(identifiers[p[0]]),
            tuple(names[p[0]]),
        )
        for p in batch.persons
    ]


_PHONETIC_SPELLINGS = (
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("ou", "ow"),
    ("ie", "y"),
    ("ey", "ie"),
    ("son", "sen"),
    ("ll", "l"),
    ("nn", "n"),
    ("tt", "t"),
    ("ss", "s"),
    ("ae", "ai"),
    ("ei", "ie"),
    ("ee", "ea"),
    ("c", "k"),
    ("z", "s"),
    ("y", "i"),
)


def phonetic_spelling(name: str) -> str | None:
    """The name spelt another way it sounds the same ("Thompson" -> "Tompson"), or None."""
    lower = name.lower()
    for old, new in _PHONETIC_SPELLINGS:
        if old in lower[1:]:
            at = lower.index(old, 1)
            return (lower[:at] + new + lower[at + len(old) :]).title()
    return None


def typing_slip(name: str, rng: random.Random) -> str:
    """One slip: two letters swapped, one dropped, one doubled or one replaced."""
    letters = list(name.lower())
    if len(letters) < 4:
        return name
    at = rng.randrange(1, len(letters) - 1)
    roll = rng.random()
    if roll < 0.3:
        letters[at], letters[at + 1] = letters[at + 1], letters[at]
    elif roll < 0.55:
        del letters[at]
    elif roll < 0.75:
        letters.insert(at, letters[at])
    else:
        letters[at] = rng.choice("aeioulnrst".replace(letters[at], ""))
    return "".join(letters).title()


def nickname_of(given: str, rng: random.Random) -> str | None:
    if given in data.NICKNAMES:
        return data.NICKNAMES[given]
    related = sorted(matching.nicknames_of(given))
    return rng.choice(related).title() if related else None


def transposed(day_first: date | None) -> date | None:
    return matching.transposed(day_first) if day_first else None


DUPLICATE_KINDS = (
    "typo_family",
    "typo_given",
    "phonetic",
    "nickname",
    "swapped_names",
    "transposed_dob",
    "missing_dob",
    "alias",
    "double_barrelled",
    "different_address",
)
NEGATIVE_KINDS = ("twin", "sibling", "parent_child", "spouse")


def _duplicate(original: Record, new_id: int, donor: Record, rng: random.Random) -> tuple[Record, tuple[str, ...]]:
    """A second record of ORIGINAL's person, as another agency might have keyed it."""
    kinds: list[str] = []
    dup = replace(original, person_id=new_id, other_names=(), identifiers=())
    wanted = [rng.choice(DUPLICATE_KINDS)]
    if rng.random() < 0.4:
        wanted.append(rng.choice(("different_address", "missing_dob", "typo_family", "typo_given")))
    for kind in dict.fromkeys(wanted):
        if kind == "typo_family" and len(dup.family_name) >= 4:
            dup = replace(dup, family_name=typing_slip(dup.family_name, rng))
        elif kind == "typo_given" and len(dup.given_name) >= 4:
            dup = replace(dup, given_name=typing_slip(dup.given_name, rng))
        elif kind == "phonetic" and (spelt := phonetic_spelling(dup.family_name)):
            dup = replace(dup, family_name=spelt)
        elif kind == "nickname" and (short := nickname_of(dup.given_name, rng)):
            dup = replace(dup, given_name=short)
        elif kind == "swapped_names":
            dup = replace(dup, given_name=dup.family_name, family_name=dup.given_name)
        elif kind == "transposed_dob" and (swapped := transposed(dup.date_of_birth)):
            dup = replace(dup, date_of_birth=swapped)
        elif kind == "missing_dob" and dup.date_of_birth:
            dup = replace(dup, date_of_birth=None)
        elif kind == "alias":
            alias = next((n for n in original.other_names if n[0] in ("ALIAS", "MAIDEN", "NICKNAME")), None)
            if alias is None:
                continue
            dup = replace(dup, given_name=alias[1], family_name=alias[2])
        elif kind == "double_barrelled":
            dup = replace(dup, family_name=f"{dup.family_name}-{donor.family_name}")
        elif kind == "different_address" and donor.postcodes:
            dup = replace(dup, postcodes=donor.postcodes[:1])
        else:
            continue
        kinds.append(kind)
    if not kinds:  # nothing applied: at least a slip in the family name
        dup = replace(dup, family_name=typing_slip(dup.family_name, rng))
        kinds.append("typo_family")
    if original.identifiers and rng.random() < 0.25:
        dup = replace(dup, identifiers=(rng.choice(original.identifiers),))
        kinds.append("shared_identifier")
    return dup, tuple(kinds)


def _negative(original: Record, donor: Record, kind: str, rng: random.Random) -> Record:
    """Somebody else who shares ORIGINAL's family name and address (and date of birth, for a twin)."""
    given = donor.given_name if fold_name(donor.given_name) != fold_name(original.given_name) else "Alex"
    dob = original.date_of_birth
    if kind == "sibling" and dob:
        dob = date.fromordinal(dob.toordinal() + rng.choice((-1, 1)) * rng.randrange(400, 2500))
    elif kind == "parent_child" and dob:
        given = original.given_name  # a father and son of the same name
        dob = date.fromordinal(dob.toordinal() - rng.randrange(20 * 365, 35 * 365))
    elif kind == "spouse":
        dob = donor.date_of_birth
    identifiers = donor.identifiers if rng.random() < 0.5 else ()
    return Record(donor.person_id, given, original.family_name, dob, donor.sex, original.postcodes[:1], identifiers, ())


def build_set(
    people: int = 2_000, duplicates: int = 1_000, hard_negatives: int = 300, seed: int = 7, reference_year: int = 2025
) -> LabelledSet:
    """PEOPLE generated people plus DUPLICATES planted duplicates and HARD_NEGATIVES planted relatives."""
    if duplicates + hard_negatives > people:
        raise ValueError("plant at most as many duplicates and relatives as there are people")
    rng = random.Random(seed)
    base = _records_from_generator(1, people, seed, reference_year)
    donors = _records_from_generator(people + 1, duplicates + hard_negatives, seed + 1, reference_year)
    records = {r.person_id: r for r in base}
    originals = rng.sample(base, duplicates + hard_negatives)  # each original used once: pairs are exact
    pairs: list[LabelledPair] = []
    for original, donor in zip(originals[:duplicates], donors[:duplicates], strict=True):
        dup, kinds = _duplicate(original, donor.person_id, donor, rng)
        records[dup.person_id] = dup
        pairs.append(LabelledPair(original.person_id, dup.person_id, True, kinds))
    for original, donor in zip(originals[duplicates:], donors[duplicates:], strict=True):
        kind = rng.choice(NEGATIVE_KINDS)
        other = _negative(original, donor, kind, rng)
        records[other.person_id] = other
        pairs.append(LabelledPair(original.person_id, other.person_id, False, (kind,)))
    return LabelledSet(records, pairs)


def describe_set(labelled: LabelledSet) -> str:
    kinds: dict[str, int] = defaultdict(int)
    for pair in labelled.pairs:
        for kind in pair.kinds:
            kinds[kind] += 1
    true_count = len(labelled.true_pairs)
    return (
        f"Labelled synthetic set: {len(labelled.records):,} records, {true_count:,} true duplicate pairs, "
        f"{len(labelled.pairs) - true_count:,} hard negatives.\n"
        f"  kinds: {', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}"
    )


# --- measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    pair: tuple[int, int]
    score: float
    band: str  # auto_link | review
    reasons: tuple[str, ...] = ()


@dataclass
class Metrics:
    predicted: int
    correct: int
    truth: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.truth if self.truth else 1.0


@dataclass
class EvaluationReport:
    matcher: str
    auto_link: Metrics
    with_review: Metrics
    review_band: Metrics
    pairs_compared: int
    false_links: list[Prediction] = field(default_factory=list)
    missed: list[tuple[int, int]] = field(default_factory=list)
    recall_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (found, total)
    notes: list[str] = field(default_factory=list)
    examples: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def meets_targets(self) -> bool:
        return self.auto_link.precision >= PRECISION_TARGET and self.with_review.recall >= RECALL_TARGET


def measure(
    matcher: str,
    predictions: Iterable[Prediction],
    truth: set[tuple[int, int]],
    pairs_compared: int,
    kinds: dict[tuple[int, int], tuple[str, ...]] | None = None,
) -> EvaluationReport:
    """Precision and recall of PREDICTIONS against the TRUTH pairs (each pair lower id first)."""
    predictions = list(predictions)
    auto = {p.pair: p for p in predictions if p.band == "auto_link"}
    review = {p.pair: p for p in predictions if p.band == "review"}
    found = set(auto) | set(review)
    report = EvaluationReport(
        matcher,
        Metrics(len(auto), len(set(auto) & truth), len(truth)),
        Metrics(len(found), len(found & truth), len(truth)),
        Metrics(len(review), len(set(review) & truth), len(truth - set(auto))),
        pairs_compared,
        false_links=sorted((p for k, p in auto.items() if k not in truth), key=lambda p: -p.score),
        missed=sorted(truth - found),
    )
    if kinds:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for pair in truth:
            for kind in kinds.get(pair, ()):
                totals[kind][1] += 1
                totals[kind][0] += pair in found
        report.recall_by_kind = {k: (v[0], v[1]) for k, v in sorted(totals.items())}
    return report


def _query(record: Record) -> NameQuery:
    return NameQuery(
        record.given_name,
        record.family_name,
        record.date_of_birth,
        record.postcodes[0] if record.postcodes else None,
        tuple(record.identifiers),
    )


def _candidate(record: Record) -> Candidate:
    names = [RecordedName(record.given_name, record.family_name, "PRIMARY")]
    names += [RecordedName(given, family, kind) for kind, given, family in record.other_names]
    return Candidate(record.person_id, names, record.date_of_birth, record.postcodes, record.identifiers)


def compared_pairs(labelled: LabelledSet) -> set[tuple[int, int]]:
    """Every pair sharing a family name, a date of birth, a postcode or an identifier, plus the labelled ones."""
    groups: dict[tuple[str, object], list[int]] = defaultdict(list)
    for r in labelled.records.values():
        groups[("family", fold_name(r.family_name))].append(r.person_id)
        if r.date_of_birth:
            groups[("dob", r.date_of_birth)].append(r.person_id)
        for postcode in r.postcodes:
            groups[("postcode", postcode)].append(r.person_id)
        for ident in r.identifiers:
            groups[("id", ident)].append(r.person_id)
    pairs = {p.key for p in labelled.pairs}
    for members in groups.values():
        ordered = sorted(set(members))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                pairs.add((a, b))
    return pairs


def evaluate_online(labelled: LabelledSet) -> EvaluationReport:
    """The online matcher: the later record as a query scored against the earlier."""
    predictions: list[Prediction] = []
    pairs = compared_pairs(labelled)
    for a, b in pairs:
        earlier, later = labelled.records[a], labelled.records[b]
        result = matching.score(_query(later), _candidate(earlier))
        if result.score >= matching.STRONG_MATCH:
            predictions.append(Prediction((a, b), result.score, "auto_link", tuple(result.reasons)))
        elif result.score >= matching.LIKELY_MATCH:
            predictions.append(Prediction((a, b), result.score, "review", tuple(result.reasons)))
    report = measure(
        f"Online matcher (people/matching.py: auto-link >= {matching.STRONG_MATCH}, review >= {matching.LIKELY_MATCH})",
        predictions,
        labelled.true_pairs,
        len(pairs),
        {p.key: p.kinds for p in labelled.pairs},
    )
    report.notes.append("scores every pair sharing a family name, date of birth, postcode or identifier")
    for a, b in report.missed:
        m = matching.score(_query(labelled.records[b]), _candidate(labelled.records[a]))
        report.examples[(a, b)] = f"score {m.score:.3f}: {'; '.join(m.reasons) or 'no reasons'}"
    return report


def _raw_tables(labelled: LabelledSet) -> dict[str, list[tuple[object, ...]]]:
    tables: dict[str, list[tuple[object, ...]]] = {"persons": [], "names": [], "identifiers": [], "addresses": []}
    for r in labelled.records.values():
        tables["persons"].append((r.person_id, r.date_of_birth))
        tables["names"].append((r.person_id, "PRIMARY", fold_name(r.given_name), fold_name(r.family_name)))
        for kind, given, family in r.other_names:
            tables["names"].append((r.person_id, kind, fold_name(given), fold_name(family)))
        for kind, value in r.identifiers:
            tables["identifiers"].append((r.person_id, kind, value))
        for index, postcode in enumerate(r.postcodes):
            tables["addresses"].append((r.person_id, postcode, index == 0))
    return tables


def evaluate_batch(
    labelled: LabelledSet, progress: Callable[[str], None] | None = None, train: bool = False
) -> EvaluationReport:
    """The batch linkage over the whole set, blocking included."""
    con = linkage.connect()
    try:
        linkage.load_rows(con, _raw_tables(labelled))
        result, bands, _ = linkage.link(con, train=train, progress=progress or (lambda _: None))
    finally:
        con.close()
    predictions = [
        Prediction((p.person_a_id, p.person_b_id), p.match_probability, band, tuple(p.reasons))
        for band in ("auto_link", "review")
        for p in bands[band]
    ]
    report = measure(
        f"Batch linkage (Splink: auto-link >= {linkage.AUTO_LINK_PROBABILITY}, review >= {linkage.REVIEW_PROBABILITY})",
        predictions,
        labelled.true_pairs,
        result.pairs_scored,
        {p.key: p.kinds for p in labelled.pairs},
    )
    report.notes.append(f"model: {result.model_note}; blocked pairs scored: {result.pairs_scored:,}")
    below = {(p.person_a_id, p.person_b_id): p for p in result.candidates}
    for pair in report.missed:
        scored = below.get(pair)
        report.examples[pair] = (
            f"probability {scored.match_probability:.3f}: {'; '.join(scored.reasons)}"
            if scored
            else "not scored above the review band (or not blocked together)"
        )
    return report


def _describe(record: Record) -> str:
    dob = f"{record.date_of_birth:%d/%m/%Y}" if record.date_of_birth else "no dob"
    postcode = record.postcodes[0] if record.postcodes else "no postcode"
    ids = ",".join(v for _, v in record.identifiers) or "no ids"
    return f"{record.given_name} {record.family_name}, {dob}, {postcode}, {ids}"


def format_report(report: EvaluationReport, examples: int = 5) -> str:
    def verdict(ok: bool) -> str:
        return "meets target" if ok else "MISSES TARGET"

    lines = [
        "",
        report.matcher,
        f"  pairs compared: {report.pairs_compared:,}; " + "; ".join(report.notes),
        f"  auto-link:            precision {report.auto_link.precision:.4f} "
        f"({report.auto_link.correct}/{report.auto_link.predicted}), recall {report.auto_link.recall:.4f} "
        f"- {verdict(report.auto_link.precision >= PRECISION_TARGET)} (precision >= {PRECISION_TARGET})",
        f"  review band alone:    precision {report.review_band.precision:.4f} "
        f"({report.review_band.correct}/{report.review_band.predicted})",
        f"  auto-link + review:   precision {report.with_review.precision:.4f}, recall {report.with_review.recall:.4f} "
        f"({report.with_review.correct}/{report.with_review.truth}) "
        f"- {verdict(report.with_review.recall >= RECALL_TARGET)} (recall >= {RECALL_TARGET})",
    ]
    if report.recall_by_kind:
        lines.append(
            "  recall by kind (auto-link + review): "
            + ", ".join(f"{k} {found}/{total}" for k, (found, total) in report.recall_by_kind.items())
        )
    if report.false_links:
        lines.append(f"  false auto-links ({len(report.false_links)}), first {min(examples, len(report.false_links))}:")
        for p in report.false_links[:examples]:
            lines.append(f"    {p.pair[0]} / {p.pair[1]} score {p.score:.3f}: {'; '.join(p.reasons)}")
    if report.missed:
        lines.append(f"  missed true pairs ({len(report.missed)}), first {min(examples, len(report.missed))}:")
        for pair in report.missed[:examples]:
            lines.append(f"    {pair[0]} / {pair[1]}: {report.examples.get(pair, '')}")
    return "\n".join(lines)


def format_with_records(report: EvaluationReport, labelled: LabelledSet, examples: int = 5) -> str:
    """The report with the records of each example shown."""
    text = format_report(report, examples)
    extra = []
    for pair in [p.pair for p in report.false_links[:examples]] + report.missed[:examples]:
        a, b = labelled.records[pair[0]], labelled.records[pair[1]]
        kinds = next((p.kinds for p in labelled.pairs if p.key == pair), ())
        extra.append(f"    {pair}: [{_describe(a)}] vs [{_describe(b)}] kinds={','.join(kinds) or 'unplanted'}")
    return text + ("\n  records of the examples:\n" + "\n".join(extra) if extra else "")


def summarise(reports: Sequence[EvaluationReport]) -> bool:
    return all(r.meets_targets for r in reports)
