"""Court use cases on the real test database: listing, results, sentences, events, and bad input
that changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.courts.courts_factory import FIRST_HEARING_AT, NOW, ON_THE_DAY, CaseIds, Units, charged_case, clerk, units

from caselink.courts import rules, service
from caselink.courts.models import CourtChargeOutcome, CourtFinalisation, CourtHearing, CourtRemand, CourtSentence
from caselink.courts.schemas import (
    AdjournIn,
    HearingListIn,
    PleasIn,
    RelistIn,
    RemandIn,
    ResultsIn,
    SentenceIn,
    TrialOutcomeIn,
)
from caselink.platform.errors import Conflict, Forbidden, ValidationFailed
from caselink.platform.events.models import OutboxEvent

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _events(db: AsyncSession, type_: str) -> list[Any]:
    return list((await db.execute(select(OutboxEvent).where(OutboxEvent.type == type_))).scalars())


async def _count(db: AsyncSession, model: Any, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return int(await db.scalar(query) or 0)


async def _listed(db: AsyncSession, hearing_type: str = "FH", defendants: int = 1) -> tuple[Units, CaseIds, int]:
    u = await units(db)
    case = await charged_case(db, u, defendants=defendants)
    body = HearingListIn(
        case_id=case.case_id,
        court_unit_code=u.magistrates_code,
        hearing_type_code=hearing_type,
        starts_at=FIRST_HEARING_AT,
        courtroom="2",
    )
    hearing_id = await service.list_hearing(db, clerk(u.magistrates_id), body, now=NOW)
    return u, case, hearing_id


async def test_listing_a_hearing_emits_hearing_listed_per_defendant(db: AsyncSession) -> None:
    u, case, hearing_id = await _listed(db, defendants=2)
    hearing = await db.get_one(CourtHearing, hearing_id)
    assert (hearing.status, hearing.courtroom, hearing.sitting_date) == ("listed", "2", date(2025, 3, 10))
    assert hearing.court_type == "magistrates" and hearing.hearing_type == "first_hearing"
    listed = await _events(db, "court.hearing.listed")
    assert sorted(e.person_ids["person"] for e in listed) == sorted(str(p) for p in case.person_ids)
    assert listed[0].data["courtCode"] == u.magistrates_code


async def test_a_hearing_in_the_past_is_not_listed_and_nothing_is_written(db: AsyncSession) -> None:
    u = await units(db)
    case = await charged_case(db, u)
    body = HearingListIn(
        case_id=case.case_id,
        court_unit_code=u.magistrates_code,
        hearing_type_code="NOPE",
        starts_at=NOW - timedelta(days=1),
        courtroom="",
    )
    with pytest.raises(ValidationFailed) as caught:
        await service.list_hearing(db, clerk(u.magistrates_id), body, now=NOW)
    assert {e.field for e in caught.value.errors} == {"starts_at", "hearing_type_code", "courtroom"}
    assert await _count(db, CourtHearing, case_id=case.case_id) == 0
    assert await _events(db, "court.hearing.listed") == []


async def test_clerk_of_another_court_cannot_list_there(db: AsyncSession) -> None:
    u = await units(db)
    case = await charged_case(db, u)
    body = HearingListIn(
        case_id=case.case_id,
        court_unit_code=u.magistrates_code,
        hearing_type_code="FH",
        starts_at=FIRST_HEARING_AT,
        courtroom="1",
    )
    with pytest.raises(Forbidden):
        await service.list_hearing(db, clerk(u.other_magistrates_id), body, now=NOW)
    assert await _count(db, CourtHearing, case_id=case.case_id) == 0


async def test_relisting_vacates_the_old_listing_and_lists_a_new_one(db: AsyncSession) -> None:
    u, _case, hearing_id = await _listed(db)
    new_id = await service.relist_hearing(
        db,
        clerk(u.magistrates_id),
        hearing_id,
        RelistIn(starts_at=FIRST_HEARING_AT + timedelta(days=7), courtroom="4"),
        now=NOW,
    )
    old, new = await db.get_one(CourtHearing, hearing_id), await db.get_one(CourtHearing, new_id)
    assert old.status == "vacated" and new.relisted_from_id == hearing_id and new.courtroom == "4"
    with pytest.raises(ValidationFailed) as caught:
        await service.relist_hearing(
            db, clerk(u.magistrates_id), new_id, RelistIn(starts_at=NOW - timedelta(hours=1), courtroom="4"), now=NOW
        )
    assert caught.value.errors[0].field == "starts_at"
    assert (await db.get_one(CourtHearing, new_id)).status == "listed"


async def test_adjourned_because_prosecution_not_ready_with_next_hearing(db: AsyncSession) -> None:
    u, _case, hearing_id = await _listed(db)
    body = AdjournIn(
        reason=rules.AdjournmentReason.PROSECUTION_NOT_READY,
        relist=RelistIn(starts_at=FIRST_HEARING_AT + timedelta(days=14), courtroom="1"),
    )
    next_id = await service.adjourn_hearing(db, clerk(u.magistrates_id), hearing_id, body, now=ON_THE_DAY)
    hearing = await db.get_one(CourtHearing, hearing_id)
    assert (hearing.status, hearing.adjournment_reason) == ("adjourned", "prosecution_not_ready")
    assert next_id is not None and (await db.get_one(CourtHearing, next_id)).relisted_from_id == hearing_id


async def test_results_cannot_be_entered_before_the_hearing_day(db: AsyncSession) -> None:
    u, case, hearing_id = await _listed(db)
    body = PleasIn.model_validate({"pleas": [{"charge_id": case.charge_ids[0][0], "plea_code": "G"}]})
    with pytest.raises(Conflict):
        await service.record_pleas(db, clerk(u.magistrates_id), hearing_id, body, now=NOW)


async def test_pleas_use_standing_data_codes(db: AsyncSession) -> None:
    u, case, hearing_id = await _listed(db)
    first, second = case.charge_ids[0]
    bad = PleasIn.model_validate(
        {"pleas": [{"charge_id": first, "plea_code": "MAYBE"}, {"charge_id": 999999, "plea_code": "G"}]}
    )
    with pytest.raises(ValidationFailed) as caught:
        await service.record_pleas(db, clerk(u.magistrates_id), hearing_id, bad, now=ON_THE_DAY)
    assert [e.field for e in caught.value.errors] == ["pleas.0.plea_code", "pleas.1.charge_id"]
    good = PleasIn.model_validate(
        {"pleas": [{"charge_id": first, "plea_code": "G"}, {"charge_id": second, "plea_code": "NG"}]}
    )
    await service.record_pleas(db, clerk(u.magistrates_id), hearing_id, good, now=ON_THE_DAY)
    view = await service.get_hearing(db, clerk(u.magistrates_id), hearing_id)
    assert [c.plea for c in view.defendants[0].charges] == ["guilty", "not_guilty"]
    assert view.status == "heard"


async def test_verdict_on_a_charge_not_before_the_court_changes_nothing(db: AsyncSession) -> None:
    u, case, hearing_id = await _listed(db)
    other = await charged_case(db, u, urn="01AB7654325")
    first = case.charge_ids[0][0]
    body = ResultsIn.model_validate(
        {
            "results": [
                {"charge_id": first, "outcome": "guilty_plea"},
                {"charge_id": other.charge_ids[0][0], "outcome": "acquitted"},
            ]
        }
    )
    with pytest.raises(ValidationFailed) as caught:
        await service.record_outcomes(db, clerk(u.magistrates_id), hearing_id, body, now=ON_THE_DAY)
    assert [e.field for e in caught.value.errors] == ["results.1.charge_id"]
    assert "not before the court" in caught.value.errors[0].message
    assert await _count(db, CourtChargeOutcome, hearing_id=hearing_id) == 0
    assert await _events(db, "court.defendant.convicted") == []
    # A charge that already has an outcome is no longer before the court either.
    await service.record_outcomes(
        db,
        clerk(u.magistrates_id),
        hearing_id,
        ResultsIn.model_validate({"results": [{"charge_id": first, "outcome": "guilty_plea"}]}),
        now=ON_THE_DAY,
    )
    again = ResultsIn.model_validate({"results": [{"charge_id": first, "outcome": "acquitted"}]})
    with pytest.raises(ValidationFailed):
        await service.record_outcomes(db, clerk(u.magistrates_id), hearing_id, again, now=ON_THE_DAY)
    assert await _count(db, CourtChargeOutcome, hearing_id=hearing_id) == 1


async def test_sentence_without_a_conviction_is_refused_and_nothing_written(db: AsyncSession) -> None:
    u, case, hearing_id = await _listed(db)
    first, _second = case.charge_ids[0]
    await service.record_outcomes(
        db,
        clerk(u.magistrates_id),
        hearing_id,
        ResultsIn.model_validate({"results": [{"charge_id": first, "outcome": "acquitted"}]}),
        now=ON_THE_DAY,
    )
    body = SentenceIn.model_validate(
        {
            "defendant_id": case.defendant_ids[0],
            "disposals": [{"kind": "fine", "charge_id": first, "amount_pence": 10000}],
        }
    )
    with pytest.raises(ValidationFailed) as caught:
        await service.impose_sentence(db, clerk(u.magistrates_id), hearing_id, body, now=ON_THE_DAY)
    assert caught.value.errors[0].field == "disposals.0.charge_id"
    assert "no conviction" in caught.value.errors[0].message
    assert await _count(db, CourtSentence, hearing_id=hearing_id) == 0
    assert await _events(db, "court.sentence.imposed") == []


async def test_conviction_sentence_and_conclusion_emit_events_with_full_terms(db: AsyncSession) -> None:
    u, case, hearing_id = await _listed(db, hearing_type="STPSR")
    first, second = case.charge_ids[0]
    actor = clerk(u.magistrates_id)
    results = {
        "results": [
            {"charge_id": first, "outcome": "guilty_plea"},
            {"charge_id": second, "outcome": "withdrawn", "reason": "public_interest"},
        ]
    }
    await service.record_outcomes(db, actor, hearing_id, ResultsIn.model_validate(results), now=ON_THE_DAY)
    convicted = await _events(db, "court.defendant.convicted")
    assert [e.data["chargeIds"] for e in convicted] == [[first]]
    concluded = await _events(db, "court.case.concluded")
    assert [e.data["caseId"] for e in concluded] == [case.case_id]
    final = await db.get_one(CourtFinalisation, case.defendant_ids[0])
    assert (final.outcome, final.court_type, final.charged_on, final.finalised_on) == (
        "guilty_plea",
        "magistrates",
        date(2025, 2, 1),
        date(2025, 3, 10),
    )
    sentence = {
        "defendant_id": case.defendant_ids[0],
        "disposals": [
            {
                "kind": "community_order",
                "charge_ids": [first],
                "length": {"months": 18},
                "requirements": [
                    {"kind": "unpaid_work", "hours": 120},
                    {"kind": "rehabilitation_activity", "days": 20},
                    {"kind": "curfew", "hours_per_day": 8, "days_per_week": 7, "period": {"months": 3}},
                ],
            },
            {"kind": "fine", "charge_id": first, "amount_pence": 25000},
        ],
    }
    sentence_id = await service.impose_sentence(
        db, actor, hearing_id, SentenceIn.model_validate(sentence), now=ON_THE_DAY
    )
    row = await db.get_one(CourtSentence, sentence_id)
    assert row.result_codes == ["1116", "3101", "3272", "3105", "1015"]
    assert row.rule_pack.startswith("courts.sentencing-limits 2022.1")
    imposed = await _events(db, "court.sentence.imposed")
    assert len(imposed) == 1 and imposed[0].person_ids == {"person": str(case.person_ids[0])}
    terms = imposed[0].data["disposals"]
    assert terms[0]["requirements"][0] == {
        "kind": "unpaid_work",
        "hours": 120,
        "days": 0,
        "hours_per_day": 0,
        "days_per_week": 0,
        "period": {"years": 0, "months": 0, "weeks": 0, "days": 0},
        "detail": "",
    }
    assert terms[1]["amount_pence"] == 25000 and terms[1]["result_code"] == "1015"


async def test_custodial_terms_outside_the_law_are_refused(db: AsyncSession) -> None:
    u, case, hearing_id = await _listed(db, hearing_type="STPSR")
    first, second = case.charge_ids[0]
    actor = clerk(u.magistrates_id)
    both = {"results": [{"charge_id": c, "outcome": "convicted_after_trial"} for c in (first, second)]}
    await service.record_outcomes(db, actor, hearing_id, ResultsIn.model_validate(both), now=ON_THE_DAY)
    loop = {
        "defendant_id": case.defendant_ids[0],
        "disposals": [
            {
                "kind": "custodial",
                "terms": [
                    {"charge_id": first, "length": {"months": 6}, "relation": "consecutive", "consecutive_to": second},
                    {"charge_id": second, "length": {"months": 3}, "relation": "consecutive", "consecutive_to": first},
                ],
            }
        ],
    }
    with pytest.raises(ValidationFailed) as caught:
        await service.impose_sentence(db, actor, hearing_id, SentenceIn.model_validate(loop), now=ON_THE_DAY)
    assert "loop" in caught.value.errors[0].message
    assert await _count(db, CourtSentence, hearing_id=hearing_id) == 0


async def test_remands_feed_custody_periods_and_emit_events(db: AsyncSession) -> None:
    u, case, hearing_id = await _listed(db)
    actor = clerk(u.magistrates_id)
    defendant = case.defendant_ids[0]
    with pytest.raises(ValidationFailed) as caught:
        await service.record_remand(
            db, actor, hearing_id, RemandIn(defendant_id=defendant, remand_code="CB"), now=ON_THE_DAY
        )
    assert caught.value.errors[0].field == "conditions"
    assert await _count(db, CourtRemand, defendant_id=defendant) == 0
    await service.record_remand(
        db, actor, hearing_id, RemandIn(defendant_id=defendant, remand_code="PR"), now=ON_THE_DAY
    )
    assert [e.data["decision"] for e in await _events(db, "court.defendant.remanded_in_custody")] == ["custody"]
    assert await service.remand_periods(db, defendant) == (rules.CustodyPeriod(date(2025, 3, 10), None),)
    # At the next hearing the court grants bail: the custody period closes.
    next_id = await service.list_hearing(
        db,
        actor,
        HearingListIn(
            case_id=case.case_id,
            court_unit_code=u.magistrates_code,
            hearing_type_code="FH",
            starts_at=FIRST_HEARING_AT + timedelta(days=7),
            courtroom="1",
        ),
        now=ON_THE_DAY,
    )
    await service.record_remand(
        db,
        actor,
        next_id,
        RemandIn(defendant_id=defendant, remand_code="CB", conditions="Reside at home address"),
        now=ON_THE_DAY + timedelta(days=7),
    )
    assert await service.remand_periods(db, defendant) == (rules.CustodyPeriod(date(2025, 3, 10), date(2025, 3, 17)),)
    bail = await _events(db, "court.bail.granted")
    assert bail[0].data["conditions"] == "Reside at home address"


async def test_trial_effectiveness_needs_a_matching_reason(db: AsyncSession) -> None:
    u, _case, hearing_id = await _listed(db, hearing_type="TRIAL")
    actor = clerk(u.magistrates_id)
    wrong = TrialOutcomeIn(
        effectiveness=rules.TrialEffectiveness.INEFFECTIVE, reason=rules.TrialReason.LATE_GUILTY_PLEA
    )
    with pytest.raises(ValidationFailed) as caught:
        await service.record_trial_outcome(db, actor, hearing_id, wrong, now=ON_THE_DAY)
    assert caught.value.errors[0].field == "reason"
    assert (await db.get_one(CourtHearing, hearing_id)).trial_effectiveness is None
    ok = TrialOutcomeIn(
        effectiveness=rules.TrialEffectiveness.INEFFECTIVE, reason=rules.TrialReason.PROSECUTION_NOT_READY
    )
    await service.record_trial_outcome(db, actor, hearing_id, ok, now=ON_THE_DAY)
    hearing = await db.get_one(CourtHearing, hearing_id)
    assert (hearing.trial_effectiveness, hearing.trial_reason, hearing.adjournment_reason) == (
        "ineffective",
        "prosecution_not_ready",
        "prosecution_not_ready",
    )


async def test_daily_list_by_courtroom_and_time_without_vacated_listings(db: AsyncSession) -> None:
    u, _case, hearing_id = await _listed(db, defendants=2)
    actor = clerk(u.magistrates_id)
    other = await charged_case(db, u, urn="01AB5555525")
    early = await service.list_hearing(
        db,
        actor,
        HearingListIn(
            case_id=other.case_id,
            court_unit_code=u.magistrates_code,
            hearing_type_code="FH",
            starts_at=FIRST_HEARING_AT - timedelta(minutes=30),
            courtroom="1",
        ),
        now=NOW,
    )
    moved = await service.list_hearing(
        db,
        actor,
        HearingListIn(
            case_id=other.case_id,
            court_unit_code=u.magistrates_code,
            hearing_type_code="FH",
            starts_at=FIRST_HEARING_AT,
            courtroom="3",
        ),
        now=NOW,
    )
    await service.relist_hearing(
        db, actor, moved, RelistIn(starts_at=FIRST_HEARING_AT + timedelta(days=1), courtroom="3"), now=NOW
    )
    result = await service.daily_list(db, actor, u.magistrates_id, date(2025, 3, 10))
    assert [(i.courtroom, i.hearing_id) for i in result.items] == [("1", early), ("2", hearing_id)]
    assert result.total == 2
    assert result.items[1].defendants == ["Ffion TESTPERSON0", "Gareth TESTPERSON1"]
    with pytest.raises(Forbidden):
        await service.daily_list(db, clerk(u.other_magistrates_id), u.magistrates_id, date(2025, 3, 10))
