"""Demo probation work: the demo practitioner's caseload, the unpaid work supervisor's sessions, the
senior officer's team, about a year of contacts with outcomes, counters that match the contacts,
and a delete that leaves nothing behind."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from tests.demo.demo_helpers import clean, demo_actor, fetch, no_demo_data_after, run  # noqa: F401 - a fixture
from tests.people.people_factory import client_as

from caselink.demo.cases import LONDON
from caselink.demo.probation import DEMO_STAFF_PREFIX
from caselink.demo.service import load_demo_people

pytestmark = pytest.mark.usefixtures("reference_loaded", "no_demo_data_after")
PEOPLE = 600
DEMO_PROBATION = "SELECT c.id FROM probation_cases c JOIN persons p ON p.id = c.person_id WHERE p.is_demo"


@pytest.fixture
def loaded(database_url: str) -> None:
    run(load_demo_people(database_url, PEOPLE, seed=5, replace=True, cases_fraction=0.3))


TIER_TAG = re.compile(r'<strong class="govuk-tag">([A-D][0-3])</strong>')
CASE_LINK = re.compile(r'href="/probation/cases/(\d+)"')
SESSION_LINK = re.compile(r'href="/probation/upw/sessions/(\d+)"')


@pytest.mark.usefixtures("loaded")
async def test_the_demo_practitioner_has_a_caseload_with_tiers_and_appointments(app: FastAPI, db: AsyncSession) -> None:
    practitioner = await demo_actor(db, "demo.probation-practitioner")
    async with client_as(app, practitioner) as web:
        page = await web.get("/probation/caseload")
        assert page.status_code == 200
        cases = CASE_LINK.findall(page.text)
        assert len(cases) >= 5
        tiers = TIER_TAG.findall(page.text)
        assert len(tiers) == len(cases)
        assert tiers == sorted(tiers)  # highest tier first
        # The next appointments are booked: dates, not "None booked", for most cases.
        booked = re.findall(r"\d{1,2} \w+ \d{4} \d\d:\d\d", page.text)
        assert len(booked) >= len(cases) // 2
        case = await web.get(f"/probation/cases/{cases[0]}")
        assert case.status_code == 200
        contacts = await web.get(f"/probation/cases/{cases[0]}/contacts")
        assert contacts.status_code == 200 and "Attended" in contacts.text
        supervision = await web.get(f"/probation/cases/{cases[0]}/supervision")
        assert supervision.status_code == 200
    # Flags and overdue actions show for some of the caseload.
    overdue = await db.scalar(
        text(
            "SELECT count(*) FROM tasks t JOIN probation_cases c ON t.subject_id = 'probation-case/' || c.id "
            "WHERE c.practitioner_staff_id = :staff AND t.status = 'open' AND t.due_date < current_date"
        ),
        {"staff": practitioner.id},
    )
    assert overdue


@pytest.mark.usefixtures("loaded")
async def test_the_demo_unit_has_a_queue_and_a_team(app: FastAPI, db: AsyncSession) -> None:
    senior = await demo_actor(db, "demo.senior-probation-officer")
    async with client_as(app, senior) as web:
        team = await web.get("/probation/team")
        assert team.status_code == 200
        assert "Demo probation practitioner" in team.text
        queue = await web.get("/probation/unallocated")
        assert queue.status_code == 200 and CASE_LINK.search(queue.text)


@pytest.mark.usefixtures("loaded")
async def test_the_upw_supervisor_sees_sessions_with_places(app: FastAPI, db: AsyncSession) -> None:
    supervisor = await demo_actor(db, "demo.unpaid-work-supervisor")
    async with client_as(app, supervisor) as web:
        page = await web.get("/probation/upw/sessions")
        assert page.status_code == 200
        sessions = SESSION_LINK.findall(page.text)
        assert sessions
        session = await web.get(f"/probation/upw/sessions/{sessions[0]}")
        assert session.status_code == 200


@pytest.mark.usefixtures("loaded")
def test_about_a_year_of_contacts_with_counters_that_match(database_url: str) -> None:
    today = datetime.now(LONDON).date()
    (span,) = run(
        fetch(
            database_url,
            f"""
            SELECT min(starts_at)::date AS first, max(starts_at)::date AS last, count(*) AS contacts,
                   count(*) FILTER (WHERE outcome = 'attended_complied') AS complied,
                   count(*) FILTER (WHERE outcome IN ('unacceptable_absence', 'attended_failed_to_comply')) AS failed,
                   count(*) FILTER (WHERE starts_at > now() AND outcome IS NULL) AS booked
            FROM probation_contacts WHERE case_id IN ({DEMO_PROBATION})
            """,
        )
    )
    first: date = span["first"]
    assert today - timedelta(days=370) <= first < today - timedelta(days=200)
    assert today < span["last"] <= today + timedelta(days=30)
    assert span["complied"] > 0.8 * (span["contacts"] - span["booked"]) * 0.9
    assert span["failed"] and span["booked"]
    # Each failure led to enforcement; hours and RAR days credited match the contacts.
    mismatched = run(
        fetch(
            database_url,
            f"""
            SELECT r.id FROM probation_requirements r
            WHERE r.case_id IN ({DEMO_PROBATION}) AND (
                r.minutes_worked <> (SELECT coalesce(sum(minutes_credited), 0) FROM probation_contacts c
                                     WHERE c.requirement_id = r.id)
                OR (r.kind = 'rehabilitation_activity' AND r.days_used <> (
                    SELECT count(*) FROM probation_contacts c
                    WHERE c.requirement_id = r.id AND c.outcome = 'attended_complied')))
            """,
        )
    )
    assert mismatched == []
    (actions,) = run(
        fetch(
            database_url,
            f"""
            SELECT count(*) FILTER (WHERE a.id IS NULL) AS missing, count(a.id) AS actions
            FROM probation_contacts c LEFT JOIN probation_enforcement_actions a ON a.contact_id = c.id
            WHERE c.case_id IN ({DEMO_PROBATION})
              AND c.outcome IN ('unacceptable_absence', 'attended_failed_to_comply')
            """,
        )
    )
    assert actions["missing"] == 0 and actions["actions"] > 0
    # Every case has a tier from its person's latest assessment.
    (untiered,) = run(
        fetch(
            database_url,
            f"""
            SELECT count(*) FILTER (WHERE c.tier IS NULL) AS untiered,
                   count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM assessments a
                                    WHERE a.person_id = c.person_id AND a.status = 'completed')) AS unassessed
            FROM probation_cases c WHERE c.id IN ({DEMO_PROBATION})
            """,
        )
    )
    assert untiered["untiered"] == 0 and untiered["unassessed"] == 0


@pytest.mark.usefixtures("loaded")
def test_delete_removes_every_probation_row(database_url: str) -> None:
    (before,) = run(fetch(database_url, f"SELECT count(*) AS n FROM ({DEMO_PROBATION}) c"))
    assert before["n"] > 0
    run(clean(database_url))
    (after,) = run(
        fetch(
            database_url,
            """
            SELECT (SELECT count(*) FROM probation_cases c JOIN persons p ON p.id = c.person_id WHERE p.is_demo)
                   + (SELECT count(*) FROM probation_contacts WHERE created_by = 'caselink:demo')
                   + (SELECT count(*) FROM probation_upw_sessions WHERE created_by = 'caselink:demo')
                   + (SELECT count(*) FROM assessments a JOIN persons p ON p.id = a.person_id WHERE p.is_demo)
                   + (SELECT count(*) FROM person_registrations WHERE created_by = 'caselink:demo')
                   + (SELECT count(*) FROM tasks WHERE created_by = 'caselink:demo')
                   + (SELECT count(*) FROM staff WHERE username LIKE $1) AS left_over
            """,
            f"{DEMO_STAFF_PREFIX}%",
        )
    )
    assert after["left_over"] == 0


@pytest.mark.usefixtures("loaded")
async def test_the_demo_prison_offender_manager_has_prisoners_and_the_prison_an_unallocated_list(
    app: FastAPI, db: AsyncSession
) -> None:
    pom = await demo_actor(db, "demo.prison-offender-manager")
    mine = await db.scalar(
        text(
            "SELECT count(*) FROM custody_offender_manager_allocations a "
            "JOIN custody_bookings b ON b.id = a.booking_id "
            "WHERE a.staff_id = :staff AND a.ended_at IS NULL AND b.status = 'active' AND a.prison_unit_id = :prison"
        ),
        {"staff": pom.id, "prison": pom.unit_id},
    )
    assert mine
    async with client_as(app, pom) as web:
        page = await web.get("/custody/offender-management")
        assert page.status_code == 200
        assert len(re.findall(r'href="/custody/people/\d+', page.text)) >= min(int(mine), 5)
        unallocated = await web.get("/custody/offender-management/unallocated")
        assert unallocated.status_code == 200 and re.search(r'href="/custody/people/\d+', unallocated.text)
