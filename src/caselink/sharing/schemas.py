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
                    "units": ["PS-LDN-BDH"],
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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "sub_5c1e9a7f20d4b386",
                    "event_types": ["court.*", "probation.licence.started"],
                    "units": ["PS-LDN-BDH"],
                    "regions": [],
                    "delivery": "webhook",
                    "webhook_url": "https://supplier.example/caselink/webhooks",
                    "created_at": "2026-03-01T12:05:00Z",
                    "previous_secret_valid_until": None,
                }
            ]
        }
    )

    id: str
    event_types: list[str]
    units: list[str]
    regions: list[str]
    delivery: Literal["webhook", "feed"]
    webhook_url: str | None
    created_at: datetime
    previous_secret_valid_until: datetime | None = None


class SubscriptionCreated(SubscriptionOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "sub_5c1e9a7f20d4b386",
                    "event_types": ["court.*", "probation.licence.started"],
                    "units": ["PS-LDN-BDH"],
                    "regions": [],
                    "delivery": "webhook",
                    "webhook_url": "https://supplier.example/caselink/webhooks",
                    "created_at": "2026-03-01T12:05:00Z",
                    "previous_secret_valid_until": None,
                    "secret": "whsec_Zq8Xv3Lw1Nt6Pb9Rk2Md5Hs7Jc0Fy4Ge",
                }
            ]
        }
    )

    secret: str | None = Field(
        default=None, description="The signing secret (whsec_...), shown this once; only for webhooks."
    )


class SecretRotated(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "sub_5c1e9a7f20d4b386",
                    "secret": "whsec_Tn4Wq7Bx2Kp9Lm3Vd6Rc8Hf1Zy5Js0Ga",
                    "previous_secret_valid_until": "2026-03-12T12:00:00Z",
                }
            ]
        }
    )

    id: str
    secret: str = Field(description="The new signing secret, shown this once.")
    previous_secret_valid_until: datetime = Field(description="Until then, messages carry both signatures.")


class SubscriptionPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": "sub_5c1e9a7f20d4b386",
                            "event_types": ["court.*", "probation.licence.started"],
                            "units": ["PS-LDN-BDH"],
                            "regions": [],
                            "delivery": "webhook",
                            "webhook_url": "https://supplier.example/caselink/webhooks",
                            "created_at": "2026-03-01T12:05:00Z",
                            "previous_secret_valid_until": None,
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                }
            ]
        }
    )

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
                            "personIds": {"person": "42", "pnc": "2001/0000001Q"},
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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 31877,
                            "message_id": "9d2f4a61-3b8c-4e07-a5d1-6c0e2b9f7a34",
                            "subscription_id": "sub_5c1e9a7f20d4b386",
                            "client_name": "Leeds Youth Justice Service case system",
                            "webhook_url": "https://supplier.example/caselink/webhooks",
                            "event_id": "0b7e3c52-5f1d-4b8e-9a43-2f6c1d9e7a10",
                            "event_type": "court.sentence.imposed",
                            "status": "dead",
                            "attempts": 10,
                            "last_status": 503,
                            "last_error": "HTTP 503 from the webhook URL",
                            "next_attempt_at": "2026-03-11T10:00:00Z",
                            "delivered_at": None,
                            "dead_at": "2026-03-11T10:00:02Z",
                            "replay_count": 0,
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


class ReplayOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"delivery_id": 31877, "status": "pending"}]})

    delivery_id: int
    status: str = "pending"


class SharingLogOut(BaseModel):
    client_name: str
    event_id: uuid.UUID
    event_type: str
    channel: str
    shared_at: datetime


class SharingLogPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "client_name": "Leeds Youth Justice Service case system",
                            "event_id": "0b7e3c52-5f1d-4b8e-9a43-2f6c1d9e7a10",
                            "event_type": "court.sentence.imposed",
                            "channel": "webhook",
                            "shared_at": "2026-03-10T14:06:03Z",
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                }
            ]
        }
    )

    items: list[SharingLogOut]
    page: int
    page_size: int
    total: int
