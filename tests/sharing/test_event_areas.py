"""Area filters on subscriptions work on real events (issue 6): the emitters put the unit the event
is about (``unitCode``) and its region (``regionCode``) in the event, so a subscription for one
court, prison region or probation delivery unit gets that area's events and not another's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.courts.courts_factory import FIRST_HEARING_AT, charged_case, clerk, units
from tests.courts.courts_factory import NOW as COURT_NOW
from tests.custody.custody_factory import NOW as CUSTODY_NOW
from tests.custody.custody_factory import officer, prison_id
from tests.people.people_factory import add_person
from tests.sharing.sharing_helpers import api_user

from caselink.courts import service as courts
from caselink.courts.schemas import HearingListIn
from caselink.custody import rules as custody_rules
from caselink.custody import service as custody
from caselink.custody.schemas import ReceptionIn
from caselink.organisations.rules import region_code
from caselink.people.models import PersonAddress
from caselink.platform.access.actor import SYSTEM
from caselink.platform.events.models import OutboxEvent
from caselink.platform.events.service import event_from_row
from caselink.probation import rules as probation_rules
from caselink.probation import service as probation
from caselink.probation.rules import CaseKind
from caselink.sharing import service as sharing
from caselink.sharing.models import Subscription, WebhookDelivery

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _subscribe(client: httpx.AsyncClient, db: AsyncSession, scope: str, **body: Any) -> int:
    user = await api_user(client, db, "events:read", f"{scope}:read")
    made = await client.post(
        "/api/v1/subscriptions",
        json={"webhook_url": "https://supplier.example/hooks", **body},
        headers=user.headers,
    )
    assert made.status_code == 201, made.text
    found = await db.scalar(select(Subscription.id).where(Subscription.public_id == made.json()["id"]))
    assert found is not None
    return int(found)


async def _share(db: AsyncSession, type: str, person_ids: list[int]) -> dict[int, OutboxEvent]:
    """Hand the events of TYPE about these people to the sharing handler, as the relay would."""
    rows = (
        await db.scalars(
            select(OutboxEvent).where(
                OutboxEvent.type == type, OutboxEvent.person_ids["person"].astext.in_([str(p) for p in person_ids])
            )
        )
    ).all()
    by_person = {int(r.person_ids["person"]): r for r in rows}
    assert set(by_person) == set(person_ids), f"expected one {type} per person"
    for row in rows:
        await sharing.enqueue_event(db, event_from_row(row))
    await db.flush()
    return by_person


async def _delivered_positions(db: AsyncSession, subscription_id: int) -> set[int]:
    rows = await db.scalars(
        select(WebhookDelivery.event_position).where(WebhookDelivery.subscription_id == subscription_id)
    )
    return set(rows.all())


async def test_a_court_filter_gets_its_courts_events_and_not_another_courts(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    u = await units(db)
    sub = await _subscribe(client, db, "courts", event_types=["court.*"], units=[u.magistrates_code])
    people = []
    for court_id, code, urn in (
        (u.magistrates_id, u.magistrates_code, "01AB6660125"),
        (u.other_magistrates_id, None, "01AB6660225"),
    ):
        case = await charged_case(db, u, urn=urn)
        body = HearingListIn(
            case_id=case.case_id,
            court_unit_code=code or await _code_of(db, court_id),
            hearing_type_code="FH",
            starts_at=FIRST_HEARING_AT,
            courtroom="1",
        )
        await courts.list_hearing(db, clerk(court_id), body, now=COURT_NOW)
        people.append(case.person_ids[0])
    events = await _share(db, "court.hearing.listed", people)
    here, elsewhere = events[people[0]], events[people[1]]
    assert here.data["unitCode"] == here.data["courtUnitCode"] == u.magistrates_code
    assert elsewhere.data["unitCode"] != u.magistrates_code
    assert await _delivered_positions(db, sub) == {here.position}


async def _code_of(db: AsyncSession, unit_id: int) -> str:
    from caselink.organisations.models import OrganisationUnit

    return (await db.get_one(OrganisationUnit, unit_id)).code


async def test_a_region_filter_gets_custody_events_of_prisons_in_that_region_only(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    # HMP Pentonville (PVI) is in London, HMP Birmingham (BMI) in the West Midlands (units.json).
    sub = await _subscribe(client, db, "custody", event_types=["custody.*"], regions=["london"])
    people = []
    for prison in ("PVI", "BMI"):
        pid = await add_person(db, "Ray", f"Received{prison}")
        unit = await prison_id(db, prison)
        await custody.receive(
            db,
            officer(unit),
            ReceptionIn(person_id=pid, prison_code=prison, legal_status=custody_rules.LegalStatus.REMAND),
            now=CUSTODY_NOW,
        )
        people.append(pid)
    await custody.publish_due_movements(db, now=CUSTODY_NOW + timedelta(hours=2))
    events = await _share(db, "custody.person.received", people)
    london, midlands = events[people[0]], events[people[1]]
    assert (london.data["unitCode"], london.data["regionCode"]) == ("PVI", "london")
    assert (midlands.data["unitCode"], midlands.data["regionCode"]) == ("BMI", region_code("West Midlands"))
    assert await _delivered_positions(db, sub) == {london.position}


async def test_a_delivery_unit_filter_gets_probation_events_of_that_unit_only(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    # probation/data/delivery_units.json: postcode area NE goes to Newcastle upon Tyne (PS-NE-NEW);
    # a person with no address to the default delivery unit (PS-LDN-CAM).
    sub = await _subscribe(client, db, "probation", event_types=["probation.*"], units=["PS-NE-NEW"])
    north = await add_person(db, "Nell", "Northern")
    db.add(PersonAddress(person_id=north, line1="1 Grey Street", postcode="NE1 6EE"))
    south = await add_person(db, "Sam", "Southern")
    await db.flush()
    for pid in (north, south):
        spec = probation_rules.CaseSpec(CaseKind.COMMUNITY_ORDER, COURT_NOW.date(), None, {})
        await probation.create_case(
            db, SYSTEM, person_id=pid, spec=spec, source="court_sentence", source_reference=f"sentence/{pid}"
        )
    events = await _share(db, "probation.tier.changed", [north, south])
    assert (events[north].data["unitCode"], events[north].data["regionCode"]) == ("PS-NE-NEW", "north-east")
    assert events[south].data["unitCode"] == "PS-LDN-CAM"
    assert await _delivered_positions(db, sub) == {events[north].position}
