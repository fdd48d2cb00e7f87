"""Pure rules for standing data: which files hold which lists, how a source row becomes a record,
and how an offence search is read. No I/O here."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PACKAGE_NAME = "@moj-bichard7-developers/bichard7-next-data"

# list_name (as in the API path) -> the package's file. list_name is the file's stem, so anyone
# reading the package can find the source of a list without a lookup table.
CODE_LISTS: dict[str, str] = {
    "forces": "forces.json",
    "court-type": "court-type.json",
    "type-of-hearing": "type-of-hearing.json",
    "plea-status": "plea-status.json",
    "verdict": "verdict.json",
    "remand-status": "remand-status.json",
    "result-code": "result-code.json",
    "offence-category": "offence-category.json",
}
OFFENCES_FILE = "offence-code.json"
ORGANISATION_UNITS_FILE = "organisation-unit.json"


@dataclass(frozen=True)
class OffenceRecord:
    code: str
    title: str
    category: str | None
    home_office_class: str | None
    recordable_on_pnc: bool
    notifiable_to_home_office: bool

    def as_tuple(self) -> tuple[str, str, str | None, str | None, bool, bool]:
        return (
            self.code,
            self.title,
            self.category,
            self.home_office_class,
            self.recordable_on_pnc,
            self.notifiable_to_home_office,
        )


@dataclass(frozen=True)
class CodeRecord:
    list_name: str
    code: str
    description: str
    attributes: dict[str, Any]

    def as_tuple(self) -> tuple[str, str, str, str]:
        # asyncpg's COPY takes JSONB as its text form.
        return (self.list_name, self.code, self.description, json.dumps(self.attributes, sort_keys=True))


def _blank_to_none(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def offence_records(rows: Iterable[Mapping[str, Any]]) -> list[OffenceRecord]:
    records: dict[str, OffenceRecord] = {}
    for row in rows:
        code = str(row["cjsCode"]).strip().upper()
        if not code or code in records:
            continue
        records[code] = OffenceRecord(
            code=code,
            title=" ".join(str(row.get("offenceTitle") or row.get("description") or code).split()),
            category=_blank_to_none(row.get("offenceCategory")),
            home_office_class=_blank_to_none(row.get("homeOfficeClassification")),
            recordable_on_pnc=bool(row.get("recordableOnPnc")),
            notifiable_to_home_office=bool(row.get("notifiableToHo")),
        )
    return list(records.values())


def code_key(row: Mapping[str, Any]) -> str | None:
    """The key of a small-list entry: its CJS code.

    A few entries have no CJS code (verdict.json's Caution has only an SPI code, "C"); they are
    keyed ``spi:<SPI code>`` (or ``pnc:<PNC code>``). CJS codes are upper-case letters and
    digits, so a lower-case prefix can never collide with one, and the SPI code is what court
    results carry for such an entry.
    """
    cjs = _blank_to_none(row.get("cjsCode", row.get("code")))
    if cjs:
        return cjs
    for field, prefix in (("spiCode", "spi"), ("pncCode", "pnc")):
        other = _blank_to_none(row.get(field))
        if other:
            return f"{prefix}:{other}"
    return None


def code_records(list_name: str, rows: Iterable[Mapping[str, Any]]) -> tuple[list[CodeRecord], int]:
    """(records, rows skipped for having no key at all).

    ``attributes`` keeps the source row whole. Where two rows share a CJS code (plea-status.json
    has Guilty twice, with SPI codes 1 and 6) the first is the record and the others are kept in
    ``attributes["also"]``, so no source value is lost.
    """
    records: dict[str, CodeRecord] = {}
    skipped = 0
    for row in rows:
        key = code_key(row)
        if key is None:
            skipped += 1
            continue
        description = " ".join(str(row.get("description") or row.get("name") or key).split())
        if key in records:
            records[key].attributes.setdefault("also", []).append(dict(row))
            continue
        records[key] = CodeRecord(list_name, key, description, dict(row))
    return list(records.values()), skipped


# -- offence search -----------------------------------------------------------------------------

MIN_QUERY_LENGTH = 2
EMPTY_QUERY_MESSAGE = "Enter an offence code or words from its title"
SHORT_QUERY_MESSAGE = "Enter at least 2 characters of an offence code or title"

_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class OffenceQuery:
    """A search as the finder reads it.

    ``code`` is the text as an offence code would be written (upper case, no spaces or
    punctuation: "th 68001" → "TH68001"); ``words`` are the title words to find, in any order.
    """

    text: str
    code: str
    words: tuple[str, ...]


def query_problem(raw: str | None) -> str | None:
    """Why RAW cannot be searched for, or None when it can."""
    text = (raw or "").strip()
    if not text:
        return EMPTY_QUERY_MESSAGE
    if len(text) < MIN_QUERY_LENGTH:
        return SHORT_QUERY_MESSAGE
    if not _WORD.search(text):
        return EMPTY_QUERY_MESSAGE
    return None


def parse_offence_query(raw: str) -> OffenceQuery:
    text = " ".join(raw.split())
    return OffenceQuery(
        text=text,
        code=re.sub(r"[^A-Z0-9]", "", text.upper()),
        words=tuple(dict.fromkeys(w.lower() for w in _WORD.findall(text))),
    )


def title_words(titles: Iterable[str]) -> dict[str, int]:
    """Each lower-case word of TITLES (at most 64 characters) and how many titles use it."""
    counts: dict[str, int] = {}
    for title in titles:
        for word in {w.lower() for w in _WORD.findall(title)}:
            if len(word) <= 64:
                counts[word] = counts.get(word, 0) + 1
    return counts


def like_escape(value: str) -> str:
    """VALUE with LIKE's wildcards taken literally (the default escape character is backslash)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
