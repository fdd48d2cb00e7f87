"""Who is making each request, applied to every route: a Bearer token on /api (an API client), or
a session cookie (a member of staff); CSRF checks for cookie-carrying state changes; and the
training gate. ``install(app)`` wires it in (called once from create_app)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from caselink.accounts import service
from caselink.accounts.rules import SessionStage
from caselink.db.session import DbSession
from caselink.platform.access.actor import ANONYMOUS, Actor
from caselink.platform.errors import Forbidden, NotAuthenticated, problem_from_error

SESSION_COOKIE = "caselink_session"
CSRF_COOKIE = "caselink_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Where a signed-in member of staff with training outstanding may still go.
TRAINING_GATE_OPEN = ("/training", "/sign-out", "/sign-in", "/account", "/static/", "/assets/", "/accessibility")
# Requests that authenticate themselves (client credentials) rather than ride on cookies.
CSRF_EXEMPT = ("/oauth/token",)


class TrainingIncomplete(Forbidden):
    title = "Training incomplete"
    type_slug = "training-incomplete"


class CsrfFailed(Forbidden):
    title = "Form expired"
    type_slug = "csrf"


@dataclass(frozen=True)
class SignedInUser:
    """What the layout shows: the person signed in."""

    username: str
    display_name: str


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def cookie_name(request: Request, base: str) -> str:
    # The __Host- prefix makes browsers refuse the cookie unless Secure, host-only and Path=/.
    return f"__Host-{base}" if is_https(request) else base


def set_cookie(response: Response, request: Request, base: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        cookie_name(request, base),
        value,
        max_age=max_age,
        path="/",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, request: Request, base: str) -> None:
    response.delete_cookie(
        cookie_name(request, base), path="/", secure=is_https(request), httponly=True, samesite="lax"
    )


def session_token(request: Request) -> str:
    return request.cookies.get(cookie_name(request, SESSION_COOKIE), "")


def _anonymous_csrf(request: Request, seed: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


def prepare_anonymous_csrf(request: Request) -> str | None:
    """Make sure a signed-out page has a CSRF token to put in its form (the sign-in form).
    Returns a new cookie value the response must set, or None if the browser already has one."""
    if request.state.csrf_token:
        return None
    seed = secrets.token_urlsafe(24)
    request.state.csrf_token = _anonymous_csrf(request, seed)
    return seed


def remember_anonymous_csrf(response: Response, request: Request, seed: str | None) -> Response:
    if seed:
        set_cookie(response, request, CSRF_COOKIE, seed)
    return response


async def _submitted_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def authenticate(request: Request, db: DbSession) -> None:
    """Set request.state.actor (and csrf_token, user, session) before any route's permission check.

    An actor already on the request was put there by an outer ASGI layer that authenticated it
    by other means (the authorisation-matrix test; a single sign-on gateway later); it is kept."""
    if getattr(request.state, "actor", None) is not None:
        request.state.csrf_token = getattr(request.state, "csrf_token", "")
        request.state.session = None
        request.state.user = getattr(request.state, "user", None)
        return
    request.state.actor = ANONYMOUS
    request.state.user = None
    request.state.session = None
    path = request.url.path
    authorization = request.headers.get("authorization", "")
    if path.startswith("/api/") and authorization[:7].lower() == "bearer ":
        actor = await service.actor_for_bearer(db, authorization[7:].strip())
        if actor is None:
            raise NotAuthenticated("The access token is invalid, expired or revoked; ask /oauth/token for a new one.")
        request.state.actor = actor
        return  # bearer calls carry no cookies of ours, so they need no CSRF token

    token = session_token(request)
    info = await service.resolve_session(db, token) if token else None
    if info is not None:
        request.state.session = info
        request.state.csrf_token = info.csrf_token
    else:
        csrf_seed = request.cookies.get(cookie_name(request, CSRF_COOKIE), "")
        request.state.csrf_token = _anonymous_csrf(request, csrf_seed) if csrf_seed else ""

    # Cookie-less API calls cannot be forged by another site, so only a request carrying a
    # session (or any page form) must prove it came from our own page.
    needs_csrf = info is not None or not path.startswith("/api/")
    if request.method in UNSAFE_METHODS and needs_csrf and not path.startswith(CSRF_EXEMPT):
        await _check_csrf(request, db, info.actor if info and info.stage is SessionStage.ACTIVE else ANONYMOUS)

    if info is None or info.stage is not SessionStage.ACTIVE:
        return
    trained = await service.refresh_session(db, info)
    request.state.actor = info.actor
    request.state.user = SignedInUser(info.actor.name, info.display_name)
    request.state.training_complete = trained
    if not trained and not path.startswith(TRAINING_GATE_OPEN):
        raise TrainingIncomplete(
            "You must complete your required training before you can use Caselink; "
            "see /training for what is outstanding."
        )


async def _check_csrf(request: Request, db: DbSession, actor: Actor) -> None:
    expected = request.state.csrf_token
    submitted = await _submitted_csrf(request)
    if expected and submitted and hmac.compare_digest(expected, submitted):
        return
    await service._audit(
        db, actor, "csrf", outcome="refused", detail={"path": request.url.path, "method": request.method}
    )
    await db.commit()
    raise CsrfFailed(
        "This form has expired or did not come from Caselink, so nothing was changed. "
        "Go back, reload the page and try again."
    )


def install(app: FastAPI) -> None:
    """Call before the routers are included: every route then depends on `authenticate` first."""
    app.router.dependencies.insert(0, Depends(authenticate))

    async def training_incomplete(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            from caselink.web.errors import problem_response

            assert isinstance(exc, TrainingIncomplete)
            return problem_response(problem_from_error(exc, instance=request.url.path))
        return RedirectResponse("/training", status_code=303)

    app.add_exception_handler(TrainingIncomplete, training_incomplete)
