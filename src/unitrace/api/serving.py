"""Running the service in several worker processes (``unitrace serve --workers N``)."""

from __future__ import annotations

import contextlib
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


class TcpConfig(uvicorn.Config):
    """uvicorn's configuration, its shared listening socket marked as TCP: asyncio turns
    Nagle's algorithm off only on sockets whose protocol says TCP, and without that a
    response's body waits some 40 ms behind its headers for the client's delayed ACK."""

    def bind_socket(self) -> socket.socket:
        bound = super().bind_socket()
        if bound.family not in (socket.AF_INET, socket.AF_INET6):
            return bound
        return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, bound.detach())


def serve_workers(*, host: str, port: int, workers: int, access_log: bool) -> None:
    """The service in ``workers`` processes sharing one listening socket; each worker opens
    the database and reads the settings from the environment itself."""
    config = TcpConfig(
        "unitrace.api.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
    )
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[config.bind_socket()]).run()
