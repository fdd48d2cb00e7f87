"""Idempotency keys for API writes that create records.

A client sends ``Idempotency-Key: <its own unique value>`` on a POST. The first request with a key
does the work; its response is stored *in the same transaction* as the record it created, so either
both exist or neither. A retry with the same key and the same body gets the stored response (with
``Idempotent-Replayed: true``) and creates nothing; the same key with a different body is refused
(422 problem). Two requests racing with one key: the second waits on the key's unique index until the
first commits, then gets its response. Only successes are remembered: a refused request can be fixed
and retried with the same key. Keys are per client (or member of staff) and per route, and are kept
for KEY_LIFETIME.

Using it in a route (see caselink.sharing.api for a worked example)::

    @router.post("/things", status_code=201)
    async def create_thing(request: Request, body: ThingIn, actor: ..., db: DbSession) -> Response:
        claim = await idempotency.claim(db, request, actor, body.model_dump(mode="json"))
        if claim.replay is not None:
            return claim.replay
        out = await service.create_thing(db, actor, body, idempotency=claim)
        return JSONResponse(out.model_dump(mode="json"), status_code=201)

and in the service, just before its commit::

    await idempotency.remember(db, claim, 201, out.model_dump(mode="json"))
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, UniqueConstraint, bindparam, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base
from caselink.platform.access.actor import Actor
from caselink.platform.errors import FieldError, ValidationFailed

HEADER = "Idempotency-Key"
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as in the IETF draft's examples (UUIDs)
KEY_LIFETIME = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    actor: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("actor", "method", "path", "key", name="uq_idempotency_keys_actor_route_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )


@dataclass
class Claim:
    """What ``claim`` found: ``replay`` is the stored response to send back as it is, or None when
    this request does the work (then ``remember`` stores its response before the commit)."""

    record_id: int | None = None
    replay: JSONResponse | None = None


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


_CLAIM = text(
    """
    INSERT INTO idempotency_keys (actor, method, path, key, request_hash)
    VALUES (:actor, :method, :path, :key, :request_hash)
    ON CONFLICT (actor, method, path, key) DO NOTHING
    RETURNING id
    """
)
_EXISTING = text(
    """
    SELECT id, request_hash, status_code, response_body, created_at FROM idempotency_keys
    WHERE actor = :actor AND method = :method AND path = :path AND key = :key
    """
)
_REMEMBER = text("UPDATE idempotency_keys SET status_code = :status, response_body = :body WHERE id = :id").bindparams(
    bindparam("body", type_=JSONB())
)
_RETAKE = text("UPDATE idempotency_keys SET request_hash = :request_hash, created_at = now() WHERE id = :id")
_FORGET = text("DELETE FROM idempotency_keys WHERE id = :id")


async def claim(db: AsyncSession, request: Request, actor: Actor, body: Any) -> Claim:
    """Read the request's Idempotency-Key (none: an empty Claim, the work simply runs) and either
    reserve it in the caller's transaction or find the stored response."""
    key = request.headers.get(HEADER)
    if key is None:
        return Claim()
    if not KEY.match(key):
        raise ValidationFailed(
            FieldError(f"header.{HEADER}", f"{HEADER} must be 1–255 visible characters, such as a UUID.")
        )
    params = {
        "actor": actor.audit_label[:200],
        "method": request.method,
        "path": request.url.path[:300],
        "key": key,
        "request_hash": request_hash(body),
    }
    # A first request reserves the key; a concurrent one with the same key waits here for it.
    record_id = await db.scalar(_CLAIM, params)
    if record_id is not None:
        return Claim(record_id=int(record_id))
    existing = (await db.execute(_EXISTING, params)).one()
    if existing.created_at < datetime.now(existing.created_at.tzinfo) - KEY_LIFETIME:
        # Expired: the key is free again.
        await db.execute(_FORGET, {"id": existing.id})
        return Claim(record_id=int(await db.scalar(_CLAIM, params)))
    if existing.status_code is None:
        # Committed without a response: the first request was refused (and its refusal audited).
        # Only successes are remembered, so this request may try again under the same key.
        await db.execute(_RETAKE, {"id": existing.id, "request_hash": params["request_hash"]})
        return Claim(record_id=int(existing.id))
    if existing.request_hash != params["request_hash"]:
        raise ValidationFailed(
            FieldError(
                f"header.{HEADER}",
                f"This {HEADER} was already used with a different request body; use a new key for a new request.",
            )
        )
    return Claim(
        replay=JSONResponse(existing.response_body, status_code=existing.status_code, headers={REPLAYED_HEADER: "true"})
    )


async def remember(db: AsyncSession, claim: Claim | None, status: int, body: dict[str, Any]) -> None:
    """Store the response of the request that did the work, in the caller's transaction (call it
    just before the commit that keeps the created record)."""
    if claim is None or claim.record_id is None:
        return
    await db.execute(_REMEMBER, {"id": claim.record_id, "status": status, "body": body})


async def purge_expired(db: AsyncSession, now: datetime) -> int:
    """Delete keys older than KEY_LIFETIME; the caller commits. Returns how many."""
    result = await db.execute(
        text("DELETE FROM idempotency_keys WHERE created_at < :cutoff"), {"cutoff": now - KEY_LIFETIME}
    )
    return int(getattr(result, "rowcount", 0) or 0)
