"""Recording a contact outcome: ``python -m caselink.bench.micro_contacts``.

Generates, inside one transaction rolled back at the end, ``--cases`` community orders in one
delivery unit allocated to one practitioner, each with a year of fortnightly contacts (outcomes
recorded, about one in twelve a failure) and an unpaid work requirement; then times
``record_outcome`` (the full use case: access check, locks, progress, audit, and for failures the
enforcement decision with its task and event) as the practitioner on ``--repeats`` past
appointments, one in five of them an unacceptable absence. Target: p95 ≤ 100 ms.
Uses DATABASE_URL, or the embedded server of the data folder (standing data must be loaded).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.db.engine import create_engine
from caselink.platform.access.actor import Actor, ActorKind
from caselink.probation.supervision_rules import Outcome
from caselink.probation.supervision_schemas import OutcomeIn
from caselink.probation.supervision_service import record_outcome

GENERATE = """
WITH pdu AS (SELECT id FROM organisation_units WHERE kind = 'probation_delivery_unit' ORDER BY code LIMIT 1),
people AS (
  INSERT INTO persons (given_name, family_name, sex)
  SELECT 'Bench', 'Contact' || g, 'not_known' FROM generate_series(1, :n) g RETURNING id
),
cases AS (
  INSERT INTO probation_cases (person_id, kind, status, delivery_unit_id, practitioner_staff_id, start_date, end_date,
    sentence, source, created_by)
  SELECT id, 'community_order', 'allocated', (SELECT id FROM pdu), :staff, date '2024-03-01', date '2026-02-28',
    '{"requirements": [{"kind": "unpaid_work", "hours": 300}]}'::jsonb, 'manual', 'bench'
  FROM people RETURNING id, person_id
),
reqs AS (
  INSERT INTO probation_requirements (case_id, position, kind, ordered_hours, ordered_days, hours_per_day,
    days_per_week, minutes_worked, days_used, sessions_attended)
  SELECT id, 0, 'unpaid_work', 300, 0, 0, 0, 0, 0, 0 FROM cases RETURNING id
)
INSERT INTO probation_contacts (case_id, person_id, type, starts_at, sensitive, outcome, outcome_recorded_at,
  minutes_credited, created_by)
SELECT c.id, c.person_id, 'office_appointment',
  timestamptz '2024-03-04 10:00+00' + (w * 14 || ' days')::interval,
  false,
  CASE WHEN (c.id + w) % 12 = 0 THEN 'unacceptable_absence' ELSE 'attended_complied' END,
  timestamptz '2024-03-04 11:00+00' + (w * 14 || ' days')::interval, 0, 'bench'
FROM cases c CROSS JOIN generate_series(0, 25) w
"""

TARGETS = """
INSERT INTO probation_contacts (case_id, person_id, type, starts_at, sensitive, minutes_credited, created_by)
SELECT id, person_id, 'office_appointment', timestamptz '2025-03-03 10:00+00', false, 0, 'bench'
FROM probation_cases WHERE created_by = 'bench' ORDER BY random() LIMIT :n
RETURNING id
"""


def _summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms over {len(ms)} runs"


async def run(database_url: str, cases: int, repeats: int) -> None:
    engine = create_engine(database_url)
    async with engine.connect() as conn:
        outer = await conn.begin()
        db = AsyncSession(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        pdu = await db.scalar(
            text("SELECT id FROM organisation_units WHERE kind = 'probation_delivery_unit' ORDER BY code LIMIT 1")
        )
        assert pdu is not None, "load the standing data first (caselink reference load)"
        staff = await db.scalar(
            text(
                "INSERT INTO staff (username, display_name, unit_id, roles, status) "
                "VALUES ('bench.practitioner', 'Bench Practitioner', :u, ARRAY['probation_practitioner'], 'active') "
                "RETURNING id"
            ),
            {"u": pdu},
        )
        started = time.perf_counter()
        await db.execute(text(GENERATE), {"n": cases, "staff": staff})
        for table in ("probation_cases", "probation_contacts", "probation_requirements"):
            await db.execute(text(f"ANALYZE {table}"))
        print(f"generated {cases} cases with {cases * 26} contacts in {time.perf_counter() - started:.1f} s")
        targets = list((await db.execute(text(TARGETS), {"n": repeats})).scalars())
        await db.commit()
        actor = Actor(
            kind=ActorKind.STAFF,
            id=staff,
            name="bench.practitioner",
            roles=frozenset({"probation_practitioner"}),
            agency="probation",
            unit_id=pdu,
        )
        now = datetime(2025, 3, 10, 12, tzinfo=UTC)
        timings: list[float] = []
        failures: list[float] = []
        for index, contact_id in enumerate(targets):
            outcome = Outcome.UNACCEPTABLE_ABSENCE if index % 5 == 0 else Outcome.ATTENDED_COMPLIED
            t0 = time.perf_counter()
            await record_outcome(db, actor, contact_id, OutcomeIn(outcome=outcome), now)
            elapsed = time.perf_counter() - t0
            (failures if index % 5 == 0 else timings).append(elapsed)
        print(f"record outcome (attended): {_summary(timings)}")
        print(f"record outcome (failure, with enforcement): {_summary(failures)}")
        print(f"record outcome (all): {_summary(timings + failures)}  target p95 <= 100 ms")
        await db.close()
        await outer.rollback()
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    from caselink.cli import database_url
    from caselink.config import get_settings

    url = database_url(get_settings())
    asyncio.run(run(url, args.cases, args.repeats))


if __name__ == "__main__":
    main()
