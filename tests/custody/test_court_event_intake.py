"""Custody takes what it needs from the court's events (issue 7): the court that sent the person
(no read of the courts' hearings) and each sentenced charge's offence date, which decides the
release rules; an older event without them still works, and its explanation says what was assumed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.courts.courts_factory import FIRST_HEARING_AT, NOW, ON_THE_DAY, charged_case, clerk, units
from tests.custody.custody_factory import court_event, custodial_sentence, person, prison_id

from caselink.courts import service as courts
from caselink.courts.models import CourtHearing
from caselink.courts.schemas import HearingListIn, ResultsIn, SentenceIn
from caselink.custody import service
from caselink.custody.models import ExpectedArrival, ReleaseCalculation, SentenceTerm
from caselink.platform.events.models import OutboxEvent
from caselink.platform.events.service import event_from_row
from caselink.prosecution.models import Charge

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _current(db: AsyncSession, person_id: int) -> ReleaseCalculation:
    calc = await db.scalar(
        select(ReleaseCalculation).where(ReleaseCalculation.person_id == person_id, ReleaseCalculation.current)
    )
    assert calc is not None
    return calc


def _with_offence(person_id: int, months: int, offence_from: str | None, offence_to: str | None = None) -> object:
    event = custodial_sentence(person_id, months=months)
    event.data["charges"] = [
        {"chargeId": 11, "offenceCode": "TH68010", "offenceDateFrom": offence_from, "offenceDateTo": offence_to}
    ]
    return event


async def test_the_arrival_goes_to_the_prison_serving_the_court_named_in_the_event_without_a_hearing_row(
    db: AsyncSession,
) -> None:
    pid = await person(db)
    missing_hearing = 2_000_000_000
    assert await db.get(CourtHearing, missing_hearing) is None
    event = court_event(
        "court.defendant.remanded_in_custody",
        pid,
        {
            "hearingId": missing_hearing,
            "decidedOn": "2025-03-10",
            "courtUnitCode": "B01BH00",
            "courtName": "Bristol Magistrates' Court",
            "courtRegion": "Avon and Somerset",
        },
    )
    arrival_id = await service.arrival_from_court_event(db, event)
    arrival = await db.get_one(ExpectedArrival, arrival_id)
    # custody/data/reception_prisons.json: Avon and Somerset's courts send to HMP Bristol.
    assert arrival.prison_unit_id == await prison_id(db, "BLI")
    assert arrival.from_court == "Bristol Magistrates' Court"


async def test_an_offence_before_february_2015_is_released_without_licence_under_the_offence_date_rule(
    db: AsyncSession,
) -> None:
    # 6 months passed on 10 March 2025. Offence on 1 December 2014: under 12 months for an offence
    # before 1 February 2015, so automatic unconditional release (ARD) and no licence.
    old = await person(db, "Olive", "Older")
    await service.arrival_from_court_event(db, _with_offence(old, 6, "2014-12-01"))
    term = await db.scalar(select(SentenceTerm).where(SentenceTerm.person_id == old))
    assert term is not None and term.offence_date == date(2014, 12, 1) and not term.offence_date_assumed
    calc = await _current(db, old)
    assert {d["kind"] for d in calc.dates} >= {"ARD", "SED"} and calc.licence_expiry is None
    assert calc.input["terms"][0]["offence_date"] == "2014-12-01"
    first_steps = calc.dates[0]["steps"]
    assert first_steps[0] == "Term C11: offence (TH68010) committed on 1 December 2014 (from the court's sentence)."

    # The same sentence for an offence committed over a period ending after the change: the last
    # day counts, so release is on licence (CRD, LED) with top-up supervision.
    later = await person(db, "Lena", "Later")
    await service.arrival_from_court_event(db, _with_offence(later, 6, "2015-01-20", "2015-02-03"))
    calc = await _current(db, later)
    kinds = {d["kind"] for d in calc.dates}
    assert "CRD" in kinds and "ARD" not in kinds and calc.licence_expiry is not None
    assert calc.input["terms"][0]["offence_date"] == "2015-02-03"
    assert "between 20 January 2015 and 3 February 2015" in calc.dates[0]["steps"][0]


async def test_an_older_sentence_event_without_offence_dates_assumes_the_sentence_date_and_says_so(
    db: AsyncSession,
) -> None:
    pid = await person(db)
    await service.arrival_from_court_event(db, custodial_sentence(pid, months=6))
    term = await db.scalar(select(SentenceTerm).where(SentenceTerm.person_id == pid))
    assert term is not None and term.offence_date == date(2025, 3, 10) and term.offence_date_assumed
    calc = await _current(db, pid)
    for d in calc.dates:
        assert d["steps"][0].startswith("Term C11: the court's sentence did not give the offence date")
    assert calc.input["notes"] == [calc.dates[0]["steps"][0]]
    assert calc.licence_expiry is not None  # the assumed 2025 offence date: on licence


async def test_a_real_court_sentence_carries_the_court_and_offence_dates_custody_uses(db: AsyncSession) -> None:
    u = await units(db)
    case = await charged_case(db, u, charges_each=1, urn="01AB5550125")
    charge = await db.get_one(Charge, case.charge_ids[0][0])
    charge.offence_date_from, charge.offence_date_to = date(2014, 10, 1), date(2014, 10, 31)
    await db.flush()
    actor = clerk(u.magistrates_id)
    hearing_id = await courts.list_hearing(
        db,
        actor,
        HearingListIn(
            case_id=case.case_id,
            court_unit_code=u.magistrates_code,
            hearing_type_code="FH",
            starts_at=FIRST_HEARING_AT,
            courtroom="1",
        ),
        now=NOW,
    )
    await courts.record_outcomes(
        db,
        actor,
        hearing_id,
        ResultsIn.model_validate({"results": [{"charge_id": charge.id, "outcome": "guilty_plea"}]}),
        now=ON_THE_DAY,
    )
    sentence = {
        "defendant_id": case.defendant_ids[0],
        "disposals": [{"kind": "custodial", "terms": [{"charge_id": charge.id, "length": {"months": 4}}]}],
    }
    await courts.impose_sentence(db, actor, hearing_id, SentenceIn.model_validate(sentence), now=ON_THE_DAY)
    row = await db.scalar(
        select(OutboxEvent).where(
            OutboxEvent.type == "court.sentence.imposed",
            OutboxEvent.person_ids["person"].astext == str(case.person_ids[0]),
        )
    )
    assert row is not None
    data = row.data
    assert data["courtUnitCode"] == u.magistrates_code == data["unitCode"]
    assert data["charges"] == [
        {
            "chargeId": charge.id,
            "offenceCode": "TH68010",
            "offenceDateFrom": "2014-10-01",
            "offenceDateTo": "2014-10-31",
        }
    ]

    event = event_from_row(row)
    await service.arrival_from_court_event(db, event)
    term = await db.scalar(select(SentenceTerm).where(SentenceTerm.person_id == case.person_ids[0]))
    assert term is not None and term.offence_date == date(2014, 10, 31) and not term.offence_date_assumed
    calc = await _current(db, case.person_ids[0])
    assert "ARD" in {d["kind"] for d in calc.dates}  # offence before February 2015: no licence
    arrival = await db.scalar(select(ExpectedArrival).where(ExpectedArrival.person_id == case.person_ids[0]))
    assert arrival is not None and arrival.from_court == data["courtName"]
