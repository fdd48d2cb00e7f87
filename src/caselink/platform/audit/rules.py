"""Pure audit rules: the canonical form of an entry, its hash, verification of the chain, and
the auditor's search filters."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from caselink.platform.errors import FieldError

GENESIS_HASH = "0" * 64  # the "previous hash" of the first entry in the chain

# The columns the hash covers, in this order; everything an entry says, plus its chain position.
HASHED_FIELDS = (
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
    "chain_seq",
    "prev_hash",
)

OUTCOMES = ("allowed", "refused", "error")


def _canonical_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def canonical_json(entry: Mapping[str, Any]) -> bytes:
    """One byte string per entry: sorted keys, no spaces, UTF-8, timestamps in UTC to the microsecond."""
    body = {name: _canonical_value(entry[name]) for name in HASHED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    """sha256 over the entry's canonical JSON, which includes the previous entry's hash."""
    return hashlib.sha256(canonical_json(entry)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int | None
    chain_seq: int
    problem: str

    def describe(self) -> str:
        where = f"entry {self.entry_id}" if self.entry_id is not None else "an entry"
        return f"Audit chain broken at {where} (chain position {self.chain_seq}): {self.problem}"


@dataclass
class ChainVerifier:
    """Feed sealed entries in chain order; stops at the first break. Incremental, so verification
    streams through a table of any size in constant memory."""

    checked: int = 0
    last_hash: str = GENESIS_HASH
    broken: ChainBreak | None = None

    def feed(self, entry: Mapping[str, Any]) -> bool:
        """False once the chain is broken (at this entry or before)."""
        if self.broken:
            return False
        expected_seq = self.checked + 1
        seq = entry["chain_seq"]
        if seq != expected_seq:
            self.broken = ChainBreak(
                entry["id"], expected_seq, f"chain position {expected_seq} is missing (next found is {seq})"
            )
            return False
        if entry["prev_hash"] != self.last_hash:
            self.broken = ChainBreak(entry["id"], seq, "its previous-hash does not match the entry before it")
            return False
        if entry["hash"] != entry_hash(entry):
            self.broken = ChainBreak(entry["id"], seq, "its content does not match its hash (changed after sealing)")
            return False
        self.checked += 1
        self.last_hash = entry["hash"]
        return True


def verify_chain(entries: Iterable[Mapping[str, Any]]) -> ChainBreak | None:
    verifier = ChainVerifier()
    for entry in entries:
        if not verifier.feed(entry):
            break
    return verifier.broken


@dataclass(frozen=True)
class AuditQuery:
    """The auditor's search: by subject ("who looked at this person"), by user ("what did this
    user look at"), by action and by date range (inclusive days)."""

    subject_type: str | None = None
    subject_id: str | None = None
    user: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_detail(self) -> dict[str, str]:
        """The filters as recorded in the audit of the search itself."""
        return {k: str(v) for k, v in vars(self).items() if v not in (None, "")}


def _clean(value: str | None, limit: int = 200) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


def _parse_date(raw: str | None, field: str, errors: list[FieldError]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(field, "Enter a real date in the format YYYY-MM-DD, for example 2026-03-27"))
        return None


def parse_query(
    subject_type: str | None = None,
    subject_id: str | None = None,
    user: str | None = None,
    action: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> tuple[AuditQuery, list[FieldError]]:
    errors: list[FieldError] = []
    start = _parse_date(date_from, "date_from", errors)
    end = _parse_date(date_to, "date_to", errors)
    if start and end and end < start:
        errors.append(FieldError("date_to", "The end date must be the same as or after the start date"))
    query = AuditQuery(
        subject_type=_clean(subject_type, 50),
        subject_id=_clean(subject_id, 100),
        user=_clean(user),
        action=_clean(action, 100),
        date_from=start,
        date_to=end,
    )
    if query.subject_id and not query.subject_type:
        # A bare id is almost always a person's: "who looked at this person".
        query = AuditQuery(**{**vars(query), "subject_type": "person"})
    return query, errors


def actor_labels_for(user: str) -> list[str]:
    """An auditor types a username; match staff and API clients of that name (or an exact label)."""
    if ":" in user:
        return [user]
    return [f"staff:{user}", f"client:{user}"]
