"""Probation pages: the senior officer's queue, allocation (an excluded practitioner shown and
refused with a GOV.UK error), the team view, the practitioner's caseload and the person's tab."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.probation.case_factory import cardiff_person, community_order, practitioner, senior, unit_id

from caselink.people.limited_access import LimitInput, add_limit
from caselink.probation import service

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def test_allocate_in_the_browser_and_see_caseload(app: FastAPI, db: AsyncSession) -> None:
    unit = await unit_id(db)
    boss = await senior(db, unit)
    excluded = await practitioner(db, unit, "Ex Cluded")
    chosen = await practitioner(db, unit, "Cho Sen")
    person = await cardiff_person(db, "Gwen", "Jones")
    case_id = await service.case_from_sentence_event(db, community_order(person))
    assert excluded.id is not None
    await add_limit(db, boss, person, LimitInput("exclusion", [excluded.id], "Conflict of interest"))

    async with client_as(app, boss) as web:
        queue = await web.get("/probation/unallocated")
        assert queue.status_code == 200 and "Gwen Jones" in queue.text
        page = await web.get(f"/probation/cases/{case_id}")
        assert "Ex Cluded (excluded from this person)" in page.text and "0 open cases" in page.text
        refused = await web.post(f"/probation/cases/{case_id}/allocation", data={"staff_id": str(excluded.id)})
        assert refused.status_code == 400 and "govuk-error-summary" in refused.text
        assert "cannot supervise them" in refused.text
        done = await web.post(f"/probation/cases/{case_id}/allocation", data={"staff_id": str(chosen.id)})
        assert done.status_code == 303
        team = await web.get("/probation/team")
        assert "Cho Sen" in team.text

    async with client_as(app, chosen) as web:
        caseload = await web.get("/probation/caseload")
        assert caseload.status_code == 200 and "Gwen Jones" in caseload.text and "C1" in caseload.text
        tab = await web.get(f"/probation/people/{person}")
        assert tab.status_code == 200 and "Community order" in tab.text
        early = await web.post(f"/probation/cases/{case_id}/termination", data={"reason": "good_progress"})
        assert early.status_code == 400 and "Say why the order or licence ended early" in early.text
