"""Pure rules for sharing with outside systems: which events a client's scopes allow, subscription
filters, Standard Webhooks signing, feed cursors and the retry schedule. No I/O here."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from caselink.platform.events.rules import TYPE_PATTERN

# The first part of an event type names its context; the client needs a scope of that area
# (read or write) to receive it. Contexts not listed here are never shared outside Caselink.
EVENT_AREAS: dict[str, str] = {
    "people": "people",
    "prosecution": "prosecution",
    "court": "courts",
    "courts": "courts",
    "custody": "custody",
    "probation": "probation",
    "assessments": "probation",
    "tasks": "tasks",
}
# The outbox handler's subscription: every shareable context.
SHAREABLE_PATTERNS: tuple[str, ...] = tuple(f"{context}.*" for context in sorted(EVENT_AREAS))

FEED_SCOPE = "events:read"
MAX_EVENT_TYPES = 20
MAX_AREA_CODES = 50
AREA_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
SECRET_BYTES = 24
ROTATION_GRACE = timedelta(hours=24)
# Receivers should refuse a timestamp further than this from their clock (replay protection).
TIMESTAMP_TOLERANCE = timedelta(minutes=5)

MAX_ATTEMPTS = 10
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_CAP = timedelta(hours=2)
# HTTP statuses after which trying again may succeed; any other non-2xx dead-letters at once.
RETRYABLE_STATUSES = frozenset({408, 425, 429})


def context_of(pattern: str) -> str:
    return pattern.split(".", 1)[0]


def allowed_areas(scopes: Iterable[str]) -> set[str]:
    """Areas a client holds a read or write scope for (``courts:write`` → ``courts``)."""
    return {scope.split(":", 1)[0] for scope in scopes if scope.endswith((":read", ":write"))}


def allowed_contexts(scopes: Iterable[str]) -> list[str]:
    """Event contexts whose events the client's scopes allow (empty without ``events:read``)."""
    scopes = set(scopes)
    if FEED_SCOPE not in scopes:
        return []
    areas = allowed_areas(scopes)
    return sorted(context for context, area in EVENT_AREAS.items() if area in areas)


def pattern_refusal(pattern: str, scopes: Iterable[str]) -> str | None:
    """Why a client with SCOPES may not subscribe to PATTERN, or None if it may."""
    context = context_of(pattern)
    area = EVENT_AREAS.get(context)
    if area is None:
        shareable = ", ".join(SHAREABLE_PATTERNS)
        return f"Events of {context!r} are not shared outside Caselink; shareable types are {shareable}."
    if area not in allowed_areas(scopes):
        return f"Your client has no {area}:read or {area}:write scope, which {pattern} needs."
    return None


def pattern_errors(pattern: str) -> str | None:
    if not TYPE_PATTERN.match(pattern) or pattern == "*" or "." not in pattern:
        return (
            f"{pattern!r} is not an event type or a prefix ending in .* (for example court.* or people.person.created)."
        )
    return None


def matches(pattern: str, event_type: str) -> bool:
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


@dataclass(frozen=True)
class Filter:
    """What one subscription wants: event types (exact or prefix) and, optionally, areas."""

    event_types: Sequence[str]
    unit_codes: Sequence[str] = ()
    region_codes: Sequence[str] = ()

    def wants(self, event_type: str, unit_code: str | None, region_code: str | None) -> bool:
        if not any(matches(p, event_type) for p in self.event_types):
            return False
        if not self.unit_codes and not self.region_codes:
            return True
        # An area filter is strict: an event that names no area does not pass it.
        return (unit_code is not None and unit_code in self.unit_codes) or (
            region_code is not None and region_code in self.region_codes
        )


def event_area(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The unit and region an event is about, by the emitters' convention (``unitCode``,
    ``regionCode`` in its data); None when it names none."""
    unit, region = data.get("unitCode"), data.get("regionCode")
    return (str(unit) if unit else None, str(region) if region else None)


def webhook_url_error(url: str) -> str | None:
    """HTTPS everywhere; plain HTTP only to this machine (a developer's receiver)."""
    if len(url) > 2000:
        return "The webhook URL must be at most 2000 characters."
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "The webhook URL must be a full https:// address, such as https://example.org/caselink/webhooks."
    if parts.username or parts.password:
        return "The webhook URL must not contain a user name or password; verify our signature instead."
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return "The webhook URL must use https:// (plain http:// is allowed only to localhost, for development)."
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def area_code_errors(codes: Sequence[str], name: str) -> list[str]:
    if len(codes) > MAX_AREA_CODES:
        return [f"Give at most {MAX_AREA_CODES} {name} codes."]
    return [f"{code!r} is not a {name} code." for code in codes if not AREA_CODE.match(code)]


# -- Standard Webhooks ----------------------------------------------------------------------------


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` (Standard Webhooks)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_in_use: Sequence[str], message_id: str, timestamp: int, body: bytes) -> str:
    """One signature per secret in use, space separated: during a rotation's grace period a
    receiver holding either the old or the new secret verifies the message."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_in_use)


def signing_secrets(current: str, previous: str | None, previous_until: datetime | None, now: datetime) -> list[str]:
    if previous and previous_until is not None and previous_until > now:
        return [current, previous]
    return [current]


def webhook_headers(secrets_in_use: Sequence[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets_in_use, message_id, timestamp, body),
        "user-agent": "Caselink-Webhooks/1",
    }


def thin_event(
    *,
    event_id: str,
    event_type: str,
    time: datetime,
    subject: str,
    person_ids: Mapping[str, str],
    detail_url: str | None,
) -> dict[str, Any]:
    """What leaves Caselink about an event: what happened, when, to whom (identifiers only) and where
    to ask for the detail. Never the event's data: the detail endpoint decides what the reader sees."""
    return {
        "id": event_id,
        "type": event_type,
        "time": time.isoformat().replace("+00:00", "Z"),
        "subject": subject,
        "personIds": dict(person_ids),
        "detailUrl": detail_url,
    }


def webhook_body(event: Mapping[str, Any], timestamp: datetime) -> bytes:
    """The Standard Webhooks payload shape: type, timestamp, data."""
    payload = {"type": event["type"], "timestamp": timestamp.isoformat().replace("+00:00", "Z"), "data": event}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


# -- retries --------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 10 s, 20 s, 40 s ... doubling, at most two hours."""
    exponent = max(attempts - 1, 0)
    if exponent > 20:
        return BACKOFF_CAP
    return min(BACKOFF_BASE * (2**exponent), BACKOFF_CAP)


def is_retryable_status(status: int) -> bool:
    return status >= 500 or status in RETRYABLE_STATUSES


# -- feed cursors ---------------------------------------------------------------------------------

CURSOR_PREFIX = "c1"


class BadCursor(ValueError):
    pass


def _cursor_mac(raw: str, key: bytes) -> str:
    return hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()[:24]


def encode_cursor(seq: int, key: bytes) -> str:
    """Opaque to clients: a feed position and a MAC, so a made-up cursor is refused, not served."""
    raw = f"{CURSOR_PREFIX}.{seq}"
    return base64.urlsafe_b64encode(f"{raw}.{_cursor_mac(raw, key)}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, key: bytes) -> int:
    if not cursor or len(cursor) > 200:
        raise BadCursor("The cursor is empty or too long.")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise BadCursor("The cursor is not one Caselink gave out.") from None
    prefix, _, rest = text.partition(".")
    seq, _, mac = rest.partition(".")
    raw = f"{prefix}.{seq}"
    if prefix != CURSOR_PREFIX or not seq.isdigit() or not hmac.compare_digest(_cursor_mac(raw, key), mac):
        raise BadCursor("The cursor is not one Caselink gave out.")
    return int(seq)


def cursor_key(secret_key: str) -> bytes:
    return hashlib.sha256(b"caselink-feed-cursor:" + secret_key.encode()).digest()
