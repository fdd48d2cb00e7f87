"""TOTP MFA outside demo mode: enrolment with QR code and recovery codes, then the MFA step;
expired and replayed codes are refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pyotp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tests.accounts.accounts_helpers import Units, csrf_from, make_staff, sign_in_form

from caselink.accounts.models import RecoveryCode, Staff
from caselink.config import Settings
from caselink.db.engine import Database
from caselink.db.session import get_db


@pytest.fixture
async def live(settings: Settings, engine: AsyncEngine, db: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with demo mode off, so MFA is required."""
    from caselink.app import create_app

    application = create_app(replace(settings, demo_mode=False), database=Database(engine))

    async def test_session() -> AsyncIterator[AsyncSession]:
        yield db

    application.dependency_overrides[get_db] = test_session
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _enrol(client: httpx.AsyncClient, db: AsyncSession, staff: Staff) -> tuple[str, list[str]]:
    response = await sign_in_form(client, staff.username)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in/mfa/set-up"
    # Half signed in: nothing else is reachable yet.
    assert (await client.get("/account")).status_code == 401
    page = await client.get("/sign-in/mfa/set-up")
    assert "<svg" in page.text and "QR code" in page.text
    await db.refresh(staff)
    assert staff.mfa_secret and staff.mfa_secret[:4] in page.text.replace(" ", "")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    bad = await client.post("/sign-in/mfa/set-up", data={"code": "000000", "csrf_token": csrf.group(1)})
    assert bad.status_code == 400 and 'href="#code"' in bad.text
    code = pyotp.TOTP(staff.mfa_secret).now()
    done = await client.post("/sign-in/mfa/set-up", data={"code": code, "csrf_token": csrf.group(1)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.text)
    assert len(codes) == 10
    return staff.mfa_secret, codes


async def test_enrolment_then_sign_in_with_a_totp_code(live: httpx.AsyncClient, db: AsyncSession, units: Units) -> None:
    staff = await make_staff(db, "mia.mfa", ["probation_practitioner"], units.north_pdu)
    secret, codes = await _enrol(live, db, staff)
    assert (await live.get("/account")).status_code == 200
    # Recovery codes are stored only as hashes.
    stored = (await db.execute(select(RecoveryCode.code_hash).where(RecoveryCode.staff_id == staff.id))).scalars().all()
    assert len(stored) == 10 and not {c.replace("-", "") for c in codes} & set(stored)

    await live.post("/sign-out", data={"csrf_token": await csrf_from(live, "/account")})
    response = await sign_in_form(live, "mia.mfa")
    assert response.headers["location"] == "/sign-in/mfa"
    pending = live.cookies["caselink_session"]
    csrf = await csrf_from(live, "/sign-in/mfa")
    # The enrolment used the current step: the same code again is a replay.
    replay = await live.post("/sign-in/mfa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf})
    assert replay.status_code == 400
    expired = pyotp.TOTP(secret).at(datetime.now(UTC) - timedelta(minutes=5))
    assert (await live.post("/sign-in/mfa", data={"code": expired, "csrf_token": csrf})).status_code == 400
    assert (await live.get("/account")).status_code == 401
    # The next step's code (clock drift allowance) is accepted, and the session id changes.
    fresh = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    ok = await live.post("/sign-in/mfa", data={"code": fresh, "csrf_token": csrf})
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    assert live.cookies["caselink_session"] != pending
    assert (await live.get("/account")).status_code == 200


async def test_a_recovery_code_works_once(live: httpx.AsyncClient, db: AsyncSession, units: Units) -> None:
    staff = await make_staff(db, "rory.recovery", ["probation_practitioner"], units.north_pdu)
    _, codes = await _enrol(live, db, staff)
    for attempt in range(2):
        await live.post("/sign-out", data={"csrf_token": await csrf_from(live, "/account")})
        await sign_in_form(live, "rory.recovery")
        csrf = await csrf_from(live, "/sign-in/mfa")
        response = await live.post("/sign-in/mfa", data={"code": codes[0], "csrf_token": csrf})
        assert response.status_code == (303 if attempt == 0 else 400)
    assert (await live.get("/account")).status_code == 401  # the second use did not sign in
    used = await db.scalar(
        select(func.count()).where(RecoveryCode.staff_id == staff.id, RecoveryCode.used_at.is_not(None))
    )
    assert used == 1


async def test_without_enrolment_no_page_is_reachable(live: httpx.AsyncClient, db: AsyncSession, units: Units) -> None:
    await make_staff(db, "una.unenrolled", ["probation_practitioner"], units.north_pdu)
    await sign_in_form(live, "una.unenrolled")
    for path in ("/", "/account", "/training"):
        response = await live.get(path)
        assert "Signed in as" not in response.text
    assert (await live.get("/api/v1/me")).status_code == 401
