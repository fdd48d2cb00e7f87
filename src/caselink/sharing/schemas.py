"""Request and response bodies of the sharing API: subscriptions, the feed, deliveries, the log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "event_types": ["court.*", "probation.licence.started"],
                    "units": ["PDU-NORTH-1"],
                    "webhook_url": "https://supplier.example/caselink/webhooks",
                },
                {"event_types": ["people.*"]},
            ]
        },
    )

    event_types: list[str] = Field(
        min_length=1, max_length=20, description="Exact types (court.sentence.imposed) or prefixes (court.*)."
    )
    units: list[str] = Field(default_factory=list, description="Only events about these organisation units.")
    regions: list[str] = Field(default_factory=list, description="Only events about these regions.")
    webhook_url: str | None = Field(
        default=None, description="Where to POST signed events; leave out to read them from GET /api/v1/feed."
    )


class SubscriptionOut(BaseModel):
    id: str
    event_types: list[str]
    units: list[str]
    regions: list[str]
    delivery: Literal["webhook", "feed"]
    webhook_url: str | None
    created_at: datetime
    previous_secret_valid_until: datetime | None = None


class SubscriptionCreated(SubscriptionOut):
    secret: str | None = Field(
        default=None, description="The signing secret (whsec_...), shown this once; only for webhooks."
    )


class SecretRotated(BaseModel):
    id: str
    secret: str = Field(description="The new signing secret, shown this once.")
    previous_secret_valid_until: datetime = Field(description="Until then, messages carry both signatures.")


class SubscriptionPage(BaseModel):
    items: list[SubscriptionOut]
    page: int
    page_size: int
    total: int


class FeedEvent(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: uuid.UUID
    type: str
    time: datetime
    subject: str
    person_ids: dict[str, str] = Field(alias="personIds")
    detail_url: str | None = Field(alias="detailUrl")


class FeedPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": "6f1c1d5e-8d0b-4a8e-9f57-1d2a3b4c5d6e",
                            "type": "people.person.created",
                            "time": "2026-11-22T10:15:00Z",
                            "subject": "person/42",
                            "personIds": {"person": "42", "pnc": "2001/0000001A"},
                            "detailUrl": "/api/v1/people/42",
                        }
                    ],
                    "next": "YzEuMTIzLjVkYjA0ZTk2YjFkNGEyYzA5ZmI5N2E2Yg",
                }
            ]
        }
    )

    items: list[FeedEvent]
    next: str = Field(description="Pass as ?after= to get what follows; also in the Link header (rel=next).")


class DeliveryOut(BaseModel):
    id: int
    message_id: uuid.UUID
    subscription_id: str
    client_name: str
    webhook_url: str | None
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: datetime
    delivered_at: datetime | None
    dead_at: datetime | None
    replay_count: int


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    page: int
    page_size: int
    total: int


class ReplayOut(BaseModel):
    delivery_id: int
    status: str = "pending"


class SharingLogOut(BaseModel):
    client_name: str
    event_id: uuid.UUID
    event_type: str
    channel: str
    shared_at: datetime


class SharingLogPage(BaseModel):
    items: list[SharingLogOut]
    page: int
    page_size: int
    total: int
