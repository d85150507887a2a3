"""The unitrace service: ``create_app`` wires the routers to a database and settings."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI

from unitrace import __version__
from unitrace.api.documentation import install_documentation
from unitrace.api.epcis_problems import install_epcis_problem_handlers
from unitrace.api.problems import install_problem_handlers
from unitrace.api.rate_limits import RateLimit, RateLimiter
from unitrace.api.routers import (
    alerts,
    assets,
    catalog,
    epcis_capture,
    epcis_discovery,
    epcis_query,
    pharmacy,
    registry,
    serial_requests,
    tokens,
    verification,
)
from unitrace.api.security_headers import SecurityHeaders
from unitrace.config import Settings
from unitrace.places import locate
from unitrace.services.epcis_query import SubscriptionDelivery
from unitrace.services.scan_intake import ScanIntake
from unitrace.services.tokens import TokenUses
from unitrace.services.webhooks import WebhookDestinations
from unitrace.store.database import database_url, open_database
from unitrace.store.unit_of_work import Database

#: Scan intake writer threads per process: one on SQLite, whose writers take turns on one
#: lock anyway, two on PostgreSQL, where one batch's round trips can overlap another's.
SCAN_WRITERS = {"sqlite": 1}
SCAN_WRITERS_DEFAULT = 2


def create_app(database: Database, settings: Settings | None = None) -> FastAPI:
    intake = ScanIntake(database, writers=SCAN_WRITERS.get(database.dialect, SCAN_WRITERS_DEFAULT))

    settings = settings or Settings()
    # one rule for the addresses webhooks may reach, at subscribing and at each delivery
    destinations = WebhookDestinations(settings.webhook_allowed_networks)
    delivery = SubscriptionDelivery(database, destinations=destinations)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # subscriptions are delivered by a thread of the running service, never by a request
        delivery.start()
        yield
        await anyio.to_thread.run_sync(delivery.stop)
        # the scans still queued are verified and answered before the worker exits, and the
        # capture jobs under way finish
        await anyio.to_thread.run_sync(intake.close)
        runner = getattr(app.state, "capture_runner", None)
        if runner is not None:
            await anyio.to_thread.run_sync(runner.shutdown)

    app = FastAPI(
        lifespan=lifespan,
        title="unitrace",
        version=__version__,
        summary="Unit-level serialization and traceability on GS1 standards.",
        # the documentation pages are installed below, each with its own security policy
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(SecurityHeaders)
    app.state.database = database
    app.state.settings = settings
    app.state.webhook_destinations = destinations
    app.state.rate_limiter = RateLimiter(
        RateLimit(app.state.settings.scans_per_minute, app.state.settings.scan_burst)
    )
    app.state.scan_intake = intake
    app.state.token_uses = TokenUses(database)
    install_problem_handlers(app)
    install_epcis_problem_handlers(app)
    # first: the public scan routes, the busiest, are matched before the others (the
    # resolver's /{primary key}/… paths start with digits and can shadow nothing else)
    app.include_router(verification.router)
    app.include_router(catalog.router)
    app.include_router(serial_requests.router)
    app.include_router(registry.router)
    app.include_router(tokens.router)
    app.include_router(alerts.router)
    app.include_router(pharmacy.router)
    app.include_router(epcis_capture.router)
    app.include_router(epcis_query.router)
    # after the query routes, whose …/{value}/events its /{resource}/{value} would also match
    app.include_router(epcis_discovery.router)
    app.include_router(assets.router)
    install_documentation(app, docs_url="/docs", redoc_url="/redoc")

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


def create_app_from_environment() -> FastAPI:
    """The service on the database and settings the environment names (``unitrace serve
    --workers``: each worker process builds its own)."""
    app = create_app(Database(open_database(database_url())), Settings.from_environment())
    settle_for_serving()
    return app


def settle_for_serving() -> None:
    """Load the long-lived data (the offline place names) before the first scan, then put
    everything loaded so far out of the garbage collector's sight: a full collection walking
    those millions of objects would otherwise stop a worker for tens of milliseconds, which is
    what a verification's p99 saw. Young collections are made rarer for the same reason."""
    locate(lat=3.139, lon=101.687)
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
