"""Helpers for the end-to-end journey test: staff signed in with real sessions, the worker's relay
and movement publisher run between steps, and reads of a receiving agency's work queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import session_for

from caselink.accounts.models import Staff
from caselink.custody.rules import EVENT_HOLD_BACK
from caselink.custody.service import publish_due_movements
from caselink.organisations.models import OrganisationUnit
from caselink.platform.events.relay import run_batch
from caselink.platform.events.service import registry

LONDON = ZoneInfo("Europe/London")
# The journey is compressed into minutes of wall-clock time (see the test's docstring): times are
# keyed up to this far back, and the hearing is listed this far ahead.
KEYED_BACK = timedelta(minutes=4)
LISTED_AHEAD = timedelta(minutes=2)
# Enough rounds for hand-offs whose handlers emit further events (a case created, then its tier).
RELAY_ROUNDS = 5


@asynccontextmanager
async def signed_in(app: FastAPI, db: AsyncSession, staff: Staff) -> AsyncIterator[httpx.AsyncClient]:
    """An API client carrying STAFF's session cookie and CSRF token, as the browser would."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        csrf = await session_for(client, db, staff)
        client.headers["x-csrf-token"] = csrf
        yield client


async def relay(db: AsyncSession) -> None:
    """The worker's relay, run between steps until nothing is left: every hand-off due is handled."""
    for _ in range(RELAY_ROUNDS):
        result = await run_batch(db, registry, now=datetime.now(UTC) + timedelta(seconds=1))
        assert result.errors == [], result.errors
        assert result.dead == 0 and result.retrying == 0, result
        if result.claimed == 0:
            return
    raise AssertionError(f"the relay still had events to deliver after {RELAY_ROUNDS} rounds")


async def publish_held_back_movements(db: AsyncSession) -> int:
    """The worker's movement publisher, with its clock stepped past the hold-back (no sleeping)."""
    return await publish_due_movements(db, now=datetime.now(UTC) + EVENT_HOLD_BACK + timedelta(minutes=1))


async def unit(db: AsyncSession, *where: ColumnElement[bool]) -> OrganisationUnit:
    found = (await db.scalars(select(OrganisationUnit).where(*where).order_by(OrganisationUnit.code).limit(1))).first()
    assert found is not None, f"no organisation unit where {where}"
    return found


async def open_tasks(client: httpx.AsyncClient, task_type: str, **params: Any) -> list[dict[str, Any]]:
    """The signed-in person's work queue (their own, their team's and their unit's) of one type."""
    r = await client.get("/api/v1/tasks", params={"type": task_type, **params})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else None


def skip_near_midnight(now: datetime | None = None) -> None:
    """Results are taken only on the hearing's (London) day, and licence, appointment and
    enforcement dates are read from the times keyed, some in UTC: a journey compressed into a few
    minutes either side of midnight (London or UTC) would straddle two dates. Skip those minutes
    rather than make every step date-aware."""
    moment = now or datetime.now(UTC)
    for clock in (moment.astimezone(LONDON), moment.astimezone(UTC)):
        since_midnight = datetime.combine(clock.date(), time(), clock.tzinfo)
        elapsed = clock - since_midnight
        if elapsed < KEYED_BACK + timedelta(minutes=1) or elapsed > timedelta(days=1) - LISTED_AHEAD - timedelta(
            minutes=1
        ):
            pytest.skip(f"the compressed journey would straddle midnight ({clock:%H:%M %Z}); run it at another time")


async def closed_by_the_action(client: httpx.AsyncClient, task: dict[str, Any], outcome_starts: str) -> None:
    """The action that fulfils a hand-off task closed it by itself, its outcome naming the action:
    nobody has to close it by hand."""
    done = await ok(await client.get(f"/api/v1/tasks/{task['id']}"))
    assert done["status"] == "completed", done
    assert str(done["outcome"]).startswith(outcome_starts), done
