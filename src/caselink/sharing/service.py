"""Sharing use cases: API clients' subscriptions, the pull feed, the outbox handler's fan-out to
webhook deliveries and the feed, dead letters and replay, and each person's sharing log.

How events leave Caselink (docs/decisions/0021-webhooks-feed-and-sharing-log.md):
- the outbox relay hands every shareable event to ``enqueue_event`` (handlers.py) in its own
  transaction: one feed entry, and one pending webhook delivery per matching subscription;
- ``caselink sharing deliver`` (delivery.py) POSTs the pending deliveries, signed;
- ``GET /api/v1/feed`` reads the feed entries after a cursor.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ARRAY, BigInteger, String, Uuid, and_, bindparam, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts.models import ApiClient
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, Forbidden, Gone, NotFound, ValidationFailed
from caselink.platform.events.models import OutboxEvent
from caselink.platform.events.rules import Event
from caselink.sharing import rules
from caselink.sharing.models import FeedEntry, SharingLogEntry, Subscription, WebhookDelivery
from caselink.sharing.retention import feed_horizon
from caselink.sharing.schemas import (
    DeliveryOut,
    DeliveryPage,
    FeedEvent,
    SecretRotated,
    SharingLogOut,
    SharingLogPage,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPage,
)

MAX_PAGE_SIZE = 200
MAX_FEED_LIMIT = 500
DELIVERY_STATUSES = ("pending", "delivered", "dead", "cancelled")
# One lock, held by an enqueuing transaction until it commits, so feed positions are commit order.
FEED_LOCK_KEY = 0x73686172_6566  # "sharef"

feed_t = FeedEntry.__table__
events_t = OutboxEvent.__table__
subs_t = Subscription.__table__
deliveries_t = WebhookDelivery.__table__
clients_t = ApiClient.__table__
log_t = SharingLogEntry.__table__


def utcnow() -> datetime:
    return datetime.now(UTC)


def _client_pk(actor: Actor) -> int:
    """The calling API client. Staff holding events:read (administrators) pass the route's check
    but own no subscriptions: to them the subscription routes answer as for a client with none
    (``NO_CLIENT`` matches no row), and the feed is empty."""
    if actor.kind is not ActorKind.CLIENT or actor.id is None:
        return NO_CLIENT
    return actor.id


NO_CLIENT = -1


def _client_label(actor: Actor) -> str:
    return (actor.display_name or actor.name)[:200]


def _page_errors(page: int, page_size: int, maximum: int = MAX_PAGE_SIZE) -> list[FieldError]:
    errors = []
    if page < 1:
        errors.append(FieldError("page", "Page must be 1 or more."))
    if not 1 <= page_size <= maximum:
        errors.append(FieldError("page_size", f"Page size must be between 1 and {maximum}."))
    return errors


# -- subscriptions ---------------------------------------------------------------------------------


def subscription_out(sub: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=sub.public_id,
        event_types=list(sub.event_types),
        units=list(sub.unit_codes),
        regions=list(sub.region_codes),
        delivery="webhook" if sub.webhook_url else "feed",
        webhook_url=sub.webhook_url,
        created_at=sub.created_at,
        previous_secret_valid_until=sub.previous_secret_expires_at
        if sub.previous_secret and sub.previous_secret_expires_at and sub.previous_secret_expires_at > utcnow()
        else None,
    )


def _check_subscription(data: SubscriptionIn) -> list[FieldError]:
    errors: list[FieldError] = []
    for i, pattern in enumerate(data.event_types):
        problem = rules.pattern_errors(pattern)
        if problem:
            errors.append(FieldError(f"event_types.{i}", problem))
    for name, codes, label in (("units", data.units, "unit"), ("regions", data.regions, "region")):
        errors.extend(FieldError(name, message) for message in rules.area_code_errors(codes, label))
    if data.webhook_url is not None:
        problem = rules.webhook_url_error(data.webhook_url.strip())
        if problem:
            errors.append(FieldError("webhook_url", problem))
    return errors


async def create_subscription(db: AsyncSession, actor: Actor, data: SubscriptionIn) -> SubscriptionCreated:
    """Subscribe the calling client. Refused (403, with the reason) for an event type its scopes do
    not allow; the refusal is audited."""
    client_pk = _client_pk(actor)
    if client_pk == NO_CLIENT:
        raise Conflict("Subscriptions belong to API clients; call this with a client's token from /oauth/token.")
    errors = _check_subscription(data)
    if errors:
        raise ValidationFailed(errors)
    refusals = [reason for p in data.event_types if (reason := rules.pattern_refusal(p, actor.scopes))]
    if rules.FEED_SCOPE not in actor.scopes:
        refusals.insert(0, f"Your client has no {rules.FEED_SCOPE} scope, which every subscription needs.")
    if refusals:
        await record(
            db,
            actor,
            "subscription.create",
            "api_client",
            client_pk,
            outcome="refused",
            detail={"event_types": data.event_types, "reasons": refusals},
        )
        await db.commit()
        raise Forbidden(" ".join(refusals))
    webhook_url = data.webhook_url.strip() if data.webhook_url else None
    secret = rules.new_secret() if webhook_url else None
    sub = Subscription(
        public_id="sub_" + secrets.token_hex(8),
        client_pk=client_pk,
        event_types=list(dict.fromkeys(data.event_types)),
        unit_codes=sorted(set(data.units)),
        region_codes=sorted(set(data.regions)),
        webhook_url=webhook_url,
        secret=secret,
        created_at=utcnow(),
    )
    db.add(sub)
    await db.flush()
    out = SubscriptionCreated(**subscription_out(sub).model_dump(), secret=secret)
    await record(
        db,
        actor,
        "subscription.create",
        "subscription",
        sub.public_id,
        detail={
            "event_types": sub.event_types,
            "units": sub.unit_codes,
            "regions": sub.region_codes,
            "webhook_url": webhook_url,
        },
    )
    await db.commit()
    return out


async def _own_subscription(db: AsyncSession, actor: Actor, public_id: str, lock: bool = False) -> Subscription:
    client_pk = _client_pk(actor)
    query = select(Subscription).where(
        Subscription.public_id == public_id, Subscription.client_pk == client_pk, Subscription.deleted_at.is_(None)
    )
    sub = await db.scalar(query.with_for_update() if lock else query)
    if sub is None:
        raise NotFound(f"Your client has no subscription {public_id!r}.")
    return sub


async def list_subscriptions(db: AsyncSession, actor: Actor, page: int = 1, page_size: int = 50) -> SubscriptionPage:
    client_pk = _client_pk(actor)
    errors = _page_errors(page, page_size)
    if errors:
        raise ValidationFailed(errors)
    mine = and_(Subscription.client_pk == client_pk, Subscription.deleted_at.is_(None))
    total = int(await db.scalar(select(func.count()).select_from(Subscription).where(mine)) or 0)
    subs = (
        await db.scalars(
            select(Subscription).where(mine).order_by(Subscription.id).limit(page_size).offset((page - 1) * page_size)
        )
    ).all()
    return SubscriptionPage(items=[subscription_out(s) for s in subs], page=page, page_size=page_size, total=total)


async def get_subscription(db: AsyncSession, actor: Actor, public_id: str) -> SubscriptionOut:
    return subscription_out(await _own_subscription(db, actor, public_id))


async def delete_subscription(db: AsyncSession, actor: Actor, public_id: str) -> None:
    """Stop a subscription; its deliveries not yet made are cancelled (kept, for the record)."""
    sub = await _own_subscription(db, actor, public_id, lock=True)
    now = utcnow()
    sub.deleted_at = now
    await db.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == sub.id, WebhookDelivery.status.in_(("pending", "dead")))
        .values(status="cancelled", last_error="The subscription was deleted.")
    )
    await record(db, actor, "subscription.delete", "subscription", public_id)
    await db.commit()


async def rotate_secret(db: AsyncSession, actor: Actor, public_id: str) -> SecretRotated:
    """A new signing secret; the old one stays valid (messages carry both signatures) for
    rules.ROTATION_GRACE so the receiver can switch without losing a message."""
    sub = await _own_subscription(db, actor, public_id, lock=True)
    if not sub.webhook_url or not sub.secret:
        raise ValidationFailed(FieldError("id", "This subscription reads the feed; it has no webhook secret."))
    now = utcnow()
    sub.previous_secret = sub.secret
    sub.previous_secret_expires_at = now + rules.ROTATION_GRACE
    sub.secret = rules.new_secret()
    await record(db, actor, "subscription.rotate_secret", "subscription", public_id)
    await db.commit()
    return SecretRotated(id=public_id, secret=sub.secret, previous_secret_valid_until=sub.previous_secret_expires_at)


# -- fan-out from the outbox -----------------------------------------------------------------------

_FEED_INSERT = text(
    """
    WITH feed_lock AS (SELECT pg_advisory_xact_lock(:lock_key) AS locked)
    INSERT INTO sharing_feed (event_position, event_type, unit_code, region_code)
    SELECT :position, :type, :unit, :region FROM feed_lock
    ON CONFLICT (event_position) DO NOTHING
    """
).bindparams(bindparam("lock_key", type_=BigInteger()))

_ENQUEUE = text(
    """
    INSERT INTO sharing_webhook_deliveries (message_id, subscription_id, event_position, status, attempts,
                                            next_attempt_at, replay_count)
    SELECT gen_random_uuid(), s.id, :position, 'pending', 0, now(), 0
    FROM sharing_subscriptions s JOIN api_clients c ON c.id = s.client_pk
    WHERE s.deleted_at IS NULL AND s.webhook_url IS NOT NULL
      AND c.revoked_at IS NULL AND c.expires_at > now()
      AND :feed_scope = ANY(c.scopes) AND c.scopes && :area_scopes
      AND EXISTS (
          SELECT 1 FROM unnest(s.event_types) AS p(pattern)
          WHERE p.pattern = :type OR (right(p.pattern, 2) = '.*' AND starts_with(:type, left(p.pattern, -1)))
      )
      AND ((cardinality(s.unit_codes) = 0 AND cardinality(s.region_codes) = 0)
           OR :unit = ANY(s.unit_codes) OR :region = ANY(s.region_codes))
    ON CONFLICT (subscription_id, event_position) DO NOTHING
    """
).bindparams(bindparam("area_scopes", type_=ARRAY(String())))


async def enqueue_event(db: AsyncSession, event: Event) -> None:
    """Put a committed event in the feed and queue a webhook delivery for each subscription that
    wants it and whose client may have it. Runs in the relay's transaction; idempotent (a replay of
    the event adds nothing that is already there)."""
    area = rules.EVENT_AREAS.get(event.type.split(".", 1)[0])
    if area is None:
        return
    unit, region = rules.event_area(event.data)
    params = {"position": event.position, "type": event.type, "unit": unit, "region": region}
    await db.execute(_FEED_INSERT, {**params, "lock_key": FEED_LOCK_KEY})
    await db.execute(
        _ENQUEUE, {**params, "feed_scope": rules.FEED_SCOPE, "area_scopes": [f"{area}:read", f"{area}:write"]}
    )


# -- the feed ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedResult:
    items: list[FeedEvent]
    next_seq: int


def _type_condition(patterns: Sequence[str]) -> Any:
    return or_(
        *[
            feed_t.c.event_type.startswith(p[:-1], autoescape=True) if p.endswith(".*") else feed_t.c.event_type == p
            for p in patterns
        ]
    )


def _area_condition(units: Sequence[str], regions: Sequence[str]) -> Any:
    if not units and not regions:
        return None
    return or_(feed_t.c.unit_code.in_(units), feed_t.c.region_code.in_(regions))


async def read_feed(db: AsyncSession, actor: Actor, after: str | None, limit: int, cursor_key: bytes) -> FeedResult:
    """Events after the cursor that the client's scopes allow (and, if it has feed subscriptions,
    that they ask for), oldest first. Every event about a person read here is in the sharing log."""
    client_pk = _client_pk(actor)
    errors = []
    if not 1 <= limit <= MAX_FEED_LIMIT:
        errors.append(FieldError("limit", f"Limit must be between 1 and {MAX_FEED_LIMIT}."))
    after_seq = 0
    if after is not None:
        try:
            after_seq = rules.decode_cursor(after, cursor_key)
        except rules.BadCursor as exc:
            errors.append(FieldError("after", f"{exc} Start without ?after= or use a 'next' cursor from the feed."))
    if errors:
        raise ValidationFailed(errors)
    horizon = await feed_horizon(db)
    latest = max(int(await db.scalar(select(func.coalesce(func.max(feed_t.c.seq), 0))) or 0), horizon)
    if after_seq > latest:
        raise ValidationFailed(
            FieldError("after", "The cursor points past the end of the feed; it does not exist here.")
        )
    if after is not None and after_seq < horizon:
        oldest = rules.encode_cursor(horizon, cursor_key)
        raise Gone(
            "Events after this cursor have been removed from the feed under the retention policy, so "
            "reading on from it would skip them. Start again from the oldest event kept: ask with "
            f"?after={oldest} (or without ?after=), and reconcile anything you may have missed "
            "through the detail endpoints.",
            extra={"oldest": oldest},
        )
    contexts = rules.allowed_contexts(actor.scopes) if client_pk != NO_CLIENT else []
    items: list[FeedEvent] = []
    rows: Sequence[Any] = []
    if contexts:
        conditions: list[Any] = [
            feed_t.c.seq > after_seq,
            func.split_part(feed_t.c.event_type, ".", 1).in_(contexts),
        ]
        pulls = (
            await db.scalars(
                select(Subscription).where(
                    Subscription.client_pk == client_pk,
                    Subscription.deleted_at.is_(None),
                    Subscription.webhook_url.is_(None),
                )
            )
        ).all()
        if pulls:
            wanted = []
            for sub in pulls:
                parts = [_type_condition(sub.event_types)]
                area = _area_condition(sub.unit_codes, sub.region_codes)
                if area is not None:
                    parts.append(area)
                wanted.append(and_(*parts))
            conditions.append(or_(*wanted))
        rows = (
            await db.execute(
                select(
                    feed_t.c.seq,
                    events_t.c.id,
                    events_t.c.type,
                    events_t.c.time,
                    events_t.c.subject,
                    events_t.c.person_ids,
                    events_t.c.detail_url,
                )
                .select_from(feed_t.join(events_t, events_t.c.position == feed_t.c.event_position))
                .where(*conditions)
                .order_by(feed_t.c.seq)
                .limit(limit)
            )
        ).all()
        items = [
            FeedEvent(
                id=r.id,
                type=r.type,
                time=r.time,
                subject=r.subject,
                personIds=r.person_ids or {},
                detailUrl=r.detail_url,
            )
            for r in rows
        ]
    # A full page continues after its last entry; a short one has read everything up to `latest`
    # (entries commit in seq order), so the next read need not scan that stretch again.
    next_seq = rows[-1].seq if len(rows) == limit else max(latest, rows[-1].seq if rows else after_seq)
    if rows:
        await _log_shared(db, client_pk, _client_label(actor), "feed", [(r.id, r.type, r.person_ids) for r in rows])
    await record(db, actor, "feed.read", "api_client", client_pk, detail={"after": after_seq, "events": len(rows)})
    await db.commit()
    return FeedResult(items=items, next_seq=next_seq)


# -- the sharing log ---------------------------------------------------------------------------------

_LOG_INSERT = text(
    """
    INSERT INTO sharing_log (person_id, client_pk, client_name, event_id, event_type, channel)
    SELECT person_id, :client_pk, :client_name, event_id, event_type, :channel
    FROM unnest(:person_ids, :event_ids, :event_types) AS t(person_id, event_id, event_type)
    """
).bindparams(
    bindparam("person_ids", type_=ARRAY(BigInteger())),
    bindparam("event_ids", type_=ARRAY(Uuid())),
    bindparam("event_types", type_=ARRAY(String())),
)


def person_of(person_ids: dict[str, str] | None) -> int | None:
    value = (person_ids or {}).get("person")
    return int(value) if value and value.isdigit() else None


async def _log_shared(
    db: AsyncSession, client_pk: int, client_name: str, channel: str, shared: Sequence[tuple[Any, str, Any]]
) -> None:
    """One log row per shared event that is about a person (Caselink id in its identifiers)."""
    rows = [(person, event_id, event_type) for event_id, event_type, ids in shared if (person := person_of(ids))]
    if not rows:
        return
    await db.execute(
        _LOG_INSERT,
        {
            "client_pk": client_pk,
            "client_name": client_name,
            "channel": channel,
            "person_ids": [r[0] for r in rows],
            "event_ids": [r[1] for r in rows],
            "event_types": [r[2] for r in rows],
        },
    )


async def log_webhook_deliveries(db: AsyncSession, delivered: Sequence[dict[str, Any]]) -> None:
    """Record delivered webhooks in the sharing log (the delivery worker's transaction)."""
    by_client: dict[tuple[int, str], list[tuple[Any, str, Any]]] = {}
    for d in delivered:
        by_client.setdefault((d["client_pk"], d["client_name"]), []).append(
            (d["event_id"], d["event_type"], d["person_ids"])
        )
    for (client_pk, client_name), shared in by_client.items():
        await _log_shared(db, client_pk, client_name, "webhook", shared)


async def sharing_log(
    db: AsyncSession, actor: Actor, person_id: int, page: int = 1, page_size: int = 50
) -> SharingLogPage:
    """What outside systems received about a person, newest first. Reading it is audited."""
    errors = _page_errors(page, page_size)
    if errors:
        raise ValidationFailed(errors)
    mine = log_t.c.person_id == person_id
    total = int(await db.scalar(select(func.count()).select_from(log_t).where(mine)) or 0)
    rows = await db.execute(
        select(log_t.c.client_name, log_t.c.event_id, log_t.c.event_type, log_t.c.channel, log_t.c.shared_at)
        .where(mine)
        .order_by(log_t.c.shared_at.desc(), log_t.c.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    items = [SharingLogOut(**r._mapping) for r in rows]
    await record(db, actor, "person.sharing.read", "person", person_id, detail={"page": page})
    await db.commit()
    return SharingLogPage(items=items, page=page, page_size=page_size, total=total)


# -- administration: subscriptions, deliveries, dead letters, replay -------------------------------


@dataclass(frozen=True)
class SubscriptionAdminRow:
    id: str
    client_name: str
    client_id: str
    event_types: list[str]
    units: list[str]
    regions: list[str]
    webhook_url: str | None
    created_at: datetime
    pending: int
    dead: int


async def all_subscriptions(db: AsyncSession, limit: int = 200) -> list[SubscriptionAdminRow]:
    """Every active subscription with its pending and dead counts (one query)."""
    counts = (
        select(
            deliveries_t.c.subscription_id,
            func.count().filter(deliveries_t.c.status == "pending").label("pending"),
            func.count().filter(deliveries_t.c.status == "dead").label("dead"),
        )
        .where(deliveries_t.c.status.in_(("pending", "dead")))
        .group_by(deliveries_t.c.subscription_id)
        .subquery()
    )
    rows = await db.execute(
        select(
            subs_t.c.public_id,
            clients_t.c.name,
            clients_t.c.client_id,
            subs_t.c.event_types,
            subs_t.c.unit_codes,
            subs_t.c.region_codes,
            subs_t.c.webhook_url,
            subs_t.c.created_at,
            func.coalesce(counts.c.pending, 0),
            func.coalesce(counts.c.dead, 0),
        )
        .select_from(
            subs_t.join(clients_t, clients_t.c.id == subs_t.c.client_pk).outerjoin(
                counts, counts.c.subscription_id == subs_t.c.id
            )
        )
        .where(subs_t.c.deleted_at.is_(None))
        .order_by(subs_t.c.id.desc())
        .limit(limit)
    )
    return [
        SubscriptionAdminRow(
            id=r[0],
            client_name=r[1],
            client_id=r[2],
            event_types=list(r[3]),
            units=list(r[4]),
            regions=list(r[5]),
            webhook_url=r[6],
            created_at=r[7],
            pending=int(r[8]),
            dead=int(r[9]),
        )
        for r in rows
    ]


async def list_deliveries(
    db: AsyncSession, *, status: str | None = "dead", page: int = 1, page_size: int = 50
) -> DeliveryPage:
    errors = _page_errors(page, page_size)
    if status is not None and status not in DELIVERY_STATUSES:
        errors.append(FieldError("status", f"Status must be one of {', '.join(DELIVERY_STATUSES)}."))
    if errors:
        raise ValidationFailed(errors)
    conditions = [deliveries_t.c.status == status] if status else []
    total = int(await db.scalar(select(func.count()).select_from(deliveries_t).where(*conditions)) or 0)
    joined = (
        deliveries_t.join(subs_t, subs_t.c.id == deliveries_t.c.subscription_id)
        .join(clients_t, clients_t.c.id == subs_t.c.client_pk)
        .join(events_t, events_t.c.position == deliveries_t.c.event_position)
    )
    rows = await db.execute(
        select(
            deliveries_t.c.id,
            deliveries_t.c.message_id,
            subs_t.c.public_id.label("subscription_id"),
            clients_t.c.name.label("client_name"),
            subs_t.c.webhook_url,
            events_t.c.id.label("event_id"),
            events_t.c.type.label("event_type"),
            deliveries_t.c.status,
            deliveries_t.c.attempts,
            deliveries_t.c.last_status,
            deliveries_t.c.last_error,
            deliveries_t.c.next_attempt_at,
            deliveries_t.c.delivered_at,
            deliveries_t.c.dead_at,
            deliveries_t.c.replay_count,
        )
        .select_from(joined)
        .where(*conditions)
        .order_by(deliveries_t.c.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    items = [DeliveryOut(**r._mapping) for r in rows]
    return DeliveryPage(items=items, page=page, page_size=page_size, total=total)


async def replay_delivery(db: AsyncSession, actor: Actor, delivery_id: int) -> int:
    """Send a delivery again (a dead letter once the receiver is fixed, or any delivered one): back
    to pending, due now, attempts reset; the same webhook-id, so a receiver can tell. Commits."""
    row = (
        await db.execute(
            select(deliveries_t.c.id, deliveries_t.c.status, subs_t.c.deleted_at)
            .select_from(deliveries_t.join(subs_t, subs_t.c.id == deliveries_t.c.subscription_id))
            .where(deliveries_t.c.id == delivery_id)
            .with_for_update(of=deliveries_t)
        )
    ).first()
    if row is None:
        raise NotFound(f"There is no webhook delivery {delivery_id}.")
    if row.deleted_at is not None:
        raise ValidationFailed(FieldError("delivery_id", "Its subscription was deleted, so it cannot be replayed."))
    await db.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(
            status="pending",
            attempts=0,
            next_attempt_at=func.now(),
            last_error=None,
            dead_at=None,
            delivered_at=None,
            replay_count=WebhookDelivery.replay_count + 1,
            replayed_by=actor.audit_label[:200],
        )
    )
    await record(db, actor, "webhook.replay", "webhook_delivery", delivery_id, detail={"was": row.status})
    await db.commit()
    return delivery_id


async def replay_dead(db: AsyncSession, actor: Actor) -> int:
    ids = (await db.scalars(select(deliveries_t.c.id).where(deliveries_t.c.status == "dead"))).all()
    for delivery_id in ids:
        await replay_delivery(db, actor, delivery_id)
    return len(ids)
