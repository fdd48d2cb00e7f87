"""Merge and unmerge of duplicate person records: every referring row moves to the survivor and
back again exactly; bad input changes nothing; events and audit entries are written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import CASE_BUILDER, add_person

from caselink.organisations.models import OrganisationUnit
from caselink.people import merge, service, timeline
from caselink.people.merge import PersonReference, merge_people, person_aliases, unmerge
from caselink.people.merge_models import PersonMerge
from caselink.people.models import NameType, Person, PersonAddress, PersonContact, PersonIdentifier, PersonName
from caselink.people.registration_models import PersonAccessLimit
from caselink.people.timeline_models import PersonTimelineEntry
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.audit.models import AuditEvent
from caselink.platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from caselink.platform.events.models import OutboxEvent
from caselink.prosecution.models import Defendant, ProsecutionCase

OFFICER = Actor(kind=ActorKind.STAFF, id=611, name="dqofficer", roles=frozenset({"data_quality_officer"}))
WHEN = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


async def holdings(db: AsyncSession, person_id: int) -> dict[str, list[int]]:
    """Ids of every row referring to the person, per kind: what a merge must move and restore."""
    result = {}
    for model in (PersonName, PersonIdentifier, PersonAddress, PersonContact, PersonTimelineEntry, Defendant):
        ids = (await db.scalars(select(model.id).where(model.person_id == person_id).order_by(model.id))).all()
        result[model.__tablename__] = list(ids)
    return result


async def a_case(db: AsyncSession, suffix: str) -> int:
    force = OrganisationUnit(code=f"TMF{suffix}", name="Test force", agency="police", kind="police_force")
    area = OrganisationUnit(code=f"TMA{suffix}", name="Test CPS area", agency="cps", kind="cps_area")
    db.add_all([force, area])
    await db.flush()
    case = ProsecutionCase(
        urn=f"01AB{suffix}25",
        police_force_unit_id=force.id,
        police_unit_id=force.id,
        officer_in_case_name="PC Test",
        cps_area_unit_id=area.id,
        custody_status="unconditional_bail",
    )
    db.add(case)
    await db.flush()
    return case.id


async def defendant(db: AsyncSession, case_id: int, person_id: int, position: int = 1) -> int:
    row = Defendant(case_id=case_id, person_id=person_id, position=position, custody_status="unconditional_bail")
    db.add(row)
    await db.flush()
    return row.id


@pytest.fixture
async def pair(db: AsyncSession) -> tuple[int, int]:
    """A survivor and its duplicate, each with names, identifiers, addresses, contacts, timeline, a case."""
    survivor = await add_person(
        db, "William", "Trevelyan", date(1990, 5, 2), identifiers=[("PNC", "2002/0073319Z")], postcode="CF10 1AA"
    )
    duplicate = await add_person(
        db,
        "Bill",
        "Trevelyan",
        date(1990, 5, 2),
        identifiers=[("PRISON_NUMBER", "A1234BC")],
        aliases=[(NameType.ALIAS, "Billy", "Trev")],
        postcode="SW1A 1AA",
    )
    db.add(PersonContact(person_id=duplicate, kind="MOBILE", value="07700 900123"))
    for person_id, kind in ((survivor, "court.hearing.listed"), (duplicate, "prosecution.case_file.submitted")):
        await timeline.add_timeline_entry(db, person_id, WHEN, timeline.agency_of(kind), kind, timeline.title_of(kind))
    await defendant(db, await a_case(db, "00001"), duplicate)
    await defendant(db, await a_case(db, "00002"), survivor)
    await db.flush()
    return survivor, duplicate


async def test_merge_moves_every_referring_row_to_the_survivor(db: AsyncSession, pair: tuple[int, int]) -> None:
    survivor, duplicate = pair
    before_survivor, before_duplicate = await holdings(db, survivor), await holdings(db, duplicate)

    done = await merge_people(db, OFFICER, survivor, duplicate, "Same PNC on paper file; fingerprints confirm")

    after = await holdings(db, survivor)
    for table, ids in before_duplicate.items():
        assert ids, table  # the fixture gives the duplicate something of every kind
        assert set(after[table]) == set(before_survivor[table]) | set(ids), table
        assert done.moved[f"{table}.person_id"] == ids
    assert all(not ids for ids in (await holdings(db, duplicate)).values())
    assert (await db.get_one(Person, duplicate)).merged_into_id == survivor
    # The duplicate's own name stays findable on the survivor, as another name.
    names = (
        await db.execute(select(PersonName.given_name, PersonName.name_type).where(PersonName.person_id == survivor))
    ).all()
    assert ("Bill", "ALIAS") in names and ("William", "PRIMARY") in names
    # An identifier of the merged record now finds the survivor.
    found = await service.search(db, OFFICER, service.validate_terms("A1234BC"))
    assert [hit.person.person_id for hit in found.items] == [survivor]


async def test_merge_is_recorded_audited_and_announced(db: AsyncSession, pair: tuple[int, int]) -> None:
    survivor, duplicate = pair
    done = await merge_people(db, OFFICER, survivor, duplicate, "Same person")

    stored = await db.get_one(PersonMerge, done.id)
    assert (stored.survivor_id, stored.merged_id, stored.reason, stored.merged_by) == (
        survivor,
        duplicate,
        "Same person",
        "staff:dqofficer",
    )
    event = (await db.scalars(select(OutboxEvent).where(OutboxEvent.type == "people.person.merged"))).one()
    assert event.person_ids == {"person": str(survivor), "merged_person": str(duplicate)}
    assert event.data == {"mergeId": done.id, "survivorId": survivor, "mergedId": duplicate}
    audited = (
        await db.execute(select(AuditEvent.subject_id, AuditEvent.detail).where(AuditEvent.action == "person.merge"))
    ).all()
    assert {row.subject_id for row in audited} == {str(survivor), str(duplicate)}
    assert all(row.detail["merge_id"] == done.id for row in audited)


async def test_unmerge_restores_exactly_what_moved_and_keeps_what_came_later(
    db: AsyncSession, pair: tuple[int, int]
) -> None:
    survivor, duplicate = pair
    before_survivor, before_duplicate = await holdings(db, survivor), await holdings(db, duplicate)
    done = await merge_people(db, OFFICER, survivor, duplicate, "Looked the same")
    # Recorded on the survivor after the merge: must stay with it.
    db.add(PersonAddress(person_id=survivor, line1="2 New Road", postcode="CF10 2BB"))
    await timeline.add_timeline_entry(db, survivor, WHEN, "courts", "court.sentence.imposed", "Sentenced")
    await db.flush()
    later = await holdings(db, survivor)

    undone = await unmerge(db, OFFICER, done.id, "Twins: different fingerprints")

    assert await holdings(db, duplicate) == before_duplicate
    restored = await holdings(db, survivor)
    for table in before_survivor:
        assert set(restored[table]) == set(later[table]) - set(before_duplicate[table]), table
        assert set(before_survivor[table]) <= set(restored[table])
    assert len(restored["person_addresses"]) == len(before_survivor["person_addresses"]) + 1
    assert (await db.get_one(Person, duplicate)).merged_into_id is None
    primary = await db.scalar(
        select(PersonName.given_name).where(PersonName.person_id == duplicate, PersonName.name_type == "PRIMARY")
    )
    assert primary == "Bill"
    assert undone.undone_by == "staff:dqofficer" and undone.undo_reason == "Twins: different fingerprints"
    event = (await db.scalars(select(OutboxEvent).where(OutboxEvent.type == "people.person.unmerged"))).one()
    assert event.data["mergeId"] == done.id


async def nothing_changed(db: AsyncSession, people: tuple[int, ...], snapshot: dict[int, Any]) -> bool:
    return {p: await holdings(db, p) for p in people} == snapshot


@pytest.mark.parametrize(
    "case",
    ["itself", "no_reason", "unknown_survivor", "unknown_merged"],
)
async def test_bad_merge_input_is_refused_and_changes_nothing(
    db: AsyncSession, pair: tuple[int, int], case: str
) -> None:
    survivor, duplicate = pair
    snapshot = {p: await holdings(db, p) for p in pair}
    calls: dict[str, tuple[type[Exception], int, int, str, str]] = {
        "itself": (ValidationFailed, survivor, survivor, "x", "survivor_id"),
        "no_reason": (ValidationFailed, survivor, duplicate, "  ", "reason"),
        "unknown_survivor": (ValidationFailed, 999_999_999, duplicate, "x", "survivor_id"),
        "unknown_merged": (NotFound, survivor, 999_999_999, "x", ""),
    }
    error, into, merged, reason, field = calls[case]
    with pytest.raises(error) as raised:
        await merge_people(db, OFFICER, into, merged, reason)
    if isinstance(raised.value, ValidationFailed):
        assert [e.field for e in raised.value.errors] == [field]
    assert await nothing_changed(db, pair, snapshot)
    assert (await db.scalar(select(PersonMerge.id))) is None


async def test_an_already_merged_record_cannot_be_merged_or_merged_into(
    db: AsyncSession, pair: tuple[int, int]
) -> None:
    survivor, duplicate = pair
    third = await add_person(db, "William", "Trevelian", date(1990, 5, 2))
    await merge_people(db, OFFICER, survivor, duplicate, "Same person")
    with pytest.raises(Conflict, match=f"already merged into record {survivor}"):
        await merge_people(db, OFFICER, third, duplicate, "Again")
    with pytest.raises(Conflict, match=f"merge into record {survivor} instead"):
        await merge_people(db, OFFICER, duplicate, third, "Into a merged record")
    assert (await db.get_one(Person, third)).merged_into_id is None


async def test_defendants_on_the_same_case_block_the_merge(db: AsyncSession, pair: tuple[int, int]) -> None:
    survivor, duplicate = pair
    case_id = await a_case(db, "00003")
    await defendant(db, case_id, survivor, 1)
    await defendant(db, case_id, duplicate, 2)
    snapshot = {p: await holdings(db, p) for p in pair}
    with pytest.raises(Conflict, match="defendant on the same case"):
        await merge_people(db, OFFICER, survivor, duplicate, "Same person")
    assert await nothing_changed(db, pair, snapshot)


async def test_a_record_the_user_may_not_see_cannot_be_merged(db: AsyncSession, pair: tuple[int, int]) -> None:
    survivor, duplicate = pair
    db.add(
        PersonAccessLimit(
            person_id=survivor, kind="exclusion", staff_ids=[OFFICER.id], message="Contact the PDU head", created_by="t"
        )
    )
    await db.flush()
    snapshot = {p: await holdings(db, p) for p in pair}
    with pytest.raises(Forbidden):
        await merge_people(db, OFFICER, survivor, duplicate, "Same person")
    assert await nothing_changed(db, pair, snapshot)
    refused = await db.scalar(
        select(AuditEvent.subject_id).where(AuditEvent.action == "person.merge", AuditEvent.outcome == "refused")
    )
    assert refused == str(survivor)


async def test_merging_needs_the_merge_permission(db: AsyncSession, pair: tuple[int, int]) -> None:
    with pytest.raises(Forbidden):
        await merge_people(db, CASE_BUILDER, *pair, "Same person")


async def test_unmerge_of_something_never_merged_or_already_undone(db: AsyncSession, pair: tuple[int, int]) -> None:
    with pytest.raises(NotFound, match="nothing was merged"):
        await unmerge(db, OFFICER, 987_654_321, "Oops")
    done = await merge_people(db, OFFICER, *pair, "Same person")
    await unmerge(db, OFFICER, done.id, "Different people")
    snapshot = {p: await holdings(db, p) for p in pair}
    with pytest.raises(Conflict, match="already undone"):
        await unmerge(db, OFFICER, done.id, "Again")
    assert await nothing_changed(db, pair, snapshot)


async def test_chains_follow_the_survivor_and_unwind_in_order(db: AsyncSession, pair: tuple[int, int]) -> None:
    b, a = pair
    c = await add_person(db, "W", "Trevelyan", date(1990, 5, 2))
    first = await merge_people(db, OFFICER, b, a, "A is B")
    second = await merge_people(db, OFFICER, c, b, "B is C")
    assert (await db.get_one(Person, a)).merged_into_id == c  # re-pointed with B's rows
    assert await person_aliases(db, c) == sorted([a, b, c])
    with pytest.raises(Conflict, match="undo that merge first"):
        await unmerge(db, OFFICER, first.id, "Wrong")
    await unmerge(db, OFFICER, second.id, "Wrong")
    assert (await db.get_one(Person, a)).merged_into_id == b
    await unmerge(db, OFFICER, first.id, "Wrong")
    assert await person_aliases(db, c) == [c]


async def test_a_registered_reference_is_moved_and_restored(db: AsyncSession, pair: tuple[int, int]) -> None:
    """A context's table joins merges by registering its column (here a table made for the test)."""
    survivor, duplicate = pair
    await db.execute(text("CREATE TEMPORARY TABLE merge_test_notes (id bigint PRIMARY KEY, subject text, kind text)"))
    await db.execute(
        text("INSERT INTO merge_test_notes VALUES (1, :d, 'person'), (2, :d, 'case'), (3, :s, 'person')"),
        {"d": str(duplicate), "s": str(survivor)},
    )
    reference = PersonReference("merge_test_notes", "subject", where="{t}.kind = 'person'", as_text=True)
    merge.register_person_reference(reference)
    try:
        done = await merge_people(db, OFFICER, survivor, duplicate, "Same person")
        assert done.moved["merge_test_notes.subject"] == [1]
        rows = {r.id: r.subject for r in await db.execute(text("SELECT id, subject FROM merge_test_notes"))}
        assert rows == {1: str(survivor), 2: str(duplicate), 3: str(survivor)}
        await unmerge(db, OFFICER, done.id, "Different")
        rows = {r.id: r.subject for r in await db.execute(text("SELECT id, subject FROM merge_test_notes"))}
        assert rows == {1: str(duplicate), 2: str(duplicate), 3: str(survivor)}
    finally:
        merge.PERSON_REFERENCES.remove(reference)
