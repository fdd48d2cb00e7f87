"""Access policy: who is acting (Actor), what each route requires, and `can(actor, action, resource)`.

Every route declares its permission with ``Depends(requires(...))``. The declaration is recorded on
the dependency so a test can check that no route lacks one (tests/platform/test_route_permissions.py).
"""

from caselink.platform.access.actor import ANONYMOUS, Actor
from caselink.platform.access.declare import PUBLIC, declared_permission, requires

__all__ = ["ANONYMOUS", "PUBLIC", "Actor", "declared_permission", "requires"]
