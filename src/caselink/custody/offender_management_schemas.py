"""Request and response bodies of prison offender management: allocating a booking's prison
offender manager (POM), a POM's own list and a prison's unallocated list. Kept apart from
schemas.py, which holds the rest of the custody API's shapes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class OffenderManagerIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"staff_id": 42, "reason": "Caseload balancing"}]},
    )

    staff_id: int = Field(description="A member of staff of the booking's prison with the prison offender manager role")
    reason: str | None = Field(default=None, max_length=500, description="Why (optional): shown in the history")


class OffenderManagerOption(BaseModel):
    """A prison offender manager of the prison, with how many prisoners they hold now."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"staff_id": 142, "name": "Ruth Obi", "caseload": 38}]})

    staff_id: int
    name: str
    caseload: int


class AllocationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 912,
                    "booking_id": 6120,
                    "person_id": 4211,
                    "prison_code": "BXI",
                    "staff_id": 142,
                    "staff_name": "Ruth Obi",
                    "reason": "Caseload balancing",
                    "allocated_by": "staff:m.head",
                    "allocated_at": "2026-03-12T11:00:00Z",
                    "ended_at": None,
                }
            ]
        }
    )

    id: int
    booking_id: int
    person_id: int
    prison_code: str
    staff_id: int
    staff_name: str
    reason: str | None
    allocated_by: str
    allocated_at: dt.datetime
    ended_at: dt.datetime | None


class BookingOffenderManagerOut(BaseModel):
    """A booking's current offender manager (None while unallocated) and the allocation history, newest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "booking_id": 6120,
                    "current": {
                        "id": 912,
                        "booking_id": 6120,
                        "person_id": 4211,
                        "prison_code": "BXI",
                        "staff_id": 142,
                        "staff_name": "Ruth Obi",
                        "reason": "Caseload balancing",
                        "allocated_by": "staff:m.head",
                        "allocated_at": "2026-03-12T11:00:00Z",
                        "ended_at": None,
                    },
                    "history": [
                        {
                            "id": 912,
                            "booking_id": 6120,
                            "person_id": 4211,
                            "prison_code": "BXI",
                            "staff_id": 142,
                            "staff_name": "Ruth Obi",
                            "reason": "Caseload balancing",
                            "allocated_by": "staff:m.head",
                            "allocated_at": "2026-03-12T11:00:00Z",
                            "ended_at": None,
                        },
                        {
                            "id": 871,
                            "booking_id": 6120,
                            "person_id": 4211,
                            "prison_code": "BXI",
                            "staff_id": 139,
                            "staff_name": "Dev Mistry",
                            "reason": None,
                            "allocated_by": "staff:m.head",
                            "allocated_at": "2026-03-11T09:00:00Z",
                            "ended_at": "2026-03-12T11:00:00Z",
                        },
                    ],
                }
            ]
        }
    )

    booking_id: int
    current: AllocationOut | None
    history: list[AllocationOut]


class PrisonerRow(BaseModel):
    """One prisoner on a POM's list or the unallocated list: release dates are the current
    calculation's (CRD or ARD, HDCED and PED, None when not calculated or not applicable)."""

    booking_id: int
    person_id: int
    person_name: str | None  # None (and restricted true) for a limited-access person the reader may not see
    prison_number: str | None
    legal_status: str | None
    location: str | None
    out_reason: str | None
    release_date: dt.date | None
    release_kind: str | None  # CRD | ARD
    hdced: dt.date | None
    ped: dt.date | None
    flags: list[str]
    offender_manager: str | None = None
    restricted: bool = False


class PrisonerListOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "prison_code": "BXI",
                    "prison_name": "HMP Brixton",
                    "staff_id": 142,
                    "items": [
                        {
                            "booking_id": 6120,
                            "person_id": 4211,
                            "person_name": "Jordan Ellis",
                            "prison_number": "A1234BC",
                            "legal_status": "sentenced",
                            "location": "A-2-014",
                            "out_reason": None,
                            "release_date": "2026-10-08",
                            "release_kind": "CRD",
                            "hdced": "2026-06-21",
                            "ped": None,
                            "flags": ["Risk of serious harm: high"],
                            "offender_manager": "Ruth Obi",
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                }
            ]
        }
    )

    prison_code: str
    prison_name: str
    staff_id: int | None = None  # the POM whose list it is (None: the prison's unallocated list)
    items: list[PrisonerRow]
    page: int
    page_size: int
    total: int
