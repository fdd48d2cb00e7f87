"""The per-request session read as production runs it: each request in its own pooled session, the
data committed, so revocation, suspension, timeouts and the minute touch are seen exactly as
another process would see them (no test transaction in between)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from caselink.accounts import rules, service
from caselink.accounts.models import Staff, StaffSession, StaffTeam, TrainingCompletion, TrainingRequirement
from caselink.config import Settings
from caselink.db.engine import Database
from caselink.organisations.models import OrganisationUnit, Team


@dataclass
class Signed:
    staff_id: int
    unit_id: int
    team_id: int
    token: str


@pytest.fixture
async def signed(committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[Signed]:
    suffix = secrets.token_hex(3).upper()
    async with committed_sessionmaker() as db:
        unit = OrganisationUnit(
            code=f"SR-{suffix}", name="Session read unit", agency="probation", kind="probation_delivery_unit"
        )
        db.add(unit)
        await db.flush()
        team = Team(unit_id=unit.id, code=f"SR-{suffix}", name="Session read team", active=True)
        staff = Staff(
            username=f"session.read.{suffix.lower()}",
            display_name="Session Read",
            unit_id=unit.id,
            roles=["probation_practitioner"],
            status="active",
        )
        db.add_all([team, staff])
        await db.flush()
        db.add(StaffTeam(staff_id=staff.id, team_id=team.id))
        modules = (
            await db.execute(
                select(TrainingRequirement.module_code).where(TrainingRequirement.role.in_(staff.roles)).distinct()
            )
        ).scalars()
        today = datetime.now(UTC).date()
        db.add_all(
            [
                TrainingCompletion(staff_id=staff.id, module_code=m, completed_on=today, recorded_by="test")
                for m in modules
            ]
        )
        token = await service._new_session(
            db, staff.id, rules.SessionStage.ACTIVE, datetime.now(UTC), "127.0.0.1", "test"
        )
        await db.commit()
        ids = Signed(staff.id, unit.id, team.id, token)
    yield ids
    async with committed_sessionmaker() as db:
        await db.execute(delete(Staff).where(Staff.id == ids.staff_id))  # sessions, teams, training cascade
        await db.execute(delete(Team).where(Team.id == ids.team_id))
        await db.execute(delete(OrganisationUnit).where(OrganisationUnit.id == ids.unit_id))
        await db.commit()


@pytest.fixture
async def fresh_client(settings: Settings, engine: AsyncEngine, signed: Signed) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its own request-scoped sessions (no shared test transaction), signed in."""
    from caselink.app import create_app

    app = create_app(settings, database=Database(engine))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", cookies={"caselink_session": signed.token}
    ) as client:
        yield client


async def _set(sessionmaker: async_sessionmaker[AsyncSession], signed: Signed, **values: object) -> None:
    async with sessionmaker() as db:
        await db.execute(update(StaffSession).where(StaffSession.staff_id == signed.staff_id).values(**values))
        await db.commit()


async def test_a_fresh_session_reads_the_whole_actor(
    committed_sessionmaker: async_sessionmaker[AsyncSession], signed: Signed
) -> None:
    async with committed_sessionmaker() as db:
        info = await service.resolve_session(db, signed.token)
        assert info is not None and info.stage is rules.SessionStage.ACTIVE
        assert info.actor.id == signed.staff_id
        assert info.actor.roles == frozenset({"probation_practitioner"})
        assert info.actor.unit_id == signed.unit_id and info.actor.agency == "probation"
        assert info.actor.team_ids == frozenset({signed.team_id})
        assert info.display_name == "Session Read" and info.csrf_token
        # The read began no transaction of its own: what the session does next is still one
        # transaction, and a rollback still discards it.
        await db.execute(update(Staff).where(Staff.id == signed.staff_id).values(display_name="Changed"))
        await db.rollback()
        assert await db.scalar(select(Staff.display_name).where(Staff.id == signed.staff_id)) == "Session Read"


async def test_revocation_from_elsewhere_takes_effect_on_the_next_request(
    fresh_client: httpx.AsyncClient, committed_sessionmaker: async_sessionmaker[AsyncSession], signed: Signed
) -> None:
    assert (await fresh_client.get("/account")).status_code == 200
    async with committed_sessionmaker() as db:  # "sign out everywhere" in another process
        await service._revoke_sessions(db, signed.staff_id)
        await db.commit()
    assert (await fresh_client.get("/account")).status_code == 401


async def test_suspension_takes_effect_on_the_next_request(
    fresh_client: httpx.AsyncClient, committed_sessionmaker: async_sessionmaker[AsyncSession], signed: Signed
) -> None:
    assert (await fresh_client.get("/account")).status_code == 200
    async with committed_sessionmaker() as db:
        await db.execute(update(Staff).where(Staff.id == signed.staff_id).values(status="suspended"))
        await db.commit()
    assert (await fresh_client.get("/account")).status_code == 401


async def test_idle_and_absolute_timeouts_and_the_minute_touch(
    fresh_client: httpx.AsyncClient, committed_sessionmaker: async_sessionmaker[AsyncSession], signed: Signed
) -> None:
    now = datetime.now(UTC)
    # Seen two minutes ago: still live, and this request moves last_seen_at on (and commits it).
    await _set(committed_sessionmaker, signed, last_seen_at=now - timedelta(minutes=2))
    assert (await fresh_client.get("/account")).status_code == 200
    async with committed_sessionmaker() as db:
        seen = await db.scalar(select(StaffSession.last_seen_at).where(StaffSession.staff_id == signed.staff_id))
    assert seen is not None and seen >= now - timedelta(seconds=5)
    await _set(committed_sessionmaker, signed, last_seen_at=now - rules.SESSION_IDLE_TIMEOUT)
    assert (await fresh_client.get("/account")).status_code == 401
    await _set(committed_sessionmaker, signed, last_seen_at=now, expires_at=now)
    assert (await fresh_client.get("/account")).status_code == 401
