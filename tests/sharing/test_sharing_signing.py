"""Standard Webhooks signing, and the verification code published on /developers: genuine messages
pass; a replayed (old) timestamp, a forged signature and an altered body are refused."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tests.sharing.sharing_helpers import developers_verify_code

from caselink.sharing import rules


@pytest.fixture
async def published(client: httpx.AsyncClient) -> dict[str, Any]:
    """The namespace the /developers page's example defines, run exactly as shown."""
    page = await client.get("/developers")
    assert page.status_code == 200
    namespace: dict[str, Any] = {"__name__": "receiver"}
    exec(compile(developers_verify_code(page.text), "developers-example", "exec"), namespace)  # noqa: S102
    return namespace


def _signed(secret: str, body: bytes, timestamp: int, message_id: str = "msg-1") -> dict[str, str]:
    return rules.webhook_headers([secret], message_id, timestamp, body)


def test_signature_is_hmac_sha256_of_id_timestamp_body_in_base64() -> None:
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(b"k" * 24, b"msg_1.1700000000.{}", hashlib.sha256).digest()).decode()
    assert rules.sign(secret, "msg_1", 1700000000, b"{}") == "v1," + expected
    assert rules.new_secret().startswith("whsec_") and rules.new_secret() != rules.new_secret()


async def test_published_example_accepts_genuine_and_refuses_replayed_forged_or_altered(
    published: dict[str, Any],
) -> None:
    verify, invalid = published["verify_webhook"], published["InvalidWebhook"]
    secret = rules.new_secret()
    body = json.dumps({"type": "people.person.created", "data": {"id": "x"}}).encode()
    now = int(time.time())
    assert verify(secret, _signed(secret, body, now), body)["type"] == "people.person.created"

    stale = now - int(rules.TIMESTAMP_TOLERANCE.total_seconds()) - 60
    with pytest.raises(invalid, match="tolerance"):
        verify(secret, _signed(secret, body, stale), body)  # a captured message sent again later
    with pytest.raises(invalid, match="no signature matches"):
        verify(secret, _signed(rules.new_secret(), body, now), body)  # signed by someone else
    forged = _signed(secret, body, now) | {"webhook-signature": "v1," + base64.b64encode(b"0" * 32).decode()}
    with pytest.raises(invalid, match="no signature matches"):
        verify(secret, forged, body)
    with pytest.raises(invalid, match="no signature matches"):
        verify(secret, _signed(secret, body, now), body.replace(b"person", b"persom"))  # altered in transit
    with pytest.raises(invalid, match="missing"):
        verify(secret, {"webhook-id": "x"}, body)


async def test_during_rotation_messages_verify_with_the_old_or_the_new_secret(published: dict[str, Any]) -> None:
    verify = published["verify_webhook"]
    old, new = rules.new_secret(), rules.new_secret()
    now = datetime.now(UTC)
    in_use = rules.signing_secrets(new, old, now + timedelta(hours=1), now)
    body = b'{"type":"tasks.task.created"}'
    headers = rules.webhook_headers(in_use, "m", int(now.timestamp()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verify(old, headers, body) and verify(new, headers, body)
    # After the grace period only the new secret signs.
    assert rules.signing_secrets(new, old, now - timedelta(seconds=1), now) == [new]


def test_feed_cursors_round_trip_and_refuse_tampering() -> None:
    key = rules.cursor_key("k")
    cursor = rules.encode_cursor(42, key)
    assert rules.decode_cursor(cursor, key) == 42
    for bad in ["", "nonsense", rules.encode_cursor(42, rules.cursor_key("other")), cursor[:-2], "x" * 300]:
        with pytest.raises(rules.BadCursor):
            rules.decode_cursor(bad, key)
    forged = base64.urlsafe_b64encode(b"c1.43." + b"0" * 24).decode()
    with pytest.raises(rules.BadCursor):
        rules.decode_cursor(forged, key)


def test_filters_scopes_and_urls() -> None:
    f = rules.Filter(["court.*", "people.person.created"], unit_codes=["U1"])
    assert f.wants("court.sentence.imposed", "U1", None)
    assert not f.wants("court.sentence.imposed", "U2", None)
    assert not f.wants("court.sentence.imposed", None, None)  # no area named: an area filter refuses it
    assert not f.wants("people.person.merged", "U1", None)
    assert rules.pattern_refusal("court.*", ["events:read", "courts:read"]) is None
    assert "courts:read" in (rules.pattern_refusal("court.*", ["events:read", "people:read"]) or "")
    assert "not shared" in (rules.pattern_refusal("bench.*", ["events:read"]) or "")
    assert rules.allowed_contexts(["people:read"]) == []  # no events:read, no events
    assert rules.webhook_url_error("https://example.org/hooks") is None
    assert rules.webhook_url_error("http://127.0.0.1:9000/x") is None
    assert rules.webhook_url_error("http://example.org/hooks")
    assert rules.webhook_url_error("https://user:pw@example.org/")
    assert rules.webhook_url_error("ftp://example.org/")
    assert rules.is_retryable_status(500) and rules.is_retryable_status(429) and not rules.is_retryable_status(400)
    assert rules.backoff(1) == timedelta(seconds=10) and rules.backoff(2) == timedelta(seconds=20)
    assert rules.backoff(50) == rules.BACKOFF_CAP
