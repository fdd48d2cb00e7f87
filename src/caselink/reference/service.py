"""Use cases of the reference context: loading standing data, reporting what is loaded, finding offences.

The load reads the JSON files of the npm package @moj-bichard7-developers/bichard7-next-data and
Caselink's own unit list, and writes them by COPY in one transaction: readers keep seeing the
previous data until it commits, and a failure leaves nothing half-written. A load is skipped when
the same versions are already recorded in reference_data_loads (unless forced).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import ColumnElement, and_, case, func, make_url, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.db.engine import async_url
from caselink.organisations import service as organisations
from caselink.organisations.rules import standing_data_units
from caselink.platform.errors import ConfigurationError, FieldError, NotFound, ValidationFailed
from caselink.reference.models import Offence, ReferenceCode
from caselink.reference.rules import (
    CODE_LISTS,
    OFFENCES_FILE,
    ORGANISATION_UNITS_FILE,
    PACKAGE_NAME,
    OffenceQuery,
    code_records,
    like_escape,
    offence_records,
    parse_offence_query,
    query_problem,
    title_words,
)

CASELINK_UNITS_PACKAGE = "caselink/organisations/units.json"
# Any fixed number: two loads at once (two `caselink run`s) queue on it instead of both writing.
_LOAD_LOCK = 0x5245464C  # "REFL"


def package_dir(assets_dir: Path) -> Path:
    return assets_dir / "@moj-bichard7-developers" / "bichard7-next-data"


def package_version(directory: Path) -> str:
    manifest = directory / "package.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        raise ConfigurationError(
            f"The standing-data package {PACKAGE_NAME} is not installed in {directory}. "
            "Run `npm ci` in the project folder (make run does this), or set CASELINK_ASSETS_DIR to the "
            "node_modules folder that holds it."
        ) from None


def _read_data_file(directory: Path, name: str) -> list[dict[str, Any]]:
    path = directory / "dist" / "data" / name
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"Could not read {path} ({exc}); reinstall the standing data with `npm ci`.") from None
    if not isinstance(rows, list):
        raise ConfigurationError(f"{path} does not hold a list; reinstall the standing data with `npm ci`.")
    return rows


def asyncpg_dsn(database_url: str) -> str:
    """The plain postgresql:// DSN asyncpg takes, from any URL form Caselink accepts."""
    return make_url(async_url(database_url)).set(drivername="postgresql").render_as_string(hide_password=False)


# -- loading ---------------------------------------------------------------------------------------


@dataclass
class LoadOutcome:
    package_version: str
    standing_data_loaded: bool
    caselink_units_loaded: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def anything_loaded(self) -> bool:
        return self.standing_data_loaded or self.caselink_units_loaded

    def summary(self) -> str:
        if not self.anything_loaded:
            return (
                f"Standing data {PACKAGE_NAME} {self.package_version} and Caselink's unit list are already "
                "loaded; nothing to do (use --force to load them again)."
            )
        parts = []
        if self.standing_data_loaded:
            parts.append(
                f"{PACKAGE_NAME} {self.package_version}: {self.counts.get('offences', 0):,} offences, "
                f"{self.counts.get('organisation_units', 0):,} organisation units, "
                f"{sum(self.counts.get(name, 0) for name in CODE_LISTS):,} codes in {len(CODE_LISTS)} lists"
            )
        if self.caselink_units_loaded:
            parts.append(
                f"Caselink's units: {self.counts.get('caselink_units', 0):,} units, "
                f"{self.counts.get('caselink_teams', 0):,} teams"
            )
        return "Loaded " + "; ".join(parts) + f" in {self.seconds:.1f} s."


async def loaded_versions(conn: asyncpg.Connection) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT DISTINCT ON (package) package, version FROM reference_data_loads ORDER BY package, id DESC"
    )
    return {row["package"]: row["version"] for row in rows}


async def _record_load(conn: asyncpg.Connection, package: str, version: str, counts: dict[str, int]) -> None:
    await conn.execute(
        "INSERT INTO reference_data_loads (package, version, counts) VALUES ($1, $2, $3::jsonb)",
        package,
        version,
        json.dumps(counts, sort_keys=True),
    )


async def _load_package(conn: asyncpg.Connection, directory: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    offences = offence_records(_read_data_file(directory, OFFENCES_FILE))
    await conn.execute("DELETE FROM reference_offences")
    await conn.copy_records_to_table(
        "reference_offences",
        records=[o.as_tuple() for o in offences],
        columns=[
            "code",
            "title",
            "category",
            "home_office_class",
            "recordable_on_pnc",
            "notifiable_to_home_office",
        ],
    )
    counts["offences"] = len(offences)
    await conn.execute("DELETE FROM reference_offence_words")
    await conn.copy_records_to_table(
        "reference_offence_words",
        records=list(title_words(o.title for o in offences).items()),
        columns=["word", "offences"],
    )
    await conn.execute("DELETE FROM reference_codes")
    for list_name, file_name in CODE_LISTS.items():
        records, _skipped = code_records(list_name, _read_data_file(directory, file_name))
        await conn.copy_records_to_table(
            "reference_codes",
            records=[r.as_tuple() for r in records],
            columns=["list_name", "code", "description", "attributes"],
        )
        counts[list_name] = len(records)
    units = standing_data_units(_read_data_file(directory, ORGANISATION_UNITS_FILE))
    counts["organisation_units"] = await organisations.sync_units(conn, units, organisations.SOURCE_STANDING_DATA)
    return counts


async def load_standing_data(
    conn: asyncpg.Connection,
    assets_dir: Path,
    *,
    force: bool = False,
    units_file: Path = organisations.CASELINK_UNITS_FILE,
) -> LoadOutcome:
    """Load the standing-data package and Caselink's unit list, each only if its version is new.

    One transaction: the caller sees either the whole new data or the old.
    """
    started = time.perf_counter()
    directory = package_dir(assets_dir)
    version = package_version(directory)
    units_version = organisations.caselink_units_version(units_file)
    outcome = LoadOutcome(package_version=version, standing_data_loaded=False, caselink_units_loaded=False)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOAD_LOCK)
        current = await loaded_versions(conn)
        # A different version replaces the loaded one whichever is newer: the installed package is the truth.
        if force or current.get(PACKAGE_NAME) != version:
            counts = await _load_package(conn, directory)
            await _record_load(conn, PACKAGE_NAME, version, counts)
            outcome.counts.update(counts)
            outcome.standing_data_loaded = True
        if force or current.get(CASELINK_UNITS_PACKAGE) != units_version:
            counts = await organisations.sync_caselink_units(conn, units_file)
            await _record_load(conn, CASELINK_UNITS_PACKAGE, units_version, counts)
            outcome.counts.update({"caselink_units": counts["units"], "caselink_teams": counts["teams"]})
            outcome.caselink_units_loaded = True
    outcome.seconds = time.perf_counter() - started
    return outcome


async def load_into(database_url: str, assets_dir: Path, *, force: bool = False) -> LoadOutcome:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return await load_standing_data(conn, assets_dir, force=force)
    finally:
        await conn.close()


def _run_sync(coro_factory: Any) -> Any:
    """Run a coroutine from sync code, even when the caller is itself inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro_factory()))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def ensure_loaded(database_url: str, assets_dir: Path | None = None) -> str:
    """Load standing data and Caselink's units if not loaded (or loaded from another version).

    For `caselink run`: quick when everything is current (one query), and returns one line to print.
    """
    if assets_dir is None:
        from caselink.config import Settings

        assets_dir = Settings.from_env().assets_dir
    outcome: LoadOutcome = _run_sync(lambda: load_into(database_url, assets_dir))
    if outcome.anything_loaded:
        return outcome.summary()
    return f"Standing data {PACKAGE_NAME} {outcome.package_version} is loaded."


# -- status ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadRecord:
    package: str
    version: str
    loaded_at: str


@dataclass(frozen=True)
class StandingDataStatus:
    loads: list[LoadRecord]
    offences: int
    lists: dict[str, int]
    units_by_source: dict[str, int]


async def standing_data_status(conn: asyncpg.Connection) -> StandingDataStatus:
    loads = await conn.fetch(
        "SELECT DISTINCT ON (package) package, version, loaded_at FROM reference_data_loads ORDER BY package, id DESC"
    )
    lists = await conn.fetch("SELECT list_name, count(*) AS n FROM reference_codes GROUP BY list_name")
    units = await conn.fetch(
        "SELECT source, count(*) AS n FROM organisation_units WHERE active GROUP BY source ORDER BY source"
    )
    return StandingDataStatus(
        loads=[LoadRecord(r["package"], r["version"], r["loaded_at"].isoformat(timespec="seconds")) for r in loads],
        offences=await conn.fetchval("SELECT count(*) FROM reference_offences"),
        lists={name: next((r["n"] for r in lists if r["list_name"] == name), 0) for name in CODE_LISTS},
        units_by_source={r["source"]: r["n"] for r in units},
    )


async def status_of(database_url: str) -> StandingDataStatus:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return await standing_data_status(conn)
    finally:
        await conn.close()


# -- offence finder --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OffenceRow:
    code: str
    title: str
    category: str | None
    category_description: str | None
    home_office_class: str | None
    recordable_on_pnc: bool
    notifiable_to_home_office: bool


@dataclass(frozen=True)
class OffencePage:
    query: str
    items: list[OffenceRow]
    total: int
    page: int
    page_size: int
    # Set when nothing matched the words as typed and the results are for these respelt words.
    corrected_query: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _offence_columns() -> list[Any]:
    return [
        Offence.code,
        Offence.title,
        Offence.category,
        ReferenceCode.description.label("category_description"),
        Offence.home_office_class,
        Offence.recordable_on_pnc,
        Offence.notifiable_to_home_office,
    ]


def _with_category(query: Any) -> Any:
    return query.outerjoin(
        ReferenceCode,
        and_(ReferenceCode.list_name == "offence-category", ReferenceCode.code == Offence.category),
    )


def _match(query: OffenceQuery) -> ColumnElement[bool]:
    """Code equal to or starting with the text, or a title holding every word (as a word start)."""
    conditions: list[ColumnElement[bool]] = []
    if query.code:
        conditions.append(Offence.code.like(like_escape(query.code) + "%"))
    if query.words:
        # \m anchors each word at a word start ("person" finds "persons", "the" does not find
        # "other"); the trigram index serves these regular expressions.
        conditions.append(and_(*[Offence.title.op("~*")(r"\m" + word) for word in query.words]))
    return or_(*conditions)


def _ranking(query: OffenceQuery) -> list[Any]:
    """Exact code first, then codes starting with the text (in code order), then titles by how
    close they are to the whole text (trigram similarity), shorter titles first on a tie."""
    tier = case(
        (Offence.code == query.code, 0),
        (Offence.code.like(like_escape(query.code) + "%"), 1),
        else_=2,
    )
    return [
        tier,
        case((tier < 2, Offence.code), else_=None),
        func.similarity(Offence.title, query.text).desc(),
        func.length(Offence.title),
        Offence.code,
    ]


async def _respelt(db: AsyncSession, query: OffenceQuery) -> OffenceQuery | None:
    """QUERY with each word replaced by the title word spelt most like it, or None if none changes.

    Candidates share trigrams with the word (the index finds them); the fewest edits wins, since
    trigrams alone rank "bury" above "burglary" for "burgalry". A word used in titles is kept.
    """
    if not query.words:
        return None
    rows = await db.execute(
        text(
            """
            SELECT q.word, (SELECT v.word FROM reference_offence_words v
                             WHERE v.word % q.word
                             ORDER BY levenshtein(v.word, q.word), v.offences DESC, v.word
                             LIMIT 1) AS nearest
              FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS q(word, n)
             ORDER BY q.n
            """
        ),
        {"words": list(query.words)},
    )
    words = [nearest or word for word, nearest in rows]
    if tuple(words) == query.words:
        return None
    return parse_offence_query(" ".join(words))


async def find_offences(db: AsyncSession, raw_query: str | None, page: int = 1, page_size: int = 20) -> OffencePage:
    """Offences matching RAW_QUERY, best first (see _ranking). When nothing matches, the words are
    respelt to the nearest words used in titles ("theft form the persn" → "theft from the person")
    and the page says so."""
    problem = query_problem(raw_query)
    if problem:
        raise ValidationFailed(FieldError("q", problem))
    query = parse_offence_query(raw_query or "")
    corrected: str | None = None
    total = await db.scalar(select(func.count()).select_from(Offence).where(_match(query))) or 0
    if total == 0:
        respelt = await _respelt(db, query)
        if respelt is not None:
            total = await db.scalar(select(func.count()).select_from(Offence).where(_match(respelt))) or 0
            if total:
                query, corrected = respelt, respelt.text
    items: list[OffenceRow] = []
    if total:
        rows = await db.execute(
            _with_category(select(*_offence_columns()))
            .where(_match(query))
            .order_by(*_ranking(query))
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        items = [OffenceRow(**row._mapping) for row in rows]
    return OffencePage(
        query=" ".join((raw_query or "").split()),
        items=items,
        total=total,
        page=page,
        page_size=page_size,
        corrected_query=corrected,
    )


async def get_offence(db: AsyncSession, code: str) -> OffenceRow:
    normalised = "".join(code.split()).upper()
    row = (await db.execute(_with_category(select(*_offence_columns())).where(Offence.code == normalised))).first()
    if row is None:
        raise NotFound(f"There is no offence with the code {normalised} in the standing data.")
    return OffenceRow(**row._mapping)


@dataclass(frozen=True)
class CodeRow:
    code: str
    description: str
    attributes: dict[str, Any]


async def list_codes(db: AsyncSession, list_name: str) -> list[CodeRow]:
    if list_name not in CODE_LISTS:
        raise NotFound(f"There is no standing-data list called {list_name!r}; the lists are {', '.join(CODE_LISTS)}.")
    rows = await db.execute(
        select(ReferenceCode.code, ReferenceCode.description, ReferenceCode.attributes)
        .where(ReferenceCode.list_name == list_name)
        .order_by(ReferenceCode.code)
    )
    return [CodeRow(code=r.code, description=r.description, attributes=r.attributes) for r in rows]
