"""Errors shared by every context.

Services raise these; the API turns them into RFC 9457 problem details and the pages into a
GOV.UK error summary. ``field`` paths use the request body's names (``identifiers.0.value``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class CaselinkError(Exception):
    """Base for errors that carry a message meant for a person."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ConfigurationError(CaselinkError):
    """The environment or machine is not set up as Caselink needs: one sentence says what to do."""

    status = 500
    title = "Configuration error"
    type_slug = "configuration"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationFailed(CaselinkError):
    status = 422
    title = "Your request has errors"
    type_slug = "validation"

    def __init__(self, errors: list[FieldError] | FieldError, detail: str | None = None) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__(detail or "; ".join(e.message for e in self.errors))


class NotFound(CaselinkError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(CaselinkError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"

    def __init__(self, detail: str, extra: dict[str, object] | None = None) -> None:
        super().__init__(detail)
        self.extra = extra or {}


class Gone(CaselinkError):
    """What was asked for existed once and was removed (retention); ``extra`` says where to go on."""

    status = 410
    title = "Gone"
    type_slug = "gone"

    def __init__(self, detail: str, extra: dict[str, object] | None = None) -> None:
        super().__init__(detail)
        self.extra = extra or {}


class Forbidden(CaselinkError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class NotAuthenticated(CaselinkError):
    status = 401
    title = "Sign in required"
    type_slug = "unauthenticated"


@dataclass
class Problem:
    """An RFC 9457 problem document."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    instance: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.instance:
            body["instance"] = self.instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def problem_from_error(exc: CaselinkError, instance: str | None = None) -> Problem:
    errors: list[dict[str, str]] = []
    if isinstance(exc, ValidationFailed):
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    extra = exc.extra if isinstance(exc, Conflict | Gone) else {}
    return Problem(
        status=exc.status,
        title=exc.title,
        detail=exc.detail,
        type=f"/problems/{exc.type_slug}",
        instance=instance,
        errors=errors,
        extra=dict(extra),
    )
