"""Recall: recommendation, countersignature or rejection (never by the author), decision, and the
revocation sent to custody (event and expected arrival)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.probation.supervision_factory import NOW, add_case, staff_actor, unit

from caselink.custody.models import ExpectedArrival
from caselink.platform.errors import Conflict, Forbidden, ValidationFailed
from caselink.platform.events.models import OutboxEvent
from caselink.probation import recall_service
from caselink.probation.supervision_models import Recall
from caselink.probation.supervision_rules import RecallType
from caselink.probation.supervision_schemas import CountersignIn, DecisionIn, RecallIn, RejectIn

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _people(db: AsyncSession):  # type: ignore[no-untyped-def]
    pdu = await unit(db)
    practitioner = await staff_actor(db, "pat.practitioner", "probation_practitioner", pdu)
    senior = await staff_actor(db, "sue.senior", "senior_probation_officer", pdu)
    return pdu, practitioner, senior


RECOMMENDATION = RecallIn(recall_type=RecallType.STANDARD, reasons="Whereabouts unknown; risk to partner increased")


async def test_countersigned_recall_revokes_the_licence_and_custody_expects_the_person(db: AsyncSession) -> None:
    pdu, practitioner, senior = await _people(db)
    case = await add_case(db, pdu, practitioner, kind="licence", sentence={})
    recall_id = await recall_service.recommend(db, practitioner, case.id, RECOMMENDATION, NOW)
    await recall_service.countersign(db, senior, recall_id, CountersignIn(notes="Agreed"), NOW)
    out = await recall_service.decide(db, senior, recall_id, DecisionIn(recall=True, prison_code="PVI"), NOW)
    assert out.status == "recalled" and out.prison_code == "PVI" and out.expected_arrival_id is not None

    arrival = await db.get(ExpectedArrival, out.expected_arrival_id)
    assert arrival is not None and arrival.person_id == case.person_id and arrival.status == "expected"
    [event] = (
        await db.scalars(select(OutboxEvent).where(OutboxEvent.subject == f"probation-recall/{recall_id}"))
    ).all()
    assert event.type == "probation.recall.decided"
    assert event.data["recallType"] == "standard" and event.data["prisonCode"] == "PVI"
    assert arrival.source_event_id == event.id


async def test_the_author_cannot_countersign_their_own_recommendation(db: AsyncSession) -> None:
    pdu, _, senior = await _people(db)
    # A senior officer holding a case of their own recommends recall: another one must countersign.
    case = await add_case(db, pdu, senior, kind="licence", sentence={})
    recall_id = await recall_service.recommend(db, senior, case.id, RECOMMENDATION, NOW)
    with pytest.raises(Forbidden, match="You wrote this recommendation"):
        await recall_service.countersign(db, senior, recall_id, CountersignIn(), NOW)
    recall = await db.get(Recall, recall_id)
    assert recall is not None
    await db.refresh(recall)
    assert recall.status == "awaiting_countersignature" and recall.countersigned_by is None


async def test_a_rejected_recommendation_is_closed_and_cannot_be_decided(db: AsyncSession) -> None:
    pdu, practitioner, senior = await _people(db)
    case = await add_case(db, pdu, practitioner, kind="licence", sentence={})
    recall_id = await recall_service.recommend(db, practitioner, case.id, RECOMMENDATION, NOW)
    await recall_service.reject(db, senior, recall_id, RejectIn(reason="Manage in the community: curfew added"), NOW)
    with pytest.raises(Conflict, match="countersigned"):
        await recall_service.decide(db, senior, recall_id, DecisionIn(recall=True, prison_code="PVI"), NOW)
    recall = await db.get(Recall, recall_id)
    assert recall is not None and recall.status == "rejected"
    # A new recommendation can follow once the last one is closed.
    assert await recall_service.recommend(db, practitioner, case.id, RECOMMENDATION, NOW) != recall_id


async def test_someone_not_on_licence_cannot_be_recalled(db: AsyncSession) -> None:
    pdu, practitioner, _ = await _people(db)
    case = await add_case(db, pdu, practitioner, kind="community_order")
    with pytest.raises(ValidationFailed, match="Only a person on licence"):
        await recall_service.recommend(db, practitioner, case.id, RECOMMENDATION, NOW)
    assert (await db.scalars(select(Recall.id).where(Recall.case_id == case.id))).all() == []


async def test_a_practitioner_cannot_countersign(db: AsyncSession) -> None:
    pdu, practitioner, _ = await _people(db)
    case = await add_case(db, pdu, practitioner, kind="licence", sentence={})
    recall_id = await recall_service.recommend(db, practitioner, case.id, RECOMMENDATION, NOW)
    with pytest.raises(Forbidden):
        await recall_service.countersign(db, practitioner, recall_id, CountersignIn(), NOW)


async def test_an_unknown_prison_keeps_nothing(db: AsyncSession) -> None:
    pdu, practitioner, senior = await _people(db)
    case = await add_case(db, pdu, practitioner, kind="licence", sentence={})
    recall_id = await recall_service.recommend(db, practitioner, case.id, RECOMMENDATION, NOW)
    await recall_service.countersign(db, senior, recall_id, CountersignIn(), NOW)
    with pytest.raises(ValidationFailed) as exc:
        await recall_service.decide(db, senior, recall_id, DecisionIn(recall=True, prison_code="ZZZ"), NOW)
    assert exc.value.errors[0].field == "prison_code"
    recall = await db.get(Recall, recall_id)
    assert recall is not None
    await db.refresh(recall)
    assert recall.status == "countersigned" and recall.event_id is None
    events = (await db.scalars(select(OutboxEvent).where(OutboxEvent.subject == f"probation-recall/{recall_id}"))).all()
    assert events == []
