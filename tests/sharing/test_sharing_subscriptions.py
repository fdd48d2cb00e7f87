"""Subscriptions through the API: webhook and feed subscriptions, refusal for event types the client's
scopes do not allow, field errors, deletion, secret rotation and idempotency keys."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.sharing.sharing_helpers import api_user

from caselink.platform.idempotency import IdempotencyRecord
from caselink.sharing.models import Subscription

WEBHOOK = {"event_types": ["people.*"], "units": ["PDU-N1"], "webhook_url": "https://supplier.example/hooks"}


async def _count(db: AsyncSession, client_pk: int) -> int:
    return int(
        await db.scalar(select(func.count()).select_from(Subscription).where(Subscription.client_pk == client_pk)) or 0
    )


async def test_a_client_subscribes_by_webhook_or_feed_lists_and_deletes(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await api_user(client, db, "events:read", "people:read")
    made = await client.post("/api/v1/subscriptions", json=WEBHOOK, headers=user.headers)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["delivery"] == "webhook" and body["units"] == ["PDU-N1"]
    feed = await client.post(
        "/api/v1/subscriptions", json={"event_types": ["people.person.created"]}, headers=user.headers
    )
    assert feed.status_code == 201 and feed.json()["delivery"] == "feed" and feed.json()["secret"] is None

    listed = (await client.get("/api/v1/subscriptions", headers=user.headers)).json()
    assert listed["total"] == 2 and all("secret" not in item for item in listed["items"])  # shown once only
    one = await client.get(f"/api/v1/subscriptions/{body['id']}", headers=user.headers)
    assert one.status_code == 200 and one.json()["webhook_url"] == WEBHOOK["webhook_url"]

    # Another client cannot see or delete it.
    other = await api_user(client, db, "events:read", "people:read", name="Other supplier")
    assert (await client.get(f"/api/v1/subscriptions/{body['id']}", headers=other.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/subscriptions/{body['id']}", headers=other.headers)).status_code == 404

    assert (await client.delete(f"/api/v1/subscriptions/{body['id']}", headers=user.headers)).status_code == 204
    gone = await client.get(f"/api/v1/subscriptions/{body['id']}", headers=user.headers)
    assert gone.status_code == 404 and gone.headers["content-type"].startswith("application/problem+json")


async def test_subscribing_to_events_the_scopes_do_not_allow_is_refused_with_the_reason(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await api_user(client, db, "events:read", "people:read")
    refused = await client.post(
        "/api/v1/subscriptions", json={"event_types": ["people.*", "court.*"]}, headers=user.headers
    )
    assert refused.status_code == 403
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "courts:read" in problem["detail"] and "court.*" in problem["detail"]
    assert await _count(db, user.client_pk) == 0  # nothing half-made

    unshared = await client.post("/api/v1/subscriptions", json={"event_types": ["bench.*"]}, headers=user.headers)
    assert unshared.status_code == 403 and "not shared" in unshared.json()["detail"]

    # Without events:read the route itself is closed to the client.
    reader = await api_user(client, db, "people:read")
    closed = await client.post("/api/v1/subscriptions", json={"event_types": ["people.*"]}, headers=reader.headers)
    assert closed.status_code == 403


async def test_bad_fields_are_field_errors(client: httpx.AsyncClient, db: AsyncSession) -> None:
    user = await api_user(client, db, "events:read", "people:read")
    bad = await client.post(
        "/api/v1/subscriptions",
        json={
            "event_types": ["people.*", "People!"],
            "units": ["no spaces allowed"],
            "webhook_url": "http://example.org/x",
        },
        headers=user.headers,
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"event_types.1", "units", "webhook_url"}
    empty = await client.post("/api/v1/subscriptions", json={"event_types": []}, headers=user.headers)
    assert empty.status_code == 422


async def test_rotating_the_secret_keeps_the_old_one_for_the_grace_period(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await api_user(client, db, "events:read", "people:read")
    made = (await client.post("/api/v1/subscriptions", json=WEBHOOK, headers=user.headers)).json()
    rotated = await client.post(f"/api/v1/subscriptions/{made['id']}/secret", headers=user.headers)
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != made["secret"] and rotated.json()["previous_secret_valid_until"]
    sub = await db.scalar(select(Subscription).where(Subscription.public_id == made["id"]))
    assert sub is not None and sub.previous_secret == made["secret"] and sub.secret == rotated.json()["secret"]
    feed = (await client.post("/api/v1/subscriptions", json={"event_types": ["people.*"]}, headers=user.headers)).json()
    assert (await client.post(f"/api/v1/subscriptions/{feed['id']}/secret", headers=user.headers)).status_code == 422


async def test_idempotency_key_returns_the_first_response_and_refuses_a_different_body(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await api_user(client, db, "events:read", "people:read")
    headers = user.headers | {"Idempotency-Key": "3f0a0d5c-8a7e-4b8e-9d21-6c1b2a3d4e5f"}
    first = await client.post("/api/v1/subscriptions", json=WEBHOOK, headers=headers)
    again = await client.post("/api/v1/subscriptions", json=WEBHOOK, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    assert await _count(db, user.client_pk) == 1

    other_body = await client.post("/api/v1/subscriptions", json=WEBHOOK | {"units": []}, headers=headers)
    assert other_body.status_code == 422
    assert other_body.json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert await _count(db, user.client_pk) == 1

    # Keys belong to one client: another client's same key is its own request.
    other = await api_user(client, db, "events:read", "people:read", name="Other supplier")
    theirs = await client.post(
        "/api/v1/subscriptions", json=WEBHOOK, headers=other.headers | {"Idempotency-Key": headers["Idempotency-Key"]}
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]

    # Without a key every POST creates; a malformed key is a field error.
    await client.post("/api/v1/subscriptions", json=WEBHOOK, headers=user.headers)
    assert await _count(db, user.client_pk) == 2
    bad = await client.post(
        "/api/v1/subscriptions", json=WEBHOOK, headers=user.headers | {"Idempotency-Key": "x" * 300}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def test_a_refused_request_does_not_use_up_its_idempotency_key(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await api_user(client, db, "events:read", "people:read")
    headers = user.headers | {"Idempotency-Key": "retry-after-refusal"}
    refused = await client.post("/api/v1/subscriptions", json={"event_types": ["court.*"]}, headers=headers)
    assert refused.status_code == 403
    fixed = await client.post("/api/v1/subscriptions", json={"event_types": ["people.*"]}, headers=headers)
    assert fixed.status_code == 201
    stored = await db.scalar(
        select(func.count()).select_from(IdempotencyRecord).where(IdempotencyRecord.key == "retry-after-refusal")
    )
    assert stored == 1
