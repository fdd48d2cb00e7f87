"""The journey through the agencies (issue 7, item 5), driven through the API by the staff concerned
(signed in with real sessions and CSRF tokens), running the worker's relay between steps and
asserting each receiving agency's work queue as its own staff see it:

police case file → CPS charge → (hand-off) first hearing to list at the magistrates' court → the
court lists it → guilty plea, conviction, custodial sentence → (hand-off) the prison's expected
arrival and release dates → reception → release on licence (event held back 45 minutes; the clock is
stepped, never slept) → (hand-off) licence case in the delivery unit's unallocated queue → allocation
→ missed appointments → enforcement: warning, then "consider recall" → recall recommended,
countersigned and decided → the prison's expected return → reception back into prison.

Caselink reads the wall clock, so months of a real journey are compressed into minutes: the hearing
is listed a couple of minutes ahead (results are taken from the hearing's day, not its hour), and the
prison and probation key times a few minutes back (late keying is allowed), so that the missed
appointments fall after the release and before their outcomes are recorded. The test is skipped in
the minutes around midnight, where that timeline would straddle two dates.

Not reachable through the API: a person's address (none of the APIs records one), so the licence
case goes to the default delivery unit with the basis saying so; the pre-allocation checks are
where a real unit would move it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import make_staff
from tests.sharing.journey_helpers import (
    KEYED_BACK,
    LISTED_AHEAD,
    closed_by_the_action,
    ok,
    open_tasks,
    publish_held_back_movements,
    relay,
    signed_in,
    skip_near_midnight,
    unit,
)

from caselink.organisations.models import OrganisationUnit
from caselink.platform.events.service import load_handler_modules, registry, sync_subscriptions

pytestmark = pytest.mark.usefixtures("reference_loaded")

LANCASHIRE_POLICE = "040000"
THEFT = "TH68001"
# custody/data/reception_prisons.json: Lancashire's courts send people to HMP Preston.
PRESTON = "PNI"
# probation/data/delivery_units.json: a person with no address goes to the default delivery unit.
DEFAULT_DELIVERY_UNIT = "PS-LDN-CAM"


async def test_police_file_to_recall_and_back_to_prison_through_the_api(app: FastAPI, db: AsyncSession) -> None:
    skip_near_midnight()
    load_handler_modules()
    await sync_subscriptions(db, registry)
    await db.commit()

    force = await unit(db, OrganisationUnit.code == LANCASHIRE_POLICE)
    police_unit = await unit(db, OrganisationUnit.kind == "police_unit", OrganisationUnit.code.startswith("04"))
    cps_area = await unit(db, OrganisationUnit.kind == "cps_area")
    court = await unit(db, OrganisationUnit.kind == "magistrates_court", OrganisationUnit.code.startswith("B04"))
    prison = await unit(db, OrganisationUnit.kind == "prison", OrganisationUnit.code == PRESTON)
    pdu = await unit(db, OrganisationUnit.code == DEFAULT_DELIVERY_UNIT)
    builder = await make_staff(db, "journey.police", ["police_case_builder"], police_unit)
    lawyer = await make_staff(db, "journey.lawyer", ["cps_lawyer"], cps_area)
    clerk = await make_staff(db, "journey.clerk", ["court_clerk"], court)
    adviser = await make_staff(db, "journey.adviser", ["court_legal_adviser"], court)
    records = await make_staff(db, "journey.records", ["prison_records_clerk"], prison)
    senior = await make_staff(db, "journey.spo", ["senior_probation_officer"], pdu)
    practitioner = await make_staff(db, "journey.pp", ["probation_practitioner"], pdu)

    # 1. The police submit the case file: the CPS area's queue gets the charging task.
    async with signed_in(app, db, builder) as police:
        created = await ok(
            await police.post(
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
            ),
            201,
        )
        case_id = created["id"]

    async with signed_in(app, db, lawyer) as cps:
        assert [t["subject_id"] for t in await open_tasks(cps, "prosecution.charging_decision")] == [str(case_id)]

        # 2. The CPS lawyer charges.
        case = await ok(await cps.get(f"/api/v1/prosecution/cases/{case_id}"))
        await ok(
            await cps.post(
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
            ),
            201,
        )

    # 3. Hand-off: the magistrates' court of Lancashire has a first hearing to list.
    await relay(db)
    async with signed_in(app, db, clerk) as court_api:
        [listing_task] = await open_tasks(court_api, "courts.first_hearing.list")
        assert listing_task["subject_id"] == str(case_id)
        assert listing_task["owner_type"] == "unit" and listing_task["owner_id"] == court.id

        # 4. The court lists the first hearing later today (results are taken from the hearing's
        # day; skip_near_midnight keeps "later today" on the same date).
        r = await court_api.post(
            "/api/v1/courts/hearings",
            json={
                "case_id": case_id,
                "court_unit_code": court.code,
                "hearing_type_code": "FH",
                "starts_at": (datetime.now(UTC) + LISTED_AHEAD).isoformat(),
                "courtroom": "1",
            },
        )
        await ok(r, 201)
        hearing_url = r.headers["location"]
        hearing = await ok(await court_api.get(hearing_url))
        [defendant] = hearing["defendants"]
        [charge] = defendant["charges"]
        assert charge["before_court"] is True
        person_id = defendant["person_id"]
        # Listing the hearing closed the hand-off's listing task by itself.
        assert await open_tasks(court_api, "courts.first_hearing.list") == []
        await closed_by_the_action(court_api, listing_task, "First hearing listed at ")

    # 5. At the hearing the legal adviser records the guilty plea, the conviction on it and a
    # custodial sentence.
    async with signed_in(app, db, adviser) as court_api:
        hearing_id = hearing["id"]
        await ok(
            await court_api.post(
                f"/api/v1/courts/hearings/{hearing_id}/pleas",
                json={"pleas": [{"charge_id": charge["charge_id"], "plea_code": "G"}]},
            )
        )
        await ok(
            await court_api.post(
                f"/api/v1/courts/hearings/{hearing_id}/outcomes",
                json={"results": [{"charge_id": charge["charge_id"], "outcome": "guilty_plea"}]},
            )
        )
        await ok(
            await court_api.post(
                f"/api/v1/courts/hearings/{hearing_id}/sentences",
                json={
                    "defendant_id": defendant["defendant_id"],
                    "disposals": [
                        {"kind": "custodial", "terms": [{"charge_id": charge["charge_id"], "length": {"months": 4}}]}
                    ],
                },
            ),
            201,
        )
        sentenced = await ok(await court_api.get(hearing_url))
        [result] = sentenced["defendants"][0]["charges"]
        assert (result["plea"], result["outcome"], result["verdict_code"]) == ("guilty", "guilty_plea", "G")
        assert sentenced["defendants"][0]["sentence"]["disposals"][0]["kind"] == "custodial"
        sentenced_on = date.fromisoformat(sentenced["defendants"][0]["sentence"]["sentenced_on"])

    # 6. Hand-off: HMP Preston expects the person, with a task in its queue, and has their release
    # dates worked out from the court's sentence.
    await relay(db)
    async with signed_in(app, db, records) as prison_api:
        arrivals = await ok(await prison_api.get("/api/v1/custody/expected-arrivals"))
        assert arrivals["prison_code"] == PRESTON
        [arrival] = [a for a in arrivals["items"] if a["person_id"] == person_id]
        assert (arrival["reason"], arrival["expected_on"]) == ("sentence", sentenced_on.isoformat())
        assert arrival["from_court"] == court.name
        [arrival_task] = await open_tasks(prison_api, "custody.expected_arrival", subject_id=str(person_id))
        assert arrival_task["owner_type"] == "unit" and arrival_task["owner_id"] == prison.id
        assert "sentenced to custody" in arrival_task["title"]

        calculated = await ok(await prison_api.get(f"/api/v1/custody/people/{person_id}/release-dates"))
        assert calculated["current"] is not None, calculated
        dates = {d["kind"]: date.fromisoformat(d["date"]) for d in calculated["current"]["dates"]}
        # Worked out under the rule packs in force (the release point is theirs to say): the
        # automatic release date falls within the four months, the licence runs to their end.
        assert sentenced_on < dates["CRD"] < dates["SED"] < sentenced_on + timedelta(days=125), dates
        assert [(t["id"], t["source"]) for t in calculated["terms"]] == [(f"C{charge['charge_id']}", "court")]

        # 7. Reception by the prison, then (the journey compressed) release on licence. Both keyed
        # a few minutes back, so that probation's missed appointments can fall between them and now.
        keyed_from = datetime.now(UTC) - KEYED_BACK
        r = await prison_api.post(
            "/api/v1/custody/receptions",
            json={
                "person_id": person_id,
                "expected_arrival_id": arrival["id"],
                "legal_status": "sentenced",
                "location": "A-1-001",
                "received_at": keyed_from.isoformat(),
            },
        )
        await ok(r, 201)
        booking_url = r.headers["location"]
        booking = await ok(await prison_api.get(booking_url))
        assert (booking["prison_code"], booking["status"]) == (PRESTON, "active")
        after = await ok(await prison_api.get("/api/v1/custody/expected-arrivals"))
        assert person_id not in [a["person_id"] for a in after["items"]]
        # The reception closed the expected-arrival task by itself.
        assert await open_tasks(prison_api, "custody.expected_arrival", subject_id=str(person_id)) == []
        await closed_by_the_action(prison_api, arrival_task, "Received at ")

        released_at = keyed_from + timedelta(seconds=30)
        await ok(
            await prison_api.post(
                f"/api/v1/custody/bookings/{booking['id']}/movements",
                json={"kind": "release", "on_licence": True, "occurred_at": released_at.isoformat()},
            ),
            201,
        )
        booking = await ok(await prison_api.get(booking_url))
        assert booking["status"] == "released"
        [release] = [m for m in booking["movements"] if m["kind"] == "release"]
        assert release["published_at"] is None and release["event_due_at"] is not None

    # 8. Nothing reaches probation while the release is held back (it could still be reversed) ...
    await relay(db)
    async with signed_in(app, db, senior) as spo:
        assert await ok(await spo.get(f"/api/v1/probation/people/{person_id}/cases")) == []

    # ... until the hold-back has passed: the clock is stepped, then the relay runs.
    assert await publish_held_back_movements(db) == 2  # the reception and the release
    await relay(db)

    # 9. Hand-off: a licence case in the delivery unit's unallocated queue, with its pre-allocation
    # and first-appointment tasks in the unit's queue, seen by the senior probation officer.
    async with signed_in(app, db, senior) as spo:
        queue = await ok(await spo.get("/api/v1/probation/unallocated"))
        [queued] = [row for row in queue["items"] if row["person_id"] == person_id]
        assert queued["kind"] == "licence"
        assert queued["start_date"] == released_at.date().isoformat()
        assert "No current address" in queued["basis"]
        licence_case_id = queued["case_id"]
        subject = f"probation-case/{licence_case_id}"
        [pre_allocation] = await open_tasks(spo, "probation.pre_allocation", subject_id=subject)
        [first_appointment] = await open_tasks(spo, "probation.first_appointment", subject_id=subject)
        for task in (pre_allocation, first_appointment):
            assert task["owner_type"] == "unit" and task["owner_id"] == pdu.id

        # 10. The senior officer allocates the case to a practitioner of the unit.
        candidates = await ok(await spo.get(f"/api/v1/probation/cases/{licence_case_id}/practitioners"))
        assert practitioner.id in [c["staff_id"] for c in candidates]
        allocated = await ok(
            await spo.post(
                f"/api/v1/probation/cases/{licence_case_id}/allocation",
                json={"staff_id": practitioner.id, "notes": "Journey test"},
            )
        )
        assert (allocated["status"], allocated["practitioner_staff_id"]) == ("allocated", practitioner.id)
        queue = await ok(await spo.get("/api/v1/probation/unallocated"))
        assert licence_case_id not in [row["case_id"] for row in queue["items"]]
        assert await open_tasks(spo, "probation.pre_allocation", subject_id=subject) == []
    await relay(db)

    # 11. The practitioner has the first appointment to book; the person misses two appointments.
    async with signed_in(app, db, practitioner) as pp:
        [mine] = await open_tasks(pp, "probation.first_appointment", subject_id=subject)
        assert mine["owner_type"] == "staff" and mine["owner_id"] == practitioner.id
        caseload = await ok(await pp.get("/api/v1/probation/caseload"))
        assert licence_case_id in [row["case_id"] for row in caseload["items"]]

        # The practitioner books two appointments after the release (the first closes the
        # first-appointment task) and records that the person missed both without a reason.
        contact_ids = []
        for starts_at in (released_at + timedelta(minutes=1), released_at + timedelta(minutes=2)):
            r = await pp.post(
                f"/api/v1/probation/cases/{licence_case_id}/contacts",
                json={"type": "office_appointment", "starts_at": starts_at.isoformat(), "location": "Camden office"},
            )
            contact_ids.append((await ok(r, 201))["id"])
        assert await open_tasks(pp, "probation.first_appointment", subject_id=subject) == []
        await closed_by_the_action(pp, mine, "First appointment booked: office appointment")
        enforcement = []
        for contact_id in contact_ids:
            outcome = await ok(
                await pp.post(
                    f"/api/v1/probation/contacts/{contact_id}/outcome",
                    json={"outcome": "unacceptable_absence", "notes": "Did not attend; no contact."},
                )
            )
            enforcement.append(outcome["enforcement"])
        # The enforcement rule pack for licences: one warning, then a recall review.
        assert enforcement == ["warning", "recall_review"]
        [warning] = await open_tasks(pp, "probation.enforcement.warning")
        [consider_recall] = await open_tasks(pp, "probation.enforcement.recall_review")
        for task in (warning, consider_recall):
            assert (task["owner_type"], task["owner_id"], task["subject_id"]) == (
                "staff",
                practitioner.id,
                str(person_id),
            )
        assert consider_recall["title"].startswith("Consider recall")
        supervision = await ok(await pp.get(f"/api/v1/probation/cases/{licence_case_id}/supervision"))
        assert supervision["failures_in_window"] == 2

        # 12. The practitioner recommends recall.
        r = await pp.post(
            f"/api/v1/probation/cases/{licence_case_id}/recalls",
            json={"recall_type": "standard", "reasons": "Two missed appointments; whereabouts unknown."},
        )
        recall_id = (await ok(r, 201))["id"]
        # The recommendation answers "consider recall"; the warning letter is still to send.
        await closed_by_the_action(pp, consider_recall, "Recall recommended (standard)")
        assert [t["id"] for t in await open_tasks(pp, "probation.enforcement.warning")] == [warning["id"]]
    await relay(db)

    # 13. The senior officer sees it to countersign, countersigns and decides to recall.
    async with signed_in(app, db, senior) as spo:
        waiting = await ok(await spo.get("/api/v1/probation/recalls"))
        assert [(w["id"], w["status"]) for w in waiting] == [(recall_id, "awaiting_countersignature")]
        [countersign_task] = await open_tasks(spo, "probation.recall.countersign", subject_id=str(person_id))
        assert countersign_task["owner_type"] == "unit" and countersign_task["owner_id"] == pdu.id
        r = await spo.post(f"/api/v1/probation/recalls/{recall_id}/countersign", json={"notes": "Agreed."})
        assert r.status_code == 204, r.text
        assert await open_tasks(spo, "probation.recall.countersign", subject_id=str(person_id)) == []
        await closed_by_the_action(spo, countersign_task, "Recall recommendation countersigned.")
        decided = await ok(
            await spo.post(f"/api/v1/probation/recalls/{recall_id}/decision", json={"recall": True, "notes": "Recall."})
        )
        assert (decided["status"], decided["prison_code"]) == ("recalled", PRESTON)
        assert decided["expected_arrival_id"] is not None

    # 14. Hand-off: the prison that released the person expects them back, with a task in its queue
    # (made in the decision's own transaction; the relay runs for the event's other subscribers).
    await relay(db)
    async with signed_in(app, db, records) as prison_api:
        arrivals = await ok(await prison_api.get("/api/v1/custody/expected-arrivals"))
        [expected_back] = [a for a in arrivals["items"] if a["person_id"] == person_id]
        assert expected_back["id"] == decided["expected_arrival_id"]
        [return_task] = await open_tasks(prison_api, "custody.expected_arrival", subject_id=str(person_id))
        assert return_task["owner_type"] == "unit" and return_task["owner_id"] == prison.id

        # 15. Reception back into prison: a new booking with the same prison number.
        r = await prison_api.post(
            "/api/v1/custody/receptions",
            json={"person_id": person_id, "expected_arrival_id": expected_back["id"], "legal_status": "sentenced"},
        )
        await ok(r, 201)
        back = await ok(await prison_api.get(r.headers["location"]))
        assert (back["prison_code"], back["status"], back["prison_number"]) == (
            PRESTON,
            "active",
            booking["prison_number"],
        )
        roll = await ok(await prison_api.get(f"/api/v1/custody/prisons/{PRESTON}/roll"))
        assert person_id in [row["person_id"] for row in roll["items"]]
        arrivals = await ok(await prison_api.get("/api/v1/custody/expected-arrivals"))
        assert person_id not in [a["person_id"] for a in arrivals["items"]]
