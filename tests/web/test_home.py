"""Home: visitors get the start page with a sign-in button; signed-in staff land on "My work"."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import make_staff, session_for

from caselink.organisations.models import OrganisationUnit


async def test_visitor_sees_the_start_page_with_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert 'href="/sign-in"' in response.text


async def test_signed_in_staff_land_on_my_work(client: httpx.AsyncClient, db: AsyncSession) -> None:
    pdu = OrganisationUnit(code="TST-HOME-PDU", name="Test PDU", agency="probation", kind="probation_delivery_unit")
    db.add(pdu)
    await db.flush()
    staff = await make_staff(db, "home.practitioner", ["probation_practitioner"], pdu)
    await session_for(client, db, staff)
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/tasks"
    my_work = await client.get("/tasks")
    assert my_work.status_code == 200
    assert "My work" in my_work.text
