"""The courts API: problem details with field paths, and nothing written on bad input."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.courts.courts_factory import charged_case, clerk, units
from tests.people.people_factory import client_as

from caselink.courts.models import CourtHearing

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def test_list_read_and_refuse_a_past_listing_through_the_api(app: FastAPI, db: AsyncSession) -> None:
    u = await units(db)
    case = await charged_case(db, u)
    body = {
        "case_id": case.case_id,
        "court_unit_code": u.magistrates_code,
        "hearing_type_code": "FH",
        "starts_at": "2020-01-06T10:00:00+00:00",
        "courtroom": "1",
    }
    async with client_as(app, clerk(u.magistrates_id)) as api:
        past = await api.post("/api/v1/courts/hearings", json=body)
        assert past.status_code == 422
        assert past.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in past.json()["errors"]] == ["starts_at"]
        assert (
            await db.scalar(select(func.count()).select_from(CourtHearing).where(CourtHearing.case_id == case.case_id))
            == 0
        )
        created = await api.post("/api/v1/courts/hearings", json={**body, "starts_at": "2099-01-05T10:00:00+00:00"})
        assert created.status_code == 201
        hearing = (await api.get(created.headers["location"])).json()
        assert hearing["urn"] == "01AB1234525" and hearing["defendants"][0]["charges"][0]["before_court"] is True
        early = await api.post(
            f"/api/v1/courts/hearings/{hearing['id']}/outcomes",
            json={"results": [{"charge_id": 1, "outcome": "acquitted"}]},
        )
        assert early.status_code == 409
    async with client_as(app, clerk(u.other_magistrates_id)) as outsider:
        assert (await outsider.get(created.headers["location"])).status_code == 403
