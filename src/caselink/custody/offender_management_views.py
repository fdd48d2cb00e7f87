"""Pages of prison offender management: a prison offender manager's list of their prisoners, the
prison's unallocated prisoners, and the allocation form on a person's custody tab (errors re-show
the tab with a GOV.UK error summary)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from caselink.custody import offender_management_service as service
from caselink.custody.views import _person_page
from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.errors import Conflict, FieldError, ValidationFailed
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("custody:read"))]
Allocator = Annotated[Actor, Depends(requires("custody:allocate"))]

# Offender management is the work of those who allocate (decision 0056), not of every records clerk.
register_nav_item(
    NavItem("Offender management", "/custody/offender-management", permission="custody:allocate", order=41)
)


@router.get("/custody/offender-management")
async def my_prisoners_page(
    request: Request, db: DbSession, actor: Reader, staff_id: int | None = None, page: int = 1
) -> Response:
    out = await service.my_prisoners(db, actor, staff_id, page)
    return render(request, "custody/offender_management.html", {"list": out, "unallocated": False})


@router.get("/custody/offender-management/unallocated")
async def unallocated_page(request: Request, db: DbSession, actor: Reader, page: int = 1) -> Response:
    out = await service.unallocated(db, actor, None, page)
    return render(request, "custody/offender_management.html", {"list": out, "unallocated": True})


@router.post("/custody/bookings/{booking_id}/offender-manager")
async def allocate_submit(
    request: Request,
    db: DbSession,
    actor: Allocator,
    booking_id: int,
    person_id: Annotated[int, Form()],
    staff_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    errors: list[FieldError] = []
    chosen = staff_id.strip()
    if not chosen.isdigit():
        errors = [FieldError("staff_id", "Choose a prison offender manager")]
    else:
        try:
            await service.allocate(db, actor, booking_id, int(chosen), reason)
        except ValidationFailed as exc:
            errors = [FieldError("om_reason" if e.field == "reason" else e.field, e.message) for e in exc.errors]
        except Conflict as exc:
            errors = [FieldError("staff_id", exc.detail)]
    if errors:
        await db.rollback()
        extra = {
            "errors": error_list(errors),
            "field_errors": field_errors(errors),
            "om_form": {"staff_id": chosen, "reason": reason},
        }
        return await _person_page(request, db, actor, person_id, extra, 400)
    return RedirectResponse(f"/custody/people/{person_id}", status_code=303)
