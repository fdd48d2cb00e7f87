"""Assessments of risk and needs: versioned per person, complete before submission, a high risk
of serious harm countersigned by another senior officer (never the author), history kept."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.probation.case_factory import cardiff_person, practitioner, senior, unit_id

from caselink.assessments import service
from caselink.assessments.rules import NeedSection
from caselink.assessments.schemas import AssessmentIn
from caselink.platform.errors import Conflict, Forbidden, ValidationFailed

pytestmark = pytest.mark.usefixtures("reference_loaded")


def _full(rosh_public: str = "high", score: int = 60) -> AssessmentIn:
    return AssessmentIn(
        rosh_public=rosh_public,
        rosh_known_adult="medium",
        rosh_children="low",
        rosh_staff="low",
        rosh_prisoners="low",
        reoffending_score=score,
        needs={s: 2 for s in NeedSection},
    )


async def test_incomplete_draft_cannot_be_submitted(db: AsyncSession) -> None:
    author = await practitioner(db, await unit_id(db))
    person = await cardiff_person(db)
    draft = await service.start(db, author, person, AssessmentIn(rosh_public="low"))
    with pytest.raises(ValidationFailed) as incomplete:
        await service.submit(db, author, draft.id)
    fields = {e.field for e in incomplete.value.errors}
    assert {"rosh_children", "reoffending_score", "needs.accommodation"} <= fields
    assert (await service.get(db, author, draft.id)).status == "draft"


async def test_high_rosh_needs_a_countersignature_that_the_author_cannot_give(db: AsyncSession) -> None:
    unit = await unit_id(db)
    author = await senior(db, unit, "Ann Author")
    other = await senior(db, unit, "Olu Other")
    person = await cardiff_person(db)
    draft = await service.start(db, author, person, _full())
    submitted = await service.submit(db, author, draft.id)
    assert (submitted.status, submitted.countersignature_required) == ("submitted", True)

    with pytest.raises(ValidationFailed) as own:
        await service.countersign(db, author, draft.id)
    assert "another senior officer" in own.value.errors[0].message
    assert (await service.get(db, author, draft.id)).status == "submitted"

    done = await service.countersign(db, other, draft.id)
    assert (done.status, done.countersigned_by_staff_id) == ("completed", other.id)
    assert [h.action for h in done.history] == ["created", "submitted", "countersigned", "completed"]
    with pytest.raises(Conflict):
        await service.countersign(db, other, draft.id)


async def test_practitioner_cannot_countersign_and_only_the_author_edits(db: AsyncSession) -> None:
    unit = await unit_id(db)
    author = await practitioner(db, unit, "Ann Author")
    colleague = await practitioner(db, unit, "Col League")
    person = await cardiff_person(db)
    draft = await service.start(db, author, person, _full())
    with pytest.raises(Forbidden):
        await service.update_draft(db, colleague, draft.id, _full(score=10))
    await service.submit(db, author, draft.id)
    with pytest.raises(Forbidden):
        await service.countersign(db, colleague, draft.id)


async def test_returned_assessment_goes_back_to_draft_and_versions_number_per_person(db: AsyncSession) -> None:
    unit = await unit_id(db)
    author = await practitioner(db, unit)
    spo = await senior(db, unit)
    person = await cardiff_person(db)
    first = await service.start(db, author, person, _full())
    await service.submit(db, author, first.id)
    returned = await service.return_to_author(db, spo, first.id, "Explain the risk to a known adult")
    assert returned.status == "draft"
    assert returned.history[-1].note == "Explain the risk to a known adult"
    second = await service.start(db, author, person, _full(rosh_public="low"))
    assert (first.sequence, second.sequence) == (1, 2)
    listed = await service.list_for_person(db, author, person)
    assert [a.sequence for a in listed] == [2, 1]
