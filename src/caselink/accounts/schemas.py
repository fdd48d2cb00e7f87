"""Request and response bodies for the staff, training and API-client API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StaffCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "a.khan",
                    "display_name": "Amira Khan",
                    "email": "amira.khan@justice.gov.uk",
                    "unit_code": "PS-LDN-BDH",
                    "roles": ["probation_practitioner"],
                    "team_codes": ["OM-A"],
                }
            ]
        },
        extra="forbid",
    )

    username: str = Field(max_length=64)
    display_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    unit_code: str = Field(max_length=16)
    roles: list[str]
    team_codes: list[str] = Field(default_factory=list)


class StaffUpdate(BaseModel):
    """Only the fields given are changed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"roles": ["probation_practitioner", "senior_probation_officer"], "team_codes": ["OM-A", "OM-B"]}
            ]
        },
        extra="forbid",
    )

    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    unit_code: str | None = Field(default=None, max_length=16)
    roles: list[str] | None = None
    team_codes: list[str] | None = None


class SuspendRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "On long-term leave from 10 March 2026"}]}, extra="forbid"
    )

    reason: str = Field(min_length=1, max_length=500)


STAFF_EXAMPLE: dict[str, Any] = {
    "id": 77,
    "username": "a.khan",
    "display_name": "Amira Khan",
    "email": "amira.khan@justice.gov.uk",
    "unit_code": "PS-LDN-BDH",
    "unit_name": "Barking, Dagenham and Havering",
    "agency": "probation",
    "roles": ["probation_practitioner"],
    "team_codes": ["OM-A"],
    "status": "active",
    "suspended_reason": None,
    "mfa_enrolled": True,
    "last_sign_in_at": "2026-03-10T08:02:00Z",
}


class StaffOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [STAFF_EXAMPLE]})

    id: int
    username: str
    display_name: str
    email: str | None
    unit_code: str
    unit_name: str
    agency: str
    roles: list[str]
    team_codes: list[str]
    status: str
    suspended_reason: str | None
    mfa_enrolled: bool
    last_sign_in_at: datetime | None


class StaffCreated(StaffOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **STAFF_EXAMPLE,
                    "mfa_enrolled": False,
                    "last_sign_in_at": None,
                    "setup_url": (
                        "https://caselink.example/account/set-up?token=kq3V0e9Pq2Xw7LrT1yNf5mA8sD4hJ6cB0uG2iO9zE3w"
                    ),
                }
            ]
        }
    )

    # A one-time link for the person to set their password; shown once, never stored.
    setup_url: str


class StaffPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 77,
                            "username": "a.khan",
                            "display_name": "Amira Khan",
                            "email": "amira.khan@justice.gov.uk",
                            "unit_code": "PS-LDN-BDH",
                            "unit_name": "Barking, Dagenham and Havering",
                            "agency": "probation",
                            "roles": ["probation_practitioner"],
                            "team_codes": ["OM-A"],
                            "status": "active",
                            "suspended_reason": None,
                            "mfa_enrolled": True,
                            "last_sign_in_at": "2026-03-10T08:02:00Z",
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                }
            ]
        }
    )

    items: list[StaffOut]
    page: int
    page_size: int
    total: int


class TrainingCompletionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "a.khan", "module_code": "data-protection", "completed_on": "2026-03-09"}]
        },
        extra="forbid",
    )

    username: str
    module_code: str
    completed_on: date


class OutstandingTraining(BaseModel):
    code: str
    title: str
    reason: str


class MeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 77,
                    "username": "a.khan",
                    "display_name": "Amira Khan",
                    "unit_code": "PS-LDN-BDH",
                    "agency": "probation",
                    "roles": ["probation_practitioner"],
                }
            ]
        }
    )

    id: int
    username: str
    display_name: str
    unit_code: str | None
    agency: str | None
    roles: list[str]


class ClientCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Leeds Youth Justice Service case system",
                    "scopes": ["people:read", "events:read"],
                    "expires_in_days": 365,
                }
            ]
        },
        extra="forbid",
    )

    name: str = Field(min_length=1, max_length=200)
    scopes: list[str]
    expires_in_days: int = Field(default=365, ge=1, le=730)


class ClientOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 14,
                    "client_id": "cl_3f9a1c0e7b24d5a86c11",
                    "name": "Leeds Youth Justice Service case system",
                    "scopes": ["people:read", "events:read"],
                    "created_by": "staff:n.admin",
                    "created_at": "2026-03-01T12:00:00Z",
                    "expires_at": "2027-03-01T12:00:00Z",
                    "revoked_at": None,
                }
            ]
        }
    )

    id: int
    client_id: str
    name: str
    scopes: list[str]
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class ClientCreated(ClientOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 14,
                    "client_id": "cl_3f9a1c0e7b24d5a86c11",
                    "name": "Leeds Youth Justice Service case system",
                    "scopes": ["people:read", "events:read"],
                    "created_by": "staff:n.admin",
                    "created_at": "2026-03-01T12:00:00Z",
                    "expires_at": "2027-03-01T12:00:00Z",
                    "revoked_at": None,
                    "client_secret": "cs_Yb7Qk2mV9xR4tLw1pZ8nC3dF6gH0jK5s",
                }
            ]
        }
    )

    client_secret: str  # shown once


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    scope: str
