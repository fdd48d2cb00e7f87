"""The audit trail: recording, append-only enforcement, the hash chain and its verification."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.access.actor import SYSTEM, Actor, ActorKind
from caselink.platform.audit import service
from caselink.platform.audit.models import AuditEvent
from caselink.platform.audit.rules import GENESIS_HASH, canonical_json, entry_hash, parse_query, verify_chain
from caselink.platform.logging import request_id_var

OFFICER = Actor(kind=ActorKind.STAFF, id=41, name="jsmith", roles=frozenset({"probation_practitioner"}))
CLIENT = Actor(kind=ActorKind.CLIENT, id=5, name="nomis-sync", scopes=frozenset({"people:read"}))


async def entries(db: AsyncSession, **where: object) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, column) == value)
    return list((await db.scalars(stmt)).all())


async def test_record_keeps_who_which_client_what_subject_outcome_and_request_id(db: AsyncSession) -> None:
    token = request_id_var.set("req-audit-1")
    try:
        await service.record(db, OFFICER, "person.read", "person", 123)
        await service.record(db, CLIENT, "person.search", detail={"terms": {"surname": "Smith"}}, outcome="allowed")
    finally:
        request_id_var.reset(token)
    staff_entry, client_entry = await entries(db, request_id="req-audit-1")
    assert (staff_entry.actor_kind, staff_entry.actor_id, staff_entry.actor_label) == ("staff", 41, "staff:jsmith")
    assert staff_entry.client_id is None
    assert (staff_entry.subject_type, staff_entry.subject_id, staff_entry.outcome) == ("person", "123", "allowed")
    assert staff_entry.occurred_at.tzinfo is not None
    assert client_entry.client_id == 5 and client_entry.actor_label == "client:nomis-sync"
    assert client_entry.detail == {"terms": {"surname": "Smith"}}
    assert staff_entry.hash is None  # sealed into the chain later, by the sealer


async def test_record_refuses_an_unknown_outcome(db: AsyncSession) -> None:
    with pytest.raises(ValueError, match="allowed, refused, error"):
        await service.record(db, OFFICER, "person.read", outcome="maybe")


async def test_an_entry_is_kept_exactly_when_the_callers_work_is(db: AsyncSession) -> None:
    with pytest.raises(RuntimeError):
        async with db.begin_nested():
            await service.record(db, OFFICER, "person.update", "person", "rolled-back")
            raise RuntimeError("the write failed")
    assert await entries(db, subject_id="rolled-back") == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'person.nothing' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
        "TRUNCATE audit_events",
    ],
)
async def test_the_table_refuses_update_delete_and_truncate(db: AsyncSession, statement: str) -> None:
    await service.record(db, OFFICER, "person.read", "person", "guarded")
    (entry,) = await entries(db, subject_id="guarded")
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.begin_nested():
            await db.execute(text(statement), {"id": entry.id} if ":id" in statement else {})


async def test_sealing_may_set_the_chain_once_but_not_change_the_entry(db: AsyncSession) -> None:
    await service.record(db, OFFICER, "person.read", "person", "seal-guard")
    (entry,) = await entries(db, subject_id="seal-guard")
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.begin_nested():
            await db.execute(
                text("UPDATE audit_events SET chain_seq = -1, hash = 'x', subject_id = 'other' WHERE id = :id"),
                {"id": entry.id},
            )
    await service.seal(db)
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.begin_nested():
            await db.execute(text("UPDATE audit_events SET hash = 'y' WHERE id = :id"), {"id": entry.id})


async def test_seal_chains_entries_in_order_and_verify_recomputes_it(db: AsyncSession) -> None:
    for n in range(5):
        await service.record(db, OFFICER, "person.read", "person", f"chain-{n}")
    await service.seal(db)
    sealed = [e for e in await entries(db) if e.subject_id and e.subject_id.startswith("chain-")]
    assert [e.chain_seq for e in sealed] == sorted(e.chain_seq for e in sealed if e.chain_seq)
    for earlier, later in pairwise(sealed):
        assert later.prev_hash == earlier.hash and later.chain_seq == (earlier.chain_seq or 0) + 1
    report = await service.verify(db)
    assert report.intact and report.unsealed == 0 and report.checked >= 5
    # A second seal finds nothing new; the next entry continues the chain.
    assert await service.seal(db) == 0
    await service.record(db, SYSTEM, "job.run")
    assert await service.seal(db) == 1
    assert (await service.verify(db)).intact


async def tamper(db: AsyncSession, statement: str, params: dict[str, object]) -> None:
    # Only the table's owner (or a superuser) can do this; the chain is what exposes it.
    await db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete"))
    await db.execute(text(statement), params)
    await db.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete"))


async def test_verify_names_the_first_entry_changed_after_sealing(db: AsyncSession) -> None:
    for n in range(3):
        await service.record(db, OFFICER, "person.read", "person", f"tamper-{n}")
    await service.seal(db)
    _first, second, _third = await _last(db, 3)
    await tamper(db, "UPDATE audit_events SET subject_id = 'someone-else' WHERE id = :id", {"id": second.id})
    report = await service.verify(db)
    assert not report.intact and report.broken is not None
    assert report.broken.entry_id == second.id
    assert f"entry {second.id}" in report.broken.describe()
    assert "changed after sealing" in report.broken.describe()


async def test_verify_notices_a_deleted_entry(db: AsyncSession) -> None:
    for n in range(3):
        await service.record(db, OFFICER, "person.read", "person", f"gone-{n}")
    await service.seal(db)
    _first, second, third = await _last(db, 3)
    await tamper(db, "DELETE FROM audit_events WHERE id = :id", {"id": second.id})
    report = await service.verify(db)
    assert report.broken is not None and report.broken.entry_id == third.id
    assert "missing" in report.broken.problem


async def _last(db: AsyncSession, n: int) -> list[AuditEvent]:
    rows = list((await db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(n))).all())
    return rows[::-1]


def test_hash_covers_every_field_and_the_previous_hash() -> None:
    entry = {
        "id": 1,
        "occurred_at": datetime(2026, 3, 27, 9, 30, tzinfo=UTC),
        "actor_kind": "staff",
        "actor_id": 41,
        "actor_label": "staff:jsmith",
        "client_id": None,
        "action": "person.read",
        "subject_type": "person",
        "subject_id": "123",
        "outcome": "allowed",
        "request_id": "r1",
        "detail": {"b": 1, "a": "é"},
        "chain_seq": 1,
        "prev_hash": GENESIS_HASH,
    }
    assert canonical_json(entry).startswith(b'{"action":"person.read","actor_id":41')
    assert '"a":"é","b":1'.encode() in canonical_json(entry)
    base = entry_hash(entry)
    for field, changed in [("subject_id", "124"), ("prev_hash", "1" * 64), ("detail", {"a": "e", "b": 1})]:
        assert entry_hash({**entry, field: changed}) != base, field
    sealed = {**entry, "hash": base}
    assert verify_chain([sealed]) is None
    second = {**entry, "id": 2, "chain_seq": 2, "prev_hash": base}
    second["hash"] = entry_hash(second)
    assert verify_chain([sealed, second]) is None
    broken = verify_chain([sealed, {**second, "prev_hash": GENESIS_HASH}])
    assert broken is not None and broken.entry_id == 2 and "previous-hash" in broken.problem


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"date_from": "2026-02-30"}, ["date_from"]),
        ({"date_to": "yesterday"}, ["date_to"]),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, ["date_to"]),
        ({"date_from": "2026-03-01", "date_to": "2026-03-01"}, []),
    ],
)
def test_search_dates_are_validated(params: dict[str, str], fields: list[str]) -> None:
    _, errors = parse_query(**params)
    assert [e.field for e in errors] == fields


def test_a_bare_subject_id_means_a_person() -> None:
    query, _ = parse_query(subject_id=" 123 ")
    assert (query.subject_type, query.subject_id) == ("person", "123")
