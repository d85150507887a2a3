"""Running the service in several worker processes (``unitrace serve --workers N``)."""

from __future__ import annotations

import contextlib
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

#: Seconds a stopping worker waits for the requests under way before cancelling them; its
#: background work then has its own bound (:data:`unitrace.api.app.BACKGROUND_SHUTDOWN`), so
#: SIGTERM stops a worker within a few seconds whatever it is doing.
GRACEFUL_SHUTDOWN = 3
#: Seconds the supervisor waits for a worker to answer its health check before replacing it:
#: a worker still importing and loading its place names on a busy machine, or parsing a large
#: document, answers late but is alive (a stalled event loop is the watchdog's to find).
WORKER_HEALTH_CHECK = 30


class TcpConfig(uvicorn.Config):
    """uvicorn's configuration, its shared listening socket marked as TCP: asyncio turns
    Nagle's algorithm off only on sockets whose protocol says TCP, and without that a
    response's body waits some 40 ms behind its headers for the client's delayed ACK."""

    def bind_socket(self) -> socket.socket:
        bound = super().bind_socket()
        if bound.family not in (socket.AF_INET, socket.AF_INET6):
            return bound
        return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, bound.detach())


#: The application each worker builds: the service, on the database the environment names.
SERVICE_APP = "unitrace.api.app:create_app_from_environment"


def serve_workers(
    *, host: str, port: int, workers: int, access_log: bool, app: str = SERVICE_APP
) -> None:
    """The service in ``workers`` processes sharing one listening socket; each worker opens
    the database and reads the settings from the environment itself. ``app`` names the
    factory of the application each worker serves (a benchmark serves a reference one the
    same way)."""
    config = TcpConfig(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        timeout_worker_healthcheck=WORKER_HEALTH_CHECK,
        # the caller's address is unitrace's to find (unitrace.api.callers), from the proxies
        # UNITRACE_TRUSTED_PROXIES names only: uvicorn's own rewrite would believe any
        # X-Forwarded-For from the loopback
        proxy_headers=False,
    )
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[config.bind_socket()]).run()
