"""Request and response bodies of the people API (the Contract of issue 4).

Identifier values are checked by the service with caselink.people.rules (so the messages are the
domain's own and the field paths are ``identifiers.N.value``), not here.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="PNC, CRO, PRISON_NUMBER, CRN, ASN or NINO", max_length=32)
    value: str = Field(max_length=60)


class IdentifierOut(BaseModel):
    type: str
    value: str


class PersonDetails(BaseModel):
    """Who someone is, as typed: the basis of matching and of a new record."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "given_name": "Jordan",
                    "family_name": "Ellis",
                    "date_of_birth": "1989-07-14",
                    "postcode": "LS6 2BQ",
                    "identifiers": [{"type": "PNC", "value": "2019/0123456E"}],
                }
            ]
        },
        extra="forbid",
        str_strip_whitespace=True,
    )

    given_name: str = Field(default="", max_length=100)
    middle_names: str | None = Field(default=None, max_length=200)
    family_name: str = Field(max_length=100)
    date_of_birth: date | None = None
    postcode: str | None = Field(default=None, max_length=10)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=12)


class PersonCreate(PersonDetails):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "given_name": "Jordan",
                    "middle_names": "Lee",
                    "family_name": "Ellis",
                    "date_of_birth": "1989-07-14",
                    "postcode": "LS6 2BQ",
                    "sex": "MALE",
                    "identifiers": [
                        {"type": "PNC", "value": "2019/0123456E"},
                        {"type": "CRO", "value": "065656/91H"},
                        {"type": "ASN", "value": "2401IX0000000448754E"},
                    ],
                    "confirm_new": False,
                }
            ]
        }
    )

    sex: str | None = Field(default=None, description="MALE, FEMALE, NOT_KNOWN or NOT_SPECIFIED")
    # A strong match blocks creation (409) unless the caller says why this is someone else.
    confirm_new: bool = False
    reason: str | None = Field(default=None, max_length=1000)


class ResponsibleOfficer(BaseModel):
    name: str | None


class MatchCandidate(BaseModel):
    """A likely existing record. For a limited-access person the caller may not see, ``restricted``
    is true and the candidate holds only ``person_id``, one ``identifiers`` entry,
    ``responsible_officer`` and ``message``: score 0 and no reasons (they would name the person)."""

    person_id: int
    score: float
    reasons: list[str]
    restricted: bool = False
    identifiers: list[IdentifierOut] | None = None
    responsible_officer: ResponsibleOfficer | None = None
    message: str | None = None


class MatchResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "candidates": [
                        {
                            "person_id": 4211,
                            "score": 1.0,
                            "reasons": ["same PNC ID 2019/0123456E"],
                            "restricted": False,
                            "identifiers": [
                                {"type": "PNC", "value": "2019/0123456E"},
                                {"type": "CRO", "value": "065656/91H"},
                            ],
                        },
                        {
                            "person_id": 90017,
                            "score": 0.0,
                            "reasons": [],
                            "restricted": True,
                            "identifiers": [{"type": "CRN", "value": "X123456"}],
                            "responsible_officer": {"name": "Amira Khan"},
                            "message": "This record has limited access. Contact the responsible officer.",
                        },
                    ]
                }
            ]
        }
    )

    candidates: list[MatchCandidate]


class NameOut(BaseModel):
    type: str
    given_name: str
    middle_names: str | None
    family_name: str


class PersonOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 4211,
                    "names": [
                        {"type": "PRIMARY", "given_name": "Jordan", "middle_names": "Lee", "family_name": "Ellis"},
                        {"type": "ALIAS", "given_name": "Jay", "middle_names": None, "family_name": "Ellis"},
                    ],
                    "date_of_birth": "1989-07-14",
                    "identifiers": [
                        {"type": "PNC", "value": "2019/0123456E"},
                        {"type": "CRO", "value": "065656/91H"},
                        {"type": "PRISON_NUMBER", "value": "A1234BC"},
                        {"type": "CRN", "value": "X123456"},
                    ],
                    "flags": [
                        {
                            "id": 512,
                            "type": "ROSH",
                            "name": "Risk of serious harm",
                            "label": "Risk of serious harm: high",
                            "warns": True,
                            "level": "HIGH",
                            "category": None,
                            "start_date": "2026-01-12",
                            "review_date": "2026-07-12",
                            "owner": {"staff_id": 77, "name": "Amira Khan", "unit_id": 301},
                            "ended_on": None,
                            "end_reason": None,
                            "text": "Risk of serious harm: high",
                        }
                    ],
                }
            ]
        }
    )

    id: int
    names: list[NameOut]
    date_of_birth: date | None
    identifiers: list[IdentifierOut]
    flags: list[dict[str, object]]


class SearchItem(BaseModel):
    """A person found. For a limited-access person the searcher may not see, ``restricted`` is true
    and the item holds only ``person_id``, the one identifier that matched (or their CRN, PNC ID,
    ...), ``responsible_officer`` and ``message``: no name, date of birth, score or reasons."""

    person_id: int
    score: float
    reasons: list[str]
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    identifiers: list[IdentifierOut]
    restricted: bool = False
    responsible_officer: ResponsibleOfficer | None = None
    message: str | None = None


class SearchPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "identifier",
                    "items": [
                        {
                            "person_id": 4211,
                            "score": 1.0,
                            "reasons": ["same PNC ID 2019/0123456E"],
                            "given_name": "Jordan",
                            "family_name": "Ellis",
                            "date_of_birth": "1989-07-14",
                            "identifiers": [
                                {"type": "PNC", "value": "2019/0123456E"},
                                {"type": "CRO", "value": "065656/91H"},
                            ],
                            "restricted": False,
                        }
                    ],
                    "page": 1,
                    "page_size": 20,
                    "total": 1,
                    "pages": 1,
                }
            ]
        }
    )

    kind: str = Field(description="identifier or name: how the query was read")
    items: list[SearchItem]
    page: int
    page_size: int
    total: int
    pages: int
