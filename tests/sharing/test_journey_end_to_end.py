"""The journey through the agencies, driven through the API by the staff concerned (signed in with
real sessions), running the relay between steps and asserting each receiving agency's queue.

Covered so far: police file → CPS charge → (hand-off) first-hearing task in the magistrates' court's
queue → the court lists the hearing. The later steps (conviction, custodial sentence, reception,
release on licence, probation, breach, recall, back to prison) are still to be added: their APIs
exist (courts, custody, probation supervision and recall).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import make_staff, session_for

from caselink.accounts.models import Staff
from caselink.organisations.models import OrganisationUnit
from caselink.platform.events.relay import run_batch
from caselink.platform.events.service import load_handler_modules, registry, sync_subscriptions

pytestmark = pytest.mark.usefixtures("reference_loaded")

LANCASHIRE_POLICE = "040000"
THEFT = "TH68001"


@asynccontextmanager
async def signed_in(app: FastAPI, db: AsyncSession, staff: Staff) -> AsyncIterator[httpx.AsyncClient]:
    """An API client carrying STAFF's session cookie and CSRF token, as the browser would."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        csrf = await session_for(client, db, staff)
        client.headers["x-csrf-token"] = csrf
        yield client


async def relay(db: AsyncSession) -> None:
    """The worker's relay, run between steps: every hand-off due is handled."""
    result = await run_batch(db, registry, now=datetime.now(UTC) + timedelta(seconds=1))
    assert result.errors == [], result.errors


async def unit(db: AsyncSession, *where: ColumnElement[bool]) -> OrganisationUnit:
    found = (await db.scalars(select(OrganisationUnit).where(*where).order_by(OrganisationUnit.code).limit(1))).first()
    assert found is not None
    return found


async def test_police_file_to_first_hearing_through_the_api(app: FastAPI, db: AsyncSession) -> None:
    load_handler_modules()
    await sync_subscriptions(db, registry)
    await db.commit()

    force = await unit(db, OrganisationUnit.code == LANCASHIRE_POLICE)
    police_unit = await unit(db, OrganisationUnit.kind == "police_unit", OrganisationUnit.code.startswith("04"))
    cps_area = await unit(db, OrganisationUnit.kind == "cps_area")
    court = await unit(db, OrganisationUnit.kind == "magistrates_court", OrganisationUnit.code.startswith("B04"))
    builder = await make_staff(db, "journey.police", ["police_case_builder"], police_unit)
    lawyer = await make_staff(db, "journey.lawyer", ["cps_lawyer"], cps_area)
    clerk = await make_staff(db, "journey.clerk", ["court_clerk"], court)

    # 1. The police submit the case file: the CPS area's queue gets the charging task.
    async with signed_in(app, db, builder) as police:
        r = await police.post(
            "/api/v1/prosecution/case-files",
            json={
                "urn": "04/JR/00001/25",
                "police_force_unit_id": force.id,
                "police_unit_id": police_unit.id,
                "cps_area_unit_id": cps_area.id,
                "officer_in_case_name": "PC Journey",
                "summary": "Phone taken from the victim's hand at the bus station.",
                "suspects": [
                    {
                        "new_person": {
                            "given_name": "Jory",
                            "family_name": "Nettlefold",
                            "date_of_birth": "1991-05-06",
                        },
                        "custody_status": "conditional_bail",
                        "offences": [
                            {"offence_code": THEFT, "wording": "Stole a phone.", "offence_date_from": "2025-01-02"}
                        ],
                    }
                ],
            },
        )
        assert r.status_code == 201, r.text
        case_id = r.json()["id"]

    async with signed_in(app, db, lawyer) as cps:
        queue = (await cps.get("/api/v1/tasks", params={"type": "prosecution.charging_decision"})).json()
        assert [t["subject_id"] for t in queue["items"]] == [str(case_id)]

        # 2. The CPS lawyer charges.
        case = (await cps.get(f"/api/v1/prosecution/cases/{case_id}")).json()
        r = await cps.post(
            f"/api/v1/prosecution/cases/{case_id}/charging-decisions",
            json={
                "reasons": "CCTV and a prompt identification.",
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
            },
        )
        assert r.status_code == 201, r.text

    # 3. Hand-off: the magistrates' court of Lancashire has a first hearing to list.
    await relay(db)
    async with signed_in(app, db, clerk) as court_api:
        queue = (await court_api.get("/api/v1/tasks", params={"type": "courts.first_hearing.list"})).json()
        [listing_task] = queue["items"]
        assert listing_task["subject_id"] == str(case_id)

        # 4. The court lists the first hearing later today (results can be entered on the day).
        starts_at = datetime.now(UTC) + timedelta(minutes=5)
        r = await court_api.post(
            "/api/v1/courts/hearings",
            json={
                "case_id": case_id,
                "court_unit_code": court.code,
                "hearing_type_code": "FH",
                "starts_at": starts_at.isoformat(),
                "courtroom": "1",
            },
        )
        assert r.status_code == 201, r.text
        hearing = (await court_api.get(r.headers["location"])).json()
        assert hearing["defendants"][0]["charges"][0]["before_court"] is True
