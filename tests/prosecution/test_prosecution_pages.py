"""The prosecution pages: the case file form with its error summary and match-before-create, the
police and CPS lists, the case page and the charging decision form."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import add_person, client_as
from tests.prosecution.prosecution_factory import THEFT, World, world

from caselink.prosecution.models import Charge, ProsecutionCase

pytestmark = pytest.mark.usefixtures("reference_loaded")


def _form(w: World, **overrides: str) -> dict[str, Any]:
    form = {
        "urn": "01/AB/12345/24",
        "police_force_unit_id": str(w.force_id),
        "police_unit_id": str(w.police_unit_id),
        "cps_area_unit_id": str(w.cps_area_id),
        "officer_in_case_name": "PC Ada Lovelace",
        "suspects.0.new_person.given_name": "Quillon",
        "suspects.0.new_person.family_name": "Zebedee-Marchbanks",
        "suspects.0.new_person.date_of_birth": "2/4/1990",
        "suspects.0.custody_status": "in_custody",
        "suspects.0.offences.0.offence_code": THEFT,
        "suspects.0.offences.0.offence_date_from": "1/3/2024",
        "suspects.0.offences.0.wording": "Stole a mobile phone from the person of Jane Doe.",
        "witnesses.0.name": "Jane Doe",
        "witnesses.0.kind": "victim",
        "witnesses.0.special_measures": "screens",
        "victims.0.name": "Jane Doe",
        "csrf_token": "x",
    }
    form.update(overrides)
    return form


async def test_the_case_file_form_has_the_csrf_field_and_the_offence_finder(app: FastAPI, db: AsyncSession) -> None:
    w = await world(db)
    async with client_as(app, w.builder) as police:
        page = await police.get("/prosecution/case-files/new")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text
    assert 'href="/reference/offences"' in page.text


async def test_bad_urn_and_offence_code_show_the_error_summary_and_write_nothing(
    app: FastAPI, db: AsyncSession
) -> None:
    w = await world(db)
    async with client_as(app, w.builder) as police:
        page = await police.post(
            "/prosecution/case-files/new",
            data=_form(w, urn="NOT-A-URN", **{"suspects.0.offences.0.offence_code": "ZZ99999"}),
        )
    assert page.status_code == 400
    assert "govuk-error-summary" in page.text
    assert 'href="#urn"' in page.text
    assert 'href="#suspects-0-offences-0-offence_code"' in page.text
    assert "ZZ99999 is not an offence code" in page.text
    assert (await db.scalar(select(ProsecutionCase.id))) is None


async def test_a_file_goes_in_then_appears_on_the_police_list_and_the_case_page(app: FastAPI, db: AsyncSession) -> None:
    w = await world(db)
    async with client_as(app, w.builder) as police:
        sent = await police.post("/prosecution/case-files/new", data=_form(w))
        assert sent.status_code == 303, sent.text
        case_page = await police.get(sent.headers["location"])
        files = await police.get("/prosecution/case-files")
    assert case_page.status_code == 200
    assert "01/AB/12345/24" in case_page.text
    assert "Awaiting charging decision" in case_page.text
    assert "Case file submitted by the police" in case_page.text  # the timeline
    assert files.status_code == 200 and "01/AB/12345/24" in files.text


async def test_a_likely_existing_suspect_is_offered_before_a_new_person_is_created(
    app: FastAPI, db: AsyncSession
) -> None:
    w = await world(db)
    existing = await add_person(db, "Quillon", "Zebedee-Marchbanks", __import__("datetime").date(1990, 4, 2))
    async with client_as(app, w.builder) as police:
        offered = await police.post("/prosecution/case-files/new", data=_form(w))
        assert offered.status_code == 409
        assert f'value="{existing}"' in offered.text
        linked = await police.post("/prosecution/case-files/new", data=_form(w, **{"suspects.0.choice": str(existing)}))
    assert linked.status_code == 303


async def test_the_lawyer_records_a_charge_and_the_case_appears_in_the_area_list(
    app: FastAPI, db: AsyncSession
) -> None:
    w = await world(db)
    async with client_as(app, w.builder) as police:
        sent = await police.post("/prosecution/case-files/new", data=_form(w))
    case_id = int(sent.headers["location"].rsplit("/", 1)[1])
    proposed = (await db.scalars(select(Charge.id).where(Charge.case_id == case_id))).one()
    decision = {
        "proposed_charge_id": str(proposed),
        "evidential": "met",
        "public_interest": "met",
        "reasons": "CCTV and the victim's account.",
        "outcome": "charge",
        "charge_code": THEFT,
        "charge_wording": "Stole a mobile phone from the person of Jane Doe.",
        "csrf_token": "x",
    }
    async with client_as(app, w.lawyer) as lawyer:
        form = await lawyer.get(f"/prosecution/cases/{case_id}/charging-decision")
        assert form.status_code == 200 and 'name="csrf_token"' in form.text
        missing = await lawyer.post(f"/prosecution/cases/{case_id}/charging-decision", data={**decision, "reasons": ""})
        assert missing.status_code == 400 and "govuk-error-summary" in missing.text, missing.text[-3000:]
        done = await lawyer.post(f"/prosecution/cases/{case_id}/charging-decision", data=decision)
        assert done.status_code == 303
        area = await lawyer.get("/prosecution/cases", params={"scope": "area"})
    assert area.status_code == 200 and "01/AB/12345/24" in area.text
    assert (await db.get_one(ProsecutionCase, case_id)).status == "charged"


async def test_the_police_cannot_open_the_charging_decision_form(app: FastAPI, db: AsyncSession) -> None:
    w = await world(db)
    async with client_as(app, w.builder) as police:
        page = await police.get("/prosecution/cases/1/charging-decision")
    assert page.status_code == 403
