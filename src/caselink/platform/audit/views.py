"""Auditor's pages: search the audit by subject or by user over a date range, and export it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from caselink.db.session import DbSession
from caselink.platform.access import requires
from caselink.platform.access.declare import current_actor
from caselink.platform.audit import service
from caselink.platform.audit.rules import AuditQuery, parse_query
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(requires("audit:read"))])

register_nav_item(NavItem("Audit", "/audit", permission="audit:read", order=90))

FILTERS = ("subject_type", "subject_id", "user", "action", "date_from", "date_to")
PAGE_SIZE = 50


def _filters(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "").strip() for name in FILTERS}


@router.get("/audit")
async def audit_search(request: Request, db: DbSession) -> Response:
    raw = _filters(request)
    context: dict[str, Any] = {"page_title": "Audit", "values": raw, "results": None}
    if not any(raw.values()):
        return render(request, "audit/search.html", context)
    query, errors = parse_query(**raw)
    if errors:
        context.update(errors=error_list(errors), field_errors=field_errors(errors))
        return render(request, "audit/search.html", context, status_code=400)
    try:
        page = max(int(request.query_params.get("page", "1")), 1)
    except ValueError:
        page = 1
    result = await service.search(db, current_actor(request), query, page, PAGE_SIZE)
    query_string = urlencode({k: v for k, v in raw.items() if v})
    context.update(
        results=result,
        rows=[_table_row(item) for item in result.items],
        query_string=query_string,
        pagination=_pagination(result, query_string),
    )
    return render(request, "audit/search.html", context)


def _table_row(item: dict[str, Any]) -> list[dict[str, str]]:
    subject = item["subject"]
    return [
        {"text": item["occurred_at"][:19].replace("T", " ")},
        {"text": item["actor"]["label"]},
        {"text": item["action"]},
        {"text": f"{subject['type']} {subject['id'] or ''}".strip() if subject else ""},
        {"text": item["outcome"]},
        {"text": json.dumps(item["detail"], ensure_ascii=False) if item["detail"] else ""},
    ]


def _pagination(result: service.AuditPage, query_string: str) -> dict[str, Any] | None:
    if result.page == 1 and not result.has_next:
        return None
    pagination: dict[str, Any] = {}
    if result.page > 1:
        pagination["previous"] = {"href": f"/audit?{query_string}&page={result.page - 1}"}
    if result.has_next:
        pagination["next"] = {"href": f"/audit?{query_string}&page={result.page + 1}"}
    return pagination


def _spreadsheet_safe(value: Any) -> Any:
    """Stop a cell that starts with = + - @ being run as a formula when the CSV is opened."""
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


async def _csv(db: DbSession, query: AuditQuery) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(service.EXPORT_HEADER)
    async for row in service.export_rows(db, query):
        writer.writerow([_spreadsheet_safe(v) for v in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@router.get("/audit/export.csv")
async def audit_export(request: Request, db: DbSession) -> Response:
    raw = _filters(request)
    query, errors = parse_query(**raw)
    if errors:
        context: dict[str, Any] = {"page_title": "Audit", "values": raw, "results": None}
        context.update(errors=error_list(errors), field_errors=field_errors(errors))
        return render(request, "audit/search.html", context, status_code=400)
    await service.start_export(db, current_actor(request), query)
    return StreamingResponse(
        _csv(db, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="caselink-audit.csv"'},
    )
