"""Bodies of the person-details API: change details, add an address, alias or contact, history.

Lengths are checked here; meaning (a real postcode, a date of birth not in the future, an address
ending after it began) by caselink.people.details, so the page and the API give the same messages.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

REASON = Field(default=None, max_length=500, description="Why the change was made (kept in the history)")


class DetailsChange(BaseModel):
    """Only the fields sent are changed; send null to clear an optional one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "family_name": "Ellis-Okafor",
                    "nationality": "British",
                    "ethnicity": "M1",
                    "language": "English",
                    "interpreter_needed": False,
                    "reason": "Name changed by deed poll; copy seen",
                }
            ]
        },
        extra="forbid",
        str_strip_whitespace=True,
    )

    given_name: str | None = Field(default=None, max_length=100)
    middle_names: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=100)
    date_of_birth: date | None = None
    sex: str | None = Field(default=None, description="MALE, FEMALE, NOT_KNOWN or NOT_SPECIFIED")
    gender_identity: str | None = Field(default=None, max_length=32)
    nationality: str | None = Field(default=None, max_length=64)
    ethnicity: str | None = Field(default=None, max_length=8, description="ONS 2021 ethnic group code, e.g. W1")
    language: str | None = Field(default=None, max_length=64)
    interpreter_needed: bool | None = None
    reason: str | None = REASON


class AddressIn(BaseModel):
    """Without to_date the address becomes the current one and the previous current address ends
    the day this one starts; with to_date it is recorded as a past address."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "line1": "14 Mill Lane",
                    "town": "Leeds",
                    "county": "West Yorkshire",
                    "postcode": "LS6 2BQ",
                    "no_fixed_abode": False,
                    "from_date": "2026-03-01",
                    "reason": "New address given at probation induction",
                }
            ]
        },
        extra="forbid",
        str_strip_whitespace=True,
    )

    line1: str = Field(default="", max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    line3: str | None = Field(default=None, max_length=200)
    town: str | None = Field(default=None, max_length=100)
    county: str | None = Field(default=None, max_length=100)
    postcode: str | None = Field(default=None, max_length=10)
    no_fixed_abode: bool = False
    from_date: date | None = None
    to_date: date | None = None
    reason: str | None = REASON


class AddressEnd(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"to_date": "2026-03-09", "reason": "Moved out; confirmed with the landlord"}]},
        extra="forbid",
        str_strip_whitespace=True,
    )

    to_date: date | None = Field(default=None, description="The last day at the address; today when left out")
    reason: str | None = REASON


class AliasIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name_type": "ALIAS", "given_name": "Jay", "family_name": "Ellis", "reason": "Name used at arrest"}
            ]
        },
        extra="forbid",
        str_strip_whitespace=True,
    )

    name_type: str = Field(default="ALIAS", description="ALIAS, BIRTH, MAIDEN, PREVIOUS or NICKNAME")
    given_name: str = Field(default="", max_length=100)
    middle_names: str | None = Field(default=None, max_length=200)
    family_name: str = Field(default="", max_length=100)
    reason: str | None = REASON


class ContactIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "MOBILE",
                    "value": "07700 900123",
                    "is_preferred": True,
                    "reason": "Given at first appointment",
                }
            ]
        },
        extra="forbid",
        str_strip_whitespace=True,
    )

    kind: str = Field(description="MOBILE, PHONE or EMAIL")
    value: str = Field(max_length=254)
    is_preferred: bool = False
    reason: str | None = REASON


class ContactEnd(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Number no longer in use"}]},
        extra="forbid",
        str_strip_whitespace=True,
    )

    reason: str | None = REASON


class ChangeOut(BaseModel):
    id: int
    kind: str
    field: str
    old_value: str | None
    new_value: str | None
    reason: str | None
    changed_by: str
    changed_at: datetime


class ChangesOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": 4211,
                    "changes": [
                        {
                            "id": 90412,
                            "kind": "ADDRESS",
                            "field": "address",
                            "old_value": None,
                            "new_value": "14 Mill Lane, Leeds, LS6 2BQ",
                            "reason": "New address given at probation induction",
                            "changed_by": "staff:a.khan",
                            "changed_at": "2026-03-10T10:15:00Z",
                        }
                    ],
                }
            ]
        }
    )

    person_id: int
    changes: list[ChangeOut]


class CreatedOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": 4211,
                    "id": 3187,
                    "changes": [
                        {
                            "id": 90412,
                            "kind": "ADDRESS",
                            "field": "address",
                            "old_value": None,
                            "new_value": "14 Mill Lane, Leeds, LS6 2BQ",
                            "reason": "New address given at probation induction",
                            "changed_by": "staff:a.khan",
                            "changed_at": "2026-03-10T10:15:00Z",
                        }
                    ],
                }
            ]
        }
    )

    person_id: int
    id: int
    changes: list[ChangeOut]


class HistoryPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": 4211,
                    "items": [
                        {
                            "id": 90412,
                            "kind": "ADDRESS",
                            "field": "address",
                            "old_value": None,
                            "new_value": "14 Mill Lane, Leeds, LS6 2BQ",
                            "reason": "New address given at probation induction",
                            "changed_by": "staff:a.khan",
                            "changed_at": "2026-03-10T10:15:00Z",
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                }
            ]
        }
    )

    person_id: int
    items: list[ChangeOut]
    page: int
    page_size: int
    total: int
