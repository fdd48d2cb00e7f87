"""Error responses: RFC 9457 problem details under /api, GOV.UK-pattern pages everywhere else."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from caselink.platform.errors import CaselinkError, FieldError, Problem, ValidationFailed, problem_from_error
from caselink.web.templating import error_list, render

log = logging.getLogger("caselink.errors")

PROBLEM_JSON = "application/problem+json"


def wants_problem_json(path: str) -> bool:
    return path.startswith("/api/") or path.startswith("/oauth/")


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem.to_dict(), status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


PAGES: dict[int, tuple[str, list[str]]] = {
    400: ("There is a problem with your request", ["Check what you entered and try again."]),
    401: ("You need to sign in", ["Sign in to use this part of Caselink."]),
    403: (
        "You do not have permission to see this page",
        ["Your role or caseload does not give you access to this. Ask your area administrator if you need it."],
    ),
    404: (
        "Page not found",
        [
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
        ],
    ),
    405: ("Page not found", ["This page cannot be used in that way."]),
    409: ("There is a problem", ["Someone may have changed this record. Go back and try again."]),
    422: ("There is a problem with your request", ["Check what you entered and try again."]),
    500: (
        "Sorry, there is a problem with the service",
        ["Try again later.", "Nothing you entered has been saved if the page said so."],
    ),
    503: (
        "Sorry, the service is busy",
        [
            "Caselink has more requests than it can answer right now.",
            "Wait a few seconds and try again. Nothing you entered has been lost.",
        ],
    ),
}


def error_page(
    request: Request,
    status: int,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    heading, paragraphs = PAGES.get(status, PAGES[500 if status >= 500 else 400])
    if detail and status not in (404, 500):
        paragraphs = [detail]
    context: dict[str, Any] = {
        "page_title": heading,
        "heading": heading,
        "paragraphs": paragraphs,
        "request_id": getattr(request.state, "request_id", None) if status >= 500 else None,
        "errors": error_list(errors) if errors else None,
    }
    return render(request, "error.html", context, status_code=status, headers=headers)


def overloaded_body(path: str) -> tuple[str, bytes]:
    """The 503 answer when the process is over capacity: built without templates, so it is cheap."""
    if wants_problem_json(path):
        problem = Problem(
            status=503,
            title="Service busy",
            detail="Too many requests in progress; retry shortly.",
            type="/problems/overloaded",
        )
        return PROBLEM_JSON, json.dumps(problem.to_dict()).encode()
    heading, paragraphs = PAGES[503]
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
        f"{heading} – Caselink</title></head><body><main><h1>{heading}</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</main></body></html>"
    )
    return "text/html; charset=utf-8", body.encode()


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        source, rest = parts[0], parts[1:]
        return ".".join(rest) if source in {"body", "form"} and rest else ".".join([source, *rest])
    return ".".join(parts)


def validation_field_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        message = str(err.get("msg", "Invalid value")).removeprefix("Value error, ")
        errors.append(FieldError(field=_field_path(err.get("loc", ())), message=message))
    return errors


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CaselinkError)
    async def caselink_error(request: Request, exc: CaselinkError) -> Response:
        if exc.status >= 500:
            log.error("service error: %s", exc.detail)
        if wants_problem_json(request.url.path):
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return problem_response(problem_from_error(exc, instance=request.url.path), headers=headers)
        errors = exc.errors if isinstance(exc, ValidationFailed) else None
        return error_page(request, exc.status, exc.detail, errors=errors)

    @app.exception_handler(RequestValidationError)
    async def request_validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = validation_field_errors(exc)
        if wants_problem_json(request.url.path):
            problem = problem_from_error(ValidationFailed(errors), instance=request.url.path)
            return problem_response(problem)
        return error_page(request, 400, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers) if exc.headers else None
        if wants_problem_json(request.url.path):
            title = PAGES.get(exc.status_code, ("Error", []))[0]
            detail = exc.detail if isinstance(exc.detail, str) else title
            return problem_response(
                Problem(status=exc.status_code, title=title, detail=detail, instance=request.url.path),
                headers=headers,
            )
        page_detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in (404, 405) else None
        return error_page(request, exc.status_code, page_detail, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if wants_problem_json(request.url.path):
            return problem_response(
                Problem(
                    status=500,
                    title="Internal server error",
                    detail="Something went wrong; nothing was saved. Quote the request id.",
                    instance=request.url.path,
                    extra={"request_id": getattr(request.state, "request_id", None)},
                )
            )
        return error_page(request, 500)
