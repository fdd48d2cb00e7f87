"""Micro-benchmark: what the session lookup and permission check add to one request.

    python -m caselink.bench.micro_sessions [--requests 2000]

Calls two otherwise identical no-op routes in-process (httpx ASGI transport, no network): one
public and anonymous, one needing "account:self" with a signed-in session cookie. The difference
per pair of requests is the overhead of authentication (one indexed query, and a write at most once
a minute) plus the permission check. Both clients build their requests alike (the session cookie is
sent as a plain Cookie header), so the client's own cookie handling is not counted. Prints the
median and 95th percentile. Uses DATABASE_URL or the embedded PostgreSQL, creates a throw-away unit,
member of staff and session, and removes them.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import time
from datetime import UTC, datetime

import httpx
from fastapi import APIRouter, Depends
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts import service
from caselink.accounts.models import Staff
from caselink.accounts.rules import SessionStage
from caselink.db.session import DbSession
from caselink.organisations.models import OrganisationUnit
from caselink.platform.access import PUBLIC, requires


async def _setup(db: AsyncSession) -> tuple[int, int, str]:
    suffix = secrets.token_hex(3).upper()
    unit = OrganisationUnit(
        code=f"BENCH-{suffix}", name="Benchmark unit", agency="probation", kind="probation_delivery_unit"
    )
    db.add(unit)
    await db.flush()
    staff = Staff(
        username=f"bench.{suffix.lower()}",
        display_name="Benchmark user",
        unit_id=unit.id,
        roles=["analyst"],
        status="active",
    )
    db.add(staff)
    await db.flush()
    outstanding, _ = await service.training_outstanding(db, staff.id, staff.roles, datetime.now(UTC).date())
    from caselink.accounts.models import TrainingCompletion

    today = datetime.now(UTC).date()
    db.add_all(
        [
            TrainingCompletion(staff_id=staff.id, module_code=m.code, completed_on=today, recorded_by="bench")
            for m in outstanding
        ]
    )
    token = await service._new_session(db, staff.id, SessionStage.ACTIVE, datetime.now(UTC), "127.0.0.1", "bench")
    await db.commit()
    return unit.id, staff.id, token


async def _teardown(db: AsyncSession, unit_id: int, staff_id: int) -> None:
    await db.execute(delete(Staff).where(Staff.id == staff_id))
    await db.execute(delete(OrganisationUnit).where(OrganisationUnit.id == unit_id))
    await db.commit()


async def _reads_database(db: DbSession) -> dict[str, int]:
    """A route that reads the database, as every Caselink page with data does."""
    return {"one": int(await db.scalar(text("SELECT 1")) or 0)}


async def measure(database_url: str, requests: int, suffix: str = "") -> tuple[float, float, float]:
    from dataclasses import replace

    from caselink.app import create_app
    from caselink.config import get_settings
    from caselink.db.engine import Database, create_engine

    engine = create_engine(database_url, pool_size=2, max_overflow=0)
    settings = replace(get_settings(), log_json=False)
    app = create_app(settings, database=Database(engine))
    bench = APIRouter()
    bench.add_api_route("/bench/public", lambda: {}, methods=["GET"], dependencies=[Depends(requires(PUBLIC))])
    bench.add_api_route(
        "/bench/signed-in", lambda: {}, methods=["GET"], dependencies=[Depends(requires("account:self"))]
    )
    bench.add_api_route("/bench/public-db", _reads_database, methods=["GET"], dependencies=[Depends(requires(PUBLIC))])
    bench.add_api_route(
        "/bench/signed-in-db", _reads_database, methods=["GET"], dependencies=[Depends(requires("account:self"))]
    )
    app.include_router(bench)
    import logging

    logging.getLogger("caselink.access").setLevel(logging.WARNING)
    async with AsyncSession(engine, expire_on_commit=False) as db:
        unit_id, staff_id, token = await _setup(db)
    try:
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://bench") as anonymous,
            # The cookie goes as a plain header, as a browser sends it: httpx's cookie jar costs the
            # client 0.1-0.3 ms a request, which is not the server's authentication.
            httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers={"Cookie": f"caselink_session={token}"}
            ) as signed_in,
        ):
            for _ in range(50):  # warm up pools, caches and compiled statements
                assert (await signed_in.get(f"/bench/signed-in{suffix}")).status_code == 200
                await anonymous.get(f"/bench/public{suffix}")
            differences: list[float] = []
            baseline: list[float] = []
            for _ in range(requests):
                started = time.perf_counter()
                await anonymous.get(f"/bench/public{suffix}")
                middle = time.perf_counter()
                await signed_in.get(f"/bench/signed-in{suffix}")
                ended = time.perf_counter()
                baseline.append(middle - started)
                differences.append((ended - middle) - (middle - started))
    finally:
        async with AsyncSession(engine, expire_on_commit=False) as db:
            await _teardown(db, unit_id, staff_id)
        await engine.dispose()
    differences.sort()
    median = statistics.median(differences) * 1000
    p95 = differences[int(len(differences) * 0.95)] * 1000
    return median, p95, statistics.median(baseline) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    from caselink.cli import database_url
    from caselink.config import get_settings

    url = database_url(get_settings())
    median, p95, baseline = asyncio.run(measure(url, args.requests))
    print(f"session + permission check overhead per request ({args.requests} pairs):")
    line = "  {:<20} median {:.3f} ms   p95 {:.3f} ms   (anonymous request: median {:.3f} ms)"
    print(line.format("no-op routes:", median, p95, baseline))
    # A page that reads data already holds a connection and a transaction, so authentication adds
    # only its query and the check; the no-op figure above also pays for the connection.
    median, p95, baseline = asyncio.run(measure(url, args.requests, suffix="-db"))
    print(line.format("routes reading data:", median, p95, baseline))


if __name__ == "__main__":
    main()
