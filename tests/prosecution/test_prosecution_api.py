"""The prosecution API: problem details with field paths, 403 for the wrong role, the case as JSON."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.prosecution.prosecution_factory import THEFT, case_file, world

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def test_case_file_then_charging_decision_through_the_api(app: FastAPI, db: AsyncSession) -> None:
    w = await world(db)
    async with client_as(app, w.builder) as police:
        bad = case_file(w, urn="nonsense")
        r = await police.post("/api/v1/prosecution/case-files", json=bad)
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "urn" in [e["field"] for e in r.json()["errors"]]

        r = await police.post("/api/v1/prosecution/case-files", json=case_file(w))
        assert r.status_code == 201, r.text
        case_id = r.json()["id"]
        case = (await police.get(f"/api/v1/prosecution/cases/{case_id}")).json()
        decision = {
            "reasons": "Clear CCTV.",
            "suspects": [
                {
                    "defendant_id": case["defendants"][0]["id"],
                    "offences": [
                        {
                            "proposed_charge_id": case["charges"][0]["id"],
                            "evidential": "met",
                            "public_interest": "met",
                            "outcome": "charge",
                            "charges": [{"offence_code": THEFT, "wording": "Stole a phone."}],
                        }
                    ],
                }
            ],
        }
        refused = await police.post(f"/api/v1/prosecution/cases/{case_id}/charging-decisions", json=decision)
        assert refused.status_code == 403

    async with client_as(app, w.lawyer) as lawyer:
        r = await lawyer.post(f"/api/v1/prosecution/cases/{case_id}/charging-decisions", json=decision)
        assert r.status_code == 201, r.text
        assert r.json()["case_status"] == "charged"
        body = (await lawyer.get(f"/api/v1/prosecution/cases/{case_id}")).json()
        assert body["witnesses"][0]["name"] == "Jane Doe"
        assert {c["status"] for c in body["charges"]} == {"superseded", "charged"}
        r = await lawyer.get(
            f"/api/v1/prosecution/cases/{case_id}/readiness",
            params={"hearing_type": "first_hearing", "hearing_date": "2099-01-05"},
        )
        assert r.json()["status"] == "at_risk"
        assert r.json()["item_count"] == 3

    async with client_as(app, w.other_lawyer) as outsider:
        assert (await outsider.get(f"/api/v1/prosecution/cases/{case_id}")).status_code == 403


async def test_anonymous_callers_are_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/prosecution/cases")).status_code == 401
