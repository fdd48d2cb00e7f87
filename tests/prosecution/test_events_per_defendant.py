"""Events about a whole case reach every defendant: the envelope names one person, so a case-wide
event (file submitted, IDPC served, ...) is emitted once per defendant, each on their timeline."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.prosecution.prosecution_factory import THEFT, TODAY, case_file, world

from caselink.platform.events.models import OutboxEvent
from caselink.prosecution import service
from caselink.prosecution.models import Defendant
from caselink.prosecution.schemas import CaseFileIn, ServedIn

pytestmark = pytest.mark.usefixtures("reference_loaded")


def _suspect(given: str, family: str, dob: str) -> dict[str, Any]:
    return {
        "new_person": {"given_name": given, "family_name": family, "date_of_birth": dob},
        "custody_status": "conditional_bail",
        "offences": [{"offence_code": THEFT, "wording": "Stole a phone.", "offence_date_from": "2024-03-01"}],
    }


async def _events(db: AsyncSession, type_: str) -> list[OutboxEvent]:
    return list((await db.scalars(select(OutboxEvent).where(OutboxEvent.type == type_))).all())


async def test_case_wide_events_are_emitted_for_each_defendant(db: AsyncSession) -> None:
    w = await world(db)
    body = case_file(
        w,
        suspects=[
            _suspect("Quillon", "Zebedee-Marchbanks", "1990-04-02"),
            _suspect("Ysolde", "Farquharson", "1992-07-09"),
        ],
    )
    case_id = await service.submit_case_file(db, w.builder, CaseFileIn.model_validate(body), TODAY)
    defendants = (await db.execute(select(Defendant.id, Defendant.person_id).where(Defendant.case_id == case_id))).all()
    expected = {(str(person_id), d_id) for d_id, person_id in defendants}
    assert len(expected) == 2

    await service.record_idpc_served(db, w.paralegal, case_id, ServedIn(), TODAY)
    for type_ in ("prosecution.case_file.submitted", "prosecution.idpc.served"):
        events = await _events(db, type_)
        assert {(e.person_ids["person"], e.data["defendantId"]) for e in events} == expected, type_
        assert {e.data["caseId"] for e in events} == {case_id}
