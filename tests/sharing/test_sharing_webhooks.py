"""Webhook delivery to a real local receiver: signed messages the published code verifies, the
sharing log, retries with back-off for a receiver that is down, slow or answers 500, dead letters
with the reason, and replay by an administrator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.sharing.sharing_helpers import Receiver, api_user, developers_verify_code, publish, same_connection_sessions

from caselink.platform.access.actor import Actor, ActorKind
from caselink.sharing.delivery import deliver_once
from caselink.sharing.models import WebhookDelivery

ADMIN = Actor(kind=ActorKind.STAFF, id=None, name="national.admin", roles=frozenset({"national_administrator"}))


async def _subscribe(client: httpx.AsyncClient, db: AsyncSession, url: str, **extra: Any) -> tuple[Any, dict[str, Any]]:
    user = await api_user(client, db, "events:read", "people:read", "tasks:read")
    made = await client.post(
        "/api/v1/subscriptions", json={"event_types": ["people.*"], "webhook_url": url, **extra}, headers=user.headers
    )
    assert made.status_code == 201, made.text
    return user, made.json()


async def _delivery(db: AsyncSession) -> WebhookDelivery:
    rows = (await db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(1))).all()
    await db.refresh(rows[0])
    return rows[0]


async def test_a_delivery_is_signed_thin_verifiable_and_logged_against_the_person(
    client: httpx.AsyncClient, db: AsyncSession, receiver: Receiver
) -> None:
    user, sub = await _subscribe(client, db, receiver.url)
    event_id = await publish(db, "people.person.created", person=4242, data={"name": "Secret Name"})
    await publish(db, "tasks.task.created", person=4242)  # not subscribed: not sent
    result = await deliver_once(same_connection_sessions(db))
    assert result.delivered == 1 and len(receiver.receipts) == 1

    receipt = receiver.receipts[0]
    page = await client.get("/developers")
    namespace: dict[str, Any] = {}
    exec(compile(developers_verify_code(page.text), "developers-example", "exec"), namespace)  # noqa: S102
    event = namespace["verify_webhook"](sub["secret"], receipt.headers, receipt.body)
    assert event["type"] == "people.person.created" and event["data"]["id"] == event_id
    assert event["data"]["personIds"] == {"person": "4242"} and event["data"]["detailUrl"] == "/api/v1/people/4242"
    assert b"Secret Name" not in receipt.body  # thin: the event's data never leaves
    assert receipt.headers["webhook-id"] == str((await _delivery(db)).message_id)

    log = await client.get("/api/v1/people/4242/sharing", headers=user.headers)
    assert log.status_code == 200, log.text
    entries = log.json()["items"]
    assert [(e["event_type"], e["channel"], e["event_id"]) for e in entries] == [
        ("people.person.created", "webhook", event_id)
    ]
    assert entries[0]["client_name"] == "Supplier system"


async def test_down_slow_and_failing_receivers_are_retried_then_dead_lettered_then_replayed(
    client: httpx.AsyncClient, db: AsyncSession, receiver: Receiver
) -> None:
    from caselink.sharing import service

    sm = same_connection_sessions(db)
    _, sub = await _subscribe(client, db, receiver.url)
    await publish(db, "people.person.created", person=7)

    # Down: nothing listens on the port. The failure is recorded and retried later, not lost.
    await receiver.stop()
    first = await deliver_once(sm)
    assert first.retrying == 1 and first.delivered == 0
    d = await _delivery(db)
    assert d.status == "pending" and d.attempts == 1 and "Could not reach the receiver" in (d.last_error or "")
    assert d.next_attempt_at > datetime.now(UTC) + timedelta(seconds=5)  # backed off
    assert (await deliver_once(sm)).claimed == 0  # not due yet

    # Slow: the receiver gets it but does not answer in time (a short client timeout stands in).
    await receiver.start()
    receiver.delay = 1.0
    async with httpx.AsyncClient(timeout=0.2) as impatient:
        slow = await deliver_once(sm, http=impatient, now=datetime.now(UTC) + timedelta(minutes=1))
    assert slow.retrying == 1 and "did not answer in time" in ((await _delivery(db)).last_error or "")
    receiver.delay = 0

    # 500 until the attempts run out: dead, with the reason.
    receiver.status = 500
    later = datetime.now(UTC)
    for _ in range(10):
        later += timedelta(hours=3)
        result = await deliver_once(sm, now=later, max_attempts=5)
        if result.dead:
            break
    d = await _delivery(db)
    assert d.status == "dead" and d.attempts == 5 and d.last_status == 500 and "HTTP 500" in (d.last_error or "")
    received_before_replay = len(receiver.receipts)
    assert received_before_replay == 4  # the slow attempt and three 500s (the first never arrived)

    # Listed as a dead letter for the administrator; replayed once the receiver is fixed.
    dead = await service.list_deliveries(db, status="dead")
    assert [x.id for x in dead.items] == [d.id] and dead.items[0].subscription_id == sub["id"]
    receiver.status = 200
    await service.replay_delivery(db, ADMIN, d.id)
    assert (await deliver_once(sm)).delivered == 1
    d = await _delivery(db)
    assert d.status == "delivered" and d.replay_count == 1
    assert len(receiver.receipts) == received_before_replay + 1
    assert len({r.headers["webhook-id"] for r in receiver.receipts}) == 1  # one message, several tries


async def test_a_refusal_dead_letters_at_once_and_area_filters_apply(
    client: httpx.AsyncClient, db: AsyncSession, receiver: Receiver
) -> None:
    await _subscribe(client, db, receiver.url, units=["PDU-N1"])
    await publish(db, "people.person.created", person=1, data={"unitCode": "PDU-S9"})  # another area
    await publish(db, "people.person.created", person=2)  # names no area
    await publish(db, "people.person.created", person=3, data={"unitCode": "PDU-N1"})
    receiver.status = 400
    result = await deliver_once(same_connection_sessions(db))
    assert result.claimed == 1 and result.dead == 1
    body = json.loads(receiver.receipts[0].body)
    assert body["data"]["personIds"] == {"person": "3"}
    assert "refusal" in ((await _delivery(db)).last_error or "")


async def test_admin_page_lists_subscriptions_and_dead_letters(client: httpx.AsyncClient, db: AsyncSession) -> None:
    # Refused to anyone without sharing:manage (here: an API client and nobody).
    user = await api_user(client, db, "events:read", "people:read")
    assert (await client.get("/admin/sharing")).status_code in (401, 303, 302)
    assert (await client.get("/api/v1/sharing/deliveries", headers=user.headers)).status_code == 403
