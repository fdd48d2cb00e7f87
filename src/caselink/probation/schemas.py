"""Probation case request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from caselink.probation.rules import TerminationReason


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AllocateIn(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"staff_id": 77, "notes": "Has capacity; speaks Polish, as the person does"}]}
    )

    staff_id: int = Field(description="The practitioner to supervise the case")
    notes: str | None = Field(default=None, max_length=4000)


class TerminateIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reason": "good_progress",
                    "terminated_on": "2026-11-20",
                    "notes": "Revoked early by Leeds Magistrates' Court for good progress",
                }
            ]
        }
    )

    reason: TerminationReason
    terminated_on: dt.date | None = Field(default=None, description="Defaults to today")
    notes: str | None = Field(default=None, max_length=4000, description="Required when ending early")


class TierChangeOut(BaseModel):
    from_tier: str | None
    to_tier: str
    trigger: str
    rule_version: str
    inputs: dict[str, Any]
    changed_at: dt.datetime


class AllocationOut(BaseModel):
    staff_id: int
    allocated_by: str
    caseload_at_allocation: int | None
    workload_points_at_allocation: int | None
    allocated_at: dt.datetime


class CaseOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3301,
                    "person_id": 4211,
                    "kind": "community_order",
                    "status": "allocated",
                    "delivery_unit_id": 301,
                    "delivery_unit_basis": "home address postcode LS6 -> Leeds",
                    "practitioner_staff_id": 77,
                    "start_date": "2026-03-10",
                    "end_date": "2027-03-09",
                    "tier": "B2",
                    "tier_rule_version": "probation.tiering 2024.1",
                    "first_appointment_due": "2026-03-15",
                    "source": "court_sentence",
                    "source_reference": "sentence/881",
                    "sentence": {
                        "kind": "community_order",
                        "charge_ids": [9302],
                        "length": {"years": 0, "months": 12, "weeks": 0, "days": 0},
                        "requirements": [
                            {
                                "kind": "unpaid_work",
                                "hours": 100,
                                "days": 0,
                                "hours_per_day": 0,
                                "days_per_week": 0,
                                "period": {"years": 0, "months": 0, "weeks": 0, "days": 0},
                                "detail": "",
                            }
                        ],
                        "result_code": "1116",
                    },
                    "terminated_on": None,
                    "termination_reason": None,
                    "termination_notes": None,
                    "tier_history": [
                        {
                            "from_tier": None,
                            "to_tier": "B2",
                            "trigger": "case_created",
                            "rule_version": "probation.tiering 2024.1",
                            "inputs": {
                                "rosh": "high",
                                "reoffendingScore": 62,
                                "flags": ["ROSH"],
                                "roshFlag": "high",
                                "assessmentId": 2290,
                                "steps": ["Highest risk of serious harm: high -> B", "Reoffending score 62% -> 2"],
                            },
                            "changed_at": "2026-03-10T14:06:02Z",
                        }
                    ],
                    "allocations": [
                        {
                            "staff_id": 77,
                            "allocated_by": "staff:s.reid",
                            "caseload_at_allocation": 31,
                            "workload_points_at_allocation": 148,
                            "allocated_at": "2026-03-11T09:12:00Z",
                        }
                    ],
                }
            ]
        }
    )

    id: int
    person_id: int
    kind: str
    status: str
    delivery_unit_id: int
    delivery_unit_basis: str | None
    practitioner_staff_id: int | None
    start_date: dt.date
    end_date: dt.date | None
    tier: str | None
    tier_rule_version: str | None
    first_appointment_due: dt.date | None
    source: str
    source_reference: str | None
    sentence: dict[str, Any]
    terminated_on: dt.date | None
    termination_reason: str | None
    termination_notes: str | None
    tier_history: list[TierChangeOut] = Field(default_factory=list)
    allocations: list[AllocationOut] = Field(default_factory=list)

    @classmethod
    def of(cls, c: Any, tiers: list[Any] | None = None, allocations: list[Any] | None = None) -> CaseOut:
        return cls(
            id=c.id,
            person_id=c.person_id,
            kind=c.kind,
            status=c.status,
            delivery_unit_id=c.delivery_unit_id,
            delivery_unit_basis=c.delivery_unit_basis,
            practitioner_staff_id=c.practitioner_staff_id,
            start_date=c.start_date,
            end_date=c.end_date,
            tier=c.tier,
            tier_rule_version=c.tier_rule_version,
            first_appointment_due=c.first_appointment_due,
            source=c.source,
            source_reference=c.source_reference,
            sentence=dict(c.sentence or {}),
            terminated_on=c.terminated_on,
            termination_reason=c.termination_reason,
            termination_notes=c.termination_notes,
            tier_history=[TierChangeOut.model_validate(t, from_attributes=True) for t in tiers or []],
            allocations=[AllocationOut.model_validate(a, from_attributes=True) for a in allocations or []],
        )


class PractitionerOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"staff_id": 77, "name": "Amira Khan", "caseload": 31, "workload_points": 148, "excluded": False}
            ]
        }
    )

    staff_id: int
    name: str
    caseload: int
    workload_points: int
    excluded: bool


# Examples of the answers given as plain dicts (documented on their routes in api.py).
UNALLOCATED_EXAMPLE: dict[str, Any] = {
    "items": [
        {
            "case_id": 3301,
            "person_id": 4211,
            "person_name": "Jordan Ellis",
            "kind": "community_order",
            "tier": "B2",
            "start_date": "2026-03-10",
            "basis": "home address postcode LS6 -> Leeds",
            "first_appointment_due": "2026-03-15",
            "created_at": "2026-03-10T14:06:02Z",
            "restricted": False,
        }
    ],
    "page": 1,
    "total": 1,
}
CASELOAD_EXAMPLE: dict[str, Any] = {
    "items": [
        {
            "case_id": 3301,
            "person_id": 4211,
            "person_name": "Jordan Ellis",
            "kind": "community_order",
            "tier": "B2",
            "start_date": "2026-03-10",
            "end_date": "2027-03-09",
            "flags": ["Risk of serious harm: high"],
            "overdue_tasks": 0,
            "next_appointment": "2026-03-24T10:00:00Z",
            "restricted": False,
        }
    ],
    "page": 1,
    "total": 1,
    "shows_appointments": True,
}
