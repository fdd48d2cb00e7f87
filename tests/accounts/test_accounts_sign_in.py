"""Sign-in, lock-out, sessions and cookies, CSRF, suspension: through the real pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import PASSWORD, Units, make_staff, session_for, sign_in_form

from caselink.accounts import rules, service
from caselink.accounts.models import Staff, StaffSession


async def _sessions(db: AsyncSession, staff: Staff) -> int:
    return (
        await db.scalar(
            select(func.count()).where(StaffSession.staff_id == staff.id, StaffSession.revoked_at.is_(None))
        )
        or 0
    )


async def _audit_actions(db: AsyncSession, action: str, outcome: str) -> int:
    return (
        await db.scalar(
            text("SELECT count(*) FROM audit_events WHERE action = :a AND outcome = :o"), {"a": action, "o": outcome}
        )
        or 0
    )


async def test_sign_in_sets_a_secure_session_cookie_and_shows_the_user(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    staff = await make_staff(db, "pat.practitioner", ["probation_practitioner"], units.north_pdu)
    response = await sign_in_form(client, "Pat.Practitioner")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "caselink_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    token = client.cookies["caselink_session"]
    stored = (await db.execute(select(StaffSession.id_hash).where(StaffSession.staff_id == staff.id))).scalar_one()
    assert stored == rules.token_hash(token) and token not in stored  # only the hash is kept
    home = await client.get("/", follow_redirects=True)  # staff land on "My work"
    assert str(home.url).endswith("/tasks")
    assert "Signed in as" in home.text and "Pat Practitioner" in home.text and 'action="/sign-out"' in home.text
    assert await _audit_actions(db, "sign_in", "allowed") >= 1


async def test_cookie_is_host_prefixed_and_secure_over_https(app, db: AsyncSession, units: Units) -> None:  # type: ignore[no-untyped-def]
    await make_staff(db, "sam.secure", ["court_clerk"], units.cps)  # unit agency is irrelevant to sign-in
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as secure:
        response = await sign_in_form(secure, "sam.secure")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-caselink_session=") and "Secure" in cookie


async def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    staff = await make_staff(db, "kim.known", ["probation_practitioner"], units.north_pdu)
    wrong = await sign_in_form(client, "kim.known", "not the password")
    unknown = await sign_in_form(client, "nobody.here", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    for response in (wrong, unknown):
        assert service.GENERIC_FAILURE in response.text and 'href="#username"' in response.text
        assert "caselink_session" not in response.headers.get("set-cookie", "")
    assert await _sessions(db, staff) == 0
    assert await _audit_actions(db, "sign_in", "refused") >= 2


async def test_account_locks_after_repeated_failures_whether_or_not_it_exists(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    staff = await make_staff(db, "lee.locked", ["probation_practitioner"], units.north_pdu)
    for name in ("lee.locked", "ghost.account"):
        for _ in range(rules.ACCOUNT_FAILURES_BEFORE_LOCK):
            await sign_in_form(client, name, "wrong password!")
    # Now even the right password is refused, with the same message for the real and the unknown account.
    real = await sign_in_form(client, "lee.locked", PASSWORD)
    ghost = await sign_in_form(client, "ghost.account", PASSWORD)
    assert real.status_code == ghost.status_code == 400
    assert "too many attempts" in real.text and "too many attempts" in ghost.text
    assert await _sessions(db, staff) == 0
    # Once the lock has passed, the right password works and clears the count.
    await db.execute(update(service.SignInThrottle).values(locked_until=datetime.now(UTC) - timedelta(seconds=1)))
    assert (await sign_in_form(client, "lee.locked", PASSWORD)).status_code == 303


async def test_an_address_with_many_failures_is_locked_out(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    staff = await make_staff(db, "ada.address", ["probation_practitioner"], units.north_pdu)
    for i in range(rules.ADDRESS_FAILURES_BEFORE_LOCK):
        await sign_in_form(client, f"user{i}.guess", "wrong password!")
    response = await sign_in_form(client, "ada.address", PASSWORD)
    assert response.status_code == 400 and "too many attempts" in response.text
    assert await _sessions(db, staff) == 0


async def test_sign_in_without_or_with_a_wrong_csrf_token_is_refused(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    staff = await make_staff(db, "cora.csrf", ["probation_practitioner"], units.north_pdu)
    await client.get("/sign-in")  # the browser has its CSRF cookie
    missing = await client.post("/sign-in", data={"username": "cora.csrf", "password": PASSWORD})
    wrong = await client.post("/sign-in", data={"username": "cora.csrf", "password": PASSWORD, "csrf_token": "forged"})
    assert missing.status_code == wrong.status_code == 403
    assert "nothing was changed" in missing.text
    assert await _sessions(db, staff) == 0
    assert await _audit_actions(db, "csrf", "refused") >= 2


async def test_signed_in_form_without_csrf_changes_nothing(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    admin = await make_staff(db, "nat.admin", ["national_administrator"], units.north_region)
    target = await make_staff(db, "tom.target", ["probation_practitioner"], units.north_pdu)
    csrf = await session_for(client, db, admin)
    refused = await client.post(f"/admin/staff/{target.id}/suspend", data={"reason": "test"})
    wrong = await client.post(f"/admin/staff/{target.id}/suspend", data={"reason": "test", "csrf_token": csrf + "x"})
    assert refused.status_code == wrong.status_code == 403
    await db.refresh(target)
    assert target.status == "active"
    # With the token the same request works.
    ok = await client.post(f"/admin/staff/{target.id}/suspend", data={"reason": "left the service", "csrf_token": csrf})
    assert ok.status_code == 303
    await db.refresh(target)
    assert target.status == "suspended"


async def test_forged_stolen_and_expired_session_cookies_are_refused(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    staff = await make_staff(db, "fay.forged", ["probation_practitioner"], units.north_pdu)
    client.cookies.set("caselink_session", "made-up-session-id")
    assert (await client.get("/account")).status_code == 401
    # A cookie copied before sign-out is dead after it.
    csrf = await session_for(client, db, staff)
    stolen = client.cookies["caselink_session"]
    assert (await client.post("/sign-out", data={"csrf_token": csrf})).status_code == 303
    client.cookies.set("caselink_session", stolen)
    assert (await client.get("/account")).status_code == 401
    # Idle too long, or past the absolute limit: refused.
    await session_for(client, db, staff)
    await db.execute(
        update(StaffSession)
        .where(StaffSession.revoked_at.is_(None))
        .values(last_seen_at=datetime.now(UTC) - rules.SESSION_IDLE_TIMEOUT)
    )
    assert (await client.get("/account")).status_code == 401
    await session_for(client, db, staff)
    await db.execute(update(StaffSession).where(StaffSession.revoked_at.is_(None)).values(expires_at=datetime.now(UTC)))
    assert (await client.get("/account")).status_code == 401


async def test_sign_out_everywhere_ends_every_session(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    staff = await make_staff(db, "eve.everywhere", ["probation_practitioner"], units.north_pdu)
    await service._new_session(db, staff.id, rules.SessionStage.ACTIVE, datetime.now(UTC), "10.0.0.9", "other browser")
    csrf = await session_for(client, db, staff)
    assert await _sessions(db, staff) == 2
    response = await client.post("/account/sign-out-everywhere", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert await _sessions(db, staff) == 0
    assert (await client.get("/account")).status_code == 401


async def test_suspended_staff_cannot_sign_in_and_lose_their_sessions(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    admin = await make_staff(db, "nora.national", ["national_administrator"], units.north_region)
    staff = await make_staff(db, "sid.suspended", ["probation_practitioner"], units.north_pdu)
    await service._new_session(db, staff.id, rules.SessionStage.ACTIVE, datetime.now(UTC), None, None)
    admin_actor = service._actor_for_staff(admin)
    await service.set_staff_status(db, admin_actor, staff.id, suspend=True, reason="Investigation")
    assert await _sessions(db, staff) == 0
    response = await sign_in_form(client, "sid.suspended")
    assert response.status_code == 400 and "suspended" in response.text
    await service.set_staff_status(db, admin_actor, staff.id, suspend=False)
    assert (await sign_in_form(client, "sid.suspended")).status_code == 303


async def test_security_headers_on_the_sign_in_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/sign-in")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert 'name="username"' in response.text and 'name="password"' in response.text
    assert "caselink_csrf=" in response.headers["set-cookie"]
