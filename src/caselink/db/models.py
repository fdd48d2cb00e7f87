"""Every context's models imported in one place, so Alembic and the tests see one metadata.

Add a line here when a context gains a models.py.
"""

from caselink.db.base import Base
from caselink.organisations import models as organisations_models  # noqa: F401
from caselink.reference import models as reference_models  # noqa: F401

metadata = Base.metadata
