"""Pure rules (roles, throttling, training expiry, scopes) and the demo logins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import sign_in_form

from caselink.accounts import rules, service
from caselink.accounts.models import Staff
from caselink.accounts.rules import Role
from caselink.organisations.rules import Agency
from caselink.platform.access.policy import ROLES


def test_every_role_is_known_to_the_access_policy_and_tied_to_agencies() -> None:
    assert {r.value for r in Role} == set(ROLES)
    assert rules.ROLE_AGENCIES[Role.CPS_LAWYER] == {Agency.CPS}
    assert rules.role_errors(["cps_lawyer"], "probation") == ["CPS lawyer is not a role in a probation unit."]
    assert rules.role_errors(["auditor"], "prison") == []
    assert "not a role" in rules.role_errors(["wizard"], "cps")[0]


def test_account_back_off_doubles_and_is_capped() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    key = rules.account_throttle_key("Someone")
    state = None
    locks = []
    for _ in range(20):
        state = rules.after_failure(key, state, now)
        locks.append(state.locked_until - now if state.locked_until else None)
    assert locks[:4] == [None] * 4
    assert locks[4:7] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert locks[-1] == rules.ACCOUNT_MAX_LOCK


def test_address_window_resets() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    key = rules.address_throttle_key("10.0.0.1")
    state = rules.after_failure(key, None, now)
    state = rules.after_failure(key, state, now + rules.ADDRESS_WINDOW + timedelta(seconds=1))
    assert state.failures == 1


def test_training_expiry_and_next_due() -> None:
    today = date(2026, 3, 31)
    required = [
        rules.RequiredModule("a", "Annual", 12, date(2025, 3, 31)),  # due today: expired
        rules.RequiredModule("b", "Once", None, date(2010, 1, 1)),
        rules.RequiredModule("c", "Never done", 12, None),
    ]
    outstanding, _ = rules.training_status(required, today)
    assert [(m.code, m.reason) for m in outstanding] == [("a", "Expired on 31 March 2026"), ("c", "Not completed")]
    done, next_due = rules.training_status([rules.RequiredModule("a", "Annual", 12, date(2026, 1, 31))], today)
    assert done == [] and next_due == date(2027, 1, 31)
    assert rules.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_scopes_passwords_and_sessions() -> None:
    assert rules.scope_errors(["people:read", "tasks:write"]) == []
    assert rules.scope_errors(["people"]) and rules.scope_errors([])
    assert rules.password_error("short", "x") and rules.password_error("aaaaaaaaaaaaaa", "bob")
    assert rules.password_error("my name is kim.known!", "kim.known")
    assert rules.password_error("correct horse battery", "kim") is None
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert rules.session_expired(now, now - rules.SESSION_IDLE_TIMEOUT, now + timedelta(hours=1), now) == "idle"
    assert rules.session_expired(now, now, now, now) == "absolute"
    assert rules.session_expired(now, now, now + timedelta(hours=1), now) is None


async def test_demo_logins_exist_for_every_role_trained_and_can_sign_in(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    summary = await service.ensure_demo_staff_in(db)
    assert "16 demo logins" in summary
    again = await service.ensure_demo_staff_in(db)  # idempotent
    assert "(0 new)" in again
    for role in Role:
        staff = await db.scalar(select(Staff).where(Staff.username == service.demo_username(role)))
        assert staff is not None and staff.roles == [role.value]
        outstanding, _ = await service.training_outstanding(db, staff.id, staff.roles, datetime.now(UTC).date())
        assert outstanding == []
    lines = service.demo_login_lines()
    assert len(lines) == len(Role) + 1 and service.DEMO_PASSWORD in lines[-1]
    response = await sign_in_form(client, "demo.cps-lawyer", service.DEMO_PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert (await client.get("/api/v1/me")).json()["roles"] == ["cps_lawyer"]
