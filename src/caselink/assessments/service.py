"""Assessment use cases: start a draft, change it, submit it, countersign or return it, read a
person's assessments with their history. Completing one emits ``assessments.assessment.completed``;
probation recalculates the tier from it (probation/handlers.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.assessments import rules
from caselink.assessments.models import Assessment, AssessmentHistory
from caselink.assessments.rules import AssessmentStatus
from caselink.assessments.schemas import AssessmentIn, AssessmentOut, HistoryOut
from caselink.organisations.service import event_area_of
from caselink.people.limited_access import ensure_may_see
from caselink.people.models import Person
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.access.policy import check
from caselink.platform.audit.service import record
from caselink.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from caselink.platform.events.service import emit

CONTENT_FIELDS = (*rules.ROSH_AREAS, "reoffending_score", "needs", "summary")


def _now() -> datetime:
    return datetime.now(UTC)


def _content(a: Assessment) -> dict[str, Any]:
    return {name: getattr(a, name) for name in CONTENT_FIELDS}


def _history(a: Assessment, action: str, actor: Actor, note: str | None = None) -> AssessmentHistory:
    return AssessmentHistory(
        assessment_id=a.id,
        action=action,
        actor=actor.audit_label,
        actor_staff_id=actor.id if actor.kind is ActorKind.STAFF else None,
        note=note,
        snapshot={**_content(a), "status": a.status},
    )


def _staff_id(actor: Actor) -> int:
    if actor.kind is not ActorKind.STAFF or actor.id is None:
        raise Forbidden("Only a member of staff can write an assessment.")
    return actor.id


async def _locked(db: AsyncSession, assessment_id: int) -> Assessment:
    a = await db.scalar(select(Assessment).where(Assessment.id == assessment_id).with_for_update())
    if a is None:
        raise NotFound(f"There is no assessment with id {assessment_id}.")
    return a


async def start(db: AsyncSession, actor: Actor, person_id: int, body: AssessmentIn) -> AssessmentOut:
    check(actor, "assessments:write")
    author = _staff_id(actor)
    if await db.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise NotFound(f"There is no person with id {person_id}.")
    await ensure_may_see(db, actor, person_id, "assessment.start")
    content = body.content()
    errors = rules.draft_errors(content)
    if errors:
        raise ValidationFailed(errors)
    # Serialise numbering per person: two drafts started at once must not take the same sequence.
    await db.execute(select(Person.id).where(Person.id == person_id).with_for_update())
    sequence = (
        await db.scalar(select(func.max(Assessment.sequence)).where(Assessment.person_id == person_id)) or 0
    ) + 1
    a = Assessment(
        person_id=person_id,
        sequence=sequence,
        status=AssessmentStatus.DRAFT.value,
        author_staff_id=author,
        author_unit_id=actor.unit_id,
        countersignature_required=rules.countersignature_required(content),
        **content,
    )
    db.add(a)
    await db.flush()
    db.add(_history(a, "created", actor))
    await record(db, actor, "assessment.create", "assessment", a.id, detail={"person_id": person_id})
    out = await _out(db, a)
    await db.commit()
    return out


async def update_draft(db: AsyncSession, actor: Actor, assessment_id: int, body: AssessmentIn) -> AssessmentOut:
    check(actor, "assessments:write")
    a = await _locked(db, assessment_id)
    await ensure_may_see(db, actor, a.person_id, "assessment.update")
    if a.status != AssessmentStatus.DRAFT:
        raise Conflict("Only a draft can be changed: this assessment has been submitted.")
    if a.author_staff_id != actor.id:
        raise Forbidden("Only the author can change a draft assessment.")
    content = body.content()
    errors = rules.draft_errors(content)
    if errors:
        raise ValidationFailed(errors)
    for name, value in content.items():
        setattr(a, name, value)
    a.countersignature_required = rules.countersignature_required(content)
    a.updated_at = _now()
    db.add(_history(a, "updated", actor))
    await record(db, actor, "assessment.update", "assessment", a.id)
    out = await _out(db, a)
    await db.commit()
    return out


async def submit(db: AsyncSession, actor: Actor, assessment_id: int) -> AssessmentOut:
    """The author submits a complete draft: it completes at once, or waits for a countersignature
    when the risk of serious harm is high or very high."""
    check(actor, "assessments:write")
    a = await _locked(db, assessment_id)
    await ensure_may_see(db, actor, a.person_id, "assessment.submit")
    if a.status != AssessmentStatus.DRAFT:
        raise Conflict(f"This assessment is {a.status}: only a draft can be submitted.")
    if a.author_staff_id != actor.id:
        raise Forbidden("Only the author can submit their assessment.")
    errors = rules.submission_errors(_content(a))
    if errors:
        raise ValidationFailed(errors, "The assessment is not complete.")
    moment = _now()
    a.status, a.submitted_at, a.updated_at = AssessmentStatus.SUBMITTED.value, moment, moment
    a.countersignature_required = rules.countersignature_required(_content(a))
    db.add(_history(a, "submitted", actor))
    await record(db, actor, "assessment.submit", "assessment", a.id)
    if not a.countersignature_required:
        await _complete(db, actor, a, moment)
    out = await _out(db, a)
    await db.commit()
    return out


async def countersign(db: AsyncSession, actor: Actor, assessment_id: int) -> AssessmentOut:
    check(actor, "probation:countersign")
    a = await _locked(db, assessment_id)
    await ensure_may_see(db, actor, a.person_id, "assessment.countersign")
    if a.status != AssessmentStatus.SUBMITTED:
        raise Conflict(f"This assessment is {a.status}: only a submitted assessment can be countersigned.")
    if a.author_staff_id == actor.id:
        await record(db, actor, "assessment.countersign", "assessment", a.id, outcome="refused")
        await db.commit()
        raise ValidationFailed(
            FieldError("countersigned_by", "You wrote this assessment: another senior officer must countersign it.")
        )
    moment = _now()
    a.status, a.countersigned_by_staff_id, a.countersigned_at = AssessmentStatus.COUNTERSIGNED.value, actor.id, moment
    db.add(_history(a, "countersigned", actor))
    await record(db, actor, "assessment.countersign", "assessment", a.id)
    await _complete(db, actor, a, moment)
    out = await _out(db, a)
    await db.commit()
    return out


async def return_to_author(db: AsyncSession, actor: Actor, assessment_id: int, note: str) -> AssessmentOut:
    check(actor, "probation:countersign")
    a = await _locked(db, assessment_id)
    await ensure_may_see(db, actor, a.person_id, "assessment.return")
    if a.status != AssessmentStatus.SUBMITTED:
        raise Conflict(f"This assessment is {a.status}: only a submitted assessment can be returned.")
    if not note.strip():
        raise ValidationFailed(FieldError("note", "Say what the author should change"))
    a.status, a.submitted_at, a.updated_at = AssessmentStatus.DRAFT.value, None, _now()
    db.add(_history(a, "returned", actor, note.strip()))
    await record(db, actor, "assessment.return", "assessment", a.id)
    out = await _out(db, a)
    await db.commit()
    return out


async def _complete(db: AsyncSession, actor: Actor, a: Assessment, moment: datetime) -> None:
    a.status, a.completed_at, a.updated_at = AssessmentStatus.COMPLETED.value, moment, moment
    await db.flush()
    db.add(_history(a, "completed", actor))
    levels = {area: getattr(a, area) for area in rules.ROSH_AREAS}
    await emit(
        db,
        "assessments.assessment.completed",
        f"assessment/{a.id}",
        person_ids={"person": a.person_id},
        data={
            "assessmentId": a.id,
            "sequence": a.sequence,
            "rosh": levels,
            "reoffendingScore": a.reoffending_score,
            "countersigned": a.countersigned_by_staff_id is not None,
            **await event_area_of(db, a.author_unit_id),
        },
        detail_url=f"/api/v1/assessments/{a.id}",
        time=moment,
    )


# -- reading ---------------------------------------------------------------------------------------


async def _out(db: AsyncSession, a: Assessment, with_history: bool = True) -> AssessmentOut:
    await db.flush()
    history: list[HistoryOut] = []
    if with_history:
        rows = await db.execute(
            select(AssessmentHistory.action, AssessmentHistory.actor, AssessmentHistory.note, AssessmentHistory.at)
            .where(AssessmentHistory.assessment_id == a.id)
            .order_by(AssessmentHistory.id)
        )
        history = [HistoryOut(action=r.action, actor=r.actor, note=r.note, at=r.at) for r in rows]
    return AssessmentOut(
        id=a.id,
        person_id=a.person_id,
        sequence=a.sequence,
        status=a.status,
        author_staff_id=a.author_staff_id,
        rosh_public=a.rosh_public,
        rosh_known_adult=a.rosh_known_adult,
        rosh_children=a.rosh_children,
        rosh_staff=a.rosh_staff,
        rosh_prisoners=a.rosh_prisoners,
        reoffending_score=a.reoffending_score,
        needs=dict(a.needs or {}),
        summary=a.summary,
        countersignature_required=a.countersignature_required,
        countersigned_by_staff_id=a.countersigned_by_staff_id,
        submitted_at=a.submitted_at,
        countersigned_at=a.countersigned_at,
        completed_at=a.completed_at,
        created_at=a.created_at or _now(),
        history=history,
    )


async def get(db: AsyncSession, actor: Actor, assessment_id: int) -> AssessmentOut:
    check(actor, "assessments:read")
    a = await db.get(Assessment, assessment_id)
    if a is None:
        raise NotFound(f"There is no assessment with id {assessment_id}.")
    await ensure_may_see(db, actor, a.person_id, "assessment.read")
    await record(db, actor, "assessment.read", "assessment", a.id)
    out = await _out(db, a)
    await db.commit()
    return out


async def list_for_person(db: AsyncSession, actor: Actor, person_id: int) -> list[AssessmentOut]:
    """Newest first; the person's assessments are shared by prison and probation."""
    check(actor, "assessments:read")
    await ensure_may_see(db, actor, person_id, "assessment.list")
    rows = (
        await db.scalars(
            select(Assessment).where(Assessment.person_id == person_id).order_by(Assessment.sequence.desc())
        )
    ).all()
    await record(db, actor, "assessment.list", "person", person_id)
    out = [await _out(db, a, with_history=False) for a in rows]
    await db.commit()
    return out


async def latest_completed(db: AsyncSession, person_id: int) -> Assessment | None:
    """For tiering (no access check: the caller is a service acting for the system)."""
    return await db.scalar(
        select(Assessment)
        .where(Assessment.person_id == person_id, Assessment.status == AssessmentStatus.COMPLETED.value)
        .order_by(Assessment.completed_at.desc(), Assessment.id.desc())
        .limit(1)
    )


async def awaiting_countersignature(db: AsyncSession, actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    """The senior officer's queue: assessments written in their unit waiting for a
    countersignature, oldest first (one query, on the partial index of the queue)."""
    check(actor, "probation:countersign")
    if actor.unit_id is None:
        raise Forbidden("You need to belong to a delivery unit to see its countersigning queue.")
    persons = Person.__table__
    rows = await db.execute(
        select(
            Assessment.id,
            Assessment.person_id,
            Assessment.sequence,
            Assessment.author_staff_id,
            Assessment.submitted_at,
            (persons.c.given_name + " " + persons.c.family_name).label("person_name"),
        )
        .join(persons, persons.c.id == Assessment.person_id)
        .where(
            Assessment.status == AssessmentStatus.SUBMITTED.value,
            Assessment.countersignature_required.is_(True),
            Assessment.author_unit_id == actor.unit_id,
        )
        .order_by(Assessment.submitted_at)
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]
