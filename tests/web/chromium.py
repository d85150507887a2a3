"""What every browser test needs: Debian's Chromium (skipped with a reason where it is absent,
a failure in CI, which installs it), Playwright to drive it, and a service running in a
thread of the test on a free port of 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
    # CI installs it (.ci/run): there, a browser test that cannot run is a failure
    if os.environ.get("CI") == "true":
        pytest.fail(f"no Chromium at {CHROMIUM} in CI (apt-get install chromium)", pytrace=False)
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(app: Any, port: int | None = None, *, lifespan: str = "on") -> Iterator[str]:
    """``app`` served by uvicorn in a thread on ``port`` (a free one by default); its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the service did not start"
        assert thread.is_alive(), "the service stopped while starting"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
