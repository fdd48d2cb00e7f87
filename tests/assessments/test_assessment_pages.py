"""Assessment pages: a draft started and submitted in the browser, the senior officer's
countersignature from the queue, incomplete submissions and the author's own countersignature refused."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.probation.case_factory import cardiff_person, practitioner, senior, unit_id

from caselink.assessments import service
from caselink.assessments.rules import NeedSection

pytestmark = pytest.mark.usefixtures("reference_loaded")

COMPLETE = {
    "rosh_public": "high",
    "rosh_known_adult": "medium",
    "rosh_children": "low",
    "rosh_staff": "low",
    "rosh_prisoners": "low",
    "reoffending_score": "62",
    **{f"needs-{s.value}": "1" for s in NeedSection},
}


async def test_practitioner_drafts_and_submits_and_senior_countersigns_from_the_queue(
    app: FastAPI, db: AsyncSession
) -> None:
    unit = await unit_id(db)
    author, countersigner = await practitioner(db, unit), await senior(db, unit)
    person = await cardiff_person(db)
    async with client_as(app, author) as web:
        form = await web.get(f"/assessments/people/{person}/new")
        assert (
            form.status_code == 200
            and 'name="csrf_token"' in form.text
            and "Risk of serious harm to children" in form.text
        )
        started = await web.post(f"/assessments/people/{person}/new", data={"rosh_public": "high"})
        assert started.status_code == 303
        page_url = started.headers["location"]
        changed = await web.post(f"{page_url}/edit", data=COMPLETE)
        assert changed.status_code == 303
        submitted = await web.post(f"{page_url}/submission")
        assert submitted.status_code == 303
        tab = await web.get(f"/probation/people/{person}")
        assert f'href="{page_url}"' in tab.text
    async with client_as(app, countersigner) as web:
        queue = await web.get("/probation/countersigning")
        assert queue.status_code == 200 and f'href="{page_url}"' in queue.text
        signed = await web.post(f"{page_url}/countersignature")
        assert signed.status_code == 303
        shown = await web.get(page_url)
    assert "Completed" in shown.text and "Countersigned by" in shown.text


async def test_incomplete_submission_shows_what_is_missing(app: FastAPI, db: AsyncSession) -> None:
    unit = await unit_id(db)
    author = await practitioner(db, unit)
    person = await cardiff_person(db)
    async with client_as(app, author) as web:
        bad = await web.post(f"/assessments/people/{person}/new", data={"reoffending_score": "lots"})
        assert bad.status_code == 400 and "govuk-error-summary" in bad.text
        assert 'href="#reoffending_score"' in bad.text
        started = await web.post(f"/assessments/people/{person}/new", data={"rosh_public": "low"})
        refused = await web.post(f"{started.headers['location']}/submission")
    assert refused.status_code == 400
    assert "Enter the risk of serious harm to children" in refused.text and 'href="#needs-drugs"' in refused.text


async def test_author_cannot_countersign_and_a_return_needs_a_note(app: FastAPI, db: AsyncSession) -> None:
    unit = await unit_id(db)
    senior_author, other = await senior(db, unit, "Sue Senior"), await senior(db, unit, "Sid Senior")
    person = await cardiff_person(db)
    async with client_as(app, senior_author) as web:
        started = await web.post(f"/assessments/people/{person}/new", data=COMPLETE)
        page_url = started.headers["location"]
        await web.post(f"{page_url}/submission")
        own = await web.post(f"{page_url}/countersignature")
        assert own.status_code == 400 and "another senior officer must countersign it" in own.text
    async with client_as(app, other) as web:
        no_note = await web.post(f"{page_url}/return", data={"note": " "})
        assert no_note.status_code == 400 and 'href="#note"' in no_note.text
        returned = await web.post(f"{page_url}/return", data={"note": "Say more about the children"})
        assert returned.status_code == 303
    found = await service.get(db, other, int(page_url.rsplit("/", 1)[1]))
    assert found.status == "draft" and found.countersigned_by_staff_id is None


async def test_a_practitioner_may_not_countersign(app: FastAPI, db: AsyncSession) -> None:
    unit = await unit_id(db)
    author = await practitioner(db, unit)
    person = await cardiff_person(db)
    async with client_as(app, author) as web:
        started = await web.post(f"/assessments/people/{person}/new", data=COMPLETE)
        refused = await web.post(f"{started.headers['location']}/countersignature")
    assert refused.status_code == 403
