"""A request refused by a route's permission is itself audited (who, what, which route, the outcome)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def test_refused_api_call_is_audited_and_changes_nothing(client: httpx.AsyncClient, db: AsyncSession) -> None:
    request_id = uuid.uuid4().hex
    response = await client.get("/api/v1/tasks", headers={"X-Request-Id": request_id})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    rows = (
        await db.execute(
            text(
                "SELECT actor_kind, action, subject_type, subject_id, outcome, detail->>'permission' "
                "FROM audit_events WHERE request_id = :rid"
            ),
            {"rid": request_id},
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        ("anonymous", "access.refused", "route", "/api/v1/tasks", "refused", "tasks:read")
    ]
