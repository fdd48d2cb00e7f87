"""API clients: client-credentials tokens, Bearer calls with scopes, revoked and expired clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts import service
from caselink.accounts.models import ApiAccessToken, ApiClient
from caselink.accounts.schemas import ClientCreate
from caselink.platform.access.actor import SYSTEM


async def _client(db: AsyncSession, *scopes: str) -> service.NewClient:
    return await service.create_client(db, SYSTEM, ClientCreate(name="Kent police case system", scopes=list(scopes)))


async def _token(http: httpx.AsyncClient, client_id: str, secret: str, **form: str) -> httpx.Response:
    return await http.post("/oauth/token", data={"grant_type": "client_credentials", **form}, auth=(client_id, secret))


async def test_client_credentials_by_basic_and_by_form(client: httpx.AsyncClient, db: AsyncSession) -> None:
    new = await _client(db, "audit:read", "people:read")
    assert new.client.secret_hash != new.secret and new.secret not in new.client.secret_hash
    basic = await _token(client, new.client.client_id, new.secret)
    assert basic.status_code == 200, basic.text
    body = basic.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0 and body["access_token"]
    form = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": new.client.client_id,
            "client_secret": new.secret,
            "scope": "people:read",
        },
    )
    assert form.status_code == 200 and form.json()["scope"] == "people:read"
    # The bearer token works on /api/v1 with its scope, and is refused (403) without it.
    good = await client.get("/api/v1/audit/events", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert good.status_code == 200, good.text
    narrow = await client.get(
        "/api/v1/audit/events", headers={"Authorization": f"Bearer {form.json()['access_token']}"}
    )
    assert narrow.status_code == 403 and narrow.headers["content-type"].startswith("application/problem+json")


async def test_wrong_secret_unknown_client_and_bad_requests(client: httpx.AsyncClient, db: AsyncSession) -> None:
    new = await _client(db, "people:read")
    for client_id, secret in ((new.client.client_id, "wrong"), ("cl_nobody", new.secret)):
        response = await _token(client, client_id, secret)
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    wrong_grant = await client.post(
        "/oauth/token", data={"grant_type": "password"}, auth=(new.client.client_id, new.secret)
    )
    assert wrong_grant.json()["error"] == "unsupported_grant_type"
    too_wide = await _token(client, new.client.client_id, new.secret, scope="people:write")
    assert too_wide.status_code == 400 and too_wide.json()["error"] == "invalid_scope"
    assert await db.scalar(select(func.count()).select_from(ApiAccessToken)) == 0


async def test_revoked_and_expired_clients_are_refused(client: httpx.AsyncClient, db: AsyncSession) -> None:
    new = await _client(db, "audit:read")
    token = (await _token(client, new.client.client_id, new.secret)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/audit/events", headers=headers)).status_code == 200
    await service.revoke_client(db, SYSTEM, new.client.client_id)
    refused = await client.get("/api/v1/audit/events", headers=headers)
    assert refused.status_code == 401 and "WWW-Authenticate" in refused.headers
    assert (await _token(client, new.client.client_id, new.secret)).status_code == 401

    other = await _client(db, "audit:read")
    token = (await _token(client, other.client.client_id, other.secret)).json()["access_token"]
    await db.execute(
        update(ApiClient)
        .where(ApiClient.id == other.client.id)
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    await db.commit()
    assert (await client.get("/api/v1/audit/events", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    assert (await _token(client, other.client.client_id, other.secret)).status_code == 401
    assert (await client.get("/api/v1/audit/events", headers={"Authorization": "Bearer forged"})).status_code == 401


async def test_scopes_must_look_like_area_read_or_write(db: AsyncSession) -> None:
    import pytest

    from caselink.platform.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        await _client(db, "people:delete")
    assert refused.value.errors[0].field == "scopes"
    assert await db.scalar(select(func.count()).select_from(ApiClient)) == 0
