"""The outbox: emit in the caller's transaction, fan-out to subscribed handlers, delivery exactly once,
per-person order, retry with back-off, dead letters and replay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.access.actor import SYSTEM
from caselink.platform.audit.models import AuditEvent
from caselink.platform.errors import ValidationFailed
from caselink.platform.events import service
from caselink.platform.events.models import EventDelivery, OutboxEvent
from caselink.platform.events.relay import run_batch
from caselink.platform.events.rules import MAX_ATTEMPTS, Event, backoff
from caselink.platform.events.service import HandlerRegistry, emit, sync_subscriptions


@pytest.fixture(autouse=True)
async def only_this_tests_subscriptions(db: AsyncSession) -> None:
    """Start from no subscribed handlers (undone with the test's transaction): servers started by
    other tests on the shared test database subscribe the real handlers."""
    await db.execute(text("DELETE FROM event_subscriptions"))


class Recorder:
    """A handler that remembers what it saw and can be told to fail for some events."""

    def __init__(self) -> None:
        self.seen: list[Event] = []
        self.fail_for: set[str] = set()

    async def __call__(self, db: AsyncSession, event: Event) -> None:
        if event.subject in self.fail_for:
            raise RuntimeError(f"cannot handle {event.subject}")
        self.seen.append(event)


async def subscribe(db: AsyncSession, name: str, types: list[str]) -> tuple[HandlerRegistry, Recorder]:
    handlers = HandlerRegistry()
    recorder = Recorder()
    handlers.register(name, types, recorder)
    await sync_subscriptions(db, handlers)
    return handlers, recorder


async def test_emit_writes_a_cloudevents_envelope_in_the_callers_transaction(db: AsyncSession) -> None:
    emitted = await emit(
        db,
        "court.sentence.imposed",
        "hearing/123",
        person_ids={"person": 42, "crn": "X123456"},
        data={"sentenceId": 9},
        detail_url="/api/v1/sentences/9",
    )
    row = await db.scalar(select(OutboxEvent).where(OutboxEvent.id == emitted.id))
    assert row is not None and row.ordering_key == "person:42"
    envelope = service.event_from_row(row).envelope()
    assert envelope["specversion"] == "1.0"
    assert envelope["id"] == str(emitted.id)
    assert envelope["type"] == "court.sentence.imposed"
    assert envelope["source"] == "/caselink/court"
    assert envelope["subject"] == "hearing/123"
    assert envelope["datacontenttype"] == "application/json"
    assert envelope["time"].endswith("Z")
    assert envelope["personids"] == "crn:X123456 person:42"
    assert envelope["detailurl"] == "/api/v1/sentences/9"
    assert envelope["dataversion"] == 1
    assert envelope["data"] == {"sentenceId": 9}

    await db.rollback()  # the caller's change failed: its event goes with it
    assert await db.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.id == emitted.id)) == 0


@pytest.mark.parametrize(
    ("event_type", "problem"),
    [("Court.Sentence", "context.thing.happened"), ("court", "context.thing.happened"), ("court.sentence", "happened")],
)
async def test_emit_refuses_a_badly_named_type(db: AsyncSession, event_type: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        await emit(db, event_type, "hearing/1")


async def test_emit_fans_out_to_exact_and_prefix_subscribers_only(db: AsyncSession) -> None:
    await subscribe(db, "test.exact", ["court.sentence.imposed"])
    await subscribe(db, "test.prefix", ["court.*"])
    await subscribe(db, "test.other", ["custody.prisoner.received"])
    emitted = await emit(db, "court.sentence.imposed", "hearing/1", person_ids={"person": 1})
    assert emitted.deliveries == 2
    handlers = await db.scalars(
        select(EventDelivery.handler).where(EventDelivery.event_position == emitted.position).order_by("handler")
    )
    assert list(handlers) == ["test.exact", "test.prefix"]


async def test_each_event_reaches_each_handler_once(db: AsyncSession) -> None:
    handlers, recorder = await subscribe(db, "test.once", ["court.*"])
    for n in range(5):
        await emit(db, "court.hearing.listed", f"hearing/{n}", person_ids={"person": n})
    first = await run_batch(db, handlers)
    second = await run_batch(db, handlers)
    assert first.delivered == 5 and second.claimed == 0
    assert [e.subject for e in recorder.seen] == [f"hearing/{n}" for n in range(5)]


async def test_a_failure_is_retried_with_back_off_and_holds_back_only_that_persons_later_events(
    db: AsyncSession,
) -> None:
    handlers, recorder = await subscribe(db, "test.retry", ["court.*"])
    await emit(db, "court.hearing.listed", "a-first", person_ids={"person": 1})
    await emit(db, "court.hearing.listed", "b-other-person", person_ids={"person": 2})
    await emit(db, "court.hearing.listed", "a-second", person_ids={"person": 1})
    recorder.fail_for = {"a-first"}
    now = datetime.now(UTC)

    result = await run_batch(db, handlers, now=now)
    assert (result.delivered, result.retrying, result.held_back) == (1, 1, 1)
    assert [e.subject for e in recorder.seen] == ["b-other-person"]
    failed = await db.scalar(
        select(EventDelivery).where(
            EventDelivery.handler == "test.retry", EventDelivery.attempts == 1, EventDelivery.last_error.is_not(None)
        )
    )
    assert failed is not None and failed.status == "pending"
    assert failed.last_error == "RuntimeError: cannot handle a-first"

    # Not due yet: person 1's second event must wait behind the first.
    assert (await run_batch(db, handlers, now=now + timedelta(seconds=1))).claimed == 0

    recorder.fail_for = set()
    result = await run_batch(db, handlers, now=now + backoff(1) + timedelta(seconds=1))
    assert result.delivered == 1  # the retried first; the second is claimed on the next pass
    await run_batch(db, handlers, now=now + backoff(1) + timedelta(seconds=1))
    assert [e.subject for e in recorder.seen] == ["b-other-person", "a-first", "a-second"]


async def test_after_max_attempts_a_delivery_is_dead_with_its_reason_and_can_be_replayed(db: AsyncSession) -> None:
    handlers, recorder = await subscribe(db, "test.dead", ["court.*"])
    emitted = await emit(db, "court.hearing.listed", "broken", person_ids={"person": 7})
    await emit(db, "court.hearing.listed", "after", person_ids={"person": 7})
    recorder.fail_for = {"broken"}
    now = datetime.now(UTC)
    for _attempt in range(MAX_ATTEMPTS):
        now += timedelta(hours=2)
        await run_batch(db, handlers, now=now)
    dead = await service.list_deliveries(db, status="dead", handler="test.dead")
    assert dead.total == 1
    assert dead.items[0].event_id == emitted.id
    assert dead.items[0].attempts == MAX_ATTEMPTS
    assert dead.items[0].last_error == "RuntimeError: cannot handle broken"
    # A dead letter no longer holds the person's later events back.
    await run_batch(db, handlers, now=now)
    assert [e.subject for e in recorder.seen] == ["after"]

    recorder.fail_for = set()
    delivery_id = await service.replay_delivery(db, SYSTEM, dead.items[0].id)
    result = await run_batch(db, handlers, now=now)
    assert result.delivered == 1
    assert [e.subject for e in recorder.seen] == ["after", "broken"]
    delivery = await db.get(EventDelivery, delivery_id)
    assert delivery is not None and delivery.status == "delivered" and delivery.replay_count == 1
    audited = await db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "event.replay", AuditEvent.subject_id == str(emitted.id))
    )
    assert audited == 1


async def test_any_event_can_be_replayed_to_a_handler_even_one_that_subscribed_later(db: AsyncSession) -> None:
    emitted = await emit(db, "court.hearing.listed", "old", person_ids={"person": 3})
    handlers, recorder = await subscribe(db, "test.late", ["court.*"])
    assert (await run_batch(db, handlers)).claimed == 0
    await service.replay(db, SYSTEM, emitted.id, "test.late")
    await run_batch(db, handlers)
    assert [e.id for e in recorder.seen] == [emitted.id]


async def test_replay_to_an_unknown_handler_or_event_is_refused_clearly(db: AsyncSession) -> None:
    emitted = await emit(db, "court.hearing.listed", "x")
    with pytest.raises(ValidationFailed, match=r"There is no handler 'no\.such\.handler'"):
        await service.replay(db, SYSTEM, emitted.id, "no.such.handler")
    await subscribe(db, "test.known", ["court.*"])
    with pytest.raises(Exception, match="There is no event"):
        await service.replay(db, SYSTEM, uuid.uuid4(), "test.known")


async def test_handlers_work_commits_with_its_delivery(db: AsyncSession) -> None:
    """What a handler writes is kept exactly when its delivery is marked delivered."""
    await db.execute(text("CREATE TEMP TABLE handler_effects (subject text) ON COMMIT DROP"))
    handlers = HandlerRegistry()

    async def write_then_maybe_fail(session: AsyncSession, event: Event) -> None:
        await session.execute(text("INSERT INTO handler_effects VALUES (:s)"), {"s": event.subject})
        if event.subject == "fails":
            raise RuntimeError("after writing")

    handlers.register("test.effects", ["court.*"], write_then_maybe_fail)
    await sync_subscriptions(db, handlers)
    await emit(db, "court.hearing.listed", "fails", person_ids={"person": 1})
    await emit(db, "court.hearing.listed", "works", person_ids={"person": 2})
    await run_batch(db, handlers)
    effects = (await db.execute(text("SELECT subject FROM handler_effects"))).scalars().all()
    assert effects == ["works"]


def test_registry_refuses_duplicate_names_and_bad_patterns() -> None:
    handlers = HandlerRegistry()

    async def one(db: AsyncSession, event: Event) -> None: ...

    async def two(db: AsyncSession, event: Event) -> None: ...

    handlers.register("test.dup", ["court.*"], one)
    with pytest.raises(ValueError, match="already registered"):
        handlers.register("test.dup", ["court.*"], two)
    with pytest.raises(ValueError, match="pattern"):
        handlers.register("test.bad", ["*"], one)
    with pytest.raises(ValueError, match="no event types"):
        handlers.register("test.none", [], one)
