"""Limited access (decision 0026) at the CPS: a lawyer excluded from a defendant sees the case on the
area list as a redacted row (no URN, names, dates or link) and is refused, audited, the case page,
the API case and any change to it; a colleague who is not excluded sees everything as before."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.flags_factory import add_staff
from tests.people.people_factory import client_as
from tests.prosecution.prosecution_factory import case_file, world

from caselink.people.limited_access import LimitInput, add_limit
from caselink.platform.audit.models import AuditEvent
from caselink.prosecution.models import Defendant

pytestmark = pytest.mark.usefixtures("reference_loaded")


URN = "01/AB/12345/24"


async def test_an_excluded_lawyer_sees_a_redacted_case_row_and_is_refused_the_case(
    app: FastAPI, db: AsyncSession
) -> None:
    w = await world(db)
    async with client_as(app, w.builder) as police:
        sent = await police.post("/api/v1/prosecution/case-files", json=case_file(w))
    assert sent.status_code == 201, sent.text
    case_id = sent.json()["id"]
    person_id = (await db.scalars(select(Defendant.person_id).where(Defendant.case_id == case_id))).one()
    manager = await add_staff(db, w.cps_area_id, "senior_probation_officer", "probation", "Sam Senior")
    colleague = await add_staff(db, w.cps_area_id, "cps_lawyer", "cps", "Col League")
    assert w.lawyer.id is not None
    await add_limit(db, manager, person_id, LimitInput("exclusion", [w.lawyer.id], "Conflict of interest"))

    async with client_as(app, w.lawyer) as web:
        area = await web.get("/prosecution/cases", params={"scope": "area"})
        assert area.status_code == 200 and "Restricted" in area.text
        assert URN not in area.text and "Zebedee-Marchbanks" not in area.text
        assert f'href="/prosecution/cases/{case_id}"' not in area.text
        listed = await web.get("/api/v1/prosecution/cases", params={"scope": "area", "page_size": 100})
        row = next(i for i in listed.json()["items"] if i["id"] == case_id)
        assert row["restricted"] is True and row["urn"] is None and row["defendant_names"] == []

        page = await web.get(f"/prosecution/cases/{case_id}")
        assert page.status_code == 403 and "Conflict of interest" in page.text and "Zebedee" not in page.text
        api = await web.get(f"/api/v1/prosecution/cases/{case_id}")
        assert api.status_code == 403 and api.headers["content-type"].startswith("application/problem+json")
        assert api.json()["detail"] == "Conflict of interest"
        form = await web.get(f"/prosecution/cases/{case_id}/charging-decision")
        assert form.status_code == 403

    refused = set(
        await db.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == w.lawyer.id, AuditEvent.outcome == "refused")
        )
    )
    assert {"prosecution.case.read", "person.prosecution.cases"} <= refused

    async with client_as(app, colleague) as web:
        area = await web.get("/prosecution/cases", params={"scope": "area"})
        assert URN in area.text and "Zebedee-Marchbanks" in area.text
        assert f'href="/prosecution/cases/{case_id}"' in area.text
        page = await web.get(f"/prosecution/cases/{case_id}")
        assert page.status_code == 200 and "Zebedee-Marchbanks" in page.text
        api = await web.get(f"/api/v1/prosecution/cases/{case_id}")
        assert api.status_code == 200
