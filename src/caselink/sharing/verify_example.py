"""Verify a Caselink webhook (Standard Webhooks). Python 3.9+, standard library only.

Shown verbatim on /developers and run as-is by the tests against real deliveries."""

import base64
import hashlib
import hmac
import json
import time

TOLERANCE_SECONDS = 5 * 60  # refuse messages older (or newer) than this: a replay, or a wrong clock


class InvalidWebhook(Exception):
    pass


def verify_webhook(secret: str, headers: dict, body: bytes, now: float | None = None) -> dict:
    """Return the event if the message is genuine and fresh; raise InvalidWebhook otherwise.

    secret:  your subscription's signing secret, "whsec_..."
    headers: the request's headers (names in lower case)
    body:    the request body exactly as received (bytes, before any JSON parsing)
    """
    message_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not message_id or not timestamp or not signatures:
        raise InvalidWebhook("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise InvalidWebhook("webhook-timestamp is not a number") from None
    if abs((time.time() if now is None else now) - sent_at) > TOLERANCE_SECONDS:
        raise InvalidWebhook("timestamp outside the tolerance: a replayed or delayed message")

    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # The header may carry several signatures ("v1,abc v1,def") while a secret is being rotated.
    for candidate in signatures.split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return json.loads(body)
    raise InvalidWebhook("no signature matches: not from Caselink, altered, or the wrong secret")
