"""Request and response bodies of the custody API (and the shapes the pages post)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from caselink.custody import rules


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LengthIn(_In):
    years: int = Field(default=0, ge=0, le=99)
    months: int = Field(default=0, ge=0, le=1200)
    weeks: int = Field(default=0, ge=0, le=5200)
    days: int = Field(default=0, ge=0, le=36500)

    def to_rules(self) -> rules.Length:
        return rules.Length(self.years, self.months, self.weeks, self.days)


class ExpectedArrivalIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": 4211,
                    "prison_code": "BXI",
                    "expected_on": "2026-03-10",
                    "reason": "remand",
                    "from_court": "Westminster Magistrates' Court",
                }
            ]
        }
    )

    person_id: int
    prison_code: str = Field(description="NOMIS establishment code, e.g. PVI")
    expected_on: dt.date
    reason: rules.ArrivalReason = rules.ArrivalReason.MANUAL
    from_court: str | None = Field(default=None, max_length=200)


class ReceptionIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": 4211,
                    "prison_code": "BXI",
                    "expected_arrival_id": 3390,
                    "legal_status": "remand",
                    "location": "A-2-014",
                    "received_at": "2026-03-10T17:45:00Z",
                }
            ]
        }
    )

    person_id: int
    prison_code: str | None = Field(default=None, description="Defaults to the expected arrival's prison")
    expected_arrival_id: int | None = None
    legal_status: rules.LegalStatus
    location: str | None = Field(default=None, max_length=60, description="Wing/landing/cell, e.g. A-2-014")
    received_at: dt.datetime | None = Field(default=None, description="Defaults to now")


class LocationIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"location": "B-3-022"}]})

    location: str = Field(max_length=60)


class MovementIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "transfer", "to_prison_code": "PVI", "occurred_at": "2026-03-20T08:15:00Z"}]
        }
    )

    kind: rules.MovementKind
    to_prison_code: str | None = Field(default=None, description="Transfers only")
    destination: str | None = Field(default=None, max_length=200, description="Court or address, as text")
    on_licence: bool = Field(default=False, description="Release on licence: hands the person to probation")
    occurred_at: dt.datetime | None = Field(default=None, description="Defaults to now")


class ReversalIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "Transfer recorded against the wrong prisoner; he did not leave HMP Brixton"}]
        }
    )

    reason: str = Field(max_length=2000)


class TermIn(_In):
    id: str = Field(max_length=32, description="The term's reference, unique for the person (C123 for charge 123)")
    sentence_date: dt.date
    offence_date: dt.date
    length: LengthIn
    kind: rules.SentenceKind = rules.SentenceKind.SDS
    extension: LengthIn | None = None
    consecutive_to: str | None = Field(default=None, max_length=32)
    flags: list[rules.OffenceFlag] = Field(default_factory=list, max_length=10)


class SentencesIn(_In):
    """The person's whole calculation input: replaces the terms and credit held, then recalculates."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "terms": [
                        {
                            "id": "C9302",
                            "sentence_date": "2026-03-10",
                            "offence_date": "2026-03-02",
                            "length": {"months": 18},
                            "kind": "sds",
                        }
                    ],
                    "remand_days": 7,
                    "tagged_bail_days": 0,
                }
            ]
        }
    )

    terms: list[TermIn] = Field(max_length=100)
    remand_days: int = Field(default=0, ge=0, le=36500)
    tagged_bail_days: int = Field(default=0, ge=0, le=36500)


class OverrideIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date_kind": "CRD",
                    "date": "2026-10-06",
                    "reason": "Two further days on remand at HMP Pentonville confirmed by the court's warrant",
                }
            ]
        }
    )

    date_kind: rules.DateKind
    date: dt.date
    reason: str = Field(max_length=2000)


# -- responses ---------------------------------------------------------------------------------


class ExpectedArrivalOut(BaseModel):
    """One person expected at the prison. For a limited-access person the reader may not see
    (decision 0026), ``restricted`` is true and the name, reason, date and court are null."""

    id: int
    person_id: int
    person_name: str | None
    prison_code: str
    reason: str | None
    expected_on: dt.date | None
    from_court: str | None
    status: str
    restricted: bool = False


class MovementOut(BaseModel):
    id: int
    kind: str
    occurred_at: dt.datetime
    from_prison: str | None
    to_prison: str | None
    detail: dict[str, object]
    event_due_at: dt.datetime | None
    published_at: dt.datetime | None
    reversed_at: dt.datetime | None
    reversal_reason: str | None


class BookingOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 6120,
                    "person_id": 4211,
                    "person_name": "Jordan Ellis",
                    "prison_number": "A1234BC",
                    "prison_code": "BXI",
                    "prison_name": "HMP Brixton",
                    "legal_status": "sentenced",
                    "status": "active",
                    "location": "A-2-014",
                    "out_reason": None,
                    "received_at": "2026-03-10T17:45:00Z",
                    "released_at": None,
                    "movements": [
                        {
                            "id": 40551,
                            "kind": "reception",
                            "occurred_at": "2026-03-10T17:45:00Z",
                            "from_prison": None,
                            "to_prison": "BXI",
                            "detail": {"from_court": "Westminster Magistrates' Court"},
                            "event_due_at": "2026-03-10T18:30:00Z",
                            "published_at": "2026-03-10T18:30:04Z",
                            "reversed_at": None,
                            "reversal_reason": None,
                        }
                    ],
                }
            ]
        }
    )

    id: int
    person_id: int
    person_name: str
    prison_number: str
    prison_code: str
    prison_name: str
    legal_status: str
    status: str
    location: str | None
    out_reason: str | None
    received_at: dt.datetime
    released_at: dt.datetime | None
    movements: list[MovementOut] = Field(default_factory=list)


class RollEntry(BaseModel):
    """One booking on the roll. For a limited-access person the reader may not see (decision 0026),
    ``restricted`` is true and the name, prison number and location are null."""

    booking_id: int
    person_id: int
    person_name: str | None
    prison_number: str | None
    location: str | None
    legal_status: str | None
    out_reason: str | None
    restricted: bool = False


class RollOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "prison_code": "BXI",
                    "prison_name": "HMP Brixton",
                    "in_count": 742,
                    "out_count": 3,
                    "items": [
                        {
                            "booking_id": 6120,
                            "person_id": 4211,
                            "person_name": "Jordan Ellis",
                            "prison_number": "A1234BC",
                            "location": "A-2-014",
                            "legal_status": "sentenced",
                            "out_reason": None,
                        }
                    ],
                    "page": 1,
                    "page_size": 100,
                    "total": 745,
                }
            ]
        }
    )

    prison_code: str
    prison_name: str
    in_count: int
    out_count: int
    items: list[RollEntry]
    page: int
    page_size: int
    total: int


class UpcomingRelease(BaseModel):
    """One release due. For a limited-access person the reader may not see (decision 0026),
    ``restricted`` is true and the name, prison number and dates are null."""

    booking_id: int
    person_id: int
    person_name: str | None
    prison_number: str | None
    release_date: dt.date | None
    release_kind: str | None
    hdced: dt.date | None
    overridden: bool
    restricted: bool = False


class UpcomingReleasesOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "prison_code": "BXI",
                    "from_date": "2026-10-01",
                    "to_date": "2026-10-29",
                    "items": [
                        {
                            "booking_id": 6120,
                            "person_id": 4211,
                            "person_name": "Jordan Ellis",
                            "prison_number": "A1234BC",
                            "release_date": "2026-10-08",
                            "release_kind": "CRD",
                            "hdced": "2026-06-21",
                            "overridden": False,
                        }
                    ],
                    "page": 1,
                    "page_size": 100,
                    "total": 1,
                }
            ]
        }
    )

    prison_code: str
    from_date: dt.date
    to_date: dt.date
    items: list[UpcomingRelease]
    page: int
    page_size: int
    total: int


class DateOut(BaseModel):
    kind: str
    heading: str
    date: dt.date
    steps: list[str]
    rule_pack: str
    overridden_from: dt.date | None = None


class CalculationOut(BaseModel):
    id: int
    kind: str
    dates: list[DateOut]
    rule_packs: list[str]
    override_reason: str | None
    created_by: str
    created_at: dt.datetime


class ReleaseDatesOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": 4211,
                    "current": {
                        "id": 1508,
                        "kind": "calculated",
                        "dates": [
                            {
                                "kind": "CRD",
                                "heading": "Conditional release date",
                                "date": "2026-10-08",
                                "steps": [
                                    "Term C9302: term of 18 months from 10 March 2026 to 9 September 2027 (549 days).",
                                    (
                                        "Term C9302 was passed on 10 March 2026, under custody.sds-release 2024.1 "
                                        "(Standard determinate sentences at 40% from 10 September 2024 (SDS40)): "
                                        "SDS40: release at 40% of the term."
                                    ),
                                    (
                                        "Custodial period: 40% of 549 days, rounded up = 220 days, so release falls "
                                        "on day 220 counting 10 March 2026 as day 1: 15 October 2026."
                                    ),
                                    (
                                        "Credit 7 days (7 days on remand, 0 days of tagged bail): every date moves 7 "
                                        "days earlier."
                                    ),
                                    "Release date after credit: 8 October 2026.",
                                ],
                                "rule_pack": "custody.sds-release 2024.1",
                                "overridden_from": None,
                            },
                            {
                                "kind": "HDCED",
                                "heading": "Home detention curfew eligibility date",
                                "date": "2026-06-21",
                                "steps": [
                                    (
                                        "HDC applies to terms at least 12 weeks and under 4 years "
                                        "(custody.sds-release 2024.1)."
                                    ),
                                    (
                                        "Days to serve first: the most of 28 days, half of the 220-day custodial "
                                        "period (110), and the custodial period less 180 days (40) = 110 days from 10 "
                                        "March 2026."
                                    ),
                                    (
                                        "Credit 7 days (7 days on remand, 0 days of tagged bail): every date moves 7 "
                                        "days earlier."
                                    ),
                                    "Eligible from 21 June 2026.",
                                ],
                                "rule_pack": "custody.sds-release 2024.1",
                                "overridden_from": None,
                            },
                        ],
                        "rule_packs": ["custody.sds-release 2024.1"],
                        "override_reason": None,
                        "created_by": "staff:r.obi",
                        "created_at": "2026-03-11T09:30:00Z",
                    },
                    "history": [],
                    "terms": [
                        {
                            "id": "C9302",
                            "source": "court",
                            "sentence_date": "2026-03-10",
                            "offence_date": "2026-03-02",
                            "offence_date_assumed": False,
                            "length": {"years": 0, "months": 18, "weeks": 0, "days": 0},
                            "kind": "sds",
                            "extension": None,
                            "consecutive_to": None,
                            "flags": [],
                        }
                    ],
                    "remand_days": 7,
                    "tagged_bail_days": 0,
                }
            ]
        }
    )

    person_id: int
    current: CalculationOut | None
    history: list[CalculationOut]
    terms: list[dict[str, object]]
    remand_days: int
    tagged_bail_days: int


# Example of GET /custody/expected-arrivals (a plain dict, documented on the route).
EXPECTED_ARRIVALS_EXAMPLE: dict[str, object] = {
    "prison_code": "BXI",
    "items": [
        {
            "id": 3390,
            "person_id": 4211,
            "person_name": "Jordan Ellis",
            "prison_code": "BXI",
            "reason": "remand",
            "expected_on": "2026-03-10",
            "from_court": "Westminster Magistrates' Court",
            "status": "expected",
            "restricted": False,
        }
    ],
    "page": 1,
    "total": 1,
}
