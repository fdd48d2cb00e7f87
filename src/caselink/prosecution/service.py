"""Prosecution use cases: the police case file, the charging decision, progressing the case
(allocation, reviews, IDPC, disclosure, custody time limits, discontinuance) and its readiness for
each hearing. Every read of a case and every write is audited; writes emit events in the same
transaction; access is checked here against the case's units (police force and unit, CPS area).

For the courts context:
- ``note_next_hearing(db, case_id, hearing_id, hearing_type, starts_at)`` after listing or
  re-listing a hearing (in the caller's transaction; no commit) keeps the lawyer's list current;
- ``record_remand_period(db, actor, defendant_id, start, end, kind)`` when a defendant is remanded
  in custody or released: custody time limits and their expiry tasks are recomputed;
- ``case_readiness(db, case_id, hearing_type, hearing_date)`` for the readiness of any hearing;
- ``conclude_charges(db, charge_ids, on)`` when verdicts or outcomes end charges.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts.models import Staff
from caselink.courts.rules import DiscontinuanceReason, HearingType
from caselink.organisations.models import OrganisationUnit
from caselink.organisations.rules import UnitKind
from caselink.organisations.service import event_area_of
from caselink.people import service as people_service
from caselink.people.limited_access import ensure_may_see, visible_person_ids
from caselink.people.models import Person
from caselink.people.rules import parse_urn, urn_display
from caselink.platform.access import DataPurpose, Resource, ensure
from caselink.platform.access.actor import SYSTEM, Actor, ActorKind
from caselink.platform.access.policy import check, has_permission
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from caselink.platform.events.service import emit
from caselink.platform.tasks.models import Task
from caselink.platform.tasks.rules import ACTIVE_STATUSES, OwnerType, Priority, SubjectType
from caselink.platform.tasks.service import cancel_task, complete_tasks_for, create_task
from caselink.platform.tasks.service import today as london_today
from caselink.prosecution import rules
from caselink.prosecution.models import (
    CaseHistoryEntry,
    CaseMaterial,
    CaseReview,
    CaseStatus,
    Charge,
    ChargeStatus,
    ChargingDecisionRecord,
    CustodyStatus,
    CustodyTimeLimit,
    Defendant,
    DisclosureStep,
    DisclosureStepRecord,
    IdpcService,
    ProsecutionCase,
    ReadinessOverride,
    ReadinessTick,
    RemandPeriodRecord,
    Victim,
    Witness,
)
from caselink.prosecution.schemas import (
    AllocationIn,
    AreaChecklistChangeIn,
    CaseFileIn,
    ChargingDecisionIn,
    DisclosureStepIn,
    DiscontinuanceIn,
    ReviewIn,
    ServedIn,
)
from caselink.reference.models import Offence

# Working days the CPS has to give a charging decision on a file (a service standard, not statute).
CHARGING_DECISION_WORKING_DAYS = 5
CHARGING_DECISION_IN_CUSTODY_WORKING_DAYS = 1
MAX_PAGE_SIZE = 100
CUSTODY_ORDER = [s.value for s in CustodyStatus]  # most restrictive first
MATERIAL_KINDS = {"statement", "exhibit", "cctv", "interview", "mg_form", "other"}
WITNESS_KINDS = {"civilian", "police", "expert", "victim"}
REVIEW_KINDS = {"initial", "full", "pre_trial", "post_hearing"}
SPECIAL_MEASURES = {
    "screens",
    "live_link",
    "evidence_in_private",
    "removal_of_wigs_and_gowns",
    "video_recorded_evidence",
    "intermediary",
    "aids_to_communication",
}

# -- access ------------------------------------------------------------------------------------------


def case_resource(case: ProsecutionCase) -> Resource:
    """A case is shared by the police force that filed it and the CPS area prosecuting it."""
    return Resource(
        kind="prosecution_case",
        owning_agency=None,
        agencies=frozenset({"police", "cps"}),
        unit_ids=frozenset({case.police_force_unit_id, case.police_unit_id, case.cps_area_unit_id}),
        responsible_staff_ids=frozenset(i for i in (case.allocated_lawyer_id, case.paralegal_id) if i is not None),
        id=str(case.id),
    )


def victim_resource(case: ProsecutionCase) -> Resource:
    """Victims' and witnesses' details are the police's, shared by standing rule (policy.py)."""
    base = case_resource(case)
    return Resource(
        kind="victim_details",
        owning_agency="police",
        agencies=base.agencies,
        unit_ids=base.unit_ids,
        purposes=frozenset({DataPurpose.VICTIM_DETAILS}),
        id=base.id,
    )


def may_see_victims(actor: Actor, case: ProsecutionCase) -> bool:
    from caselink.platform.access import can

    return bool(can(actor, "prosecution:read", victim_resource(case)))


async def _load_case(db: AsyncSession, actor: Actor, case_id: int, action: str, lock: bool = False) -> ProsecutionCase:
    stmt = select(ProsecutionCase).where(ProsecutionCase.id == case_id)
    if lock:
        stmt = stmt.with_for_update()
    case = (await db.execute(stmt)).scalar_one_or_none()
    if case is None:
        raise NotFound(f"There is no prosecution case {case_id}.")
    ensure(actor, action, case_resource(case))
    # Limited access (decision 0026): a defendant the actor may not see closes the case to them
    # (refusal audited and committed; nothing has been written yet).
    audit_action = "prosecution.case.read" if action == "prosecution:read" else "prosecution.case.write"
    for person_id in sorted(set(await db.scalars(select(Defendant.person_id).where(Defendant.case_id == case_id)))):
        await ensure_may_see(db, actor, person_id, audit_action)
    return case


async def _history(
    db: AsyncSession, case_id: int, actor: Actor, event_type: str, title: str, text: str | None = None
) -> None:
    db.add(CaseHistoryEntry(case_id=case_id, event_type=event_type, title=title, text=text, actor=actor.audit_label))


async def _emit(
    db: AsyncSession, case: ProsecutionCase, type: str, data: dict[str, Any], person_id: int | None = None
) -> None:
    """An event about one defendant (``person_id``) or, without it, about the whole case: then one
    event per defendant, since an event's envelope names one person and every defendant's timeline
    (and any consumer keyed by person) must see it."""
    if person_id is not None:
        targets: list[tuple[int | None, int]] = [(None, person_id)]
    else:
        await db.flush()
        rows = await db.execute(
            select(Defendant.id, Defendant.person_id)
            .where(Defendant.case_id == case.id)
            .order_by(Defendant.position, Defendant.id)
        )
        targets = [(r.id, r.person_id) for r in rows]
    # The CPS area prosecuting the case is the unit every prosecution event is about.
    area = await event_area_of(db, case.cps_area_unit_id)
    for defendant_id, person in targets:
        extra = {"defendantId": defendant_id} if defendant_id is not None and "defendantId" not in data else {}
        await emit(
            db,
            type,
            f"prosecution-case/{case.id}",
            person_ids={"person": person},
            data={"caseId": case.id, "urn": case.urn, **data, **extra, **area},
            detail_url=f"/api/v1/prosecution/cases/{case.id}",
        )


def _staff_id(actor: Actor) -> int | None:
    return actor.id if actor.kind is ActorKind.STAFF else None


# -- police case file --------------------------------------------------------------------------------


async def _units(db: AsyncSession, ids: Iterable[int]) -> dict[int, OrganisationUnit]:
    rows = (await db.scalars(select(OrganisationUnit).where(OrganisationUnit.id.in_(set(ids))))).all()
    return {u.id: u for u in rows}


async def known_offence_codes(db: AsyncSession, codes: Iterable[str]) -> dict[str, Offence]:
    wanted = {c.strip().upper() for c in codes if c and c.strip()}
    if not wanted:
        return {}
    rows = (await db.scalars(select(Offence).where(Offence.code.in_(wanted)))).all()
    return {o.code: o for o in rows}


def _unit_error(path: str, unit: OrganisationUnit | None, kinds: set[str], what: str) -> FieldError | None:
    if unit is None:
        return FieldError(path, f"There is no {what} with this id")
    if unit.kind not in kinds:
        return FieldError(path, f"{unit.name} is not a {what}")
    return None


async def _case_file_errors(db: AsyncSession, body: CaseFileIn, today: date) -> tuple[str, list[FieldError]]:
    errors: list[FieldError] = []
    urn = parse_urn(body.urn)
    if not urn.valid:
        errors.append(FieldError("urn", (urn.reason or "Enter a valid URN").rstrip(".")))
    units = await _units(db, (body.police_force_unit_id, body.police_unit_id, body.cps_area_unit_id))
    for path, unit_id, kinds, what in (
        ("police_force_unit_id", body.police_force_unit_id, {UnitKind.POLICE_FORCE.value}, "police force"),
        (
            "police_unit_id",
            body.police_unit_id,
            {UnitKind.POLICE_UNIT.value, UnitKind.POLICE_FORCE.value},
            "police unit",
        ),
        ("cps_area_unit_id", body.cps_area_unit_id, {UnitKind.CPS_AREA.value}, "CPS area"),
    ):
        problem = _unit_error(path, units.get(unit_id), kinds, what)
        if problem:
            errors.append(problem)
    if not body.officer_in_case_name.strip():
        errors.append(FieldError("officer_in_case_name", "Enter the name of the officer in the case"))
    if not body.suspects:
        errors.append(FieldError("suspects", "Add at least one suspect"))
    codes = await known_offence_codes(db, (o.offence_code for s in body.suspects for o in s.offences))
    existing_ids = [s.person_id for s in body.suspects if s.person_id is not None]
    found_people = set(
        (await db.scalars(select(Person.id).where(Person.id.in_(existing_ids), Person.merged_into_id.is_(None)))).all()
    )
    seen_people: set[int] = set()
    for i, suspect in enumerate(body.suspects):
        path = f"suspects.{i}"
        if (suspect.person_id is None) == (suspect.new_person is None):
            errors.append(
                FieldError(f"{path}.person_id", "Choose the matching person from the index, or add a new person")
            )
        if suspect.person_id is not None:
            if suspect.person_id not in found_people:
                errors.append(FieldError(f"{path}.person_id", f"There is no person {suspect.person_id} in the index"))
            elif suspect.person_id in seen_people:
                errors.append(FieldError(f"{path}.person_id", "This person is already a suspect on the file"))
            seen_people.add(suspect.person_id)
        if suspect.new_person is not None:
            try:
                people_service.check_details(suspect.new_person, today)
            except ValidationFailed as exc:
                errors += [FieldError(f"{path}.new_person.{e.field}", e.message) for e in exc.errors]
        if suspect.custody_status not in CUSTODY_ORDER:
            errors.append(FieldError(f"{path}.custody_status", "Choose the suspect's custody or bail status"))
        if not suspect.offences:
            errors.append(FieldError(f"{path}.offences", "Add at least one offence for this suspect"))
        for j, offence in enumerate(suspect.offences):
            opath = f"{path}.offences.{j}"
            code = offence.offence_code.strip().upper()
            if not code:
                errors.append(FieldError(f"{opath}.offence_code", "Enter the CJS offence code"))
            elif code not in codes:
                errors.append(
                    FieldError(f"{opath}.offence_code", f"{code} is not an offence code in the CJS standing data")
                )
            if not offence.wording.strip():
                errors.append(FieldError(f"{opath}.wording", "Enter the wording of the offence"))
            if offence.offence_date_from is None:
                errors.append(FieldError(f"{opath}.offence_date_from", "Enter the date of the offence"))
            elif offence.offence_date_from > today:
                errors.append(FieldError(f"{opath}.offence_date_from", "The offence date must be in the past"))
            if offence.offence_date_to is not None and offence.offence_date_from is not None:
                if offence.offence_date_to < offence.offence_date_from:
                    errors.append(
                        FieldError(f"{opath}.offence_date_to", "The end of the period must be after its start")
                    )
                elif offence.offence_date_to > today:
                    errors.append(FieldError(f"{opath}.offence_date_to", "The offence date must be in the past"))
    for i, item in enumerate(body.material):
        if item.kind not in MATERIAL_KINDS:
            errors.append(FieldError(f"material.{i}.kind", f"Choose one of: {', '.join(sorted(MATERIAL_KINDS))}"))
        if not item.title.strip():
            errors.append(FieldError(f"material.{i}.title", "Describe the item"))
    for i, witness in enumerate(body.witnesses):
        if not witness.name.strip():
            errors.append(FieldError(f"witnesses.{i}.name", "Enter the witness's name"))
        if witness.kind not in WITNESS_KINDS:
            errors.append(FieldError(f"witnesses.{i}.kind", f"Choose one of: {', '.join(sorted(WITNESS_KINDS))}"))
        for k, measure in enumerate(witness.special_measures):
            if measure not in SPECIAL_MEASURES:
                errors.append(
                    FieldError(
                        f"witnesses.{i}.special_measures.{k}",
                        f"Choose special measures from: {', '.join(sorted(SPECIAL_MEASURES))}",
                    )
                )
    for i, victim in enumerate(body.victims):
        if not victim.name.strip():
            errors.append(FieldError(f"victims.{i}.name", "Enter the victim's name"))
    return urn.canonical, errors


def _most_restrictive(statuses: Iterable[str]) -> str:
    return min(statuses, key=CUSTODY_ORDER.index, default=CustodyStatus.NOT_ARRESTED.value)


async def _strong_matches(db: AsyncSession, actor: Actor, body: CaseFileIn) -> list[dict[str, Any]]:
    """Suspects to be added as new people who may already be in the index (match before create)."""
    from caselink.people import matching

    found: list[dict[str, Any]] = []
    for i, suspect in enumerate(body.suspects):
        if suspect.new_person is None or suspect.new_person.confirm_new:
            continue
        _, matches = await people_service.match(db, actor, suspect.new_person)
        strong = [m for m in matches if m.score >= matching.STRONG_MATCH]
        if strong:
            found.append({"suspect": i, "candidates": people_service.candidates_body(strong)})
    return found


async def submit_case_file(db: AsyncSession, actor: Actor, body: CaseFileIn, today: date | None = None) -> int:
    """Take a police case file: check it whole (nothing is written if any part is wrong), match
    each new suspect against the person index, then write the case, emit
    ``prosecution.case_file.submitted`` and put a charging task in the CPS area's queue."""
    check(actor, "prosecution:file")
    today = today or london_today()
    urn, errors = await _case_file_errors(db, body, today)
    if not errors:
        taken = await db.scalar(
            select(ProsecutionCase.id).where(ProsecutionCase.prosecuting_authority == "cps", ProsecutionCase.urn == urn)
        )
        if taken is not None:
            errors.append(FieldError("urn", f"A case with URN {urn_display(urn)} has already been submitted"))
    if errors:
        raise ValidationFailed(errors)
    if actor.kind is ActorKind.STAFF and actor.unit_id not in (body.police_unit_id, body.police_force_unit_id):
        raise ValidationFailed(FieldError("police_unit_id", "You can only submit files for your own police unit"))
    strong = await _strong_matches(db, actor, body)
    if strong:
        raise Conflict(
            "Some suspects may already be in the person index. Choose their existing record, or confirm each "
            "is a different person and say why.",
            extra={"suspects": strong},
        )
    # New people go into the index first (each in its own audited transaction): a person is never
    # half of a case, and the case is written whole below or not at all.
    person_ids: list[int] = []
    for suspect in body.suspects:
        if suspect.person_id is not None:
            person_ids.append(suspect.person_id)
        else:
            assert suspect.new_person is not None
            person_ids.append(await people_service.create(db, actor, suspect.new_person, source="police_case_file"))

    case = ProsecutionCase(
        urn=urn,
        police_force_unit_id=body.police_force_unit_id,
        police_unit_id=body.police_unit_id,
        cps_area_unit_id=body.cps_area_unit_id,
        officer_in_case_name=body.officer_in_case_name.strip(),
        officer_in_case_number=body.officer_in_case_number,
        summary=body.summary,
        status=CaseStatus.AWAITING_CHARGING_DECISION.value,
        custody_status=_most_restrictive(s.custody_status for s in body.suspects),
        submitted_by_staff_id=_staff_id(actor),
    )
    db.add(case)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict(f"A case with URN {urn_display(urn)} was submitted a moment ago.") from None
    for position, (suspect, person_id) in enumerate(zip(body.suspects, person_ids, strict=True), start=1):
        defendant = Defendant(
            case_id=case.id,
            person_id=person_id,
            position=position,
            custody_status=suspect.custody_status,
            bail_conditions=suspect.bail_conditions,
        )
        db.add(defendant)
        await db.flush()
        for offence in suspect.offences:
            db.add(
                Charge(
                    case_id=case.id,
                    defendant_id=defendant.id,
                    offence_code=offence.offence_code.strip().upper(),
                    wording=offence.wording,
                    offence_date_from=offence.offence_date_from,
                    offence_date_to=offence.offence_date_to,
                    status=ChargeStatus.PROPOSED.value,
                )
            )
    for item in body.material:
        db.add(
            CaseMaterial(
                case_id=case.id, kind=item.kind, title=item.title, reference=item.reference, unused=item.unused
            )
        )
    for w in body.witnesses:
        db.add(
            Witness(
                case_id=case.id,
                name=w.name,
                kind=w.kind,
                contact=w.contact,
                special_measures=list(w.special_measures),
                dates_to_avoid=w.dates_to_avoid,
            )
        )
    for v in body.victims:
        db.add(
            Victim(
                case_id=case.id, name=v.name, contact=v.contact, vulnerable_or_intimidated=v.vulnerable_or_intimidated
            )
        )
    await _history(db, case.id, actor, "prosecution.case_file.submitted", "Case file submitted by the police")
    await record(
        db,
        actor,
        "prosecution.case_file.submit",
        "prosecution_case",
        case.id,
        detail={"urn": urn, "suspects": len(person_ids)},
    )
    await _emit(
        db,
        case,
        "prosecution.case_file.submitted",
        {"cpsAreaUnitId": case.cps_area_unit_id, "policeUnitId": case.police_unit_id, "suspects": len(person_ids)},
    )
    in_custody = case.custody_status == CustodyStatus.IN_CUSTODY.value
    await create_task(
        db,
        SYSTEM,
        type="prosecution.charging_decision",
        title=f"Charging decision: {urn_display(urn)}",
        subject_type=SubjectType.CASE.value,
        subject_id=case.id,
        owner_type=OwnerType.UNIT.value,
        owner_id=case.cps_area_unit_id,
        due_in_working_days=(
            CHARGING_DECISION_IN_CUSTODY_WORKING_DAYS if in_custody else CHARGING_DECISION_WORKING_DAYS
        ),
        due_from=today,
        priority=Priority.URGENT if in_custody else Priority.NORMAL,
        dedupe_key=f"prosecution.charging:{case.id}",
        details={"caseId": case.id, "urn": urn},
        commit=False,
    )
    await db.commit()
    return case.id


# -- charging decision -------------------------------------------------------------------------------


def _enum(kind: Any, value: str | None, path: str, errors: list[FieldError], message: str) -> Any:
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        errors.append(FieldError(path, message))
        return None


@dataclass
class DecisionResult:
    decision_id: uuid.UUID
    charges_laid: list[int] = field(default_factory=list)
    action_plan_task_ids: list[int] = field(default_factory=list)
    case_status: str = ""


async def record_charging_decision(
    db: AsyncSession, actor: Actor, case_id: int, body: ChargingDecisionIn, today: date | None = None
) -> DecisionResult:
    """Record the Full Code Test and its outcome per suspect and offence (CPS lawyers only)."""
    check(actor, "prosecution:charge")
    today = today or london_today()
    case = await _load_case(db, actor, case_id, "prosecution:charge", lock=True)
    decided_on = body.decided_on or today
    errors: list[FieldError] = []
    if decided_on > today:
        errors.append(FieldError("decided_on", "The decision date must not be in the future"))
    defendants = {d.id: d for d in (await db.scalars(select(Defendant).where(Defendant.case_id == case.id))).all()}
    proposed = {
        c.id: c
        for c in (
            await db.scalars(
                select(Charge).where(Charge.case_id == case.id, Charge.status == ChargeStatus.PROPOSED.value)
            )
        ).all()
    }
    codes = await known_offence_codes(
        db, (c.offence_code for s in body.suspects for o in s.offences for c in o.charges)
    )
    suspects: list[rules.SuspectDecision] = []
    for s, suspect in enumerate(body.suspects):
        spath = f"suspects.{s}"
        if suspect.defendant_id not in defendants:
            errors.append(FieldError(f"{spath}.defendant_id", "This suspect is not on the case file"))
        offences: list[rules.OffenceDecision] = []
        for o, od in enumerate(suspect.offences):
            opath = f"{spath}.offences.{o}"
            charge = proposed.get(od.proposed_charge_id)
            if charge is None or charge.defendant_id != suspect.defendant_id:
                errors.append(
                    FieldError(
                        f"{opath}.proposed_charge_id", "This offence is not awaiting a decision for this suspect"
                    )
                )
            for c, laid in enumerate(od.charges):
                if laid.offence_code.strip() and laid.offence_code.strip().upper() not in codes:
                    errors.append(
                        FieldError(
                            f"{opath}.charges.{c}.offence_code",
                            f"{laid.offence_code.strip().upper()} is not an offence code in the CJS standing data",
                        )
                    )
            stage_msg = "Choose met or not met"
            evidential = _enum(rules.StageResult, od.evidential, f"{opath}.evidential", errors, stage_msg)
            public_interest = _enum(
                rules.StageResult,
                od.public_interest,
                f"{opath}.public_interest",
                errors,
                "Choose met, not met or not reached",
            )
            outcome = _enum(rules.ChargingOutcome, od.outcome, f"{opath}.outcome", errors, "Choose the outcome")
            nfa = _enum(
                rules.NfaReason, od.nfa_reason, f"{opath}.nfa_reason", errors, "Choose evidential or public interest"
            )
            disposal = _enum(
                rules.OutOfCourtDisposal, od.disposal, f"{opath}.disposal", errors, "Choose the out-of-court disposal"
            )
            if evidential is None or public_interest is None or outcome is None:
                continue
            offences.append(
                rules.OffenceDecision(
                    offence_ref=str(od.proposed_charge_id),
                    evidential=evidential,
                    public_interest=public_interest,
                    outcome=outcome,
                    charges=tuple(
                        rules.ChargeLaid(c.offence_code.strip().upper(), c.wording, c.offence_date) for c in od.charges
                    ),
                    nfa_reason=nfa,
                    action_plan_due=od.action_plan_due,
                    action_plan_actions=tuple(od.action_plan_actions),
                    disposal=disposal,
                )
            )
        suspects.append(rules.SuspectDecision(str(suspect.defendant_id), tuple(offences)))
    decision = rules.ChargingDecision(decided_on, body.reasons, tuple(suspects))
    errors += rules.charging_decision_errors(decision)
    if errors:
        raise ValidationFailed(errors)

    result = DecisionResult(uuid.uuid4())
    for suspect_in, suspect_decision in zip(body.suspects, decision.suspects, strict=True):
        defendant = defendants[suspect_in.defendant_id]
        laid_here: list[dict[str, Any]] = []
        for dec in suspect_decision.offences:
            proposed_charge = proposed[int(dec.offence_ref)]
            row = ChargingDecisionRecord(
                decision_id=result.decision_id,
                case_id=case.id,
                defendant_id=defendant.id,
                proposed_charge_id=proposed_charge.id,
                decided_by_staff_id=_staff_id(actor),
                decided_by=actor.audit_label,
                decided_on=decided_on,
                evidential=dec.evidential.value,
                public_interest=dec.public_interest.value,
                reasons=body.reasons,
                outcome=dec.outcome.value,
                nfa_reason=dec.nfa_reason.value if dec.nfa_reason else None,
                disposal=dec.disposal.value if dec.disposal else None,
                action_plan_due=dec.action_plan_due,
                action_plan_actions=[a for a in dec.action_plan_actions if a.strip()],
            )
            db.add(row)
            match dec.outcome:
                case rules.ChargingOutcome.CHARGE:
                    proposed_charge.status = ChargeStatus.SUPERSEDED.value
                    for laid_charge in dec.charges:
                        charge = Charge(
                            case_id=case.id,
                            defendant_id=defendant.id,
                            offence_code=laid_charge.offence_code,
                            wording=laid_charge.wording,
                            offence_date_from=laid_charge.offence_date or proposed_charge.offence_date_from,
                            offence_date_to=None if laid_charge.offence_date else proposed_charge.offence_date_to,
                            status=ChargeStatus.CHARGED.value,
                            proposed_charge_id=proposed_charge.id,
                            charged_on=decided_on,
                        )
                        db.add(charge)
                        await db.flush()
                        result.charges_laid.append(charge.id)
                        laid_here.append({"chargeId": charge.id, "offenceCode": charge.offence_code})
                case rules.ChargingOutcome.NO_FURTHER_ACTION:
                    proposed_charge.status = ChargeStatus.NO_FURTHER_ACTION.value
                case rules.ChargingOutcome.OUT_OF_COURT_DISPOSAL:
                    proposed_charge.status = ChargeStatus.OUT_OF_COURT_DISPOSAL.value
                case rules.ChargingOutcome.FURTHER_EVIDENCE_NEEDED:
                    assert dec.action_plan_due is not None
                    actions = [a.strip() for a in dec.action_plan_actions if a.strip()]
                    task = await create_task(
                        db,
                        actor,
                        type="prosecution.action_plan",
                        title=f"Action plan: further evidence for {urn_display(case.urn)}",
                        description="\n".join(f"- {a}" for a in actions),
                        subject_type=SubjectType.CASE.value,
                        subject_id=case.id,
                        owner_type=OwnerType.UNIT.value,
                        owner_id=case.police_unit_id,
                        due_date=dec.action_plan_due,
                        priority=Priority.HIGH,
                        dedupe_key=f"prosecution.action_plan:{result.decision_id}:{proposed_charge.id}",
                        details={"caseId": case.id, "chargeId": proposed_charge.id, "actions": actions},
                        commit=False,
                    )
                    row.action_plan_task_id = task.id
                    result.action_plan_task_ids.append(task.id)
                    await _emit(
                        db,
                        case,
                        "prosecution.further_evidence.requested",
                        {
                            "defendantId": defendant.id,
                            "proposedChargeId": proposed_charge.id,
                            "dueDate": dec.action_plan_due.isoformat(),
                            "actions": actions,
                            "policeUnitId": case.police_unit_id,
                            "taskId": task.id,
                        },
                        person_id=defendant.person_id,
                    )
        defendant.charging_outcome = _defendant_outcome(suspect_decision)
        if laid_here:
            await _emit(
                db,
                case,
                "prosecution.charge.laid",
                {"defendantId": defendant.id, "chargedOn": decided_on.isoformat(), "charges": laid_here},
                person_id=defendant.person_id,
            )
    await db.flush()
    case.status = await _status_after_decision(db, case.id)
    if case.status == CaseStatus.CHARGED.value and case.charged_on is None:
        case.charged_on = decided_on
    case.updated_at = datetime.now(UTC)
    result.case_status = case.status
    outcomes = sorted({o.outcome.value for s in decision.suspects for o in s.offences})
    await _history(
        db,
        case.id,
        actor,
        "prosecution.charging_decision.recorded",
        "Charging decision",
        ", ".join(outcomes).replace("_", " "),
    )
    await record(
        db,
        actor,
        "prosecution.charging_decision.record",
        "prosecution_case",
        case.id,
        detail={"decisionId": str(result.decision_id), "outcomes": outcomes, "chargesLaid": result.charges_laid},
    )
    await _emit(
        db,
        case,
        "prosecution.charging_decision.recorded",
        {"decisionId": str(result.decision_id), "outcomes": outcomes, "status": case.status},
    )
    # The charging task is done once every offence the police put forward has a decision (further
    # evidence needed is a decision: the work moves to the police's action plan task).
    undecided = await db.scalar(
        select(func.count())
        .select_from(Charge)
        .where(
            Charge.case_id == case.id,
            Charge.status == ChargeStatus.PROPOSED.value,
            ~select(ChargingDecisionRecord.id).where(ChargingDecisionRecord.proposed_charge_id == Charge.id).exists(),
        )
    )
    if not undecided:
        await complete_tasks_for(
            db,
            actor,
            dedupe_key=f"prosecution.charging:{case.id}",
            outcome=f"Charging decision recorded: {', '.join(outcomes).replace('_', ' ')}.",
        )
    await db.commit()
    return result


def _defendant_outcome(decision: rules.SuspectDecision) -> str:
    outcomes = {o.outcome for o in decision.offences}
    for outcome in (
        rules.ChargingOutcome.CHARGE,
        rules.ChargingOutcome.FURTHER_EVIDENCE_NEEDED,
        rules.ChargingOutcome.OUT_OF_COURT_DISPOSAL,
        rules.ChargingOutcome.NO_FURTHER_ACTION,
    ):
        if outcome in outcomes:
            return outcome.value
    return ""


async def _status_after_decision(db: AsyncSession, case_id: int) -> str:
    statuses = set((await db.scalars(select(Charge.status).where(Charge.case_id == case_id))).all())
    if ChargeStatus.CHARGED.value in statuses:
        return CaseStatus.CHARGED.value
    if ChargeStatus.PROPOSED.value in statuses:
        decided = await db.scalar(
            select(func.count()).select_from(ChargingDecisionRecord).where(ChargingDecisionRecord.case_id == case_id)
        )
        return CaseStatus.ACTION_PLAN.value if decided else CaseStatus.AWAITING_CHARGING_DECISION.value
    if statuses == {ChargeStatus.OUT_OF_COURT_DISPOSAL.value}:
        return CaseStatus.OUT_OF_COURT_DISPOSAL.value
    if ChargeStatus.OUT_OF_COURT_DISPOSAL.value in statuses or ChargeStatus.NO_FURTHER_ACTION.value in statuses:
        return (
            CaseStatus.NO_FURTHER_ACTION.value
            if ChargeStatus.OUT_OF_COURT_DISPOSAL.value not in statuses
            else (CaseStatus.OUT_OF_COURT_DISPOSAL.value)
        )
    return CaseStatus.CONCLUDED.value


# -- progressing the case ----------------------------------------------------------------------------


async def allocate(db: AsyncSession, actor: Actor, case_id: int, body: AllocationIn) -> None:
    check(actor, "prosecution:manage")
    case = await _load_case(db, actor, case_id, "prosecution:manage", lock=True)
    errors: list[FieldError] = []
    for path, staff_id, role in (
        ("lawyer_id", body.lawyer_id, "cps_lawyer"),
        ("paralegal_id", body.paralegal_id, "cps_paralegal"),
    ):
        if staff_id is None:
            continue
        staff = await db.get(Staff, staff_id)
        if staff is None or role not in (staff.roles or []) or staff.unit_id != case.cps_area_unit_id:
            errors.append(FieldError(path, f"Choose a {role.replace('cps_', 'CPS ')} of the case's CPS area"))
    if errors:
        raise ValidationFailed(errors)
    if body.lawyer_id is not None:
        case.allocated_lawyer_id = body.lawyer_id
    if body.paralegal_id is not None:
        case.paralegal_id = body.paralegal_id
    case.updated_at = datetime.now(UTC)
    await _history(db, case.id, actor, "prosecution.case.allocated", "Case allocated")
    await record(db, actor, "prosecution.case.allocate", "prosecution_case", case.id, detail=body.model_dump())
    await _emit(
        db, case, "prosecution.case.allocated", {"lawyerId": case.allocated_lawyer_id, "paralegalId": case.paralegal_id}
    )
    await db.commit()


async def record_review(db: AsyncSession, actor: Actor, case_id: int, body: ReviewIn, today: date | None = None) -> int:
    check(actor, "prosecution:manage")
    case = await _load_case(db, actor, case_id, "prosecution:manage")
    errors = []
    if body.kind not in REVIEW_KINDS:
        errors.append(FieldError("kind", f"Choose one of: {', '.join(sorted(REVIEW_KINDS))}"))
    if not body.note.strip():
        errors.append(FieldError("note", "Record the review"))
    if errors:
        raise ValidationFailed(errors)
    review = CaseReview(
        case_id=case.id,
        kind=body.kind,
        reviewed_on=body.reviewed_on or today or london_today(),
        reviewed_by=actor.audit_label,
        note=body.note,
    )
    db.add(review)
    await db.flush()
    await _history(
        db, case.id, actor, "prosecution.case.reviewed", f"{body.kind.replace('_', ' ').capitalize()} review"
    )
    await record(db, actor, "prosecution.case.review", "prosecution_case", case.id, detail={"kind": body.kind})
    await _emit(db, case, "prosecution.case.reviewed", {"kind": body.kind})
    await db.commit()
    return review.id


def _past_date(value: date | None, path: str, today: date) -> date:
    day = value or today
    if day > today:
        raise ValidationFailed(FieldError(path, "The date must not be in the future"))
    return day


async def record_idpc_served(
    db: AsyncSession, actor: Actor, case_id: int, body: ServedIn, today: date | None = None
) -> None:
    check(actor, "prosecution:manage")
    today = today or london_today()
    case = await _load_case(db, actor, case_id, "prosecution:manage", lock=True)
    served_on = _past_date(body.served_on, "served_on", today)
    db.add(IdpcService(case_id=case.id, served_on=served_on, served_by=actor.audit_label, note=body.note))
    await db.flush()
    await _history(db, case.id, actor, "prosecution.idpc.served", "Initial details of the prosecution case served")
    await record(
        db, actor, "prosecution.idpc.serve", "prosecution_case", case.id, detail={"servedOn": served_on.isoformat()}
    )
    await _emit(db, case, "prosecution.idpc.served", {"servedOn": served_on.isoformat()})
    await refresh_readiness(db, case, today)
    await db.commit()


async def record_antecedents_served(
    db: AsyncSession, actor: Actor, case_id: int, body: ServedIn, today: date | None = None
) -> None:
    check(actor, "prosecution:manage")
    today = today or london_today()
    case = await _load_case(db, actor, case_id, "prosecution:manage", lock=True)
    case.antecedents_served_on = _past_date(body.served_on, "served_on", today)
    await _history(db, case.id, actor, "prosecution.antecedents.served", "Previous convictions served")
    await record(db, actor, "prosecution.antecedents.serve", "prosecution_case", case.id)
    await refresh_readiness(db, case, today)
    await db.commit()


async def record_pre_sentence_report_requested(
    db: AsyncSession, actor: Actor, case_id: int, body: ServedIn, today: date | None = None
) -> None:
    """The lawyer asked the court for a pre-sentence report from probation (a sentence-hearing item)."""
    check(actor, "prosecution:manage")
    today = today or london_today()
    case = await _load_case(db, actor, case_id, "prosecution:manage", lock=True)
    case.pre_sentence_report_requested_on = _past_date(body.served_on, "served_on", today)
    await _history(db, case.id, actor, "prosecution.psr.requested", "Pre-sentence report requested", body.note)
    await record(
        db,
        actor,
        "prosecution.psr.request",
        "prosecution_case",
        case.id,
        detail={"requestedOn": case.pre_sentence_report_requested_on.isoformat()},
    )
    await refresh_readiness(db, case, today)
    await db.commit()


VICTIM_PERSONAL_STATEMENT_CHOICES = {"made", "declined", "not_asked"}


async def record_victim_personal_statement(
    db: AsyncSession, actor: Actor, victim_id: int, choice: str, today: date | None = None
) -> None:
    """Whether the victim made a personal statement or chose not to (either is done for readiness).
    Victims are restricted: the actor must be allowed to see them."""
    check(actor, "prosecution:manage")
    if choice not in VICTIM_PERSONAL_STATEMENT_CHOICES:
        raise ValidationFailed(FieldError("personal_statement", "Choose made, declined or not_asked"))
    victim = await db.get(Victim, victim_id)
    if victim is None:
        raise NotFound(f"There is no victim {victim_id}.")
    case = await _load_case(db, actor, victim.case_id, "prosecution:manage", lock=True)
    ensure(actor, "prosecution:read", victim_resource(case))
    victim.personal_statement = choice
    title = {
        "made": "Victim personal statement obtained",
        "declined": "Victim chose not to make a personal statement",
        "not_asked": "Victim personal statement not yet asked for",
    }[choice]
    await _history(db, case.id, actor, "prosecution.victim.personal_statement", title)
    await record(db, actor, "prosecution.victim.vps", "victim", victim.id, detail={"personalStatement": choice})
    await refresh_readiness(db, case, today or london_today())
    await db.commit()


async def record_disclosure_step(
    db: AsyncSession, actor: Actor, case_id: int, body: DisclosureStepIn, today: date | None = None
) -> None:
    check(actor, "prosecution:manage")
    today = today or london_today()
    case = await _load_case(db, actor, case_id, "prosecution:manage", lock=True)
    try:
        step = DisclosureStep(body.step)
    except ValueError:
        raise ValidationFailed(
            FieldError("step", f"Choose one of: {', '.join(s.value for s in DisclosureStep)}")
        ) from None
    done_on = _past_date(body.done_on, "done_on", today)
    db.add(
        DisclosureStepRecord(
            case_id=case.id, step=step.value, done_on=done_on, done_by=actor.audit_label, note=body.note
        )
    )
    await db.flush()
    await _history(db, case.id, actor, "prosecution.disclosure.recorded", f"Disclosure: {step.label}")
    await record(db, actor, "prosecution.disclosure.record", "prosecution_case", case.id, detail={"step": step.value})
    await _emit(db, case, "prosecution.disclosure.recorded", {"step": step.value, "doneOn": done_on.isoformat()})
    await refresh_readiness(db, case, today)
    await db.commit()


async def update_witness(
    db: AsyncSession,
    actor: Actor,
    witness_id: int,
    *,
    warned: bool | None = None,
    special_measures_applied: bool | None = None,
    today: date | None = None,
) -> None:
    check(actor, "prosecution:manage")
    today = today or london_today()
    witness = await db.get(Witness, witness_id)
    if witness is None:
        raise NotFound(f"There is no witness {witness_id}.")
    case = await _load_case(db, actor, witness.case_id, "prosecution:manage", lock=True)
    if warned is not None:
        witness.warned = warned
        witness.warned_on = today if warned else None
    if special_measures_applied is not None:
        witness.special_measures_applied = special_measures_applied
    await _history(db, case.id, actor, "prosecution.witness.updated", "Witness warned" if warned else "Witness updated")
    await record(
        db,
        actor,
        "prosecution.witness.update",
        "witness",
        witness.id,
        detail={"warned": warned, "smApplied": special_measures_applied},
    )
    await refresh_readiness(db, case, today)
    await db.commit()


async def stop_charge(
    db: AsyncSession, actor: Actor, charge_id: int, body: DiscontinuanceIn, today: date | None = None
) -> None:
    """Discontinue or withdraw one charge with a reason code; emits ``prosecution.charge.discontinued``."""
    check(actor, "prosecution:charge")
    today = today or london_today()
    charge = await db.get(Charge, charge_id, with_for_update=True)
    if charge is None:
        raise NotFound(f"There is no charge {charge_id}.")
    case = await _load_case(db, actor, charge.case_id, "prosecution:charge", lock=True)
    errors: list[FieldError] = []
    if body.outcome not in (ChargeStatus.DISCONTINUED.value, ChargeStatus.WITHDRAWN.value):
        errors.append(FieldError("outcome", "Choose discontinued or withdrawn"))
    reason = _enum(
        DiscontinuanceReason,
        body.reason,
        "reason",
        errors,
        f"Choose a reason: {', '.join(r.value for r in DiscontinuanceReason)}",
    )
    if reason is DiscontinuanceReason.OTHER and not (body.note or "").strip():
        errors.append(FieldError("note", "Say what the other reason is"))
    if charge.status != ChargeStatus.CHARGED.value:
        errors.append(
            FieldError("charge_id", f"Only a live charge can be stopped; this one is {charge.status.replace('_', ' ')}")
        )
    on = body.on or today
    if on > today:
        errors.append(FieldError("on", "The date must not be in the future"))
    if errors:
        raise ValidationFailed(errors)
    charge.status = body.outcome
    charge.discontinuance_reason = reason.value
    charge.discontinuance_note = body.note
    charge.ended_on = on
    await db.flush()
    live = await db.scalar(
        select(func.count())
        .select_from(Charge)
        .where(Charge.case_id == case.id, Charge.status == ChargeStatus.CHARGED.value)
    )
    if not live:
        case.status = CaseStatus.CONCLUDED.value
    # The courts count the outcome (finalisation) when this was the defendant's last charge; imported
    # here because courts.service imports this module (decision 0031).
    from caselink.courts import service as courts_service

    await courts_service.finalise_outside_court(db, case.id, charge.defendant_id, on)
    defendant = await db.get_one(Defendant, charge.defendant_id)
    await _history(
        db,
        case.id,
        actor,
        "prosecution.charge.discontinued",
        f"Charge {body.outcome}: {charge.offence_code}",
        reason.value.replace("_", " "),
    )
    await record(
        db,
        actor,
        "prosecution.charge.stop",
        "charge",
        charge.id,
        detail={"outcome": body.outcome, "reason": reason.value},
    )
    await _emit(
        db,
        case,
        "prosecution.charge.discontinued",
        {
            "chargeId": charge.id,
            "defendantId": charge.defendant_id,
            "outcome": body.outcome,
            "reason": reason.value,
            "on": on.isoformat(),
        },
        person_id=defendant.person_id,
    )
    await db.commit()


async def case_id_for_urn(db: AsyncSession, urn: str, field: str = "urn") -> int:
    """The case with this URN, for forms that let staff name a case by its URN (the court listing
    form). Refuses, on ``field``, a malformed URN, one with no case, and one held by cases of more
    than one prosecuting authority (URNs are unique only per authority)."""
    parsed = parse_urn(urn)
    if not parsed.valid:
        raise ValidationFailed(FieldError(field, parsed.reason or "Enter a URN like 01/AB/12345/24"))
    ids = (await db.scalars(select(ProsecutionCase.id).where(ProsecutionCase.urn == parsed.canonical).limit(2))).all()
    shown = urn_display(parsed.canonical)
    if not ids:
        raise ValidationFailed(FieldError(field, f"There is no case with the URN {shown}"))
    if len(ids) > 1:
        raise ValidationFailed(
            FieldError(field, f"More than one prosecuting authority has a case {shown}: enter the case id instead")
        )
    return ids[0]


async def conclude_charges(db: AsyncSession, charge_ids: Sequence[int], on: date) -> None:
    """For the courts context, in its transaction: charges ended by a verdict or outcome."""
    if not charge_ids:
        return
    case_ids = set((await db.scalars(select(Charge.case_id).where(Charge.id.in_(charge_ids)))).all())
    await db.execute(
        update(Charge)
        .where(Charge.id.in_(charge_ids), Charge.status == ChargeStatus.CHARGED.value)
        .values(status=ChargeStatus.CONCLUDED.value, ended_on=on)
    )
    for case_id in sorted(case_ids):
        await _conclude_case_if_finished(db, case_id)


async def _conclude_case_if_finished(db: AsyncSession, case_id: int) -> None:
    """A charged case whose every defendant is finalised (no charge before the court, none still
    awaiting a decision) is concluded, so the case page and the lists stop showing it as charged."""
    live = await db.scalar(
        select(func.count())
        .select_from(Charge)
        .where(
            Charge.case_id == case_id,
            Charge.status.in_([ChargeStatus.CHARGED.value, ChargeStatus.PROPOSED.value]),
        )
    )
    if live:
        return
    case = await db.get_one(ProsecutionCase, case_id, with_for_update=True)
    if case.status != CaseStatus.CHARGED.value:
        return
    case.status = CaseStatus.CONCLUDED.value
    await _history(db, case_id, SYSTEM, "prosecution.case.concluded", "Case concluded: every charge has ended")
    await db.flush()


# -- custody time limits -----------------------------------------------------------------------------


def _age_group(dob: date | None, on: date) -> rules.AgeGroup:
    if dob is None:
        return rules.AgeGroup.UNKNOWN
    age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    return rules.AgeGroup.ADULT if age >= 18 else rules.AgeGroup.YOUTH


async def record_remand_period(
    db: AsyncSession,
    actor: Actor,
    defendant_id: int,
    start: date,
    end: date | None,
    kind: str,
    *,
    first_appearance: date | None = None,
    sent_for_trial_on: date | None = None,
    commit: bool = True,
) -> list[CustodyTimeLimit]:
    """Record a period of remand in custody (``end`` None while it runs; recording an ``end`` for
    the running period closes it) and recompute the custody time limit of each live charge, with
    expiry tasks at the rule pack's warning dates. Overlapping periods are refused."""
    if actor.kind is not ActorKind.SYSTEM and not (
        has_permission(actor, "prosecution:manage") or has_permission(actor, "courts:results")
    ):
        check(actor, "prosecution:manage")
    defendant = await db.get(Defendant, defendant_id)
    if defendant is None:
        raise NotFound(f"There is no defendant {defendant_id}.")
    case = await db.get_one(ProsecutionCase, defendant.case_id)
    if actor.kind is ActorKind.STAFF and actor.agency == "cps":
        ensure(actor, "prosecution:manage", case_resource(case))
    periods = list(
        (
            await db.scalars(
                select(RemandPeriodRecord).where(RemandPeriodRecord.defendant_id == defendant.id).with_for_update()
            )
        ).all()
    )
    running = next((p for p in periods if p.released_on is None), None)
    if running is not None and running.remanded_on == start and end is not None:
        running.released_on = end  # the court released the defendant from the running remand
        running.kind = kind
        if end < start:
            raise ValidationFailed(FieldError("released_on", "The release date must not be before the remand date"))
    else:
        periods.append(RemandPeriodRecord(defendant_id=defendant.id, remanded_on=start, released_on=end, kind=kind))
        db.add(periods[-1])
    remand = tuple(rules.RemandPeriod(p.remanded_on, p.released_on) for p in periods)
    first = first_appearance or min(p.remanded_on for p in periods)
    dob = await db.scalar(select(Person.date_of_birth).where(Person.id == defendant.person_id))
    charges = (
        await db.scalars(
            select(Charge).where(Charge.defendant_id == defendant.id, Charge.status == ChargeStatus.CHARGED.value)
        )
    ).all()
    categories = dict(
        (
            await db.execute(
                select(Offence.code, Offence.category).where(Offence.code.in_({c.offence_code for c in charges}))
            )
        ).all()
    )
    results: list[tuple[Charge, rules.CtlResult]] = []
    errors: list[FieldError] = []
    for i, charge in enumerate(charges):
        ctl_in = rules.CtlInput(
            offence_mode=rules.offence_mode_from_category(categories.get(charge.offence_code)),
            age_group=_age_group(dob, first),
            first_appearance=first,
            remand_periods=remand,
            sent_for_trial_on=sent_for_trial_on,
        )
        try:
            results.append((charge, rules.custody_time_limit(ctl_in)))
        except rules.CtlInputError as exc:
            errors += [FieldError(f"charges.{i}.{e.field}", e.message) for e in exc.errors]
    if errors:
        await db.rollback()
        raise ValidationFailed(errors)
    defendant.custody_status = CustodyStatus.IN_CUSTODY.value if end is None else CustodyStatus.CONDITIONAL_BAIL.value
    saved: list[CustodyTimeLimit] = []
    wanted_keys: set[str] = set()
    for charge, result in results:
        ctl = await db.scalar(select(CustodyTimeLimit).where(CustodyTimeLimit.charge_id == charge.id))
        if ctl is None:
            ctl = CustodyTimeLimit(case_id=case.id, defendant_id=defendant.id, charge_id=charge.id)
            db.add(ctl)
        ctl.first_appearance = first
        ctl.sent_for_trial_on = sent_for_trial_on
        ctl.clock = result.clock.value
        ctl.limit_days = result.limit_days
        ctl.days_left = result.days_left_when_current_period_began
        ctl.expiry_date = result.expiry_date
        ctl.steps = list(result.steps)
        ctl.rule_pack = result.rule_pack
        ctl.computed_at = datetime.now(UTC)
        saved.append(ctl)
        for warning in result.warnings:
            key = f"prosecution.ctl:{charge.id}:{result.expiry_date}:{warning.days_before}"
            wanted_keys.add(key)
            owner = (
                (OwnerType.STAFF.value, case.allocated_lawyer_id)
                if case.allocated_lawyer_id
                else (
                    OwnerType.UNIT.value,
                    case.cps_area_unit_id,
                )
            )
            await create_task(
                db,
                SYSTEM,
                type="prosecution.ctl_expiry",
                title=f"Custody time limit {urn_display(case.urn)}: expires {result.expiry_date}",
                description=warning.task,
                subject_type=SubjectType.CASE.value,
                subject_id=case.id,
                owner_type=owner[0],
                owner_id=owner[1],
                unit_id=case.cps_area_unit_id,
                due_date=warning.due_on,
                priority=Priority.URGENT,
                dedupe_key=key,
                details={"caseId": case.id, "chargeId": charge.id, "expiry": str(result.expiry_date)},
                commit=False,
            )
    # Tasks for an expiry that no longer holds (the defendant was bailed, the dates moved) go.
    stale = (
        await db.scalars(
            select(Task.id).where(
                Task.type == "prosecution.ctl_expiry",
                Task.subject_type == SubjectType.CASE.value,
                Task.subject_id == str(case.id),
                Task.status.in_([s.value for s in ACTIVE_STATUSES]),
                Task.details["chargeId"].as_integer().in_([c.id for c in charges]),
                Task.dedupe_key.not_in(wanted_keys) if wanted_keys else and_(True),
            )
        )
    ).all()
    for task_id in stale:
        await cancel_task(db, SYSTEM, task_id, "The custody time limit changed", commit=False)
    await db.flush()
    await _history(
        db,
        case.id,
        actor,
        "prosecution.custody_time_limit.computed",
        "Remanded in custody" if end is None else "Remand period recorded",
        ", ".join(f"expires {r.expiry_date}" if r.expiry_date else r.clock.value.replace("_", " ") for _, r in results),
    )
    await record(
        db,
        actor,
        "prosecution.remand_period.record",
        "defendant",
        defendant.id,
        detail={"start": start.isoformat(), "end": end.isoformat() if end else None, "kind": kind},
    )
    if commit:
        await db.commit()
    return saved


# -- readiness ---------------------------------------------------------------------------------------


async def case_facts(db: AsyncSession, case: ProsecutionCase) -> dict[rules.CaseFact, rules.FactState]:
    """The facts computed checklist items need, from the case's own tables."""
    yes, no, unknown = rules.FactState.YES, rules.FactState.NO, rules.FactState.UNKNOWN
    idpc = await db.scalar(select(func.count()).select_from(IdpcService).where(IdpcService.case_id == case.id))
    steps = set(
        (await db.scalars(select(DisclosureStepRecord.step).where(DisclosureStepRecord.case_id == case.id))).all()
    )
    w = (
        await db.execute(
            select(
                func.count().filter(Witness.required_at_trial),
                func.count().filter(Witness.required_at_trial, Witness.warned.is_(False)),
                func.count().filter(
                    func.cardinality(Witness.special_measures) > 0, Witness.special_measures_applied.is_(False)
                ),
            ).where(Witness.case_id == case.id)
        )
    ).one()
    vps_missing = await db.scalar(
        select(func.count())
        .select_from(Victim)
        .where(Victim.case_id == case.id, Victim.personal_statement == "not_asked")
    )
    return {
        rules.CaseFact.IDPC_SERVED: yes if idpc else no,
        rules.CaseFact.WITNESSES_WARNED: unknown if not w[0] else (no if w[1] else yes),
        rules.CaseFact.SPECIAL_MEASURES_APPLIED: no if w[2] else yes,
        rules.CaseFact.DISCLOSURE_INITIAL_DONE: yes if DisclosureStep.INITIAL_DISCLOSURE.value in steps else no,
        rules.CaseFact.DEFENCE_STATEMENT_REVIEWED: (
            yes if DisclosureStep.DEFENCE_STATEMENT_REVIEWED.value in steps else no
        ),
        rules.CaseFact.PRE_SENTENCE_REPORT_REQUESTED: yes if case.pre_sentence_report_requested_on else no,
        rules.CaseFact.VICTIM_PERSONAL_STATEMENT_OBTAINED: no if vps_missing else yes,
        rules.CaseFact.ANTECEDENTS_SERVED: yes if case.antecedents_served_on else no,
    }


@dataclass(frozen=True)
class CaseReadiness:
    hearing_type: HearingType
    hearing_date: date
    checklist: rules.Checklist
    readiness: rules.Readiness

    def done(self, item_id: str) -> bool:
        return all(o.item.id != item_id for o in self.readiness.outstanding)


def _hearing_type(value: str) -> HearingType:
    try:
        kind = HearingType(value)
    except ValueError:
        kind = HearingType.OTHER
    if kind is HearingType.OTHER:
        raise ValidationFailed(
            FieldError(
                "hearing_type", "Choose first_hearing, ptph, trial or sentence: other hearings have no checklist"
            )
        )
    return kind


async def _readiness_for(
    db: AsyncSession, case: ProsecutionCase, hearing_type: str, hearing_date: date, today: date
) -> CaseReadiness:
    kind = _hearing_type(hearing_type)
    checklist = await area_checklist(db, case.cps_area_unit_id, kind, hearing_date)
    ticks = (
        await db.scalars(
            select(ReadinessTick.item_id).where(
                ReadinessTick.case_id == case.id, ReadinessTick.hearing_type == kind.value
            )
        )
    ).all()
    result = rules.readiness(checklist, await case_facts(db, case), ticks, hearing_date, today)
    return CaseReadiness(kind, hearing_date, checklist, result)


async def case_readiness(
    db: AsyncSession, case_id: int, hearing_type: str, hearing_date: date, today: date | None = None
) -> CaseReadiness:
    """Readiness of a case for a hearing of a type on a date (for the courts context's pages; the
    caller has checked access)."""
    case = await db.get(ProsecutionCase, case_id)
    if case is None:
        raise NotFound(f"There is no prosecution case {case_id}.")
    return await _readiness_for(db, case, hearing_type, hearing_date, today or london_today())


async def refresh_readiness(db: AsyncSession, case: ProsecutionCase, today: date | None = None) -> None:
    """Keep the counts on the case current for its next hearing (no commit)."""
    if case.next_hearing_at is None or case.next_hearing_type in (None, HearingType.OTHER.value):
        case.readiness_outstanding = case.readiness_items = case.readiness_within_days = None
        return
    assert case.next_hearing_type is not None
    found = await _readiness_for(db, case, case.next_hearing_type, case.next_hearing_at.date(), today or london_today())
    case.readiness_outstanding = len(found.readiness.outstanding)
    case.readiness_items = found.readiness.item_count
    case.readiness_within_days = found.readiness.not_ready_within_days


async def note_next_hearing(
    db: AsyncSession,
    case_id: int,
    hearing_id: int | None,
    hearing_type: str | None,
    starts_at: datetime | None,
) -> None:
    """For the courts context, in its transaction: the case's next hearing has changed (listed,
    re-listed, adjourned or heard). Pass None to say there is no hearing ahead."""
    case = await db.get(ProsecutionCase, case_id, with_for_update=True)
    if case is None:
        raise NotFound(f"There is no prosecution case {case_id}.")
    case.next_hearing_id = hearing_id
    case.next_hearing_type = hearing_type
    case.next_hearing_at = starts_at
    await refresh_readiness(db, case)
    await db.flush()


async def tick_readiness_item(
    db: AsyncSession, actor: Actor, case_id: int, hearing_type: str, item_id: str, ticked: bool = True
) -> None:
    check(actor, "prosecution:manage")
    case = await _load_case(db, actor, case_id, "prosecution:manage", lock=True)
    kind = _hearing_type(hearing_type)
    checklist = await area_checklist(db, case.cps_area_unit_id, kind, london_today())
    item = next((i for i in checklist.items if i.id == item_id), None)
    if item is None or item.kind is not rules.ItemKind.MANUAL:
        raise ValidationFailed(FieldError("item_id", "This item is worked out from the case and cannot be ticked"))
    existing = await db.scalar(
        select(ReadinessTick).where(
            ReadinessTick.case_id == case.id, ReadinessTick.hearing_type == kind.value, ReadinessTick.item_id == item_id
        )
    )
    if ticked and existing is None:
        db.add(
            ReadinessTick(
                case_id=case.id,
                hearing_type=kind.value,
                item_id=item_id,
                hearing_id=case.next_hearing_id,
                ticked_by=actor.audit_label,
            )
        )
    elif not ticked and existing is not None:
        await db.delete(existing)
    await db.flush()
    await _history(
        db, case.id, actor, "prosecution.readiness.ticked", ("Done: " if ticked else "Not done: ") + item.text
    )
    await record(
        db, actor, "prosecution.readiness.tick", "prosecution_case", case.id, detail={"item": item_id, "ticked": ticked}
    )
    await refresh_readiness(db, case)
    await db.commit()


# -- readiness checklists per CPS area ----------------------------------------------------------------


def _stored_item(raw: dict[str, Any]) -> rules.ChecklistItem:
    fact = raw.get("fact")
    return rules.ChecklistItem(
        str(raw["id"]), str(raw["text"]), rules.ItemKind(raw["kind"]), rules.CaseFact(fact) if fact else None
    )


def _override_of(national: rules.Checklist, row: ReadinessOverride) -> rules.AreaChecklistOverride:
    """The stored override as the rules see it, made to fit the national checklist in force: a
    newer national pack may have dropped an item the area removed, or gained one the area added
    under the same id; neither may stop readiness being worked out."""
    known = {i.id for i in national.items}
    removed = tuple(i for i in row.remove_item_ids if i in known)
    kept = known - set(removed)
    added = tuple(item for item in (_stored_item(r) for r in row.add_items) if item.id not in kept)
    return rules.AreaChecklistOverride(
        str(row.cps_area_unit_id), national.hearing_type, removed, added, row.not_ready_within_days
    )


async def _override_row(db: AsyncSession, cps_area_unit_id: int, kind: HearingType) -> ReadinessOverride | None:
    return (
        await db.scalars(
            select(ReadinessOverride).where(
                ReadinessOverride.cps_area_unit_id == cps_area_unit_id, ReadinessOverride.hearing_type == kind.value
            )
        )
    ).one_or_none()


async def area_checklist(db: AsyncSession, cps_area_unit_id: int, kind: HearingType, on: date) -> rules.Checklist:
    """The checklist a case of this CPS area is held to: the national default in force on ``on``,
    with the area's changes applied when it has any."""
    national = rules.national_checklist(kind, on)
    row = await _override_row(db, cps_area_unit_id, kind)
    return national if row is None else rules.apply_area_override(national, _override_of(national, row))


@dataclass(frozen=True)
class AreaChecklist:
    """One hearing type's checklist on the configuration page: national, the area's, and how they differ."""

    hearing_type: HearingType
    national: rules.Checklist
    effective: rules.Checklist
    removed: tuple[rules.ChecklistItem, ...]
    added_ids: frozenset[str]


def _area_resource(area: OrganisationUnit) -> Resource:
    return Resource(
        kind="readiness_config",
        owning_agency=None,
        agencies=frozenset({"cps"}),
        unit_ids=frozenset({area.id}),
        regions=frozenset({area.region}) if area.region else frozenset(),
        id=str(area.id),
    )


async def _configurable_area(db: AsyncSession, actor: Actor, area_id: int) -> OrganisationUnit:
    check(actor, "prosecution:configure")
    area = await db.get(OrganisationUnit, area_id)
    if area is None or area.kind != UnitKind.CPS_AREA.value:
        raise NotFound(f"There is no CPS area {area_id}.")
    ensure(actor, "prosecution:configure", _area_resource(area))
    return area


async def area_readiness_config(
    db: AsyncSession, actor: Actor, area_id: int, today: date | None = None
) -> tuple[OrganisationUnit, list[AreaChecklist]]:
    """Every hearing type's national checklist and the area's version of it."""
    area = await _configurable_area(db, actor, area_id)
    on = today or london_today()
    rows = (await db.scalars(select(ReadinessOverride).where(ReadinessOverride.cps_area_unit_id == area.id))).all()
    by_type = {r.hearing_type: r for r in rows}
    found = []
    for kind in (t for t in HearingType if t is not HearingType.OTHER):
        national = rules.national_checklist(kind, on)
        row = by_type.get(kind.value)
        if row is None:
            found.append(AreaChecklist(kind, national, national, (), frozenset()))
            continue
        override = _override_of(national, row)
        removed = tuple(i for i in national.items if i.id in override.remove_item_ids)
        found.append(
            AreaChecklist(
                kind,
                national,
                rules.apply_area_override(national, override),
                removed,
                frozenset(i.id for i in override.add_items),
            )
        )
    return area, found


def _item_id_from(text: str) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:50].strip("-")
    return f"area-{slug}" if slug else ""


async def change_area_checklist(
    db: AsyncSession,
    actor: Actor,
    area_id: int,
    hearing_type: str,
    body: AreaChecklistChangeIn,
    today: date | None = None,
) -> None:
    """Change one hearing type's checklist for a CPS area, then bring the readiness counts of the
    area's cases whose next hearing is of that type up to date, so the lists show the new status."""
    area = await _configurable_area(db, actor, area_id)
    kind = _hearing_type(hearing_type)
    on = today or london_today()
    national = rules.national_checklist(kind, on)
    row = await _override_row(db, area.id, kind)
    current = _override_of(national, row) if row is not None else rules.AreaChecklistOverride(str(area.id), kind)
    removed, added, days = list(current.remove_item_ids), list(current.add_items), current.not_ready_within_days
    national_ids = {i.id for i in national.items}
    item_id = (body.item_id or "").strip()
    if body.action == "add":
        text = (body.text or "").strip()
        if not text:
            raise ValidationFailed(FieldError("text", "Enter what must be done"))
        item_id = item_id or _item_id_from(text)
        if item_id in national_ids or any(i.id == item_id for i in added):
            raise ValidationFailed(FieldError("text", "The checklist already has this item"))
        added.append(rules.ChecklistItem(item_id, text, rules.ItemKind.MANUAL))
    elif body.action == "remove":
        if any(i.id == item_id for i in added):
            added = [i for i in added if i.id != item_id]
        elif item_id in national_ids and item_id not in removed:
            removed.append(item_id)
        else:
            raise ValidationFailed(FieldError("item_id", f'The checklist has no item "{item_id}"'))
    elif body.action == "restore":
        if item_id not in removed:
            raise ValidationFailed(FieldError("item_id", f'"{item_id}" is not a national item this area removed'))
        removed.remove(item_id)
    elif body.action == "threshold":
        days = body.not_ready_within_days
    else:
        raise ValidationFailed(FieldError("action", "Choose add, remove, restore or threshold"))
    override = rules.AreaChecklistOverride(str(area.id), kind, tuple(removed), tuple(added), days)
    errors = rules.area_override_errors(national, override)
    if errors:
        raise ValidationFailed(errors)
    if row is None:
        row = ReadinessOverride(cps_area_unit_id=area.id, hearing_type=kind.value, updated_by=actor.audit_label)
        db.add(row)
    row.remove_item_ids = list(removed)
    row.add_items = [{"id": i.id, "text": i.text, "kind": i.kind.value, "fact": None} for i in added]
    row.not_ready_within_days = days
    row.updated_by = actor.audit_label
    row.updated_at = datetime.now(UTC)
    await db.flush()
    await record(
        db,
        actor,
        "prosecution.readiness_config.change",
        "organisation_unit",
        area.id,
        detail={"hearingType": kind.value, "action": body.action, "itemId": item_id or None, "days": days},
    )
    affected = (
        await db.scalars(
            select(ProsecutionCase)
            .where(
                ProsecutionCase.cps_area_unit_id == area.id,
                ProsecutionCase.next_hearing_type == kind.value,
                ProsecutionCase.next_hearing_at.is_not(None),
            )
            .with_for_update()
        )
    ).all()
    for case in affected:  # a rare change by an administrator; each case's facts are read once
        await refresh_readiness(db, case, on)
    await db.commit()


def status_of(
    outstanding: int | None, within_days: int | None, hearing_at: datetime | None, today: date
) -> tuple[rules.ReadinessStatus | None, int | None]:
    """The readiness status from the counts kept on the case and today's date (see rules.readiness)."""
    if hearing_at is None or outstanding is None:
        return None, None
    days = (hearing_at.date() - today).days
    if outstanding == 0:
        return rules.ReadinessStatus.READY, days
    if days > (within_days or 0):
        return rules.ReadinessStatus.AT_RISK, days
    return rules.ReadinessStatus.NOT_READY, days


@dataclass(frozen=True)
class NextHearingReadiness:
    """A case's readiness for its next hearing, from the counts kept on the case."""

    hearing_id: int | None
    status: rules.ReadinessStatus | None
    days_to_hearing: int | None
    outstanding: int | None
    item_count: int | None


async def readiness_for_cases(
    db: AsyncSession, case_ids: Iterable[int], today: date | None = None
) -> dict[int, NextHearingReadiness]:
    """Readiness of many cases for their next hearings in one query (for lists such as the court's
    daily list; the caller has checked access). Readiness is kept for the next hearing only, so a
    caller showing other hearings should use it only where ``hearing_id`` is that hearing."""
    wanted = set(case_ids)
    if not wanted:
        return {}
    today = today or london_today()
    rows = await db.execute(
        select(
            ProsecutionCase.id,
            ProsecutionCase.next_hearing_id,
            ProsecutionCase.next_hearing_at,
            ProsecutionCase.readiness_outstanding,
            ProsecutionCase.readiness_items,
            ProsecutionCase.readiness_within_days,
        ).where(ProsecutionCase.id.in_(wanted))
    )
    found: dict[int, NextHearingReadiness] = {}
    for r in rows:
        status, days = status_of(r.readiness_outstanding, r.readiness_within_days, r.next_hearing_at, today)
        found[r.id] = NextHearingReadiness(r.next_hearing_id, status, days, r.readiness_outstanding, r.readiness_items)
    return found


# -- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRecord:
    case: ProsecutionCase
    defendants: list[tuple[Defendant, str]]  # with the person's name
    charges: list[tuple[Charge, str | None]]  # with the offence title
    material: list[CaseMaterial]
    witnesses: list[Witness]
    victims: list[Victim] | None  # None: not shared with this actor
    decisions: list[ChargingDecisionRecord]
    reviews: list[CaseReview]
    idpc: list[IdpcService]
    disclosure: list[DisclosureStepRecord]
    ctls: list[CustodyTimeLimit]
    history: list[CaseHistoryEntry]
    readiness: CaseReadiness | None
    unit_names: dict[int, str]


async def get_case(db: AsyncSession, actor: Actor, case_id: int, today: date | None = None) -> CaseRecord:
    check(actor, "prosecution:read")
    today = today or london_today()
    case = await _load_case(db, actor, case_id, "prosecution:read")
    defendants = (
        await db.execute(
            select(Defendant, (Person.given_name + " " + Person.family_name).label("name"))
            .join(Person, Person.id == Defendant.person_id)
            .where(Defendant.case_id == case.id)
            .order_by(Defendant.position)
        )
    ).all()
    charges = (
        await db.execute(
            select(Charge, Offence.title)
            .join(Offence, Offence.code == Charge.offence_code)
            .where(Charge.case_id == case.id)
            .order_by(Charge.defendant_id, Charge.id)
        )
    ).all()

    async def rows(model: Any, order: Any) -> list[Any]:
        return list((await db.scalars(select(model).where(model.case_id == case.id).order_by(order))).all())

    victims_visible = may_see_victims(actor, case)
    readiness = None
    if case.next_hearing_at is not None and case.next_hearing_type not in (None, HearingType.OTHER.value):
        assert case.next_hearing_type is not None
        readiness = await _readiness_for(db, case, case.next_hearing_type, case.next_hearing_at.date(), today)
    units = await _units(db, (case.police_force_unit_id, case.police_unit_id, case.cps_area_unit_id))
    history = list(
        (
            await db.scalars(
                select(CaseHistoryEntry)
                .where(CaseHistoryEntry.case_id == case.id)
                .order_by(CaseHistoryEntry.occurred_at.desc(), CaseHistoryEntry.id.desc())
                .limit(100)
            )
        ).all()
    )
    record_ = CaseRecord(
        case=case,
        defendants=list(defendants),
        charges=list(charges),
        material=await rows(CaseMaterial, CaseMaterial.id),
        witnesses=await rows(Witness, Witness.id),
        victims=await rows(Victim, Victim.id) if victims_visible else None,
        decisions=await rows(ChargingDecisionRecord, ChargingDecisionRecord.id),
        reviews=await rows(CaseReview, CaseReview.id),
        idpc=await rows(IdpcService, IdpcService.id),
        disclosure=await rows(DisclosureStepRecord, DisclosureStepRecord.id),
        ctls=await rows(CustodyTimeLimit, CustodyTimeLimit.id),
        history=history,
        readiness=readiness,
        unit_names={u.id: u.name for u in units.values()},
    )
    await record(db, actor, "prosecution.case.read", "prosecution_case", case.id, detail={"victims": victims_visible})
    await db.commit()
    return record_


@dataclass(frozen=True)
class CaseListItem:
    id: int
    urn: str
    status: str
    custody_status: str
    defendant_names: list[str]
    next_hearing_type: str | None
    next_hearing_at: datetime | None
    days_to_hearing: int | None
    readiness: rules.ReadinessStatus | None
    # A defendant is a limited-access person the reader may not see (decision 0026): only the id
    # is kept, everything else is blank and the row has no link.
    restricted: bool = False

    @property
    def urn_display(self) -> str:
        return urn_display(self.urn)


@dataclass(frozen=True)
class CaseList:
    items: list[CaseListItem]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


_cases = ProsecutionCase.__table__


async def _page(
    db: AsyncSession, actor: Actor, where: Any, order: list[Any], page: int, page_size: int, today: date, purpose: str
) -> CaseList:
    page = max(1, page)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    total = int(await db.scalar(select(func.count()).select_from(_cases).where(where)) or 0)
    rows = (
        await db.execute(
            select(
                _cases.c.id,
                _cases.c.urn,
                _cases.c.status,
                _cases.c.custody_status,
                _cases.c.next_hearing_type,
                _cases.c.next_hearing_at,
                _cases.c.readiness_outstanding,
                _cases.c.readiness_within_days,
            )
            .where(where)
            .order_by(*order)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    ).all()
    ids = [r.id for r in rows]
    names: dict[int, list[str]] = {i: [] for i in ids}
    people: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for case_id, person_id, name in await db.execute(
            select(Defendant.case_id, Defendant.person_id, Person.given_name + " " + Person.family_name)
            .join(Person, Person.id == Defendant.person_id)
            .where(Defendant.case_id.in_(ids))
            .order_by(Defendant.case_id, Defendant.position)
        ):
            names[case_id].append(name)
            people[case_id].append(person_id)
    # Limited access (decision 0026): one query over the page's defendants.
    page_people = list(dict.fromkeys(p for ps in people.values() for p in ps))
    hidden = set(page_people) - set(await visible_person_ids(db, actor, page_people, purpose)) if page_people else set()
    items = []
    for r in rows:
        if hidden.intersection(people[r.id]):
            items.append(CaseListItem(r.id, "", "", "", [], None, None, None, None, restricted=True))
            continue
        status, days = status_of(r.readiness_outstanding, r.readiness_within_days, r.next_hearing_at, today)
        items.append(
            CaseListItem(
                r.id,
                r.urn,
                r.status,
                r.custody_status,
                names[r.id],
                r.next_hearing_type,
                r.next_hearing_at,
                days,
                status,
            )
        )
    return CaseList(items, page, page_size, total)


async def lawyer_cases(
    db: AsyncSession, actor: Actor, page: int = 1, page_size: int = 25, scope: str = "mine", today: date | None = None
) -> CaseList:
    """A CPS lawyer's (or paralegal's) cases by next hearing, soonest first, cases without a hearing
    last; ``scope="area"`` lists the whole CPS area's."""
    check(actor, "prosecution:read")
    today = today or london_today()
    if scope == "area":
        if actor.unit_id is None:
            raise ValidationFailed(FieldError("scope", "You belong to no CPS area"))
        where = _cases.c.cps_area_unit_id == actor.unit_id
    else:
        where = (_cases.c.allocated_lawyer_id == actor.id) | (_cases.c.paralegal_id == actor.id)
        if "cps_paralegal" in actor.roles and "cps_lawyer" not in actor.roles:
            where = _cases.c.paralegal_id == actor.id
        elif "cps_lawyer" in actor.roles:
            where = _cases.c.allocated_lawyer_id == actor.id
    order = [_cases.c.next_hearing_at.asc().nulls_last(), _cases.c.id]
    result = await _page(db, actor, where, order, page, page_size, today, "prosecution.cases")
    await record(db, actor, "prosecution.cases.list", detail={"scope": scope, "page": page})
    await db.commit()
    return result


async def police_files(
    db: AsyncSession, actor: Actor, page: int = 1, page_size: int = 25, today: date | None = None
) -> CaseList:
    """The files the police case builder's unit submitted, newest first."""
    check(actor, "prosecution:read")
    today = today or london_today()
    if actor.unit_id is None:
        raise ValidationFailed(FieldError("unit", "You belong to no police unit"))
    where = (_cases.c.police_unit_id == actor.unit_id) | (_cases.c.police_force_unit_id == actor.unit_id)
    order = [_cases.c.submitted_at.desc(), _cases.c.id.desc()]
    result = await _page(db, actor, where, order, page, page_size, today, "prosecution.files")
    await record(db, actor, "prosecution.files.list", detail={"page": page})
    await db.commit()
    return result


async def open_action_plans(db: AsyncSession, actor: Actor) -> list[Any]:
    """Action plans waiting on the actor's police unit, soonest due first (at most 50)."""
    check(actor, "prosecution:read")
    if actor.unit_id is None:
        return []
    rows = (
        await db.execute(
            select(Task.id, Task.title, Task.due_date, Task.subject_id, Task.description)
            .where(
                Task.type == "prosecution.action_plan",
                Task.owner_type == OwnerType.UNIT.value,
                Task.owner_id == actor.unit_id,
                Task.status.in_([s.value for s in ACTIVE_STATUSES]),
            )
            .order_by(Task.due_date, Task.id)
            .limit(50)
        )
    ).all()
    return list(rows)
