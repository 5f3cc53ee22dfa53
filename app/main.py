"""create_app(): settings, database, middleware, error handlers and routers. Nothing else."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import swagger_ui_bundle
from anyio import to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import __version__
from app.core import openapi
from app.core.admission import AdmissionMiddleware
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.error_handlers import install_error_handlers
from app.core.http_policy import BrowserClientsCORS, RequestSizeLimit, SecurityHeadersMiddleware
from app.core.journal import JournalMiddleware
from app.core.keys import KeyStore
from app.core.query_parameters import refuse_unknown_query_parameters
from app.core.request_log import RequestLogMiddleware, configure_logging
from app.core.world import WorldMount
from app.routers import (
    accounts,
    applications,
    criminal_record,
    documents,
    login,
    me,
    oauth,
    officer,
    payments,
    population,
    sandbox,
    system,
    webhooks,
    worlds,
)
from app.routers.web import bank as web_bank
from app.routers.web import citizen as web_citizen
from app.routers.web import panel as web_panel
from app.routers.web import procedures as web_procedures
from app.routers.web import unlock as web_unlock
from app.services.world_storage import storage_for
from app.services.worlds import Worlds
from app.worker import SPARE_THREADS, background_loops

WEB = Path(__file__).parent / "web"
# The largest body any endpoint needs is a batch of 1,000 identities to verify (about 150 kB); 413 beyond this.
MAX_BODY_BYTES = 1024 * 1024

DESCRIPTION = """**SANDBOX — synthetic data only.** A runnable stand-in for Vietnam's VNeID identity accounts and
the national population database, for integration tests and demos. Nothing here is real: every citizen,
ID number and token is synthetic.

Errors are RFC 9457 `application/problem+json` with a stable `code`; OAuth endpoints use the RFC 6749 error
shape. Get a token with `POST /oauth2/token` (`grant_type=client_credentials`, e.g. client `demo-agency`,
secret `demo-agency-secret`) and send it as `Authorization: Bearer …`."""


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.max_concurrency + SPARE_THREADS
        loops = background_loops(settings, app.state.database, app.state.worlds)
        for loop in loops:
            loop.start()
        yield
        for loop in loops:
            loop.stop()
        app.state.worlds.close_all()
        if database is None:  # ours to close; a database handed in belongs to the caller
            app.state.database.dispose()

    app = FastAPI(
        title="VNeID Sandbox API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(refuse_unknown_query_parameters)],
    )
    app.state.settings = settings
    app.state.database = database or Database.from_url(
        settings.database_url, settings.max_concurrency, background_checkpoints=True
    )
    app.state.keys = KeyStore()
    app.state.worlds = Worlds(settings, storage_for(app.state.database, settings))
    install_error_handlers(app)
    app.add_middleware(
        AdmissionMiddleware,
        limit=settings.max_concurrency,
        queue_seconds=settings.queue_seconds,
        exempt_paths=frozenset({"/healthz"}),
    )
    app.add_middleware(BrowserClientsCORS)
    app.add_middleware(RequestSizeLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(JournalMiddleware)
    app.add_middleware(RequestLogMiddleware)
    # Outermost: a request to /w/{id}/… runs through everything above inside its world.
    app.add_middleware(WorldMount, resolve=lambda world_id: app.state.worlds.resolve(app.state.database, world_id))
    if settings.trusted_proxies:  # X-Forwarded-For/-Proto believed from these proxies only, ignored from others
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    for router in (
        system.router,
        oauth.router,
        login.router,
        population.router,
        sandbox.router,
        accounts.router,
        me.router,
        applications.router,
        officer.router,
        webhooks.router,
        worlds.router,
        documents.router,
        criminal_record.router,
        payments.router,
        web_citizen.router,
        web_procedures.router,
        web_bank.router,
        web_panel.router,
        web_unlock.router,
    ):
        app.include_router(router)
    openapi.install(app)
    return app
