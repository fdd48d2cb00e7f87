"""The outcome measures dashboard: a page with server-rendered bars (no script) and CSV and Excel
downloads of the same figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.reporting import service
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("reports:read"))]


register_nav_item(NavItem("Outcome measures", "/reports/outcomes", permission="reports:read", order=80))


def _parse_date(name: str, value: str, default: date) -> tuple[date, FieldError | None]:
    if not value.strip():
        return default, None
    try:
        return date.fromisoformat(value.strip()), None
    except ValueError:
        return default, FieldError(name, "Enter a date like 2025-04-01")


async def _dashboard(
    db: DbSession, actor: Actor, area: str, start: str, end: str
) -> tuple[service.Dashboard | None, list[FieldError], dict[str, str]]:
    today = date.today()
    default_area = next((a.code for a in await service.cps_areas(db) if a.id == actor.unit_id), "")
    form = {"area": area or default_area, "start": start, "end": end}
    first, e1 = _parse_date("start", start, date(today.year - 1, today.month, 1))
    last, e2 = _parse_date("end", end, today)
    errors = [e for e in (e1, e2) if e]
    form.update(start=first.isoformat(), end=last.isoformat())
    if errors or not form["area"]:
        return None, errors, form
    try:
        return await service.outcome_dashboard(db, actor, form["area"], first, last), [], form
    except ValidationFailed as exc:
        return None, exc.errors, form


@router.get("/reports/outcomes")
async def outcomes_page(
    request: Request, db: DbSession, actor: Reader, area: str = "", start: str = "", end: str = ""
) -> Response:
    dashboard, errors, form = await _dashboard(db, actor, area, start, end)
    context: dict[str, Any] = {
        "page_title": "Outcome measures",
        "form": form,
        "areas": [
            {"value": a.code, "text": a.name, "selected": a.code == form["area"]} for a in await service.cps_areas(db)
        ],
        "dashboard": dashboard,
        "rows": service.measure_rows(dashboard)[1:] if dashboard else [],
    }
    if errors:
        context.update(errors=error_list(errors), field_errors=field_errors(errors))
        return render(request, "reporting/outcomes.html", context, status_code=400)
    return render(request, "reporting/outcomes.html", context)


@router.get("/reports/outcomes.csv")
async def outcomes_csv(db: DbSession, actor: Reader, area: str = "", start: str = "", end: str = "") -> Response:
    dashboard, errors, _ = await _dashboard(db, actor, area, start, end)
    if dashboard is None:
        raise ValidationFailed(errors or [FieldError("area", "Choose a CPS area")])
    name = f"outcome-measures-{dashboard.area.code}-{dashboard.start}-{dashboard.end}.csv"
    return Response(
        service.to_csv(dashboard),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/reports/outcomes.xlsx")
async def outcomes_xlsx(db: DbSession, actor: Reader, area: str = "", start: str = "", end: str = "") -> Response:
    dashboard, errors, _ = await _dashboard(db, actor, area, start, end)
    if dashboard is None:
        raise ValidationFailed(errors or [FieldError("area", "Choose a CPS area")])
    name = f"outcome-measures-{dashboard.area.code}-{dashboard.start}-{dashboard.end}.xlsx"
    return Response(
        service.to_xlsx(dashboard),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
