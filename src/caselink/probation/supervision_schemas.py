"""Request and response bodies of supervision, enforcement and recall."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from caselink.probation.supervision_rules import ContactType, Outcome, RecallType


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(_In):
    type: ContactType
    starts_at: dt.datetime = Field(description="When the appointment is (or the contact was), with its offset")
    location: str | None = Field(default=None, max_length=200)
    with_whom: str | None = Field(default=None, max_length=200, description="Who the person sees")
    notes: str | None = Field(default=None, max_length=20000)
    sensitive: bool = False
    requirement_id: int | None = None
    # A contact recorded after it happened may carry its outcome straight away.
    outcome: Outcome | None = None
    outcome_notes: str | None = Field(default=None, max_length=5000)
    hours: Decimal | None = Field(default=None, ge=0, le=12, decimal_places=2)


class OutcomeIn(_In):
    outcome: Outcome
    notes: str | None = Field(default=None, max_length=5000)
    hours: Decimal | None = Field(
        default=None, ge=0, le=12, decimal_places=2, description="Unpaid work hours to credit (attended only)"
    )


class ObjectiveIn(_In):
    need: str = Field(min_length=1, max_length=60)
    objective: str = Field(min_length=1, max_length=5000)
    target_date: dt.date | None = None


class LicenceConditionIn(_In):
    kind: str = Field(pattern="^(standard|additional)$")
    condition: str = Field(min_length=1, max_length=5000)


class SessionIn(_In):
    project: str = Field(min_length=1, max_length=200)
    starts_at: dt.datetime
    ends_at: dt.datetime


class PlaceIn(_In):
    case_id: int


class AttendanceEntry(_In):
    contact_id: int
    outcome: Outcome
    hours: Decimal | None = Field(default=None, ge=0, le=12, decimal_places=2)
    notes: str | None = Field(default=None, max_length=5000)


class AttendanceIn(_In):
    attendance: list[AttendanceEntry] = Field(min_length=1, max_length=60)


class RecallIn(_In):
    recall_type: RecallType
    reasons: str = Field(min_length=1, max_length=20000)


class CountersignIn(_In):
    notes: str | None = Field(default=None, max_length=5000)


class RejectIn(_In):
    reason: str = Field(min_length=1, max_length=5000)


class DecisionIn(_In):
    recall: bool = Field(description="true: revoke the licence and recall; false: no recall")
    notes: str | None = Field(default=None, max_length=5000)
    prison_code: str | None = Field(
        default=None, max_length=16, description="Prison to return to; defaults to the prison that released them"
    )


class OutcomeResult(BaseModel):
    contact_id: int
    outcome: Outcome
    enforcement: str | None = Field(description="warning | breach | recall_review | added_to_breach, or none")
    enforcement_action_id: int | None
    explanation: str | None


class ContactOut(BaseModel):
    id: int
    case_id: int
    type: str
    type_label: str
    starts_at: dt.datetime
    location: str | None
    with_whom: str | None
    notes: str | None  # None when withheld (sensitive) or empty
    notes_withheld: bool
    sensitive: bool
    requirement_id: int | None
    upw_session_id: int | None
    outcome: str | None
    outcome_label: str | None
    hours_credited: float
    happened: bool


class RequirementOut(BaseModel):
    id: int
    kind: str
    ordered: float | None
    done: float | None
    remaining: float | None
    unit: str | None
    percent: int | None
    hours_per_day: int
    days_per_week: int
    ends_on: dt.date | None
    detail: str | None


class EnforcementOut(BaseModel):
    id: int
    contact_id: int
    kind: str
    kind_label: str
    status: str
    failures_in_window: int
    window_start: dt.date
    explanation: str
    rule_version: str
    due_date: dt.date | None
    task_id: int | None
    created_at: dt.datetime


class ObjectiveOut(BaseModel):
    id: int
    need: str
    objective: str
    target_date: dt.date | None
    status: str


class LicenceConditionOut(BaseModel):
    id: int
    kind: str
    condition: str


class RecallOut(BaseModel):
    id: int
    case_id: int
    person_id: int
    person_name: str
    recall_type: str
    recall_type_label: str
    reasons: str
    status: str
    status_label: str
    recommended_by: str
    recommended_by_staff_id: int | None
    recommended_at: dt.datetime
    countersigned_by: str | None
    countersigned_at: dt.datetime | None
    countersign_notes: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_notes: str | None
    prison_code: str | None
    expected_arrival_id: int | None


class SupervisionOut(BaseModel):
    case_id: int
    person_id: int
    person_name: str
    case_kind: str
    case_status: str
    start_date: dt.date
    end_date: dt.date | None
    requirements: list[RequirementOut]
    objectives: list[ObjectiveOut]
    licence_conditions: list[LicenceConditionOut]
    enforcement: list[EnforcementOut]
    recalls: list[RecallOut]
    next_appointment: ContactOut | None
    failures_in_window: int
    enforcement_rule_version: str | None


class SessionPlace(BaseModel):
    contact_id: int
    case_id: int
    person_id: int
    person_name: str
    outcome: str | None
    outcome_label: str | None
    hours_credited: float
    hours_ordered: int
    hours_worked: float


class SessionOut(BaseModel):
    id: int
    unit_id: int
    project: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    supervisor_staff_id: int | None
    places: list[SessionPlace] = Field(default_factory=list)
    place_count: int = 0
    recorded_count: int = 0
