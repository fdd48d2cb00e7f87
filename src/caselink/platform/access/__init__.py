"""Access policy: who is acting (Actor), what each route requires, and `can(actor, action, resource)`.

Every route declares its permission with ``Depends(requires(...))``. The declaration is recorded on
the dependency so a test can check that no route lacks one (tests/platform/test_route_permissions.py).
Importing this package installs the policy (policy.check) behind ``requires``.
"""

from caselink.platform.access.actor import ANONYMOUS, Actor
from caselink.platform.access.declare import PUBLIC, declared_permission, requires
from caselink.platform.access.policy import PERMISSIONS, ROLES, SCOPES, can, check, ensure, permissions_of
from caselink.platform.access.rules import AccessLimit, DataPurpose, Decision, LimitKind, Resource

__all__ = [
    "ANONYMOUS",
    "PERMISSIONS",
    "PUBLIC",
    "ROLES",
    "SCOPES",
    "AccessLimit",
    "Actor",
    "DataPurpose",
    "Decision",
    "LimitKind",
    "Resource",
    "can",
    "check",
    "declared_permission",
    "ensure",
    "permissions_of",
    "requires",
]
