"""The auditor's search: /audit pages, CSV export and GET /api/v1/audit/events; reading the audit
is itself audited."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.audit import service
from caselink.platform.audit.models import AuditEvent

AUDITOR = Actor(kind=ActorKind.STAFF, id=77, name="auditor1", roles=frozenset({"auditor"}))
OFFICER = Actor(kind=ActorKind.STAFF, id=41, name="jsmith", roles=frozenset({"probation_practitioner"}))
LAWYER = Actor(kind=ActorKind.STAFF, id=42, name="akhan", roles=frozenset({"cps_lawyer"}))


class As:
    def __init__(self, app: ASGIApp, actor: Actor) -> None:
        self.app, self.actor = app, actor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("state", {})["actor"] = self.actor
        await self.app(scope, receive, send)


async def client_as(app: FastAPI, actor: Actor) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=As(app, actor), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def auditor(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_as(app, AUDITOR) as c:
        yield c


@pytest.fixture
async def history(db: AsyncSession) -> None:
    await service.record(db, OFFICER, "person.read", "person", "P-900")
    await service.record(db, LAWYER, "person.read", "person", "P-900")
    await service.record(db, OFFICER, "person.search", detail={"terms": {"surname": "=HYPERLINK(1)"}})
    await service.record(db, OFFICER, "person.read", "person", "P-901")


async def test_who_looked_at_this_person(auditor: httpx.AsyncClient, history: None) -> None:
    response = await auditor.get("/api/v1/audit/events", params={"subject_id": "P-900"})
    assert response.status_code == 200
    body = response.json()
    assert {item["actor"]["label"] for item in body["items"]} == {"staff:jsmith", "staff:akhan"}
    assert body["items"][0]["occurred_at"] >= body["items"][1]["occurred_at"]  # newest first
    assert body["has_next"] is False


async def test_what_did_this_user_look_at(auditor: httpx.AsyncClient, history: None) -> None:
    body = (await auditor.get("/api/v1/audit/events", params={"user": "jsmith", "page_size": 2})).json()
    assert [item["actor"]["label"] for item in body["items"]] == ["staff:jsmith", "staff:jsmith"]
    assert body["has_next"] is True
    rest = (await auditor.get("/api/v1/audit/events", params={"user": "jsmith", "page_size": 2, "page": 2})).json()
    seen = {item["subject"]["id"] if item["subject"] else item["action"] for item in body["items"] + rest["items"]}
    assert seen == {"P-900", "P-901", "person.search"}


async def test_date_range_is_whole_uk_days(auditor: httpx.AsyncClient, history: None, db: AsyncSession) -> None:
    today = await db.scalar(text("SELECT (now() AT TIME ZONE 'Europe/London')::date"))
    inside = await auditor.get(
        "/api/v1/audit/events", params={"subject_id": "P-900", "date_from": str(today), "date_to": str(today)}
    )
    assert len(inside.json()["items"]) == 2
    before = await auditor.get("/api/v1/audit/events", params={"subject_id": "P-900", "date_to": "2020-01-01"})
    assert before.json()["items"] == []


async def test_bad_dates_are_problem_details_with_field_paths(auditor: httpx.AsyncClient) -> None:
    response = await auditor.get("/api/v1/audit/events", params={"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {"field": "query.date_to", "message": "The end date must be the same as or after the start date"}
    ]


async def test_reading_the_audit_is_audited_with_its_terms(
    auditor: httpx.AsyncClient, history: None, db: AsyncSession
) -> None:
    await auditor.get("/api/v1/audit/events", params={"subject_id": "P-900"}, headers={"X-Request-Id": "aud42"})
    entry = (await db.scalars(select(AuditEvent).where(AuditEvent.request_id == "aud42"))).one()
    assert (entry.actor_label, entry.action) == ("staff:auditor1", "audit.search")
    assert entry.detail == {"subject_type": "person", "subject_id": "P-900", "page": 1}


async def test_staff_without_audit_read_are_refused(app: FastAPI) -> None:
    async with await client_as(app, OFFICER) as officer:
        assert (await officer.get("/api/v1/audit/events")).status_code == 403
        page = await officer.get("/audit")
        assert page.status_code == 403 and "You do not have permission" in page.text


async def test_search_page_lists_entries_and_links_the_export(auditor: httpx.AsyncClient, history: None) -> None:
    empty = await auditor.get("/audit")
    assert empty.status_code == 200 and "Search the audit" in empty.text and "Results" not in empty.text
    page = await auditor.get("/audit", params={"subject_id": "P-900"})
    assert page.status_code == 200
    assert "staff:jsmith" in page.text and "staff:akhan" in page.text
    assert "/audit/export.csv?subject_id=P-900" in page.text
    assert 'href="/audit"' in page.text  # the navigation shows Audit to auditors


async def test_search_page_shows_a_govuk_error_summary_for_bad_dates(auditor: httpx.AsyncClient) -> None:
    page = await auditor.get("/audit", params={"date_from": "31/02/2026"})
    assert page.status_code == 400
    assert "govuk-error-summary" in page.text and 'href="#date_from"' in page.text
    assert "Enter a real date" in page.text


async def test_csv_export_is_complete_spreadsheet_safe_and_audited(
    auditor: httpx.AsyncClient, history: None, db: AsyncSession
) -> None:
    response = await auditor.get("/audit/export.csv", params={"user": "jsmith"}, headers={"X-Request-Id": "exp1"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 3 and {r["actor_label"] for r in rows} == {"staff:jsmith"}
    search = next(r for r in rows if r["action"] == "person.search")
    assert "=HYPERLINK" in search["detail"] and not search["detail"].startswith("=")
    export = (await db.scalars(select(AuditEvent).where(AuditEvent.request_id == "exp1"))).one()
    assert export.action == "audit.export" and export.detail == {"user": "jsmith"}
