"""The custody API: receptions and movements, release dates with problem details, prison scoping."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.custody.custody_factory import officer, person, prison_id
from tests.people.people_factory import client_as

from caselink.custody.models import SentenceTerm

pytestmark = pytest.mark.usefixtures("reference_loaded")

TERM = {"id": "1", "sentence_date": "2025-03-10", "offence_date": "2025-01-01", "length": {"years": 2}}


async def test_receive_record_and_read_through_the_api(app: FastAPI, db: AsyncSession) -> None:
    pid = await person(db)
    unit = await prison_id(db, "PVI")
    async with client_as(app, officer(unit)) as api:
        created = await api.post(
            "/api/v1/custody/receptions", json={"person_id": pid, "legal_status": "sentenced", "location": "B-2-10"}
        )
        assert created.status_code == 201
        booking = (await api.get(created.headers["location"])).json()
        assert booking["prison_code"] == "PVI" and booking["movements"][0]["kind"] == "reception"
        assert booking["movements"][0]["event_due_at"] is not None  # held back, not yet sent
        out = await api.post(f"/api/v1/custody/bookings/{booking['id']}/movements", json={"kind": "court_production"})
        assert out.status_code == 201
        undone = await api.post(
            f"/api/v1/custody/movements/{out.json()['id']}/reversal", json={"reason": "Wrong person"}
        )
        assert undone.status_code == 204
        roll = (await api.get("/api/v1/custody/prisons/PVI/roll")).json()
        assert any(r["person_id"] == pid and r["out_reason"] is None for r in roll["items"])
        dates = await api.put(f"/api/v1/custody/people/{pid}/sentences", json={"terms": [TERM]})
        assert dates.status_code == 201
        shown = (await api.get(dates.headers["location"])).json()
        crd = next(d for d in shown["current"]["dates"] if d["kind"] == "CRD")
        assert crd["date"] == "2025-12-26" and crd["rule_pack"] == "custody.sds-release 2024.1" and crd["steps"]


async def test_bad_sentences_are_problem_details_with_field_paths_and_change_nothing(
    app: FastAPI, db: AsyncSession
) -> None:
    pid = await person(db)
    unit = await prison_id(db, "PVI")
    async with client_as(app, officer(unit)) as api:
        await api.post("/api/v1/custody/receptions", json={"person_id": pid, "legal_status": "remand"})
        bad = await api.put(
            f"/api/v1/custody/people/{pid}/sentences",
            json={"terms": [TERM, {**TERM, "id": "2", "consecutive_to": "7"}], "remand_days": 0},
        )
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in bad.json()["errors"]] == ["terms.1.consecutive_to"]
        no_reason = await api.post(
            f"/api/v1/custody/people/{pid}/release-dates/override",
            json={"date_kind": "CRD", "date": "2025-12-01", "reason": ""},
        )
        assert no_reason.status_code == 422
    assert await db.scalar(select(func.count()).select_from(SentenceTerm).where(SentenceTerm.person_id == pid)) == 0


async def test_another_prisons_staff_are_refused(app: FastAPI, db: AsyncSession) -> None:
    async with client_as(app, officer(await prison_id(db, "BMI"))) as api:
        refused = await api.get("/api/v1/custody/prisons/PVI/roll")
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
