"""Assessment request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from caselink.assessments.rules import NeedSection, RoshLevel


class AssessmentIn(BaseModel):
    """A draft's content; anything left out stays blank (a draft may be incomplete)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rosh_public": "medium",
                    "rosh_known_adult": "high",
                    "rosh_children": "low",
                    "rosh_staff": "low",
                    "rosh_prisoners": "low",
                    "reoffending_score": 62,
                    "needs": {
                        "accommodation": 1,
                        "education_employment": 2,
                        "finance": 1,
                        "relationships": 0,
                        "lifestyle": 1,
                        "drugs": 2,
                        "alcohol": 0,
                        "emotional_wellbeing": 1,
                        "thinking_behaviour": 2,
                        "attitudes": 1,
                    },
                    "summary": "Offending linked to drug use and unstable accommodation; risk to a former partner.",
                }
            ]
        },
        extra="forbid",
    )

    rosh_public: RoshLevel | None = None
    rosh_known_adult: RoshLevel | None = None
    rosh_children: RoshLevel | None = None
    rosh_staff: RoshLevel | None = None
    rosh_prisoners: RoshLevel | None = None
    reoffending_score: int | None = Field(default=None, ge=0, le=100, description="Percent over two years")
    needs: dict[NeedSection, int] = Field(default_factory=dict, description="Score 0-2 per section")
    summary: str | None = Field(default=None, max_length=20_000)

    def content(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["needs"] = {str(k): v for k, v in data["needs"].items()}
        return data


class ReturnIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"note": "Please evidence the RoSH to a known adult from the police call-out log"}]
        },
        extra="forbid",
    )
    note: str = Field(min_length=1, max_length=4000)


class HistoryOut(BaseModel):
    action: str
    actor: str
    note: str | None
    at: datetime


class AssessmentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 2290,
                    "person_id": 4211,
                    "sequence": 2,
                    "status": "submitted",
                    "author_staff_id": 77,
                    "rosh_public": "medium",
                    "rosh_known_adult": "high",
                    "rosh_children": "low",
                    "rosh_staff": "low",
                    "rosh_prisoners": "low",
                    "reoffending_score": 62,
                    "needs": {
                        "accommodation": 1,
                        "education_employment": 2,
                        "finance": 1,
                        "relationships": 0,
                        "lifestyle": 1,
                        "drugs": 2,
                        "alcohol": 0,
                        "emotional_wellbeing": 1,
                        "thinking_behaviour": 2,
                        "attitudes": 1,
                    },
                    "summary": "Offending linked to drug use and unstable accommodation; risk to a former partner.",
                    "countersignature_required": True,
                    "countersigned_by_staff_id": None,
                    "submitted_at": "2026-03-12T15:40:00Z",
                    "countersigned_at": None,
                    "completed_at": None,
                    "created_at": "2026-03-11T09:10:00Z",
                    "history": [
                        {"action": "submitted", "actor": "staff:a.khan", "note": None, "at": "2026-03-12T15:40:00Z"}
                    ],
                }
            ]
        }
    )

    id: int
    person_id: int
    sequence: int
    status: str
    author_staff_id: int
    rosh_public: str | None
    rosh_known_adult: str | None
    rosh_children: str | None
    rosh_staff: str | None
    rosh_prisoners: str | None
    reoffending_score: int | None
    needs: dict[str, int]
    summary: str | None
    countersignature_required: bool
    countersigned_by_staff_id: int | None
    submitted_at: datetime | None
    countersigned_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    history: list[HistoryOut] = Field(default_factory=list)
