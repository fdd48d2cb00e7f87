"""Micro-benchmark of the practitioner's caseload read (probation.service.caseload): one page of
open cases with tier, flags, overdue tasks and next appointment.

    python -m caselink.bench.micro_caseload [--cases 5000] [--practitioners 60] [--rounds 200]

Uses DATABASE_URL, or a temporary embedded server. Seeds persons, cases (round-robin over the
practitioners, plus one practitioner holding a tenth of all cases), flags, tasks and contacts in
one transaction that is rolled back at the end, and prints median/p95 per call and the plan.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from caselink.accounts.models import Staff
from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import Actor, ActorKind
from caselink.probation import service
from caselink.probation import supervision_models as _supervision  # noqa: F401  (the next-appointment column, as in the app)

PERSONS = (
    "INSERT INTO persons (given_name, family_name) SELECT 'Given' || g, 'Family' || g FROM generate_series(1, :n) g"
)


async def _seed(db: AsyncSession, cases: int, practitioners: int) -> tuple[int, int, int]:
    pdu = OrganisationUnit(code="BENCH-PDU", name="Bench PDU", agency="probation", kind="pdu")
    db.add(pdu)
    await db.flush()
    unit = pdu.id
    staff = [
        Staff(username=f"bench-{i}", display_name=f"Bench {i}", unit_id=unit, roles=["probation_practitioner"])
        for i in range(practitioners)
    ]
    db.add_all(staff)
    await db.flush()
    first, heavy = staff[0].id, staff[-1].id
    await db.execute(text(PERSONS), {"n": cases})
    await db.execute(
        text(
            """
            INSERT INTO probation_cases (person_id, kind, status, delivery_unit_id, practitioner_staff_id, start_date,
                                         end_date, source, tier, created_by)
            SELECT p.id, (ARRAY['community_order','suspended_sentence','licence'])[1 + n % 3], 'allocated', :unit,
                   CASE WHEN n % 10 = 0 THEN :heavy ELSE :first + n % (:staff - 1) END,
                   DATE '2025-01-01', DATE '2026-01-01', 'manual',
                   (ARRAY['A','B','C','D'])[1 + n % 4] || (n % 4), 'bench'
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM persons WHERE given_name LIKE 'Given%') p
            """
        ),
        {"unit": unit, "first": first, "heavy": heavy, "staff": practitioners},
    )
    await db.execute(
        text(
            """
            INSERT INTO person_registrations (person_id, type_code, owner_staff_id, owner_unit_id, start_date,
                                              review_date, created_by)
            SELECT c.person_id, 'DOMESTIC_ABUSE', :first, :unit, DATE '2025-01-01', DATE '2025-07-01', 'bench'
            FROM probation_cases c WHERE c.delivery_unit_id = :unit AND c.id % 3 = 0
            """
        ),
        {"unit": unit, "first": first},
    )
    await db.execute(
        text(
            """
            INSERT INTO tasks (type, title, subject_type, subject_id, owner_type, owner_id, unit_id, due_date,
                               status, priority, created_by)
            SELECT 'probation.review', 'Review', 'case', 'probation-case/' || c.id, 'staff', c.practitioner_staff_id,
                   :unit, CURRENT_DATE + (c.id % 20)::int - 10, 'open', 3, 'bench'
            FROM probation_cases c, generate_series(1, 2) WHERE c.delivery_unit_id = :unit
            """
        ),
        {"unit": unit},
    )
    has_contacts = await db.scalar(text("SELECT to_regclass('probation_contacts') IS NOT NULL"))
    if has_contacts:
        await db.execute(
            text(
                """
                INSERT INTO probation_contacts (case_id, person_id, type, starts_at, sensitive, minutes_credited,
                                                created_by)
                SELECT c.id, c.person_id, 'appointment', now() + make_interval(days => g * 7 - 60), false, 0, 'bench'
                FROM probation_cases c, generate_series(1, 12) g WHERE c.delivery_unit_id = :unit
                """
            ),
            {"unit": unit},
        )
    await db.execute(text("ANALYZE"))
    return unit, first, heavy


def _summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return (
        f"median {statistics.median(ms):.2f} ms, p95 {ms[min(len(ms) - 1, int(len(ms) * 0.95))]:.2f} ms (n={len(ms)})"
    )


async def run(url: str, cases: int, practitioners: int, rounds: int) -> None:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        outer = await conn.begin()
        db = AsyncSession(bind=conn, join_transaction_mode="create_savepoint")
        unit, first, heavy = await _seed(db, cases, practitioners)
        for label, staff_id in (("typical practitioner", first), ("practitioner holding 10% of cases", heavy)):
            actor = Actor(kind=ActorKind.STAFF, id=staff_id, name="bench", roles=frozenset({"probation_practitioner"}),
                          agency="probation", unit_id=unit)  # fmt: skip
            page = await service.caseload(db, actor)
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                await service.caseload(db, actor)
                samples.append(time.perf_counter() - started)
            print(f"caseload page, {label} ({page.total} open cases, {len(page.rows)} shown, "
                  f"appointments {'on' if page.shows_appointments else 'off'}): {_summary(samples)}")  # fmt: skip
        await outer.rollback()
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--practitioners", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if url:
        asyncio.run(run(url, args.cases, args.practitioners, args.rounds))
        return
    from caselink.db.embedded import EmbeddedPostgres, free_port
    from caselink.db.migrate import upgrade

    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="bench-caseload-")), free_port())
    server.start()
    try:
        pg = server.url("postgres")
        upgrade(pg)
        asyncio.run(run(pg if "+asyncpg" in pg else pg.replace("postgresql://", "postgresql+asyncpg://"),
                        args.cases, args.practitioners, args.rounds))  # fmt: skip
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
