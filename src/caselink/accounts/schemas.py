"""Request and response bodies for the staff, training and API-client API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=64)
    display_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    unit_code: str = Field(max_length=16)
    roles: list[str]
    team_codes: list[str] = Field(default_factory=list)


class StaffUpdate(BaseModel):
    """Only the fields given are changed."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    unit_code: str | None = Field(default=None, max_length=16)
    roles: list[str] | None = None
    team_codes: list[str] | None = None


class SuspendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class StaffOut(BaseModel):
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
    # A one-time link for the person to set their password; shown once, never stored.
    setup_url: str


class StaffPage(BaseModel):
    items: list[StaffOut]
    page: int
    page_size: int
    total: int


class TrainingCompletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str
    module_code: str
    completed_on: date


class OutstandingTraining(BaseModel):
    code: str
    title: str
    reason: str


class MeOut(BaseModel):
    id: int
    username: str
    display_name: str
    unit_code: str | None
    agency: str | None
    roles: list[str]


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    scopes: list[str]
    expires_in_days: int = Field(default=365, ge=1, le=730)


class ClientOut(BaseModel):
    id: int
    client_id: str
    name: str
    scopes: list[str]
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class ClientCreated(ClientOut):
    client_secret: str  # shown once


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    scope: str
