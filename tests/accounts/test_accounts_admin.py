"""Staff administration: area administrators manage their own area only; national ones all."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import PASSWORD, Units, make_staff, session_for, sign_in_form

from caselink.accounts import service
from caselink.accounts.models import Staff
from caselink.accounts.schemas import StaffCreate, StaffUpdate
from caselink.platform.errors import Forbidden, NotFound, ValidationFailed


async def test_area_admin_sees_and_manages_only_their_area(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    admin = await make_staff(db, "alan.area", ["area_administrator"], units.north_region)
    ours = await make_staff(db, "olly.ours", ["probation_practitioner"], units.north_pdu)
    theirs = await make_staff(db, "theo.theirs", ["probation_practitioner"], units.south_pdu)
    ours_id, theirs_id, north_pdu_id = ours.id, theirs.id, units.north_pdu.id
    csrf = await session_for(client, db, admin)

    listing = (await client.get("/api/v1/staff")).json()
    names = {s["username"] for s in listing["items"]}
    assert "olly.ours" in names and "theo.theirs" not in names
    assert (await client.get(f"/api/v1/staff/{theirs_id}")).status_code == 404
    assert (await client.get(f"/admin/staff/{theirs_id}")).status_code == 404

    # Changing, suspending or moving someone of another area is refused and changes nothing.
    patch = await client.patch(
        f"/api/v1/staff/{theirs_id}", json={"display_name": "Changed"}, headers={"X-CSRF-Token": csrf}
    )
    assert patch.status_code == 404
    suspend = await client.post(f"/admin/staff/{theirs_id}/suspend", data={"reason": "x", "csrf_token": csrf})
    assert suspend.status_code == 404
    move = await client.patch(
        f"/api/v1/staff/{ours_id}", json={"unit_code": "TST-SOUTH-1"}, headers={"X-CSRF-Token": csrf}
    )
    assert move.status_code == 403
    other = (await db.execute(select(Staff.display_name, Staff.status).where(Staff.id == theirs_id))).one()
    assert other == ("Theo Theirs", "active")
    assert (await db.scalar(select(Staff.unit_id).where(Staff.id == ours_id))) == north_pdu_id

    # Within the area: teams and roles change; a national-only role cannot be granted.
    ok = await client.patch(
        f"/api/v1/staff/{ours_id}",
        json={"team_codes": ["OM-A"], "roles": ["senior_probation_officer"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert ok.status_code == 200 and ok.json()["team_codes"] == ["OM-A"]
    grant = await client.patch(
        f"/api/v1/staff/{ours_id}", json={"roles": ["national_administrator"]}, headers={"X-CSRF-Token": csrf}
    )
    assert grant.status_code == 403
    assert (await db.scalar(select(Staff.roles).where(Staff.id == ours_id))) == ["senior_probation_officer"]


async def test_cookie_api_writes_need_the_csrf_header(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    admin = await make_staff(db, "carl.cookie", ["national_administrator"], units.north_region)
    target = await make_staff(db, "tina.target", ["probation_practitioner"], units.north_pdu)
    target_id = target.id
    await session_for(client, db, admin)
    response = await client.patch(f"/api/v1/staff/{target_id}", json={"display_name": "Changed"})
    assert response.status_code == 403 and response.json()["title"] == "Form expired"
    assert (await db.scalar(select(Staff.display_name).where(Staff.id == target_id))) == "Tina Target"


async def test_create_staff_by_page_then_set_password_and_sign_in(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    admin = await make_staff(db, "ned.national", ["national_administrator"], units.north_region)
    csrf = await session_for(client, db, admin)
    invalid = await client.post(
        "/admin/staff/new",
        data={
            "username": "x",
            "display_name": "",
            "unit_code": "TST-CPS",
            "roles": ["probation_practitioner"],
            "csrf_token": csrf,
        },
    )
    assert invalid.status_code == 400
    assert 'href="#username"' in invalid.text and 'href="#display_name"' in invalid.text
    created = await client.post(
        "/admin/staff/new",
        data={
            "username": "Priya.New",
            "display_name": "Priya New",
            "unit_code": "tst-north-1",
            "team_codes": "OM-A",
            "roles": ["probation_practitioner"],
            "csrf_token": csrf,
        },
    )
    assert created.status_code == 200, created.text
    link = re.search(r'id="setup-url">[^<]*token=([^<"]+)<', created.text)
    assert link
    client.cookies.clear()
    page = await client.get(f"/account/set-up?token={link.group(1)}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    form = {"token": link.group(1), "password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf.group(1)}
    assert (await client.post("/account/set-up", data=form)).status_code == 303
    # The link works once.
    assert (await client.post("/account/set-up", data=form)).status_code == 400
    staff = await db.scalar(select(Staff).where(Staff.username == "priya.new"))
    assert staff is not None
    from tests.accounts.accounts_helpers import train

    await train(db, staff)
    await db.commit()
    assert (await sign_in_form(client, "priya.new")).status_code == 303


async def test_service_rules_for_roles_and_units(db: AsyncSession, units: Units) -> None:
    national = service._actor_for_staff(
        await make_staff(db, "nina.nat", ["national_administrator"], units.north_region)
    )
    practitioner = service._actor_for_staff(
        await make_staff(db, "paul.prac", ["probation_practitioner"], units.north_pdu)
    )
    with pytest.raises(ValidationFailed) as wrong_agency:
        await service.create_staff(
            db,
            national,
            StaffCreate(
                username="cps.person", display_name="C P", unit_code="TST-CPS", roles=["probation_practitioner"]
            ),
        )
    assert "not a role in a cps unit" in wrong_agency.value.errors[0].message
    with pytest.raises(ValidationFailed):
        await service.create_staff(
            db,
            national,
            StaffCreate(username="paul.prac", display_name="Dup", unit_code="TST-NORTH-1", roles=["analyst"]),
        )
    with pytest.raises(Forbidden):
        await service.admin_scope(db, practitioner, manage=True)
    with pytest.raises(NotFound):
        await service.update_staff(db, national, 999_999, StaffUpdate(display_name="x"))
