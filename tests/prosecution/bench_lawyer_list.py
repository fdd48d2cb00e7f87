"""Measure the CPS lawyer's case list (not a test): `.venv/bin/python tests/prosecution/bench_lawyer_list.py [cases]`.

Starts a throwaway embedded PostgreSQL, loads the standing data, writes CASES cases (a third
allocated to the measured lawyer, each with one defendant and a next hearing) and times
``service.lawyer_cases`` page 1 and a deep page. Prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from caselink.accounts.models import Staff
from caselink.db.embedded import EmbeddedPostgres, free_port
from caselink.db.engine import create_engine
from caselink.db.migrate import upgrade
from caselink.organisations.models import OrganisationUnit
from caselink.people.models import Person
from caselink.platform.access.actor import Actor, ActorKind
from caselink.prosecution import service
from caselink.prosecution.models import Defendant, ProsecutionCase
from caselink.reference.service import ensure_loaded


async def main(url: str, cases: int) -> None:
    engine = create_engine(url, pool_size=2, max_overflow=0)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(7)
    async with sessions() as db:
        unit = (
            await db.scalars(select(OrganisationUnit.id).where(OrganisationUnit.kind == "police_unit").limit(1))
        ).one()
        area = (await db.scalars(select(OrganisationUnit.id).where(OrganisationUnit.kind == "cps_area").limit(1))).one()
        lawyers = []
        for i in range(3):
            s = Staff(username=f"bench-lawyer-{i}", display_name=f"Lawyer {i}", unit_id=area, roles=["cps_lawyer"])
            db.add(s)
            await db.flush()
            lawyers.append(s.id)
        people = (
            (
                await db.execute(
                    insert(Person).returning(Person.id),
                    [{"given_name": f"G{i}", "family_name": f"F{i}"} for i in range(cases)],
                )
            )
            .scalars()
            .all()
        )
        now = datetime.now(UTC)
        case_rows = [
            {
                "urn": f"01AB{i:07d}",
                "police_force_unit_id": unit,
                "police_unit_id": unit,
                "cps_area_unit_id": area,
                "officer_in_case_name": "PC Bench",
                "status": "charged",
                "custody_status": "conditional_bail",
                "allocated_lawyer_id": lawyers[i % 3],
                "next_hearing_type": rng.choice(["first_hearing", "ptph", "trial", "sentence"]),
                "next_hearing_at": now + timedelta(days=rng.randint(-5, 120)) if rng.random() < 0.9 else None,
                "readiness_outstanding": rng.randint(0, 4),
                "readiness_within_days": 7,
            }
            for i in range(cases)
        ]
        ids = (await db.execute(insert(ProsecutionCase).returning(ProsecutionCase.id), case_rows)).scalars().all()
        await db.execute(
            insert(Defendant),
            [
                {"case_id": c, "person_id": p, "position": 1, "custody_status": "conditional_bail"}
                for c, p in zip(ids, people, strict=True)
            ],
        )
        await db.commit()
        await db.execute(__import__("sqlalchemy").text("ANALYZE"))
    actor = Actor(
        kind=ActorKind.STAFF, id=lawyers[0], name="bench", roles=frozenset({"cps_lawyer"}), agency="cps", unit_id=area
    )
    for label, page in (("page 1", 1), ("page 20", 20)):
        timings = []
        for _ in range(200):
            async with sessions() as db:
                start = time.perf_counter()
                result = await service.lawyer_cases(db, actor, page=page, page_size=25)
                timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        print(
            f"lawyer_cases {label} ({cases} cases, {result.total} the lawyer's, 25 a page): "
            f"p50 {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms"
        )
    await engine.dispose()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    folder = Path(tempfile.mkdtemp(prefix="bench-pros-"))
    server = EmbeddedPostgres(folder, free_port())
    server.start()
    try:
        url = server.url("postgres")
        upgrade(url)
        ensure_loaded(url)
        asyncio.run(main(url, count))
    finally:
        server.destroy()
