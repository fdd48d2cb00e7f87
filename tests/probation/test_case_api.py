"""The probation case and assessment API: allocation errors as problem details with field paths,
the caseload with tier and flags, the person's cases."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.probation.case_factory import cardiff_person, community_order, practitioner, senior, unit_id

from caselink.people.limited_access import LimitInput, add_limit
from caselink.probation import service

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def test_allocate_through_the_api_then_see_the_caseload(app: FastAPI, db: AsyncSession) -> None:
    unit = await unit_id(db)
    boss = await senior(db, unit)
    excluded = await practitioner(db, unit, "Ex Cluded")
    chosen = await practitioner(db, unit, "Cho Sen")
    person = await cardiff_person(db)
    case_id = await service.case_from_sentence_event(db, community_order(person))
    assert excluded.id is not None
    await add_limit(db, boss, person, LimitInput("exclusion", [excluded.id], "Conflict of interest"))

    async with client_as(app, boss) as api:
        queue = (await api.get("/api/v1/probation/unallocated")).json()
        assert case_id in [row["case_id"] for row in queue["items"]]
        options = (await api.get(f"/api/v1/probation/cases/{case_id}/practitioners")).json()
        assert {o["name"]: o["excluded"] for o in options}["Ex Cluded"] is True

        refused = await api.post(f"/api/v1/probation/cases/{case_id}/allocation", json={"staff_id": excluded.id})
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["field"] == "staff_id"

        ok = await api.post(f"/api/v1/probation/cases/{case_id}/allocation", json={"staff_id": chosen.id})
        assert ok.status_code == 200 and ok.json()["status"] == "allocated"
        again = await api.post(f"/api/v1/probation/cases/{case_id}/allocation", json={"staff_id": chosen.id})
        assert again.status_code == 409

        team = (await api.get("/api/v1/probation/team")).json()
        assert {t["name"]: t["caseload"] for t in team}["Cho Sen"] == 1

    async with client_as(app, chosen) as api:
        caseload = (await api.get("/api/v1/probation/caseload")).json()
        assert [(r["case_id"], r["tier"]) for r in caseload["items"]] == [(case_id, "C1")]
        assert (await api.get(f"/api/v1/probation/people/{person}/cases")).json()[0]["id"] == case_id
        forbidden = await api.post(f"/api/v1/probation/cases/{case_id}/allocation", json={"staff_id": chosen.id})
        assert forbidden.status_code == 403
