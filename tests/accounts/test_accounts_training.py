"""The training gate: an untrained user reaches only /training; the API refuses them too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import Units, csrf_from, make_staff, session_for

from caselink.accounts.models import Staff, StaffSession, TrainingCompletion


async def test_untrained_user_is_held_at_the_training_page(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    staff = await make_staff(db, "tara.trainee", ["probation_practitioner"], units.north_pdu, trained=False)
    await session_for(client, db, staff)
    home = await client.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/training"
    assert (await client.get("/admin/staff")).headers["location"] == "/training"
    page = await client.get("/training")
    assert page.status_code == 200
    assert "Data protection and information sharing" in page.text and "Safeguarding and public protection" in page.text
    api = await client.get("/api/v1/me")
    assert api.status_code == 403 and api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["title"] == "Training incomplete"


async def test_recorded_training_lets_the_user_in_and_expiry_holds_them_again(
    client: httpx.AsyncClient, db: AsyncSession, units: Units
) -> None:
    trainer = await make_staff(db, "tess.trainer", ["training_administrator"], units.north_region)
    trainee = await make_staff(db, "tim.trainee", ["cps_lawyer"], units.cps, trained=False)
    trainee_id, north_pdu_id = trainee.id, units.north_pdu.id
    csrf = await session_for(client, db, trainer)
    for module in ("data-protection", "information-security", "caselink-essentials", "code-for-crown-prosecutors"):
        response = await client.post(
            "/admin/training/completions",
            data={"username": "tim.trainee", "module_code": module, "completed_on": "", "csrf_token": csrf},
        )
        # The CPS area is outside the trainer's area (their probation region): refused, nothing recorded.
        assert response.status_code == 403
    # A trainer whose area covers the trainee records it.
    # (A CPS role in a probation unit is only a shortcut for this test.)
    await db.execute(update(Staff).where(Staff.id == trainee_id).values(unit_id=north_pdu_id))
    await db.commit()
    for module in ("data-protection", "information-security", "caselink-essentials", "code-for-crown-prosecutors"):
        response = await client.post(
            "/admin/training/completions",
            data={"username": "tim.trainee", "module_code": module, "completed_on": "", "csrf_token": csrf},
        )
        assert response.status_code == 303
    bad_date = await client.post(
        "/admin/training/completions",
        data={
            "username": "tim.trainee",
            "module_code": "data-protection",
            "completed_on": "31/02/2026",
            "csrf_token": csrf,
        },
    )
    assert bad_date.status_code == 400 and 'href="#completed_on"' in bad_date.text

    client.cookies.clear()
    await session_for(client, db, trainee)
    assert (await client.get("/api/v1/me")).status_code == 200
    assert (await client.get("/training")).text.count("up to date") == 1
    # A year and a day later the data-protection refresher has expired.
    await db.execute(
        update(TrainingCompletion)
        .where(TrainingCompletion.staff_id == trainee_id)
        .values(completed_on=datetime.now(UTC).date() - timedelta(days=367))
    )
    await db.execute(update(StaffSession).values(training_ok_until=None))
    assert (await client.get("/api/v1/me")).status_code == 403
    assert "Expired on" in (await client.get("/training")).text
    assert await csrf_from(client, "/training")
