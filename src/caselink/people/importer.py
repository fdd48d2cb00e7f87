"""Import people from legacy systems, one row at a time through the match-before-create rules.

Each row is checked, then decided:
- ``link``: one of its valid identifiers is already recorded, or its best match scores at least
  ``matching.STRONG_MATCH``: nobody is created; the row's identifiers that are new to that person
  (and held by nobody else) are added to them;
- ``review``: its best match scores at least ``matching.LIKELY_MATCH``: a new record is created
  and the pair goes to a data quality officer's review queue (caselink.people.review);
- ``new``: no likely match: a new record;
- ``error``: the row cannot be imported as it is (reasons given); nothing of it is written.

Every row is written in its own savepoint, so a row is written whole or not at all, and later rows
match earlier ones of the same file. A dry run does exactly the same inside a transaction that is
rolled back at the end, so its decisions are those a real run would make. Identifiers that fail
their check are kept as legacy values, flagged invalid (never matched), as the domain requires.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.service import actor_event_area
from caselink.people import limited_access, matching, review
from caselink.people.linkage_models import PairBand, PairSource
from caselink.people.matching import IDENTIFIER_LABELS
from caselink.people.models import NameType, Person, PersonAddress, PersonIdentifier, PersonName, Sex
from caselink.people.rules import PERSON_IDENTIFIER_TYPES, IdentifierType, fold_name, normalise_postcode, parse
from caselink.people.service import CheckedDetails, _find_matches, _identifier_person_ids
from caselink.platform.access.actor import Actor
from caselink.platform.access.policy import check
from caselink.platform.audit.service import record
from caselink.platform.events.service import emit

IDENTIFIER_COLUMNS: dict[str, IdentifierType] = {kind.value.lower(): kind for kind in PERSON_IDENTIFIER_TYPES}
COLUMNS: tuple[str, ...] = (
    "given_name",
    "middle_names",
    "family_name",
    "date_of_birth",
    "sex",
    "aliases",
    "address_line1",
    "town",
    "postcode",
    *IDENTIFIER_COLUMNS,
    "source_ref",
)
MAX_LENGTHS = {"given_name": 100, "middle_names": 200, "family_name": 100, "address_line1": 200, "town": 100}
OLDEST_BIRTH_YEAR = 1900
# The API takes at most this many rows per request; the command line any number.
MAX_API_ROWS = 1_000


class ImportFileError(Exception):
    """The file as a whole cannot be read (not the fault of one row)."""


@dataclass
class RowReport:
    row_number: int  # 1 is the first row after the header
    decision: str  # link | review | new | error
    person_id: int | None = None
    score: float | None = None
    reasons: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    source_ref: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "row_number": self.row_number,
            "decision": self.decision,
            "person_id": self.person_id,
            "score": self.score,
            "reasons": self.reasons,
            "errors": self.errors,
            "source_ref": self.source_ref,
        }


@dataclass
class CheckedRow:
    details: CheckedDetails
    sex: str
    aliases: list[tuple[str, str]]
    address_line1: str | None
    town: str | None
    invalid_identifiers: list[tuple[IdentifierType, str, str, str]]  # (type, tidied, raw, reason)
    source_ref: str | None


# --- reading ------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file with a header row, keyed by lower-case column name."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            if not header:
                raise ImportFileError(f"{path} is empty: it needs a header row naming the columns.")
            unknown = [h for h in header if h not in COLUMNS]
            if unknown:
                raise ImportFileError(
                    f"{path} has columns Caselink does not know: {', '.join(unknown)}. "
                    f"Known columns: {', '.join(COLUMNS)}."
                )
            if "family_name" not in header:
                raise ImportFileError(f"{path} has no family_name column; it is required.")
            return [
                {key.strip().lower(): (value or "") for key, value in row.items() if key is not None} for row in reader
            ]
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text ({exc.reason}); save it as CSV UTF-8.") from None


def write_report(path: Path, reports: Iterable[RowReport]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row_number", "decision", "person_id", "score", "reasons", "errors", "source_ref"])
        for r in reports:
            writer.writerow(
                [
                    r.row_number,
                    r.decision,
                    r.person_id if r.person_id is not None else "",
                    f"{r.score:.3f}" if r.score is not None else "",
                    "; ".join(r.reasons),
                    "; ".join(r.errors),
                    r.source_ref or "",
                ]
            )


def count_decisions(reports: Iterable[RowReport]) -> dict[str, int]:
    return dict(Counter(r.decision for r in reports))


# --- checking one row ---------------------------------------------------------------------------


def parse_date(text: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY; raises ValueError with a message a person can act on."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(f"date_of_birth {text!r} is not a real date") from None
    raise ValueError(f"date_of_birth {text!r} must be written YYYY-MM-DD or DD/MM/YYYY")


def check_row(row: dict[str, str], today: date) -> tuple[CheckedRow | None, list[str], list[str]]:
    """(the checked row or None, errors, warnings)."""
    errors: list[str] = []
    warnings: list[str] = []

    def value(name: str) -> str:
        return " ".join((row.get(name) or "").split())

    for name, limit in MAX_LENGTHS.items():
        if len(value(name)) > limit:
            errors.append(f"{name} is longer than {limit} characters")
    family, given = value("family_name"), value("given_name")
    if not fold_name(family):
        errors.append("family_name is required")
    dob = None
    if value("date_of_birth"):
        try:
            dob = parse_date(value("date_of_birth"))
        except ValueError as exc:
            errors.append(str(exc))
        else:
            if dob > today:
                errors.append(f"date_of_birth {dob:%d/%m/%Y} is in the future")
            elif dob.year < OLDEST_BIRTH_YEAR:
                errors.append(f"date_of_birth {dob:%d/%m/%Y} is before {OLDEST_BIRTH_YEAR}")
    sex = value("sex").upper().replace(" ", "_") or Sex.NOT_KNOWN.value
    if sex not in {s.value for s in Sex}:
        errors.append(f"sex {value('sex')!r} must be MALE, FEMALE, NOT_KNOWN or NOT_SPECIFIED")
    postcode = None
    if value("postcode"):
        postcode = normalise_postcode(value("postcode"))
        if postcode is None:
            errors.append(f"postcode {value('postcode')!r} is not a UK postcode")
    aliases: list[tuple[str, str]] = []
    for alias in filter(None, (a.strip() for a in value("aliases").split(";"))):
        words = alias.split()
        if len(words) < 2:
            errors.append(f"alias {alias!r} needs a given and a family name")
        else:
            aliases.append((" ".join(words[:-1]), words[-1]))
    identifiers: list[tuple[IdentifierType, str, str]] = []
    invalid: list[tuple[IdentifierType, str, str, str]] = []
    for column, kind in IDENTIFIER_COLUMNS.items():
        raw = value(column)
        if not raw:
            continue
        parsed = parse(kind, raw, today)
        if parsed.valid:
            identifiers.append((kind, parsed.canonical, raw))
        else:
            invalid.append((kind, parsed.canonical[:60], raw, (parsed.reason or "not valid").rstrip(".")))
            warnings.append(
                f"{IDENTIFIER_LABELS[kind.value]} {raw!r} kept as a legacy value, not matched: "
                f"{(parsed.reason or 'not valid').rstrip('.')}"
            )
    if errors:
        return None, errors, warnings
    details = CheckedDetails(given, value("middle_names") or None, family, dob, postcode, identifiers)
    checked = CheckedRow(
        details,
        sex,
        aliases,
        value("address_line1") or None,
        value("town") or None,
        invalid,
        value("source_ref") or None,
    )
    return checked, [], warnings


# --- deciding and writing one row -----------------------------------------------------------------


class RowRefused(Exception):
    def __init__(self, *errors: str) -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)


def _name(person_id: int, kind: NameType, given: str, middle: str | None, family: str) -> PersonName:
    return PersonName(
        person_id=person_id,
        name_type=kind.value,
        given_name=given,
        middle_names=middle,
        family_name=family,
        given_name_norm=fold_name(given),
        family_name_norm=fold_name(family),
    )


async def _create(db: AsyncSession, actor: Actor, row: CheckedRow, source: str, decision: str) -> int:
    d = row.details
    person = Person(
        given_name=d.given_name, middle_names=d.middle_names, family_name=d.family_name, date_of_birth=d.date_of_birth
    )
    person.sex = row.sex
    db.add(person)
    await db.flush()
    db.add(_name(person.id, NameType.PRIMARY, d.given_name, d.middle_names, d.family_name))
    for given, family in row.aliases:
        db.add(_name(person.id, NameType.ALIAS, given, None, family))
    for kind, canonical, raw in d.identifiers:
        db.add(
            PersonIdentifier(
                person_id=person.id, type=kind.value, value=canonical, raw_value=raw, valid=True, source=source
            )
        )
    for kind, tidied, raw, _ in row.invalid_identifiers:
        db.add(
            PersonIdentifier(
                person_id=person.id, type=kind.value, value=tidied, raw_value=raw, valid=False, source=source
            )
        )
    if d.postcode or row.address_line1:
        db.add(
            PersonAddress(
                person_id=person.id, line1=row.address_line1 or "Address not known", town=row.town, postcode=d.postcode
            )
        )
    await db.flush()
    await record(
        db,
        actor,
        "person.create",
        "person",
        person.id,
        detail={"source": source, "import_decision": decision, "source_ref": row.source_ref},
    )
    ids: dict[str, object] = {"person": person.id}
    ids.update({kind.value.lower(): canonical for kind, canonical, _ in d.identifiers})
    await emit(
        db,
        "people.person.created",
        f"person/{person.id}",
        person_ids=ids,
        data=actor_event_area(actor),
        detail_url=f"/api/v1/people/{person.id}",
    )
    return person.id


async def _link(db: AsyncSession, actor: Actor, person_id: int, row: CheckedRow, source: str) -> list[str]:
    """Add the row's identifiers that are new to PERSON_ID; what was added or left out, as reasons."""
    notes: list[str] = []
    held = (
        await db.execute(
            select(PersonIdentifier.type, PersonIdentifier.value).where(
                PersonIdentifier.person_id == person_id, PersonIdentifier.valid
            )
        )
    ).all()
    held_values = {(t, v) for t, v in held}
    held_types = {t for t, _ in held}
    added = []
    for kind, canonical, raw in row.details.identifiers:
        label = IDENTIFIER_LABELS[kind.value]
        if (kind.value, canonical) in held_values:
            continue
        if kind.value in held_types:
            notes.append(f"{label} {canonical} not added: the person already has a different one")
            continue
        db.add(
            PersonIdentifier(
                person_id=person_id, type=kind.value, value=canonical, raw_value=raw, valid=True, source=source
            )
        )
        added.append({"type": kind.value, "value": canonical})
        notes.append(f"{label} {canonical} added")
    await db.flush()
    await record(
        db,
        actor,
        "person.import.link",
        "person",
        person_id,
        detail={"source": source, "source_ref": row.source_ref, "identifiers_added": added},
    )
    return notes


async def _reasons_shown(db: AsyncSession, actor: Actor, person_id: int, reasons: Sequence[str]) -> list[str]:
    """Why a row matched a person, for the report: for a limited-access person the importer may not
    see, only the limit's message and responsible officer (the reasons name them and their date of
    birth); the withholding is audited as in search."""
    hidden = (await limited_access.redactions(db, actor, {person_id: []})).get(person_id)
    if hidden is None:
        return list(reasons)
    officer = hidden.responsible_officer or "not recorded"
    return [f"matches a person whose record you may not see ({hidden.message} Responsible officer: {officer})"]


async def _decide_and_write(
    db: AsyncSession, actor: Actor, number: int, row: CheckedRow, warnings: list[str], source: str, today: date
) -> RowReport:
    d = row.details
    report = RowReport(number, "new", source_ref=row.source_ref, reasons=list(warnings))
    wanted = [(kind.value, canonical) for kind, canonical, _ in d.identifiers]
    holders = await _identifier_person_ids(db, wanted)
    if len(holders) > 1:
        raise RowRefused(
            "the row's identifiers belong to different people ("
            + ", ".join(f"person {h}" for h in holders)
            + "); correct the row or review those records first"
        )
    found = await _find_matches(db, d, today, matching.LIKELY_MATCH)
    if holders:
        best = next((m for m in found if m.person_id == holders[0]), None)
        report.decision, report.person_id, report.score = "link", holders[0], 1.0
        why = best.reasons if best else ["shares an identifier"]
        report.reasons = await _reasons_shown(db, actor, holders[0], why) + report.reasons
    elif found and found[0].score >= matching.STRONG_MATCH:
        best = found[0]
        report.decision, report.person_id, report.score = "link", best.person_id, best.score
        report.reasons = await _reasons_shown(db, actor, best.person_id, best.reasons) + report.reasons
    if report.decision == "link":
        assert report.person_id is not None
        report.reasons += await _link(db, actor, report.person_id, row, source)
        return report
    if found:
        best = found[0]
        report.decision, report.score = "review", best.score
        why = await _reasons_shown(db, actor, best.person_id, best.reasons)
        report.reasons = [f"may be person {best.person_id}: " + "; ".join(why), *report.reasons]
    report.person_id = await _create(db, actor, row, source, report.decision)
    if report.decision == "review":
        await review.record_pairs(
            db,
            actor,
            [
                review.PairIn(
                    report.person_id, found[0].person_id, found[0].score, PairBand.REVIEW.value, found[0].reasons
                )
            ],
            source=PairSource.IMPORT.value,
            today=today,
        )
    return report


async def import_rows(
    db: AsyncSession,
    actor: Actor,
    rows: Sequence[dict[str, str]],
    *,
    dry_run: bool = False,
    source: str = "import",
    today: date | None = None,
    on_row: Callable[[RowReport], None] | None = None,
) -> list[RowReport]:
    """Decide (and unless DRY_RUN write) every row; one report per row, in order."""
    check(actor, "people:write")
    today = today or date.today()
    source = (source or "import").strip()[:32] or "import"
    reports: list[RowReport] = []
    created_by_row: dict[int, int] = {}  # a dry run's new person ids -> their row
    dry = await db.begin_nested() if dry_run else None
    try:
        for number, raw in enumerate(rows, start=1):
            checked, errors, warnings = check_row(raw, today)
            if checked is None:
                report = RowReport(
                    number, "error", errors=errors, reasons=warnings, source_ref=raw.get("source_ref") or None
                )
            else:
                savepoint = await db.begin_nested()
                try:
                    report = await _decide_and_write(db, actor, number, checked, warnings, source, today)
                    await savepoint.commit()
                except RowRefused as exc:
                    await savepoint.rollback()
                    report = RowReport(
                        number, "error", errors=exc.errors, reasons=warnings, source_ref=checked.source_ref
                    )
                except IntegrityError:
                    await savepoint.rollback()
                    report = RowReport(
                        number,
                        "error",
                        errors=["an identifier in this row was recorded for another person at the same time"],
                        source_ref=checked.source_ref,
                    )
                if not dry_run:
                    await db.commit()
            if dry_run and report.person_id is not None:
                if report.decision in ("new", "review"):
                    created_by_row[report.person_id] = number
                    report.person_id = None  # nothing is kept: the id would mislead
                elif report.person_id in created_by_row:
                    report.reasons.insert(0, f"the same person as row {created_by_row[report.person_id]} of this batch")
                    report.person_id = None
            reports.append(report)
            if on_row:
                on_row(report)
    finally:
        if dry is not None:
            await dry.rollback()  # everything the dry run wrote, and only that
    if not dry_run:
        counts = count_decisions(reports)
        await record(db, actor, "person.import", detail={"source": source, "rows": len(reports), **counts})
        await db.commit()
    return reports
