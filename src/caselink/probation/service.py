"""Probation case use cases: cases from the court's sentences and the prison's releases (event
handlers, idempotent), the delivery unit's unallocated queue, allocation to a practitioner,
tier recalculation, termination, and the caseload and team pages' reads.

Supervision (contacts, requirements, enforcement, recall) is in supervision_service.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, and_, case, cast, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts.models import Staff, StaffTeam
from caselink.assessments import service as assessments
from caselink.db.base import Base
from caselink.organisations.models import OrganisationUnit
from caselink.organisations.service import event_area_of
from caselink.people.limited_access import (
    ensure_may_see,
    excluded_staff_ids,
    restricted_to_staff_ids,
    visible_person_ids,
)
from caselink.people.models import Person, PersonAddress
from caselink.people.registration_models import PersonRegistration
from caselink.platform.access.actor import SYSTEM, Actor, ActorKind
from caselink.platform.access.policy import check
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from caselink.platform.events.rules import Event
from caselink.platform.events.service import emit
from caselink.platform.tasks.models import Task
from caselink.platform.tasks.service import complete_tasks_for, create_task, reassign_in_transaction
from caselink.probation import rules
from caselink.probation.models import ProbationAllocation, ProbationCase, ProbationTierChange
from caselink.probation.rules import CaseKind, CaseStatus

cases_t = ProbationCase.__table__
persons_t = Person.__table__
staff_t = Staff.__table__
tasks_t = Task.__table__
regs_t = PersonRegistration.__table__
units_t = OrganisationUnit.__table__

PRACTITIONER_ROLES = ("probation_practitioner", "senior_probation_officer")
PAGE_SIZE = 50


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _today() -> dt.date:
    return dt.date.today()


# -- creating cases ---------------------------------------------------------------------------------


async def _current_postcode(db: AsyncSession, person_id: int) -> str | None:
    return await db.scalar(
        select(PersonAddress.postcode)
        .where(PersonAddress.person_id == person_id, PersonAddress.is_current, ~PersonAddress.no_fixed_abode)
        .order_by(PersonAddress.from_date.desc().nulls_last(), PersonAddress.id.desc())
        .limit(1)
    )


async def _unit_by_code(db: AsyncSession, code: str) -> OrganisationUnit:
    unit = await db.scalar(select(OrganisationUnit).where(OrganisationUnit.code == code))
    if unit is None:
        raise NotFound(f"Probation delivery unit {code} is not loaded: run `caselink reference load`.")
    return unit


async def create_case(
    db: AsyncSession,
    actor: Actor,
    *,
    person_id: int,
    spec: rules.CaseSpec,
    source: str,
    source_reference: str | None,
    source_event_id: Any = None,
    court_name: str | None = None,
) -> int | None:
    """Open a case in the delivery unit of the person's current address, with a pre-allocation task
    in that unit's queue and the first-appointment task. Returns the case id, or None when the
    event already made its case (handlers are replayed). Does not commit."""
    choice = rules.delivery_unit_for(await _current_postcode(db, person_id))
    unit = await _unit_by_code(db, choice.pdu_code)
    stmt = (
        insert(ProbationCase)
        .values(
            person_id=person_id,
            kind=spec.kind.value,
            status=CaseStatus.UNALLOCATED.value,
            delivery_unit_id=unit.id,
            delivery_unit_basis=f"{choice.basis} -> {unit.name}",
            start_date=spec.start_date,
            end_date=spec.end_date,
            sentence=spec.sentence,
            source=source,
            source_reference=source_reference,
            source_event_id=source_event_id,
            court_name=court_name,
            created_by=actor.audit_label,
        )
        .on_conflict_do_nothing(index_elements=[cases_t.c.source_event_id])
        .returning(cases_t.c.id)
    )
    case_id = await db.scalar(stmt)
    if case_id is None:
        return None
    pack = rules.tiering_rules_on(spec.start_date)
    label = spec.kind.label.lower()
    allocation = await create_task(
        db,
        actor,
        type="probation.pre_allocation",
        title=f"Pre-allocation checks and allocate new {label}",
        description=f"{choice.basis}. Check the address, risk flags and exclusions, then allocate a practitioner.",
        subject_type="case",
        subject_id=f"probation-case/{case_id}",
        owner_type="unit",
        owner_id=unit.id,
        due_in_working_days=2,
        due_from=spec.start_date,
        dedupe_key=f"probation.pre_allocation:{case_id}",
        source_event_id=source_event_id,
        commit=False,
    )
    first = await create_task(
        db,
        actor,
        type="probation.first_appointment",
        title=f"First appointment for new {label}",
        subject_type="case",
        subject_id=f"probation-case/{case_id}",
        owner_type="unit",
        owner_id=unit.id,
        due_in_working_days=pack.content.first_appointment_working_days,
        due_from=spec.start_date,
        dedupe_key=f"probation.first_appointment:{case_id}",
        source_event_id=source_event_id,
        details={"rulePack": pack.label},
        commit=False,
    )
    await db.execute(
        update(ProbationCase)
        .where(cases_t.c.id == case_id)
        .values(
            allocation_task_id=allocation.id, first_appointment_task_id=first.id, first_appointment_due=first.due_date
        )
    )
    await record(db, actor, "probation.case.create", "probation_case", case_id, detail={"source": source})
    await recalculate_tier(db, person_id, "case_created", case_ids=[case_id])
    return case_id


async def case_from_sentence_event(db: AsyncSession, event: Event) -> int | None:
    """``court.sentence.imposed``: a community order or a suspended sentence order opens a case
    (the first such disposal; a court passes one of them per sentence)."""
    specs = rules.cases_from_sentence(event.data)
    person_id = event.person_ids.get("person")
    if not specs or person_id is None:
        return None
    return await create_case(
        db,
        SYSTEM,
        person_id=int(person_id),
        spec=specs[0],
        source="court_sentence",
        source_reference=f"sentence/{event.data.get('sentenceId')}",
        source_event_id=event.id,
        court_name=str(event.data["courtName"]) if event.data.get("courtName") else None,  # older events: none
    )


async def case_from_release_event(db: AsyncSession, event: Event) -> int | None:
    """``custody.person.released`` on licence opens a licence case to the licence's end."""
    person_id = event.person_ids.get("person")
    if not event.data.get("onLicence") or person_id is None:
        return None
    released_on = dt.datetime.fromisoformat(str(event.data["occurredAt"])).date()
    dates = dict(event.data.get("licenceDates") or {})
    spec = rules.CaseSpec(CaseKind.LICENCE, released_on, rules.licence_end(dates), {"licenceDates": dates})
    return await create_case(
        db,
        SYSTEM,
        person_id=int(person_id),
        spec=spec,
        source="custody_release",
        source_reference=f"booking/{event.data.get('bookingId')}",
        source_event_id=event.id,
        court_name=None,
    )


# -- tier -------------------------------------------------------------------------------------------


async def tier_inputs(db: AsyncSession, person_id: int) -> rules.TierInputs:
    latest = await assessments.latest_completed(db, person_id)
    flags = (
        await db.execute(
            select(regs_t.c.type_code, regs_t.c.level).where(
                regs_t.c.person_id == person_id, regs_t.c.ended_on.is_(None)
            )
        )
    ).all()
    rosh_flag = next((f.level.lower() for f in flags if f.type_code == "ROSH" and f.level), None)
    return rules.TierInputs(
        rosh=rules.highest_rosh(
            [
                latest.rosh_public,
                latest.rosh_known_adult,
                latest.rosh_children,
                latest.rosh_staff,
                latest.rosh_prisoners,
            ]
        )
        if latest
        else None,
        reoffending_score=latest.reoffending_score if latest else None,
        flag_types=frozenset(f.type_code for f in flags),
        rosh_flag=rosh_flag,
        assessment_id=latest.id if latest else None,
    )


async def recalculate_tier(
    db: AsyncSession, person_id: int, trigger: str, case_ids: Sequence[int] | None = None
) -> list[tuple[int, str | None, str]]:
    """Work out the tier of the person's open cases again; record and announce each change
    (``probation.tier.changed``). Returns (case id, old tier, new tier) for the changed ones."""
    query = select(ProbationCase).where(
        ProbationCase.person_id == person_id, ProbationCase.status != CaseStatus.TERMINATED.value
    )
    if case_ids is not None:
        query = query.where(ProbationCase.id.in_(case_ids))
    open_cases = (await db.scalars(query.with_for_update())).all()
    if not open_cases:
        return []
    inputs = await tier_inputs(db, person_id)
    result = rules.calculate_tier(inputs, rules.tiering_rules_on(_today()))
    changed = []
    for c in open_cases:
        if c.tier == result.tier:
            continue
        old = c.tier
        c.tier, c.tier_rule_version, c.tier_calculated_at, c.updated_at = (
            result.tier,
            result.rule_version,
            _now(),
            _now(),
        )
        db.add(
            ProbationTierChange(
                case_id=c.id,
                from_tier=old,
                to_tier=result.tier,
                trigger=trigger,
                rule_version=result.rule_version,
                inputs={**inputs.as_json(), "steps": list(result.steps)},
            )
        )
        await emit(
            db,
            "probation.tier.changed",
            f"probation-case/{c.id}",
            person_ids={"person": person_id},
            data={
                "caseId": c.id,
                "from": old,
                "to": result.tier,
                "trigger": trigger,
                "rulePack": result.rule_version,
                **await event_area_of(db, c.delivery_unit_id),
            },
            detail_url=f"/api/v1/probation/cases/{c.id}",
        )
        changed.append((c.id, old, result.tier))
    await db.flush()
    return changed


# -- reading a case ---------------------------------------------------------------------------------


async def _case_or_404(db: AsyncSession, case_id: int, lock: bool = False) -> ProbationCase:
    query = select(ProbationCase).where(ProbationCase.id == case_id)
    c = await db.scalar(query.with_for_update() if lock else query)
    if c is None:
        raise NotFound(f"There is no probation case with id {case_id}.")
    return c


def _in_reach(actor: Actor, c: ProbationCase) -> bool:
    """Practitioners see their own caseload; senior officers and others their delivery unit."""
    if actor.kind is ActorKind.SYSTEM:
        return True
    if actor.kind is ActorKind.CLIENT:
        return True  # scoped by the client's probation:read scope
    if c.practitioner_staff_id is not None and c.practitioner_staff_id == actor.id:
        return True
    if c.team_id is not None and c.team_id in actor.team_ids:
        return True
    return actor.unit_id == c.delivery_unit_id and bool(set(actor.roles) - {"probation_practitioner"})


async def _ensure_reach(db: AsyncSession, actor: Actor, c: ProbationCase, action: str) -> None:
    if not _in_reach(actor, c):
        await record(db, actor, action, "probation_case", c.id, outcome="refused", detail={"reason": "out_of_reach"})
        await db.commit()
        raise Forbidden("This case is not on your caseload or in your delivery unit.")
    await ensure_may_see(db, actor, c.person_id, action)


@dataclass
class CaseDetail:
    case: ProbationCase
    person_name: str
    unit_name: str
    practitioner_name: str | None
    tier_history: list[ProbationTierChange] = field(default_factory=list)
    allocations: list[ProbationAllocation] = field(default_factory=list)


async def get_case(db: AsyncSession, actor: Actor, case_id: int) -> CaseDetail:
    check(actor, "probation:read")
    c = await _case_or_404(db, case_id)
    await _ensure_reach(db, actor, c, "probation.case.read")
    person = await db.get_one(Person, c.person_id)
    unit = await db.get_one(OrganisationUnit, c.delivery_unit_id)
    practitioner = await db.get(Staff, c.practitioner_staff_id) if c.practitioner_staff_id else None
    tiers = (
        await db.scalars(
            select(ProbationTierChange)
            .where(ProbationTierChange.case_id == c.id)
            .order_by(ProbationTierChange.id.desc())
        )
    ).all()
    allocations = (
        await db.scalars(
            select(ProbationAllocation)
            .where(ProbationAllocation.case_id == c.id)
            .order_by(ProbationAllocation.id.desc())
        )
    ).all()
    await record(db, actor, "probation.case.read", "probation_case", c.id)
    await db.commit()
    return CaseDetail(
        c,
        f"{person.given_name} {person.family_name}",
        unit.name,
        practitioner.display_name if practitioner else None,
        list(tiers),
        list(allocations),
    )


async def cases_of_person(db: AsyncSession, actor: Actor, person_id: int) -> list[ProbationCase]:
    """The person's probation tab: every case, newest first."""
    check(actor, "probation:read")
    await ensure_may_see(db, actor, person_id, "probation.person.read")
    rows = (
        await db.scalars(
            select(ProbationCase).where(ProbationCase.person_id == person_id).order_by(ProbationCase.id.desc())
        )
    ).all()
    await record(db, actor, "probation.person.read", "person", person_id)
    await db.commit()
    return list(rows)


# -- practitioners, workload, allocation ------------------------------------------------------------


@dataclass(frozen=True)
class PractitionerLoad:
    staff_id: int
    name: str
    roles: tuple[str, ...]
    caseload: int
    workload_points: int
    excluded: bool = False  # from the person being allocated (allocation page only)


def _points_expression(pack_rules: rules.TieringRules) -> Any:
    letter_points = case(
        *((func.left(cases_t.c.tier, 1) == letter, points) for letter, points in pack_rules.workload_points.items()),
        else_=pack_rules.workload_points.get("C", 0),
    )
    licence = case((cases_t.c.kind == CaseKind.LICENCE.value, pack_rules.licence_extra_points), else_=0)
    return func.coalesce(func.sum(letter_points + licence), 0)


async def practitioner_loads(db: AsyncSession, unit_id: int, person_id: int | None = None) -> list[PractitionerLoad]:
    """Each practitioner of the unit with their open caseload and workload points (one grouped
    query over the caseload index); ``excluded`` marks staff who may not see ``person_id``."""
    pack = rules.tiering_rules_on(_today())
    load = (
        select(
            cases_t.c.practitioner_staff_id.label("staff_id"),
            func.count().label("caseload"),
            _points_expression(pack.content).label("points"),
        )
        .where(cases_t.c.status == CaseStatus.ALLOCATED.value)
        .group_by(cases_t.c.practitioner_staff_id)
        .subquery()
    )
    rows = (
        await db.execute(
            select(
                staff_t.c.id,
                staff_t.c.display_name,
                staff_t.c.roles,
                func.coalesce(load.c.caseload, 0).label("caseload"),
                func.coalesce(load.c.points, 0).label("points"),
            )
            .outerjoin(load, load.c.staff_id == staff_t.c.id)
            .where(
                staff_t.c.unit_id == unit_id,
                staff_t.c.status == "active",
                staff_t.c.roles.op("&&")(cast(list(PRACTITIONER_ROLES), ARRAY(String(40)))),
            )
            .order_by(staff_t.c.display_name)
        )
    ).all()
    excluded: frozenset[int] = frozenset()
    allowed_only: frozenset[int] | None = None
    if person_id is not None:
        excluded = await excluded_staff_ids(db, person_id)
        allowed_only = await restricted_to_staff_ids(db, person_id)
    return [
        PractitionerLoad(
            r.id,
            r.display_name,
            tuple(r.roles),
            int(r.caseload),
            int(r.points),
            r.id in excluded or (allowed_only is not None and r.id not in allowed_only),
        )
        for r in rows
    ]


async def allocate(
    db: AsyncSession, actor: Actor, case_id: int, staff_id: int, notes: str | None = None
) -> ProbationCase:
    """A senior officer gives an unallocated case to a practitioner of the delivery unit. Refused:
    a second allocation, a practitioner excluded from the person, or someone outside the unit."""
    check(actor, "probation:allocate")
    c = await _case_or_404(db, case_id, lock=True)
    if actor.kind is ActorKind.STAFF and actor.unit_id != c.delivery_unit_id:
        raise Forbidden("Only a senior officer of the case's delivery unit can allocate it.")
    if c.status == CaseStatus.ALLOCATED:
        current = await db.get(Staff, c.practitioner_staff_id) if c.practitioner_staff_id else None
        raise Conflict(
            f"This case is already allocated to {current.display_name if current else 'a practitioner'}; "
            "it cannot be allocated again."
        )
    if c.status == CaseStatus.TERMINATED:
        raise Conflict("This case has been terminated: it cannot be allocated.")
    loads = {p.staff_id: p for p in await practitioner_loads(db, c.delivery_unit_id, c.person_id)}
    chosen = loads.get(staff_id)
    if chosen is None:
        raise ValidationFailed(FieldError("staff_id", "Choose a practitioner of this delivery unit."))
    if chosen.excluded:
        await record(
            db, actor, "probation.case.allocate", "probation_case", c.id, outcome="refused",
            detail={"staff_id": staff_id, "reason": "excluded"},
        )  # fmt: skip
        await db.commit()
        raise ValidationFailed(
            FieldError(
                "staff_id",
                f"{chosen.name} is excluded from this person's record and cannot supervise them. Choose someone else.",
            )
        )
    moment = _now()
    team_id = await db.scalar(select(StaffTeam.team_id).where(StaffTeam.staff_id == staff_id).limit(1))
    c.status, c.practitioner_staff_id, c.team_id = CaseStatus.ALLOCATED.value, staff_id, team_id
    c.allocated_at, c.allocated_by, c.updated_at = moment, actor.audit_label, moment
    db.add(
        ProbationAllocation(
            case_id=c.id,
            staff_id=staff_id,
            team_id=team_id,
            allocated_by=actor.audit_label,
            allocated_by_staff_id=actor.id if actor.kind is ActorKind.STAFF else None,
            notes=(notes or "").strip() or None,
            caseload_at_allocation=chosen.caseload,
            workload_points_at_allocation=chosen.workload_points,
        )
    )
    await _move_tasks(db, actor, c, staff_id, moment)
    await record(db, actor, "probation.case.allocate", "probation_case", c.id, detail={"staff_id": staff_id})
    await emit(
        db,
        "probation.case.allocated",
        f"probation-case/{c.id}",
        person_ids={"person": c.person_id},
        data={
            "caseId": c.id,
            "staffId": staff_id,
            "deliveryUnitId": c.delivery_unit_id,
            **await event_area_of(db, c.delivery_unit_id),
        },
        detail_url=f"/api/v1/probation/cases/{c.id}",
    )
    await db.commit()
    return c


async def _move_tasks(db: AsyncSession, actor: Actor, c: ProbationCase, staff_id: int, moment: dt.datetime) -> None:
    """Close the pre-allocation task and hand the first-appointment task to the practitioner, each
    with its history, audit entry and event, in the allocation's own transaction (the tasks
    service's in-transaction variants do not commit), so all are kept or lost together."""
    if c.allocation_task_id:
        await complete_tasks_for(db, actor, outcome="Allocated", dedupe_key=f"probation.pre_allocation:{c.id}")
    if c.first_appointment_task_id:
        await reassign_in_transaction(
            db, actor, c.first_appointment_task_id, "staff", staff_id, reason="Case allocated"
        )


# -- termination ------------------------------------------------------------------------------------


async def terminate(
    db: AsyncSession,
    actor: Actor,
    case_id: int,
    reason: str,
    terminated_on: dt.date | None = None,
    notes: str | None = None,
) -> ProbationCase:
    check(actor, "probation:write")
    c = await _case_or_404(db, case_id, lock=True)
    await _ensure_reach(db, actor, c, "probation.case.terminate")
    on = terminated_on or _today()
    if on > _today():
        raise ValidationFailed(FieldError("terminated_on", "The termination date cannot be in the future"))
    rules.check_termination(c.status, c.end_date, c.start_date, reason, on, notes)
    moment = _now()
    c.status, c.terminated_on, c.termination_reason = CaseStatus.TERMINATED.value, on, reason
    c.termination_notes, c.terminated_by, c.updated_at = (notes or "").strip() or None, actor.audit_label, moment
    # Open tasks about the case have no one to do them now.
    await db.execute(
        update(Task)
        .where(
            tasks_t.c.subject_type == "case",
            tasks_t.c.subject_id == f"probation-case/{c.id}",
            tasks_t.c.status.in_(["open", "in_progress"]),
        )
        .values(
            status="cancelled",
            outcome="Case terminated",
            completed_at=moment,
            completed_by=actor.audit_label,
            updated_at=moment,
        )
    )
    await record(db, actor, "probation.case.terminate", "probation_case", c.id, detail={"reason": reason})
    await emit(
        db,
        "probation.order.terminated",
        f"probation-case/{c.id}",
        person_ids={"person": c.person_id},
        data={
            "caseId": c.id,
            "kind": c.kind,
            "reason": reason,
            "terminatedOn": on.isoformat(),
            "early": rules.TerminationReason(reason).is_early,
            **await event_area_of(db, c.delivery_unit_id),
        },
        detail_url=f"/api/v1/probation/cases/{c.id}",
    )
    await db.commit()
    return c


# -- caseload, unallocated queue, team ----------------------------------------------------------------


async def _withheld(db: AsyncSession, actor: Actor, person_ids: Sequence[int], purpose: str) -> set[int]:
    """The people on a page of a list the actor may not see (limited access, decision 0026), for
    instance a restriction or exclusion added after the case was allocated: one query over the
    page's people, the withheld ones audited as one refused entry (the caller commits)."""
    ids = list(dict.fromkeys(person_ids))
    return set(ids) - set(await visible_person_ids(db, actor, ids, purpose)) if ids else set()


@dataclass(frozen=True)
class CaseloadRow:
    """One open case. For a person the reader may not see, ``restricted`` is true and only the
    case and person ids are kept: no name, dates, flags or link."""

    case_id: int
    person_id: int
    person_name: str | None
    kind: str | None
    tier: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    flags: tuple[str, ...]
    overdue_tasks: int | None
    next_appointment: dt.datetime | None
    restricted: bool = False


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[CaseloadRow]
    total: int
    page: int
    page_size: int
    shows_appointments: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _contacts_table() -> Any:
    """The supervision context's contacts, when that table is part of the schema."""
    return Base.metadata.tables.get("probation_contacts")


async def caseload(
    db: AsyncSession, actor: Actor, staff_id: int | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> CaseloadPage:
    """A practitioner's open cases, tier highest first, with flags, overdue tasks and the next
    appointment. One query for the page (lateral subqueries on indexed columns), one for the count."""
    check(actor, "probation:read")
    whose = staff_id if staff_id is not None else actor.id
    if whose is None:
        raise ValidationFailed(FieldError("staff_id", "Say whose caseload to show."))
    if whose != actor.id:
        owner_unit = await db.scalar(select(staff_t.c.unit_id).where(staff_t.c.id == whose))
        if owner_unit is None:
            raise NotFound(f"There is no member of staff with id {whose}.")
        if actor.kind is ActorKind.STAFF and (
            "senior_probation_officer" not in actor.roles or owner_unit != actor.unit_id
        ):
            raise Forbidden("You can see your own caseload, or as a senior officer your delivery unit's.")
    page = max(1, page)
    where = and_(cases_t.c.practitioner_staff_id == whose, cases_t.c.status == CaseStatus.ALLOCATED.value)
    total = int(await db.scalar(select(func.count()).select_from(cases_t).where(where)) or 0)
    today = _today()
    flags = (
        select(func.array_agg(func.distinct(regs_t.c.type_code)).label("flags"))
        .where(regs_t.c.person_id == cases_t.c.person_id, regs_t.c.ended_on.is_(None))
        .lateral("flags")
    )
    overdue = (
        select(func.count().label("overdue"))
        .where(
            tasks_t.c.subject_type == "case",
            tasks_t.c.subject_id == func.concat("probation-case/", cases_t.c.id),
            tasks_t.c.status.in_(["open", "in_progress"]),
            tasks_t.c.due_date < today,
        )
        .lateral("overdue")
    )
    columns: list[Any] = [
        cases_t.c.id,
        cases_t.c.person_id,
        persons_t.c.given_name,
        persons_t.c.family_name,
        cases_t.c.kind,
        cases_t.c.tier,
        cases_t.c.start_date,
        cases_t.c.end_date,
        flags.c.flags,
        overdue.c.overdue,
    ]
    # Pick the page's cases first, so the per-case lookups below run for these rows only.
    ordering = (cases_t.c.tier.asc().nulls_last(), cases_t.c.id)
    page_ids = (
        select(cases_t.c.id).where(where).order_by(*ordering).limit(page_size).offset((page - 1) * page_size)
    ).subquery("page_ids")
    query = (
        select(*columns)
        .select_from(page_ids)
        .join(cases_t, cases_t.c.id == page_ids.c.id)
        .join(persons_t, persons_t.c.id == cases_t.c.person_id)
        .join(flags, text("true"))
        .join(overdue, text("true"))
    )
    contacts = _contacts_table()
    if contacts is not None:
        upcoming = (
            select(func.min(contacts.c.starts_at).label("next_at"))
            .where(contacts.c.case_id == cases_t.c.id, contacts.c.starts_at >= _now(), contacts.c.outcome.is_(None))
            .lateral("upcoming")
        )
        query = query.add_columns(upcoming.c.next_at).join(upcoming, text("true"))
    rows = (await db.execute(query.order_by(*ordering))).all()
    hidden = await _withheld(db, actor, [r.person_id for r in rows], "probation.caseload")
    await record(db, actor, "probation.caseload.read", "staff", whose, detail={"page": page})
    await db.commit()
    return CaseloadPage(
        [
            CaseloadRow(r.id, r.person_id, None, None, None, None, None, (), None, None, restricted=True)
            if r.person_id in hidden
            else CaseloadRow(
                r.id,
                r.person_id,
                f"{r.given_name} {r.family_name}",
                r.kind,
                r.tier,
                r.start_date,
                r.end_date,
                tuple(r.flags or ()),
                int(r.overdue),
                getattr(r, "next_at", None),
            )
            for r in rows
        ],
        total,
        page,
        page_size,
        contacts is not None,
    )


@dataclass(frozen=True)
class QueueRow:
    """One unallocated case. For a person the reader may not see, ``restricted`` is true and only
    the case and person ids are kept."""

    case_id: int
    person_id: int
    person_name: str | None
    kind: str | None
    tier: str | None
    start_date: dt.date | None
    basis: str | None
    first_appointment_due: dt.date | None
    created_at: dt.datetime | None
    restricted: bool = False


async def unallocated(
    db: AsyncSession, actor: Actor, unit_id: int | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[QueueRow], int]:
    """The delivery unit's unallocated cases, oldest first."""
    check(actor, "probation:read")
    unit = unit_id if unit_id is not None else actor.unit_id
    if unit is None:
        raise ValidationFailed(FieldError("unit_id", "Say which delivery unit's queue to show."))
    if actor.kind is ActorKind.STAFF and unit != actor.unit_id:
        raise Forbidden("You can see the unallocated cases of your own delivery unit only.")
    where = and_(cases_t.c.delivery_unit_id == unit, cases_t.c.status == CaseStatus.UNALLOCATED.value)
    total = int(await db.scalar(select(func.count()).select_from(cases_t).where(where)) or 0)
    rows = (
        await db.execute(
            select(
                cases_t.c.id,
                cases_t.c.person_id,
                persons_t.c.given_name,
                persons_t.c.family_name,
                cases_t.c.kind,
                cases_t.c.tier,
                cases_t.c.start_date,
                cases_t.c.delivery_unit_basis,
                cases_t.c.first_appointment_due,
                cases_t.c.created_at,
            )
            .join(persons_t, persons_t.c.id == cases_t.c.person_id)
            .where(where)
            .order_by(cases_t.c.created_at, cases_t.c.id)
            .limit(page_size)
            .offset((max(1, page) - 1) * page_size)
        )
    ).all()
    hidden = await _withheld(db, actor, [r.person_id for r in rows], "probation.unallocated")
    await record(db, actor, "probation.unallocated.read", "unit", unit, detail={"page": page})
    await db.commit()
    return [
        QueueRow(r.id, r.person_id, None, None, None, None, None, None, None, restricted=True)
        if r.person_id in hidden
        else QueueRow(
            r.id,
            r.person_id,
            f"{r.given_name} {r.family_name}",
            r.kind,
            r.tier,
            r.start_date,
            r.delivery_unit_basis,
            r.first_appointment_due,
            r.created_at,
        )
        for r in rows
    ], total


async def team_view(db: AsyncSession, actor: Actor, unit_id: int | None = None) -> list[PractitionerLoad]:
    """The senior officer's view of the unit: each practitioner's caseload and workload."""
    check(actor, "probation:allocate")
    unit = unit_id if unit_id is not None else actor.unit_id
    if unit is None or (actor.kind is ActorKind.STAFF and unit != actor.unit_id):
        raise Forbidden("You can see the practitioners of your own delivery unit only.")
    loads = await practitioner_loads(db, unit)
    await record(db, actor, "probation.team.read", "unit", unit)
    await db.commit()
    return loads
