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
    person_id: int
    prison_code: str = Field(description="NOMIS establishment code, e.g. PVI")
    expected_on: dt.date
    reason: rules.ArrivalReason = rules.ArrivalReason.MANUAL
    from_court: str | None = Field(default=None, max_length=200)


class ReceptionIn(_In):
    person_id: int
    prison_code: str | None = Field(default=None, description="Defaults to the expected arrival's prison")
    expected_arrival_id: int | None = None
    legal_status: rules.LegalStatus
    location: str | None = Field(default=None, max_length=60, description="Wing/landing/cell, e.g. A-2-014")
    received_at: dt.datetime | None = Field(default=None, description="Defaults to now")


class LocationIn(_In):
    location: str = Field(max_length=60)


class MovementIn(_In):
    kind: rules.MovementKind
    to_prison_code: str | None = Field(default=None, description="Transfers only")
    destination: str | None = Field(default=None, max_length=200, description="Court or address, as text")
    on_licence: bool = Field(default=False, description="Release on licence: hands the person to probation")
    occurred_at: dt.datetime | None = Field(default=None, description="Defaults to now")


class ReversalIn(_In):
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

    terms: list[TermIn] = Field(max_length=100)
    remand_days: int = Field(default=0, ge=0, le=36500)
    tagged_bail_days: int = Field(default=0, ge=0, le=36500)


class OverrideIn(_In):
    date_kind: rules.DateKind
    date: dt.date
    reason: str = Field(max_length=2000)


# -- responses ---------------------------------------------------------------------------------


class ExpectedArrivalOut(BaseModel):
    id: int
    person_id: int
    person_name: str
    prison_code: str
    reason: str
    expected_on: dt.date
    from_court: str | None
    status: str


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
    booking_id: int
    person_id: int
    person_name: str
    prison_number: str
    location: str | None
    legal_status: str
    out_reason: str | None


class RollOut(BaseModel):
    prison_code: str
    prison_name: str
    in_count: int
    out_count: int
    items: list[RollEntry]
    page: int
    page_size: int
    total: int


class UpcomingRelease(BaseModel):
    booking_id: int
    person_id: int
    person_name: str
    prison_number: str
    release_date: dt.date
    release_kind: str
    hdced: dt.date | None
    overridden: bool


class UpcomingReleasesOut(BaseModel):
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
    person_id: int
    current: CalculationOut | None
    history: list[CalculationOut]
    terms: list[dict[str, object]]
    remand_days: int
    tagged_bail_days: int
