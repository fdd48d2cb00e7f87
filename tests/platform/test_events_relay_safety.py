"""Kill-and-restart and side-by-side relays on committed data: no event lost, none handled twice,
each person's events in order; and emitters of one person serialised so order is commit order.

These tests commit (the relay and the writers are separate connections), so they use their own
handler names and tables and remove what they wrote."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.platform.events.relay import relay_once, run_batch
from caselink.platform.events.rules import Event
from caselink.platform.events.service import HandlerRegistry, emit, sync_subscriptions

EFFECTS = "test_relay_effects"


class Killed(BaseException):
    """Stands in for the process dying: not an Exception, so the relay does not catch it."""


@pytest.fixture
async def effects(committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    async with committed_sessionmaker() as db:
        await db.execute(
            text(f"CREATE TABLE {EFFECTS} (seq bigserial PRIMARY KEY, handler text, person text, position bigint)")
        )
        await db.commit()
    try:
        yield
    finally:
        async with committed_sessionmaker() as db:
            await db.execute(text(f"DROP TABLE {EFFECTS}"))
            await db.execute(text("DELETE FROM events WHERE type LIKE 'testrelay.%'"))
            await db.execute(text("DELETE FROM event_subscriptions WHERE handler LIKE 'testrelay.%'"))
            await db.commit()


def recording_handler(name: str, kill_at: set[int] | None = None):  # type: ignore[no-untyped-def]
    async def handle(db: AsyncSession, event: Event) -> None:
        await db.execute(
            text(f"INSERT INTO {EFFECTS} (handler, person, position) VALUES (:h, :p, :pos)"),
            {"h": name, "p": event.person_ids.get("person"), "pos": event.position},
        )
        if kill_at is not None and event.position in kill_at:
            raise Killed()

    return handle


async def emit_many(sm: async_sessionmaker[AsyncSession], count: int, persons: int) -> list[int]:
    positions = []
    async with sm() as db:
        for n in range(count):
            emitted = await emit(db, "testrelay.thing.happened", f"thing/{n}", person_ids={"person": n % persons})
            positions.append(emitted.position)
        await db.commit()
    return positions


async def effects_rows(sm: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, int]]:
    async with sm() as db:
        rows = await db.execute(text(f"SELECT handler, person, position FROM {EFFECTS} ORDER BY seq"))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def assert_once_each_in_person_order(rows: list[tuple[str, str, int]], handler: str, positions: list[int]) -> None:
    mine = [r for r in rows if r[0] == handler]
    delivered = [r[2] for r in mine]
    assert sorted(delivered) == sorted(positions), "an event was lost or handled twice"
    by_person: dict[str, list[int]] = {}
    for _, person, position in mine:
        by_person.setdefault(person, []).append(position)
    for person, seen in by_person.items():
        assert seen == sorted(seen), f"person {person}'s events were handled out of order: {seen}"


async def test_a_relay_killed_mid_batch_loses_nothing_and_repeats_nothing_on_restart(
    committed_sessionmaker: async_sessionmaker[AsyncSession], effects: None
) -> None:
    sm = committed_sessionmaker
    handlers = HandlerRegistry()
    handlers.register("testrelay.crash", ["testrelay.*"], recording_handler("testrelay.crash", kill_at=set()))
    async with sm() as db:
        await sync_subscriptions(db, handlers)
        await db.commit()
    positions = await emit_many(sm, 60, 6)

    # First batch of 20 commits; the second dies on its 5th event, after that handler's write.
    async with sm() as db:
        assert (await run_batch(db, handlers, batch_size=20)).delivered == 20
    dying = HandlerRegistry()
    dying.register("testrelay.crash", ["testrelay.*"], recording_handler("testrelay.crash", kill_at={positions[24]}))
    with pytest.raises(Killed):
        async with sm() as db:
            await run_batch(db, dying, batch_size=20)
    assert len(await effects_rows(sm)) == 20  # the dead batch left no trace

    # Restart: everything else is delivered, each event once.
    await relay_once(sm, handlers, batch_size=20)
    assert_once_each_in_person_order(await effects_rows(sm), "testrelay.crash", positions)


async def test_two_relays_side_by_side_share_the_work_without_duplicates_or_disorder(
    committed_sessionmaker: async_sessionmaker[AsyncSession], effects: None
) -> None:
    sm = committed_sessionmaker
    handlers = HandlerRegistry()
    handlers.register("testrelay.a", ["testrelay.*"], recording_handler("testrelay.a"))
    handlers.register("testrelay.b", ["testrelay.*"], recording_handler("testrelay.b"))
    async with sm() as db:
        await sync_subscriptions(db, handlers)
        await db.commit()
    positions = await emit_many(sm, 300, 7)

    async def relay(results: list[int]) -> None:
        # Small batches so the two relays interleave many times.
        while True:
            async with sm() as db:
                result = await run_batch(db, handlers, batch_size=15)
            results.append(result.delivered)
            if result.claimed == 0:
                # The other relay may still hold some keys; look again before giving up.
                async with sm() as db:
                    left = await db.scalar(
                        text(
                            "SELECT count(*) FROM event_deliveries"
                            " WHERE handler LIKE 'testrelay.%' AND status = 'pending'"
                        )
                    )
                if not left:
                    return
                await asyncio.sleep(0.01)

    first: list[int] = []
    second: list[int] = []
    await asyncio.gather(relay(first), relay(second))
    rows = await effects_rows(sm)
    assert_once_each_in_person_order(rows, "testrelay.a", positions)
    assert_once_each_in_person_order(rows, "testrelay.b", positions)
    assert sum(first) > 0 and sum(second) > 0, "both relays should have done some of the work"


async def test_writers_of_one_person_are_serialised_so_positions_follow_commit_order(
    committed_sessionmaker: async_sessionmaker[AsyncSession], effects: None
) -> None:
    sm = committed_sessionmaker
    async with sm() as first, sm() as second:
        early = await emit(first, "testrelay.thing.happened", "first", person_ids={"person": "serial"})
        # The second writer of the same person waits for the first transaction to end...
        waiting = asyncio.ensure_future(
            emit(second, "testrelay.thing.happened", "second", person_ids={"person": "serial"})
        )
        await asyncio.sleep(0.3)
        assert not waiting.done()
        # ...while a writer about someone else does not.
        async with sm() as third:
            await emit(third, "testrelay.thing.happened", "other", person_ids={"person": "someone-else"})
            await third.commit()
        await first.commit()
        late = await waiting
        await second.commit()
    assert late.position > early.position
