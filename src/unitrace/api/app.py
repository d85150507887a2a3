"""The unitrace service: ``create_app`` wires the routers to a database and settings."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator
from typing import Final

import anyio.to_thread
from fastapi import FastAPI

from unitrace import __version__
from unitrace.api.console import install_console
from unitrace.api.documentation import install_documentation
from unitrace.api.epcis_problems import install_epcis_problem_handlers
from unitrace.api.epcis_socket_hub import SocketHub
from unitrace.api.problems import install_problem_handlers
from unitrace.api.rate_limits import CallerLimits, RateLimit
from unitrace.api.request_bodies import RequestBodies
from unitrace.api.routers import (
    alerts,
    assemblies,
    assets,
    brand_links,
    catalog,
    cold_chain,
    cold_chain_chart,
    epcis_capture,
    epcis_discovery,
    epcis_query,
    epcis_query_sockets,
    exports_dscsa,
    exports_fsma,
    home,
    inspections,
    pharmacy,
    recalls,
    registry,
    resolver,
    sensor_readings,
    serial_requests,
    storage_conditions,
    tokens,
    trace,
    verification,
)
from unitrace.api.scan_lane import ScanLane
from unitrace.api.security_headers import SecurityHeaders
from unitrace.api.stopped_requests import StoppedRequests
from unitrace.api.watchdog import LoopWatchdog
from unitrace.config import Settings
from unitrace.places import locate
from unitrace.services.capture_runner import CaptureRunner
from unitrace.services.epcis_query import SubscriptionDelivery
from unitrace.services.recall.notices import RecallNotices
from unitrace.services.scan_count_closing import MonthClosing
from unitrace.services.scan_counting import ScanCounting
from unitrace.services.scan_intake import ScanIntake
from unitrace.services.serial_request_runner import SerialRequestRunner
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
    # the WebSocket subscriptions this worker holds, and their shared look at the events
    socket_hub = SocketHub(database)

    runner = CaptureRunner(database)
    # the console's serial requests, issued off the page's request
    issuing = SerialRequestRunner(database)
    # the scan counts' months closed as they end
    closing = MonthClosing(database)
    # the scans logged counted, off their own transactions
    counting = ScanCounting(database)
    # the public routes' limits, shared by every worker of the service
    limits = CallerLimits.for_database(
        database, RateLimit(settings.scans_per_minute, settings.scan_burst)
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        limits.keep_connections()
        # subscriptions are delivered by a thread of the running service, never by a request
        delivery.start()
        runner.start()
        issuing.start()
        closing.start()
        counting.start()
        watchdog = LoopWatchdog(asyncio.get_running_loop())
        watchdog.start()
        yield
        watchdog.stop()
        await socket_hub.close()
        # a thread of its own: the request threads may all be taken by work the stop ends
        await anyio.to_thread.run_sync(
            stop_background_work,
            runner,
            intake,
            delivery,
            issuing,
            closing,
            counting,
            limiter=anyio.CapacityLimiter(1),
        )
        await limits.close()

    app = FastAPI(
        lifespan=lifespan,
        title="unitrace",
        version=__version__,
        summary="Unit-level serialization and traceability on GS1 standards.",
        # the documentation pages are installed below, each with its own security policy
        docs_url=None,
        redoc_url=None,
    )
    # a body over its limit is refused before any route reads it; the refusal gets the
    # security headers as every answer does
    # innermost: the public scans answered before the router (every middleware below
    # applies to them as to any answer)
    app.add_middleware(ScanLane)
    app.add_middleware(RequestBodies, settings=settings)
    # a request a stopping worker cancels is a 503, not uvicorn's plain 500
    app.add_middleware(StoppedRequests)
    app.add_middleware(SecurityHeaders)
    app.state.database = database
    app.state.settings = settings
    app.state.webhook_destinations = destinations
    app.state.recall_notices = RecallNotices(destinations)
    app.state.caller_limits = limits
    app.state.scan_intake = intake
    app.state.capture_runner = runner
    app.state.serial_request_runner = issuing
    app.state.token_uses = TokenUses(database)
    app.state.socket_hub = socket_hub
    install_problem_handlers(app)
    install_epcis_problem_handlers(app)
    # first: the public scan routes, the busiest, are matched before the others (the
    # resolver's /{primary key}/… paths start with digits and can shadow nothing else)
    app.include_router(verification.router)
    app.include_router(resolver.router)
    app.include_router(catalog.router)
    app.include_router(brand_links.router)
    app.include_router(serial_requests.router)
    app.include_router(registry.router)
    app.include_router(assemblies.router)
    app.include_router(inspections.router)
    app.include_router(storage_conditions.router)
    app.include_router(sensor_readings.router)
    app.include_router(trace.router)
    app.include_router(cold_chain.router)
    app.include_router(cold_chain_chart.router)
    app.include_router(exports_dscsa.router)
    app.include_router(exports_fsma.router)
    app.include_router(recalls.router)
    app.include_router(tokens.router)
    app.include_router(alerts.router)
    app.include_router(pharmacy.router)
    app.include_router(epcis_capture.router)
    app.include_router(epcis_query.router)
    app.include_router(epcis_query_sockets.router)
    # after the query routes, whose …/{value}/events its /{resource}/{value} would also match
    app.include_router(epcis_discovery.router)
    app.include_router(assets.router)
    install_console(app)
    app.include_router(home.router)
    install_documentation(app, docs_url="/docs", redoc_url="/redoc")

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    # last: a compressed Digital Link is one path segment, which every other route comes before
    app.include_router(resolver.compressed_router)
    return app


#: Seconds a stopping worker gives its background work (the capture under way, the scans
#: queued, a webhook delivery) before it exits all the same; uvicorn first gives the requests
#: under way :data:`~unitrace.api.serving.GRACEFUL_SHUTDOWN` seconds.
BACKGROUND_SHUTDOWN: Final = 3.0


def stop_background_work(
    runner: CaptureRunner,
    intake: ScanIntake,
    delivery: SubscriptionDelivery,
    issuing: SerialRequestRunner,
    closing: MonthClosing,
    counting: ScanCounting,
) -> None:
    """Stop the worker's threads within :data:`BACKGROUND_SHUTDOWN` seconds in all: the
    capture under way is interrupted and rolled back (its job says so), the scans queued are
    verified, answered and counted, the delivery pass ends, the console's serial requests
    still queued are finished as not issued. A thread still busy past the bound is left behind: the
    process exits without it, and its transaction dies with it."""
    deadline = time.monotonic() + BACKGROUND_SHUTDOWN

    def left() -> float:
        return max(0.1, deadline - time.monotonic())

    runner.shutdown(wait=left())
    intake.close(wait=left())
    delivery.stop(timeout=left())
    closing.stop(wait=left())
    # after the intake: the scans it verified last are counted too
    counting.stop(wait=left())
    # last: a request being issued cannot be stopped half-way, only left to end with the worker
    issuing.shutdown(wait=left())


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
