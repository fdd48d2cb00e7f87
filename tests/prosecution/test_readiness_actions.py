"""Every readiness item can be done: the sentence checklist's pre-sentence report and victim
personal statement are recorded from the case page and the API, not only ticked by hand."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.prosecution.prosecution_factory import THEFT, TODAY, World, case_file, world

from caselink.prosecution import service
from caselink.prosecution.models import Charge, Defendant, ProsecutionCase, Victim
from caselink.prosecution.schemas import CaseFileIn, ChargingDecisionIn

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def charged_case(db: AsyncSession, w: World) -> ProsecutionCase:
    case_id = await service.submit_case_file(db, w.builder, CaseFileIn.model_validate(case_file(w)), TODAY)
    defendant = (await db.scalars(select(Defendant).where(Defendant.case_id == case_id))).one()
    proposed = (await db.scalars(select(Charge).where(Charge.defendant_id == defendant.id))).one()
    decision = {
        "decided_on": TODAY.isoformat(),
        "reasons": "CCTV shows the suspect taking the phone.",
        "suspects": [
            {
                "defendant_id": defendant.id,
                "offences": [
                    {
                        "proposed_charge_id": proposed.id,
                        "evidential": "met",
                        "public_interest": "met",
                        "outcome": "charge",
                        "charges": [{"offence_code": THEFT, "wording": "Stole a mobile phone."}],
                    }
                ],
            }
        ],
    }
    await service.record_charging_decision(db, w.lawyer, case_id, ChargingDecisionIn.model_validate(decision), TODAY)
    return await db.get_one(ProsecutionCase, case_id)


async def _sentence_outstanding(db: AsyncSession, case_id: int) -> list[str]:
    found = await service.case_readiness(db, case_id, "sentence", date(2099, 1, 5), TODAY)
    return [o.item.id for o in found.readiness.outstanding]


async def test_every_sentence_item_can_be_done_from_the_case_page(app: FastAPI, db: AsyncSession) -> None:
    w = await world(db)
    case = await charged_case(db, w)
    victim_id = (await db.scalars(select(Victim.id).where(Victim.case_id == case.id))).one()
    assert await _sentence_outstanding(db, case.id) == [
        "psr-requested",
        "vps-obtained",
        "antecedents-served",
        "ancillary-orders-drafted",
    ]
    async with client_as(app, w.lawyer) as lawyer:
        page = await lawyer.get(f"/prosecution/cases/{case.id}")
        assert f"/prosecution/cases/{case.id}/pre-sentence-report" in page.text
        assert f"/prosecution/cases/{case.id}/victims/{victim_id}/personal-statement" in page.text

        future = await lawyer.post(
            f"/prosecution/cases/{case.id}/pre-sentence-report", data={"requested_on": "1/1/2099", "csrf_token": "x"}
        )
        assert future.status_code == 400
        assert 'href="#requested_on"' in future.text and "must not be in the future" in future.text

        base = f"/prosecution/cases/{case.id}"
        for path, data in [
            ("/pre-sentence-report", {"requested_on": ""}),
            (f"/victims/{victim_id}/personal-statement", {"personal_statement": "declined"}),
            ("/antecedents", {}),
            ("/readiness-ticks", {"hearing_type": "sentence", "item_id": "ancillary-orders-drafted"}),
        ]:
            done = await lawyer.post(base + path, data={**data, "csrf_token": "x"})
            assert done.status_code == 303, (path, done.text[-2000:])
        page = await lawyer.get(base)
    assert "Victim chose not to make a personal statement" in page.text  # the timeline
    assert "Pre-sentence report requested" in page.text
    assert await _sentence_outstanding(db, case.id) == []


async def test_the_api_records_both_and_refuses_an_unknown_choice(app: FastAPI, db: AsyncSession) -> None:
    w = await world(db)
    case = await charged_case(db, w)
    victim_id = (await db.scalars(select(Victim.id).where(Victim.case_id == case.id))).one()
    async with client_as(app, w.lawyer) as lawyer:
        bad = await lawyer.post(
            f"/api/v1/prosecution/victims/{victim_id}/personal-statement", json={"personal_statement": "maybe"}
        )
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == ["personal_statement"]
        made = await lawyer.post(
            f"/api/v1/prosecution/victims/{victim_id}/personal-statement", json={"personal_statement": "made"}
        )
        assert made.status_code == 204
        psr = await lawyer.post(
            f"/api/v1/prosecution/cases/{case.id}/pre-sentence-report", json={"served_on": TODAY.isoformat()}
        )
        assert psr.status_code == 204
    async with client_as(app, w.other_lawyer) as stranger:
        refused = await stranger.post(
            f"/api/v1/prosecution/victims/{victim_id}/personal-statement", json={"personal_statement": "not_asked"}
        )
        assert refused.status_code == 403
    outstanding = await _sentence_outstanding(db, case.id)
    assert "psr-requested" not in outstanding and "vps-obtained" not in outstanding
    assert (await db.get_one(ProsecutionCase, case.id)).pre_sentence_report_requested_on == TODAY
