"""Changing a sentence plan objective (need, wording, target date, status) or a licence condition
(kind, wording) after it was added. Refused on a terminated case. Each change is audited with the
old and new values of every field it changed (``changes: {field: {from, to}}``), in the same
transaction; a change that changes nothing writes nothing. Kept apart from supervision_service.py,
whose access helpers it reuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.access.actor import Actor
from caselink.platform.audit.service import record
from caselink.platform.errors import FieldError, NotFound, ValidationFailed
from caselink.probation.supervision_models import LicenceCondition, SentencePlanObjective
from caselink.probation.supervision_schemas import LicenceConditionUpdate, ObjectiveUpdate
from caselink.probation.supervision_service import SUPERVISE, _refuse_closed, ensure_on_case, load_case


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _apply(row: Any, wanted: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set each wanted field on ROW; returns {field: {from, to}} for those that changed."""
    changes = {}
    for field, value in wanted.items():
        old = getattr(row, field)
        if old != value:
            changes[field] = {"from": _json(old), "to": _json(value)}
            setattr(row, field, value)
    return changes


def _given(body: ObjectiveUpdate | LicenceConditionUpdate, required: set[str]) -> dict[str, Any]:
    """The fields the caller gave; a required field given as null is refused."""
    given = {name: getattr(body, name) for name in body.model_fields_set}
    if not given:
        raise ValidationFailed(FieldError("body", "Give at least one field to change."))
    errors = [
        FieldError(name, "This cannot be blank.") for name in sorted(given) if name in required and given[name] is None
    ]
    if errors:
        raise ValidationFailed(errors)
    return given


async def update_objective(
    db: AsyncSession, actor: Actor, case_id: int, objective_id: int, body: ObjectiveUpdate
) -> dict[str, dict[str, Any]]:
    """Change an objective of CASE_ID; returns what changed (old and new values)."""
    objective = await db.get(SentencePlanObjective, objective_id, with_for_update=True)
    if objective is None or objective.case_id != case_id:
        raise NotFound(f"There is no objective with id {objective_id} on case {case_id}.")
    case = await load_case(db, objective.case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.objective.edit")
    _refuse_closed(case)
    changes = _apply(objective, _given(body, {"need", "objective", "status"}))
    if not changes:
        return changes
    objective.updated_at = dt.datetime.now(dt.UTC)
    await record(
        db,
        actor,
        "probation.objective.edit",
        "probation_case",
        case.id,
        detail={"objective_id": objective.id, "changes": changes},
    )
    await db.commit()
    return changes


async def update_licence_condition(
    db: AsyncSession, actor: Actor, case_id: int, condition_id: int, body: LicenceConditionUpdate
) -> dict[str, dict[str, Any]]:
    """Change a licence condition of CASE_ID; returns what changed (old and new values)."""
    condition = await db.get(LicenceCondition, condition_id, with_for_update=True)
    if condition is None or condition.case_id != case_id:
        raise NotFound(f"There is no licence condition with id {condition_id} on case {case_id}.")
    case = await load_case(db, condition.case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.licence_condition.edit")
    _refuse_closed(case)
    changes = _apply(condition, _given(body, {"kind", "condition"}))
    if not changes:
        return changes
    await record(
        db,
        actor,
        "probation.licence_condition.edit",
        "probation_case",
        case.id,
        detail={"licence_condition_id": condition.id, "changes": changes},
    )
    await db.commit()
    return changes


async def get_objective(db: AsyncSession, actor: Actor, case_id: int, objective_id: int) -> SentencePlanObjective:
    """An objective for its edit form: refused as the change itself would be."""
    objective = await db.get(SentencePlanObjective, objective_id)
    if objective is None or objective.case_id != case_id:
        raise NotFound(f"There is no objective with id {objective_id} on case {case_id}.")
    case = await load_case(db, case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.objective.edit")
    _refuse_closed(case)
    return objective


async def get_licence_condition(db: AsyncSession, actor: Actor, case_id: int, condition_id: int) -> LicenceCondition:
    condition = await db.get(LicenceCondition, condition_id)
    if condition is None or condition.case_id != case_id:
        raise NotFound(f"There is no licence condition with id {condition_id} on case {case_id}.")
    case = await load_case(db, case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.licence_condition.edit")
    _refuse_closed(case)
    return condition
