"""Request and response bodies of merge, unmerge and the timeline (JSON under /api/v1/people)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class MergeIn(BaseModel):
    survivor_id: int = Field(description="The record that stays; the record in the path is merged into it")
    reason: str = Field(max_length=2000, description="Why the two records are the same person (audited)")


class UnmergeIn(BaseModel):
    reason: str = Field(max_length=2000, description="Why the merge was wrong (audited)")


class MergeOut(BaseModel):
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
    items: list[TimelineEntryOut]
    page: int
    page_size: int
    total: int
    pages: int
