"""Route permission declarations.

``requires(permission)`` returns a FastAPI dependency that answers 401/403 unless the request's
actor holds the permission, and carries the permission as an attribute so tests can list every
route's declaration. ``PUBLIC`` is for pages anyone may see (start page, probes, standing data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.db.session import get_db
from caselink.platform.access.actor import ANONYMOUS, Actor
from caselink.platform.errors import CaselinkError, Forbidden

log = logging.getLogger("caselink.access")

PUBLIC = "public"

# Set by the access policy module at import: (actor, permission) -> None, raising
# NotAuthenticated or Forbidden. Until a policy is installed only PUBLIC is allowed.
_checker: Callable[[Actor, str], None] | None = None


def install_checker(checker: Callable[[Actor, str], None]) -> None:
    global _checker
    _checker = checker


def current_actor(request: Request) -> Actor:
    return getattr(request.state, "actor", None) or ANONYMOUS


async def _audit_refusal(
    db: AsyncSession, request: Request, actor: Actor, permission: str, error: CaselinkError
) -> None:
    """Keep an audit entry of a refused request, in the request's own session (nothing else has
    been written: the route has not run)."""
    from caselink.platform.audit.service import record

    try:
        await record(
            db,
            actor,
            "access.refused",
            subject_type="route",
            subject_id=request.url.path[:100],
            outcome="refused",
            detail={"permission": permission, "method": request.method, "status": error.status},
        )
        await db.commit()
    except Exception:
        # The request is refused whatever happens here; the failure to audit must be seen in the logs.
        log.exception("could not audit a refused request")


def requires(permission: str) -> Callable[[Request], Any]:
    async def dependency(request: Request, db: AsyncSession = Depends(get_db)) -> Actor:
        actor = current_actor(request)
        if permission != PUBLIC:
            try:
                if _checker is None:
                    raise Forbidden("No access policy is installed.")
                _checker(actor, permission)
            except CaselinkError as error:
                await _audit_refusal(db, request, actor, permission, error)
                raise
        return actor

    dependency.caselink_permission = permission  # type: ignore[attr-defined]
    dependency.__name__ = f"requires_{permission.replace(':', '_').replace('.', '_')}"
    return dependency


def declared_permission(dependency: Any) -> str | None:
    return getattr(dependency, "caselink_permission", None)
