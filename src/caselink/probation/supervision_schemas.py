"""Request and response bodies of supervision, enforcement and recall."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from caselink.probation.supervision_rules import ContactType, Outcome, RecallType


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "office_appointment",
                    "starts_at": "2026-03-24T10:00:00+00:00",
                    "location": "Leeds Probation Office, Albion Street",
                    "with_whom": "Amira Khan",
                    "notes": "Review progress on the accommodation objective",
                }
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outcome": "attended_complied",
                    "notes": "Engaged well; showed the tenancy offer letter",
                    "hours": None,
                }
            ]
        }
    )

    outcome: Outcome
    notes: str | None = Field(default=None, max_length=5000)
    hours: Decimal | None = Field(
        default=None, ge=0, le=12, decimal_places=2, description="Unpaid work hours to credit (attended only)"
    )


class ObjectiveIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "need": "accommodation",
                    "objective": "Find settled accommodation within the Leeds area",
                    "target_date": "2026-06-30",
                }
            ]
        }
    )

    need: str = Field(min_length=1, max_length=60)
    objective: str = Field(min_length=1, max_length=5000)
    target_date: dt.date | None = None


class LicenceConditionIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "additional",
                    "condition": (
                        "Not to contact Jane Doe directly or indirectly without the prior approval of your "
                        "supervising officer"
                    ),
                }
            ]
        }
    )

    kind: str = Field(pattern="^(standard|additional)$")
    condition: str = Field(min_length=1, max_length=5000)


class SessionIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "project": "Roundhay Park footpath clearance",
                    "starts_at": "2026-03-21T09:00:00+00:00",
                    "ends_at": "2026-03-21T16:00:00+00:00",
                }
            ]
        }
    )

    project: str = Field(min_length=1, max_length=200)
    starts_at: dt.datetime
    ends_at: dt.datetime


class PlaceIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"case_id": 3301}]})

    case_id: int


class AttendanceEntry(_In):
    contact_id: int
    outcome: Outcome
    hours: Decimal | None = Field(default=None, ge=0, le=12, decimal_places=2)
    notes: str | None = Field(default=None, max_length=5000)


class AttendanceIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "attendance": [
                        {"contact_id": 70240, "outcome": "attended_complied", "hours": "6.5"},
                        {
                            "contact_id": 70241,
                            "outcome": "unacceptable_absence",
                            "notes": "No reply to calls; no medical note",
                        },
                    ]
                }
            ]
        }
    )

    attendance: list[AttendanceEntry] = Field(min_length=1, max_length=60)


class RecallIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "recall_type": "fixed_term",
                    "reasons": (
                        "Missed three appointments and left the approved premises without permission on 4 March 2026."
                    ),
                }
            ]
        }
    )

    recall_type: RecallType
    reasons: str = Field(min_length=1, max_length=20000)


class CountersignIn(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"notes": "Agreed: risk escalating; fixed term is proportionate"}]}
    )

    notes: str | None = Field(default=None, max_length=5000)


class RejectIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "Not yet proportionate: arrange a three-way meeting with the hostel manager first"}]
        }
    )

    reason: str = Field(min_length=1, max_length=5000)


class DecisionIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"recall": True, "notes": "Licence revoked; police notified to return to custody", "prison_code": "LEI"}
            ]
        }
    )

    recall: bool = Field(description="true: revoke the licence and recall; false: no recall")
    notes: str | None = Field(default=None, max_length=5000)
    prison_code: str | None = Field(
        default=None, max_length=16, description="Prison to return to; defaults to the prison that released them"
    )


class OutcomeResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contact_id": 70231,
                    "outcome": "unacceptable_absence",
                    "enforcement": "warning",
                    "enforcement_action_id": 5521,
                    "explanation": (
                        "First unacceptable failure in 12 months: a formal warning letter (probation.enforcement "
                        "2015.1)"
                    ),
                }
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 118,
                    "case_id": 3340,
                    "person_id": 4211,
                    "person_name": "Jordan Ellis",
                    "recall_type": "fixed_term",
                    "recall_type_label": "Fixed-term recall",
                    "reasons": (
                        "Missed three appointments and left the approved premises without permission on 4 March 2026."
                    ),
                    "status": "countersigned",
                    "status_label": "Countersigned – awaiting decision",
                    "recommended_by": "Amira Khan",
                    "recommended_by_staff_id": 77,
                    "recommended_at": "2026-03-05T09:40:00Z",
                    "countersigned_by": "Sam Reid",
                    "countersigned_at": "2026-03-05T11:05:00Z",
                    "countersign_notes": "Agreed: risk escalating; fixed term is proportionate",
                    "decided_by": None,
                    "decided_at": None,
                    "decision_notes": None,
                    "prison_code": None,
                    "expected_arrival_id": None,
                }
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_id": 3301,
                    "person_id": 4211,
                    "person_name": "Jordan Ellis",
                    "case_kind": "community_order",
                    "case_status": "allocated",
                    "start_date": "2026-03-10",
                    "end_date": "2027-03-09",
                    "requirements": [
                        {
                            "id": 1401,
                            "kind": "unpaid_work",
                            "ordered": 100.0,
                            "done": 21.0,
                            "remaining": 79.0,
                            "unit": "hours",
                            "percent": 21,
                            "hours_per_day": 0,
                            "days_per_week": 0,
                            "ends_on": "2027-03-09",
                            "detail": None,
                        }
                    ],
                    "objectives": [
                        {
                            "id": 611,
                            "need": "accommodation",
                            "objective": "Find settled accommodation within the Leeds area",
                            "target_date": "2026-06-30",
                            "status": "open",
                        }
                    ],
                    "licence_conditions": [],
                    "enforcement": [
                        {
                            "id": 5521,
                            "contact_id": 70199,
                            "kind": "warning",
                            "kind_label": "Warning",
                            "status": "open",
                            "failures_in_window": 1,
                            "window_start": "2025-03-17",
                            "explanation": "First unacceptable failure in 12 months: a formal warning letter",
                            "rule_version": "probation.enforcement 2015.1",
                            "due_date": "2026-03-19",
                            "task_id": 20933,
                            "created_at": "2026-03-17T16:20:00Z",
                        }
                    ],
                    "recalls": [],
                    "next_appointment": {
                        "id": 70231,
                        "case_id": 3301,
                        "type": "office_appointment",
                        "type_label": "Office appointment",
                        "starts_at": "2026-03-24T10:00:00Z",
                        "location": "Leeds Probation Office, Albion Street",
                        "with_whom": "Amira Khan",
                        "notes": None,
                        "notes_withheld": False,
                        "sensitive": False,
                        "requirement_id": None,
                        "upw_session_id": None,
                        "outcome": None,
                        "outcome_label": None,
                        "hours_credited": 0.0,
                        "happened": False,
                    },
                    "failures_in_window": 1,
                    "enforcement_rule_version": "probation.enforcement 2015.1",
                }
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 902,
                    "unit_id": 301,
                    "project": "Roundhay Park footpath clearance",
                    "starts_at": "2026-03-21T09:00:00Z",
                    "ends_at": "2026-03-21T16:00:00Z",
                    "supervisor_staff_id": 95,
                    "places": [
                        {
                            "contact_id": 70240,
                            "case_id": 3301,
                            "person_id": 4211,
                            "person_name": "Jordan Ellis",
                            "outcome": "attended_complied",
                            "outcome_label": "Attended – complied",
                            "hours_credited": 6.5,
                            "hours_ordered": 100,
                            "hours_worked": 21.0,
                        }
                    ],
                    "place_count": 1,
                    "recorded_count": 1,
                }
            ]
        }
    )

    id: int
    unit_id: int
    project: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    supervisor_staff_id: int | None
    places: list[SessionPlace] = Field(default_factory=list)
    place_count: int = 0
    recorded_count: int = 0


class ObjectiveUpdate(_In):
    """Change an objective: only the fields given change (``target_date: null`` clears it)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"objective": "Find settled accommodation", "target_date": "2025-12-31"}]},
    )

    need: str | None = Field(default=None, min_length=1, max_length=60)
    objective: str | None = Field(default=None, min_length=1, max_length=5000)
    target_date: dt.date | None = None
    status: str | None = Field(default=None, pattern="^(open|achieved|withdrawn)$")


class LicenceConditionUpdate(_In):
    """Change a licence condition's wording or kind: only the fields given change."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"condition": "Not to enter the exclusion zone shown on the map"}]},
    )

    kind: str | None = Field(default=None, pattern="^(standard|additional)$")
    condition: str | None = Field(default=None, min_length=1, max_length=5000)


# Examples of the answers given as plain dicts or JSONResponse (documented on their routes).
CONTACT_EXAMPLE: dict[str, object] = {
    "id": 70231,
    "case_id": 3301,
    "type": "office_appointment",
    "type_label": "Office appointment",
    "starts_at": "2026-03-24T10:00:00Z",
    "location": "Leeds Probation Office, Albion Street",
    "with_whom": "Amira Khan",
    "notes": "Review progress on the accommodation objective",
    "notes_withheld": False,
    "sensitive": False,
    "requirement_id": None,
    "upw_session_id": None,
    "outcome": "attended_complied",
    "outcome_label": "Attended – complied",
    "hours_credited": 0.0,
    "happened": True,
}
SESSION_LIST_EXAMPLE: dict[str, object] = {
    "items": [
        {
            "id": 902,
            "unit_id": 301,
            "project": "Roundhay Park footpath clearance",
            "starts_at": "2026-03-21T09:00:00Z",
            "ends_at": "2026-03-21T16:00:00Z",
            "supervisor_staff_id": 95,
            "places": [],
            "place_count": 6,
            "recorded_count": 0,
        }
    ],
    "page": 1,
    "total": 1,
}
OBJECTIVE_CHANGED_EXAMPLE: dict[str, object] = {
    "id": 611,
    "changes": {"target_date": {"from": "2026-06-30", "to": "2026-09-30"}},
}
LICENCE_CONDITION_CHANGED_EXAMPLE: dict[str, object] = {
    "id": 230,
    "changes": {
        "condition": {
            "from": "Not to enter the area of Leeds city centre shown on the map",
            "to": "Not to enter the exclusion zone shown on the map",
        }
    },
}
