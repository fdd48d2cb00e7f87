"""Merge and unmerge of duplicate person records.

Merging re-points every row that refers to the merged record to the survivor, found from
``PERSON_REFERENCES`` (each context appends its (table, column) with ``register_person_reference``),
sets ``persons.merged_into_id``, and keeps a ``person_merges`` row listing exactly which rows of
which table moved. Unmerge moves those rows back, and only those: whatever was recorded on the
survivor after the merge stays with it. See docs/decisions/0035-person-merge-and-timeline.md.

The audit is append-only (a trigger refuses updates), so audit entries are never re-pointed:
``person_aliases`` gives every record id folded into a person, for "who looked at this person".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, bindparam, func, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.service import actor_event_area
from caselink.people.limited_access import may_see_person
from caselink.people.merge_models import PersonMerge
from caselink.people.models import NameType, Person
from caselink.platform.access.actor import Actor
from caselink.platform.access.policy import check
from caselink.platform.audit.service import record, register_subject_alias_resolver
from caselink.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from caselink.platform.events.service import emit

MAX_REASON = 2000
MAX_LISTED = 200
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


# --- the registry of rows that refer to a person ------------------------------------------------


@dataclass(frozen=True)
class PersonReference:
    """A column holding a person's id. ``where`` narrows the rows (``{t}`` is the table's alias),
    e.g. a polymorphic subject column; ``as_text`` when the column holds the id as text.
    ``unique_with``: columns that, with this one, may not repeat (``unique_where`` narrowing it,
    as in a partial unique index) — a merge that would break that is refused, naming ``clash``."""

    table: str
    column: str
    key: str = "id"
    where: str | None = None
    as_text: bool = False
    unique_with: tuple[str, ...] = ()
    unique_where: str | None = None
    clash: str = "records that may not be held twice by one person"
    label: str = ""  # what the rows are, for people: "Defendant on a case"

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


PERSON_REFERENCES: list[PersonReference] = [
    PersonReference("person_names", "person_id", label="Names"),
    PersonReference("person_identifiers", "person_id", label="Identifiers"),
    PersonReference("person_addresses", "person_id", label="Addresses"),
    PersonReference("person_contacts", "person_id", label="Contact details"),
    PersonReference("person_timeline", "person_id", label="Timeline entries"),
    # Records merged earlier into the merged record now follow the survivor.
    PersonReference("persons", "merged_into_id", label="Records merged in earlier"),
    PersonReference(
        "person_registrations",
        "person_id",
        unique_with=("type_code",),
        unique_where="{t}.ended_on IS NULL",
        clash="a live registration of the same type (end or review one of them first)",
        label="Registrations (flags)",
    ),
    PersonReference("person_access_limits", "person_id", label="Limited access lists"),
    PersonReference(
        "defendants",
        "person_id",
        unique_with=("case_id",),
        clash="a place as defendant on the same case (the case must be corrected first)",
        label="Defendant on a case",
    ),
    PersonReference("sharing_log", "person_id", label="Shared with other agencies' systems"),
    PersonReference("tasks", "subject_id", where="{t}.subject_type = 'person'", as_text=True, label="Tasks"),
]


def register_person_reference(reference: PersonReference) -> None:
    """A context whose table holds a person's id adds it here (at import), so merges move its rows."""
    for part in (reference.table, reference.column, reference.key, *reference.unique_with):
        if not _IDENTIFIER.match(part):
            raise ValueError(f"{part!r} is not a plain lower-case table or column name.")
    if any(r.name == reference.name for r in PERSON_REFERENCES):
        return
    PERSON_REFERENCES.append(reference)


def _where(reference: PersonReference, alias: str) -> str:
    return f" AND {reference.where.format(t=alias)}" if reference.where else ""


def _value(reference: PersonReference, person_id: int) -> int | str:
    return str(person_id) if reference.as_text else person_id


async def _present(db: AsyncSession, references: Sequence[PersonReference]) -> list[PersonReference]:
    """The references whose table exists in this database (a context's migration may be absent)."""
    tables = sorted({r.table for r in references})
    found = set(
        (
            await db.execute(
                text("SELECT t FROM unnest(CAST(:tables AS text[])) t WHERE to_regclass(t) IS NOT NULL"),
                {"tables": tables},
            )
        ).scalars()
    )
    return [r for r in references if r.table in found]


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeRecord:
    id: int
    survivor_id: int
    merged_id: int
    reason: str
    merged_by: str
    merged_at: datetime
    moved: dict[str, list[int]]
    undone_at: datetime | None
    undone_by: str | None
    undo_reason: str | None

    @property
    def is_active(self) -> bool:
        return self.undone_at is None

    @property
    def moved_counts(self) -> dict[str, int]:
        return {name: len(ids) for name, ids in self.moved.items() if ids}


def _view(row: PersonMerge) -> MergeRecord:
    return MergeRecord(
        row.id,
        row.survivor_id,
        row.merged_id,
        row.reason,
        row.merged_by,
        row.merged_at,
        {k: list(v) for k, v in (row.moved or {}).items()},
        row.undone_at,
        row.undone_by,
        row.undo_reason,
    )


# --- merge --------------------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    tidy = (reason or "").strip()
    if not tidy:
        raise ValidationFailed([FieldError("reason", "Say why these records are the same person")])
    if len(tidy) > MAX_REASON:
        raise ValidationFailed([FieldError("reason", f"Reason must be {MAX_REASON} characters or fewer")])
    return tidy


async def _lock_people(db: AsyncSession, ids: Sequence[int]) -> dict[int, Person]:
    # Locked in id order, so two merges of the same pair never deadlock, and a concurrent merge of
    # either record waits and then sees this one.
    stmt = select(Person).where(Person.id.in_(ids)).order_by(Person.id).with_for_update()
    people = (await db.execute(stmt.execution_options(populate_existing=True))).scalars()
    return {p.id: p for p in people}


async def _refuse_unseen(db: AsyncSession, actor: Actor, action: str, person_ids: Sequence[int], commit: bool) -> None:
    for person_id in person_ids:
        if not await may_see_person(db, actor, person_id):
            await record(db, actor, action, "person", person_id, outcome="refused", detail={"why": "limited access"})
            if commit:
                await db.commit()
            raise Forbidden(f"You may not see person {person_id}, so you cannot merge or unmerge that record.")


async def _clashes(
    db: AsyncSession, references: Sequence[PersonReference], survivor_id: int, merged_id: int
) -> list[str]:
    problems = []
    for ref in references:
        if not ref.unique_with:
            continue
        same = " AND ".join(f"s.{c} = m.{c}" for c in ref.unique_with)
        narrowing = ""
        if ref.unique_where:
            narrowing = f" AND {ref.unique_where.format(t='m')} AND {ref.unique_where.format(t='s')}"
        sql = (
            f"SELECT m.{ref.key} FROM {ref.table} m JOIN {ref.table} s ON s.{ref.column} = :survivor AND {same}"
            f"{_where(ref, 's')} WHERE m.{ref.column} = :merged{_where(ref, 'm')}{narrowing} LIMIT 5"
        )
        params = {"survivor": _value(ref, survivor_id), "merged": _value(ref, merged_id)}
        rows = list((await db.execute(text(sql), params)).scalars())
        if rows:
            problems.append(f"Both records have {ref.clash} ({ref.table} {', '.join(map(str, rows))})")
    return problems


async def merge_people(
    db: AsyncSession,
    actor: Actor,
    survivor_id: int,
    merged_id: int,
    reason: str,
    *,
    commit: bool = True,
) -> MergeRecord:
    """Merge record ``merged_id`` into ``survivor_id``: every row referring to it moves to the
    survivor, the move is recorded row by row, audited, and ``people.person.merged`` emitted.
    Bad input changes nothing. ``commit=False`` leaves the transaction to a batch caller."""
    check(actor, "people:merge")
    tidy_reason = _reason(reason)
    if survivor_id == merged_id:
        raise ValidationFailed([FieldError("survivor_id", "A record cannot be merged into itself: choose another")])
    people = await _lock_people(db, [survivor_id, merged_id])
    if merged_id not in people:
        raise NotFound(f"There is no person with id {merged_id}.")
    if survivor_id not in people:
        raise ValidationFailed([FieldError("survivor_id", f"There is no person with id {survivor_id}")])
    merged, survivor = people[merged_id], people[survivor_id]
    if merged.merged_into_id is not None:
        raise Conflict(f"Record {merged_id} was already merged into record {merged.merged_into_id}.")
    if survivor.merged_into_id is not None:
        raise Conflict(
            f"Record {survivor_id} was itself merged into record {survivor.merged_into_id}: "
            f"merge into record {survivor.merged_into_id} instead."
        )
    await _refuse_unseen(db, actor, "person.merge", [survivor_id, merged_id], commit)
    references = await _present(db, PERSON_REFERENCES)
    problems = await _clashes(db, references, survivor_id, merged_id)
    if problems:
        raise Conflict("These records cannot be merged yet. " + "; ".join(problems) + ".")

    moved: dict[str, list[int]] = {}
    try:
        for ref in references:
            sql = (
                f"UPDATE {ref.table} t SET {ref.column} = :survivor WHERE t.{ref.column} = :merged"
                f"{_where(ref, 't')} RETURNING t.{ref.key}"
            )
            params = {"survivor": _value(ref, survivor_id), "merged": _value(ref, merged_id)}
            ids = sorted((await db.execute(text(sql), params)).scalars())
            if ids:
                moved[ref.name] = ids
        # The merged record's own name stays searchable on the survivor, as another name.
        retyped = list(
            (
                await db.execute(
                    text(
                        "UPDATE person_names SET name_type = :alias WHERE id = ANY(:ids) AND name_type = :primary "
                        "RETURNING id"
                    ).bindparams(bindparam("ids", type_=ARRAY(BigInteger))),
                    {
                        "ids": moved.get("person_names.person_id", []),
                        "alias": NameType.ALIAS.value,
                        "primary": NameType.PRIMARY.value,
                    },
                )
            ).scalars()
        )
        merged.merged_into_id = survivor_id
        row = PersonMerge(
            survivor_id=survivor_id,
            merged_id=merged_id,
            reason=tidy_reason,
            merged_by=actor.audit_label,
            moved=moved,
            changed={"person_names.name_type": {str(i): NameType.PRIMARY.value for i in retyped}},
        )
        db.add(row)
        await db.flush()
    except IntegrityError as exc:
        await db.rollback()
        raise Conflict(
            "These records could not be merged: another change to them was made at the same moment. Try again."
        ) from exc
    await db.refresh(row)
    counts = {name: len(ids) for name, ids in moved.items()}
    for subject, other in ((survivor_id, merged_id), (merged_id, survivor_id)):
        await record(
            db,
            actor,
            "person.merge",
            "person",
            subject,
            detail={
                "merge_id": row.id,
                "survivor_id": survivor_id,
                "merged_id": merged_id,
                "other": other,
                "reason": tidy_reason,
                "moved": counts,
            },
        )
    await emit(
        db,
        "people.person.merged",
        f"person/{merged_id}",
        person_ids={"person": survivor_id, "merged_person": merged_id},
        data={"mergeId": row.id, "survivorId": survivor_id, "mergedId": merged_id, **actor_event_area(actor)},
        detail_url=f"/api/v1/people/{survivor_id}/merges",
    )
    view = _view(row)
    if commit:
        await db.commit()
    return view


# --- unmerge ------------------------------------------------------------------------------------


async def unmerge(db: AsyncSession, actor: Actor, merge_id: int, reason: str, *, commit: bool = True) -> MergeRecord:
    """Undo a merge exactly: the rows it moved go back to the merged record (those still on the
    survivor), the merged record's own name is primary again, and it is a record of its own again.
    Rows recorded on the survivor since stay with it. Audited; emits ``people.person.unmerged``."""
    check(actor, "people:merge")
    tidy_reason = _reason(reason)
    stmt = select(PersonMerge).where(PersonMerge.id == merge_id).with_for_update()
    row = (await db.execute(stmt.execution_options(populate_existing=True))).scalar()
    if row is None:
        raise NotFound(f"There is no merge with id {merge_id}: nothing was merged under that number.")
    if row.undone_at is not None:
        raise Conflict(f"Merge {merge_id} was already undone on {row.undone_at:%d %B %Y} by {row.undone_by}.")
    people = await _lock_people(db, [row.survivor_id, row.merged_id])
    survivor, merged = people[row.survivor_id], people[row.merged_id]
    if survivor.merged_into_id is not None:
        later = await db.scalar(
            select(PersonMerge.id).where(PersonMerge.merged_id == survivor.id, PersonMerge.undone_at.is_(None))
        )
        raise Conflict(
            f"Record {survivor.id} has since been merged into record {survivor.merged_into_id} "
            f"(merge {later}): undo that merge first."
        )
    await _refuse_unseen(db, actor, "person.unmerge", [row.survivor_id, row.merged_id], commit)

    by_name = {r.name: r for r in await _present(db, PERSON_REFERENCES)}
    returned: dict[str, int] = {}
    for name, ids in (row.moved or {}).items():
        ref = by_name.get(name)
        if ref is None or not ids:
            continue
        sql = text(
            f"UPDATE {ref.table} t SET {ref.column} = :merged WHERE t.{ref.key} = ANY(:ids) "
            f"AND t.{ref.column} = :survivor{_where(ref, 't')} RETURNING t.{ref.key}"
        ).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
        params = {"merged": _value(ref, row.merged_id), "survivor": _value(ref, row.survivor_id), "ids": list(ids)}
        returned[name] = len((await db.execute(sql, params)).all())
    retyped = [int(i) for i in (row.changed or {}).get("person_names.name_type", {})]
    if retyped:
        await db.execute(
            text(
                "UPDATE person_names SET name_type = :primary WHERE id = ANY(:ids) AND person_id = :merged"
            ).bindparams(bindparam("ids", type_=ARRAY(BigInteger))),
            {"ids": retyped, "primary": NameType.PRIMARY.value, "merged": row.merged_id},
        )
    merged.merged_into_id = None
    row.undone_at = func.now()
    row.undone_by = actor.audit_label
    row.undo_reason = tidy_reason
    await db.flush()
    await db.refresh(row)
    for subject in (row.survivor_id, row.merged_id):
        await record(
            db,
            actor,
            "person.unmerge",
            "person",
            subject,
            detail={
                "merge_id": row.id,
                "survivor_id": row.survivor_id,
                "merged_id": row.merged_id,
                "reason": tidy_reason,
                "returned": returned,
            },
        )
    await emit(
        db,
        "people.person.unmerged",
        f"person/{row.merged_id}",
        person_ids={"person": row.survivor_id, "merged_person": row.merged_id},
        data={
            "mergeId": row.id,
            "survivorId": row.survivor_id,
            "mergedId": row.merged_id,
            **actor_event_area(actor),
        },
        detail_url=f"/api/v1/people/{row.survivor_id}/merges",
    )
    view = _view(row)
    if commit:
        await db.commit()
    return view


# --- reading ------------------------------------------------------------------------------------


async def list_merges(db: AsyncSession, actor: Actor, person_id: int) -> list[MergeRecord]:
    """Every merge into or of this record, newest first (at most MAX_LISTED: a person has few)."""
    check(actor, "people:read")
    if await db.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise NotFound(f"There is no person with id {person_id}.")
    rows = (
        await db.execute(
            select(PersonMerge)
            .where(or_(PersonMerge.survivor_id == person_id, PersonMerge.merged_id == person_id))
            .order_by(PersonMerge.merged_at.desc(), PersonMerge.id.desc())
            .limit(MAX_LISTED)
        )
    ).scalars()
    return [_view(r) for r in rows]


async def get_merge(db: AsyncSession, actor: Actor, merge_id: int) -> MergeRecord:
    check(actor, "people:read")
    row = await db.get(PersonMerge, merge_id)
    if row is None:
        raise NotFound(f"There is no merge with id {merge_id}.")
    return _view(row)


_ALIASES = text(
    """
    WITH RECURSIVE folded(id) AS (
        SELECT CAST(:person AS bigint)
        UNION
        SELECT m.merged_id FROM person_merges m JOIN folded f ON m.survivor_id = f.id WHERE m.undone_at IS NULL
    )
    SELECT id FROM folded ORDER BY id
    """
)


async def person_aliases(db: AsyncSession, person_id: int) -> list[int]:
    """This record's id and every record id merged into it (through chains of merges) and not
    unmerged: the audit's "who looked at this person" should search subject ids in this list,
    since audit entries keep the id they were written with."""
    return list((await db.execute(_ALIASES, {"person": person_id})).scalars())


async def _audit_subject_aliases(db: AsyncSession, subject_id: str) -> list[str]:
    """For the auditor's "who looked at this person": entries about every record merged into it."""
    if not subject_id.isdigit() or len(subject_id) > 18:  # not a person id (bigint): nothing to add
        return []
    return [str(person_id) for person_id in await person_aliases(db, int(subject_id))]


# Registered on import: the web app imports this module through merge_api (caselink.routers).
register_subject_alias_resolver("person", _audit_subject_aliases)


def label_of(name: str) -> str:
    """What the rows of a "table.column" reference are, for people."""
    return next((r.label for r in PERSON_REFERENCES if r.name == name and r.label), name)


async def reference_counts(db: AsyncSession, person_id: int) -> dict[str, int]:
    """How many rows of each kind refer to this record (what a merge of it would move)."""
    counts: dict[str, int] = {}
    for ref in await _present(db, PERSON_REFERENCES):
        sql = f"SELECT count(*) FROM {ref.table} t WHERE t.{ref.column} = :person{_where(ref, 't')}"
        counts[ref.name] = int(await db.scalar(text(sql), {"person": _value(ref, person_id)}) or 0)
    return counts
