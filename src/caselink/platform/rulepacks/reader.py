"""Typed, path-aware reading of a rule pack's TOML tables.

A context's parser turns the pack's raw tables into its own frozen dataclasses through a
``TableReader``: every accessor checks the type, and every mistake is reported with the dotted path
of the key (``release_point.2.fraction``) and the file, so a wrong pack fails loudly at start-up
instead of producing a wrong date later. ``finish()`` rejects keys nobody read, which catches typos
such as ``max_term_exlusive`` that would otherwise be silently ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RulePackProblem:
    """One thing wrong with a pack file: where (dotted key path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class RulePackInvalid(Exception):
    """A rule pack file does not validate. Raised at load time, never while computing."""

    def __init__(self, file: Path | str, problems: list[RulePackProblem]) -> None:
        self.file = str(file)
        self.problems = list(problems)
        listed = "; ".join(str(p) for p in self.problems)
        super().__init__(f"Rule pack {self.file} is not valid: {listed}")


class _Missing:
    pass


_MISSING = _Missing()


class TableReader:
    """Reads one TOML table. Accessors record problems instead of raising at the first one, so a
    single load reports everything wrong with a file; ``problems`` is shared with child readers."""

    def __init__(self, table: Mapping[str, Any], path: str = "", problems: list[RulePackProblem] | None = None) -> None:
        self._table = table
        self._path = path
        self._read: set[str] = set()
        self.problems: list[RulePackProblem] = problems if problems is not None else []

    # -- plumbing -------------------------------------------------------------------------------
    def _key_path(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def problem(self, key: str, message: str) -> None:
        self.problems.append(RulePackProblem(self._key_path(key) if key else self._path, message))

    def has(self, key: str) -> bool:
        return key in self._table

    def _get(self, key: str, required: bool) -> Any:
        self._read.add(key)
        if key not in self._table:
            if required:
                self.problem(key, "is required")
            return _MISSING
        return self._table[key]

    def _typed(self, key: str, required: bool, kind: type | tuple[type, ...], kind_name: str) -> Any:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        # bool is an int in Python; a pack saying `days = true` is a mistake, not 1.
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.problem(key, f"must be {kind_name}, not true/false")
            return None
        if not isinstance(value, kind):
            self.problem(key, f"must be {kind_name}")
            return None
        return value

    # -- scalars --------------------------------------------------------------------------------
    def string(self, key: str, *, required: bool = True) -> str | None:
        value = self._typed(key, required, str, "text")
        if value is not None and not value.strip():
            self.problem(key, "must not be empty")
            return None
        return value

    def integer(self, key: str, *, required: bool = True, minimum: int | None = None) -> int | None:
        value = self._typed(key, required, int, "a whole number")
        if value is not None and minimum is not None and value < minimum:
            self.problem(key, f"must be {minimum} or more")
            return None
        return value

    def boolean(self, key: str, *, required: bool = True) -> bool | None:
        return self._typed(key, required, bool, "true or false")

    def date(self, key: str, *, required: bool = True) -> dt.date | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        # TOML local dates come back as datetime.date; a datetime (with a time) is a mistake here.
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.problem(key, "must be a date written as YYYY-MM-DD (no quotes, no time)")
            return None
        return value

    def fraction(self, key: str, *, required: bool = True) -> Fraction | None:
        """A proportion between 0 and 1, written as text ("1/2", "2/5", "0.4") so it stays exact."""
        value = self._typed(key, required, str, 'a fraction in quotes, such as "1/2"')
        if value is None:
            return None
        try:
            result = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            self.problem(key, f'"{value}" is not a fraction such as "1/2" or "0.4"')
            return None
        if not 0 < result <= 1:
            self.problem(key, "must be more than 0 and at most 1")
            return None
        return result

    def string_list(
        self, key: str, *, required: bool = False, allowed: Callable[[str], bool] | None = None
    ) -> list[str]:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, "must be a list of text values")
            return []
        if allowed is not None:
            for index, item in enumerate(value):
                if not allowed(item):
                    self.problem(f"{key}.{index}", f'"{item}" is not a known value')
        return list(value)

    # -- nested tables --------------------------------------------------------------------------
    def table(self, key: str, *, required: bool = True) -> TableReader | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, Mapping):
            self.problem(key, "must be a table")
            return None
        return TableReader(value, self._key_path(key), self.problems)

    def tables(self, key: str, *, required: bool = True) -> Iterator[TableReader]:
        """An array of tables (``[[key]]``), each read by its own reader with an indexed path."""
        value = self._get(key, required)
        if value is _MISSING:
            return
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.problem(key, "must be a list of tables, written [[" + key + "]]")
            return
        if required and not value:
            self.problem(key, "must have at least one entry")
        for index, item in enumerate(value):
            yield TableReader(item, self._key_path(f"{key}.{index}"), self.problems)

    def nested(self, key: str, parse: Callable[[TableReader], T], *, required: bool = True) -> T | None:
        """Parse a sub-table with ``parse`` and check it has no unknown keys."""
        reader = self.table(key, required=required)
        if reader is None:
            return None
        result = parse(reader)
        reader.finish()
        return result

    def finish(self) -> None:
        """Report keys present in the table that no accessor read: almost always a typo."""
        for key in self._table:
            if key not in self._read:
                self.problem(key, "is not a known setting (check the spelling)")
