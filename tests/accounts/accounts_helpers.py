"""Helpers for accounts tests: two probation areas (regions with a delivery unit each), a CPS
area, staff in them, and helpers to sign in through the real pages or straight into a session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts import service
from caselink.accounts.models import Staff, TrainingRequirement
from caselink.accounts.rules import SessionStage
from caselink.organisations.models import OrganisationUnit, Team

PASSWORD = "correct horse battery"


@dataclass
class Units:
    north_region: OrganisationUnit
    north_pdu: OrganisationUnit
    south_region: OrganisationUnit
    south_pdu: OrganisationUnit
    cps: OrganisationUnit
    north_team: Team


async def train(db: AsyncSession, staff: Staff) -> None:
    """Record every module the person's roles require, as done today."""
    modules = (
        await db.execute(
            select(TrainingRequirement.module_code).where(TrainingRequirement.role.in_(staff.roles)).distinct()
        )
    ).scalars()
    from caselink.accounts.models import TrainingCompletion

    today = datetime.now(UTC).date()
    db.add_all(
        [TrainingCompletion(staff_id=staff.id, module_code=m, completed_on=today, recorded_by="test") for m in modules]
    )
    await db.flush()


async def make_staff(
    db: AsyncSession,
    username: str,
    roles: list[str],
    unit: OrganisationUnit,
    *,
    trained: bool = True,
    password: str | None = PASSWORD,
) -> Staff:
    staff = Staff(
        username=username,
        display_name=username.replace(".", " ").title(),
        unit_id=unit.id,
        roles=roles,
        status="active",
        password_hash=service.hash_password(password) if password else None,
    )
    db.add(staff)
    await db.flush()
    if trained:
        await train(db, staff)
    await db.commit()
    return staff


async def session_for(client: httpx.AsyncClient, db: AsyncSession, staff: Staff) -> str:
    """Sign STAFF in without the form (a fresh active session); returns the page's CSRF token."""
    token = await service._new_session(db, staff.id, SessionStage.ACTIVE, datetime.now(UTC), "127.0.0.1", "test")
    await db.commit()
    client.cookies.set("caselink_session", token)
    return await csrf_from(client, "/account")


async def csrf_from(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


async def sign_in_form(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    csrf = await csrf_from(client, "/sign-in")
    return await client.post("/sign-in", data={"username": username, "password": password, "csrf_token": csrf})
