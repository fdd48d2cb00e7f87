"""Batch de-duplication of the whole person index: probabilistic record linkage with Splink on DuckDB.

Steps (``caselink people dedupe``):
1. ``export_index`` copies the live (unmerged) people out of PostgreSQL with COPY into CSV files
   in the data folder: one file per table, valid identifiers only (invalid legacy values are
   never matched);
2. ``build_records`` loads them into DuckDB and shapes one row per person: primary names, their
   phonetic keys and formal given name (Bill -> William), every recorded name, date of birth and
   the date with day and month swapped, current postcode and every postcode, one column per
   identifier type;
3. ``score_pairs`` runs Splink: blocking on identifiers, date of birth with postcode and name
   variants; comparisons on names, date of birth, postcode and identifiers; the model's
   parameters are fixed from what we know of the synthetic truth, or trained (u by random
   sampling, m by expectation maximisation) with ``train=True`` (docs/decisions/0030);
4. ``classify`` puts each scored pair in a band: auto-link above ``AUTO_LINK_PROBABILITY`` (and
   only when the deterministic guards hold: a shared identifier, or matching given names and an
   agreeing date of birth with no conflicting identifier), review above ``REVIEW_PROBABILITY``;
   ``clusters`` joins the auto-linked pairs into groups (connected components);
5. ``dedupe`` (in PostgreSQL) stores the run and the pairs, merges each cluster of auto-linked
   pairs into its earliest record (caselink.people.merge; a refused merge stays ``to_merge`` with
   the reason noted) and gives each new review pair a work-queue task for a data quality officer.

Steps 2 to 4 take any DuckDB tables of the same shape, which is how ``caselink people match-eval``
measures the same model on a labelled synthetic set.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import jellyfish

from caselink.people.matching import formal_names
from caselink.people.rules import PERSON_IDENTIFIER_TYPES

# Match probabilities (Splink's posterior) bounding the bands.
AUTO_LINK_PROBABILITY = 0.995
REVIEW_PROBABILITY = 0.05
# The prior: about one duplicate record per this many people, so the prior probability that two
# random records match is DUPLICATE_SHARE * 2 / (N - 1), however big the index.
DUPLICATE_SHARE = 0.01
IDENTIFIER_COLUMNS = [kind.value.lower() for kind in PERSON_IDENTIFIER_TYPES]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


# --- 1. export from PostgreSQL ------------------------------------------------------------------

EXPORT_QUERIES: dict[str, str] = {
    "persons": "SELECT id, date_of_birth FROM persons WHERE merged_into_id IS NULL",
    "names": (
        "SELECT n.person_id, n.name_type, n.given_name_norm, n.family_name_norm FROM person_names n "
        "JOIN persons p ON p.id = n.person_id WHERE p.merged_into_id IS NULL"
    ),
    "identifiers": (
        "SELECT i.person_id, i.type, i.value FROM person_identifiers i JOIN persons p ON p.id = i.person_id "
        "WHERE i.valid AND p.merged_into_id IS NULL"
    ),
    "addresses": (
        "SELECT a.person_id, a.postcode, a.is_current FROM person_addresses a JOIN persons p ON p.id = a.person_id "
        "WHERE a.postcode IS NOT NULL AND p.merged_into_id IS NULL"
    ),
}


async def export_index(connection: Any, folder: Path) -> dict[str, Path]:
    """COPY the index out through an asyncpg CONNECTION (inside its transaction, so a test's
    uncommitted people are seen) into one CSV per table in FOLDER."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for name, query in EXPORT_QUERIES.items():
        path = folder / f"{name}.csv"
        await connection.copy_from_query(query, output=str(path), format="csv", header=True)
        files[name] = path
    return files


# --- 2. one row per person in DuckDB ------------------------------------------------------------

RAW_SCHEMAS: dict[str, str] = {
    "persons": "id BIGINT, date_of_birth DATE",
    "names": "person_id BIGINT, name_type VARCHAR, given_name_norm VARCHAR, family_name_norm VARCHAR",
    "identifiers": "person_id BIGINT, type VARCHAR, value VARCHAR",
    "addresses": "person_id BIGINT, postcode VARCHAR, is_current BOOLEAN",
}


def connect(
    threads: int = 2, memory_limit: str = "3GB", temp_directory: Path | None = None
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    if temp_directory is not None:
        con.execute(f"SET temp_directory = '{temp_directory}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def load_csv_files(con: duckdb.DuckDBPyConnection, files: dict[str, Path]) -> None:
    """The exported CSV files as the raw_* tables."""
    for name, schema in RAW_SCHEMAS.items():
        columns = ", ".join(f"'{col.split()[0]}': '{col.split()[1]}'" for col in schema.split(", "))
        con.execute(
            f"CREATE OR REPLACE TABLE raw_{name} AS SELECT * FROM read_csv(?, header = true, columns = {{{columns}}})",
            [str(files[name])],
        )


def load_rows(con: duckdb.DuckDBPyConnection, tables: Mapping[str, Sequence[tuple[Any, ...]]]) -> None:
    """Rows from Python (the labelled synthetic set) as the raw_* tables."""
    for name, schema in RAW_SCHEMAS.items():
        con.execute(f"CREATE OR REPLACE TABLE raw_{name} ({schema})")
        rows = list(tables.get(name, ()))
        if rows:
            marks = ", ".join("?" for _ in schema.split(", "))
            con.executemany(f"INSERT INTO raw_{name} VALUES ({marks})", rows)


def phonetic_key(name: str) -> str:
    """A sound-alike key of a folded name (Metaphone, spaces ignored): Thompson and Tomson agree."""
    plain = name.replace(" ", "")
    return jellyfish.metaphone(plain) if plain else ""


def _name_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Phonetic key and formal form of every distinct name, computed once per name in Python."""
    names = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT n FROM (SELECT given_name_norm AS n FROM raw_names "
            "UNION SELECT family_name_norm FROM raw_names) WHERE n IS NOT NULL"
        ).fetchall()
    ]
    forms = formal_names()
    rows = [(n, phonetic_key(n), min(forms[n]) if n in forms else n) for n in names]
    con.execute("CREATE OR REPLACE TABLE name_keys (name VARCHAR, phonetic VARCHAR, formal VARCHAR)")
    if rows:
        con.executemany("INSERT INTO name_keys VALUES (?, ?, ?)", rows)


def build_records(con: duckdb.DuckDBPyConnection) -> int:
    """The people_records table, one row per person; returns its row count."""
    _name_keys(con)
    id_columns = ",\n".join(
        f"max(value) FILTER (WHERE type = '{kind.value}') AS {kind.value.lower()}" for kind in PERSON_IDENTIFIER_TYPES
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE people_records AS
        WITH prim AS (
            SELECT person_id, first(given_name_norm) AS given_name, first(family_name_norm) AS family_name
            FROM raw_names WHERE name_type = 'PRIMARY' GROUP BY person_id
        ), every_name AS (
            SELECT person_id, list(DISTINCT given_name_norm || ' ' || family_name_norm) AS all_names
            FROM raw_names GROUP BY person_id
        ), places AS (
            SELECT person_id, arg_max(postcode, is_current) AS postcode, list(DISTINCT postcode) AS postcodes
            FROM raw_addresses GROUP BY person_id
        ), ids AS (
            SELECT person_id, {id_columns},
                   list(DISTINCT type || ':' || value) AS ids, list(DISTINCT type) AS id_types
            FROM raw_identifiers GROUP BY person_id
        )
        SELECT p.id AS unique_id,
               prim.given_name, prim.family_name,
               nullif(gk.phonetic, '') AS given_phonetic, nullif(fk.phonetic, '') AS family_phonetic,
               coalesce(gk.formal, prim.given_name) AS given_formal,
               p.date_of_birth,
               CASE WHEN day(p.date_of_birth) <= 12 AND day(p.date_of_birth) <> month(p.date_of_birth)
                    THEN make_date(year(p.date_of_birth), day(p.date_of_birth), month(p.date_of_birth)) END
                   AS dob_swapped,
               year(p.date_of_birth) AS birth_year,
               prim.given_name || '|' || coalesce(fk.phonetic, '') AS name_key,
               CASE WHEN p.date_of_birth IS NULL THEN prim.given_name || '|' || coalesce(fk.phonetic, '') END
                   AS name_key_no_dob,
               every_name.all_names,
               places.postcode, split_part(places.postcode, ' ', 1) AS district, places.postcodes,
               {", ".join(f"ids.{c}" for c in IDENTIFIER_COLUMNS)}, ids.ids, ids.id_types
        FROM raw_persons p
        LEFT JOIN prim ON prim.person_id = p.id
        LEFT JOIN name_keys gk ON gk.name = prim.given_name
        LEFT JOIN name_keys fk ON fk.name = prim.family_name
        LEFT JOIN every_name ON every_name.person_id = p.id
        LEFT JOIN places ON places.person_id = p.id
        LEFT JOIN ids ON ids.person_id = p.id
        WHERE prim.family_name IS NOT NULL
        """
    )
    return int(con.execute("SELECT count(*) FROM people_records").fetchall()[0][0])


# --- 3. the Splink model ------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One comparison level: its SQL, the reason shown to reviewers, and its fixed m and u."""

    sql: str
    reason: str
    m: float
    u: float
    # The deterministic guards look at these: auto-linking needs given names and dates that agree.
    given_agrees: bool = False
    dob_agrees: bool = False


@dataclass(frozen=True)
class Comparison:
    name: str
    null_sql: str
    levels: tuple[Level, ...]  # best first; the last is the ELSE level

    def gamma_reason(self, gamma: int) -> Level | None:
        """The level of a gamma value (Splink numbers the non-null levels n-1 .. 0, best first)."""
        if gamma < 0:
            return None
        return self.levels[len(self.levels) - 1 - gamma]


NAMES = Comparison(
    "names",
    "given_name_l IS NULL OR given_name_r IS NULL OR given_name_l = '' OR given_name_r = ''",
    (
        Level(
            "given_name_l = given_name_r AND family_name_l = family_name_r",
            "same given and family names",
            0.55,
            0.00005,
            given_agrees=True,
        ),
        Level(
            "given_name_l = family_name_r AND family_name_l = given_name_r",
            "given and family names swapped",
            0.02,
            0.000001,
            given_agrees=True,
        ),
        Level(
            "given_formal_l = given_formal_r AND family_name_l = family_name_r",
            "given names are forms of one name (nickname); same family name",
            0.08,
            0.00008,
            given_agrees=True,
        ),
        Level(
            "list_has_any(all_names_l, all_names_r)",
            "a recorded name (alias) in common",
            0.04,
            0.0001,
            given_agrees=True,
        ),
        Level(
            "jaro_winkler_similarity(given_name_l, given_name_r) >= 0.92 "
            "AND jaro_winkler_similarity(family_name_l, family_name_r) >= 0.92",
            "given and family names spelt alike (Jaro-Winkler at least 0.92)",
            0.12,
            0.0008,
            given_agrees=True,
        ),
        Level(
            "(given_phonetic_l = given_phonetic_r OR given_formal_l = given_formal_r "
            "OR jaro_winkler_similarity(given_name_l, given_name_r) >= 0.88) "
            "AND (family_phonetic_l = family_phonetic_r "
            "OR damerau_levenshtein(family_name_l, family_name_r) <= 1)",
            "names sound alike or differ by one typing slip",
            0.1,
            0.002,
            given_agrees=True,
        ),
        Level(
            "(given_formal_l = given_formal_r OR given_phonetic_l = given_phonetic_r) "
            "AND list_has_any(string_split(family_name_l, ' '), string_split(family_name_r, ' '))",
            "same given name; family names share a part (double-barrelled)",
            0.05,
            0.0002,
            given_agrees=True,
        ),
        Level(
            "family_name_l = family_name_r OR family_phonetic_l = family_phonetic_r",
            "same family name, different given names",
            0.01,
            0.02,
        ),
        Level(
            "given_formal_l = given_formal_r OR given_phonetic_l = given_phonetic_r",
            "same given name, different family names",
            0.02,
            0.03,
            given_agrees=True,
        ),
        Level("ELSE", "names differ", 0.06, 0.949),
    ),
)

DOB = Comparison(
    "dob",
    "date_of_birth_l IS NULL OR date_of_birth_r IS NULL",
    (
        Level("date_of_birth_l = date_of_birth_r", "same date of birth", 0.9, 0.00004, dob_agrees=True),
        Level(
            "dob_swapped_l = date_of_birth_r",
            "date of birth with day and month swapped",
            0.03,
            0.00002,
            dob_agrees=True,
        ),
        Level(
            "damerau_levenshtein(CAST(date_of_birth_l AS VARCHAR), CAST(date_of_birth_r AS VARCHAR)) <= 1",
            "dates of birth differ by one digit",
            0.04,
            0.002,
            dob_agrees=True,
        ),
        Level(
            "abs(date_diff('day', date_of_birth_l, date_of_birth_r)) <= 366",
            "dates of birth within a year",
            0.01,
            0.03,
        ),
        Level("ELSE", "dates of birth differ", 0.02, 0.96794),
    ),
)

POSTCODE = Comparison(
    "postcode",
    "postcodes_l IS NULL OR postcodes_r IS NULL",
    (
        Level("postcode_l = postcode_r", "same current postcode", 0.55, 0.0005),
        Level("list_has_any(postcodes_l, postcodes_r)", "a postcode in common (address history)", 0.15, 0.0005),
        Level("district_l = district_r", "postcodes in the same district", 0.1, 0.02),
        Level("ELSE", "different postcodes", 0.2, 0.979),
    ),
)

IDENTIFIERS = Comparison(
    "identifiers",
    "ids_l IS NULL OR ids_r IS NULL OR len(list_intersect(id_types_l, id_types_r)) = 0",
    (
        Level("list_has_any(ids_l, ids_r)", "a shared identifier", 0.99, 0.000001),
        Level("ELSE", "conflicting identifiers of the same type", 0.01, 0.999999),
    ),
)

COMPARISONS = (NAMES, DOB, POSTCODE, IDENTIFIERS)


def _on_pair(sql: str) -> str:
    """A level's SQL (given_name_l) over a join of two records (l.given_name)."""
    return re.sub(r"\b([a-z_]+)_([lr])\b", r"\2.\1", sql)


def _gamma_sql(comparison: Comparison) -> str:
    """CASE giving Splink's gamma: -1 for missing, then n-1 (best) down to 0 (ELSE)."""
    whens = [f"WHEN {_on_pair(comparison.null_sql)} THEN -1"]
    count = len(comparison.levels)
    for index, level in enumerate(comparison.levels[:-1]):
        whens.append(f"WHEN {_on_pair(level.sql)} THEN {count - 1 - index}")
    return f"CASE {' '.join(whens)} ELSE 0 END"


def blocking_rules() -> list[str]:
    """Which pairs are compared at all: any one rule suffices."""
    rules = [f"l.{column} = r.{column}" for column in IDENTIFIER_COLUMNS]
    rules += [
        "l.date_of_birth = r.date_of_birth AND l.postcode = r.postcode",
        "l.family_phonetic = r.family_phonetic AND l.given_phonetic = r.given_phonetic AND l.birth_year = r.birth_year",
        "l.family_phonetic = r.family_phonetic AND l.given_phonetic = r.given_phonetic AND l.district = r.district",
        "l.family_phonetic = r.family_phonetic AND l.date_of_birth = r.date_of_birth",
        "l.given_formal = r.given_formal AND l.date_of_birth = r.date_of_birth",
        "l.family_phonetic = r.family_phonetic AND l.dob_swapped = r.date_of_birth",
        "l.given_phonetic = r.family_phonetic AND l.family_phonetic = r.given_phonetic",
        # One record without a date of birth, at a new address: the same given name and a family
        # name that sounds alike. Both directions, because only one side need lack the date; as one
        # rule on the name alone it made 47 million pairs of a million people.
        "l.name_key_no_dob = r.name_key",
        "l.name_key = r.name_key_no_dob",
        # A changed or double-barrelled family name at the same address.
        "l.given_formal = r.given_formal AND l.postcode = r.postcode",
    ]
    return rules


def prior_match_probability(people: int) -> float:
    return min(0.5, DUPLICATE_SHARE * 2 / max(people - 1, 1))


def settings(people: int) -> dict[str, Any]:
    """The Splink settings with parameters fixed from the synthetic truth."""
    comparisons = []
    for comparison in COMPARISONS:
        levels: list[dict[str, Any]] = [
            {"sql_condition": comparison.null_sql, "label_for_charts": "missing", "is_null_level": True}
        ]
        for level in comparison.levels:
            levels.append(
                {
                    "sql_condition": level.sql,
                    "label_for_charts": level.reason,
                    "m_probability": level.m,
                    "u_probability": level.u,
                }
            )
        comparisons.append({"output_column_name": comparison.name, "comparison_levels": levels})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior_match_probability(people),
        "blocking_rules_to_generate_predictions": blocking_rules(),
        "comparisons": comparisons,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
    }


@dataclass(frozen=True)
class ScoredPair:
    person_a_id: int
    person_b_id: int
    match_probability: float
    gammas: tuple[int, ...]  # one per comparison, in COMPARISONS order

    @property
    def levels(self) -> list[Level | None]:
        return [c.gamma_reason(g) for c, g in zip(COMPARISONS, self.gammas, strict=True)]

    @property
    def reasons(self) -> list[str]:
        return [level.reason for level in self.levels if level is not None]

    @property
    def shares_identifier(self) -> bool:
        return self.levels[3] is IDENTIFIERS.levels[0]

    @property
    def identifiers_conflict(self) -> bool:
        return self.levels[3] is IDENTIFIERS.levels[-1]

    @property
    def may_auto_link(self) -> bool:
        """The deterministic guards: a person, not the model alone, decides anything else."""
        if self.shares_identifier:
            return True
        names, dob = self.levels[0], self.levels[1]
        return (
            not self.identifiers_conflict
            and names is not None
            and names.given_agrees
            and dob is not None
            and dob.dob_agrees
        )


@dataclass
class LinkageResult:
    people: int
    pairs_scored: int
    candidates: list[ScoredPair]  # at or above REVIEW_PROBABILITY
    trained: bool
    timings: dict[str, float] = field(default_factory=dict)
    model_note: str = ""


def score_pairs(
    con: duckdb.DuckDBPyConnection,
    people: int,
    train: bool = False,
    progress: Progress = _quiet,
    minimum: float = REVIEW_PROBABILITY,
) -> LinkageResult:
    """Score every blocked pair of people_records with Splink; keep those at least MINIMUM."""
    from splink import DuckDBAPI, Linker

    timings: dict[str, float] = {}
    db_api = DuckDBAPI(connection=con)
    records = db_api.register("people_records")
    linker = Linker(records, settings(people), log_level=logging.WARNING)
    trained, note = False, "parameters fixed from the synthetic truth"
    if train:
        started = time.perf_counter()
        progress("Training: u by random sampling, m by expectation maximisation")
        try:
            linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
            linker.training.estimate_parameters_using_expectation_maximisation(
                "l.date_of_birth = r.date_of_birth AND l.postcode = r.postcode"
            )
            linker.training.estimate_parameters_using_expectation_maximisation(
                "l.family_phonetic = r.family_phonetic AND l.given_phonetic = r.given_phonetic"
            )
            trained, note = True, "u by random sampling, m by expectation maximisation"
        except Exception as exc:
            linker = Linker(db_api.register("people_records"), settings(people), log_level=logging.WARNING)
            note = f"training failed ({exc}); parameters fixed from the synthetic truth"
            progress(note)
        timings["train"] = time.perf_counter() - started

    started = time.perf_counter()
    progress("Scoring blocked pairs")
    predictions = linker.inference.predict()
    table = predictions.physical_name
    pairs_scored = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    # The level of each comparison, evaluated again on the kept pairs (Splink 5 keeps only weights).
    gamma_columns = ", ".join(_gamma_sql(c) for c in COMPARISONS)
    rows = con.execute(
        f"SELECT least(p.unique_id_l, p.unique_id_r), greatest(p.unique_id_l, p.unique_id_r), p.match_probability, "
        f"{gamma_columns} FROM {table} p JOIN people_records l ON l.unique_id = p.unique_id_l "
        f"JOIN people_records r ON r.unique_id = p.unique_id_r WHERE p.match_probability >= ? ORDER BY 1, 2",
        [minimum],
    ).fetchall()
    timings["score"] = time.perf_counter() - started
    candidates = [
        ScoredPair(int(r[0]), int(r[1]), float(r[2]), tuple(int(g) for g in r[3:])) for r in rows if r[0] != r[1]
    ]
    return LinkageResult(people, pairs_scored, candidates, trained, timings, note)


# --- 4. bands and clusters ----------------------------------------------------------------------


def band_of(
    pair: ScoredPair, auto_link: float = AUTO_LINK_PROBABILITY, review: float = REVIEW_PROBABILITY
) -> str | None:
    """auto_link, review or None (below the review band)."""
    from caselink.people.linkage_models import PairBand

    if pair.match_probability >= auto_link and pair.may_auto_link:
        return PairBand.AUTO_LINK.value
    if pair.match_probability >= review:
        return PairBand.REVIEW.value
    return None


def clusters(edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Connected components of EDGES: each person -> the lowest person id of their group."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    return {x: find(x) for x in list(parent)}


# --- the whole batch, without PostgreSQL ----------------------------------------------------------


def link(
    con: duckdb.DuckDBPyConnection, train: bool = False, progress: Progress = _quiet
) -> tuple[LinkageResult, dict[str, list[ScoredPair]], dict[int, int]]:
    """Build records from the raw_* tables, score, band and cluster."""
    started = time.perf_counter()
    progress("Building one record per person in DuckDB")
    people = build_records(con)
    build_seconds = time.perf_counter() - started
    result = score_pairs(con, people, train=train, progress=progress)
    result.timings["build"] = build_seconds
    bands: dict[str, list[ScoredPair]] = {"auto_link": [], "review": []}
    for pair in result.candidates:
        band = band_of(pair)
        if band:
            bands[band].append(pair)
    groups = clusters((p.person_a_id, p.person_b_id) for p in bands["auto_link"])
    return result, bands, groups


def write_pairs_csv(path: Path, pairs: Sequence[ScoredPair], band: str) -> None:
    """The pairs of a band as CSV, for people who want to look at them outside Caselink."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_a_id", "person_b_id", "match_probability", "band", "reasons"])
        for pair in pairs:
            writer.writerow(
                [pair.person_a_id, pair.person_b_id, f"{pair.match_probability:.6f}", band, "; ".join(pair.reasons)]
            )


# --- 5. the whole run against PostgreSQL ----------------------------------------------------------


@dataclass
class DedupeSummary:
    run_id: int
    people: int
    pairs_scored: int
    auto_links: int
    review_pairs: int
    tasks_created: int
    reviewers: int
    clusters: int
    largest_cluster: int
    merged: int
    merge_refused: int
    trained: bool
    model_note: str
    timings: dict[str, float]


async def dedupe(
    db: Any, actor: Any, folder: Path, train: bool = False, progress: Progress = _quiet, threads: int = 2
) -> DedupeSummary:
    """Batch de-duplication of every unmerged person, recorded in one transaction (committed)."""
    from caselink.people import review
    from caselink.platform.access.policy import check

    check(actor, "people:merge")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress("Exporting the person index from PostgreSQL (COPY)")
    connection = await (await db.connection()).get_raw_connection()
    files = await export_index(connection.driver_connection, folder)
    timings["export"] = time.perf_counter() - started

    def in_duckdb() -> tuple[LinkageResult, dict[str, list[ScoredPair]], dict[int, int]]:
        con = connect(threads=threads, temp_directory=folder / "duckdb-spill")
        try:
            load_started = time.perf_counter()
            load_csv_files(con, files)
            timings["load"] = time.perf_counter() - load_started
            return link(con, train=train, progress=progress)
        finally:
            con.close()

    result, bands, groups = await asyncio.to_thread(in_duckdb)
    timings.update(result.timings)
    started = time.perf_counter()
    progress(f"Recording {len(bands['auto_link']):,} auto-links and {len(bands['review']):,} pairs for review")
    model = {
        "auto_link_probability": AUTO_LINK_PROBABILITY,
        "review_probability": REVIEW_PROBABILITY,
        "prior": prior_match_probability(result.people),
        "trained": result.trained,
        "note": result.model_note,
        "blocking_rules": blocking_rules(),
    }
    run_id = await review.start_run(db, actor, model)
    pairs = [
        review.PairIn(p.person_a_id, p.person_b_id, p.match_probability, band, p.reasons, groups.get(p.person_a_id))
        for band in ("auto_link", "review")
        for p in bands[band]
    ]
    outcome = await review.record_pairs(db, actor, pairs, source="dedupe", run_id=run_id)
    merged, merge_refused = await review.merge_auto_links(db, actor, run_id)
    timings["record"] = time.perf_counter() - started
    sizes: dict[int, int] = {}
    for root in groups.values():
        sizes[root] = sizes.get(root, 0) + 1
    await review.finish_run(
        db,
        actor,
        run_id,
        people=result.people,
        pairs_scored=result.pairs_scored,
        clusters=len(sizes),
        outcome=outcome,
        model={**model, "timings": timings},
    )
    await db.commit()
    return DedupeSummary(
        run_id,
        result.people,
        result.pairs_scored,
        outcome.auto_links,
        outcome.review_pairs,
        outcome.tasks_created,
        outcome.reviewers,
        len(sizes),
        max(sizes.values(), default=0),
        merged,
        merge_refused,
        result.trained,
        result.model_note,
        timings,
    )
