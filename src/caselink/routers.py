"""Every context's routers, in one list: add a context's api and views here."""

from __future__ import annotations

from fastapi import FastAPI

from caselink.reference import api as reference_api
from caselink.reference import views as reference_views
from caselink.web import views as web_views


def include_routers(app: FastAPI) -> None:
    app.include_router(web_views.router)
    app.include_router(reference_views.router)
    app.include_router(reference_api.router, prefix="/api/v1")
