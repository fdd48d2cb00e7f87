"""Request bodies of the flags (registrations) and limited-access API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: str = Field(max_length=40, description="A registration type code: ROSH, MAPPA, DOMESTIC_ABUSE, ...")
    level: str | None = Field(default=None, max_length=16, description="RoSH: LOW..VERY_HIGH; MAPPA: 1-3")
    category: str | None = Field(default=None, max_length=16, description="MAPPA: 1-4")
    start_date: date | None = Field(default=None, description="Default today")
    review_date: date | None = Field(default=None, description="Default start date + the type's review period")
    owner_staff_id: int | None = Field(default=None, description="Default the member of staff adding it")
    notes: str | None = Field(default=None, max_length=2000)


class FlagReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    next_review_date: date | None = Field(default=None, description="Default today + the type's review period")
    level: str | None = Field(default=None, max_length=16)
    category: str | None = Field(default=None, max_length=16)
    notes: str | None = Field(default=None, max_length=2000)


class FlagEndIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(max_length=2000)
    ended_on: date | None = Field(default=None, description="Default today")


class AccessLimitIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: str = Field(max_length=16, description="exclusion (these staff may not see) or restriction (only these may)")
    staff_ids: list[int] = Field(max_length=500)
    message: str = Field(max_length=500, description="Shown to blocked staff, e.g. who to contact")
    reason: str | None = Field(default=None, max_length=2000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    responsible_staff_id: int | None = Field(
        default=None, description="The officer shown in redacted search results (default: you)"
    )


class LiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(max_length=2000)
