"""Every context's models imported in one place, so Alembic and the tests see one metadata.

Add a line here when a context gains a models.py.
"""

from caselink.accounts import models as accounts_models  # noqa: F401
from caselink.assessments import models as assessments_models  # noqa: F401
from caselink.courts import models as courts_models  # noqa: F401
from caselink.custody import models as custody_models  # noqa: F401
from caselink.db.base import Base
from caselink.organisations import models as organisations_models  # noqa: F401
from caselink.people import details_models as people_details_models  # noqa: F401
from caselink.people import linkage_models as people_linkage_models  # noqa: F401
from caselink.people import merge_models as people_merge_models  # noqa: F401
from caselink.people import models as people_models  # noqa: F401
from caselink.people import registration_models as people_registration_models  # noqa: F401
from caselink.people import timeline_models as people_timeline_models  # noqa: F401
from caselink.platform import idempotency as idempotency_models  # noqa: F401
from caselink.platform.audit import models as audit_models  # noqa: F401
from caselink.platform.events import models as events_models  # noqa: F401
from caselink.platform.tasks import models as tasks_models  # noqa: F401
from caselink.probation import models as probation_models  # noqa: F401
from caselink.probation import supervision_models as probation_supervision_models  # noqa: F401
from caselink.prosecution import models as prosecution_models  # noqa: F401
from caselink.reference import models as reference_models  # noqa: F401
from caselink.sharing import models as sharing_models  # noqa: F401

metadata = Base.metadata
