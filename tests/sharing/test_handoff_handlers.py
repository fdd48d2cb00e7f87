"""Hand-offs between agencies as idempotent handlers (issue 7 item 1): each creates the receiving
agency's task, and handling the same event twice creates it once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.courts.courts_factory import Units, charged_case, units

from caselink.courts import handlers as court_handlers
from caselink.courts.models import CourtHearing, CourtSentence
from caselink.custody import handoff_handlers as custody_handoffs
from caselink.custody.models import Booking
from caselink.organisations.models import OrganisationUnit
from caselink.platform.events.relay import run_batch
from caselink.platform.events.rules import Event
from caselink.platform.events.service import HandlerRegistry, emit, load_handler_modules, registry, sync_subscriptions
from caselink.platform.tasks.models import Task
from caselink.probation import handoff_handlers as probation_handoffs
from caselink.probation.models import ProbationCase
from caselink.prosecution import handlers as prosecution_handlers
from caselink.prosecution.models import Defendant, ProsecutionCase

pytestmark = pytest.mark.usefixtures("reference_loaded")

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
LANCASHIRE_POLICE = "040000"  # CJS OU code: area 04; its magistrates' courts are B04xxxx


def event(type: str, person_id: int, data: dict[str, Any]) -> Event:
    return Event(
        position=0,
        id=uuid.uuid4(),
        type=type,
        source="caselink/test",
        subject=f"person/{person_id}",
        time=NOW,
        data=data,
        person_ids={"person": str(person_id)},
    )


async def tasks_of(db: AsyncSession, type: str) -> list[Task]:
    return list((await db.scalars(select(Task).where(Task.type == type).order_by(Task.id))).all())


def test_every_hand_off_handler_is_loaded_by_the_relay() -> None:
    load_handler_modules()
    for name in (
        court_handlers.FIRST_HEARING_HANDLER,
        court_handlers.BREACH_HEARING_HANDLER,
        prosecution_handlers.PERSON_CHANGES_HANDLER,
        custody_handoffs.PERSON_CHANGES_HANDLER,
        probation_handoffs.PERSON_CHANGES_HANDLER,
    ):
        assert registry.get(name) is not None, name


async def _charge_laid(
    db: AsyncSession, u: Units, custody_status: str, force_code: str = LANCASHIRE_POLICE
) -> tuple[Event, int]:
    ids = await charged_case(db, u, defendants=1, charges_each=1)
    defendant = await db.get_one(Defendant, ids.defendant_ids[0])
    defendant.custody_status = custody_status
    case = await db.get_one(ProsecutionCase, ids.case_id)
    force = await db.scalar(select(OrganisationUnit.id).where(OrganisationUnit.code == force_code))
    assert force is not None
    case.police_force_unit_id = force
    await db.flush()
    laid = event(
        "prosecution.charge.laid",
        ids.person_ids[0],
        {"caseId": ids.case_id, "defendantId": defendant.id, "chargedOn": "2025-03-03", "charges": []},
    )
    return laid, ids.case_id


async def test_charge_laid_puts_a_listing_task_in_the_area_magistrates_court_once(db: AsyncSession) -> None:
    u = await units(db)
    laid, case_id = await _charge_laid(db, u, "conditional_bail")
    await court_handlers.first_hearing_to_list(db, laid)
    await court_handlers.first_hearing_to_list(db, laid)  # replayed

    [task] = await tasks_of(db, "courts.first_hearing.list")
    court = await db.get_one(OrganisationUnit, task.owner_id)
    assert (task.owner_type, task.unit_id) == ("unit", court.id)
    assert court.kind == "magistrates_court" and court.code.startswith("B04")
    assert (task.subject_type, task.subject_id) == ("case", str(case_id))
    assert task.due_date == date(2025, 3, 17)  # 10 working days after charge
    assert task.source_event_id == laid.id


@pytest.mark.parametrize(
    "force_code",
    ["020000", "480000"],  # Metropolitan Police Service, City of London Police: no courts of their own code
)
async def test_a_london_force_s_charge_is_listed_at_a_london_magistrates_court(
    db: AsyncSession, force_code: str
) -> None:
    laid, _ = await _charge_laid(db, await units(db), "conditional_bail", force_code)
    await court_handlers.first_hearing_to_list(db, laid)
    [task] = await tasks_of(db, "courts.first_hearing.list")
    court = await db.get_one(OrganisationUnit, task.owner_id)
    assert court.kind == "magistrates_court" and court.code.startswith("B01")


async def test_a_national_force_s_charge_fails_loudly_rather_than_guessing_a_court(db: AsyncSession) -> None:
    laid, _ = await _charge_laid(db, await units(db), "conditional_bail", "930000")  # British Transport Police
    with pytest.raises(court_handlers.NoCourtForHandOff, match="930000"):
        await court_handlers.first_hearing_to_list(db, laid)


async def test_a_defendant_in_custody_is_listed_the_next_working_day(db: AsyncSession) -> None:
    laid, _ = await _charge_laid(db, await units(db), "in_custody")
    await court_handlers.first_hearing_to_list(db, laid)
    [task] = await tasks_of(db, "courts.first_hearing.list")
    assert task.due_date == date(2025, 3, 4)
    assert task.priority == 1


async def test_a_case_already_listed_needs_no_listing_task(db: AsyncSession) -> None:
    u = await units(db)
    laid, case_id = await _charge_laid(db, u, "conditional_bail")
    await _hearing_with_sentence(db, u, case_id, int(laid.data["defendantId"]))
    await court_handlers.first_hearing_to_list(db, laid)
    assert await tasks_of(db, "courts.first_hearing.list") == []


async def _hearing_with_sentence(db: AsyncSession, u: Units, case_id: int, defendant_id: int) -> int:
    hearing = CourtHearing(
        case_id=case_id,
        court_unit_id=u.magistrates_id,
        cps_area_unit_id=u.cps_area_id,
        court_type="magistrates",
        hearing_type_code="SEN",
        hearing_type="sentence",
        starts_at=datetime(2025, 2, 3, 10, tzinfo=UTC),
        sitting_date=date(2025, 2, 3),
        courtroom="1",
        status="heard",
        created_by="test",
    )
    db.add(hearing)
    await db.flush()
    db.add(
        CourtSentence(
            hearing_id=hearing.id,
            defendant_id=defendant_id,
            sentenced_on=date(2025, 2, 3),
            disposals=[{"kind": "community_order"}],
            result_codes=[],
            rule_pack="test",
            created_by="test",
        )
    )
    await db.flush()
    return hearing.id


async def test_breach_initiated_puts_a_breach_hearing_task_in_the_sentencing_court_once(db: AsyncSession) -> None:
    u = await units(db)
    ids = await charged_case(db, u, defendants=1, charges_each=1)
    await _hearing_with_sentence(db, u, ids.case_id, ids.defendant_ids[0])
    breach = event(
        "probation.breach.initiated",
        ids.person_ids[0],
        {"caseId": 9, "enforcementActionId": 77, "failuresInWindow": 2, "windowStart": "2024-09-03"},
    )

    await court_handlers.breach_hearing_to_list(db, breach)
    await court_handlers.breach_hearing_to_list(db, breach)

    [task] = await tasks_of(db, "courts.breach_hearing.list")
    assert (task.owner_type, task.owner_id) == ("unit", u.magistrates_id)
    assert (task.subject_type, task.subject_id) == ("person", str(ids.person_ids[0]))
    assert task.details["enforcementActionId"] == 77


async def test_a_breach_with_no_sentencing_court_fails_loudly_rather_than_vanishing(db: AsyncSession) -> None:
    ids = await charged_case(db, await units(db))
    with pytest.raises(court_handlers.NoCourtForHandOff, match="No court has sentenced"):
        await court_handlers.breach_hearing_to_list(db, event("probation.breach.initiated", ids.person_ids[0], {}))


async def test_a_risk_flag_tells_the_lawyer_the_prison_and_the_practitioner_once_each(db: AsyncSession) -> None:
    u = await units(db)
    ids = await charged_case(db, u, defendants=1, charges_each=1)
    person_id = ids.person_ids[0]
    prison = await db.scalar(select(OrganisationUnit.id).where(OrganisationUnit.kind == "prison").limit(1))
    pdu = await db.scalar(
        select(OrganisationUnit.id).where(OrganisationUnit.kind == "probation_delivery_unit").limit(1)
    )
    assert prison is not None and pdu is not None
    db.add(
        Booking(
            person_id=person_id,
            prison_unit_id=prison,
            prison_number="A9999ZZ",
            legal_status="remand",
            received_at=NOW,
            created_by="test",
        )
    )
    db.add(
        ProbationCase(
            person_id=person_id,
            kind="community_order",
            status="unallocated",
            delivery_unit_id=pdu,
            start_date=date(2025, 2, 3),
            source="manual",
            created_by="test",
        )
    )
    await db.flush()
    flag = event("people.registration.added", person_id, {"registrationId": 1, "type": "MAPPA"})

    handlers = HandlerRegistry()
    for module in (prosecution_handlers, custody_handoffs, probation_handoffs):
        handler = registry.get(module.PERSON_CHANGES_HANDLER)
        assert handler is not None
        handlers.register(handler.name, handler.event_types, handler.fn)
    # Through the outbox and relay, then replayed by hand: still one task per agency.
    await sync_subscriptions(db, handlers)
    emitted = await emit(db, flag.type, flag.subject, person_ids={"person": person_id}, data=flag.data, time=NOW)
    assert emitted.deliveries >= 3
    result = await run_batch(db, handlers, now=datetime.now(UTC))
    assert result.errors == []
    for handler in handlers:
        replayed = Event(**{**flag.__dict__, "id": emitted.id, "position": emitted.position})
        await handler.fn(db, replayed)

    cps, prison_tasks, probation = (
        await tasks_of(db, "prosecution.person_change"),
        await tasks_of(db, "custody.person_change"),
        await tasks_of(db, "probation.person_change"),
    )
    assert [(t.owner_type, t.owner_id) for t in cps] == [("unit", u.cps_area_id)]  # no lawyer allocated yet
    assert [(t.owner_type, t.owner_id) for t in prison_tasks] == [("unit", prison)]
    assert [(t.owner_type, t.owner_id) for t in probation] == [("unit", pdu)]
    assert cps[0].title == "Risk flag MAPPA added"
    assert await db.scalar(select(func.count()).select_from(Task).where(Task.source_event_id == emitted.id)) == 3


async def test_an_allocated_lawyer_is_told_of_a_tier_change_in_person(db: AsyncSession) -> None:
    u = await units(db)
    ids = await charged_case(db, u, defendants=1, charges_each=1)
    from tests.prosecution.prosecution_factory import _staff

    lawyer = await _staff(db, "handoff-lawyer", u.cps_area_id, "cps_lawyer", "cps")
    case = await db.get_one(ProsecutionCase, ids.case_id)
    case.allocated_lawyer_id = lawyer.id
    await db.flush()
    tier = event("probation.tier.changed", ids.person_ids[0], {"caseId": 1, "from": "C2", "to": "B1"})
    await prosecution_handlers.tell_lawyers_of_person_change(db, tier)
    await prosecution_handlers.tell_lawyers_of_person_change(db, tier)
    [task] = await tasks_of(db, "prosecution.person_change")
    assert (task.owner_type, task.owner_id, task.unit_id) == ("staff", lawyer.id, u.cps_area_id)
    assert task.title == "Probation tier changed to B1"


async def test_a_merge_with_no_open_cases_tells_nobody(db: AsyncSession) -> None:
    from tests.people.people_factory import add_person

    person_id = await add_person(db, "Nobody", "Held")
    merged = event("people.person.merged", person_id, {"mergeId": 1, "survivorId": person_id, "mergedId": 2})
    for fn in (
        prosecution_handlers.tell_lawyers_of_person_change,
        custody_handoffs.tell_prison_of_person_change,
        probation_handoffs.tell_practitioner_of_person_change,
    ):
        await fn(db, merged)
    assert await db.scalar(select(func.count()).select_from(Task).where(Task.type.like("%.person_change"))) == 0
