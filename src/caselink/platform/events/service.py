"""Events: emit into the outbox in the caller's transaction, register in-process handlers, and let an
administrator see and replay deliveries.

How it fits together (docs/decisions/0012-outbox-relay-ordering.md):
- ``emit`` inserts the event and, in the same statement, one pending delivery per subscribed
  handler. Before taking its position it takes a transaction lock on the event's ordering key (the
  person), so two transactions about one person get positions in the order they commit.
- ``caselink events relay`` (relay.py) hands each pending delivery to its handler and marks it
  delivered in the handler's own transaction.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Uuid, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import DateTime

from caselink.platform.access.actor import Actor
from caselink.platform.errors import FieldError, NotFound, ValidationFailed
from caselink.platform.events.models import EventDelivery, EventSubscription, OutboxEvent
from caselink.platform.events.rules import (
    JSON,
    SPEC_VERSION,
    Event,
    default_source,
    normalise_person_ids,
    ordering_key,
    validate_event_type,
    validate_handler_name,
    validate_type_pattern,
)

HandlerFn = Callable[[AsyncSession, Event], Awaitable[None]]


# -- handlers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handler:
    name: str
    event_types: tuple[str, ...]
    fn: HandlerFn


class HandlerRegistry:
    """Handlers by name. The process-wide one is ``registry``; tests and benchmarks build their own."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, name: str, event_types: Iterable[str], fn: HandlerFn) -> Handler:
        validate_handler_name(name)
        types = tuple(event_types)
        if not types:
            raise ValueError(f"Handler {name!r} subscribes to no event types.")
        for pattern in types:
            validate_type_pattern(pattern)
        existing = self._handlers.get(name)
        if existing is not None and existing.fn is not fn:
            raise ValueError(f"A different handler is already registered as {name!r}; handler names must be unique.")
        handler = Handler(name, types, fn)
        self._handlers[name] = handler
        return handler

    def unregister(self, name: str) -> None:
        self._handlers.pop(name, None)

    def get(self, name: str) -> Handler | None:
        return self._handlers.get(name)

    def names(self) -> list[str]:
        return sorted(self._handlers)

    def __iter__(self) -> Iterator[Handler]:
        return iter(list(self._handlers.values()))

    def __len__(self) -> int:
        return len(self._handlers)


registry = HandlerRegistry()


def register_handler(
    name: str, event_types: Iterable[str], fn: HandlerFn | None = None
) -> Any:  # Handler, or a decorator when fn is omitted
    """Register ``async fn(db, event)`` under a unique, stable NAME for EVENT_TYPES (exact types or
    ``context.*`` prefixes). Usable as a decorator. The handler runs in the relay's transaction: it
    must not commit, and it must be idempotent, since an administrator may replay an event to it.
    Put handlers in ``caselink/<context>/handlers.py``; the relay imports those modules."""
    if fn is not None:
        return registry.register(name, event_types, fn)

    def decorator(func_: HandlerFn) -> HandlerFn:
        registry.register(name, event_types, func_)
        return func_

    return decorator


def load_handler_modules() -> list[str]:
    """Import every ``caselink.<context>.handlers`` and ``caselink.platform.<part>.handlers`` module
    (and ``handoff_handlers``, the hand-offs between agencies kept beside a context's own handlers)
    so their register_handler calls run; returns the modules' names."""
    import caselink
    import caselink.platform

    loaded = []
    for package in (caselink, caselink.platform):
        for info in pkgutil.iter_modules(package.__path__):
            if not info.ispkg:
                continue
            for module in ("handlers", "handoff_handlers"):
                name = f"{package.__name__}.{info.name}.{module}"
                if importlib.util.find_spec(name) is None:
                    continue
                importlib.import_module(name)
                loaded.append(name)
    return loaded


async def sync_subscriptions(db: AsyncSession, handlers: HandlerRegistry | None = None) -> None:
    """Record which handler wants which types, so emit() in any process fans out to it. The caller
    commits. Handlers that are no longer registered keep their row (another relay process may run
    older code); they simply are not claimed by this process."""
    handlers = handlers if handlers is not None else registry
    rows = [{"handler": h.name, "event_types": list(h.event_types)} for h in handlers]
    if not rows:
        return
    stmt = insert(EventSubscription).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[EventSubscription.handler],
        set_={"event_types": stmt.excluded.event_types, "updated_at": func.now()},
    )
    await db.execute(stmt)


# -- emit ----------------------------------------------------------------------------------------

# One statement: lock the ordering key for this transaction, insert the event (taking its position
# only after the lock), and insert a pending delivery for every subscribed handler.
_EMIT = text(
    """
    WITH ordering_lock AS (
        SELECT pg_advisory_xact_lock(hashtextextended(:lock_key, 0)) AS locked
    ), inserted AS (
        INSERT INTO events (id, specversion, source, type, subject, time, datacontenttype, data,
                            person_ids, detail_url, dataversion, ordering_key)
        SELECT :id, :specversion, :source, :type, :subject, :time, :datacontenttype, :data,
               :person_ids, :detail_url, :dataversion, :ordering_key
        FROM ordering_lock
        RETURNING position
    ), fanned_out AS (
        INSERT INTO event_deliveries (event_position, handler, ordering_key, status, attempts,
                                      next_attempt_at, replay_count)
        SELECT inserted.position, s.handler, :ordering_key, 'pending', 0, now(), 0
        FROM inserted CROSS JOIN event_subscriptions s
        WHERE EXISTS (
            SELECT 1 FROM unnest(s.event_types) AS p(pattern)
            WHERE p.pattern = :type
               OR (right(p.pattern, 2) = '.*' AND starts_with(:type, left(p.pattern, -1)))
        )
        RETURNING 1
    )
    SELECT inserted.position, (SELECT count(*) FROM fanned_out) AS deliveries FROM inserted
    """
).bindparams(
    bindparam("id", type_=Uuid()),
    bindparam("time", type_=DateTime(timezone=True)),
    bindparam("data", type_=JSONB()),
    bindparam("person_ids", type_=JSONB()),
)


@dataclass(frozen=True)
class Emitted:
    id: uuid.UUID
    position: int
    deliveries: int


async def emit(
    db: AsyncSession,
    type: str,
    subject: str,
    *,
    person_ids: Mapping[str, object] | None = None,
    data: Mapping[str, Any] | None = None,
    detail_url: str | None = None,
    source: str | None = None,
    time: datetime | None = None,
    dataversion: int = 1,
) -> Emitted:
    """Write a domain event in the caller's transaction: it exists exactly when the caller's change
    does. ``type`` like ``court.sentence.imposed``; ``subject`` what it is about (``hearing/123``);
    ``person_ids`` the person's identifiers (``{"person": 42, "crn": "X123456"}``); ``detail_url``
    where a consumer fetches the detail (with access control); ``time`` when it happened (now).
    Thin by design: put identifiers and facts a consumer routes on in ``data``, not the record."""
    validate_event_type(type)
    if not subject or len(subject) > 200:
        raise ValueError("An event needs a subject of at most 200 characters (e.g. hearing/123).")
    ids = normalise_person_ids(person_ids)
    key = ordering_key(ids, subject)
    event_id = uuid.uuid4()
    occurred = time or datetime.now(UTC)
    if occurred.tzinfo is None:
        raise ValueError("An event's time must carry a time zone.")
    row = (
        await db.execute(
            _EMIT,
            {
                "lock_key": f"event-order|{key}",
                "id": event_id,
                "specversion": SPEC_VERSION,
                "source": source or default_source(type),
                "type": type,
                "subject": subject,
                "time": occurred,
                "datacontenttype": JSON,
                "data": dict(data or {}),
                "person_ids": ids,
                "detail_url": detail_url,
                "dataversion": dataversion,
                "ordering_key": key,
            },
        )
    ).one()
    return Emitted(id=event_id, position=int(row.position), deliveries=int(row.deliveries))


# -- reading and replay ----------------------------------------------------------------------------

events_t = OutboxEvent.__table__
deliveries_t = EventDelivery.__table__

DELIVERY_STATUSES = ("pending", "delivered", "dead")
MAX_PAGE_SIZE = 200


def event_from_row(row: Any) -> Event:
    return Event(
        position=row.position,
        id=row.id,
        type=row.type,
        source=row.source,
        subject=row.subject,
        time=row.time,
        data=row.data or {},
        person_ids=row.person_ids or {},
        detail_url=row.detail_url,
        dataversion=row.dataversion,
        specversion=row.specversion,
        datacontenttype=row.datacontenttype,
    )


_EVENT_COLUMNS = [
    events_t.c.position,
    events_t.c.id,
    events_t.c.type,
    events_t.c.source,
    events_t.c.subject,
    events_t.c.time,
    events_t.c.data,
    events_t.c.person_ids,
    events_t.c.detail_url,
    events_t.c.dataversion,
    events_t.c.specversion,
    events_t.c.datacontenttype,
]


async def get_event(db: AsyncSession, event_id: uuid.UUID) -> Event:
    row = (await db.execute(select(*_EVENT_COLUMNS).where(events_t.c.id == event_id))).first()
    if row is None:
        raise NotFound(f"There is no event {event_id}.")
    return event_from_row(row)


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    handler: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None
    dead_at: datetime | None
    replay_count: int
    event_id: uuid.UUID
    event_type: str
    event_subject: str
    event_time: datetime
    ordering_key: str


@dataclass(frozen=True)
class DeliveryPage:
    items: list[DeliveryRow]
    page: int
    page_size: int
    total: int


async def list_deliveries(
    db: AsyncSession,
    *,
    status: str | None = "dead",
    handler: str | None = None,
    event_id: uuid.UUID | None = None,
    page: int = 1,
    page_size: int = 50,
) -> DeliveryPage:
    errors = []
    if status is not None and status not in DELIVERY_STATUSES:
        errors.append(FieldError("status", f"Status must be one of {', '.join(DELIVERY_STATUSES)}."))
    if page < 1:
        errors.append(FieldError("page", "Page must be 1 or more."))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors.append(FieldError("page_size", f"Page size must be between 1 and {MAX_PAGE_SIZE}."))
    if errors:
        raise ValidationFailed(errors)
    conditions = []
    if status is not None:
        conditions.append(deliveries_t.c.status == status)
    if handler:
        conditions.append(deliveries_t.c.handler == handler)
    if event_id is not None:
        conditions.append(events_t.c.id == event_id)
    joined = deliveries_t.join(events_t, events_t.c.position == deliveries_t.c.event_position)
    total = int(await db.scalar(select(func.count()).select_from(joined).where(*conditions)) or 0)
    rows = await db.execute(
        select(
            deliveries_t.c.id,
            deliveries_t.c.handler,
            deliveries_t.c.status,
            deliveries_t.c.attempts,
            deliveries_t.c.next_attempt_at,
            deliveries_t.c.last_error,
            deliveries_t.c.delivered_at,
            deliveries_t.c.dead_at,
            deliveries_t.c.replay_count,
            deliveries_t.c.ordering_key,
            events_t.c.id.label("event_id"),
            events_t.c.type.label("event_type"),
            events_t.c.subject.label("event_subject"),
            events_t.c.time.label("event_time"),
        )
        .select_from(joined)
        .where(*conditions)
        .order_by(deliveries_t.c.event_position.desc(), deliveries_t.c.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    items = [DeliveryRow(**row._mapping) for row in rows]
    return DeliveryPage(items=items, page=page, page_size=page_size, total=total)


async def _audit(db: AsyncSession, actor: Actor, action: str, subject_id: str, detail: dict[str, Any]) -> None:
    # Imported here so events never depend on audit at import time (audit may emit events later).
    from caselink.platform.audit.service import record

    await record(db, actor, action, subject_type="event", subject_id=subject_id, detail=detail)


_REPLAY = text(
    """
    INSERT INTO event_deliveries (event_position, handler, ordering_key, status, attempts, next_attempt_at,
                                  replay_count, replayed_at, replayed_by)
    SELECT e.position, :handler, e.ordering_key, 'pending', 0, now(), 1, now(), :actor
    FROM events e WHERE e.id = :event_id
    ON CONFLICT (event_position, handler) DO UPDATE
       SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL,
           delivered_at = NULL, dead_at = NULL, replay_count = event_deliveries.replay_count + 1,
           replayed_at = now(), replayed_by = :actor
    RETURNING id
    """
).bindparams(bindparam("event_id", type_=Uuid()))


async def replay(db: AsyncSession, actor: Actor, event_id: uuid.UUID, handler: str) -> int:
    """Hand an event to a handler again (a dead letter once its cause is fixed, or any event the
    handler must reprocess). Returns the delivery id; commits. Works for a handler that never had a
    delivery of this event (one subscribed after it was emitted)."""
    known = await db.scalar(select(EventSubscription.handler).where(EventSubscription.handler == handler))
    if known is None:
        handlers = (await db.scalars(select(EventSubscription.handler).order_by(EventSubscription.handler))).all()
        raise ValidationFailed(
            FieldError(
                "handler",
                f"There is no handler {handler!r}. Known handlers: {', '.join(handlers) or 'none yet'}.",
            )
        )
    delivery_id = await db.scalar(_REPLAY, {"event_id": event_id, "handler": handler, "actor": actor.audit_label})
    if delivery_id is None:
        raise NotFound(f"There is no event {event_id}.")
    await _audit(db, actor, "event.replay", str(event_id), {"handler": handler, "delivery_id": delivery_id})
    await db.commit()
    return int(delivery_id)


async def replay_delivery(db: AsyncSession, actor: Actor, delivery_id: int) -> int:
    row = (
        await db.execute(
            select(events_t.c.id, deliveries_t.c.handler)
            .select_from(deliveries_t.join(events_t, events_t.c.position == deliveries_t.c.event_position))
            .where(deliveries_t.c.id == delivery_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"There is no delivery {delivery_id}.")
    return await replay(db, actor, row.id, row.handler)


async def replay_dead(db: AsyncSession, actor: Actor, handler: str | None = None) -> int:
    """Replay every dead letter (of one handler, or all); returns how many. Commits."""
    conditions = [deliveries_t.c.status == "dead"]
    if handler:
        conditions.append(deliveries_t.c.handler == handler)
    ids: Sequence[int] = (await db.scalars(select(deliveries_t.c.id).where(*conditions))).all()
    for delivery_id in ids:
        await replay_delivery(db, actor, delivery_id)
    return len(ids)
