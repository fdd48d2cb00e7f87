"""Request and response bodies of merge, unmerge and the timeline (JSON under /api/v1/people)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class MergeIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "survivor_id": 4211,
                    "reason": "Same PNC ID 2019/0123456E and date of birth; duplicate made at reception",
                }
            ]
        }
    )

    survivor_id: int = Field(description="The record that stays; the record in the path is merged into it")
    reason: str = Field(max_length=2000, description="Why the two records are the same person (audited)")


class UnmergeIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Twins: different CRO numbers on the fingerprint record"}]}
    )

    reason: str = Field(max_length=2000, description="Why the merge was wrong (audited)")


class MergeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 311,
                    "survivor_id": 4211,
                    "merged_id": 4388,
                    "reason": "Same PNC ID 2019/0123456E and date of birth; duplicate made at reception",
                    "merged_by": "staff:a.khan",
                    "merged_at": "2026-03-10T11:20:00Z",
                    "moved": {
                        "person_names.person_id": 2,
                        "person_identifiers.person_id": 1,
                        "person_addresses.person_id": 1,
                    },
                    "active": True,
                    "undone_at": None,
                    "undone_by": None,
                    "undo_reason": None,
                }
            ]
        }
    )

    id: int
    survivor_id: int
    merged_id: int
    reason: str
    merged_by: str
    merged_at: datetime
    moved: dict[str, int] = Field(description="Rows re-pointed to the survivor, per table.column")
    active: bool = Field(description="False once undone")
    undone_at: datetime | None = None
    undone_by: str | None = None
    undo_reason: str | None = None


class MergeList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 311,
                            "survivor_id": 4211,
                            "merged_id": 4388,
                            "reason": "Same PNC ID 2019/0123456E and date of birth; duplicate made at reception",
                            "merged_by": "staff:a.khan",
                            "merged_at": "2026-03-10T11:20:00Z",
                            "moved": {
                                "person_names.person_id": 2,
                                "person_identifiers.person_id": 1,
                                "person_addresses.person_id": 1,
                            },
                            "active": True,
                            "undone_at": None,
                            "undone_by": None,
                            "undo_reason": None,
                        }
                    ]
                }
            ]
        }
    )

    items: list[MergeOut]


class TimelineEntryOut(BaseModel):
    id: int
    occurred_at: datetime
    agency: str
    type: str
    title: str
    summary: str
    link: str | None = Field(description="A Caselink page with the detail, when there is one")
    purpose: str | None = Field(description="Data purpose of sensitive entries; null for ordinary case data")


class TimelinePageOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 88120,
                            "occurred_at": "2026-03-10T14:05:00Z",
                            "agency": "courts",
                            "type": "court.sentence.imposed",
                            "title": "Sentenced at Westminster Magistrates' Court",
                            "summary": "Community order, 12 months: unpaid work 100 hours",
                            "link": "/courts/hearings/5521",
                            "purpose": None,
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                    "pages": 1,
                }
            ]
        }
    )

    items: list[TimelineEntryOut]
    page: int
    page_size: int
    total: int
    pages: int
