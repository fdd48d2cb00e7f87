"""Idempotency keys for every API POST that creates a record (one mechanism, applied once).

A client sends ``Idempotency-Key: <its own unique value>`` on a POST under /api/v1 whose route answers
201. The first request with a key does the work; a retry with the same key and the same body gets
the stored response (with ``Idempotent-Replayed: true``) and creates nothing; the same key with a
different body is refused (422 problem, field ``header.Idempotency-Key``). Keys are per actor (the
authenticated one, as the access check sees it), method and path, and are kept for KEY_LIFETIME.
Decision record: docs/decisions/0050-idempotency-keys-on-every-creating-post.md.

How (``install(app)`` in create_app, before the routers are included; no route or service code):

1. ``IdempotencyMiddleware`` marks each POST under /api/v1 with a ``Pending`` holder.
2. ``guard``, an app-wide dependency that shares the request's session (``get_db``, cached per
   request), runs before the route: for a 201 route carrying a key it reserves the key with
   ``INSERT ... ON CONFLICT DO NOTHING`` in the request's own transaction. The service's commit
   then keeps the key together with the record it created; a request that fails before committing
   leaves no key. A concurrent duplicate waits on the key's unique index until the first commits,
   then waits (briefly) for its stored response and replays it.
3. When the route has answered 2xx, the middleware stores the status, JSON body and Location on the
   key row (UPDATE and commit on the same session), *before* sending the response. Between the
   service's commit and that store (milliseconds) the key exists without a response: a retry then
   waits up to RESPONSE_WAIT and otherwise gets 409 ("still being processed").
4. Only successes are remembered: when the route fails (an exception, or a non-2xx answer) after a
   commit that kept the key (a refusal the service audited, say), the key is deleted again, so the
   client can fix the request and retry with the same key.
5. ``document`` adds the optional header and the 409/422 answers to every such operation in the
   OpenAPI description.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, UniqueConstraint, bindparam, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caselink.db.base import Base
from caselink.db.session import get_db
from caselink.platform.access.declare import current_actor
from caselink.platform.errors import Conflict, FieldError, ValidationFailed

log = logging.getLogger("caselink.idempotency")

HEADER = "Idempotency-Key"
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as in the IETF draft's examples (UUIDs)
KEY_LIFETIME = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/v1/"
CREATED = 201
RESPONSE_WAIT = 5.0  # seconds a retry waits for a committed first request's response
POLL_EVERY = 0.02
KEPT_HEADERS = ("location",)  # response headers replayed with the body
SCOPE_KEY = "caselink.idempotency"

HEADER_DOC = (
    "Optional. Your own unique value (a UUID) for this request. Retrying with the same key and body returns "
    "the first response (with `Idempotent-Replayed: true`) and creates nothing more; the same key with another "
    "body is refused (422, field `header.Idempotency-Key`). Keys are kept for 24 hours, per client and path."
)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    actor: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[Any] = mapped_column(JSONB, nullable=True)  # any JSON, or none yet
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("actor", "method", "path", "key", name="uq_idempotency_keys_actor_route_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )


class Replayed(Exception):
    """Raised by the guard to answer with a stored response instead of running the route."""

    def __init__(self, response: Response) -> None:
        super().__init__("idempotent replay")
        self.response = response


@dataclass
class Pending:
    """One POST's state, shared by the middleware (which made it) and the guard (which fills it)."""

    db: AsyncSession | None = None
    record_id: int | None = None  # the key row this request reserved and has not yet settled

    async def succeeded(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        """Store the response on the key row and commit (the record itself is already committed)."""
        if self.db is None or self.record_id is None:
            return
        record_id, self.record_id = self.record_id, None
        try:
            stored: Any = json.loads(body) if body else None
        except ValueError:
            stored = body.decode("utf-8", "replace")
        try:
            await self.db.execute(
                _REMEMBER, {"id": record_id, "status": status, "body": stored, "headers": headers or None}
            )
            await self.db.commit()
        except Exception:
            # The record exists; a retry will be told the key is still being processed (409).
            log.exception("could not store the response of an idempotent request")

    async def failed(self, close: bool = False) -> None:
        """The request did not succeed: undo its key, so the same key can be used again. ``close``:
        the request's session may already be closed (an error escaped it), so close it again after."""
        if self.db is None or self.record_id is None:
            return
        record_id, self.record_id = self.record_id, None
        try:
            await self.db.rollback()
            await self.db.execute(_RELEASE, {"id": record_id})
            await self.db.commit()
            if close:
                await self.db.close()
        except Exception:
            log.exception("could not release the idempotency key of a failed request")


def request_hash(body: bytes, query: str = "") -> str:
    """The request's fingerprint: its JSON body with keys sorted and spaces dropped (so formatting does
    not matter), or the raw bytes when the body is not JSON, plus the query string."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body else b""
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical + b"\x00" + query.encode()).hexdigest()


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
    SELECT id, request_hash, status_code, response_body, response_headers, created_at FROM idempotency_keys
    WHERE actor = :actor AND method = :method AND path = :path AND key = :key
    """
)
_REMEMBER = text(
    "UPDATE idempotency_keys SET status_code = :status, response_body = :body, response_headers = :headers "
    "WHERE id = :id"
).bindparams(bindparam("body", type_=JSONB()), bindparam("headers", type_=JSONB()))
_RELEASE = text("DELETE FROM idempotency_keys WHERE id = :id AND status_code IS NULL")
_FORGET = text("DELETE FROM idempotency_keys WHERE id = :id AND created_at < :cutoff")


def _creates_a_record(request: Request) -> bool:
    route = request.scope.get("route")
    return getattr(route, "status_code", None) == CREATED


async def guard(request: Request, db: AsyncSession = Depends(get_db)) -> AsyncIterator[None]:
    """App-wide dependency: reserve the request's key (or replay its stored response) before the
    route runs, and release the key if the route then fails."""
    pending: Pending | None = request.scope.get(SCOPE_KEY)
    key = request.headers.get(HEADER)
    actor = current_actor(request)
    if pending is None or key is None or not actor.is_authenticated or not _creates_a_record(request):
        yield
        return
    if not KEY.match(key):
        raise ValidationFailed(
            FieldError(f"header.{HEADER}", f"{HEADER} must be 1–255 visible characters, such as a UUID.")
        )
    params = {
        "actor": actor.audit_label[:200],
        "method": request.method,
        "path": request.url.path[:300],
        "key": key,
        "request_hash": request_hash(await request.body(), request.url.query),
    }
    pending.db = db
    pending.record_id = await _claim(db, params)
    try:
        yield
    except Exception:
        await pending.failed()
        raise


async def _claim(db: AsyncSession, params: dict[str, Any]) -> int:
    """The id of the key row this request reserved; raises Replayed, ValidationFailed or Conflict."""
    deadline = time.monotonic() + RESPONSE_WAIT
    while True:
        # A first request reserves the key; a concurrent one with the same key waits here for it.
        record_id = await db.scalar(_CLAIM, params)
        if record_id is not None:
            return int(record_id)
        existing = (await db.execute(_EXISTING, params)).one_or_none()
        if existing is None:
            continue  # the first request failed and released its key: take it
        cutoff = datetime.now(existing.created_at.tzinfo) - KEY_LIFETIME
        if existing.created_at < cutoff:
            await db.execute(_FORGET, {"id": existing.id, "cutoff": cutoff})  # expired: free again
            continue
        if existing.request_hash != params["request_hash"]:
            raise ValidationFailed(
                FieldError(
                    f"header.{HEADER}",
                    f"This {HEADER} was already used with a different request body; use a new key for a new request.",
                )
            )
        if existing.status_code is not None:
            headers = {**(existing.response_headers or {}), REPLAYED_HEADER: "true"}
            raise Replayed(JSONResponse(existing.response_body, status_code=existing.status_code, headers=headers))
        if time.monotonic() >= deadline:
            raise Conflict(
                f"A request with this {HEADER} is still being processed; retry in a moment with the same key."
            )
        await asyncio.sleep(POLL_EVERY)


class IdempotencyMiddleware:
    """Holds back the response of a POST whose key the guard reserved until its outcome is settled on
    the key row (stored on success, released on failure), so a retry never sees an unsettled key
    after the client has the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        pending = Pending()
        scope[SCOPE_KEY] = pending
        held: Message | None = None
        body: list[bytes] = []

        async def settle_then_send(message: Message) -> None:
            nonlocal held
            if held is None and (message["type"] != "http.response.start" or pending.record_id is None):
                await send(message)
                return
            if held is None:
                held = message
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            status = int(held["status"])
            if 200 <= status < 300:
                headers = {
                    k.decode("latin-1").title(): v.decode("latin-1")
                    for k, v in held.get("headers", [])
                    if k.decode("latin-1").lower() in KEPT_HEADERS
                }
                await pending.succeeded(status, b"".join(body), headers)
            else:
                await pending.failed()
            await send(held)
            await send({"type": "http.response.body", "body": b"".join(body), "more_body": False})

        try:
            await self.app(scope, receive, settle_then_send)
        finally:
            await pending.failed(close=True)  # only when nothing else settled it (an error escaped)


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the optional header and the 409/422 answers on every creating POST under /api/v1."""
    for path, operations in schema.get("paths", {}).items():
        operation = operations.get("post")
        if not path.startswith(API_PREFIX) or not operation or str(CREATED) not in operation.get("responses", {}):
            continue
        parameters = operation.setdefault("parameters", [])
        if any(p.get("in") == "header" and p.get("name") == HEADER for p in parameters):
            continue
        parameters.append(
            {
                "name": HEADER,
                "in": "header",
                "required": False,
                "description": HEADER_DOC,
                "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY.pattern},
            }
        )
        responses = operation["responses"]
        created = responses[str(CREATED)]
        created.setdefault("headers", {})[REPLAYED_HEADER] = {
            "description": "`true` when this is the stored response to an earlier request with the same key.",
            "schema": {"type": "string", "enum": ["true"]},
        }
        for status, meaning in (
            ("409", f"A request with this {HEADER} is still being processed; retry with the same key."),
            ("422", f"An {HEADER} already used with a different body, or malformed (`header.{HEADER}`)."),
        ):
            answer = responses.setdefault(
                status,
                {
                    "description": "",
                    "content": {"application/problem+json": {"schema": {"type": "object"}}},
                },
            )
            answer["description"] = f"{answer['description']} Or: {meaning}" if answer["description"] else meaning
    return schema


def install(app: FastAPI) -> None:
    """Apply idempotency keys to every creating API POST. Call before the routers are included."""
    app.router.dependencies.append(Depends(guard))

    async def replay(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Replayed)
        return exc.response

    app.add_exception_handler(Replayed, replay)
    app.add_middleware(IdempotencyMiddleware)
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        return document(generate())

    app.openapi = openapi  # type: ignore[method-assign]


async def purge_expired(db: AsyncSession, now: datetime) -> int:
    """Delete keys older than KEY_LIFETIME; the caller commits. Returns how many."""
    result = await db.execute(
        text("DELETE FROM idempotency_keys WHERE created_at < :cutoff"), {"cutoff": now - KEY_LIFETIME}
    )
    return int(getattr(result, "rowcount", 0) or 0)


__all__ = [
    "HEADER",
    "KEY_LIFETIME",
    "REPLAYED_HEADER",
    "IdempotencyMiddleware",
    "IdempotencyRecord",
    "Pending",
    "Replayed",
    "document",
    "guard",
    "install",
    "purge_expired",
    "request_hash",
]
