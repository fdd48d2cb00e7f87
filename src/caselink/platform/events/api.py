"""Outbox administration as JSON: list deliveries (dead letters first of all) and replay them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.events import service
from caselink.platform.openapi import example_response

router = APIRouter(prefix="/events", tags=["events"])

# GET /events/{event_id} answers with the CloudEvents 1.0 JSON form of the event.
EVENT_EXAMPLE: dict[str, object] = {
    "specversion": "1.0",
    "id": "0b7e3c52-5f1d-4b8e-9a43-2f6c1d9e7a10",
    "source": "/caselink/prosecution",
    "type": "prosecution.charge.laid",
    "subject": "prosecution-case/7734",
    "time": "2026-03-10T09:30:00Z",
    "datacontenttype": "application/json",
    "dataversion": "1",
    "data": {"caseId": 7734, "urn": "01IX1234524", "defendantId": 5120, "unitCode": "CPS-LN", "regionCode": "London"},
    "personids": "person:4211",
    "detailurl": "/api/v1/prosecution/cases/7734",
}

Admin = Annotated[Actor, Depends(requires("events:manage"))]


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    handler: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None
    dead_at: datetime | None
    replay_count: int
    event_id: uuid.UUID
    event_type: str
    event_subject: str
    event_time: datetime


class DeliveryPageOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 66120,
                            "handler": "courts.first_hearing_listing",
                            "status": "dead",
                            "attempts": 8,
                            "next_attempt_at": "2026-03-10T16:00:00Z",
                            "last_error": "ValidationFailed: no magistrates' court for unit 1244",
                            "delivered_at": None,
                            "dead_at": "2026-03-10T16:00:05Z",
                            "replay_count": 0,
                            "event_id": "0b7e3c52-5f1d-4b8e-9a43-2f6c1d9e7a10",
                            "event_type": "prosecution.charge.laid",
                            "event_subject": "prosecution-case/7734",
                            "event_time": "2026-03-10T09:30:00Z",
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                }
            ]
        }
    )

    items: list[DeliveryOut]
    page: int
    page_size: int
    total: int


class ReplayRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"handler": "courts.first_hearing_listing"}]}, extra="forbid"
    )

    handler: str = Field(min_length=3, max_length=120)


class ReplayOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"delivery_id": 66120, "status": "pending"}]})

    delivery_id: int
    status: str = "pending"


@router.get("/deliveries", response_model=DeliveryPageOut)
async def list_deliveries(
    actor: Admin,
    db: DbSession,
    status: Annotated[str | None, Query(description="pending, delivered or dead (default dead)")] = "dead",
    handler: str | None = None,
    event_id: uuid.UUID | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> DeliveryPageOut:
    result = await service.list_deliveries(
        db, status=status, handler=handler, event_id=event_id, page=page, page_size=page_size
    )
    return DeliveryPageOut(
        items=[DeliveryOut.model_validate(d) for d in result.items],
        page=result.page,
        page_size=result.page_size,
        total=result.total,
    )


@router.get("/{event_id}", responses=example_response(EVENT_EXAMPLE))
async def get_event(event_id: uuid.UUID, actor: Admin, db: DbSession) -> dict[str, object]:
    """The event as a CloudEvents 1.0 JSON document."""
    return (await service.get_event(db, event_id)).envelope()


@router.post("/deliveries/{delivery_id}/replay", response_model=ReplayOut, status_code=202)
async def replay_delivery(delivery_id: int, actor: Admin, db: DbSession) -> ReplayOut:
    return ReplayOut(delivery_id=await service.replay_delivery(db, actor, delivery_id))


@router.post("/{event_id}/replay", response_model=ReplayOut, status_code=202)
async def replay_event(event_id: uuid.UUID, body: ReplayRequest, actor: Admin, db: DbSession) -> ReplayOut:
    return ReplayOut(delivery_id=await service.replay(db, actor, event_id, body.handler))
