"""The unitrace service: ``create_app`` wires the routers to a database and settings."""

from __future__ import annotations

import anyio
from fastapi import FastAPI

from unitrace import __version__
from unitrace.api.problems import install_problem_handlers
from unitrace.api.rate_limits import RateLimit, RateLimiter
from unitrace.api.routers import (
    alerts,
    catalog,
    pharmacy,
    registry,
    serial_requests,
    tokens,
    verification,
)
from unitrace.config import Settings
from unitrace.store.database import database_url, open_database
from unitrace.store.unit_of_work import Database

#: Worker threads per process verifying scans (see routers.verification.verified): one on
#: SQLite, whose writers queue on one lock anyway, a few on PostgreSQL, whose writers do not.
SCAN_THREADS = {"sqlite": 1}
SCAN_THREADS_DEFAULT = 4


def create_app(database: Database, settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="unitrace",
        version=__version__,
        summary="Unit-level serialization and traceability on GS1 standards.",
        docs_url="/docs",
    )
    app.state.database = database
    app.state.settings = settings or Settings()
    app.state.rate_limiter = RateLimiter(
        RateLimit(app.state.settings.scans_per_minute, app.state.settings.scan_burst)
    )
    app.state.scan_threads = anyio.CapacityLimiter(
        SCAN_THREADS.get(database.dialect, SCAN_THREADS_DEFAULT)
    )
    install_problem_handlers(app)
    app.include_router(catalog.router)
    app.include_router(serial_requests.router)
    app.include_router(registry.router)
    app.include_router(tokens.router)
    app.include_router(alerts.router)
    app.include_router(pharmacy.router)
    # last: the resolver's /{primary key}/… routes
    app.include_router(verification.router)

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


def create_app_from_environment() -> FastAPI:
    """The service on the database and settings the environment names (``unitrace serve
    --workers``: each worker process builds its own)."""
    return create_app(Database(open_database(database_url())), Settings.from_environment())
