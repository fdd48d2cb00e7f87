"""Every context's routers, in one list: add a context's api and views here."""

from __future__ import annotations

from fastapi import FastAPI

from caselink.accounts import api as accounts_api
from caselink.accounts import views as accounts_views
from caselink.assessments import api as assessments_api
from caselink.assessments import views as assessments_views
from caselink.courts import api as courts_api
from caselink.courts import views as courts_views
from caselink.custody import api as custody_api
from caselink.custody import offender_management_api as custody_om_api
from caselink.custody import offender_management_views as custody_om_views
from caselink.custody import views as custody_views
from caselink.organisations import api as organisations_api
from caselink.organisations import views as organisations_views
from caselink.people import api as people_api
from caselink.people import details_api as people_details_api
from caselink.people import details_views as people_details_views
from caselink.people import flags_api as people_flags_api
from caselink.people import flags_views as people_flags_views
from caselink.people import import_api as people_import_api
from caselink.people import merge_api as people_merge_api
from caselink.people import merge_views as people_merge_views
from caselink.people import review_views as people_review_views
from caselink.people import views as people_views
from caselink.platform.audit import api as audit_api
from caselink.platform.audit import views as audit_views
from caselink.platform.events import api as events_api
from caselink.platform.events import views as events_views
from caselink.platform.tasks import api as tasks_api
from caselink.platform.tasks import views as tasks_views
from caselink.probation import api as probation_api
from caselink.probation import plan_views as probation_plan_views
from caselink.probation import recall_views as probation_recall_views
from caselink.probation import supervision_api as probation_supervision_api
from caselink.probation import supervision_views as probation_supervision_views
from caselink.probation import views as probation_views
from caselink.prosecution import api as prosecution_api
from caselink.prosecution import views as prosecution_views
from caselink.reference import api as reference_api
from caselink.reference import views as reference_views
from caselink.reporting import views as reporting_views
from caselink.sharing import api as sharing_api
from caselink.sharing import views as sharing_views
from caselink.web import views as web_views


def include_routers(app: FastAPI) -> None:
    app.include_router(web_views.router)
    app.include_router(people_review_views.router)  # before people_views: /people/review/... is not a person id
    app.include_router(people_details_views.router)  # before people_views (/people/{person_id}/...)
    app.include_router(people_views.router)
    app.include_router(people_merge_views.router)
    app.include_router(people_flags_views.router)
    app.include_router(people_flags_api.router, prefix="/api/v1")
    app.include_router(people_import_api.router, prefix="/api/v1")
    app.include_router(people_details_api.router, prefix="/api/v1")  # before people_api
    app.include_router(people_api.router, prefix="/api/v1")
    app.include_router(people_merge_api.router, prefix="/api/v1")
    app.include_router(accounts_views.router)
    app.include_router(accounts_api.router, prefix="/api/v1")
    app.include_router(accounts_api.oauth_router)
    app.include_router(reference_views.router)
    app.include_router(reference_api.router, prefix="/api/v1")
    app.include_router(organisations_views.router)
    app.include_router(organisations_api.router, prefix="/api/v1")
    app.include_router(audit_views.router)
    app.include_router(audit_api.router, prefix="/api/v1")
    app.include_router(tasks_views.router)
    app.include_router(tasks_api.router, prefix="/api/v1")
    app.include_router(events_views.router)
    app.include_router(events_api.router, prefix="/api/v1")
    app.include_router(sharing_views.router)
    app.include_router(sharing_api.router, prefix="/api/v1")
    app.include_router(courts_api.router, prefix="/api/v1")
    app.include_router(courts_views.router)
    app.include_router(custody_api.router, prefix="/api/v1")
    app.include_router(custody_om_api.router, prefix="/api/v1")
    app.include_router(custody_om_views.router)
    app.include_router(custody_views.router)
    app.include_router(reporting_views.router)
    app.include_router(probation_supervision_api.router, prefix="/api/v1")
    app.include_router(probation_recall_views.router)  # before probation_views (/probation/... pages)
    app.include_router(probation_plan_views.router)
    app.include_router(probation_supervision_views.router)
    app.include_router(probation_api.router, prefix="/api/v1")
    app.include_router(probation_views.router)
    app.include_router(assessments_api.router, prefix="/api/v1")
    app.include_router(assessments_views.router)
    app.include_router(prosecution_api.router, prefix="/api/v1")
    app.include_router(prosecution_views.router)
