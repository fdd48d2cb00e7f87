"""Work-queue pages: "My work" (each member of staff's home page), team and unit queues, a task with
its reassign and complete forms."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from caselink.db.session import DbSession
from caselink.platform.access import Actor, requires
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.platform.tasks import service
from caselink.platform.tasks.rules import OwnerType
from caselink.platform.tasks.service import TaskPage, TaskView
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(prefix="/tasks", include_in_schema=False)

Reader = Annotated[Actor, Depends(requires("tasks:read"))]
Manager = Annotated[Actor, Depends(requires("tasks:manage"))]


register_nav_item(NavItem("My work", "/tasks", permission="tasks:read", order=10))


def long_date(value: Any) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def owner_label(task: TaskView, actor: Actor, names: dict[tuple[str, int], str]) -> str:
    if task.owner_type == OwnerType.STAFF:
        return "You" if actor.id == task.owner_id else f"Staff member {task.owner_id}"
    kind = "Team" if task.owner_type == OwnerType.TEAM else "Unit"
    return names.get((task.owner_type, task.owner_id), f"{kind} {task.owner_id}")


def subject_label(task: TaskView) -> str:
    return f"{'Person' if task.subject_type == 'person' else 'Case'} {task.subject_id}"


def due_html(task: TaskView) -> Markup:
    if task.due_date is None:
        return Markup("No due date")
    text = escape(long_date(task.due_date))
    if task.overdue:
        return Markup('{} <strong class="govuk-tag govuk-tag--red">Overdue</strong>').format(text)
    return Markup("{}").format(text)


async def _queue_context(request: Request, db: DbSession, actor: Actor, result: TaskPage, base: str) -> dict[str, Any]:
    names = await service.owner_names(db, result.items)
    rows = [
        [
            {"html": Markup('<a class="govuk-link" href="/tasks/{}">{}</a>').format(t.id, t.title)},
            {"text": subject_label(t)},
            {"text": owner_label(t, actor, names)},
            {"html": due_html(t)},
            {"text": t.priority_label},
            {"text": t.status_label},
        ]
        for t in result.items
    ]
    pagination: dict[str, Any] = {}
    if result.page > 1:
        pagination["previous"] = {"href": f"{base}?page={result.page - 1}"}
    if result.page < result.pages:
        pagination["next"] = {"href": f"{base}?page={result.page + 1}"}
    return {
        "rows": rows,
        "result": result,
        "overdue_count": sum(1 for t in result.items if t.overdue),
        "pagination": pagination,
    }


@router.get("")
async def my_work(request: Request, actor: Reader, db: DbSession, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    result = await service.my_work(db, actor, page=page)
    context = await _queue_context(request, db, actor, result, "/tasks")
    return render(
        request,
        "tasks/queue.html",
        {**context, "page_title": "My work", "heading": "My work", "empty": "You have no open tasks."},
    )


@router.get("/team/{team_id}")
async def team_queue(
    request: Request, team_id: int, actor: Reader, db: DbSession, page: Annotated[int, Query(ge=1)] = 1
) -> Response:
    result = await service.team_queue(db, actor, team_id, page=page)
    context = await _queue_context(request, db, actor, result, f"/tasks/team/{team_id}")
    team_name = await service.queue_name(db, OwnerType.TEAM, team_id)
    heading = f"Team queue: {team_name}" if team_name else f"Team {team_id} queue"
    return render(
        request,
        "tasks/queue.html",
        {**context, "page_title": heading, "heading": heading, "empty": "The team has no open tasks."},
    )


@router.get("/unit/{unit_id}")
async def unit_queue(
    request: Request, unit_id: int, actor: Reader, db: DbSession, page: Annotated[int, Query(ge=1)] = 1
) -> Response:
    result = await service.unit_queue(db, actor, unit_id, page=page)
    context = await _queue_context(request, db, actor, result, f"/tasks/unit/{unit_id}")
    unit_name = await service.queue_name(db, OwnerType.UNIT, unit_id)
    heading = f"Unit queue: {unit_name}" if unit_name else f"Unit {unit_id} queue"
    return render(
        request,
        "tasks/queue.html",
        {**context, "page_title": heading, "heading": heading, "empty": "The unit has no open tasks."},
    )


async def _detail(
    request: Request,
    db: DbSession,
    actor: Actor,
    task_id: int,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    from caselink.platform.access.policy import has_permission

    task, history = await service.get_task(db, actor, task_id)
    names = await service.owner_names(db, [task])
    summary = [
        {"key": {"text": "Type"}, "value": {"text": task.type}},
        {"key": {"text": "Subject"}, "value": {"text": subject_label(task)}},
        {"key": {"text": "Owner"}, "value": {"text": owner_label(task, actor, names)}},
        {"key": {"text": "Due"}, "value": {"html": due_html(task)}},
        {"key": {"text": "Priority"}, "value": {"text": task.priority_label}},
        {"key": {"text": "Status"}, "value": {"text": task.status_label}},
    ]
    if task.due_basis:
        summary.insert(4, {"key": {"text": "Deadline"}, "value": {"text": task.due_basis}})
    if task.outcome:
        summary.append({"key": {"text": "Outcome"}, "value": {"text": task.outcome}})
    history_rows = [
        [
            {"text": f"{long_date(h.at)} {h.at:%H:%M}"},
            {"text": h.action.capitalize()},
            {"text": h.actor},
            {"text": f"{h.to_owner_type} {h.to_owner_id}" if h.to_owner_type else ""},
            {"text": h.note or ""},
        ]
        for h in history
    ]
    active = task.status in service.ACTIVE
    return render(
        request,
        "tasks/detail.html",
        {
            "page_title": task.title,
            "task": task,
            "summary": summary,
            "history_rows": history_rows,
            "can_reassign": active and has_permission(actor, "tasks:manage"),
            "can_complete": active,
            "errors": error_list(errors) if errors else None,
            "field_errors": field_errors(errors or []),
            "form": form or {},
            "done": request.query_params.get("done"),
        },
        status_code=status_code,
    )


@router.get("/{task_id}")
async def task_detail(request: Request, task_id: int, actor: Reader, db: DbSession) -> Response:
    return await _detail(request, db, actor, task_id)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/{task_id}/reassign")
async def reassign(request: Request, task_id: int, actor: Manager, db: DbSession) -> Response:
    form = await _form(request)
    errors: list[FieldError] = []
    owner_type = form.get("owner_type", "")
    if owner_type not in {o.value for o in OwnerType}:
        errors.append(FieldError("owner_type", "Choose who the task goes to: a member of staff, a team or a unit."))
    raw_id = form.get("owner_id", "").strip()
    if not raw_id.isdigit() or int(raw_id) < 1:
        errors.append(FieldError("owner_id", "Enter the id of the member of staff, team or unit, as a number."))
    if not errors:
        try:
            await service.reassign_task(db, actor, task_id, owner_type, int(raw_id), form.get("reason"))
        except ValidationFailed as exc:
            errors = exc.errors
    if errors:
        await db.rollback()
        return await _detail(request, db, actor, task_id, errors=errors, form=form, status_code=400)
    return RedirectResponse(f"/tasks/{task_id}?done=reassigned", status_code=303)


@router.post("/{task_id}/complete")
async def complete(request: Request, task_id: int, actor: Reader, db: DbSession) -> Response:
    form = await _form(request)
    try:
        await service.complete_task(db, actor, task_id, form.get("outcome", ""))
    except ValidationFailed as exc:
        await db.rollback()
        return await _detail(request, db, actor, task_id, errors=exc.errors, form=form, status_code=400)
    return RedirectResponse("/tasks?done=completed", status_code=303)
