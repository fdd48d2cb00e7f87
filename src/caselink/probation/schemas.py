"""Probation case request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from caselink.probation.rules import TerminationReason


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AllocateIn(_In):
    staff_id: int = Field(description="The practitioner to supervise the case")
    notes: str | None = Field(default=None, max_length=4000)


class TerminateIn(_In):
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
    staff_id: int
    name: str
    caseload: int
    workload_points: int
    excluded: bool
