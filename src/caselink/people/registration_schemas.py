"""Request bodies of the flags (registrations) and limited-access API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class FlagIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "MAPPA",
                    "level": "2",
                    "category": "1",
                    "start_date": "2026-03-10",
                    "owner_staff_id": 77,
                    "notes": "Agreed at the MAPPA meeting of 9 March 2026",
                }
            ]
        },
        extra="forbid",
        str_strip_whitespace=True,
    )

    type: str = Field(max_length=40, description="A registration type code: ROSH, MAPPA, DOMESTIC_ABUSE, ...")
    level: str | None = Field(default=None, max_length=16, description="RoSH: LOW..VERY_HIGH; MAPPA: 1-3")
    category: str | None = Field(default=None, max_length=16, description="MAPPA: 1-4")
    start_date: date | None = Field(default=None, description="Default today")
    review_date: date | None = Field(default=None, description="Default start date + the type's review period")
    owner_staff_id: int | None = Field(default=None, description="Default the member of staff adding it")
    notes: str | None = Field(default=None, max_length=2000)


class FlagReviewIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "next_review_date": "2026-09-10",
                    "level": "1",
                    "notes": "Level reduced at review; risk managed by one agency",
                }
            ]
        },
        extra="forbid",
        str_strip_whitespace=True,
    )

    next_review_date: date | None = Field(default=None, description="Default today + the type's review period")
    level: str | None = Field(default=None, max_length=16)
    category: str | None = Field(default=None, max_length=16)
    notes: str | None = Field(default=None, max_length=2000)


class FlagEndIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "Registration no longer needed: order ended", "ended_on": "2026-03-10"}]
        },
        extra="forbid",
        str_strip_whitespace=True,
    )

    reason: str = Field(max_length=2000)
    ended_on: date | None = Field(default=None, description="Default today")


class AccessLimitIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "restriction",
                    "staff_ids": [77, 81],
                    "message": "Limited access: contact Amira Khan, Leeds PDU, on 0113 496 0200",
                    "reason": "Person is a serving police officer",
                    "starts_at": "2026-03-10T09:00:00Z",
                    "responsible_staff_id": 77,
                }
            ]
        },
        extra="forbid",
        str_strip_whitespace=True,
    )

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
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Risk to the person has passed; agreed with the head of the PDU"}]},
        extra="forbid",
        str_strip_whitespace=True,
    )

    reason: str = Field(max_length=2000)


# Examples of the flags and access-limits answers (plain dicts, documented on their routes).
FLAG_EXAMPLE: dict[str, object] = {
    "id": 512,
    "type": "MAPPA",
    "name": "MAPPA",
    "label": "MAPPA level 2, category 1",
    "warns": True,
    "level": "2",
    "category": "1",
    "start_date": "2026-03-10",
    "review_date": "2026-09-10",
    "owner": {"staff_id": 77, "name": "Amira Khan", "unit_id": 301},
    "ended_on": None,
    "end_reason": None,
    "text": "MAPPA level 2, category 1",
}
ACCESS_LIMIT_EXAMPLE: dict[str, object] = {
    "id": 41,
    "kind": "restriction",
    "status": "active",
    "staff": [{"staff_id": 77, "name": "Amira Khan"}, {"staff_id": 81, "name": "Tom Bradley"}],
    "message": "Limited access: contact Amira Khan, Leeds PDU, on 0113 496 0200",
    "reason": "Person is a serving police officer",
    "responsible_officer": {"staff_id": 77, "name": "Amira Khan"},
    "starts_at": "2026-03-10T09:00:00+00:00",
    "ends_at": None,
    "lifted_at": None,
    "lift_reason": None,
    "created_by": "staff:a.khan",
    "created_at": "2026-03-10T09:00:00+00:00",
}
