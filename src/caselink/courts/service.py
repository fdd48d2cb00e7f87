"""Court use cases: list and re-list hearings, adjourn them, record trial effectiveness, pleas,
outcomes per charge, remand decisions and sentences, and read a court's daily list.

Every use case checks access (court staff reach the hearings of their own court), validates the
whole input with courts.rules before writing anything, audits, emits the events the next agency
acts on, and commits once: a refused or invalid request changes nothing.

The prosecution context owns cases, defendants and charges; this module reads those tables
(their names and columns are kept stable for courts, see prosecution/models.py) and writes only
its own. A charge is before the court while it is charged and has no outcome here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.courts import rules
from caselink.courts.models import (
    CourtChargeOutcome,
    CourtFinalisation,
    CourtHearing,
    CourtPlea,
    CourtRemand,
    CourtSentence,
)
from caselink.courts.schemas import (
    AdjournIn,
    ChargeOut,
    DailyListItem,
    DailyListOut,
    DefendantOut,
    HearingListIn,
    HearingOut,
    PleasIn,
    RelistIn,
    RemandIn,
    RemandOut,
    ResultsIn,
    SentenceIn,
    SentenceOut,
    TrialOutcomeIn,
)
from caselink.organisations import service as organisations
from caselink.organisations.models import OrganisationUnit
from caselink.people.limited_access import ensure_may_see, visible_person_ids
from caselink.people.models import Person
from caselink.platform.access import Actor, Resource
from caselink.platform.access.policy import can
from caselink.platform.audit.service import ensure_or_record_refusal, record
from caselink.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from caselink.platform.events.service import emit
from caselink.platform.tasks.service import complete_tasks_for
from caselink.prosecution import service as prosecution_service
from caselink.prosecution.models import Charge, Defendant, ProsecutionCase, RemandPeriodRecord
from caselink.prosecution.rules import defendant_outcome
from caselink.reference.models import ReferenceCode

LONDON = ZoneInfo("Europe/London")
COURT_KINDS = {"magistrates_court": rules.CourtType.MAGISTRATES, "crown_court": rules.CourtType.CROWN}
DAILY_LIST_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

hearings_t = cast(Table, CourtHearing.__table__)
outcomes_t = cast(Table, CourtChargeOutcome.__table__)
pleas_t = cast(Table, CourtPlea.__table__)
remands_t = cast(Table, CourtRemand.__table__)
sentences_t = cast(Table, CourtSentence.__table__)
finalisations_t = cast(Table, CourtFinalisation.__table__)
charges_t = cast(Table, Charge.__table__)
defendants_t = cast(Table, Defendant.__table__)
cases_t = cast(Table, ProsecutionCase.__table__)
units_t = cast(Table, OrganisationUnit.__table__)
persons_t = cast(Table, Person.__table__)
codes_t = cast(Table, ReferenceCode.__table__)

# Charges that were laid at some point (before the court now, or ended since).
LAID_STATUSES = ("charged", "discontinued", "withdrawn", "concluded")
# Charges the prosecution stopped itself: they count towards the defendant's outcome.
PROSECUTION_ENDED = {"discontinued": rules.ChargeOutcome.DISCONTINUED, "withdrawn": rules.ChargeOutcome.WITHDRAWN}


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


# -- access ---------------------------------------------------------------------------------------


def hearing_resource(court_unit_id: int, cps_area_unit_id: int | None, hearing_id: int | None = None) -> Resource:
    """A hearing belongs to the court; the CPS area and the police take part in it."""
    units = {court_unit_id} | ({cps_area_unit_id} if cps_area_unit_id else set())
    return Resource(
        kind="court_hearing",
        owning_agency="courts",
        agencies=frozenset({"cps", "police"}),
        unit_ids=frozenset(units),
        id=None if hearing_id is None else str(hearing_id),
    )


_ensure = ensure_or_record_refusal  # nothing is written before the check, so no rollback


async def _withheld(db: AsyncSession, actor: Actor, person_ids: Iterable[int], purpose: str) -> set[int]:
    """People on a list's page the actor may not see (limited access, decision 0026): one query,
    the withheld audited as one refused entry (the caller commits)."""
    ids = list(dict.fromkeys(person_ids))
    return set(ids) - set(await visible_person_ids(db, actor, ids, purpose)) if ids else set()


# -- standing data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourtUnit:
    id: int
    code: str
    name: str
    court_type: rules.CourtType


async def court_unit(db: AsyncSession, code: str, field: str = "court_unit_code") -> CourtUnit:
    row = (
        await db.execute(
            select(units_t.c.id, units_t.c.code, units_t.c.name, units_t.c.kind).where(
                units_t.c.code == code.strip().upper()
            )
        )
    ).one_or_none()
    if row is None or row.kind not in COURT_KINDS:
        raise ValidationFailed(FieldError(field, f'"{code}" is not the code of a magistrates\' court or Crown Court'))
    return CourtUnit(row.id, row.code, row.name, COURT_KINDS[row.kind])


async def court_unit_by_id(db: AsyncSession, unit_id: int) -> CourtUnit:
    row = (await db.execute(select(units_t.c.code, units_t.c.kind).where(units_t.c.id == unit_id))).one_or_none()
    if row is None or row.kind not in COURT_KINDS:
        raise NotFound(f"There is no court with id {unit_id}.")
    return await court_unit(db, row.code)


async def codes(db: AsyncSession, list_name: str) -> dict[str, str]:
    rows = await db.execute(
        select(codes_t.c.code, codes_t.c.description).where(codes_t.c.list_name == list_name).order_by(codes_t.c.code)
    )
    return {r.code: r.description for r in rows}


async def _hearing_type(db: AsyncSession, code: str, field: str) -> tuple[str, rules.HearingType]:
    clean = code.strip().upper()
    found = await db.scalar(
        select(codes_t.c.code).where(codes_t.c.list_name == "type-of-hearing", codes_t.c.code == clean)
    )
    if found is None:
        raise ValidationFailed(FieldError(field, f'"{code}" is not a type of hearing in the standing data'))
    return clean, rules.hearing_type_from_code(clean)


# -- listing ---------------------------------------------------------------------------------------


async def _case_for_listing(db: AsyncSession, case_id: int) -> Any:
    case = (
        await db.execute(
            select(cases_t.c.id, cases_t.c.urn, cases_t.c.cps_area_unit_id, cases_t.c.status).where(
                cases_t.c.id == case_id
            )
        )
    ).one_or_none()
    if case is None:
        raise ValidationFailed(FieldError("case_id", f"There is no case with id {case_id}"))
    laid = await db.scalar(select(func.count()).where(charges_t.c.case_id == case_id, charges_t.c.status == "charged"))
    if not laid:
        raise ValidationFailed(
            FieldError("case_id", "This case has no charges before the court, so it cannot be listed")
        )
    return case


async def _defendant_people(db: AsyncSession, case_id: int) -> list[tuple[int, int]]:
    """(defendant id, person id) of every charged defendant of the case."""
    rows = await db.execute(
        select(defendants_t.c.id, defendants_t.c.person_id)
        .where(
            defendants_t.c.case_id == case_id,
            select(charges_t.c.id)
            .where(charges_t.c.defendant_id == defendants_t.c.id, charges_t.c.status.in_(LAID_STATUSES))
            .exists(),
        )
        .order_by(defendants_t.c.position)
    )
    return [(r.id, r.person_id) for r in rows]


async def court_facts(db: AsyncSession, court_unit_id: int | None) -> dict[str, Any]:
    """What a court event says about its court, so no receiver reads the courts' tables: the
    court's code, name and region (``courtUnitCode``, ``courtName``, ``courtRegion``) and the area
    every shareable event carries (``unitCode``, ``regionCode``; organisations.event_area_of)."""
    court = await organisations.unit_area(db, court_unit_id)
    if court is None:
        return {}
    return {"courtUnitCode": court.code, "courtName": court.name, "courtRegion": court.region, **court.event_data()}


def _charge_facts(charge: ChargeRow) -> dict[str, Any]:
    """A sentenced charge as the release-date calculator needs it: the offence and when it was
    committed (a single date, or the start and end of a range). The offence date, not the
    sentence date, decides some release rules (e.g. licence and top-up for offences from 2015)."""
    return {
        "chargeId": charge.id,
        "offenceCode": charge.offence_code,
        "offenceDateFrom": charge.offence_date_from.isoformat() if charge.offence_date_from else None,
        "offenceDateTo": charge.offence_date_to.isoformat() if charge.offence_date_to else None,
    }


async def _emit_listed(db: AsyncSession, hearing: CourtHearing, unit: CourtUnit, people: list[tuple[int, int]]) -> None:
    court = await court_facts(db, unit.id)
    for defendant_id, person_id in people:
        await emit(
            db,
            "court.hearing.listed",
            f"hearing/{hearing.id}",
            person_ids={"person": person_id},
            data={
                "hearingId": hearing.id,
                "caseId": hearing.case_id,
                "defendantId": defendant_id,
                "courtCode": unit.code,
                "courtType": unit.court_type.value,
                "hearingType": hearing.hearing_type_code,
                "startsAt": hearing.starts_at.isoformat(),
                "courtroom": hearing.courtroom,
                "relistedFrom": hearing.relisted_from_id,
                **court,
            },
            detail_url=f"/api/v1/courts/hearings/{hearing.id}",
        )


async def list_hearing(db: AsyncSession, actor: Actor, body: HearingListIn, now: datetime | None = None) -> int:
    """List a case for a hearing at a court, in the future. Returns the hearing id."""
    errors: list[FieldError] = []
    unit: CourtUnit | None = None
    type_code, hearing_type = "", rules.HearingType.OTHER
    try:
        unit = await court_unit(db, body.court_unit_code)
    except ValidationFailed as exc:
        errors += exc.errors
    try:
        type_code, hearing_type = await _hearing_type(db, body.hearing_type_code, "hearing_type_code")
    except ValidationFailed as exc:
        errors += exc.errors
    errors += _listing_errors(body.starts_at, _now(now), body.courtroom)
    case = None
    try:
        case = await _case_for_listing(db, body.case_id)
    except ValidationFailed as exc:
        errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    assert unit is not None and case is not None
    await _ensure(db, actor, "courts:results", hearing_resource(unit.id, case.cps_area_unit_id), "court.hearing.list")
    await _ensure_may_see_defendants(db, actor, case.id, "court.hearing.list")
    hearing = _new_hearing(
        actor, case.id, case.cps_area_unit_id, unit, type_code, hearing_type, body.starts_at, body.courtroom
    )
    db.add(hearing)
    await db.flush()
    await record(db, actor, "court.hearing.list", "court_hearing", hearing.id, detail={"case_id": case.id})
    await _emit_listed(db, hearing, unit, await _defendant_people(db, case.id))
    await refresh_next_hearing(db, case.id, _now(now))
    # Listing the case is what the hand-off's "list first hearing" task asked for.
    await complete_tasks_for(
        db,
        actor,
        dedupe_key=f"courts.first_hearing:{case.id}",
        outcome=f"First hearing listed at {unit.name} on {london_date(body.starts_at).isoformat()}.",
    )
    await db.commit()
    return hearing.id


def _listing_errors(starts_at: datetime, now: datetime, courtroom: str, field: str = "") -> list[FieldError]:
    if starts_at.tzinfo is None:
        prefix = f"{field}." if field else ""
        return [
            FieldError(f"{prefix}starts_at", "Give the hearing time with its offset, like 2025-03-04T10:00:00+00:00")
        ]
    return rules.listing_errors(starts_at, now, courtroom, field)


def _new_hearing(
    actor: Actor,
    case_id: int,
    cps_area_unit_id: int | None,
    unit: CourtUnit,
    type_code: str,
    hearing_type: rules.HearingType,
    starts_at: datetime,
    courtroom: str,
    relisted_from_id: int | None = None,
) -> CourtHearing:
    return CourtHearing(
        case_id=case_id,
        court_unit_id=unit.id,
        cps_area_unit_id=cps_area_unit_id,
        court_type=unit.court_type.value,
        hearing_type_code=type_code,
        hearing_type=hearing_type.value,
        starts_at=starts_at,
        sitting_date=london_date(starts_at),
        courtroom=courtroom.strip(),
        status=rules.HearingStatus.LISTED.value,
        relisted_from_id=relisted_from_id,
        created_by=actor.audit_label,
    )


async def _lock_hearing(db: AsyncSession, hearing_id: int) -> CourtHearing:
    hearing = await db.get(CourtHearing, hearing_id, with_for_update=True)
    if hearing is None:
        raise NotFound(f"There is no hearing with id {hearing_id}.")
    return hearing


async def _relist_from(
    db: AsyncSession, actor: Actor, old: CourtHearing, body: RelistIn, now: datetime, field: str = ""
) -> CourtHearing:
    errors = _listing_errors(body.starts_at, now, body.courtroom, field)
    unit = await court_unit_by_id(db, old.court_unit_id)
    if body.court_unit_code:
        try:
            unit = await court_unit(
                db, body.court_unit_code, f"{field}.court_unit_code" if field else "court_unit_code"
            )
        except ValidationFailed as exc:
            errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    # Moving a case to another court needs the reach of that court too.
    await _ensure(db, actor, "courts:results", hearing_resource(unit.id, old.cps_area_unit_id), "court.hearing.relist")
    new = _new_hearing(
        actor,
        old.case_id,
        old.cps_area_unit_id,
        unit,
        old.hearing_type_code,
        rules.HearingType(old.hearing_type),
        body.starts_at,
        body.courtroom,
        relisted_from_id=old.id,
    )
    db.add(new)
    await db.flush()
    await _emit_listed(db, new, unit, await _defendant_people(db, old.case_id))
    return new


async def relist_hearing(
    db: AsyncSession, actor: Actor, hearing_id: int, body: RelistIn, now: datetime | None = None
) -> int:
    """Move a hearing that has not yet taken place to another time (or court): the old listing is
    vacated and a new one listed. Returns the new hearing's id."""
    hearing = await _lock_hearing(db, hearing_id)
    await _ensure(db, actor, "courts:results", _resource_of(hearing), "court.hearing.relist")
    await _ensure_may_see_defendants(db, actor, hearing.case_id, "court.hearing.relist")
    if hearing.status != rules.HearingStatus.LISTED:
        raise Conflict(f"This hearing is {hearing.status}; only a listed hearing can be re-listed.")
    new = await _relist_from(db, actor, hearing, body, _now(now))
    hearing.status = rules.HearingStatus.VACATED.value
    hearing.updated_at = _now(now)
    await refresh_next_hearing(db, hearing.case_id, _now(now))
    await record(db, actor, "court.hearing.relist", "court_hearing", hearing.id, detail={"relisted_to": new.id})
    await db.commit()
    return new.id


async def adjourn_hearing(
    db: AsyncSession, actor: Actor, hearing_id: int, body: AdjournIn, now: datetime | None = None
) -> int | None:
    """Adjourn a hearing on or after its day, with a reason; optionally list the next one.
    Returns the next hearing's id, if one was listed."""
    moment = _now(now)
    hearing = await _lock_hearing(db, hearing_id)
    await _ensure(db, actor, "courts:results", _resource_of(hearing), "court.hearing.adjourn")
    await _ensure_may_see_defendants(db, actor, hearing.case_id, "court.hearing.adjourn")
    _check_can_take_results(hearing, moment)
    if body.reason is rules.AdjournmentReason.OTHER and not (body.note or "").strip():
        raise ValidationFailed(FieldError("note", "Say why the hearing was adjourned"))
    new = await _relist_from(db, actor, hearing, body.relist, moment, "relist") if body.relist else None
    hearing.status = rules.HearingStatus.ADJOURNED.value
    hearing.adjournment_reason = body.reason.value
    hearing.note = (body.note or "").strip() or None
    hearing.updated_at = moment
    await refresh_next_hearing(db, hearing.case_id, moment)
    await record(
        db,
        actor,
        "court.hearing.adjourn",
        "court_hearing",
        hearing.id,
        detail={"reason": body.reason.value, "relisted_to": new.id if new else None},
    )
    await db.commit()
    return new.id if new else None


def _check_can_take_results(hearing: CourtHearing, now: datetime) -> None:
    if hearing.status == rules.HearingStatus.VACATED:
        raise Conflict("This hearing was vacated and re-listed; enter results on the new listing.")
    if hearing.sitting_date > london_date(now):
        raise Conflict(
            f"This hearing is listed for {hearing.sitting_date.isoformat()}; results can be entered from that day."
        )


async def _ensure_may_see_defendants(db: AsyncSession, actor: Actor, case_id: int, audit_action: str) -> None:
    """Every write on a hearing (or listing the case) is refused, audited, when the actor may not
    see one of the case's defendants (limited access, decision 0026). Call before writing."""
    for person_id in sorted(
        set(await db.scalars(select(defendants_t.c.person_id).where(defendants_t.c.case_id == case_id)))
    ):
        await ensure_may_see(db, actor, person_id, audit_action)


def _resource_of(hearing: CourtHearing) -> Resource:
    return hearing_resource(hearing.court_unit_id, hearing.cps_area_unit_id, hearing.id)


async def record_trial_outcome(
    db: AsyncSession, actor: Actor, hearing_id: int, body: TrialOutcomeIn, now: datetime | None = None
) -> None:
    moment = _now(now)
    hearing = await _lock_hearing(db, hearing_id)
    await _ensure(db, actor, "courts:results", _resource_of(hearing), "court.trial.record")
    await _ensure_may_see_defendants(db, actor, hearing.case_id, "court.trial.record")
    _check_can_take_results(hearing, moment)
    if hearing.hearing_type != rules.HearingType.TRIAL:
        raise ValidationFailed(FieldError("effectiveness", "Trial effectiveness is recorded only for a trial"))
    errors = rules.trial_outcome_errors(rules.TrialOutcome(body.effectiveness, body.reason), field="trial")
    if errors:
        # The body's fields are top-level: "trial.reason" reads "reason".
        raise ValidationFailed([FieldError(e.field.removeprefix("trial."), e.message) for e in errors])
    hearing.trial_effectiveness = body.effectiveness.value
    hearing.trial_reason = body.reason.value if body.reason else None
    if body.effectiveness is rules.TrialEffectiveness.INEFFECTIVE and hearing.status == rules.HearingStatus.LISTED:
        hearing.status = rules.HearingStatus.ADJOURNED.value
        if body.reason is rules.TrialReason.PROSECUTION_NOT_READY:
            hearing.adjournment_reason = rules.AdjournmentReason.PROSECUTION_NOT_READY.value
    elif hearing.status == rules.HearingStatus.LISTED:
        hearing.status = rules.HearingStatus.HEARD.value
    hearing.updated_at = moment
    await refresh_next_hearing(db, hearing.case_id, moment)
    await record(
        db,
        actor,
        "court.trial.record",
        "court_hearing",
        hearing.id,
        detail={"effectiveness": body.effectiveness.value, "reason": body.reason.value if body.reason else None},
    )
    await db.commit()


# -- results: pleas, outcomes, remands, sentences ---------------------------------------------------


@dataclass(frozen=True)
class ChargeRow:
    id: int
    defendant_id: int
    person_id: int
    offence_code: str
    wording: str
    status: str
    charged_on: date | None
    ended_on: date | None
    outcome: str | None
    outcome_on: date | None
    offence_date_from: date | None = None
    offence_date_to: date | None = None

    @property
    def before_court(self) -> bool:
        return self.status == "charged" and self.outcome is None


async def case_charges(db: AsyncSession, case_id: int) -> list[ChargeRow]:
    """Every charge laid on the case, with its court outcome if it has one (one query)."""
    rows = await db.execute(
        select(
            charges_t.c.id,
            charges_t.c.defendant_id,
            defendants_t.c.person_id,
            charges_t.c.offence_code,
            charges_t.c.wording,
            charges_t.c.status,
            charges_t.c.charged_on,
            charges_t.c.ended_on,
            outcomes_t.c.outcome,
            outcomes_t.c.decided_on.label("outcome_on"),
            charges_t.c.offence_date_from,
            charges_t.c.offence_date_to,
        )
        .join(defendants_t, defendants_t.c.id == charges_t.c.defendant_id)
        .outerjoin(outcomes_t, outcomes_t.c.charge_id == charges_t.c.id)
        .where(charges_t.c.case_id == case_id, charges_t.c.status.in_(LAID_STATUSES))
        .order_by(defendants_t.c.position, charges_t.c.id)
    )
    return [ChargeRow(**r._mapping) for r in rows]


async def _results_context(
    db: AsyncSession, actor: Actor, hearing_id: int, now: datetime, audit_action: str
) -> tuple[CourtHearing, list[ChargeRow]]:
    hearing = await _lock_hearing(db, hearing_id)
    await _ensure(db, actor, "courts:results", _resource_of(hearing), audit_action)
    await _ensure_may_see_defendants(db, actor, hearing.case_id, audit_action)
    _check_can_take_results(hearing, now)
    # Lock the case's charges: two clerks entering outcomes at once must not both conclude it.
    await db.execute(select(charges_t.c.id).where(charges_t.c.case_id == hearing.case_id).with_for_update())
    return hearing, await case_charges(db, hearing.case_id)


async def _mark_heard(db: AsyncSession, hearing: CourtHearing, now: datetime) -> None:
    if hearing.status == rules.HearingStatus.LISTED:
        hearing.status = rules.HearingStatus.HEARD.value
    hearing.updated_at = now
    await refresh_next_hearing(db, hearing.case_id, now)


async def refresh_next_hearing(db: AsyncSession, case_id: int, now: datetime) -> None:
    """Tell the prosecution which hearing is now the case's next (the earliest still listed from
    today on, or none), so the lawyer's list shows it with its readiness. In the caller's
    transaction: a listing that fails leaves the case's next hearing as it was."""
    await db.flush()
    upcoming = (
        await db.execute(
            select(hearings_t.c.id, hearings_t.c.hearing_type, hearings_t.c.starts_at)
            .where(
                hearings_t.c.case_id == case_id,
                hearings_t.c.status == rules.HearingStatus.LISTED.value,
                hearings_t.c.sitting_date >= london_date(now),
            )
            .order_by(hearings_t.c.starts_at, hearings_t.c.id)
            .limit(1)
        )
    ).one_or_none()
    if upcoming is None:
        await prosecution_service.note_next_hearing(db, case_id, None, None, None)
    else:
        await prosecution_service.note_next_hearing(db, case_id, upcoming.id, upcoming.hearing_type, upcoming.starts_at)


async def record_pleas(
    db: AsyncSession, actor: Actor, hearing_id: int, body: PleasIn, now: datetime | None = None
) -> None:
    moment = _now(now)
    hearing, charges = await _results_context(db, actor, hearing_id, moment, "court.plea.record")
    before = {c.id for c in charges if c.before_court}
    known = await codes(db, "plea-status")
    errors: list[FieldError] = []
    parsed: list[tuple[int, str, rules.Plea]] = []
    seen: set[int] = set()
    for i, plea in enumerate(body.pleas):
        if plea.charge_id not in before:
            errors.append(FieldError(f"pleas.{i}.charge_id", f"Charge {plea.charge_id} is not before the court"))
        elif plea.charge_id in seen:
            errors.append(FieldError(f"pleas.{i}.charge_id", f"Charge {plea.charge_id} has more than one plea"))
        seen.add(plea.charge_id)
        code = plea.plea_code.strip().upper()
        if code not in known:
            errors.append(FieldError(f"pleas.{i}.plea_code", f'"{plea.plea_code}" is not a plea in the standing data'))
            continue
        try:
            parsed.append((plea.charge_id, code, rules.plea_from_code(code, f"pleas.{i}.plea_code")))
        except ValidationFailed as exc:
            errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    existing = await db.execute(
        select(pleas_t.c.charge_id).where(pleas_t.c.hearing_id == hearing.id, pleas_t.c.charge_id.in_(seen))
    )
    if existing.first() is not None:
        raise Conflict("A plea is already recorded on one of these charges at this hearing.")
    for charge_id, code, plea_value in parsed:
        db.add(
            CourtPlea(
                hearing_id=hearing.id,
                charge_id=charge_id,
                plea_code=code,
                plea=plea_value.value,
                created_by=actor.audit_label,
            )
        )
    await _mark_heard(db, hearing, moment)
    await record(
        db, actor, "court.plea.record", "court_hearing", hearing.id, detail={"pleas": {str(c): p for c, p, _ in parsed}}
    )
    await db.commit()


async def record_outcomes(
    db: AsyncSession, actor: Actor, hearing_id: int, body: ResultsIn, now: datetime | None = None
) -> None:
    """Verdicts and other outcomes per charge. A charge not before the court (never charged,
    already ended, or on another case) is refused with nothing written."""
    moment = _now(now)
    hearing, charges = await _results_context(db, actor, hearing_id, moment, "court.outcome.record")
    results = [rules.ChargeResult(str(r.charge_id), r.outcome, r.reason) for r in body.results]
    rules.check_charge_results((str(c.id) for c in charges if c.before_court), results)
    by_id = {c.id: c for c in charges}
    decided_on = hearing.sitting_date
    for result in body.results:
        db.add(
            CourtChargeOutcome(
                charge_id=result.charge_id,
                defendant_id=by_id[result.charge_id].defendant_id,
                hearing_id=hearing.id,
                outcome=result.outcome.value,
                reason=result.reason.value if result.reason else None,
                verdict_code=rules.OUTCOME_VERDICT_CODES[result.outcome],
                result_code=rules.OUTCOME_RESULT_CODES.get(result.outcome),
                decided_on=decided_on,
                created_by=actor.audit_label,
            )
        )
    await _mark_heard(db, hearing, moment)
    await db.flush()
    await prosecution_service.conclude_charges(db, [r.charge_id for r in body.results], decided_on)
    await record(
        db,
        actor,
        "court.outcome.record",
        "court_hearing",
        hearing.id,
        detail={"outcomes": {str(r.charge_id): r.outcome.value for r in body.results}},
    )
    convicted: dict[int, list[int]] = defaultdict(list)
    for r in body.results:
        if r.outcome.is_conviction:
            convicted[by_id[r.charge_id].defendant_id].append(r.charge_id)
    people = {c.defendant_id: c.person_id for c in charges}
    court = await court_facts(db, hearing.court_unit_id) if convicted else {}
    for defendant_id, charge_ids in convicted.items():
        await emit(
            db,
            "court.defendant.convicted",
            f"defendant/{defendant_id}",
            person_ids={"person": people[defendant_id]},
            data={
                "hearingId": hearing.id,
                "caseId": hearing.case_id,
                "defendantId": defendant_id,
                "chargeIds": charge_ids,
                "outcomes": {str(r.charge_id): r.outcome.value for r in body.results if r.charge_id in charge_ids},
                "convictedOn": decided_on.isoformat(),
                "courtType": hearing.court_type,
                **court,
            },
            detail_url=f"/api/v1/courts/hearings/{hearing.id}",
        )
    await _finalise(db, hearing, {by_id[r.charge_id].defendant_id for r in body.results})
    await db.commit()


async def _finalise(db: AsyncSession, hearing: CourtHearing, defendant_ids: Iterable[int]) -> None:
    await _finalise_case(
        db,
        _CaseAtCourt(hearing.case_id, hearing.cps_area_unit_id, hearing.court_type, hearing.sitting_date, hearing.id),
        defendant_ids,
    )


@dataclass(frozen=True)
class _CaseAtCourt:
    """Where a case's outcome is counted: its CPS area and court type, and the hearing (if any)."""

    case_id: int
    cps_area_unit_id: int | None
    court_type: str
    sitting_date: date
    hearing_id: int | None


async def finalise_outside_court(db: AsyncSession, case_id: int, defendant_id: int, on: date) -> None:
    """For the prosecution context, in its transaction, after the CPS discontinued or withdrew a
    charge outside court: finalise the defendant if none of their charges is left (and conclude
    the case if they were the last). The outcome counts at the court where the case was last
    listed; a case never listed counts in the magistrates' court, where every case starts."""
    case = (await db.execute(select(cases_t.c.cps_area_unit_id).where(cases_t.c.id == case_id))).one()
    last = (
        await db.execute(
            select(hearings_t.c.id, hearings_t.c.court_type)
            .where(hearings_t.c.case_id == case_id, hearings_t.c.status != rules.HearingStatus.VACATED.value)
            .order_by(hearings_t.c.starts_at.desc(), hearings_t.c.id.desc())
            .limit(1)
        )
    ).one_or_none()
    court_type = last.court_type if last else rules.CourtType.MAGISTRATES.value
    where = _CaseAtCourt(case_id, case.cps_area_unit_id, court_type, on, last.id if last else None)
    await _finalise_case(db, where, [defendant_id])


async def _finalise_case(db: AsyncSession, at: _CaseAtCourt, defendant_ids: Iterable[int]) -> None:
    """Write the finalisation of each defendant whose every charge has now ended, and conclude the
    case when every defendant is finalised."""
    charges = await case_charges(db, at.case_id)
    by_defendant: dict[int, list[ChargeRow]] = defaultdict(list)
    for c in charges:
        by_defendant[c.defendant_id].append(c)
    already = set(
        (
            await db.execute(select(finalisations_t.c.defendant_id).where(finalisations_t.c.case_id == at.case_id))
        ).scalars()
    )
    newly: set[int] = set()
    for defendant_id in sorted(set(defendant_ids) - already):
        rows = by_defendant[defendant_id]
        if any(c.before_court for c in rows):
            continue
        outcomes = [
            rules.ChargeOutcome(c.outcome) if c.outcome else PROSECUTION_ENDED[c.status]
            for c in rows
            if c.outcome or c.status in PROSECUTION_ENDED
        ]
        if not outcomes:
            continue
        charged_on = min((c.charged_on for c in rows if c.charged_on), default=at.sitting_date)
        finalised_on = max(d for c in rows if (d := c.outcome_on or c.ended_on) is not None)
        db.add(
            CourtFinalisation(
                defendant_id=defendant_id,
                case_id=at.case_id,
                cps_area_unit_id=at.cps_area_unit_id,
                court_type=at.court_type,
                outcome=defendant_outcome(outcomes).value,
                charged_on=charged_on,
                finalised_on=finalised_on,
            )
        )
        already.add(defendant_id)
        newly.add(defendant_id)
    await db.flush()
    # Concluded exactly once: by the call that finalised the last defendant.
    if newly and set(by_defendant) <= already:
        area = await _concluded_area(db, at)
        for defendant_id, rows in by_defendant.items():
            await emit(
                db,
                "court.case.concluded",
                f"case/{at.case_id}",
                person_ids={"person": rows[0].person_id},
                data={"caseId": at.case_id, "defendantId": defendant_id, "hearingId": at.hearing_id, **area},
                detail_url=(
                    f"/api/v1/courts/hearings/{at.hearing_id}"
                    if at.hearing_id
                    else f"/api/v1/prosecution/cases/{at.case_id}"
                ),
            )


async def _concluded_area(db: AsyncSession, at: _CaseAtCourt) -> dict[str, Any]:
    """The court of the case's last hearing; the CPS area for a case that never reached court."""
    court_unit_id = (
        await db.scalar(select(hearings_t.c.court_unit_id).where(hearings_t.c.id == at.hearing_id))
        if at.hearing_id
        else None
    )
    if court_unit_id is not None:
        return await court_facts(db, court_unit_id)
    return await organisations.event_area_of(db, at.cps_area_unit_id)


async def record_remand(
    db: AsyncSession, actor: Actor, hearing_id: int, body: RemandIn, now: datetime | None = None
) -> None:
    moment = _now(now)
    hearing, charges = await _results_context(db, actor, hearing_id, moment, "court.remand.record")
    people = {c.defendant_id: c.person_id for c in charges}
    errors: list[FieldError] = []
    if body.defendant_id not in people:
        errors.append(FieldError("defendant_id", f"Defendant {body.defendant_id} is not a defendant in this case"))
    code = body.remand_code.strip().upper()
    decision: rules.RemandDecision | None = None
    if code not in await codes(db, "remand-status"):
        errors.append(FieldError("remand_code", f'"{body.remand_code}" is not a remand status in the standing data'))
    else:
        try:
            decision = rules.remand_decision_from_code(code, "remand_code")
        except ValidationFailed as exc:
            errors += exc.errors
    conditions = (body.conditions or "").strip() or None
    if decision is rules.RemandDecision.CONDITIONAL_BAIL and conditions is None:
        errors.append(FieldError("conditions", "Enter the bail conditions"))
    elif decision is not rules.RemandDecision.CONDITIONAL_BAIL and conditions is not None:
        errors.append(FieldError("conditions", "Only conditional bail has conditions"))
    if errors:
        raise ValidationFailed(errors)
    assert decision is not None
    taken = await db.scalar(
        select(remands_t.c.id).where(
            remands_t.c.hearing_id == hearing.id, remands_t.c.defendant_id == body.defendant_id
        )
    )
    if taken is not None:
        raise Conflict("A remand decision is already recorded for this defendant at this hearing.")
    db.add(
        CourtRemand(
            hearing_id=hearing.id,
            defendant_id=body.defendant_id,
            decision=decision.value,
            status_code=code,
            result_code=rules.REMAND_RESULT_CODES.get(decision),
            decided_on=hearing.sitting_date,
            conditions=conditions,
            created_by=actor.audit_label,
        )
    )
    await _mark_heard(db, hearing, moment)
    await _custody_period_after_remand(db, actor, hearing, body.defendant_id, decision)
    await record(
        db,
        actor,
        "court.remand.record",
        "court_hearing",
        hearing.id,
        detail={"defendant_id": body.defendant_id, "decision": decision.value},
    )
    event = _REMAND_EVENTS.get(decision)
    if event is not None:
        await emit(
            db,
            event,
            f"defendant/{body.defendant_id}",
            person_ids={"person": people[body.defendant_id]},
            data={
                "hearingId": hearing.id,
                "caseId": hearing.case_id,
                "defendantId": body.defendant_id,
                "decision": decision.value,
                "remandStatusCode": code,
                "decidedOn": hearing.sitting_date.isoformat(),
                "conditions": conditions,
                **await court_facts(db, hearing.court_unit_id),
            },
            detail_url=f"/api/v1/courts/hearings/{hearing.id}",
        )
    await db.commit()


async def _custody_period_after_remand(
    db: AsyncSession, actor: Actor, hearing: CourtHearing, defendant_id: int, decision: rules.RemandDecision
) -> None:
    """A custody remand opens a remand period (a further one continues it); bail or no remand
    closes the running one. The prosecution recomputes the custody time limits and their expiry
    tasks; an impossible period is refused there and nothing of this remand is kept."""
    running = (
        await db.execute(
            select(RemandPeriodRecord.remanded_on, RemandPeriodRecord.kind).where(
                RemandPeriodRecord.defendant_id == defendant_id, RemandPeriodRecord.released_on.is_(None)
            )
        )
    ).one_or_none()
    if decision.counts_for_custody_time_limit:
        if running is not None:
            return
        first_appearance = await db.scalar(
            select(func.min(hearings_t.c.sitting_date)).where(
                hearings_t.c.case_id == hearing.case_id, hearings_t.c.status != rules.HearingStatus.VACATED.value
            )
        )
        await prosecution_service.record_remand_period(
            db,
            actor,
            defendant_id,
            hearing.sitting_date,
            None,
            decision.value,
            first_appearance=first_appearance,
            commit=False,
        )
    elif running is not None:
        await prosecution_service.record_remand_period(
            db, actor, defendant_id, running.remanded_on, hearing.sitting_date, running.kind, commit=False
        )


_REMAND_EVENTS = {
    rules.RemandDecision.CUSTODY: "court.defendant.remanded_in_custody",
    rules.RemandDecision.YOUTH_DETENTION_ACCOMMODATION: "court.defendant.remanded_in_custody",
    rules.RemandDecision.LOCAL_AUTHORITY_ACCOMMODATION: "court.defendant.remanded_in_custody",
    rules.RemandDecision.CONDITIONAL_BAIL: "court.bail.granted",
    rules.RemandDecision.UNCONDITIONAL_BAIL: "court.bail.granted",
}


async def remand_periods(db: AsyncSession, defendant_id: int) -> tuple[rules.CustodyPeriod, ...]:
    """The defendant's periods remanded in custody by the court, for custody time limits
    (convert each to prosecution.rules.RemandPeriod(remanded_on, released_on))."""
    rows = await db.execute(
        select(remands_t.c.decided_on, remands_t.c.decision)
        .where(remands_t.c.defendant_id == defendant_id)
        .order_by(remands_t.c.decided_on, remands_t.c.id)
    )
    return rules.custody_periods((r.decided_on, rules.RemandDecision(r.decision)) for r in rows)


async def impose_sentence(
    db: AsyncSession, actor: Actor, hearing_id: int, body: SentenceIn, now: datetime | None = None
) -> int:
    """Sentence one defendant on their convicted charges. Validated by courts.rules: a charge
    without a conviction, or a shape outside the law on the sentence date, is refused."""
    moment = _now(now)
    hearing, charges = await _results_context(db, actor, hearing_id, moment, "court.sentence.impose")
    mine = [c for c in charges if c.defendant_id == body.defendant_id]
    if not mine:
        raise ValidationFailed(
            FieldError("defendant_id", f"Defendant {body.defendant_id} is not a defendant in this case")
        )
    convicted = [str(c.id) for c in mine if c.outcome and rules.ChargeOutcome(c.outcome).is_conviction]
    sentence = body.to_rules(hearing.sitting_date)
    rules.check_sentence(sentence, convicted)
    taken = await db.scalar(
        select(sentences_t.c.id).where(
            sentences_t.c.hearing_id == hearing.id, sentences_t.c.defendant_id == body.defendant_id
        )
    )
    if taken is not None:
        raise Conflict("A sentence is already recorded for this defendant at this hearing.")
    codes_used = rules.sentence_result_codes(sentence)
    sentenced = {c for d in sentence.disposals for c in d.charge_ids}
    disposals = [d.model_dump(mode="json") for d in body.disposals]
    for disposal, code in zip(disposals, (rules.disposal_result_code(d) for d in sentence.disposals), strict=True):
        disposal["result_code"] = code
    pack = rules.sentencing_limits_on(hearing.sitting_date).label
    row = CourtSentence(
        hearing_id=hearing.id,
        defendant_id=body.defendant_id,
        sentenced_on=hearing.sitting_date,
        disposals=disposals,
        result_codes=codes_used,
        rule_pack=pack,
        created_by=actor.audit_label,
    )
    db.add(row)
    await _mark_heard(db, hearing, moment)
    await db.flush()
    await record(db, actor, "court.sentence.impose", "court_sentence", row.id, detail={"hearing_id": hearing.id})
    await emit(
        db,
        "court.sentence.imposed",
        f"sentence/{row.id}",
        person_ids={"person": mine[0].person_id},
        data={
            "sentenceId": row.id,
            "hearingId": hearing.id,
            "caseId": hearing.case_id,
            "defendantId": body.defendant_id,
            "sentencedOn": hearing.sitting_date.isoformat(),
            "courtType": hearing.court_type,
            "disposals": disposals,
            "resultCodes": codes_used,
            "rulePack": pack,
            "charges": [_charge_facts(c) for c in mine if str(c.id) in sentenced],
            **await court_facts(db, hearing.court_unit_id),
        },
        detail_url=f"/api/v1/courts/hearings/{hearing.id}",
    )
    await db.commit()
    return row.id


# -- reading -----------------------------------------------------------------------------------------


async def get_hearing(db: AsyncSession, actor: Actor, hearing_id: int) -> HearingOut:
    h = (
        await db.execute(
            select(hearings_t, cases_t.c.urn, units_t.c.code.label("unit_code"), units_t.c.name.label("unit_name"))
            .join(cases_t, cases_t.c.id == hearings_t.c.case_id)
            .join(units_t, units_t.c.id == hearings_t.c.court_unit_id)
            .where(hearings_t.c.id == hearing_id)
        )
    ).one_or_none()
    if h is None:
        raise NotFound(f"There is no hearing with id {hearing_id}.")
    await _ensure(
        db, actor, "courts:read", hearing_resource(h.court_unit_id, h.cps_area_unit_id, h.id), "court.hearing.read"
    )
    charges = await case_charges(db, h.case_id)
    for person_id in sorted({c.person_id for c in charges}):
        await ensure_may_see(db, actor, person_id, "court.hearing.read")
    hearing_types = await codes(db, "type-of-hearing")
    pleas = dict(
        (await db.execute(select(pleas_t.c.charge_id, pleas_t.c.plea).where(pleas_t.c.hearing_id == h.id))).all()
    )
    outcomes = {
        r.charge_id: r
        for r in await db.execute(select(outcomes_t).where(outcomes_t.c.charge_id.in_([c.id for c in charges])))
    }
    remands = {r.defendant_id: r for r in await db.execute(select(remands_t).where(remands_t.c.hearing_id == h.id))}
    sentences = {
        r.defendant_id: r for r in await db.execute(select(sentences_t).where(sentences_t.c.hearing_id == h.id))
    }
    names = await person_names(db, {c.person_id for c in charges})
    relisted_to = await db.scalar(select(hearings_t.c.id).where(hearings_t.c.relisted_from_id == h.id))
    defendants: dict[int, DefendantOut] = {}
    for c in charges:
        d = defendants.setdefault(
            c.defendant_id,
            DefendantOut(
                defendant_id=c.defendant_id,
                person_id=c.person_id,
                name=names.get(c.person_id, "Name not known"),
                charges=[],
                remand=_remand_out(remands.get(c.defendant_id)),
                sentence=_sentence_out(sentences.get(c.defendant_id)),
            ),
        )
        o = outcomes.get(c.id)
        d.charges.append(
            ChargeOut(
                charge_id=c.id,
                offence_code=c.offence_code,
                wording=c.wording,
                status=c.status,
                before_court=c.before_court,
                plea=pleas.get(c.id),
                outcome=o.outcome if o else None,
                outcome_reason=o.reason if o else None,
                verdict_code=o.verdict_code if o else None,
                result_code=o.result_code if o else None,
            )
        )
    await record(db, actor, "court.hearing.read", "court_hearing", h.id)
    await db.commit()
    return HearingOut(
        id=h.id,
        case_id=h.case_id,
        urn=h.urn,
        court_unit_id=h.court_unit_id,
        court_unit_code=h.unit_code,
        court_name=h.unit_name,
        court_type=h.court_type,
        hearing_type_code=h.hearing_type_code,
        hearing_type_description=hearing_types.get(h.hearing_type_code, h.hearing_type_code),
        hearing_type=h.hearing_type,
        starts_at=h.starts_at,
        courtroom=h.courtroom,
        status=h.status,
        relisted_from_id=h.relisted_from_id,
        relisted_to_id=relisted_to,
        adjournment_reason=h.adjournment_reason,
        trial_effectiveness=h.trial_effectiveness,
        trial_reason=h.trial_reason,
        note=h.note,
        defendants=list(defendants.values()),
    )


async def person_names(db: AsyncSession, person_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = await db.execute(
        select(persons_t.c.id, persons_t.c.given_name, persons_t.c.family_name).where(persons_t.c.id.in_(ids))
    )
    return {r.id: f"{r.given_name} {r.family_name.upper()}".strip() for r in rows}


def _remand_out(row: Any) -> RemandOut | None:
    if row is None:
        return None
    return RemandOut(
        decision=row.decision,
        status_code=row.status_code,
        result_code=row.result_code,
        decided_on=row.decided_on,
        conditions=row.conditions,
    )


def _sentence_out(row: Any) -> SentenceOut | None:
    if row is None:
        return None
    return SentenceOut(
        id=row.id,
        sentenced_on=row.sentenced_on,
        disposals=row.disposals,
        result_codes=list(row.result_codes),
        rule_pack=row.rule_pack,
    )


def daily_list_query(court_unit_id: int, sitting_date: date) -> Any:
    """The court's list for a day (vacated listings left out), by courtroom and time, each with
    its defendants' names gathered in the same statement (no query per row)."""
    names = (
        select(
            func.array_agg(
                aggregate_order_by(
                    persons_t.c.given_name + " " + func.upper(persons_t.c.family_name), defendants_t.c.position
                )
            )
        )
        .select_from(defendants_t.join(persons_t, persons_t.c.id == defendants_t.c.person_id))
        .where(defendants_t.c.case_id == hearings_t.c.case_id)
        .scalar_subquery()
    )
    people = (
        select(func.array_agg(defendants_t.c.person_id))
        .where(defendants_t.c.case_id == hearings_t.c.case_id)
        .scalar_subquery()
    )
    return (
        select(
            hearings_t.c.id,
            hearings_t.c.case_id,
            cases_t.c.urn,
            hearings_t.c.starts_at,
            hearings_t.c.courtroom,
            hearings_t.c.hearing_type_code,
            hearings_t.c.status,
            names.label("defendants"),
            people.label("person_ids"),
        )
        .join(cases_t, cases_t.c.id == hearings_t.c.case_id)
        .where(
            and_(
                hearings_t.c.court_unit_id == court_unit_id,
                hearings_t.c.sitting_date == sitting_date,
                hearings_t.c.status != rules.HearingStatus.VACATED.value,
            )
        )
        .order_by(hearings_t.c.courtroom, hearings_t.c.starts_at, hearings_t.c.id)
    )


async def daily_list(
    db: AsyncSession,
    actor: Actor,
    court_unit_id: int,
    sitting_date: date,
    page: int = 1,
    page_size: int = DAILY_LIST_PAGE_SIZE,
) -> DailyListOut:
    unit = await court_unit_by_id(db, court_unit_id)
    await _ensure(db, actor, "courts:list", hearing_resource(unit.id, None), "court.daily_list.read")
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    query = daily_list_query(unit.id, sitting_date)
    total = await db.scalar(
        select(func.count()).where(
            hearings_t.c.court_unit_id == unit.id,
            hearings_t.c.sitting_date == sitting_date,
            hearings_t.c.status != rules.HearingStatus.VACATED.value,
        )
    )
    rows = (await db.execute(query.limit(page_size).offset((page - 1) * page_size))).all()
    hearing_types = await codes(db, "type-of-hearing")
    # Limited access (decision 0026): one query over the page's defendants; a listing with anyone
    # the reader may not see keeps its slot but not the URN or names.
    hidden = await _withheld(db, actor, [p for r in rows for p in (r.person_ids or [])], "court.daily_list")
    await record(
        db,
        actor,
        "court.daily_list.read",
        "court_unit",
        unit.id,
        detail={"date": sitting_date.isoformat(), "page": page},
    )
    await db.commit()
    return DailyListOut(
        court_unit_code=unit.code,
        court_name=unit.name,
        sitting_date=sitting_date,
        items=[
            DailyListItem(
                hearing_id=r.id,
                case_id=r.case_id,
                urn=r.urn,
                starts_at=r.starts_at,
                courtroom=r.courtroom,
                hearing_type_code=r.hearing_type_code,
                hearing_type_description=hearing_types.get(r.hearing_type_code, r.hearing_type_code),
                status=r.status,
                defendants=list(r.defendants or []),
            )
            if not hidden.intersection(r.person_ids or [])
            else DailyListItem(
                hearing_id=r.id,
                case_id=r.case_id,
                urn=None,
                starts_at=r.starts_at,
                courtroom=r.courtroom,
                hearing_type_code=r.hearing_type_code,
                hearing_type_description=hearing_types.get(r.hearing_type_code, r.hearing_type_code),
                status=r.status,
                defendants=[],
                restricted=True,
            )
            for r in rows
        ],
        page=page,
        page_size=page_size,
        total=total or 0,
    )


@dataclass(frozen=True)
class CaseHearing:
    id: int
    starts_at: datetime
    court_name: str
    courtroom: str
    hearing_type_code: str
    hearing_type: str
    status: str
    adjournment_reason: str | None
    trial_effectiveness: str | None


async def case_hearings(db: AsyncSession, case_id: int, limit: int = 50) -> list[CaseHearing]:
    """A case's hearings, latest first, for the prosecution's case page (the caller has checked
    access to the case; read-only)."""
    rows = await db.execute(
        select(
            hearings_t.c.id,
            hearings_t.c.starts_at,
            units_t.c.name.label("court_name"),
            hearings_t.c.courtroom,
            hearings_t.c.hearing_type_code,
            hearings_t.c.hearing_type,
            hearings_t.c.status,
            hearings_t.c.adjournment_reason,
            hearings_t.c.trial_effectiveness,
        )
        .join(units_t, units_t.c.id == hearings_t.c.court_unit_id)
        .where(hearings_t.c.case_id == case_id)
        .order_by(hearings_t.c.starts_at.desc(), hearings_t.c.id.desc())
        .limit(limit)
    )
    return [CaseHearing(**r._mapping) for r in rows]


def can_enter_results(actor: Actor, hearing: HearingOut) -> bool:
    return bool(can(actor, "courts:results", hearing_resource(hearing.court_unit_id, None)))
