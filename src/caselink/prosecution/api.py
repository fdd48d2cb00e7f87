"""The prosecution as JSON under /api/v1/prosecution: case files, charging decisions, progressing
cases and their readiness. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from caselink.db.session import DbSession
from caselink.people.rules import urn_display
from caselink.platform.access import Actor, requires
from caselink.platform.openapi import example_response
from caselink.prosecution import service
from caselink.prosecution.schemas import (
    AREA_CHECKLISTS_EXAMPLE,
    CHARGING_DECISION_EXAMPLE,
    CUSTODY_TIME_LIMITS_EXAMPLE,
    AllocationIn,
    AreaChecklistChangeIn,
    CaseFileIn,
    CaseListItemOut,
    CaseListOut,
    CaseOut,
    ChargeOut,
    ChargingDecisionIn,
    CreatedOut,
    DefendantOut,
    DisclosureStepIn,
    DiscontinuanceIn,
    ReadinessItemOut,
    ReadinessOut,
    RemandPeriodIn,
    ReviewIn,
    ServedIn,
    TickIn,
    VictimPersonalStatementIn,
    WitnessOut,
)

router = APIRouter(prefix="/prosecution", tags=["prosecution"])

Reader = Annotated[Actor, Depends(requires("prosecution:read"))]
Filer = Annotated[Actor, Depends(requires("prosecution:file"))]
Charger = Annotated[Actor, Depends(requires("prosecution:charge"))]
Manager = Annotated[Actor, Depends(requires("prosecution:manage"))]
Configurer = Annotated[Actor, Depends(requires("prosecution:configure"))]


def readiness_out(found: service.CaseReadiness) -> ReadinessOut:
    return ReadinessOut(
        hearing_type=found.hearing_type.value,
        hearing_date=found.hearing_date,
        status=found.readiness.status.value,
        days_to_hearing=found.readiness.days_to_hearing,
        done_count=found.readiness.done_count,
        item_count=found.readiness.item_count,
        items=[
            ReadinessItemOut(id=i.id, text=i.text, kind=i.kind.value, done=found.done(i.id))
            for i in found.checklist.items
        ],
    )


def _list_out(result: service.CaseList) -> CaseListOut:
    return CaseListOut(
        items=[
            CaseListItemOut(
                id=i.id,
                urn=i.urn or None,
                status=i.status or None,
                custody_status=i.custody_status or None,
                defendant_names=i.defendant_names,
                next_hearing_type=i.next_hearing_type,
                next_hearing_at=i.next_hearing_at,
                days_to_hearing=i.days_to_hearing,
                readiness=i.readiness.value if i.readiness else None,
                restricted=i.restricted,
            )
            for i in result.items
        ],
        page=result.page,
        page_size=result.page_size,
        total=result.total,
    )


@router.post("/case-files", status_code=status.HTTP_201_CREATED, response_model=CreatedOut)
async def submit_case_file(body: CaseFileIn, actor: Filer, db: DbSession) -> CreatedOut:
    """Submit a police case file. 422 with field paths for bad input; 409 with candidates when a
    new suspect may already be in the person index (choose them, or confirm_new with a reason)."""
    case_id = await service.submit_case_file(db, actor, body)
    record = await service.get_case(db, actor, case_id)
    return CreatedOut(id=case_id, urn=record.case.urn)


@router.get("/cases", response_model=CaseListOut)
async def list_cases(
    actor: Reader,
    db: DbSession,
    scope: Annotated[str, Query(description="mine (default) or area")] = "mine",
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 25,
) -> CaseListOut:
    """A CPS lawyer's cases by next hearing, with readiness and days to the hearing."""
    return _list_out(await service.lawyer_cases(db, actor, page, page_size, scope))


@router.get("/case-files", response_model=CaseListOut)
async def list_case_files(
    actor: Reader,
    db: DbSession,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 25,
) -> CaseListOut:
    """The files the police unit submitted, newest first."""
    return _list_out(await service.police_files(db, actor, page, page_size))


@router.get("/cases/{case_id}", response_model=CaseOut)
async def get_case(case_id: int, actor: Reader, db: DbSession) -> CaseOut:
    r = await service.get_case(db, actor, case_id)
    c = r.case
    return CaseOut(
        id=c.id,
        urn=c.urn,
        urn_display=urn_display(c.urn),
        status=c.status,
        custody_status=c.custody_status,
        police_force_unit_id=c.police_force_unit_id,
        police_unit_id=c.police_unit_id,
        cps_area_unit_id=c.cps_area_unit_id,
        officer_in_case_name=c.officer_in_case_name,
        allocated_lawyer_id=c.allocated_lawyer_id,
        paralegal_id=c.paralegal_id,
        next_hearing_type=c.next_hearing_type,
        next_hearing_at=c.next_hearing_at,
        defendants=[
            DefendantOut(
                id=d.id,
                person_id=d.person_id,
                name=name,
                custody_status=d.custody_status,
                charging_outcome=d.charging_outcome,
            )
            for d, name in r.defendants
        ],
        charges=[
            ChargeOut(
                id=ch.id,
                defendant_id=ch.defendant_id,
                offence_code=ch.offence_code,
                offence_title=title,
                wording=ch.wording,
                offence_date_from=ch.offence_date_from,
                offence_date_to=ch.offence_date_to,
                status=ch.status,
                discontinuance_reason=ch.discontinuance_reason,
            )
            for ch, title in r.charges
        ],
        witnesses=[
            WitnessOut(
                id=w.id,
                name=w.name if r.victims is not None else None,
                kind=w.kind,
                special_measures=list(w.special_measures or []),
                special_measures_applied=w.special_measures_applied,
                warned=w.warned,
            )
            for w in r.witnesses
        ],
        victims_visible=r.victims is not None,
        readiness=readiness_out(r.readiness) if r.readiness else None,
    )


@router.post(
    "/cases/{case_id}/charging-decisions",
    status_code=status.HTTP_201_CREATED,
    responses=example_response(CHARGING_DECISION_EXAMPLE, 201),
)
async def charging_decision(case_id: int, body: ChargingDecisionIn, actor: Charger, db: DbSession) -> dict[str, object]:
    """Record the Full Code Test and outcomes (CPS lawyers only)."""
    result = await service.record_charging_decision(db, actor, case_id, body)
    return {
        "decision_id": str(result.decision_id),
        "charges_laid": result.charges_laid,
        "action_plan_task_ids": result.action_plan_task_ids,
        "case_status": result.case_status,
    }


@router.post("/cases/{case_id}/allocation", status_code=status.HTTP_204_NO_CONTENT)
async def allocate(case_id: int, body: AllocationIn, actor: Manager, db: DbSession) -> None:
    await service.allocate(db, actor, case_id, body)


@router.post("/cases/{case_id}/reviews", status_code=status.HTTP_201_CREATED, response_model=CreatedOut)
async def review(case_id: int, body: ReviewIn, actor: Manager, db: DbSession) -> CreatedOut:
    return CreatedOut(id=await service.record_review(db, actor, case_id, body))


@router.post("/cases/{case_id}/idpc", status_code=status.HTTP_204_NO_CONTENT)
async def idpc_served(case_id: int, body: ServedIn, actor: Manager, db: DbSession) -> None:
    await service.record_idpc_served(db, actor, case_id, body)


@router.post("/cases/{case_id}/antecedents", status_code=status.HTTP_204_NO_CONTENT)
async def antecedents_served(case_id: int, body: ServedIn, actor: Manager, db: DbSession) -> None:
    await service.record_antecedents_served(db, actor, case_id, body)


@router.post("/cases/{case_id}/pre-sentence-report", status_code=status.HTTP_204_NO_CONTENT)
async def pre_sentence_report_requested(case_id: int, body: ServedIn, actor: Manager, db: DbSession) -> None:
    """Record that a pre-sentence report was requested (``served_on`` is the date asked)."""
    await service.record_pre_sentence_report_requested(db, actor, case_id, body)


@router.post("/victims/{victim_id}/personal-statement", status_code=status.HTTP_204_NO_CONTENT)
async def victim_personal_statement(
    victim_id: int, body: VictimPersonalStatementIn, actor: Manager, db: DbSession
) -> None:
    """Record the victim's personal statement: made, declined, or not_asked (to undo)."""
    await service.record_victim_personal_statement(db, actor, victim_id, body.personal_statement)


@router.post("/cases/{case_id}/disclosure", status_code=status.HTTP_204_NO_CONTENT)
async def disclosure(case_id: int, body: DisclosureStepIn, actor: Manager, db: DbSession) -> None:
    await service.record_disclosure_step(db, actor, case_id, body)


@router.post("/cases/{case_id}/readiness-ticks", status_code=status.HTTP_204_NO_CONTENT)
async def tick(case_id: int, body: TickIn, actor: Manager, db: DbSession) -> None:
    await service.tick_readiness_item(db, actor, case_id, body.hearing_type, body.item_id, body.ticked)


@router.get("/cases/{case_id}/readiness", response_model=ReadinessOut)
async def readiness(
    case_id: int,
    actor: Reader,
    db: DbSession,
    hearing_type: Annotated[str, Query(description="first_hearing, ptph, trial or sentence")],
    hearing_date: date,
) -> ReadinessOut:
    """Readiness of the case for a hearing of this type on this date."""
    await service.get_case(db, actor, case_id)  # access check and audited read
    return readiness_out(await service.case_readiness(db, case_id, hearing_type, hearing_date))


@router.post("/witnesses/{witness_id}/warned", status_code=status.HTTP_204_NO_CONTENT)
async def witness_warned(witness_id: int, actor: Manager, db: DbSession) -> None:
    await service.update_witness(db, actor, witness_id, warned=True)


@router.post("/charges/{charge_id}/discontinuance", status_code=status.HTTP_204_NO_CONTENT)
async def discontinue(charge_id: int, body: DiscontinuanceIn, actor: Charger, db: DbSession) -> None:
    """Discontinue or withdraw a charge with a reason code."""
    await service.stop_charge(db, actor, charge_id, body)


@router.post(
    "/defendants/{defendant_id}/remand-periods",
    status_code=status.HTTP_201_CREATED,
    responses=example_response(CUSTODY_TIME_LIMITS_EXAMPLE, 201),
)
async def remand_period(
    defendant_id: int, body: RemandPeriodIn, actor: Manager, db: DbSession
) -> list[dict[str, object]]:
    """Record a period of remand in custody; returns the custody time limits recomputed."""
    ctls = await service.record_remand_period(
        db,
        actor,
        defendant_id,
        body.remanded_on,
        body.released_on,
        body.kind,
        first_appearance=body.first_appearance,
        sent_for_trial_on=body.sent_for_trial_on,
    )
    return [
        {"charge_id": c.charge_id, "clock": c.clock, "limit_days": c.limit_days, "expiry_date": c.expiry_date}
        for c in ctls
    ]


def _checklist_out(found: service.AreaChecklist) -> dict[str, object]:
    return {
        "hearing_type": found.hearing_type.value,
        "not_ready_within_days": found.effective.not_ready_within_days,
        "national_not_ready_within_days": found.national.not_ready_within_days,
        "items": [
            {
                "id": i.id,
                "text": i.text,
                "kind": i.kind.value,
                "source": "area" if i.id in found.added_ids else "national",
            }
            for i in found.effective.items
        ],
        "removed_national_item_ids": [i.id for i in found.removed],
    }


@router.get("/areas/{area_id}/readiness-checklists", responses=example_response(AREA_CHECKLISTS_EXAMPLE))
async def area_readiness_checklists(area_id: int, actor: Configurer, db: DbSession) -> list[dict[str, object]]:
    """The CPS area's checklist per hearing type: the national default with the area's changes."""
    _, found = await service.area_readiness_config(db, actor, area_id)
    return [_checklist_out(c) for c in found]


@router.post("/areas/{area_id}/readiness-checklists/{hearing_type}", status_code=status.HTTP_204_NO_CONTENT)
async def change_area_readiness_checklist(
    area_id: int, hearing_type: str, body: AreaChecklistChangeIn, actor: Configurer, db: DbSession
) -> None:
    """Add, remove or restore an item, or set the not-ready threshold, for one hearing type."""
    await service.change_area_checklist(db, actor, area_id, hearing_type, body)
