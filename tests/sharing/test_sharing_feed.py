"""The pull feed: paging with an opaque cursor (body and Link header), scopes and feed
subscriptions deciding what a client sees, bad cursors refused, and reads in the sharing log."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from tests.sharing.sharing_helpers import api_user, publish


async def _read_all(
    client: httpx.AsyncClient, headers: dict[str, str], after: str | None, limit: int
) -> tuple[list[str], str]:
    ids: list[str] = []
    cursor = after
    while True:
        params = {"limit": str(limit)} | ({"after": cursor} if cursor else {})
        page = await client.get("/api/v1/feed", params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert page.headers["Link"].endswith('rel="next"') and body["next"] in page.headers["Link"]
        ids.extend(item["id"] for item in body["items"])
        cursor = body["next"]
        if not body["items"]:
            return ids, cursor


async def test_paging_the_feed_with_the_next_cursor_sees_each_allowed_event_once(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await api_user(client, db, "events:read", "people:read")
    start = (await client.get("/api/v1/feed", headers=user.headers)).json()
    # Catch up with whatever earlier tests left, then publish.
    _, cursor = await _read_all(client, user.headers, start["next"], 200)
    people = [await publish(db, "people.person.created", person=n) for n in range(5)]
    await publish(db, "tasks.task.created", person=1)  # no tasks scope: never shown
    ids, cursor = await _read_all(client, user.headers, cursor, 2)
    assert ids == people
    # Up to date: an empty page and the same position.
    again = (await client.get("/api/v1/feed", params={"after": cursor}, headers=user.headers)).json()
    assert again["items"] == []
    later = await publish(db, "people.person.merged", person=3)
    assert [
        i["id"]
        for i in (await client.get("/api/v1/feed", params={"after": cursor}, headers=user.headers)).json()["items"]
    ] == [later]

    item = (await client.get("/api/v1/feed", params={"after": start["next"], "limit": 1}, headers=user.headers)).json()[
        "items"
    ]
    assert set(item[0]) == {"id", "type", "time", "subject", "personIds", "detailUrl"}  # thin

    log = (await client.get("/api/v1/people/3/sharing", headers=user.headers)).json()
    assert {e["channel"] for e in log["items"]} == {"feed"} and log["total"] >= 2


async def test_feed_subscriptions_narrow_the_feed_to_their_types_and_areas(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    user = await api_user(client, db, "events:read", "people:read", "tasks:read")
    start = (await client.get("/api/v1/feed", headers=user.headers)).json()
    _, cursor = await _read_all(client, user.headers, start["next"], 200)
    made = await client.post(
        "/api/v1/subscriptions", json={"event_types": ["tasks.*"], "regions": ["NORTH"]}, headers=user.headers
    )
    assert made.status_code == 201
    await publish(db, "people.person.created", person=10)
    wanted = await publish(db, "tasks.task.created", person=10, data={"regionCode": "NORTH"})
    await publish(db, "tasks.task.created", person=11, data={"regionCode": "SOUTH"})
    ids, _ = await _read_all(client, user.headers, cursor, 50)
    assert ids == [wanted]


async def test_bad_and_unknown_cursors_are_problems(client: httpx.AsyncClient, db: AsyncSession) -> None:
    from caselink.sharing import rules

    user = await api_user(client, db, "events:read", "people:read")
    for cursor in ["not-a-cursor", "YzEuMQ", rules.encode_cursor(5, rules.cursor_key("someone else's key"))]:
        bad = await client.get("/api/v1/feed", params={"after": cursor}, headers=user.headers)
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
        assert bad.json()["errors"][0]["field"] == "after"
    key = rules.cursor_key(client._transport.app.state.settings.secret_key)  # type: ignore[attr-defined]
    beyond = await client.get("/api/v1/feed", params={"after": rules.encode_cursor(10**12, key)}, headers=user.headers)
    assert beyond.status_code == 422 and "does not exist" in beyond.json()["errors"][0]["message"]
    assert (await client.get("/api/v1/feed", params={"limit": "0"}, headers=user.headers)).status_code == 422
    # Staff and clients without events:read have no feed.
    reader = await api_user(client, db, "people:read")
    assert (await client.get("/api/v1/feed", headers=reader.headers)).status_code == 403
