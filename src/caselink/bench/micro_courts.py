"""Court daily list and outcome dashboard timings: ``python -m caselink.bench.micro_courts``.

Generates, inside one transaction that is rolled back at the end, ``--cases`` charged cases in one
CPS area over a year (one defendant each, a hearing per case spread over the court's sitting days,
a finalisation per case and a trial record for one case in five), then times the daily list query
of one court for one day and the outcome dashboard query for the area and the year.
Uses DATABASE_URL, or the embedded server of the data folder (standing data must be loaded).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.courts.service import daily_list_query
from caselink.db.engine import create_engine
from caselink.reporting import service as reporting

GENERATE = """
WITH area AS (SELECT id FROM organisation_units WHERE kind = 'cps_area' ORDER BY code LIMIT 1),
court AS (SELECT id FROM organisation_units WHERE kind = 'magistrates_court' ORDER BY code LIMIT 1),
force AS (SELECT id FROM organisation_units WHERE kind = 'police_force' ORDER BY code LIMIT 1),
police AS (SELECT id FROM organisation_units WHERE kind = 'police_unit' ORDER BY code LIMIT 1),
people AS (
  INSERT INTO persons (given_name, family_name, sex)
  SELECT 'Bench', 'Person' || g, 'not_known' FROM generate_series(1, :n) g RETURNING id
),
numbered AS (SELECT id, row_number() OVER () AS g FROM people),
cases AS (
  INSERT INTO prosecution_cases (urn, prosecuting_authority, police_force_unit_id, police_unit_id,
    officer_in_case_name, cps_area_unit_id, status, custody_status, charged_on)
  SELECT '99BN' || lpad(g::text, 7, '0'), 'bench', (SELECT id FROM force), (SELECT id FROM police), 'PC Bench',
    (SELECT id FROM area), 'charged', 'conditional_bail', date '2024-01-01' + (g % 300)::int
  FROM numbered RETURNING id, urn
),
pairs AS (
  SELECT c.id AS case_id, n.id AS person_id, n.g
  FROM cases c JOIN numbered n ON c.urn = '99BN' || lpad(n.g::text, 7, '0')
),
defs AS (
  INSERT INTO defendants (case_id, person_id, position, custody_status)
  SELECT case_id, person_id, 1, 'conditional_bail' FROM pairs RETURNING id, case_id
),
hearings AS (
  INSERT INTO court_hearings (case_id, court_unit_id, cps_area_unit_id, court_type, hearing_type_code, hearing_type,
    starts_at, sitting_date, courtroom, status, trial_effectiveness, trial_reason, created_by)
  SELECT p.case_id, (SELECT id FROM court), (SELECT id FROM area), 'magistrates',
    CASE WHEN p.g % 5 = 0 THEN 'TRIAL' ELSE 'FH' END, CASE WHEN p.g % 5 = 0 THEN 'trial' ELSE 'first_hearing' END,
    timestamptz '2024-01-02 10:00+00' + ((p.g % 250) || ' days')::interval + ((p.g % 6) || ' hours')::interval,
    date '2024-01-02' + (p.g % 250)::int, ((p.g % 8) + 1)::text, 'heard',
    CASE WHEN p.g % 5 = 0 THEN (ARRAY['effective', 'ineffective', 'cracked'])[1 + p.g % 3] END,
    CASE WHEN p.g % 5 = 0 AND p.g % 3 = 1 THEN 'prosecution_not_ready'
         WHEN p.g % 5 = 0 AND p.g % 3 = 2 THEN 'late_guilty_plea' END,
    'bench'
  FROM pairs p RETURNING id
)
INSERT INTO court_finalisations (defendant_id, case_id, cps_area_unit_id, court_type, outcome, charged_on, finalised_on)
SELECT d.id, d.case_id, (SELECT id FROM area), CASE WHEN d.id % 4 = 0 THEN 'crown' ELSE 'magistrates' END,
  (ARRAY['guilty_plea', 'convicted_after_trial', 'acquitted', 'discontinued', 'withdrawn', 'guilty_plea'])
    [1 + d.id % 6],
  date '2024-01-01' + (d.id % 300)::int, date '2024-01-01' + (d.id % 300)::int + (d.id % 120)::int
FROM defs d
"""


def _summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms over {len(ms)} runs"


async def run(database_url: str, cases: int, repeats: int) -> None:
    engine = create_engine(database_url)
    async with engine.connect() as conn:
        outer = await conn.begin()
        db = AsyncSession(bind=conn, join_transaction_mode="create_savepoint")
        started = time.perf_counter()
        await db.execute(text(GENERATE), {"n": cases})
        await db.execute(text("ANALYZE court_hearings; ANALYZE court_finalisations"))
        print(f"generated {cases} cases in {time.perf_counter() - started:.1f} s")
        court = await db.scalar(
            text("SELECT id FROM organisation_units WHERE kind = 'magistrates_court' ORDER BY code LIMIT 1")
        )
        area = await db.scalar(
            text("SELECT code FROM organisation_units WHERE kind = 'cps_area' ORDER BY code LIMIT 1")
        )
        day = await db.scalar(
            text("SELECT sitting_date FROM court_hearings WHERE court_unit_id = :c LIMIT 1"), {"c": court}
        )
        assert court is not None and area is not None and day is not None
        listed: list[float] = []
        rows = 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            rows = len((await db.execute(daily_list_query(court, day).limit(100))).all())
            listed.append(time.perf_counter() - t0)
        print(f"daily list ({rows} hearings on {day}): {_summary(listed)}")
        from caselink.platform.access.actor import SYSTEM

        dashboard: list[float] = []
        finalised = 0
        for _ in range(max(3, repeats // 10)):
            t0 = time.perf_counter()
            # outcome_dashboard commits its audit entry: a savepoint here, rolled back at the end.
            d = await reporting.outcome_dashboard(db, SYSTEM, area, date(2024, 1, 1), date(2024, 12, 31))
            dashboard.append(time.perf_counter() - t0)
            finalised = d.measures.finalised
        print(f"outcome dashboard (one area, one year, {finalised} finalised): {_summary(dashboard)}")
        await db.close()
        await outer.rollback()
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    from caselink.cli import database_url
    from caselink.config import get_settings

    url = database_url(get_settings())
    asyncio.run(run(url, args.cases, args.repeats))


if __name__ == "__main__":
    main()
