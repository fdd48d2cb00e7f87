"""Audit use cases: record an entry in the caller's transaction, seal entries into the hash chain,
verify the chain, and the auditor's search and export (themselves audited).

Why record and seal are separate (docs/decisions/0003-audit-hash-chain-sealer.md): chaining at
insert time would need one lock held by every auditing transaction until it commits, serialising
all writes in Caselink; a plain INSERT costs a fraction of a millisecond and never waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Table, bindparam, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.access.policy import check, ensure
from caselink.platform.access.rules import Resource
from caselink.platform.audit.models import AuditEvent
from caselink.platform.audit.rules import (
    GENESIS_HASH,
    HASHED_FIELDS,
    OUTCOMES,
    AuditQuery,
    ChainBreak,
    ChainVerifier,
    actor_labels_for,
    entry_hash,
)
from caselink.platform.errors import Forbidden
from caselink.platform.logging import request_id_var

audit_events = cast(Table, AuditEvent.__table__)
LONDON = ZoneInfo("Europe/London")
# One sealer at a time across every process: an arbitrary, fixed advisory-lock key ("audit" in hex).
SEAL_LOCK_KEY = 0x61756469_74
MAX_PAGE_SIZE = 200
EXPORT_LIMIT = 100_000


async def record(
    db: AsyncSession,
    actor: Actor,
    action: str,
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    outcome: str = "allowed",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry in the caller's transaction: it is kept exactly when the caller's
    work is (a refusal is recorded by a service that commits its refusal entry)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    await db.execute(
        audit_events.insert().values(
            actor_kind=actor.kind.value,
            actor_id=actor.id,
            actor_label=actor.audit_label,
            client_id=actor.id if actor.kind is ActorKind.CLIENT else None,
            action=action,
            subject_type=subject_type,
            subject_id=None if subject_id is None else str(subject_id),
            outcome=outcome,
            request_id=request_id_var.get(),
            detail=detail or {},
        )
    )


_CHAIN_COLUMNS = [audit_events.c[name] for name in HASHED_FIELDS if name not in ("chain_seq", "prev_hash")]


async def ensure_or_record_refusal(
    db: AsyncSession, actor: Actor, action: str, resource: Resource, audit_action: str, *, rollback: bool = False
) -> None:
    """The policy's ``ensure`` for a service: on refusal keep an audit entry of it, committed on its
    own, and re-raise. ``rollback`` first undoes anything the service began in this session (a
    refusal must change nothing but the audit)."""
    try:
        ensure(actor, action, resource)
    except Forbidden:
        if rollback:
            await db.rollback()
        await record(db, actor, audit_action, resource.kind, resource.id, outcome="refused")
        await db.commit()
        raise


async def seal(db: AsyncSession, batch_size: int = 5000) -> int:
    """Chain committed, unsealed entries in id order; returns how many were sealed. Runs under a
    transaction-scoped advisory lock so two sealers never fork the chain; the caller commits."""
    await db.execute(select(func.pg_advisory_xact_lock(SEAL_LOCK_KEY)))
    last = (
        await db.execute(
            select(audit_events.c.chain_seq, audit_events.c.hash)
            .where(audit_events.c.chain_seq.is_not(None))
            .order_by(audit_events.c.chain_seq.desc())
            .limit(1)
        )
    ).first()
    seq, prev = (last.chain_seq, last.hash) if last else (0, GENESIS_HASH)
    rows = (
        await db.execute(
            select(*_CHAIN_COLUMNS).where(audit_events.c.hash.is_(None)).order_by(audit_events.c.id).limit(batch_size)
        )
    ).mappings()
    seals = []
    for row in rows:
        seq += 1
        entry = {**row, "chain_seq": seq, "prev_hash": prev}
        prev = entry_hash(entry)
        seals.append({"b_id": row["id"], "b_seq": seq, "b_prev": entry["prev_hash"], "b_hash": prev})
    if seals:
        await db.execute(
            update(audit_events)
            .where(audit_events.c.id == bindparam("b_id"))
            .values(
                chain_seq=bindparam("b_seq"),
                prev_hash=bindparam("b_prev"),
                hash=bindparam("b_hash"),
                sealed_at=func.now(),
            ),
            seals,
        )
    return len(seals)


async def seal_all(db: AsyncSession, batch_size: int = 5000) -> int:
    """Seal everything committed so far, committing batch by batch (the sealer job and CLI)."""
    total = 0
    while True:
        sealed = await seal(db, batch_size)
        await db.commit()
        total += sealed
        if sealed < batch_size:
            return total


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    unsealed: int
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


async def verify(db: AsyncSession) -> VerifyReport:
    """Walk the whole chain in order, recomputing every hash; stop at the first broken link."""
    verifier = ChainVerifier()
    columns = [audit_events.c[name] for name in HASHED_FIELDS] + [audit_events.c.hash]
    result = await db.stream(
        select(*columns).where(audit_events.c.chain_seq.is_not(None)).order_by(audit_events.c.chain_seq),
        execution_options={"yield_per": 2000},
    )
    async for row in result.mappings():
        if not verifier.feed(dict(row)):
            break
    await result.close()
    unsealed = await db.scalar(select(func.count()).select_from(audit_events).where(audit_events.c.hash.is_(None)))
    return VerifyReport(checked=verifier.checked, unsealed=unsealed or 0, broken=verifier.broken)


# --- the auditor's search -------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


# Other ids a subject has been recorded under (a person merged into another keeps its old id in
# the entries written before the merge): one resolver per subject type, registered by the context
# that owns the subject, so that this platform service never imports a context's code.
SubjectAliasResolver = Callable[[AsyncSession, str], Awaitable[Sequence[str]]]
_subject_alias_resolvers: dict[str, SubjectAliasResolver] = {}


def register_subject_alias_resolver(subject_type: str, resolver: SubjectAliasResolver) -> None:
    """Make a search by (SUBJECT_TYPE, id) also find entries about the ids RESOLVER returns for it
    (the id itself need not be among them). Registering the same type again replaces the resolver."""
    _subject_alias_resolvers[subject_type] = resolver


async def subject_ids(db: AsyncSession, query: AuditQuery) -> list[str]:
    """The subject ids a search by subject covers: the one asked for and its registered aliases."""
    if not query.subject_id:
        return []
    resolver = _subject_alias_resolvers.get(query.subject_type or "")
    aliases = await resolver(db, query.subject_id) if resolver else []
    return list(dict.fromkeys([query.subject_id, *(str(alias) for alias in aliases)]))


def _filtered(query: AuditQuery, subject_ids: Sequence[str] = ()) -> Select[Any]:
    """The query's filters; SUBJECT_IDS (from ``subject_ids``) widens a search by subject id."""
    stmt = select(audit_events)
    if query.subject_type:
        stmt = stmt.where(audit_events.c.subject_type == query.subject_type)
    if query.subject_id:
        ids = list(subject_ids) or [query.subject_id]
        stmt = stmt.where(audit_events.c.subject_id.in_(ids) if len(ids) > 1 else audit_events.c.subject_id == ids[0])
    if query.user:
        stmt = stmt.where(audit_events.c.actor_label.in_(actor_labels_for(query.user)))
    if query.action:
        stmt = stmt.where(audit_events.c.action == query.action)
    if query.date_from:
        stmt = stmt.where(audit_events.c.occurred_at >= _start_of(query.date_from))
    if query.date_to:
        # Dates are whole days in UK time, inclusive.
        stmt = stmt.where(audit_events.c.occurred_at < _start_of(query.date_to + timedelta(days=1)))
    return stmt


@dataclass(frozen=True)
class AuditPage:
    items: list[dict[str, Any]]
    page: int
    page_size: int
    has_next: bool


def entry_view(row: Any) -> dict[str, Any]:
    """An entry as the API and pages show it."""
    return {
        "id": row.id,
        "occurred_at": row.occurred_at.astimezone(UTC).isoformat(),
        "actor": {"kind": row.actor_kind, "id": row.actor_id, "label": row.actor_label},
        "client_id": row.client_id,
        "action": row.action,
        "subject": {"type": row.subject_type, "id": row.subject_id} if row.subject_type else None,
        "outcome": row.outcome,
        "request_id": row.request_id,
        "detail": row.detail,
        "sealed": row.hash is not None,
    }


async def search(db: AsyncSession, actor: Actor, query: AuditQuery, page: int = 1, page_size: int = 50) -> AuditPage:
    """One page of matching entries, newest first. Recorded in the audit itself, with its terms."""
    check(actor, "audit:read")
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    # One row more than the page shows whether there is a next page without counting the table.
    covered = await subject_ids(db, query)
    stmt = (
        _filtered(query, covered)
        .order_by(audit_events.c.occurred_at.desc(), audit_events.c.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    rows = (await db.execute(stmt)).all()
    aliases = {"subject_ids": covered} if len(covered) > 1 else {}
    await record(db, actor, "audit.search", detail={**query.as_detail(), **aliases, "page": page})
    await db.commit()
    return AuditPage([entry_view(r) for r in rows[:page_size]], page, page_size, len(rows) > page_size)


EXPORT_HEADER = [
    "id",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "client_id",
    "action",
    "subject_type",
    "subject_id",
    "outcome",
    "request_id",
    "detail",
]


async def start_export(db: AsyncSession, actor: Actor, query: AuditQuery) -> None:
    """Check and record the export before any of it is sent."""
    check(actor, "audit:read")
    await record(db, actor, "audit.export", detail=query.as_detail())
    await db.commit()


async def export_rows(db: AsyncSession, query: AuditQuery, batch_size: int = 1000) -> AsyncIterator[list[Any]]:
    """Matching entries, newest first, in keyset-paginated batches (constant memory, any size)."""
    base = _filtered(query, await subject_ids(db, query)).order_by(
        audit_events.c.occurred_at.desc(), audit_events.c.id.desc()
    )
    after: tuple[datetime, int] | None = None
    sent = 0
    while sent < EXPORT_LIMIT:
        stmt = base.limit(batch_size)
        if after:
            stmt = stmt.where(tuple_(audit_events.c.occurred_at, audit_events.c.id) < tuple_(after[0], after[1]))
        rows = (await db.execute(stmt)).all()
        for row in rows:
            yield [
                row.id,
                row.occurred_at.astimezone(UTC).isoformat(),
                row.actor_kind,
                row.actor_id,
                row.actor_label,
                row.client_id,
                row.action,
                row.subject_type,
                row.subject_id,
                row.outcome,
                row.request_id,
                row.detail,
            ]
        sent += len(rows)
        if len(rows) < batch_size:
            return
        after = (rows[-1].occurred_at, rows[-1].id)
