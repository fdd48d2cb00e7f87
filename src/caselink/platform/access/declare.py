"""Route permission declarations.

``requires(permission)`` returns a FastAPI dependency that answers 401/403 unless the request's
actor holds the permission, and carries the permission as an attribute so tests can list every
route's declaration. ``PUBLIC`` is for pages anyone may see (start page, probes, standing data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request

from caselink.platform.access.actor import ANONYMOUS, Actor

PUBLIC = "public"

# Set by the access policy module at import: (actor, permission) -> None, raising
# NotAuthenticated or Forbidden. Until a policy is installed only PUBLIC is allowed.
_checker: Callable[[Actor, str], None] | None = None


def install_checker(checker: Callable[[Actor, str], None]) -> None:
    global _checker
    _checker = checker


def current_actor(request: Request) -> Actor:
    return getattr(request.state, "actor", None) or ANONYMOUS


def requires(permission: str) -> Callable[[Request], Any]:
    def dependency(request: Request) -> Actor:
        actor = current_actor(request)
        if permission != PUBLIC:
            if _checker is None:
                from caselink.platform.errors import Forbidden

                raise Forbidden("No access policy is installed.")
            _checker(actor, permission)
        return actor

    dependency.caselink_permission = permission  # type: ignore[attr-defined]
    dependency.__name__ = f"requires_{permission.replace(':', '_').replace('.', '_')}"
    return dependency


def declared_permission(dependency: Any) -> str | None:
    return getattr(dependency, "caselink_permission", None)
