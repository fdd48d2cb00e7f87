"""Demo cases across the agencies: what the demo logins' pages list, valid rows, same seed → same data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.demo.demo_helpers import demo_actor, fetch, no_demo_data_after, run  # noqa: F401 - a fixture

from caselink.courts import service as courts_service
from caselink.courts.rules import TrialEffectiveness, TrialReason
from caselink.custody import service as custody_service
from caselink.demo.cases import LONDON
from caselink.demo.service import load_demo_people
from caselink.people.rules import parse_urn
from caselink.prosecution import service as prosecution_service
from caselink.reporting import service as reporting_service

pytestmark = pytest.mark.usefixtures("reference_loaded", "no_demo_data_after")
PEOPLE = 300


@pytest.fixture
def loaded(database_url: str) -> None:
    run(load_demo_people(database_url, PEOPLE, seed=7, replace=True, cases_fraction=0.3))


def _today() -> date:
    return datetime.now(LONDON).date()


@pytest.mark.usefixtures("loaded")
async def test_the_demo_lawyer_has_cases_by_next_hearing(db: AsyncSession) -> None:
    lawyer = await demo_actor(db, "demo.cps-lawyer")
    found = await prosecution_service.lawyer_cases(db, lawyer)
    assert found.total > 0
    assert all(item.defendant_names for item in found.items)
    hearings = [item.next_hearing_at for item in found.items if item.next_hearing_at is not None]
    assert hearings == sorted(hearings)
    # A listed case's readiness is shown from the counts kept on it.
    assert any(item.readiness is not None for item in found.items)
    record = await prosecution_service.get_case(db, lawyer, found.items[0].id)
    assert record.defendants and record.charges


@pytest.mark.usefixtures("loaded")
async def test_the_demo_court_has_daily_lists_around_today(db: AsyncSession) -> None:
    clerk = await demo_actor(db, "demo.court-clerk")
    assert clerk.unit_id is not None
    days = [_today() + timedelta(days=n) for n in range(8)]
    lists = [await courts_service.daily_list(db, clerk, clerk.unit_id, day) for day in days]
    listed = [item for result in lists for item in result.items]
    assert listed, "no hearings at the demo court in the coming week"
    assert all(item.defendants and parse_urn(item.urn).valid for item in listed)
    hearing = await courts_service.get_hearing(db, clerk, listed[0].hearing_id)
    assert hearing.id == listed[0].hearing_id


@pytest.mark.usefixtures("loaded")
async def test_the_demo_prison_has_a_roll(db: AsyncSession) -> None:
    clerk = await demo_actor(db, "demo.prison-records-clerk")
    roll = await custody_service.roll(db, clerk, None)
    assert roll.total > 0
    assert all(entry.prison_number and entry.location for entry in roll.items)


@pytest.mark.usefixtures("loaded")
async def test_the_demo_lawyers_area_has_outcome_measures_for_the_year(db: AsyncSession) -> None:
    lawyer = await demo_actor(db, "demo.cps-lawyer")
    assert lawyer.unit_code is not None
    today = _today()
    dashboard = await reporting_service.outcome_dashboard(
        db, lawyer, lawyer.unit_code, today - timedelta(days=365), today
    )
    assert dashboard.measures.finalised > 0


@pytest.mark.usefixtures("loaded")
def test_rows_keep_the_services_invariants(database_url: str) -> None:
    # Laid charges of a concluded case have all ended; every finalised defendant's charges have outcomes.
    open_in_concluded = run(
        fetch(
            database_url,
            "SELECT count(*) AS n FROM charges c JOIN prosecution_cases p ON p.id = c.case_id "
            "WHERE p.status = 'concluded' AND c.status = 'charged'",
        )
    )
    assert open_in_concluded[0]["n"] == 0
    missing_outcomes = run(
        fetch(
            database_url,
            "SELECT count(*) AS n FROM court_finalisations f JOIN charges c ON c.defendant_id = f.defendant_id "
            "LEFT JOIN court_charge_outcomes o ON o.charge_id = c.id "
            "WHERE c.status IN ('charged', 'concluded') AND o.id IS NULL",
        )
    )
    assert missing_outcomes[0]["n"] == 0
    # The next hearing kept on a case is its earliest listed hearing from today on.
    wrong_next = run(
        fetch(
            database_url,
            """
            SELECT count(*) AS n FROM prosecution_cases p
            WHERE p.is_demo AND p.next_hearing_id IS DISTINCT FROM (
                SELECT h.id FROM court_hearings h
                WHERE h.case_id = p.id AND h.status = 'listed' AND h.sitting_date >= $1
                ORDER BY h.starts_at, h.id LIMIT 1)
            """,
            _today(),
        )
    )
    assert wrong_next[0]["n"] == 0
    # Trial records carry the courts' own effectiveness and reason values, each reason of its kind.
    trials = run(
        fetch(
            database_url,
            "SELECT DISTINCT trial_effectiveness, trial_reason FROM court_hearings "
            "WHERE trial_effectiveness IS NOT NULL",
        )
    )
    assert trials
    for row in trials:
        effectiveness = TrialEffectiveness(row["trial_effectiveness"])
        assert row["trial_reason"] is None or TrialReason(row["trial_reason"]).applies_to is effectiveness


def _fingerprint(database_url: str) -> list[tuple[Any, ...]]:
    """The cases as a person sees them (no ids, which depend on the sequences)."""
    rows = run(
        fetch(
            database_url,
            """
            SELECT p.urn, p.status, p.custody_status, p.allocated_lawyer_id IS NOT NULL AS allocated,
                   p.next_hearing_at,
                   (SELECT string_agg(concat_ws(':', pe.given_name, pe.family_name, c.offence_code, c.status),
                                      ',' ORDER BY d.position, c.id)
                    FROM defendants d JOIN persons pe ON pe.id = d.person_id JOIN charges c ON c.defendant_id = d.id
                    WHERE d.case_id = p.id) AS charges
            FROM prosecution_cases p WHERE p.is_demo ORDER BY p.urn
            """,
        )
    )
    return [tuple(r) for r in rows]


def test_the_same_seed_gives_the_same_cases(database_url: str) -> None:
    run(load_demo_people(database_url, 120, seed=11, replace=True, cases_fraction=0.5))
    first = _fingerprint(database_url)
    run(load_demo_people(database_url, 120, seed=11, replace=True, cases_fraction=0.5))
    assert _fingerprint(database_url) == first
    assert len(first) == 60
    run(load_demo_people(database_url, 120, seed=12, replace=True, cases_fraction=0.5))
    assert _fingerprint(database_url) != first
