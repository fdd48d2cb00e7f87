"""create_app(): settings, database, middleware, error handling, routers of every context."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from caselink import __version__
from caselink.accounts.authentication import install as install_authentication
from caselink.config import Settings, get_settings
from caselink.db.embedded import EmbeddedPostgres
from caselink.db.engine import Database, create_engine
from caselink.platform.idempotency import install as install_idempotency
from caselink.platform.logging import configure_logging
from caselink.routers import include_routers
from caselink.web.assets import AssetManifest
from caselink.web.errors import install_error_handlers
from caselink.web.middleware import RequestContextMiddleware
from caselink.web.routing import skip_unreachable_routers

log = logging.getLogger("caselink.app")


def database_url_for(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return EmbeddedPostgres(settings.data_dir, settings.embedded_pg_port).url()


async def subscribe_event_handlers(database: Database) -> None:
    """Record every handler's event types before this process can emit anything, so an event is
    fanned out to a handler even if no relay has started since the handler was added."""
    from caselink.platform.events.service import load_handler_modules, sync_subscriptions

    load_handler_modules()
    async with database.sessionmaker() as db:
        await sync_subscriptions(db)
        await db.commit()


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the application. Tests pass their own settings and a database bound to a test
    connection; production reads the environment."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = app.state.database is None
        if owned:
            engine = create_engine(database_url_for(settings), settings.db_pool_size, settings.db_max_overflow)
            app.state.database = Database(engine)
            await subscribe_event_handlers(app.state.database)
        # Everything loaded at startup (modules, routes, templates) lives as long as the process: keep it out
        # of the garbage collector's full passes, which otherwise stall every request in flight for tens of ms.
        gc.freeze()
        log.info("caselink started", extra={"version": __version__, "embedded_db": settings.uses_embedded_database})
        try:
            yield
        finally:
            # Graceful shutdown: uvicorn has stopped taking requests and drained those in flight.
            if owned:
                await app.state.database.dispose()
            log.info("caselink stopped")

    app = FastAPI(
        title="Caselink API",
        version=__version__,
        description="One case management system for the criminal justice journey in England and Wales.",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.assets = AssetManifest(settings.assets_dir)
    install_error_handlers(app)
    install_authentication(app)  # before the routers: every route authenticates first
    install_idempotency(app)  # before the routers: keys on every API POST that creates a record
    include_routers(app)
    skip_unreachable_routers(app)  # after every router: a request asks only routers that can match it
    app.mount("/assets", StaticFiles(directory=app.state.assets.govuk_assets_dir), name="govuk-assets")
    app.add_middleware(RequestContextMiddleware, max_in_flight=settings.max_in_flight)
    return app


def create_production_app() -> FastAPI:
    """Entry point for uvicorn workers (``caselink.app:create_production_app``, factory mode)."""
    settings = get_settings()
    configure_logging(json_logs=settings.log_json)
    return create_app(settings)
