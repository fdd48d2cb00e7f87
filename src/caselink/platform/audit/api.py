"""JSON API for auditors: GET /api/v1/audit/events with the same filters as the /audit page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from caselink.db.session import DbSession
from caselink.platform.access import requires
from caselink.platform.access.declare import current_actor
from caselink.platform.audit import service
from caselink.platform.audit.rules import parse_query
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.platform.openapi import example_response

router = APIRouter(tags=["audit"], dependencies=[Depends(requires("audit:read"))])

AUDIT_PAGE_EXAMPLE: dict[str, Any] = {
    "items": [
        {
            "id": 1804412,
            "occurred_at": "2026-03-10T10:21:07.412000+00:00",
            "actor": {"kind": "staff", "id": 77, "label": "staff:a.khan"},
            "client_id": None,
            "action": "person.read",
            "subject": {"type": "person", "id": "4211"},
            "outcome": "allowed",
            "request_id": "3c9a1f0d2b7e4e58",
            "detail": {"part": "record"},
            "sealed": True,
        }
    ],
    "page": 1,
    "page_size": 50,
    "has_next": False,
}


@router.get("/audit/events", responses=example_response(AUDIT_PAGE_EXAMPLE))
async def list_audit_events(
    request: Request,
    db: DbSession,
    subject_type: str | None = None,
    subject_id: str | None = None,
    user: Annotated[str | None, Query(description="Username of staff or API client")] = None,
    action: str | None = None,
    date_from: Annotated[str | None, Query(description="First day, YYYY-MM-DD (UK time)")] = None,
    date_to: Annotated[str | None, Query(description="Last day, YYYY-MM-DD (UK time)")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> dict[str, Any]:
    """Audit entries newest first: "who looked at this person" (subject_id) and "what did this
    user look at" (user). The search is itself audited."""
    query, errors = parse_query(subject_type, subject_id, user, action, date_from, date_to)
    if errors:
        raise ValidationFailed([FieldError(f"query.{e.field}", e.message) for e in errors])
    result = await service.search(db, current_actor(request), query, page, page_size)
    return {
        "items": result.items,
        "page": result.page,
        "page_size": result.page_size,
        "has_next": result.has_next,
    }
