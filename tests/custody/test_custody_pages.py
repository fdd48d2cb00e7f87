"""Custody pages for prison staff: the roll, a person's custody tab with how each date was worked
out, and a bad sentence term shown as a GOV.UK error summary."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from tests.custody.custody_factory import court_event, officer, person, prison_id
from tests.people.people_factory import client_as

from caselink.custody import service

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def test_arrivals_reception_roll_and_custody_tab(app: FastAPI, db: AsyncSession) -> None:
    pid = await person(db, "Eve", "Example")
    await service.arrival_from_court_event(
        db, court_event("court.defendant.remanded_in_custody", pid, {"decidedOn": "2025-03-10"})
    )
    async with client_as(app, officer(await prison_id(db, "PVI"))) as web:
        arrivals = await web.get("/custody/expected-arrivals")
        assert arrivals.status_code == 200 and "Eve Example" in arrivals.text
        received = await web.post(
            "/custody/reception", data={"person_id": str(pid), "legal_status": "remand", "location": "C-1-02"}
        )
        assert received.status_code == 303
        roll = await web.get("/custody/roll")
        assert "Eve Example" in roll.text and "C-1-02" in roll.text
        added = await web.post(
            f"/custody/people/{pid}/terms",
            data={"term_id": "1", "sentence_date": "2025-03-10", "offence_date": "2025-01-01", "years": "2"},
        )
        assert added.status_code == 303
        tab = await web.get(f"/custody/people/{pid}")
        assert "Conditional release date (CRD): 26 December 2025" in tab.text
        assert "custody.sds-release 2024.1" in tab.text
        releases = await web.get("/custody/releases?days=366")
        assert releases.status_code == 200


async def test_a_bad_term_is_shown_in_an_error_summary_against_its_field(app: FastAPI, db: AsyncSession) -> None:
    pid = await person(db)
    async with client_as(app, officer(await prison_id(db, "PVI"))) as web:
        await web.post("/custody/reception", data={"person_id": str(pid), "legal_status": "remand"})
        bad = await web.post(
            f"/custody/people/{pid}/terms",
            data={"term_id": "1", "sentence_date": "2025-03-10", "offence_date": "2025-04-01", "years": "1"},
        )
        assert bad.status_code == 400
        assert "govuk-error-summary" in bad.text and 'href="#offence_date"' in bad.text
        missing = await web.post("/custody/reception", data={"person_id": str(pid), "legal_status": ""})
        assert missing.status_code == 400 and 'href="#legal_status"' in missing.text
