"""Person index use cases: search, match before creation, create, read.

The only place in this context that checks access, audits, emits events and commits. Search is
two steps: indexes retrieve a few hundred candidates (identifier index; trigram, phonetic and
exact-given-name indexes on every name a person is known by; date of birth; postcode), then
caselink.people.matching scores them in Python, so the ranking and its reasons are one piece of
plain code rather than SQL.

Limited access (caselink.people.limited_access) is enforced on reading a person and redacts search
results; ``flags`` holds the live registrations (caselink.people.registrations).

Merged records are left out of search (caselink.people.merge); the person page's timeline is
the stored cross-agency one (caselink.people.timeline).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Boolean, TextClause, any_, bindparam, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.service import actor_event_area
from caselink.people import limited_access, matching, registrations
from caselink.people.matching import Candidate, Match, NameQuery, RecordedName
from caselink.people.models import (
    NameType,
    Person,
    PersonAddress,
    PersonContact,
    PersonIdentifier,
    PersonName,
    Sex,
)
from caselink.people.rules import (
    PERSON_IDENTIFIER_TYPES,
    IdentifierType,
    fold_name,
    normalise_postcode,
    parse,
    recognise,
)
from caselink.people.schemas import PersonCreate, PersonDetails
from caselink.platform.access.actor import Actor
from caselink.platform.access.policy import check
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from caselink.platform.events.service import emit

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Each retrieval route returns at most this many candidates; scoring sees at most a few hundred.
ROUTE_LIMIT = 150
# Scoring (and loading) sees at most this many of the people the routes find.
CANDIDATE_LIMIT = 200
# Search results below this score are noise (a shared first letter and nothing else).
SEARCH_FLOOR = 0.45
OLDEST_BIRTH_YEAR = 1900
MAX_AGE = 120
EMPTY_SEARCH = "Enter a name, or an identifier such as a PNC ID, CRO number, prison number or CRN"
NOT_AN_IDENTIFIER = (
    "‘{q}’ is not a valid PNC ID, CRO number, prison number, CRN, arrest/summons number or National "
    "Insurance number. Check it was copied exactly (check letters included), or search by name"
)

IDENTIFIER_TYPE_CHOICES = ", ".join(t.value for t in PERSON_IDENTIFIER_TYPES)


# --- search terms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchTerms:
    q: str
    date_of_birth: date | None = None
    postcode: str | None = None
    age_from: int | None = None
    age_to: int | None = None

    def as_detail(self) -> dict[str, Any]:
        """The terms as audited: what was asked, not what was found."""
        detail: dict[str, Any] = {"q": self.q}
        if self.date_of_birth:
            detail["date_of_birth"] = self.date_of_birth.isoformat()
        if self.postcode:
            detail["postcode"] = self.postcode
        if self.age_from is not None:
            detail["age_from"] = self.age_from
        if self.age_to is not None:
            detail["age_to"] = self.age_to
        return detail


def validate_terms(
    q: str | None,
    date_of_birth: date | None = None,
    postcode: str | None = None,
    age_from: int | None = None,
    age_to: int | None = None,
    today: date | None = None,
) -> SearchTerms:
    """Search terms, checked; raises ValidationFailed with every problem at once."""
    today = today or date.today()
    errors: list[FieldError] = []
    query = (q or "").strip()
    if not fold_name(query):
        errors.append(FieldError("q", EMPTY_SEARCH))
    elif len(query) > 200:
        errors.append(FieldError("q", "Search for at most 200 characters"))
    errors += _dob_errors(date_of_birth, today)
    tidy_postcode = None
    if postcode and postcode.strip():
        tidy_postcode = normalise_postcode(postcode)
        if tidy_postcode is None:
            errors.append(FieldError("postcode", "Enter a real postcode, like SW1A 1AA"))
    for name, age in (("age_from", age_from), ("age_to", age_to)):
        if age is not None and not 0 <= age <= MAX_AGE:
            errors.append(FieldError(name, f"Enter an age between 0 and {MAX_AGE}"))
    if age_from is not None and age_to is not None and age_from > age_to and not errors:
        errors.append(FieldError("age_to", "The highest age must be the same as or more than the lowest age"))
    if errors:
        raise ValidationFailed(errors)
    return SearchTerms(query, date_of_birth, tidy_postcode, age_from, age_to)


def _dob_errors(value: date | None, today: date, field_name: str = "date_of_birth") -> list[FieldError]:
    if value is None:
        return []
    if value > today:
        return [FieldError(field_name, "Date of birth must be today or in the past")]
    if value.year < OLDEST_BIRTH_YEAR:
        return [FieldError(field_name, f"Date of birth must be after {OLDEST_BIRTH_YEAR}")]
    return []


def looks_like_identifier(q: str) -> bool:
    """Names have no digits; anything with a digit is meant as an identifier."""
    return bool(re.search(r"\d", q))


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSummary:
    person_id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    identifiers: list[tuple[str, str]]


@dataclass(frozen=True)
class SearchHit:
    person: PersonSummary
    score: float
    reasons: list[str]
    # Set for a limited-access person the searcher may not see: ``person`` then holds only the
    # id and one identifier (no name, no date of birth), score 0 and no reasons.
    restricted: limited_access.Redaction | None = None


@dataclass(frozen=True)
class SearchResult:
    terms: SearchTerms
    kind: str  # "identifier" or "name"
    items: list[SearchHit]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


# --- candidate retrieval ------------------------------------------------------------------------


def _birth_date_bounds(terms: SearchTerms, today: date) -> tuple[date | None, date | None]:
    """(earliest, latest) dates of birth the age range allows."""

    def years_ago(years: int) -> date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    earliest = None
    latest = None
    if terms.age_to is not None:
        earliest = date.fromordinal(years_ago(terms.age_to + 1).toordinal() + 1)
    if terms.age_from is not None:
        latest = years_ago(terms.age_from)
    return earliest, latest


# Route weights: how directly a route's people fit the typed name. When the routes find more than
# CANDIDATE_LIMIT people, those with the best weight (plus a bonus for being born on the date
# typed) are kept, so the cap drops the loosest look-alikes, never a same-name-same-birthday one.
_CLOSE = 3  # family name alike and given name exactly or as a nickname, or within two edits; swapped
_LOOSE = 2  # family name alike or sounding alike, given name loosely; same postcode
# Added for someone born on the date typed (or with day and month swapped): more than any name
# route gives, so everyone born that day is scored even when namesakes fill the routes.
_BORN_THAT_DAY = 5


def _name_routes(query: NameQuery, params: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(term sets, routes): SQL for the spellings worth trying, and for the people holding them.

    The tolerant comparisons (trigram, sound, edit distance) run over ``person_name_terms``, the
    distinct spellings; people are then fetched by exact spelling from a btree, so a common family
    name costs a few index probes rather than a visit to each of its ten thousand rows.
    """
    given = fold_name(query.given_name)
    family = fold_name(query.family_name)
    params.update(family=family, given=given)
    terms = [
        # Family names spelt like the typed one (trigram), best first; and others that only sound alike.
        "fam_like AS MATERIALIZED (SELECT term, similarity(term, :family) AS sim FROM person_name_terms"
        " WHERE kind = 'family' AND term % :family)",
        "fam_sound AS MATERIALIZED (SELECT term FROM person_name_terms WHERE kind = 'family'"
        " AND phonetic = dmetaphone(:family) AND term NOT IN (SELECT term FROM fam_like))",
    ]
    by_family = (
        "SELECT n.person_id, {weight} AS weight, 0 AS born FROM ({families}) f"
        " CROSS JOIN LATERAL (SELECT n.person_id FROM person_names n"
        " WHERE n.family_name_norm = f.term{given_filter} LIMIT :lim) n LIMIT :lim"
    )
    like_best_first = "SELECT term, sim FROM fam_like ORDER BY sim DESC, term"
    routes: list[str] = []
    if given:
        params["given_keys"] = matching.given_name_keys(given)
        params["family_keys"] = matching.given_name_keys(family)
        params["given_initial"] = given[:1]
        terms += [
            # Given names a hurried or mistaken typist might mean: the name and its nicknames, one
            # sounding alike, or one with the same initial and a similar spelling (or any, for an initial).
            "given_loose AS MATERIALIZED (SELECT term FROM person_name_terms"
            " WHERE kind = 'given' AND (term = ANY(:given_keys) OR phonetic = dmetaphone(:given)"
            " OR (left(term, 1) = :given_initial AND (length(:given) = 1 OR term % :given"
            " OR levenshtein_less_equal(term, :given, 2) <= 2))))",
            # Family names within two edits that trigrams miss in short names ("Smtih").
            "fam_edits AS MATERIALIZED (SELECT term, levenshtein_less_equal(term, :family, 2) AS edits"
            " FROM person_name_terms WHERE kind = 'family' AND levenshtein_less_equal(term, :family, 2) <= 2"
            " AND term NOT IN (SELECT term FROM fam_like))",
            # Family names within two edits of the given name, typed where the family name belongs.
            "swapped_edits AS MATERIALIZED (SELECT term, levenshtein_less_equal(term, :given, 2) AS edits"
            " FROM person_name_terms WHERE kind = 'family' AND levenshtein_less_equal(term, :given, 2) <= 2)",
            # Names swapped, each spelt or sounding alike.
            "swapped_family AS MATERIALIZED (SELECT term, similarity(term, :given) AS sim FROM person_name_terms"
            " WHERE kind = 'family' AND term % :given)",
            "swapped_given AS MATERIALIZED (SELECT term FROM person_name_terms"
            " WHERE kind = 'given' AND (term % :family OR phonetic = dmetaphone(:family)))",
        ]
        loose = " AND n.given_name_norm = ANY(ARRAY(SELECT term FROM given_loose))"
        routes += [
            # Family name spelt alike, given name exactly or as a nickname.
            by_family.format(
                weight=f"{_CLOSE} + f.sim",
                families=like_best_first,
                given_filter=" AND n.given_name_norm = ANY(:given_keys)",
            ),
            # Family name spelt alike, given name loosely.
            by_family.format(weight=f"{_LOOSE} + f.sim", families=like_best_first, given_filter=loose),
            # Family name by sound ("Tomson" for "Thompson"), given name loosely.
            by_family.format(weight=str(_LOOSE), families="SELECT term FROM fam_sound", given_filter=loose),
            # Given name exactly or as a nickname; family name within two edits (the rest of them).
            by_family.format(
                weight=str(_CLOSE),
                families="SELECT term FROM fam_edits ORDER BY edits, term",
                given_filter=" AND n.given_name_norm = ANY(:given_keys)",
            ),
            # Swapped, with a typo in the name typed as given ("Smtih John").
            by_family.format(
                weight=str(_CLOSE),
                families="SELECT term FROM swapped_edits ORDER BY edits, term",
                given_filter=" AND n.given_name_norm = ANY(:family_keys)",
            ),
            # Given and family names swapped.
            by_family.format(
                weight=str(_CLOSE),
                families="SELECT term FROM swapped_family ORDER BY sim DESC, term",
                given_filter=" AND n.given_name_norm = ANY(ARRAY(SELECT term FROM swapped_given))",
            ),
        ]
    else:
        # One word: a family name first, or else a given name.
        routes += [
            by_family.format(weight=f"{_CLOSE} + f.sim", families=like_best_first, given_filter=""),
            by_family.format(weight=str(_LOOSE), families="SELECT term FROM fam_sound", given_filter=""),
            f"SELECT n.person_id, {_LOOSE} AS weight, 0 AS born FROM person_names n"
            " WHERE n.given_name_norm = :family LIMIT :lim",
        ]
    return terms, routes


@functools.lru_cache(maxsize=64)
def _statement(sql: str) -> TextClause:
    """The parsed statement for SQL: a search has a handful of shapes, each parsed once per process."""
    return text(sql).bindparams(bindparam("postcodes", type_=Boolean))


async def _name_candidates(
    db: AsyncSession, query: NameQuery, terms: SearchTerms | None, today: date, *, postcodes: bool
) -> dict[int, Candidate]:
    """The people worth scoring, from every route a mistaken name or date could take, loaded for
    scoring (as ``_load_candidates``, without identifiers; postcodes when POSTCODES): at most
    CANDIDATE_LIMIT, those whose name fits most directly (and who were born that day) first.

    One statement: the routes rank person ids, ``persons`` is read once for the people kept (merged
    records and the age range are filtered there) and their names come with them.
    """
    params: dict[str, Any] = {"lim": ROUTE_LIMIT, "candidates": CANDIDATE_LIMIT}
    term_sets, routes = _name_routes(query, params)
    if query.date_of_birth:
        # Everyone born that day (or with day and month swapped): a badly misspelt name still scores,
        # and a namesake born that day goes before other namesakes.
        swapped = matching.transposed(query.date_of_birth)
        params["dobs"] = [query.date_of_birth] + ([swapped] if swapped else [])
        routes.append(
            f"SELECT p.id AS person_id, 0 AS weight, {_BORN_THAT_DAY} AS born FROM persons p"
            " WHERE p.date_of_birth = ANY(:dobs) LIMIT :lim"
        )
    if query.postcode:
        params["postcode"] = query.postcode
        routes.append(
            f"SELECT a.person_id, {_LOOSE} AS weight, 0 AS born FROM person_addresses a"
            " WHERE a.postcode = :postcode LIMIT :lim"
        )

    params["postcodes"] = postcodes
    conditions = ["p.id = c.person_id", "p.merged_into_id IS NULL"]
    if terms is not None:
        earliest, latest = _birth_date_bounds(terms, today)
        if earliest:
            conditions.append("p.date_of_birth >= :earliest")
            params["earliest"] = earliest
        if latest:
            conditions.append("p.date_of_birth <= :latest")
            params["latest"] = latest
    union = " UNION ALL ".join(f"({route})" for route in routes)
    # Ranked before persons is read (best first, stopping at the limit), so only the people kept (and
    # the few merged away) are visited; their names (and postcodes) are read for the people kept only.
    sql = (
        f"WITH {', '.join(term_sets)} "
        "SELECT k.id, k.date_of_birth,"
        " ARRAY(SELECT ARRAY[n.given_name, n.family_name, n.name_type] FROM person_names n"
        "       WHERE n.person_id = k.id ORDER BY n.id) AS names,"
        " CASE WHEN :postcodes THEN ARRAY(SELECT a.postcode FROM person_addresses a"
        "       WHERE a.person_id = k.id AND a.postcode IS NOT NULL ORDER BY a.id) END AS postcodes"
        " FROM (SELECT p.id, p.date_of_birth, c.fit FROM ("
        f"SELECT person_id, max(weight) + max(born) AS fit FROM ({union}) r GROUP BY person_id"
        " ORDER BY fit DESC, person_id) c"
        f" JOIN persons p ON {' AND '.join(conditions)}"
        " ORDER BY c.fit DESC, c.person_id LIMIT :candidates) k "
        "ORDER BY k.fit DESC, k.id"
    )
    rows = (await db.execute(_statement(sql), params)).all()
    return {
        person_id: Candidate(
            person_id,
            [RecordedName(given, family, name_type) for given, family, name_type in names],
            date_of_birth,
            postcodes or [],
        )
        for person_id, date_of_birth, names, postcodes in rows
    }


async def _identifier_person_ids(db: AsyncSession, identifiers: Sequence[tuple[str, str]]) -> list[int]:
    """People holding any of these valid identifiers (the survivor, for a merged record)."""
    if not identifiers:
        return []
    clauses = [(PersonIdentifier.type == kind) & (PersonIdentifier.value == value) for kind, value in identifiers]
    stmt = (
        select(Person.id, Person.merged_into_id)
        .join(PersonIdentifier, PersonIdentifier.person_id == Person.id)
        .where(PersonIdentifier.valid, or_(*clauses))
    )
    rows = (await db.execute(stmt)).all()
    return sorted({row.merged_into_id or row.id for row in rows})


async def _load_candidates(
    db: AsyncSession, person_ids: Sequence[int], *, postcodes: bool = True, identifiers_of: Sequence[int] | None = None
) -> dict[int, Candidate]:
    """Everything scoring needs for these people, in one round trip whatever their number.

    Each kind of detail costs an index probe per person, so postcodes are read only when the query
    has one, and identifiers only for IDENTIFIERS_OF (everyone when None): only people found by an
    identifier can share one, and a search shows the identifiers of one page (``_add_identifiers``).
    """
    if not person_ids:
        return {}
    # Array parameters rather than IN lists: the statement is the same whatever the number of people,
    # so PostgreSQL reuses its prepared plan; a CASE skips the probes of details not wanted.
    rows = await db.execute(
        text(
            "SELECT p.id, p.date_of_birth,"
            " ARRAY(SELECT ARRAY[n.given_name, n.family_name, n.name_type] FROM person_names n"
            "       WHERE n.person_id = p.id ORDER BY n.id) AS names,"
            " CASE WHEN p.id = ANY(:identifiers_of) THEN ARRAY(SELECT ARRAY[i.type, i.value] FROM person_identifiers i"
            "       WHERE i.person_id = p.id AND i.valid ORDER BY i.id) END AS identifiers,"
            " CASE WHEN :postcodes THEN ARRAY(SELECT a.postcode FROM person_addresses a"
            "       WHERE a.person_id = p.id AND a.postcode IS NOT NULL ORDER BY a.id) END AS postcodes"
            " FROM persons p WHERE p.id = ANY(:ids)"
        ).bindparams(
            bindparam("ids", list(person_ids), type_=ARRAY(BigInteger)),
            bindparam(
                "identifiers_of",
                list(person_ids if identifiers_of is None else identifiers_of),
                type_=ARRAY(BigInteger),
            ),
            bindparam("postcodes", postcodes, type_=Boolean),
        )
    )
    return {
        person_id: Candidate(
            person_id,
            [RecordedName(given, family, name_type) for given, family, name_type in names],
            date_of_birth,
            postcodes or [],
            [(kind, value) for kind, value in identifiers or ()],
        )
        for person_id, date_of_birth, names, identifiers, postcodes in rows
    }


_HOLDERS = text(
    "SELECT p.id, p.date_of_birth,"
    " ARRAY(SELECT ARRAY[n.given_name, n.family_name, n.name_type] FROM person_names n"
    "       WHERE n.person_id = p.id ORDER BY n.id) AS names,"
    " ARRAY(SELECT ARRAY[i.type, i.value] FROM person_identifiers i"
    "       WHERE i.person_id = p.id AND i.valid ORDER BY i.id) AS identifiers,"
    " CASE WHEN :postcodes THEN ARRAY(SELECT a.postcode FROM person_addresses a"
    "       WHERE a.person_id = p.id AND a.postcode IS NOT NULL ORDER BY a.id) END AS postcodes"
    " FROM persons p WHERE p.id IN ("
    "   SELECT coalesce(q.merged_into_id, q.id)"
    "   FROM unnest(CAST(:types AS text[]), CAST(:vals AS text[])) AS w(type, value)"
    "   JOIN person_identifiers i ON i.type = w.type AND i.value = w.value AND i.valid"
    "   JOIN persons q ON q.id = i.person_id)"
).bindparams(bindparam("postcodes", type_=Boolean))


async def _identifier_candidates(
    db: AsyncSession, identifiers: Sequence[tuple[str, str]], *, postcodes: bool = True
) -> dict[int, Candidate]:
    """The people holding any of these valid identifiers (the survivor, for a merged record), loaded
    for scoring with all their identifiers: ``_identifier_person_ids`` and ``_load_candidates`` in
    one round trip."""
    if not identifiers:
        return {}
    params = {"types": [kind for kind, _ in identifiers], "vals": [value for _, value in identifiers]}
    rows = (await db.execute(_HOLDERS, {**params, "postcodes": postcodes})).all()
    return {
        person_id: Candidate(
            person_id,
            [RecordedName(given, family, name_type) for given, family, name_type in names],
            date_of_birth,
            postcodes or [],
            [(kind, value) for kind, value in held],
        )
        for person_id, date_of_birth, names, held, postcodes in rows
    }


async def _add_identifiers(db: AsyncSession, candidates: dict[int, Candidate], person_ids: Sequence[int]) -> None:
    """Read the valid identifiers of these candidates (the people on the page shown)."""
    wanted = [person_id for person_id in person_ids if not candidates[person_id].identifiers]
    if not wanted:
        return
    held: dict[int, list[tuple[str, str]]] = {person_id: [] for person_id in wanted}
    rows = await db.execute(
        select(PersonIdentifier.person_id, PersonIdentifier.type, PersonIdentifier.value)
        .where(PersonIdentifier.person_id == any_(bindparam("ids", wanted, type_=ARRAY(BigInteger))))
        .where(PersonIdentifier.valid)
        .order_by(PersonIdentifier.person_id, PersonIdentifier.id)
    )
    for row in rows:
        held[row.person_id].append((row.type, row.value))
    for person_id, identifiers in held.items():
        candidates[person_id] = replace(candidates[person_id], identifiers=identifiers)


def _summary(candidate: Candidate) -> PersonSummary:
    primary = next((n for n in candidate.names if n.name_type == NameType.PRIMARY), None)
    primary = primary or (candidate.names[0] if candidate.names else RecordedName("", ""))
    return PersonSummary(
        candidate.person_id,
        primary.given_name,
        primary.family_name,
        candidate.date_of_birth,
        list(candidate.identifiers),
    )


# --- search -------------------------------------------------------------------------------------


async def _redact(
    db: AsyncSession, actor: Actor, hits: list[SearchHit], searched: Sequence[tuple[str, str]]
) -> list[SearchHit]:
    """Limited-access people the actor may not see keep their place but show only an identifier
    and the responsible officer (caselink.people.limited_access)."""
    hidden = await limited_access.redactions(
        db, actor, {h.person.person_id: h.person.identifiers for h in hits}, searched
    )
    return [
        SearchHit(PersonSummary(h.person.person_id, "", "", None, [r.identifier] if r.identifier else []), 0.0, [], r)
        if (r := hidden.get(h.person.person_id))
        else h
        for h in hits
    ]


async def search(
    db: AsyncSession,
    actor: Actor,
    terms: SearchTerms,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    today: date | None = None,
) -> SearchResult:
    """One page of people matching an identifier or a name, best first; audited with its terms."""
    check(actor, "people:read")
    today = today or date.today()
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    if looks_like_identifier(terms.q):
        kind = "identifier"
        found = recognise(terms.q, today)
        if not found:
            await record(db, actor, "person.search", outcome="refused", detail={"terms": terms.as_detail()})
            await db.commit()
            raise ValidationFailed([FieldError("q", NOT_AN_IDENTIFIER.format(q=terms.q))])
        wanted = [(ident.type.value, ident.canonical) for ident in found]
        candidates = await _identifier_candidates(db, wanted)
        query = NameQuery(identifiers=tuple(wanted))
        ranked = matching.rank(query, candidates.values())
    else:
        kind = "name"
        given, family = matching.split_name(terms.q)
        query = NameQuery(given, family, terms.date_of_birth, terms.postcode)
        candidates = await _name_candidates(db, query, terms, today, postcodes=bool(query.postcode))
        ranked = matching.rank(query, candidates.values(), minimum=SEARCH_FLOOR)
    start = (page - 1) * page_size
    await _add_identifiers(db, candidates, [m.person_id for m in ranked[start : start + page_size]])
    items = [
        SearchHit(_summary(candidates[m.person_id]), m.score, m.reasons) for m in ranked[start : start + page_size]
    ]
    items = await _redact(db, actor, items, query.identifiers)
    await record(
        db,
        actor,
        "person.search",
        detail={"terms": terms.as_detail(), "kind": kind, "page": page, "results": len(ranked)},
    )
    await db.commit()
    return SearchResult(terms, kind, items, page, page_size, len(ranked))


# --- matching before creation -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedDetails:
    """Details someone typed for a person, checked: identifiers parsed to canonical form."""

    given_name: str
    middle_names: str | None
    family_name: str
    date_of_birth: date | None
    postcode: str | None
    identifiers: list[tuple[IdentifierType, str, str]] = field(default_factory=list)  # (type, canonical, raw)

    def query(self) -> NameQuery:
        return NameQuery(
            self.given_name,
            self.family_name,
            self.date_of_birth,
            self.postcode,
            tuple((kind.value, canonical) for kind, canonical, _ in self.identifiers),
        )


def check_details(details: PersonDetails, today: date | None = None) -> CheckedDetails:
    """Refuse what must not enter the index: no family name, impossible dates, invalid identifiers
    (new entry is refused with the domain's own message; only imports keep invalid legacy values)."""
    today = today or date.today()
    errors: list[FieldError] = []
    if not fold_name(details.family_name):
        errors.append(FieldError("family_name", "Enter a family name"))
    errors += _dob_errors(details.date_of_birth, today)
    postcode = None
    if details.postcode:
        postcode = normalise_postcode(details.postcode)
        if postcode is None:
            errors.append(FieldError("postcode", "Enter a real postcode, like SW1A 1AA"))
    identifiers: list[tuple[IdentifierType, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(details.identifiers):
        kind_name = item.type.strip().upper()
        if kind_name not in {t.value for t in PERSON_IDENTIFIER_TYPES}:
            errors.append(
                FieldError(f"identifiers.{index}.type", f"Choose an identifier type: {IDENTIFIER_TYPE_CHOICES}")
            )
            continue
        if not item.value.strip():
            errors.append(FieldError(f"identifiers.{index}.value", "Enter the identifier's value"))
            continue
        parsed = parse(kind_name, item.value, today)
        if not parsed.valid:
            errors.append(
                FieldError(f"identifiers.{index}.value", (parsed.reason or "This identifier is not valid").rstrip("."))
            )
            continue
        if (parsed.type.value, parsed.canonical) in seen:
            continue  # the same identifier typed twice is recorded once
        seen.add((parsed.type.value, parsed.canonical))
        identifiers.append((parsed.type, parsed.canonical, item.value))
    if errors:
        raise ValidationFailed(errors)
    return CheckedDetails(
        details.given_name.strip(),
        (details.middle_names or "").strip() or None,
        details.family_name.strip(),
        details.date_of_birth,
        postcode,
        identifiers,
    )


async def _find_matches(db: AsyncSession, checked: CheckedDetails, today: date, minimum: float) -> list[Match]:
    return (await _find_matches_loaded(db, checked, today, minimum))[0]


async def _find_matches_loaded(
    db: AsyncSession, checked: CheckedDetails, today: date, minimum: float
) -> tuple[list[Match], dict[int, Candidate]]:
    """The matches, and the candidates as loaded for scoring (identifiers only of the holders)."""
    query = checked.query()
    # Holders of a typed identifier are scored with their identifiers (they score 1 on them).
    holders = await _identifier_candidates(db, list(query.identifiers), postcodes=bool(query.postcode))
    candidates = await _name_candidates(db, query, None, today, postcodes=bool(query.postcode))
    candidates.update(holders)
    return matching.rank(query, candidates.values(), minimum=minimum), candidates


@dataclass(frozen=True)
class CandidateMatch(Match):
    """A likely existing record as shown to the user who asked: ``person`` is who it is. For a
    limited-access person the user may not see, ``restricted`` is set, ``person`` holds only the
    id and one identifier and ``reasons`` is empty; ``score`` is kept for the strong-match rule
    (a hidden duplicate still blocks creation) but is never shown (``candidates_body``)."""

    person: PersonSummary | None = None
    restricted: limited_access.Redaction | None = None


async def _as_shown_to(
    db: AsyncSession,
    actor: Actor,
    found: Sequence[Match],
    searched: Sequence[tuple[str, str]],
    loaded: dict[int, Candidate] | None = None,
) -> list[CandidateMatch]:
    """The matches with who they are, redacted as search redacts (``_redact``; blocked ones audited).
    LOADED: the candidates as scored, when at hand (only their identifiers are then read)."""
    if not found:
        return []
    if loaded is not None and all(m.person_id in loaded for m in found):
        people = {m.person_id: loaded[m.person_id] for m in found}
        await _add_identifiers(db, people, list(people))
    else:
        people = await _load_candidates(db, [m.person_id for m in found], postcodes=False)
    kept = [m for m in found if m.person_id in people]
    hits = await _redact(
        db, actor, [SearchHit(_summary(people[m.person_id]), m.score, list(m.reasons)) for m in kept], searched
    )
    return [
        CandidateMatch(m.person_id, m.score, [] if hit.restricted else list(m.reasons), hit.person, hit.restricted)
        for m, hit in zip(kept, hits, strict=True)
    ]


async def match(
    db: AsyncSession, actor: Actor, details: PersonDetails, today: date | None = None
) -> tuple[CheckedDetails, list[CandidateMatch]]:
    """Likely existing records of the person described, best first (audited as a search); people
    under limited access the actor may not see keep their place, redacted."""
    check(actor, "people:read")
    today = today or date.today()
    checked = check_details(details, today)
    found, loaded = await _find_matches_loaded(db, checked, today, matching.LIKELY_MATCH)
    shown = await _as_shown_to(db, actor, found, checked.query().identifiers, loaded)
    await record(
        db,
        actor,
        "person.match",
        detail={"terms": _details_for_audit(checked), "candidates": [m.person_id for m in found[:20]]},
    )
    await db.commit()
    return checked, shown


def _details_for_audit(checked: CheckedDetails) -> dict[str, Any]:
    return {
        "given_name": checked.given_name,
        "family_name": checked.family_name,
        "date_of_birth": checked.date_of_birth.isoformat() if checked.date_of_birth else None,
        "postcode": checked.postcode,
        "identifiers": [{"type": kind.value, "value": canonical} for kind, canonical, _ in checked.identifiers],
    }


def candidates_body(matches: Sequence[Match]) -> list[dict[str, Any]]:
    """Candidates as the API shows them; a restricted one (``CandidateMatch``) as search redacts it."""
    return [
        {
            "person_id": m.person_id,
            "score": 0.0,
            "reasons": [],
            "restricted": True,
            "identifiers": [{"type": kind, "value": value} for kind, value in m.person.identifiers],
            "responsible_officer": {"name": m.restricted.responsible_officer},
            "message": m.restricted.message,
        }
        if isinstance(m, CandidateMatch) and m.restricted and m.person
        else {"person_id": m.person_id, "score": m.score, "reasons": m.reasons}
        for m in matches
    ]


# --- creation -----------------------------------------------------------------------------------


async def create(
    db: AsyncSession, actor: Actor, details: PersonCreate, source: str = "user", today: date | None = None
) -> int:
    """Create a person unless a strong match exists; a caller who knows better confirms with a
    reason (audited). An identifier already held by someone else is never overridden."""
    check(actor, "people:write")
    today = today or date.today()
    checked = check_details(details, today)
    errors = []
    if details.sex is not None and details.sex not in {s.value for s in Sex}:
        errors.append(FieldError("sex", "Choose MALE, FEMALE, NOT_KNOWN or NOT_SPECIFIED"))
    reason = (details.reason or "").strip()
    if details.confirm_new and not reason:
        errors.append(FieldError("reason", "Say why this is a different person from the likely matches"))
    if errors:
        raise ValidationFailed(errors)

    found, loaded = await _find_matches_loaded(db, checked, today, matching.LIKELY_MATCH)
    searched = checked.query().identifiers
    holders = await _identifier_person_ids(db, list(searched))
    if holders:
        taken = await _as_shown_to(db, actor, [m for m in found if m.person_id in holders], searched, loaded)
        await db.commit()  # nothing written but the audit of redacted candidates, kept with the refusal
        raise Conflict(
            "An identifier you entered already belongs to another person: open their record instead.",
            extra={"candidates": candidates_body(taken)},
        )
    strong = [m for m in found if m.score >= matching.STRONG_MATCH]
    if strong and not details.confirm_new:
        shown = await _as_shown_to(db, actor, strong, searched, loaded)
        await db.commit()
        raise Conflict(
            "This person may already be recorded. Open the matching record, or confirm that this is a "
            "different person and say why (confirm_new with a reason).",
            extra={"candidates": candidates_body(shown)},
        )

    person = Person(
        given_name=checked.given_name,
        middle_names=checked.middle_names,
        family_name=checked.family_name,
        date_of_birth=checked.date_of_birth,
        sex=details.sex or Sex.NOT_KNOWN.value,
    )
    db.add(person)
    await db.flush()
    db.add(
        PersonName(
            person_id=person.id,
            name_type=NameType.PRIMARY.value,
            given_name=checked.given_name,
            middle_names=checked.middle_names,
            family_name=checked.family_name,
            given_name_norm=fold_name(checked.given_name),
            family_name_norm=fold_name(checked.family_name),
        )
    )
    for kind, canonical, raw in checked.identifiers:
        db.add(
            PersonIdentifier(
                person_id=person.id, type=kind.value, value=canonical, raw_value=raw, valid=True, source=source
            )
        )
    try:
        await db.flush()
    except IntegrityError:
        # Another request recorded one of these identifiers in the meantime.
        await db.rollback()
        raise Conflict(
            "An identifier you entered was recorded for another person a moment ago; search for it."
        ) from None
    await record(
        db,
        actor,
        "person.create",
        "person",
        person.id,
        detail={
            "confirmed_new": bool(strong) and details.confirm_new,
            "reason": reason or None,
            "likely_matches": candidates_body(found[:10]),
        },
    )
    person_ids: dict[str, object] = {"person": person.id}
    person_ids.update({kind.value.lower(): canonical for kind, canonical, _ in checked.identifiers})
    await emit(
        db,
        "people.person.created",
        f"person/{person.id}",
        person_ids=person_ids,
        data=actor_event_area(actor),
        detail_url=f"/api/v1/people/{person.id}",
    )
    await db.commit()
    return person.id


# --- reading one person -------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRecord:
    person: Person
    names: list[PersonName]
    identifiers: list[PersonIdentifier]
    addresses: list[PersonAddress]
    contacts: list[PersonContact]
    flags: list[dict[str, object]] = field(default_factory=list)  # live registrations, FlagView.as_json()

    @property
    def primary_name(self) -> str:
        parts = [self.person.given_name, self.person.middle_names or "", self.person.family_name]
        return " ".join(p for p in parts if p)

    @property
    def other_names(self) -> list[PersonName]:
        return [n for n in self.names if n.name_type != NameType.PRIMARY]


async def get_person(db: AsyncSession, actor: Actor, person_id: int) -> PersonRecord:
    """One person's record; every read is audited."""
    check(actor, "people:read")
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    await limited_access.ensure_may_see(db, actor, person_id)

    async def rows(model: Any, order: Any) -> list[Any]:
        return list((await db.execute(select(model).where(model.person_id == person_id).order_by(*order))).scalars())

    names = await rows(PersonName, [PersonName.id])
    identifiers = await rows(PersonIdentifier, [PersonIdentifier.type, PersonIdentifier.id])
    addresses = await rows(
        PersonAddress, [PersonAddress.is_current.desc(), PersonAddress.from_date.desc().nulls_last()]
    )
    contacts = await rows(PersonContact, [PersonContact.is_preferred.desc(), PersonContact.id])
    flags = [flag.as_json() for flag in await registrations.active_flags(db, person_id)]
    await record(db, actor, "person.read", "person", person_id)
    await db.commit()
    return PersonRecord(person, names, identifiers, addresses, contacts, flags)
