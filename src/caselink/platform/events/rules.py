"""Pure rules for events: the CloudEvents 1.0 envelope, names, ordering keys and retry back-off."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

SPEC_VERSION = "1.0"
JSON = "application/json"

# <context>.<thing>.<what happened>, lower case: court.sentence.imposed, tasks.task.created.
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$")
# A handler subscribes to exact types or to a prefix ending in ".*" (court.*, court.sentence.*).
TYPE_PATTERN = re.compile(r"^([a-z][a-z0-9_]*\.)*([a-z][a-z0-9_]*|\*)$")
HANDLER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{2,119}$")
PERSON_ID_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

# The identifier that keys a person's order when an event carries several (Caselink's own id first).
ORDERING_PREFERENCE = ("person", "crn", "noms", "pnc", "cro")

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(hours=1)


def validate_event_type(event_type: str) -> None:
    if not EVENT_TYPE.match(event_type):
        raise ValueError(
            f"Event type {event_type!r} is not of the form context.thing.happened in lower case "
            "(for example court.sentence.imposed)."
        )


def validate_type_pattern(pattern: str) -> None:
    if not TYPE_PATTERN.match(pattern) or pattern == "*":
        raise ValueError(f"Event type pattern {pattern!r} must be a type or a prefix ending in .* (court.*).")


def validate_handler_name(name: str) -> None:
    if not HANDLER_NAME.match(name):
        raise ValueError(
            f"Handler name {name!r} must be 3–120 lower-case letters, digits, dots, dashes or underscores."
        )


def matches(pattern: str, event_type: str) -> bool:
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def normalise_person_ids(person_ids: Mapping[str, object] | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for kind, value in (person_ids or {}).items():
        if not PERSON_ID_TYPE.match(kind):
            raise ValueError(f"Person identifier type {kind!r} must be a short lower-case name such as crn.")
        if value is None or str(value).strip() == "":
            raise ValueError(f"Person identifier {kind!r} has no value.")
        result[kind] = str(value).strip()
    return result


def ordering_key(person_ids: Mapping[str, str], subject: str) -> str:
    """Events with the same key reach each handler in the order they were committed. The key is the
    person (by the preferred identifier present), or the subject for events about no person."""
    for kind in ORDERING_PREFERENCE:
        if kind in person_ids:
            return f"{kind}:{person_ids[kind]}"
    if person_ids:
        kind = sorted(person_ids)[0]
        return f"{kind}:{person_ids[kind]}"
    return f"subject:{subject}"


def default_source(event_type: str) -> str:
    return f"/caselink/{event_type.split('.', 1)[0]}"


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 5 s, 10 s, 20 s ... doubling, at most an hour."""
    exponent = max(attempts - 1, 0)
    if exponent > 20:
        return BACKOFF_CAP
    return min(BACKOFF_BASE * (2**exponent), BACKOFF_CAP)


def describe_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text[:2000]


@dataclass(frozen=True)
class Event:
    """What a handler receives: an event as committed, in CloudEvents terms."""

    position: int
    id: uuid.UUID
    type: str
    source: str
    subject: str
    time: datetime
    data: dict[str, Any] = field(default_factory=dict)
    person_ids: dict[str, str] = field(default_factory=dict)
    detail_url: str | None = None
    dataversion: int = 1
    specversion: str = SPEC_VERSION
    datacontenttype: str = JSON

    def envelope(self) -> dict[str, Any]:
        """The CloudEvents 1.0 JSON form. Extension attributes are flat strings, as the spec requires:
        ``personids`` is ``type:value`` pairs separated by spaces; the data repeats them structured."""
        body: dict[str, Any] = {
            "specversion": self.specversion,
            "id": str(self.id),
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": self.datacontenttype,
            "dataversion": self.dataversion,
            "data": self.data,
        }
        if self.person_ids:
            body["personids"] = " ".join(f"{k}:{v}" for k, v in sorted(self.person_ids.items()))
        if self.detail_url:
            body["detailurl"] = self.detail_url
        return body
