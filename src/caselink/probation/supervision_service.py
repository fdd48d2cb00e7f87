"""Supervision use cases: contacts and their outcomes, requirements and their progress, sentence plan
objectives, licence conditions, unpaid work group sessions, and enforcement (warning, then breach
action; a licence breach goes to a recall review).

Access: the practitioner acts on the cases on their caseload, a senior officer on their delivery
unit's, an unpaid work supervisor on sessions of their unit (``probation:upw``). Every change is
audited in the same transaction; a refusal is audited and committed on its own. Bad input raises
``ValidationFailed`` before anything is written, so nothing is half-kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, cast, func, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.service import event_area_of
from caselink.people.limited_access import limits_of
from caselink.people.models import Person
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.access.policy import has_permission
from caselink.platform.access.rules import Resource
from caselink.platform.audit.service import ensure_or_record_refusal, record
from caselink.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from caselink.platform.events.service import emit
from caselink.platform.rulepacks import NoRulePackInForce
from caselink.platform.tasks.service import complete_tasks_for, create_task
from caselink.probation import supervision_rules as rules
from caselink.probation.models import ProbationCase
from caselink.probation.supervision_models import (
    Contact,
    EnforcementAction,
    LicenceCondition,
    Recall,
    Requirement,
    SentencePlanObjective,
    UnpaidWorkSession,
)
from caselink.probation.supervision_schemas import (
    AttendanceIn,
    ContactIn,
    ContactOut,
    EnforcementOut,
    LicenceConditionIn,
    LicenceConditionOut,
    ObjectiveIn,
    ObjectiveOut,
    OutcomeIn,
    OutcomeResult,
    RecallOut,
    RequirementOut,
    SessionIn,
    SessionOut,
    SessionPlace,
    SupervisionOut,
)

cases_t = ProbationCase.__table__
contacts_t = Contact.__table__
requirements_t = Requirement.__table__
actions_t = EnforcementAction.__table__
persons_t = Person.__table__
sessions_t = UnpaidWorkSession.__table__
recalls_t = Recall.__table__

SUPERVISE = "probation:supervise"
UPW = "probation:upw"
MAX_PAGE_SIZE = 200
FAILURE_VALUES = tuple(o.value for o in rules.FAILURES)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


# -- access ----------------------------------------------------------------------------------------


async def case_resource(db: AsyncSession, case: Any) -> Resource:
    """A probation case is probation's record, held by its delivery unit and on its practitioner's
    caseload; the person's exclusions and restrictions apply."""
    limits = (await limits_of(db, [case.person_id])).get(case.person_id, ())
    return Resource(
        kind="probation_case",
        owning_agency="probation",
        unit_ids=frozenset({case.delivery_unit_id}),
        responsible_staff_ids=frozenset({case.practitioner_staff_id}) if case.practitioner_staff_id else frozenset(),
        responsible_team_ids=frozenset({case.team_id}) if case.team_id else frozenset(),
        limits=tuple(limits),
        id=str(case.id),
    )


async def ensure_on_case(db: AsyncSession, actor: Actor, action: str, case: Any, audit_action: str) -> None:
    """``ensure`` for a case, keeping a refusal in the audit (committed on its own)."""
    resource = await case_resource(db, case)
    await ensure_or_record_refusal(db, actor, action, resource, audit_action, rollback=True)


async def load_case(db: AsyncSession, case_id: int, *, lock: bool = False) -> ProbationCase:
    case = await db.get(ProbationCase, case_id, with_for_update=lock)
    if case is None:
        raise NotFound(f"There is no probation case with id {case_id}.")
    return case


async def person_name(db: AsyncSession, person_id: int) -> str:
    row = (
        await db.execute(select(persons_t.c.given_name, persons_t.c.family_name).where(persons_t.c.id == person_id))
    ).one_or_none()
    return f"{row.given_name} {row.family_name}" if row else f"person {person_id}"


def _may_read_sensitive(actor: Actor, case: Any) -> bool:
    """Sensitive notes are for the case's practitioner and senior officers, not everyone in reach."""
    if actor.kind is ActorKind.SYSTEM:
        return True
    return has_permission(actor, "probation:countersign") or (
        actor.id is not None and actor.id == case.practitioner_staff_id
    )


def _refuse_closed(case: Any) -> None:
    if case.status == "terminated":
        raise Conflict("This order or licence has ended: supervision can no longer be recorded on it.")


# -- requirements ----------------------------------------------------------------------------------


def _period_end(start: dt.date, period: Any) -> dt.date | None:
    if not isinstance(period, dict):
        return None
    years, months = int(period.get("years") or 0), int(period.get("months") or 0)
    weeks, days = int(period.get("weeks") or 0), int(period.get("days") or 0)
    if not any((years, months, weeks, days)):
        return None
    return rules.add_months(start, years * 12 + months) + dt.timedelta(weeks=weeks, days=days) - dt.timedelta(days=1)


def requirements_from_sentence(sentence: dict[str, Any]) -> list[dict[str, Any]]:
    """The requirements in the case's sentence, as the courts' disposal carries them
    (``requirements`` at the top, or inside each disposal)."""
    found: list[dict[str, Any]] = []
    if isinstance(sentence.get("requirements"), list):
        found.extend(r for r in sentence["requirements"] if isinstance(r, dict))
    for disposal in sentence.get("disposals") or []:
        if isinstance(disposal, dict) and isinstance(disposal.get("requirements"), list):
            found.extend(r for r in disposal["requirements"] if isinstance(r, dict))
    return [r for r in found if isinstance(r.get("kind"), str)]


async def ensure_requirements(db: AsyncSession, case: Any) -> None:
    """Turn the sentence's requirements into rows once (idempotent: position is unique per case)."""
    exists = await db.scalar(select(requirements_t.c.id).where(requirements_t.c.case_id == case.id).limit(1))
    if exists is not None:
        return
    rows = []
    for position, r in enumerate(requirements_from_sentence(case.sentence or {})):
        rows.append(
            {
                "case_id": case.id,
                "position": position,
                "kind": r["kind"],
                "ordered_hours": int(r.get("hours") or 0),
                "ordered_days": int(r.get("days") or 0),
                "hours_per_day": int(r.get("hours_per_day") or 0),
                "days_per_week": int(r.get("days_per_week") or 0),
                "ends_on": _period_end(case.start_date, r.get("period")),
                "detail": (r.get("detail") or None),
                "minutes_worked": 0,
                "days_used": 0,
                "sessions_attended": 0,
            }
        )
    if rows:
        await db.execute(insert(Requirement).values(rows).on_conflict_do_nothing())


def _requirement_out(r: Any) -> RequirementOut:
    progress = rules.requirement_progress(
        r.kind,
        ordered_hours=r.ordered_hours,
        ordered_days=r.ordered_days,
        minutes_worked=r.minutes_worked,
        days_used=r.days_used,
        sessions=r.sessions_attended,
    )
    return RequirementOut(
        id=r.id,
        kind=r.kind,
        ordered=progress.ordered if progress else None,
        done=progress.done if progress else None,
        remaining=progress.remaining if progress else None,
        unit=progress.unit if progress else None,
        percent=progress.percent if progress else None,
        hours_per_day=r.hours_per_day,
        days_per_week=r.days_per_week,
        ends_on=r.ends_on,
        detail=r.detail,
    )


async def _requirement_for(
    db: AsyncSession, case_id: int, contact_type: rules.ContactType, given: int | None
) -> int | None:
    """The requirement a contact counts towards: the one given (checked to be the case's), else the
    case's first requirement of the matching kind."""
    if given is not None:
        found = await db.scalar(
            select(requirements_t.c.id).where(requirements_t.c.id == given, requirements_t.c.case_id == case_id)
        )
        if found is None:
            raise ValidationFailed(FieldError("requirement_id", "That requirement is not part of this order"))
        return int(found)
    kind = rules.REQUIREMENT_OF_CONTACT.get(contact_type)
    if kind is None:
        return None
    found = await db.scalar(
        select(requirements_t.c.id)
        .where(requirements_t.c.case_id == case_id, requirements_t.c.kind == kind)
        .order_by(requirements_t.c.position)
        .limit(1)
    )
    return int(found) if found is not None else None


# -- contacts ----------------------------------------------------------------------------------------


# The first appointment after sentence or release is face to face: a call does not fulfil it.
FIRST_APPOINTMENT_TYPES = frozenset({rules.ContactType.OFFICE_APPOINTMENT, rules.ContactType.HOME_VISIT})


def _minutes(hours: Decimal | None) -> int:
    return 0 if hours is None else rules.hours_to_minutes(float(hours))


async def create_contact(
    db: AsyncSession, actor: Actor, case_id: int, body: ContactIn, now: dt.datetime | None = None
) -> int:
    """Book an appointment or record a contact. A contact that has happened may carry its outcome,
    which goes through the same checks and enforcement as recording it later."""
    moment = _now(now)
    case = await load_case(db, case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.contact.create")
    _refuse_closed(case)
    if body.starts_at.tzinfo is None:
        raise ValidationFailed(FieldError("starts_at", "Give the time with its offset, for example 2025-03-10T10:00Z"))
    if body.type is rules.ContactType.UNPAID_WORK:
        raise ValidationFailed(
            FieldError("type", "Unpaid work is booked on a group session: add the person to the session instead")
        )
    if body.outcome is not None:
        problems = rules.outcome_errors(body.starts_at, moment, None)
        if problems:
            raise ValidationFailed([FieldError(f, m) for f, m in problems])
    await ensure_requirements(db, case)
    requirement_id = await _requirement_for(db, case.id, body.type, body.requirement_id)
    contact = Contact(
        case_id=case.id,
        person_id=case.person_id,
        type=body.type.value,
        starts_at=body.starts_at,
        location=body.location or None,
        with_whom=body.with_whom or None,
        notes=body.notes or None,
        sensitive=body.sensitive,
        requirement_id=requirement_id,
        minutes_credited=0,
        created_by=actor.audit_label,
    )
    db.add(contact)
    await db.flush()
    await record(
        db,
        actor,
        "probation.contact.create",
        "probation_contact",
        contact.id,
        detail={"case_id": case.id, "type": body.type.value, "sensitive": body.sensitive},
    )
    if body.type in FIRST_APPOINTMENT_TYPES:
        # The case's first face-to-face appointment is what its "first appointment" task asked for.
        await complete_tasks_for(
            db,
            actor,
            dedupe_key=f"probation.first_appointment:{case.id}",
            outcome=f"First appointment booked: {body.type.label.lower()} on {body.starts_at.date().isoformat()}.",
        )
    if body.outcome is not None:
        await _apply_outcome(
            db,
            actor,
            case,
            contact,
            OutcomeIn(outcome=body.outcome, notes=body.outcome_notes, hours=body.hours),
            moment,
            field_prefix="",
        )
    await db.commit()
    return int(contact.id)


async def record_outcome(
    db: AsyncSession, actor: Actor, contact_id: int, body: OutcomeIn, now: dt.datetime | None = None
) -> OutcomeResult:
    """Record what happened at an appointment. Refused (nothing changed) before the appointment,
    twice, or with unpaid work hours beyond the order. A failure is counted for enforcement."""
    moment = _now(now)
    contact = await db.get(Contact, contact_id, with_for_update=True)
    if contact is None:
        raise NotFound(f"There is no contact with id {contact_id}.")
    case = await load_case(db, contact.case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.contact.outcome")
    result = await _apply_outcome(db, actor, case, contact, body, moment, field_prefix="")
    await db.commit()
    return result


async def _apply_outcome(
    db: AsyncSession,
    actor: Actor,
    case: ProbationCase,
    contact: Contact,
    body: OutcomeIn,
    moment: dt.datetime,
    *,
    field_prefix: str,
) -> OutcomeResult:
    """The outcome itself, in the caller's transaction; raises before writing on bad input."""

    def field(name: str) -> str:
        return f"{field_prefix}{name}"

    _refuse_closed(case)
    errors = [FieldError(field(f), m) for f, m in rules.outcome_errors(contact.starts_at, moment, contact.outcome)]
    minutes = _minutes(body.hours)
    contact_type = rules.ContactType(contact.type)
    requirement: Requirement | None = None
    if minutes and contact_type is not rules.ContactType.UNPAID_WORK:
        errors.append(FieldError(field("hours"), "Hours are credited on unpaid work sessions only"))
    elif minutes and not body.outcome.attended:
        errors.append(FieldError(field("hours"), "Hours can only be credited when the person attended"))
    if contact.requirement_id is not None:
        # Locked: two supervisors crediting the same order must not pass the hours check together.
        requirement = await db.get(Requirement, contact.requirement_id, with_for_update=True)
    if minutes and requirement is not None and not errors:
        problem = rules.unpaid_work_hours_error(requirement.ordered_hours, requirement.minutes_worked, minutes)
        if problem:
            errors.append(FieldError(field("hours"), problem))
    if minutes and requirement is None and not errors:
        errors.append(FieldError(field("hours"), "This order has no unpaid work requirement to credit hours to"))
    if errors:
        raise ValidationFailed(errors)

    contact.outcome = body.outcome.value
    contact.outcome_notes = body.notes or None
    contact.outcome_recorded_at = moment
    contact.outcome_recorded_by = actor.audit_label
    contact.minutes_credited = minutes
    if requirement is not None and body.outcome.attended:
        await _credit_progress(db, requirement, contact, contact_type, minutes, body.outcome)
    await record(
        db,
        actor,
        "probation.contact.outcome",
        "probation_contact",
        contact.id,
        detail={"case_id": case.id, "outcome": body.outcome.value, "minutes": minutes},
    )
    action: EnforcementAction | None = None
    decision: rules.EnforcementDecision | None = None
    if body.outcome.is_failure:
        await db.flush()
        action, decision = await _enforce(db, actor, case, contact, moment)
    return OutcomeResult(
        contact_id=contact.id,
        outcome=body.outcome,
        enforcement=action.kind if action else None,
        enforcement_action_id=action.id if action else None,
        explanation=decision.explanation if decision else None,
    )


async def _credit_progress(
    db: AsyncSession,
    requirement: Requirement,
    contact: Contact,
    contact_type: rules.ContactType,
    minutes: int,
    outcome: rules.Outcome,
) -> None:
    if contact_type is rules.ContactType.UNPAID_WORK:
        requirement.minutes_worked += minutes
    elif contact_type is rules.ContactType.RAR_SESSION and outcome is rules.Outcome.ATTENDED_COMPLIED:
        # A RAR day is used once however many activities happen on it.
        same_day = await db.scalar(
            select(func.count())
            .select_from(contacts_t)
            .where(
                contacts_t.c.requirement_id == requirement.id,
                contacts_t.c.id != contact.id,
                contacts_t.c.outcome == rules.Outcome.ATTENDED_COMPLIED.value,
                cast(contacts_t.c.starts_at, Date) == contact.starts_at.date(),
            )
        )
        if not same_day:
            requirement.days_used += 1
    elif contact_type is rules.ContactType.PROGRAMME_SESSION and outcome is rules.Outcome.ATTENDED_COMPLIED:
        requirement.sessions_attended += 1


# -- enforcement -------------------------------------------------------------------------------------

OPEN_BREACH_KINDS = (rules.EnforcementKind.BREACH.value, rules.EnforcementKind.RECALL_REVIEW.value)


async def _enforce(
    db: AsyncSession, actor: Actor, case: ProbationCase, contact: Contact, moment: dt.datetime
) -> tuple[EnforcementAction, rules.EnforcementDecision]:
    failure_on = contact.starts_at.date()
    pack = rules.enforcement_pack_on(failure_on)
    policy = pack.content.policy_for(case.kind)
    earliest = rules.add_months(failure_on, -policy.window_months)
    # One round trip for everything the decision and its task need: the earlier failures in the
    # window, the breach history and the person's name (this path is timed: p95 <= 100 ms).
    failed_on = cast(contacts_t.c.starts_at, Date)
    earlier_q = select(func.array_agg(failed_on)).where(
        contacts_t.c.case_id == case.id,
        contacts_t.c.outcome.in_(FAILURE_VALUES),
        contacts_t.c.id != contact.id,
        contacts_t.c.starts_at >= dt.datetime.combine(earliest, dt.time(), dt.UTC),
        contacts_t.c.starts_at < dt.datetime.combine(failure_on + dt.timedelta(days=1), dt.time(), dt.UTC),
    )
    breaches = (
        select(func.max(failed_on), func.coalesce(func.bool_or(actions_t.c.status == "open"), False))
        .select_from(actions_t.join(contacts_t, contacts_t.c.id == actions_t.c.contact_id))
        .where(actions_t.c.case_id == case.id, actions_t.c.kind.in_(OPEN_BREACH_KINDS))
        .subquery()
    )
    name_q = select(persons_t.c.given_name + " " + persons_t.c.family_name).where(persons_t.c.id == case.person_id)
    facts = (
        await db.execute(
            select(
                earlier_q.scalar_subquery().label("earlier"),
                name_q.scalar_subquery().label("name"),
                *breaches.c,
            ).select_from(breaches)
        )
    ).one()
    earlier = list(facts.earlier or [])
    last_breach_on, breach_open = facts[2], bool(facts[3])
    name = facts.name or f"person {case.person_id}"
    decision = rules.decide_enforcement(
        policy, failure_on, earlier, last_breach_on=last_breach_on, breach_open=breach_open
    )
    action = EnforcementAction(
        case_id=case.id,
        contact_id=contact.id,
        kind=decision.kind.value,
        status="open" if decision.due_working_days is not None else "closed",
        failures_in_window=decision.failures_in_window,
        window_start=decision.window_start,
        explanation=decision.explanation,
        rule_version=pack.label,
        created_by=actor.audit_label,
    )
    db.add(action)
    await db.flush()
    if decision.due_working_days is not None:
        titles = {
            rules.EnforcementKind.WARNING: f"Send a warning letter: {name}",
            rules.EnforcementKind.BREACH: f"Start breach action (return to court): {name}",
            rules.EnforcementKind.RECALL_REVIEW: f"Consider recall (licence breach): {name}",
        }
        owner_type, owner_id = (
            ("staff", case.practitioner_staff_id) if case.practitioner_staff_id else ("unit", case.delivery_unit_id)
        )
        task = await create_task(
            db,
            actor,
            type=f"probation.enforcement.{decision.kind.value}",
            title=titles[decision.kind],
            subject_type="person",
            subject_id=case.person_id,
            owner_type=owner_type,
            owner_id=owner_id,
            unit_id=case.delivery_unit_id,
            due_in_working_days=decision.due_working_days,
            due_from=moment.date(),
            priority=2 if decision.kind is not rules.EnforcementKind.WARNING else 3,
            description=decision.explanation,
            dedupe_key=f"probation.enforcement:{action.id}",
            details={"caseId": case.id, "contactId": contact.id, "enforcementActionId": action.id},
            commit=False,
        )
        # Assigned after the event below is emitted (its insert would flush a first UPDATE).
        task_id, due_date = task.id, task.due_date
    else:
        task_id, due_date = None, None
    if decision.kind is rules.EnforcementKind.BREACH:
        emitted = await emit(
            db,
            "probation.breach.initiated",
            f"probation-case/{case.id}",
            person_ids={"person": case.person_id},
            data={
                "caseId": case.id,
                "caseKind": case.kind,
                "enforcementActionId": action.id,
                "failuresInWindow": decision.failures_in_window,
                "windowStart": decision.window_start.isoformat(),
                "court": case.court_name,
                "dueDate": due_date.isoformat() if due_date else None,
                **await event_area_of(db, case.delivery_unit_id),
            },
            detail_url=f"/api/v1/probation/cases/{case.id}/supervision",
        )
        action.event_id = emitted.id
    action.task_id, action.due_date = task_id, due_date
    await record(
        db,
        actor,
        f"probation.enforcement.{decision.kind.value}",
        "probation_case",
        case.id,
        detail={"action_id": action.id, "failures": decision.failures_in_window, "rules": pack.label},
    )
    return action, decision


async def close_enforcement(db: AsyncSession, actor: Actor, action_id: int, notes: str | None = None) -> None:
    """Close a warning or breach action (the letter sent, the court dealt with the breach)."""
    action = await db.get(EnforcementAction, action_id, with_for_update=True)
    if action is None:
        raise NotFound(f"There is no enforcement action with id {action_id}.")
    case = await load_case(db, action.case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.enforcement.close")
    if action.status == "closed":
        raise Conflict("This enforcement action is already closed.")
    action.status = "closed"
    await record(
        db, actor, "probation.enforcement.close", "probation_enforcement_action", action.id, detail={"notes": notes}
    )
    await db.commit()


# -- objectives and licence conditions -------------------------------------------------------------


async def add_objective(db: AsyncSession, actor: Actor, case_id: int, body: ObjectiveIn) -> int:
    case = await load_case(db, case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.objective.add")
    _refuse_closed(case)
    objective = SentencePlanObjective(
        case_id=case.id,
        need=body.need,
        objective=body.objective,
        target_date=body.target_date,
        status="open",
        created_by=actor.audit_label,
    )
    db.add(objective)
    await db.flush()
    await record(db, actor, "probation.objective.add", "probation_case", case.id, detail={"objective_id": objective.id})
    await db.commit()
    return int(objective.id)


async def set_objective_status(db: AsyncSession, actor: Actor, objective_id: int, status: str) -> None:
    if status not in ("open", "achieved", "withdrawn"):
        raise ValidationFailed(FieldError("status", "Status must be open, achieved or withdrawn"))
    objective = await db.get(SentencePlanObjective, objective_id, with_for_update=True)
    if objective is None:
        raise NotFound(f"There is no objective with id {objective_id}.")
    case = await load_case(db, objective.case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.objective.status")
    objective.status = status
    objective.updated_at = dt.datetime.now(dt.UTC)
    await record(db, actor, "probation.objective.status", "probation_case", case.id, detail={"status": status})
    await db.commit()


async def add_licence_condition(db: AsyncSession, actor: Actor, case_id: int, body: LicenceConditionIn) -> int:
    case = await load_case(db, case_id)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.licence_condition.add")
    _refuse_closed(case)
    if case.kind != "licence":
        raise ValidationFailed(FieldError("kind", "Licence conditions belong to a licence; this case is an order"))
    condition = LicenceCondition(
        case_id=case.id, kind=body.kind, condition=body.condition, created_by=actor.audit_label
    )
    db.add(condition)
    await db.flush()
    await record(db, actor, "probation.licence_condition.add", "probation_case", case.id, detail={"id": condition.id})
    await db.commit()
    return int(condition.id)


# -- reading -------------------------------------------------------------------------------------------


def _contact_out(r: Any, may_see_sensitive: bool, now: dt.datetime) -> ContactOut:
    withheld = bool(r.sensitive and not may_see_sensitive and r.notes)
    return ContactOut(
        id=r.id,
        case_id=r.case_id,
        type=r.type,
        type_label=rules.ContactType(r.type).label,
        starts_at=r.starts_at,
        location=r.location,
        with_whom=r.with_whom,
        notes=None if withheld else r.notes,
        notes_withheld=withheld,
        sensitive=r.sensitive,
        requirement_id=r.requirement_id,
        upw_session_id=r.upw_session_id,
        outcome=r.outcome,
        outcome_label=rules.Outcome(r.outcome).label if r.outcome else None,
        hours_credited=r.minutes_credited / 60,
        happened=r.starts_at <= now,
    )


async def list_contacts(
    db: AsyncSession, actor: Actor, case_id: int, page: int = 1, page_size: int = 25
) -> tuple[list[ContactOut], int]:
    case = await load_case(db, case_id)
    await ensure_on_case(db, actor, "probation:read", case, "probation.contacts.read")
    page, page_size = max(1, page), max(1, min(page_size, MAX_PAGE_SIZE))
    total = int(
        await db.scalar(select(func.count()).select_from(contacts_t).where(contacts_t.c.case_id == case.id)) or 0
    )
    rows = (
        await db.execute(
            select(contacts_t)
            .where(contacts_t.c.case_id == case.id)
            .order_by(contacts_t.c.starts_at.desc(), contacts_t.c.id.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    ).all()
    await record(db, actor, "probation.contacts.read", "probation_case", case.id)
    await db.commit()
    sees = _may_read_sensitive(actor, case)
    now = _now(None)
    return [_contact_out(r, sees, now) for r in rows], total


async def get_contact(db: AsyncSession, actor: Actor, contact_id: int) -> tuple[ContactOut, ProbationCase]:
    row = (await db.execute(select(contacts_t).where(contacts_t.c.id == contact_id))).one_or_none()
    if row is None:
        raise NotFound(f"There is no contact with id {contact_id}.")
    case = await load_case(db, row.case_id)
    await ensure_on_case(db, actor, "probation:read", case, "probation.contact.read")
    return _contact_out(row, _may_read_sensitive(actor, case), _now(None)), case


def recall_out(r: Any, name: str) -> RecallOut:
    return RecallOut(
        id=r.id,
        case_id=r.case_id,
        person_id=r.person_id,
        person_name=name,
        recall_type=r.recall_type,
        recall_type_label=rules.RecallType(r.recall_type).label,
        reasons=r.reasons,
        status=r.status,
        status_label=rules.RecallStatus(r.status).label,
        recommended_by=r.recommended_by,
        recommended_by_staff_id=r.recommended_by_staff_id,
        recommended_at=r.recommended_at,
        countersigned_by=r.countersigned_by,
        countersigned_at=r.countersigned_at,
        countersign_notes=r.countersign_notes,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
        decision_notes=r.decision_notes,
        prison_code=r.prison_code,
        expected_arrival_id=r.expected_arrival_id,
    )


async def supervision(db: AsyncSession, actor: Actor, case_id: int, now: dt.datetime | None = None) -> SupervisionOut:
    """The supervision tab: requirements with progress, plan, licence conditions, enforcement,
    recalls and the next appointment. A handful of indexed queries, none per row."""
    moment = _now(now)
    case = await load_case(db, case_id)
    await ensure_on_case(db, actor, "probation:read", case, "probation.supervision.read")
    await ensure_requirements(db, case)
    requirements = (
        await db.execute(select(requirements_t).where(requirements_t.c.case_id == case.id).order_by("position"))
    ).all()
    objectives = (
        await db.execute(
            select(SentencePlanObjective.__table__)
            .where(SentencePlanObjective.case_id == case.id)
            .order_by(SentencePlanObjective.id)
        )
    ).all()
    conditions = (
        await db.execute(
            select(LicenceCondition.__table__).where(LicenceCondition.case_id == case.id).order_by(LicenceCondition.id)
        )
    ).all()
    actions = (
        await db.execute(select(actions_t).where(actions_t.c.case_id == case.id).order_by(actions_t.c.id.desc()))
    ).all()
    recalls = (
        await db.execute(select(recalls_t).where(recalls_t.c.case_id == case.id).order_by(recalls_t.c.id.desc()))
    ).all()
    upcoming = (
        await db.execute(
            select(contacts_t)
            .where(contacts_t.c.case_id == case.id, contacts_t.c.starts_at > moment)
            .order_by(contacts_t.c.starts_at)
            .limit(1)
        )
    ).one_or_none()
    rule_version: str | None = None
    failures = 0
    try:
        pack = rules.enforcement_pack_on(moment.date())
        rule_version = pack.label
        policy = pack.content.policy_for(case.kind)
        since = rules.add_months(moment.date(), -policy.window_months) + dt.timedelta(days=1)
        failures = int(
            await db.scalar(
                select(func.count())
                .select_from(contacts_t)
                .where(
                    contacts_t.c.case_id == case.id,
                    contacts_t.c.outcome.in_(FAILURE_VALUES),
                    contacts_t.c.starts_at >= dt.datetime.combine(since, dt.time(), dt.UTC),
                )
            )
            or 0
        )
    except NoRulePackInForce:  # no pack in force: show the page without the count
        rule_version = None
    name = await person_name(db, case.person_id)
    await record(db, actor, "probation.supervision.read", "probation_case", case.id)
    await db.commit()
    sees = _may_read_sensitive(actor, case)
    return SupervisionOut(
        case_id=case.id,
        person_id=case.person_id,
        person_name=name,
        case_kind=case.kind,
        case_status=case.status,
        start_date=case.start_date,
        end_date=case.end_date,
        requirements=[_requirement_out(r) for r in requirements],
        objectives=[
            ObjectiveOut(id=o.id, need=o.need, objective=o.objective, target_date=o.target_date, status=o.status)
            for o in objectives
        ],
        licence_conditions=[LicenceConditionOut(id=c.id, kind=c.kind, condition=c.condition) for c in conditions],
        enforcement=[
            EnforcementOut(
                id=a.id,
                contact_id=a.contact_id,
                kind=a.kind,
                kind_label=rules.EnforcementKind(a.kind).label,
                status=a.status,
                failures_in_window=a.failures_in_window,
                window_start=a.window_start,
                explanation=a.explanation,
                rule_version=a.rule_version,
                due_date=a.due_date,
                task_id=a.task_id,
                created_at=a.created_at,
            )
            for a in actions
        ],
        recalls=[recall_out(r, name) for r in recalls],
        next_appointment=_contact_out(upcoming, sees, moment) if upcoming else None,
        failures_in_window=failures,
        enforcement_rule_version=rule_version,
    )


# -- unpaid work sessions ----------------------------------------------------------------------------


def _session_resource(unit_id: int, session_id: int | None = None) -> Resource:
    return Resource(
        kind="probation_upw_session",
        owning_agency="probation",
        unit_ids=frozenset({unit_id}),
        id=None if session_id is None else str(session_id),
    )


async def _ensure_session(
    db: AsyncSession, actor: Actor, unit_id: int, session_id: int | None, audit_action: str
) -> None:
    resource = _session_resource(unit_id, session_id)
    await ensure_or_record_refusal(db, actor, UPW, resource, audit_action, rollback=True)


async def create_session(db: AsyncSession, actor: Actor, body: SessionIn) -> int:
    if actor.unit_id is None:
        raise Forbidden("You need to belong to a delivery unit to run unpaid work sessions.")
    await _ensure_session(db, actor, actor.unit_id, None, "probation.upw.session.create")
    errors: list[FieldError] = []
    if body.starts_at.tzinfo is None:
        errors.append(FieldError("starts_at", "Give the time with its offset"))
    if body.ends_at.tzinfo is None:
        errors.append(FieldError("ends_at", "Give the time with its offset"))
    elif body.starts_at.tzinfo is not None and body.ends_at <= body.starts_at:
        errors.append(FieldError("ends_at", "The session must end after it starts"))
    if errors:
        raise ValidationFailed(errors)
    session = UnpaidWorkSession(
        unit_id=actor.unit_id,
        project=body.project,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        supervisor_staff_id=actor.id if actor.kind is ActorKind.STAFF else None,
        created_by=actor.audit_label,
    )
    db.add(session)
    await db.flush()
    await record(db, actor, "probation.upw.session.create", "probation_upw_session", session.id)
    await db.commit()
    return int(session.id)


async def _load_session(db: AsyncSession, session_id: int) -> UnpaidWorkSession:
    session = await db.get(UnpaidWorkSession, session_id)
    if session is None:
        raise NotFound(f"There is no unpaid work session with id {session_id}.")
    return session


async def add_place(db: AsyncSession, actor: Actor, session_id: int, case_id: int) -> int:
    """Book a person (by their case) onto a group session: a contact of type unpaid work."""
    session = await _load_session(db, session_id)
    await _ensure_session(db, actor, session.unit_id, session.id, "probation.upw.place.add")
    case = await load_case(db, case_id)
    _refuse_closed(case)
    if case.delivery_unit_id != session.unit_id:
        raise ValidationFailed(FieldError("case_id", "This person is supervised by another delivery unit"))
    await ensure_requirements(db, case)
    requirement_id = await _requirement_for(db, case.id, rules.ContactType.UNPAID_WORK, None)
    if requirement_id is None:
        raise ValidationFailed(FieldError("case_id", "This order has no unpaid work requirement"))
    stmt = (
        insert(Contact)
        .values(
            case_id=case.id,
            person_id=case.person_id,
            type=rules.ContactType.UNPAID_WORK.value,
            starts_at=session.starts_at,
            location=session.project,
            sensitive=False,
            requirement_id=requirement_id,
            upw_session_id=session.id,
            minutes_credited=0,
            created_by=actor.audit_label,
        )
        .on_conflict_do_nothing(
            index_elements=[contacts_t.c.upw_session_id, contacts_t.c.case_id],
            index_where=contacts_t.c.upw_session_id.isnot(None),
        )
        .returning(contacts_t.c.id)
    )
    contact_id = await db.scalar(stmt)
    if contact_id is None:
        raise Conflict("This person already has a place on this session.")
    await record(db, actor, "probation.upw.place.add", "probation_upw_session", session.id, detail={"case_id": case.id})
    await db.commit()
    return int(contact_id)


async def record_attendance(
    db: AsyncSession, actor: Actor, session_id: int, body: AttendanceIn, now: dt.datetime | None = None
) -> list[OutcomeResult]:
    """The supervisor records the whole group at once: every entry is checked, and if any is wrong
    nothing is kept (errors name the entry: ``attendance.2.hours``)."""
    moment = _now(now)
    session = await _load_session(db, session_id)
    await _ensure_session(db, actor, session.unit_id, session.id, "probation.upw.attendance")
    ids = [e.contact_id for e in body.attendance]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(FieldError("attendance", "Each person can be recorded only once"))
    contacts = {
        c.id: c
        for c in (
            await db.scalars(select(Contact).where(Contact.id.in_(ids)).order_by(Contact.id).with_for_update())
        ).all()
    }
    errors: list[FieldError] = []
    for index, entry in enumerate(body.attendance):
        found = contacts.get(entry.contact_id)
        if found is None or found.upw_session_id != session.id:
            errors.append(FieldError(f"attendance.{index}.contact_id", "This person is not booked on this session"))
    if errors:
        raise ValidationFailed(errors)
    results: list[OutcomeResult] = []
    collected: list[FieldError] = []
    for index, entry in enumerate(body.attendance):
        contact = contacts[entry.contact_id]
        case = await load_case(db, contact.case_id)
        try:
            results.append(
                await _apply_outcome(
                    db,
                    actor,
                    case,
                    contact,
                    OutcomeIn(outcome=entry.outcome, hours=entry.hours, notes=entry.notes),
                    moment,
                    field_prefix=f"attendance.{index}.",
                )
            )
        except ValidationFailed as exc:
            collected.extend(exc.errors)
        except Conflict as exc:
            collected.append(FieldError(f"attendance.{index}.contact_id", exc.detail))
    if collected:
        await db.rollback()  # entries applied before the bad one are not kept
        raise ValidationFailed(collected)
    await db.commit()
    return results


async def get_session(db: AsyncSession, actor: Actor, session_id: int) -> SessionOut:
    session = await _load_session(db, session_id)
    await _ensure_session(db, actor, session.unit_id, session.id, "probation.upw.session.read")
    rows = (
        await db.execute(
            select(
                contacts_t.c.id,
                contacts_t.c.case_id,
                contacts_t.c.person_id,
                contacts_t.c.outcome,
                contacts_t.c.minutes_credited,
                (persons_t.c.given_name + " " + persons_t.c.family_name).label("person_name"),
                requirements_t.c.ordered_hours,
                requirements_t.c.minutes_worked,
            )
            .select_from(
                contacts_t.join(persons_t, persons_t.c.id == contacts_t.c.person_id).outerjoin(
                    requirements_t, requirements_t.c.id == contacts_t.c.requirement_id
                )
            )
            .where(contacts_t.c.upw_session_id == session.id)
            .order_by(persons_t.c.family_name, persons_t.c.given_name, contacts_t.c.id)
        )
    ).all()
    places = [
        SessionPlace(
            contact_id=r.id,
            case_id=r.case_id,
            person_id=r.person_id,
            person_name=r.person_name,
            outcome=r.outcome,
            outcome_label=rules.Outcome(r.outcome).label if r.outcome else None,
            hours_credited=r.minutes_credited / 60,
            hours_ordered=r.ordered_hours or 0,
            hours_worked=(r.minutes_worked or 0) / 60,
        )
        for r in rows
    ]
    return SessionOut(
        id=session.id,
        unit_id=session.unit_id,
        project=session.project,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        supervisor_staff_id=session.supervisor_staff_id,
        places=places,
        place_count=len(places),
        recorded_count=sum(1 for p in places if p.outcome),
    )


async def list_sessions(
    db: AsyncSession, actor: Actor, on_or_after: dt.date, page: int = 1, page_size: int = 25
) -> tuple[list[SessionOut], int]:
    """The unit's sessions from a day on, with how many places are booked and recorded."""
    if actor.unit_id is None:
        raise Forbidden("You need to belong to a delivery unit to see its unpaid work sessions.")
    await _ensure_session(db, actor, actor.unit_id, None, "probation.upw.sessions.read")
    page, page_size = max(1, page), max(1, min(page_size, MAX_PAGE_SIZE))
    since = dt.datetime.combine(on_or_after, dt.time(), dt.UTC)
    where = [sessions_t.c.unit_id == actor.unit_id, sessions_t.c.starts_at >= since]
    total = int(await db.scalar(select(func.count()).select_from(sessions_t).where(*where)) or 0)
    # Counted per session of the page (on the one-place-per-person index), not over every place
    # ever booked: a grouped subquery would aggregate the whole contacts table on each view.
    counts = (
        select(func.count().label("places"), func.count(contacts_t.c.outcome).label("recorded"))
        .where(contacts_t.c.upw_session_id == sessions_t.c.id)
        .lateral("counts")
    )
    rows = (
        await db.execute(
            select(sessions_t, counts.c.places, counts.c.recorded)
            .select_from(sessions_t.join(counts, true()))
            .where(*where)
            .order_by(sessions_t.c.starts_at, sessions_t.c.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    ).all()
    return [
        SessionOut(
            id=r.id,
            unit_id=r.unit_id,
            project=r.project,
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            supervisor_staff_id=r.supervisor_staff_id,
            place_count=r.places or 0,
            recorded_count=r.recorded or 0,
        )
        for r in rows
    ], total


@dataclass(frozen=True)
class CaseSummary:
    id: int
    kind: str
    person_id: int
    status: str


async def case_summary(db: AsyncSession, case_id: int) -> CaseSummary:
    row = (
        await db.execute(
            select(cases_t.c.id, cases_t.c.kind, cases_t.c.person_id, cases_t.c.status).where(cases_t.c.id == case_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no probation case with id {case_id}.")
    return CaseSummary(row.id, row.kind, row.person_id, row.status)


__all__: Sequence[str] = (
    "add_licence_condition",
    "add_objective",
    "add_place",
    "close_enforcement",
    "create_contact",
    "create_session",
    "get_contact",
    "get_session",
    "list_contacts",
    "list_sessions",
    "record_attendance",
    "record_outcome",
    "set_objective_status",
    "supervision",
)
