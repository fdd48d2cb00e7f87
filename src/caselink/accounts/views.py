"""Pages: sign-in, the MFA step and enrolment, sign-out, your account, the training gate, and the
administration of staff, training and API clients."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from caselink.accounts import authentication as auth
from caselink.accounts import rules, service
from caselink.accounts.rules import Role, SessionStage
from caselink.accounts.schemas import ClientCreate, StaffCreate, StaffUpdate
from caselink.db.session import DbSession
from caselink.platform.access import PUBLIC, Actor, requires
from caselink.platform.errors import FieldError, ValidationFailed
from caselink.web.templating import NavItem, error_list, field_errors, register_nav_item, render

router = APIRouter(include_in_schema=False)

SelfActor = Annotated[Actor, Depends(requires("account:self"))]
StaffReader = Annotated[Actor, Depends(requires("staff:read"))]
StaffManager = Annotated[Actor, Depends(requires("staff:manage"))]
TrainingRecorder = Annotated[Actor, Depends(requires("training:record"))]
ClientManager = Annotated[Actor, Depends(requires("clients:manage"))]


def _holds(permission: str) -> Any:
    def visible(request: Request) -> bool:
        from caselink.platform.access.policy import has_permission

        actor = getattr(request.state, "actor", None)
        return actor is not None and actor.is_authenticated and has_permission(actor, permission)

    return visible


register_nav_item(NavItem("Staff", "/admin/staff", permission="staff:read", order=80))
register_nav_item(NavItem("Training records", "/admin/training", permission="training:record", order=85))
register_nav_item(NavItem("API clients", "/admin/clients", permission="clients:manage", order=90))


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _form_errors(errors: list[FieldError]) -> dict[str, Any]:
    return {"errors": error_list(errors), "field_errors": field_errors(errors)}


# -- sign-in -------------------------------------------------------------------------------


def _sign_in_page(request: Request, status: int = 200, **context: Any) -> Response:
    seed = auth.prepare_anonymous_csrf(request)
    response = render(request, "accounts/sign_in.html", {"page_title": "Sign in", **context}, status_code=status)
    return auth.remember_anonymous_csrf(response, request, seed)


@router.get("/sign-in", dependencies=[Depends(requires(PUBLIC))])
async def sign_in_form(request: Request, signed_out: bool = False) -> Response:
    if request.state.user is not None:
        return _see_other("/")
    return _sign_in_page(request, signed_out=signed_out)


@router.post("/sign-in", dependencies=[Depends(requires(PUBLIC))])
async def sign_in_submit(
    request: Request, db: DbSession, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = ""
) -> Response:
    errors = []
    if not username.strip():
        errors.append(FieldError("username", "Enter your username."))
    if not password:
        errors.append(FieldError("password", "Enter your password."))
    if errors:
        return _sign_in_page(request, 400, username=username, **_form_errors(errors))
    result = await service.sign_in(
        db,
        username,
        password,
        mfa_required=not request.app.state.settings.demo_mode,
        address=_client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    if result.error or not result.session_token:
        # One message for a wrong password and for an unknown username, linked to the first field.
        errs = [FieldError("username", result.error or service.GENERIC_FAILURE)]
        return _sign_in_page(request, 400, username=username, errors=error_list(errs))
    target = {SessionStage.MFA: "/sign-in/mfa", SessionStage.ENROL: "/sign-in/mfa/set-up"}.get(
        result.stage or SessionStage.ACTIVE, "/"
    )
    response = _see_other(target)
    auth.set_cookie(response, request, auth.SESSION_COOKIE, result.session_token)
    auth.clear_cookie(response, request, auth.CSRF_COOKIE)
    return response


def _pending(request: Request, stage: SessionStage) -> bool:
    info = request.state.session
    return info is not None and info.stage is stage


@router.get("/sign-in/mfa", dependencies=[Depends(requires(PUBLIC))])
async def mfa_form(request: Request) -> Response:
    if not _pending(request, SessionStage.MFA):
        return _see_other("/sign-in")
    return render(request, "accounts/mfa.html", {"page_title": "Enter your security code"})


@router.post("/sign-in/mfa", dependencies=[Depends(requires(PUBLIC))])
async def mfa_submit(request: Request, db: DbSession, code: Annotated[str, Form()] = "") -> Response:
    if not _pending(request, SessionStage.MFA):
        return _see_other("/sign-in")
    result = await service.verify_second_factor(db, auth.session_token(request), code)
    if result.error or not result.session_token:
        errs = [FieldError("code", result.error or "Enter your security code.")]
        return render(
            request, "accounts/mfa.html", {"page_title": "Enter your security code", **_form_errors(errs)}, 400
        )
    response = _see_other("/")
    auth.set_cookie(response, request, auth.SESSION_COOKIE, result.session_token)
    return response


def qr_svg(uri: str) -> Markup:
    """The otpauth URI as an inline SVG QR code (no image request, no inline style: CSP-safe)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, title="QR code for your authenticator app")
    return Markup(svg)  # noqa: S704 - segno's own SVG markup, built from our URI


async def _enrolment_page(
    request: Request,
    db: DbSession,
    action: str,
    actor: Actor | None,
    status: int = 200,
    errors: list[FieldError] | None = None,
) -> Response:
    enrolment = await service.begin_enrolment(db, auth.session_token(request), actor)
    context: dict[str, Any] = {
        "page_title": "Set up your authenticator app",
        "qr_svg": qr_svg(enrolment.uri),
        "secret": " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)),
        "action": action,
    }
    if errors:
        context.update(_form_errors(errors))
    return render(request, "accounts/mfa_enrol.html", context, status)


@router.get("/sign-in/mfa/set-up", dependencies=[Depends(requires(PUBLIC))])
async def enrol_form(request: Request, db: DbSession) -> Response:
    if not _pending(request, SessionStage.ENROL):
        return _see_other("/sign-in")
    return await _enrolment_page(request, db, "/sign-in/mfa/set-up", None)


@router.post("/sign-in/mfa/set-up", dependencies=[Depends(requires(PUBLIC))])
async def enrol_submit(request: Request, db: DbSession, code: Annotated[str, Form()] = "") -> Response:
    if not _pending(request, SessionStage.ENROL):
        return _see_other("/sign-in")
    try:
        result = await service.confirm_enrolment(db, auth.session_token(request), None, code)
    except ValidationFailed as exc:
        return await _enrolment_page(request, db, "/sign-in/mfa/set-up", None, 400, exc.errors)
    response = render(
        request, "accounts/recovery_codes.html", {"page_title": "Your recovery codes", "codes": result.recovery_codes}
    )
    if result.session_token:
        auth.set_cookie(response, request, auth.SESSION_COOKIE, result.session_token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/sign-out", dependencies=[Depends(requires(PUBLIC))])
async def sign_out(request: Request, db: DbSession) -> Response:
    token = auth.session_token(request)
    if token:
        await service.sign_out(db, token)
    response = _see_other("/sign-in?signed_out=true")
    auth.clear_cookie(response, request, auth.SESSION_COOKIE)
    return response


# -- set-up link ---------------------------------------------------------------------------


@router.get("/account/set-up", dependencies=[Depends(requires(PUBLIC))])
async def setup_form(request: Request, token: str = "") -> Response:
    seed = auth.prepare_anonymous_csrf(request)
    response = render(request, "accounts/set_up.html", {"page_title": "Set your password", "token": token})
    return auth.remember_anonymous_csrf(response, request, seed)


@router.post("/account/set-up", dependencies=[Depends(requires(PUBLIC))])
async def setup_submit(
    request: Request,
    db: DbSession,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    try:
        if password != confirm:
            raise ValidationFailed(FieldError("confirm", "The passwords do not match."))
        await service.complete_setup(db, token, password)
    except ValidationFailed as exc:
        context = {"page_title": "Set your password", "token": token, **_form_errors(exc.errors)}
        return render(request, "accounts/set_up.html", context, 400)
    return _see_other("/sign-in")


# -- your account --------------------------------------------------------------------------


@router.get("/account")
async def account_page(request: Request, db: DbSession, actor: SelfActor) -> Response:
    sessions = await service.list_sessions(db, actor)
    roles = [rules.ROLE_TITLES.get(Role(r), r) for r in sorted(actor.roles) if r in Role.__members__.values()]
    return render(
        request, "accounts/account.html", {"page_title": "Your account", "sessions": sessions, "roles": roles}
    )


@router.post("/account/sign-out-everywhere")
async def account_sign_out_everywhere(request: Request, db: DbSession, actor: SelfActor) -> Response:
    await service.sign_out_everywhere(db, actor)
    response = _see_other("/sign-in?signed_out=true")
    auth.clear_cookie(response, request, auth.SESSION_COOKIE)
    return response


@router.get("/account/mfa")
async def account_mfa_form(request: Request, db: DbSession, actor: SelfActor) -> Response:
    return await _enrolment_page(request, db, "/account/mfa", actor)


@router.post("/account/mfa")
async def account_mfa_submit(
    request: Request, db: DbSession, actor: SelfActor, code: Annotated[str, Form()] = ""
) -> Response:
    try:
        result = await service.confirm_enrolment(db, None, actor, code)
    except ValidationFailed as exc:
        return await _enrolment_page(request, db, "/account/mfa", actor, 400, exc.errors)
    response = render(
        request, "accounts/recovery_codes.html", {"page_title": "Your recovery codes", "codes": result.recovery_codes}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/training")
async def training_page(request: Request, db: DbSession, actor: SelfActor) -> Response:
    assert actor.id is not None
    outstanding, next_due = await service.training_outstanding(db, actor.id, actor.roles, service.utcnow().date())
    context = {"page_title": "Your training", "outstanding": outstanding, "next_due": next_due}
    return render(request, "accounts/training.html", context)


# -- administration: staff -----------------------------------------------------------------


def _role_items(selected: list[str]) -> list[dict[str, Any]]:
    return [{"value": r.value, "text": rules.ROLE_TITLES[r], "checked": r.value in selected} for r in Role]


@router.get("/admin/staff")
async def staff_list(
    request: Request, db: DbSession, actor: StaffReader, q: str = "", page: Annotated[int, Query(ge=1)] = 1
) -> Response:
    listing = await service.list_staff(db, actor, q or None, page, 50)
    can_manage = _holds("staff:manage")(request)
    pages = max(1, -(-listing.total // listing.page_size))
    context = {"page_title": "Staff", "listing": listing, "q": q, "can_manage": can_manage, "pages": pages}
    return render(request, "accounts/staff_list.html", context)


def _staff_form(
    request: Request, values: dict[str, Any], status: int = 200, errors: list[FieldError] | None = None
) -> Response:
    context: dict[str, Any] = {
        "page_title": "Edit account" if values.get("id") else "Add a member of staff",
        "values": values,
        "role_items": _role_items(values.get("roles") or []),
    }
    if errors:
        context.update(_form_errors(errors))
    return render(request, "accounts/staff_form.html", context, status)


@router.get("/admin/staff/new")
async def staff_new(request: Request, actor: StaffManager) -> Response:
    return _staff_form(request, {"unit_code": actor.unit_code or "", "roles": []})


def _split_codes(raw: str) -> list[str]:
    return [c for c in raw.replace(",", " ").split() if c]


@router.post("/admin/staff/new")
async def staff_create(
    request: Request,
    db: DbSession,
    actor: StaffManager,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    unit_code: Annotated[str, Form()] = "",
    team_codes: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values = {
        "username": username,
        "display_name": display_name,
        "email": email,
        "unit_code": unit_code,
        "team_codes": team_codes,
        "roles": roles or [],
    }
    data = StaffCreate(
        username=username[:64],
        display_name=display_name[:200],
        email=email[:320] or None,
        unit_code=unit_code[:16],
        roles=roles or [],
        team_codes=_split_codes(team_codes),
    )
    try:
        created, setup_token = await service.create_staff(db, actor, data)
    except ValidationFailed as exc:
        return _staff_form(request, values, 400, exc.errors)
    setup_url = str(request.url_for("setup_form").include_query_params(token=setup_token)) if setup_token else None
    return render(
        request,
        "accounts/staff_created.html",
        {"page_title": "Account created", "staff": created, "setup_url": setup_url},
    )


@router.get("/admin/staff/{staff_id}")
async def staff_show(request: Request, db: DbSession, actor: StaffReader, staff_id: int) -> Response:
    staff = await service.get_staff(db, actor, staff_id)
    can_manage = _holds("staff:manage")(request)
    return render(
        request,
        "accounts/staff_show.html",
        {"page_title": staff.display_name, "staff": staff, "can_manage": can_manage},
    )


@router.get("/admin/staff/{staff_id}/edit")
async def staff_edit(request: Request, db: DbSession, actor: StaffManager, staff_id: int) -> Response:
    staff = await service.get_staff(db, actor, staff_id)
    values = staff.model_dump()
    values["team_codes"] = " ".join(staff.team_codes)
    return _staff_form(request, values)


@router.post("/admin/staff/{staff_id}/edit")
async def staff_update(
    request: Request,
    db: DbSession,
    actor: StaffManager,
    staff_id: int,
    display_name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    unit_code: Annotated[str, Form()] = "",
    team_codes: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    data = StaffUpdate(
        display_name=display_name[:200],
        email=email[:320],
        unit_code=unit_code[:16],
        roles=roles or [],
        team_codes=_split_codes(team_codes),
    )
    try:
        await service.update_staff(db, actor, staff_id, data)
    except ValidationFailed as exc:
        current = await service.get_staff(db, actor, staff_id)
        values = {
            **current.model_dump(),
            "display_name": display_name,
            "email": email,
            "unit_code": unit_code,
            "team_codes": team_codes,
            "roles": roles or [],
        }
        return _staff_form(request, values, 400, exc.errors)
    return _see_other(f"/admin/staff/{staff_id}")


@router.post("/admin/staff/{staff_id}/suspend")
async def staff_suspend(
    request: Request, db: DbSession, actor: StaffManager, staff_id: int, reason: Annotated[str, Form()] = ""
) -> Response:
    try:
        await service.set_staff_status(db, actor, staff_id, suspend=True, reason=reason)
    except ValidationFailed as exc:
        staff = await service.get_staff(db, actor, staff_id)
        context = {"page_title": staff.display_name, "staff": staff, "can_manage": True, **_form_errors(exc.errors)}
        return render(request, "accounts/staff_show.html", context, 400)
    return _see_other(f"/admin/staff/{staff_id}")


@router.post("/admin/staff/{staff_id}/reactivate")
async def staff_reactivate(request: Request, db: DbSession, actor: StaffManager, staff_id: int) -> Response:
    await service.set_staff_status(db, actor, staff_id, suspend=False)
    return _see_other(f"/admin/staff/{staff_id}")


@router.post("/admin/staff/{staff_id}/reset")
async def staff_reset(request: Request, db: DbSession, actor: StaffManager, staff_id: int) -> Response:
    token = await service.reset_setup_link(db, actor, staff_id)
    staff = await service.get_staff(db, actor, staff_id)
    setup_url = str(request.url_for("setup_form").include_query_params(token=token))
    return render(
        request,
        "accounts/staff_created.html",
        {"page_title": "New set-up link", "staff": staff, "setup_url": setup_url},
    )


# -- administration: training --------------------------------------------------------------


async def _training_admin(request: Request, db: DbSession, status: int = 200, **context: Any) -> Response:
    modules = await service.list_modules(db)
    items = [{"value": m.code, "text": m.title} for m in modules]
    return render(
        request,
        "accounts/training_admin.html",
        {"page_title": "Training records", "modules": modules, "module_items": items, **context},
        status,
    )


@router.get("/admin/training")
async def training_admin(request: Request, db: DbSession, actor: TrainingRecorder, recorded: str = "") -> Response:
    return await _training_admin(request, db, recorded=recorded)


@router.post("/admin/training/completions")
async def training_record(
    request: Request,
    db: DbSession,
    actor: TrainingRecorder,
    username: Annotated[str, Form()] = "",
    module_code: Annotated[str, Form()] = "",
    completed_on: Annotated[str, Form()] = "",
) -> Response:
    values = {"username": username, "module_code": module_code, "completed_on": completed_on}
    try:
        try:
            day = date.fromisoformat(completed_on.strip()) if completed_on.strip() else service.utcnow().date()
        except ValueError:
            raise ValidationFailed(
                FieldError("completed_on", "Enter the date as YYYY-MM-DD, for example 2026-03-31.")
            ) from None
        await service.record_completion(db, actor, username, module_code, day)
    except ValidationFailed as exc:
        return await _training_admin(request, db, 400, values=values, **_form_errors(exc.errors))
    return _see_other(f"/admin/training?recorded={rules.normalise_username(username)}")


# -- administration: API clients -----------------------------------------------------------


@router.get("/admin/clients")
async def clients_list(request: Request, db: DbSession, actor: ClientManager) -> Response:
    clients = await service.list_clients(db)
    return render(
        request, "accounts/clients.html", {"page_title": "API clients", "clients": clients, "now": service.utcnow()}
    )


@router.post("/admin/clients")
async def clients_create(
    request: Request,
    db: DbSession,
    actor: ClientManager,
    name: Annotated[str, Form()] = "",
    scopes: Annotated[str, Form()] = "",
    expires_in_days: Annotated[int, Form(ge=1, le=730)] = 365,
) -> Response:
    try:
        if not name.strip():
            raise ValidationFailed(FieldError("name", "Enter the name of the system or supplier."))
        created = await service.create_client(
            db, actor, ClientCreate(name=name[:200], scopes=scopes.split(), expires_in_days=expires_in_days)
        )
    except ValidationFailed as exc:
        clients = await service.list_clients(db)
        context = {
            "page_title": "API clients",
            "clients": clients,
            "now": service.utcnow(),
            "values": {"name": name, "scopes": scopes},
        }
        return render(request, "accounts/clients.html", {**context, **_form_errors(exc.errors)}, 400)
    response = render(
        request,
        "accounts/client_created.html",
        {"page_title": "API client created", "client": created.client, "secret": created.secret},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/clients/{client_id}/revoke")
async def clients_revoke(request: Request, db: DbSession, actor: ClientManager, client_id: str) -> Response:
    await service.revoke_client(db, actor, client_id)
    return _see_other("/admin/clients")
