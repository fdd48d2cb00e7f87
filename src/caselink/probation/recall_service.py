"""Recall of a person on licence: the practitioner's recommendation (standard or fixed-term, with
reasons), a senior officer's countersignature or rejection, the decision, and the revocation sent
to custody.

On a decision to recall, ``probation.recall.decided`` is emitted and custody is told to expect the
person back: this calls custody's own ``create_expected_arrival`` service (reason ``manual``,
keyed on the event id, in the same transaction), so the expected arrival exists exactly when the
decision does. The prison is the one given, else the one that last released the person.
Nobody countersigns or decides on a recommendation they wrote.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.service import event_area_of
from caselink.people.models import Person
from caselink.platform.access.actor import SYSTEM, Actor, ActorKind
from caselink.platform.access.policy import ensure
from caselink.platform.access.rules import Resource
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from caselink.platform.events.service import emit
from caselink.platform.tasks.service import complete_tasks_for, create_task
from caselink.probation import supervision_rules as rules
from caselink.probation.supervision_models import EnforcementAction, Recall
from caselink.probation.supervision_schemas import CountersignIn, DecisionIn, RecallIn, RecallOut, RejectIn
from caselink.probation.supervision_service import (
    SUPERVISE,
    case_resource,
    ensure_on_case,
    load_case,
    person_name,
    recall_out,
)

COUNTERSIGN = "probation:countersign"
recalls_t = Recall.__table__


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


async def recommend(
    db: AsyncSession, actor: Actor, case_id: int, body: RecallIn, now: dt.datetime | None = None
) -> int:
    """The practitioner recommends recall. Refused for anyone not on licence."""
    case = await load_case(db, case_id, lock=True)
    await ensure_on_case(db, actor, SUPERVISE, case, "probation.recall.recommend")
    if case.kind != "licence":
        raise ValidationFailed(
            FieldError(
                "case_id", "Only a person on licence can be recalled; this case is a community or suspended order"
            )
        )
    if case.status == "terminated" or (case.end_date is not None and case.end_date < _now(now).date()):
        raise ValidationFailed(FieldError("case_id", "This licence has ended: the person is no longer on licence"))
    open_recall = await db.scalar(
        select(recalls_t.c.id).where(
            recalls_t.c.case_id == case.id,
            recalls_t.c.status.in_([s.value for s in rules.OPEN_RECALL_STATUSES]),
        )
    )
    if open_recall is not None:
        raise Conflict(f"A recall is already in progress for this licence (recall {open_recall}).")
    recall = Recall(
        case_id=case.id,
        person_id=case.person_id,
        recall_type=body.recall_type.value,
        reasons=body.reasons,
        status=rules.RecallStatus.AWAITING_COUNTERSIGNATURE.value,
        unit_id=case.delivery_unit_id,
        recommended_by_staff_id=actor.id if actor.kind is ActorKind.STAFF else None,
        recommended_by=actor.display_name or actor.name,
        recommended_at=_now(now),
    )
    db.add(recall)
    await db.flush()
    name = await person_name(db, case.person_id)
    await create_task(
        db,
        actor,
        type="probation.recall.countersign",
        title=f"Countersign recall recommendation: {name}",
        subject_type="person",
        subject_id=case.person_id,
        owner_type="unit",
        owner_id=case.delivery_unit_id,
        due_date=_now(now).date(),  # recall is urgent: the same day
        priority=1,
        dedupe_key=f"probation.recall.countersign:{recall.id}",
        details={"recallId": recall.id, "caseId": case.id},
        commit=False,
    )
    # Recommending recall answers the case's open "consider recall" tasks.
    reviews = await db.scalars(
        select(EnforcementAction.id).where(
            EnforcementAction.case_id == case.id,
            EnforcementAction.kind == rules.EnforcementKind.RECALL_REVIEW.value,
            EnforcementAction.status == "open",
        )
    )
    for action_id in reviews.all():
        await complete_tasks_for(
            db,
            actor,
            dedupe_key=f"probation.enforcement:{action_id}",
            outcome=f"Recall recommended ({body.recall_type.value.replace('_', ' ')}), recall {recall.id}.",
        )
    await record(
        db,
        actor,
        "probation.recall.recommend",
        "probation_recall",
        recall.id,
        detail={"case_id": case.id, "type": body.recall_type.value},
    )
    await db.commit()
    return int(recall.id)


async def _load_for_senior(db: AsyncSession, actor: Actor, recall_id: int, audit_action: str) -> Recall:
    recall = await db.get(Recall, recall_id, with_for_update=True)
    if recall is None:
        raise NotFound(f"There is no recall with id {recall_id}.")
    case = await load_case(db, recall.case_id)
    await ensure_on_case(db, actor, COUNTERSIGN, case, audit_action)
    if actor.kind is ActorKind.STAFF and actor.id is not None and actor.id == recall.recommended_by_staff_id:
        await db.rollback()
        await record(db, actor, audit_action, "probation_recall", recall_id, outcome="refused")
        await db.commit()
        raise Forbidden("You wrote this recommendation: another senior officer must countersign or decide it.")
    return recall


async def countersign(
    db: AsyncSession, actor: Actor, recall_id: int, body: CountersignIn, now: dt.datetime | None = None
) -> None:
    recall = await _load_for_senior(db, actor, recall_id, "probation.recall.countersign")
    if recall.status != rules.RecallStatus.AWAITING_COUNTERSIGNATURE.value:
        raise Conflict(f"This recall is {rules.RecallStatus(recall.status).label.lower()}: it cannot be countersigned.")
    recall.status = rules.RecallStatus.COUNTERSIGNED.value
    recall.countersigned_by_staff_id = actor.id
    recall.countersigned_by = actor.display_name or actor.name
    recall.countersigned_at = _now(now)
    recall.countersign_notes = body.notes or None
    await complete_tasks_for(
        db,
        actor,
        dedupe_key=f"probation.recall.countersign:{recall.id}",
        outcome="Recall recommendation countersigned.",
    )
    await record(db, actor, "probation.recall.countersign", "probation_recall", recall.id)
    await db.commit()


async def reject(
    db: AsyncSession, actor: Actor, recall_id: int, body: RejectIn, now: dt.datetime | None = None
) -> None:
    recall = await _load_for_senior(db, actor, recall_id, "probation.recall.reject")
    if recall.status != rules.RecallStatus.AWAITING_COUNTERSIGNATURE.value:
        raise Conflict(f"This recall is {rules.RecallStatus(recall.status).label.lower()}: it cannot be rejected.")
    recall.status = rules.RecallStatus.REJECTED.value
    recall.countersigned_by_staff_id = actor.id
    recall.countersigned_by = actor.display_name or actor.name
    recall.countersigned_at = _now(now)
    recall.countersign_notes = body.reason
    await complete_tasks_for(
        db,
        actor,
        dedupe_key=f"probation.recall.countersign:{recall.id}",
        outcome="Recall recommendation rejected.",
    )
    await record(db, actor, "probation.recall.reject", "probation_recall", recall.id, detail={"reason": body.reason})
    await db.commit()


async def _releasing_prison(db: AsyncSession, person_id: int) -> str | None:
    """The prison that last released the person, from custody's own service."""
    from caselink.custody import service as custody

    bookings = await custody.person_bookings(db, SYSTEM, person_id)
    released = [b for b in bookings if b.released_at is not None]
    released.sort(key=lambda b: b.released_at or dt.datetime.min.replace(tzinfo=dt.UTC))
    return released[-1].prison_code if released else None


async def decide(
    db: AsyncSession, actor: Actor, recall_id: int, body: DecisionIn, now: dt.datetime | None = None
) -> RecallOut:
    """Record the decision. To recall: the licence is revoked, the revocation goes to custody (the
    event and an expected arrival back in prison). Nothing is kept if the prison is unknown."""
    from caselink.custody import service as custody
    from caselink.custody.rules import ArrivalReason
    from caselink.custody.schemas import ExpectedArrivalIn

    moment = _now(now)
    person_id = await db.scalar(select(recalls_t.c.person_id).where(recalls_t.c.id == recall_id))
    if person_id is None:
        raise NotFound(f"There is no recall with id {recall_id}.")
    # Looked up before anything is locked or changed: custody's read commits its own audit entry.
    prison_code = (body.prison_code or "").strip().upper()
    if body.recall and not prison_code:
        prison_code = await _releasing_prison(db, int(person_id)) or ""
    recall = await _load_for_senior(db, actor, recall_id, "probation.recall.decide")
    if recall.status != rules.RecallStatus.COUNTERSIGNED.value:
        raise Conflict("A recall is decided only after a senior officer has countersigned the recommendation.")
    recall.decided_by = actor.display_name or actor.name
    recall.decided_at = moment
    recall.decision_notes = body.notes or None
    if not body.recall:
        recall.status = rules.RecallStatus.NOT_RECALLED.value
        await record(db, actor, "probation.recall.decide", "probation_recall", recall.id, detail={"recall": False})
        await db.commit()
        return recall_out(recall, await person_name(db, recall.person_id))

    if not prison_code:
        raise ValidationFailed(
            FieldError("prison_code", "Enter the prison to return the person to: custody has no record of a release")
        )
    recall.status = rules.RecallStatus.RECALLED.value
    recall.prison_code = prison_code
    emitted = await emit(
        db,
        "probation.recall.decided",
        f"probation-recall/{recall.id}",
        person_ids={"person": recall.person_id},
        data={
            "recallId": recall.id,
            "caseId": recall.case_id,
            "recallType": recall.recall_type,
            "decidedOn": moment.date().isoformat(),
            "prisonCode": prison_code,
            **await event_area_of(db, recall.unit_id),
        },
        detail_url=f"/api/v1/probation/recalls/{recall.id}",
        time=moment,
    )
    recall.event_id = emitted.id
    try:
        arrival_id = await custody.create_expected_arrival(
            db,
            SYSTEM,
            ExpectedArrivalIn(
                person_id=recall.person_id,
                prison_code=prison_code,
                expected_on=moment.date(),
                reason=ArrivalReason.MANUAL,
                from_court=None,
            ),
            source_event_id=emitted.id,
            commit=False,
        )
    except ValidationFailed as exc:
        await db.rollback()
        raise ValidationFailed([FieldError("prison_code", e.message) for e in exc.errors]) from exc
    recall.expected_arrival_id = arrival_id
    await record(
        db,
        actor,
        "probation.recall.decide",
        "probation_recall",
        recall.id,
        detail={"recall": True, "prison": prison_code, "expected_arrival_id": arrival_id},
    )
    await db.commit()
    return recall_out(recall, await person_name(db, recall.person_id))


async def get_recall(db: AsyncSession, actor: Actor, recall_id: int) -> RecallOut:
    row = (await db.execute(select(recalls_t).where(recalls_t.c.id == recall_id))).one_or_none()
    if row is None:
        raise NotFound(f"There is no recall with id {recall_id}.")
    case = await load_case(db, row.case_id)
    await ensure_on_case(db, actor, "probation:read", case, "probation.recall.read")
    await record(db, actor, "probation.recall.read", "probation_recall", recall_id)
    await db.commit()
    return recall_out(row, await person_name(db, row.person_id))


async def countersigning_queue(db: AsyncSession, actor: Actor, limit: int = 100) -> list[RecallOut]:
    """Recalls of the senior officer's unit waiting for a countersignature or a decision."""
    if actor.unit_id is None:
        raise Forbidden("You need to belong to a delivery unit to see its countersigning queue.")

    ensure(
        actor,
        COUNTERSIGN,
        Resource(kind="probation_unit", owning_agency="probation", unit_ids=frozenset({actor.unit_id})),
    )

    persons_t = Person.__table__
    rows = (
        await db.execute(
            select(recalls_t, (persons_t.c.given_name + " " + persons_t.c.family_name).label("person_name"))
            .select_from(recalls_t.join(persons_t, persons_t.c.id == recalls_t.c.person_id))
            .where(
                recalls_t.c.unit_id == actor.unit_id,
                recalls_t.c.status.in_([s.value for s in rules.OPEN_RECALL_STATUSES]),
            )
            .order_by(recalls_t.c.recommended_at)
            .limit(limit)
        )
    ).all()
    return [recall_out(r, r.person_name) for r in rows]


__all__ = ["case_resource", "countersign", "countersigning_queue", "decide", "get_recall", "recommend", "reject"]
