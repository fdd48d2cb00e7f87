"""The webhook delivery worker (``caselink sharing deliver``).

One batch is one transaction:
1. claim due, pending deliveries with ``FOR UPDATE SKIP LOCKED`` (rows another worker holds are
   skipped, so any number of workers can run side by side);
2. POST them concurrently (``concurrency`` lanes, each sending one at a time over its own keep-alive
   connection), signed with Standard Webhooks headers, each with a short timeout;
3. record every outcome in two set-based UPDATEs — delivered (2xx), retry later with back-off
   (timeout, connection error, 5xx, 408/425/429), or dead with the reason (other 4xx, or too many
   attempts) — write the sharing log for what was delivered, and commit.

A worker that is cancelled (Ctrl-C, SIGTERM, ``task.cancel()``) finishes the batch in hand first, so
nothing sent is sent again. A worker that dies outright (power cut, SIGKILL) rolls back its batch, and
those messages are sent again: delivery is at least once, and receivers should ignore a webhook-id
they have already processed (Standard Webhooks says the same).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx
from sqlalchemy import ARRAY, BigInteger, Integer, SmallInteger, String, Text, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.types import DateTime

from caselink.sharing import rules
from caselink.sharing.service import log_webhook_deliveries

log = logging.getLogger("caselink.sharing.delivery")

DEFAULT_BATCH_SIZE = 200
DEFAULT_CONCURRENCY = 16
TIMEOUT = httpx.Timeout(10.0, connect=3.0)
# What a lane sends with: our own connection pool (the worker), or an httpx client (tests pass one).
Lane = httpx.AsyncClient | httpcore.AsyncConnectionPool
Lanes = Sequence[Lane]


def _cache_missing_sniffio() -> None:
    """httpcore asks ``import sniffio`` on every request (to tell asyncio from trio). Without the
    package installed that import fails each time after searching the whole of sys.path — measured
    at a quarter of the delivery worker's time. A None entry in sys.modules makes the same import
    fail at once (the documented negative cache); nothing changes where sniffio is installed."""
    if "sniffio" in sys.modules:
        return
    try:
        import sniffio  # noqa: F401
    except ImportError:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_cache_missing_sniffio()

_CLAIM = text(
    """
    SELECT d.id, d.message_id, d.attempts, s.client_pk, c.name AS client_name, s.webhook_url,
           s.secret, s.previous_secret, s.previous_secret_expires_at,
           e.id AS event_id, e.type AS event_type, e.time, e.subject, e.person_ids, e.detail_url
    FROM sharing_webhook_deliveries d
    JOIN sharing_subscriptions s ON s.id = d.subscription_id
    JOIN api_clients c ON c.id = s.client_pk
    JOIN events e ON e.position = d.event_position
    WHERE d.status = 'pending' AND d.next_attempt_at <= :now
      AND s.deleted_at IS NULL AND c.revoked_at IS NULL AND c.expires_at > :now
    ORDER BY d.next_attempt_at, d.id
    LIMIT :limit
    FOR UPDATE OF d SKIP LOCKED
    """
).bindparams(bindparam("now", type_=DateTime(timezone=True)))

_DELIVERED = text(
    """
    UPDATE sharing_webhook_deliveries
    SET status = 'delivered', attempts = attempts + 1, delivered_at = :now, last_error = NULL,
        last_status = data.status
    FROM unnest(:ids, :statuses) AS data(id, status)
    WHERE sharing_webhook_deliveries.id = data.id
    """
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger())),
    bindparam("statuses", type_=ARRAY(BigInteger())),
    bindparam("now", type_=DateTime(timezone=True)),
)

_FAILED = text(
    """
    UPDATE sharing_webhook_deliveries
    SET attempts = data.attempts, last_error = data.error, last_status = data.last_status,
        next_attempt_at = data.next_attempt_at, status = data.status,
        dead_at = CASE WHEN data.status = 'dead' THEN :now END
    FROM unnest(:ids, :attempts, :errors, :last_statuses, :next_attempts, :statuses)
         AS data(id, attempts, error, last_status, next_attempt_at, status)
    WHERE sharing_webhook_deliveries.id = data.id
    """
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger())),
    bindparam("attempts", type_=ARRAY(Integer())),
    bindparam("errors", type_=ARRAY(Text())),
    bindparam("last_statuses", type_=ARRAY(SmallInteger())),
    bindparam("next_attempts", type_=ARRAY(DateTime(timezone=True))),
    bindparam("statuses", type_=ARRAY(String())),
    bindparam("now", type_=DateTime(timezone=True)),
)

# Deliveries whose client was revoked or expired are never sent; close them rather than let them wait.
_CANCEL_ORPHANS = text(
    """
    UPDATE sharing_webhook_deliveries d
    SET status = 'cancelled', last_error = 'The client was revoked or expired before delivery.'
    FROM sharing_subscriptions s JOIN api_clients c ON c.id = s.client_pk
    WHERE d.subscription_id = s.id AND d.status = 'pending'
      AND (c.revoked_at IS NOT NULL OR c.expires_at <= :now)
    """
).bindparams(bindparam("now", type_=DateTime(timezone=True)))


@dataclass
class Outcome:
    delivery_id: int
    status: int | None = None  # HTTP status, when the receiver answered
    error: str | None = None  # None: delivered
    retryable: bool = True


@dataclass
class BatchResult:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.dead += other.dead
        self.errors.extend(other.errors)


def build_request(row: Any, now: datetime) -> tuple[bytes, dict[str, str]]:
    event = rules.thin_event(
        event_id=str(row.event_id),
        event_type=row.event_type,
        time=row.time,
        subject=row.subject,
        person_ids=row.person_ids or {},
        detail_url=row.detail_url,
    )
    body = rules.webhook_body(event, now)
    in_use = rules.signing_secrets(row.secret, row.previous_secret, row.previous_secret_expires_at, now)
    return body, rules.webhook_headers(in_use, str(row.message_id), int(now.timestamp()), body)


_CORE_TIMEOUTS = {"timeout": TIMEOUT.as_dict()}
# Failures of the transport: the receiver is unreachable, broke the connection or spoke bad HTTP.
_CORE_ERRORS = (
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpcore.ProxyError,
    OSError,
    ValueError,  # a URL httpcore cannot use
)


@functools.lru_cache(maxsize=1024)
def _core_url(url: str) -> httpcore.URL:
    """httpx's parsing (IDNA hosts, percent-encoding), in the form httpcore sends."""
    parsed = httpx.URL(url)
    return httpcore.URL(scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port, target=parsed.raw_path)


async def _post(http: Lane, row: Any, now: datetime) -> Outcome:
    body, headers = build_request(row, now)
    try:
        if isinstance(http, httpcore.AsyncConnectionPool):
            # httpcore directly: the same HTTP/1.1 connections as httpx, without its per-request
            # client layer (request/response models, auth, redirects, cookies): ~40% less CPU.
            response = await http.request(
                b"POST",
                _core_url(row.webhook_url),
                headers=[(k.encode(), v.encode()) for k, v in headers.items()],
                content=body,
                extensions=_CORE_TIMEOUTS,
            )
            status = response.status
        else:
            status = (await http.post(row.webhook_url, content=body, headers=headers)).status_code
    except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
        return Outcome(row.id, error=f"The receiver did not answer in time ({type(exc).__name__}).")
    except (httpx.HTTPError, *_CORE_ERRORS) as exc:
        return Outcome(row.id, error=f"Could not reach the receiver: {type(exc).__name__}: {exc}"[:500])
    if 200 <= status < 300:
        return Outcome(row.id, status=status)
    retryable = rules.is_retryable_status(status)
    reason = f"The receiver answered HTTP {status}"
    if not retryable:
        reason += " (a refusal; fix the receiver, then replay)"
    return Outcome(row.id, status=status, error=reason + ".", retryable=retryable)


async def _send_all(lanes: Lanes, rows: Sequence[Any], now: datetime) -> list[Outcome]:
    """Send ROWS over LANES: each lane sends one request at a time over its own keep-alive
    connection, the lanes run concurrently (so at most len(LANES) requests are in flight: a
    semaphore without a task per row)."""
    waiting = list(reversed(rows))
    outcomes: list[Outcome] = []

    async def lane(http: Lane) -> None:
        while waiting:
            outcomes.append(await _post(http, waiting.pop(), now))

    await asyncio.gather(*(lane(http) for http in lanes[: max(1, len(rows))]))
    return outcomes


async def run_batch(
    db: AsyncSession,
    http: Lanes,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime | None = None,
    max_attempts: int = rules.MAX_ATTEMPTS,
) -> BatchResult:
    """Claim, send and record one batch in ``db``'s transaction, then commit. ``now`` stands in for
    the clock (tests use it to make retries due)."""
    now = now or datetime.now(UTC)
    rows: Sequence[Any] = (await db.execute(_CLAIM, {"now": now, "limit": batch_size})).all()
    result = BatchResult(claimed=len(rows))
    if not rows:
        await db.commit()
        return result
    # Signed with the real clock even when `now` is simulated: receivers check it against theirs.
    sent_at = datetime.now(UTC)
    outcomes = await _send_all(http, rows, sent_at)
    by_id = {row.id: row for row in rows}
    delivered = [o for o in outcomes if o.error is None]
    failed: dict[str, list[Any]] = {k: [] for k in ("ids", "attempts", "errors", "last_statuses", "next_attempts")}
    statuses: list[str] = []
    for outcome in outcomes:
        if outcome.error is None:
            continue
        row = by_id[outcome.delivery_id]
        attempts = row.attempts + 1
        dead = not outcome.retryable or attempts >= max_attempts
        failed["ids"].append(row.id)
        failed["attempts"].append(attempts)
        failed["errors"].append(outcome.error)
        failed["last_statuses"].append(outcome.status)
        failed["next_attempts"].append(now + rules.backoff(attempts))
        statuses.append("dead" if dead else "pending")
        if dead:
            result.dead += 1
        else:
            result.retrying += 1
        result.errors.append(f"{row.message_id} → {row.webhook_url}: {outcome.error}")
        (log.error if dead else log.warning)(
            "webhook delivery failed",
            extra={"delivery_id": row.id, "attempts": attempts, "dead": dead, "error": outcome.error},
        )
    if statuses:
        await db.execute(_FAILED, {**failed, "statuses": statuses, "now": now})
    if delivered:
        await db.execute(
            _DELIVERED,
            {"ids": [o.delivery_id for o in delivered], "statuses": [o.status for o in delivered], "now": now},
        )
        await log_webhook_deliveries(
            db,
            [
                {
                    "client_pk": by_id[o.delivery_id].client_pk,
                    "client_name": by_id[o.delivery_id].client_name,
                    "event_id": by_id[o.delivery_id].event_id,
                    "event_type": by_id[o.delivery_id].event_type,
                    "person_ids": by_id[o.delivery_id].person_ids,
                }
                for o in delivered
            ],
        )
    result.delivered = len(delivered)
    await db.commit()
    return result


def http_lanes(concurrency: int = DEFAULT_CONCURRENCY) -> list[Lane]:
    """CONCURRENCY small connection pools, each sending one request at a time over its own keep-alive
    connection, all sharing one TLS context (the CA bundle loaded once, not once per lane).

    Not one pool of CONCURRENCY connections: httpcore's pool re-examines every connection (a
    socket-readable check each) whenever a request starts or ends, which made one shared client
    slower than the lanes (profiled: 60% of delivery time at 16 connections). Not httpx's client on
    top: its per-request layer cost ~40% more CPU for nothing the worker uses. Redirects
    are never followed (a redirect could carry the message somewhere the client never named), and no
    proxy is taken from the environment."""
    tls = httpx.create_ssl_context()
    return [
        httpcore.AsyncConnectionPool(ssl_context=tls, max_connections=4, max_keepalive_connections=4)
        for _ in range(concurrency)
    ]


def _lanes(http: Lane | Lanes | None, concurrency: int) -> tuple[Lanes, bool]:
    """(lanes, whether we own them). One client given (tests): it serves every lane."""
    if http is None:
        return http_lanes(concurrency), True
    if isinstance(http, httpx.AsyncClient | httpcore.AsyncConnectionPool):
        return [http] * concurrency, False
    return http, False


async def _close(lanes: Lanes) -> None:
    for http in lanes:
        await http.aclose()


async def cancel_orphans(db: AsyncSession, now: datetime | None = None) -> None:
    await db.execute(_CANCEL_ORPHANS, {"now": now or datetime.now(UTC)})
    await db.commit()


async def deliver_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    http: Lane | Lanes | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    now: datetime | None = None,
    max_attempts: int = rules.MAX_ATTEMPTS,
) -> BatchResult:
    """Deliver until nothing is due (the run-once function for tests and cron-style use)."""
    total = BatchResult()
    lanes, owned = _lanes(http, concurrency)
    try:
        async with sessionmaker() as db:
            await cancel_orphans(db, now)
        while True:
            async with sessionmaker() as db:
                result = await run_batch(db, lanes, batch_size=batch_size, now=now, max_attempts=max_attempts)
            total.add(result)
            if result.claimed < batch_size:
                break
    finally:
        if owned:
            await _close(lanes)
    return total


async def run_worker(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    stop: asyncio.Event | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    idle_seconds: float = 0.5,
    http: Lane | Lanes | None = None,
) -> None:
    """Deliver until ``stop`` is set or the task is cancelled; either way the batch in hand is
    finished and recorded first. Run as many as you like side by side."""
    stop = stop or asyncio.Event()
    lanes, owned = _lanes(http, concurrency)
    last_tidy = 0.0
    loop = asyncio.get_running_loop()
    log.info("webhook delivery worker started")
    try:
        while not stop.is_set():
            if loop.time() - last_tidy > 60:
                last_tidy = loop.time()
                with contextlib.suppress(Exception):
                    async with sessionmaker() as db:
                        await cancel_orphans(db)
            batch = asyncio.ensure_future(_one_batch(sessionmaker, lanes, batch_size))
            try:
                result = await asyncio.shield(batch)
            except asyncio.CancelledError:
                # Stopping: let the messages in flight be answered and recorded, then stop.
                await _finish(batch)
                raise
            if result is None:
                await _sleep_or_stop(stop, idle_seconds * 4)
            elif result.claimed < batch_size:
                await _sleep_or_stop(stop, idle_seconds)
    finally:
        if owned:
            await _close(lanes)
        log.info("webhook delivery worker stopped")


async def _one_batch(
    sessionmaker: async_sessionmaker[AsyncSession], lanes: Lanes, batch_size: int
) -> BatchResult | None:
    try:
        async with sessionmaker() as db:
            return await run_batch(db, lanes, batch_size=batch_size)
    except Exception:
        # The database went away: nothing was recorded, so the batch is simply claimed again later.
        log.exception("webhook delivery batch failed")
        return None


async def _finish(batch: asyncio.Future[BatchResult | None]) -> None:
    with contextlib.suppress(Exception):
        await batch


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
