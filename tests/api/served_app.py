"""An application served by uvicorn on a thread of the test's own process, on a free loopback
port: for the tests that need a real server (a WebSocket client with timeouts, a client that
never reads, a server that stops) without the start-up of a process of its own."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from tests.running_service import free_port


@contextlib.contextmanager
def served(app: FastAPI, *, stop_within: float = 10.0) -> Iterator[Server]:
    """``app`` served until the block ends, then stopped (within ``stop_within`` seconds, or
    the test fails)."""
    server = Server(app)
    server.start()
    try:
        yield server
    finally:
        assert server.stop(within=stop_within), f"the server took over {stop_within} s to stop"


class Server:
    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", ws="auto",
            lifespan="on", timeout_graceful_shutdown=3,
        )  # fmt: skip
        self.uvicorn = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.uvicorn.run, name="served-app", daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.uvicorn.started:
            assert time.monotonic() < deadline, "the server did not start within 20 s"
            assert self.thread.is_alive(), "the server stopped at start"
            time.sleep(0.02)

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def stop(self, *, within: float) -> bool:
        """Stop as uvicorn does on SIGTERM; whether it stopped within ``within`` seconds."""
        self.uvicorn.should_exit = True
        self.thread.join(within)
        return not self.thread.is_alive()
