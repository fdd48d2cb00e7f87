"""The sharing API: subscriptions (webhooks or the feed), the event feed, a person's sharing log, and
webhook deliveries for administrators. Integrators' guide: /developers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import PROBLEM
from caselink.sharing import rules, service
from caselink.sharing.schemas import (
    DeliveryPage,
    FeedPage,
    ReplayOut,
    SecretRotated,
    SharingLogPage,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPage,
)

router = APIRouter(tags=["sharing"])

Client = Annotated[Actor, Depends(requires("events:read"))]
Admin = Annotated[Actor, Depends(requires("sharing:manage"))]
Reader = Annotated[Actor, Depends(requires("people:read"))]


@router.post(
    "/subscriptions",
    response_model=SubscriptionCreated,
    status_code=201,
    responses={
        403: {"description": "An event type your client's scopes do not allow (the detail says which)."},
        422: {"description": "A malformed field."},
    },
)
async def create_subscription(body: SubscriptionIn, actor: Client, db: DbSession) -> SubscriptionCreated:
    """Subscribe to event types, by webhook (give `webhook_url`; the response carries the signing
    secret, shown once) or through the feed (no URL). Takes an `Idempotency-Key`, like every POST that
    creates a record (caselink.platform.idempotency)."""
    return await service.create_subscription(db, actor, body)


@router.get("/subscriptions", response_model=SubscriptionPage)
async def list_subscriptions(
    actor: Client,
    db: DbSession,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> SubscriptionPage:
    return await service.list_subscriptions(db, actor, page, page_size)


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
async def get_subscription(subscription_id: str, actor: Client, db: DbSession) -> SubscriptionOut:
    return await service.get_subscription(db, actor, subscription_id)


@router.delete("/subscriptions/{subscription_id}", status_code=204)
async def delete_subscription(subscription_id: str, actor: Client, db: DbSession) -> Response:
    await service.delete_subscription(db, actor, subscription_id)
    return Response(status_code=204)


@router.post("/subscriptions/{subscription_id}/secret", response_model=SecretRotated)
async def rotate_secret(subscription_id: str, actor: Client, db: DbSession) -> SecretRotated:
    """A new signing secret (shown once). For 24 hours messages carry signatures by both the old and
    the new secret, so you can switch your receiver over without losing a message."""
    return await service.rotate_secret(db, actor, subscription_id)


@router.get(
    "/feed",
    response_model=FeedPage,
    responses={
        410: {**PROBLEM, "description": "A cursor older than the feed keeps (retention): restart from its `oldest`."},
        422: {"description": "A cursor that is malformed or does not exist."},
    },
)
async def feed(
    request: Request,
    response: Response,
    actor: Client,
    db: DbSession,
    after: Annotated[str | None, Query(description="The `next` cursor of the previous page; omit to start.")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_FEED_LIMIT)] = 100,
) -> FeedPage:
    """Events your scopes allow (and your feed subscriptions ask for, if you have any), oldest
    first. Keep the `next` cursor and ask again; an empty page means you are up to date."""
    result = await service.read_feed(db, actor, after, limit, rules.cursor_key(request.app.state.settings.secret_key))
    next_cursor = rules.encode_cursor(result.next_seq, rules.cursor_key(request.app.state.settings.secret_key))
    link = request.url.include_query_params(after=next_cursor, limit=limit)
    response.headers["Link"] = f'<{link.path}?{link.query}>; rel="next"'
    return FeedPage(items=result.items, next=next_cursor)


@router.get("/people/{person_id}/sharing", response_model=SharingLogPage)
async def person_sharing(
    person_id: int,
    actor: Reader,
    db: DbSession,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> SharingLogPage:
    """Which outside systems received which events about this person, and when."""
    return await service.sharing_log(db, actor, person_id, page, page_size)


@router.get("/sharing/deliveries", response_model=DeliveryPage)
async def deliveries(
    actor: Admin,
    db: DbSession,
    status: Annotated[str | None, Query(description="pending, delivered, dead (default) or cancelled")] = "dead",
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> DeliveryPage:
    return await service.list_deliveries(db, status=status, page=page, page_size=page_size)


@router.post("/sharing/deliveries/{delivery_id}/replay", response_model=ReplayOut, status_code=202)
async def replay(delivery_id: int, actor: Admin, db: DbSession) -> ReplayOut:
    return ReplayOut(delivery_id=await service.replay_delivery(db, actor, delivery_id))
