"""Versioned, effective-dated rule packs kept as TOML files in the repository.

A *pack* is one version of a set of rules (``custody.sds-release`` version ``2024.1``) in force
from ``effective_from`` to ``effective_to`` (inclusive; open-ended when absent). The versions of one
name form a *series*; they must not overlap, so exactly one is in force on any covered date. A
change in the law is a new file, not a code change.

Every file starts with the same header::

    name = "custody.sds-release"
    version = "2024.1"
    effective_from = 2024-09-10
    effective_to = 2025-12-31          # optional: last day in force
    title = "Standard determinate sentences from 10 September 2024 (SDS40)"
    sources = ["SI 2024/844 ..."]

and the rest is the context's content, turned into its own frozen dataclasses by the ``parse``
function it registers with ``register_family``. Packs are read once (``load_all()`` at start-up,
or lazily on first use) and kept in memory: computing with them never touches the disk.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from caselink.platform.errors import CaselinkError
from caselink.platform.rulepacks.reader import RulePackInvalid, RulePackProblem, TableReader

T = TypeVar("T")

HEADER_KEYS = ("name", "version", "effective_from", "effective_to", "title", "sources")


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


class NoRulePackInForce(CaselinkError):
    """No version of a series is in force on the date asked about (before the first, in a gap,
    or after the last one's end)."""

    status = 422
    title = "No rules in force on that date"
    type_slug = "no-rule-pack"

    def __init__(self, name: str, on: dt.date, detail: str) -> None:
        super().__init__(detail)
        self.name = name
        self.on = on


@dataclass(frozen=True)
class RulePack(Generic[T]):
    name: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None  # last day in force; None while it is the current law
    title: str
    sources: tuple[str, ...]
    content: T
    file: str

    @property
    def label(self) -> str:
        """How a page names the rules it applied: ``custody.sds-release 2024.1``."""
        return f"{self.name} {self.version}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def describe_period(self) -> str:
        start = _long_date(self.effective_from)
        return f"from {start}" if self.effective_to is None else f"from {start} to {_long_date(self.effective_to)}"


class RulePackSeries(Generic[T]):
    """All versions of one pack name, ordered by ``effective_from``, checked not to overlap."""

    def __init__(self, name: str, packs: list[RulePack[T]]) -> None:
        self.name = name
        self.packs: tuple[RulePack[T], ...] = tuple(sorted(packs, key=lambda p: p.effective_from))
        problems = _series_problems(self.packs)
        if problems:
            raise RulePackInvalid(name, problems)

    def __iter__(self) -> Iterator[RulePack[T]]:
        return iter(self.packs)

    def __len__(self) -> int:
        return len(self.packs)

    def in_force_on(self, day: dt.date) -> RulePack[T]:
        matching = [p for p in self.packs if p.in_force_on(day)]
        if len(matching) == 1:
            return matching[0]
        if len(matching) > 1:  # impossible after validation, but never pick one silently
            versions = ", ".join(p.version for p in matching)
            raise NoRulePackInForce(self.name, day, f"Versions {versions} of {self.name} overlap on {_long_date(day)}")
        if not self.packs:
            raise NoRulePackInForce(self.name, day, f"There are no versions of the rules {self.name}")
        first = self.packs[0]
        if day < first.effective_from:
            detail = (
                f"No version of {self.name} is in force on {_long_date(day)}: "
                f"the earliest ({first.version}) starts on {_long_date(first.effective_from)}"
            )
        else:
            detail = f"No version of {self.name} is in force on {_long_date(day)}"
        raise NoRulePackInForce(self.name, day, detail)

    def commencing_after(self, day: dt.date, until: dt.date | None = None) -> list[RulePack[T]]:
        """Versions that came into force after ``day`` (and on or before ``until``), oldest first."""
        return [p for p in self.packs if p.effective_from > day and (until is None or p.effective_from <= until)]

    def version(self, version: str) -> RulePack[T]:
        for pack in self.packs:
            if pack.version == version:
                return pack
        raise KeyError(f"{self.name} has no version {version}")


def _series_problems(packs: tuple[RulePack[Any], ...]) -> list[RulePackProblem]:
    problems: list[RulePackProblem] = []
    seen: dict[str, str] = {}
    for pack in packs:
        if pack.version in seen:
            problems.append(
                RulePackProblem("version", f"{pack.version} is used by both {seen[pack.version]} and {pack.file}")
            )
        seen[pack.version] = pack.file
    for earlier, later in itertools.pairwise(packs):
        if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
            ends = "has no end date" if earlier.effective_to is None else f"runs to {_long_date(earlier.effective_to)}"
            problems.append(
                RulePackProblem(
                    "effective_from",
                    f"versions {earlier.version} and {later.version} overlap: {earlier.version} {ends} but "
                    f"{later.version} starts on {_long_date(later.effective_from)}; give {earlier.version} an "
                    f"effective_to before that",
                )
            )
    return problems


def read_pack_file(file: Path, parse: Callable[[TableReader], T], expected_name: str | None = None) -> RulePack[T]:
    """Read and validate one pack file. Raises ``RulePackInvalid`` listing every problem found."""
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulePackInvalid(file, [RulePackProblem("", f"is not valid TOML: {exc}")]) from exc
    reader = TableReader(raw)
    name = reader.string("name")
    version = reader.string("version")
    effective_from = reader.date("effective_from")
    effective_to = reader.date("effective_to", required=False)
    title = reader.string("title")
    sources = reader.string_list("sources", required=True)
    if reader.has("sources") and not sources:
        reader.problem("sources", "must cite at least one source for the rules")
    if expected_name is not None and name is not None and name != expected_name:
        reader.problem("name", f'is "{name}" but this file was loaded as "{expected_name}"')
    if effective_from and effective_to and effective_to < effective_from:
        reader.problem("effective_to", "must not be before effective_from")
    content = parse(reader)
    reader.finish()
    if reader.problems:
        raise RulePackInvalid(file, reader.problems)
    assert name and version and effective_from and title  # guaranteed by the empty problem list
    return RulePack(
        name=name,
        version=version,
        effective_from=effective_from,
        effective_to=effective_to,
        title=title,
        sources=tuple(sources),
        content=content,
        file=str(file),
    )


def pack_name_of(file: Path) -> str | None:
    """The ``name`` a pack file declares, without validating the rest (for discovery)."""
    try:
        value = tomllib.loads(file.read_text(encoding="utf-8")).get("name")
    except tomllib.TOMLDecodeError:
        return None
    return value if isinstance(value, str) else None


class RulePackFamily(Generic[T]):
    """A pack name, the folder its files live in, and the context's parser. Loads once, on first
    use or at start-up through ``load_all()``; ``reload()`` is for tests of the files themselves."""

    def __init__(self, name: str, directory: Path, parse: Callable[[TableReader], T]) -> None:
        self.name = name
        self.directory = directory
        self.parse = parse
        self._series: RulePackSeries[T] | None = None
        self._lock = threading.Lock()

    def files(self) -> list[Path]:
        return sorted(f for f in self.directory.glob("*.toml") if pack_name_of(f) == self.name)

    def reload(self) -> RulePackSeries[T]:
        files = self.files()
        if not files:
            raise RulePackInvalid(self.directory, [RulePackProblem("", f"no files declare name = {self.name!r}")])
        series = RulePackSeries(self.name, [read_pack_file(f, self.parse, self.name) for f in files])
        self._series = series
        return series

    def series(self) -> RulePackSeries[T]:
        if self._series is None:
            with self._lock:
                if self._series is None:
                    self.reload()
        assert self._series is not None
        return self._series


_FAMILIES: dict[str, RulePackFamily[Any]] = {}


def register_family(name: str, directory: Path, parse: Callable[[TableReader], T]) -> RulePackFamily[T]:
    """Declare a pack series (done once, at import of the context's rules module)."""
    existing = _FAMILIES.get(name)
    if existing is not None:
        if existing.directory != directory:
            raise ValueError(f"Rule pack {name} is already registered from {existing.directory}")
        return existing  # re-import of the same module
    family: RulePackFamily[T] = RulePackFamily(name, directory, parse)
    _FAMILIES[name] = family
    return family


def registered_families() -> dict[str, RulePackFamily[Any]]:
    return dict(_FAMILIES)


def load_all() -> dict[str, RulePackSeries[Any]]:
    """Load and validate every registered series; call at start-up so a bad pack stops the app
    before it serves a wrong date. Also refuses files in a registered folder that no series claims."""
    loaded = {name: family.series() for name, family in _FAMILIES.items()}
    folders = {family.directory for family in _FAMILIES.values()}
    for folder in folders:
        for file in sorted(folder.glob("*.toml")):
            name = pack_name_of(file)
            if name not in _FAMILIES:
                raise RulePackInvalid(file, [RulePackProblem("name", f"{name!r} is not a registered rule pack")])
    return loaded
