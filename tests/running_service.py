"""The unitrace service as an operator runs it (``unitrace serve`` in a process of its own,
one or several workers), for the tests that load it, stop it or race its workers, and a
plain HTTP client that times each exchange and never waits forever."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Seconds the service may take to answer /health after starting.
START_WITHIN = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer (the connection failed or timed out)
    body: bytes
    headers: Mapping[str, str]
    seconds: float
    failure: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class RunningService:
    """``unitrace serve`` on ``database_url`` with ``workers`` processes."""

    database_url: str
    workers: int = 1
    environment: Mapping[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def start(self, log: Path) -> RunningService:
        self.log = log
        env = {
            **os.environ,
            "UNITRACE_DATABASE_URL": self.database_url,
            "UNITRACE_SCAN_RATE_LIMIT": "1000000/100000",
            **self.environment,
        }
        command = [sys.executable, "-m", "unitrace", "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers), "--no-access-log"]
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_WITHIN
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"unitrace serve exited at start:\n{log.read_text()}")
            if self.request("GET", "/health", timeout=1).status == 200:
                return self
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"unitrace serve did not answer within {START_WITHIN} s")

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Answer:
        """One exchange on a new connection; a failure or a timeout is an :class:`Answer`
        with status 0, never an exception."""
        sent = dict(headers or {})
        if isinstance(body, Mapping):
            body = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            return Answer(
                response.status,
                data,
                {key.lower(): value for key, value in response.getheaders()},
                time.monotonic() - started,
            )
        except (OSError, http.client.HTTPException) as error:
            return Answer(
                0, b"", {}, time.monotonic() - started, f"{type(error).__name__}: {error}"
            )
        finally:
            connection.close()

    def terminate(self, within: float = 30.0) -> tuple[int | None, float]:
        """SIGTERM, as an operator or an orchestrator stops the service: the exit status and
        the seconds it took (None, and the process killed, if it took longer than
        ``within``)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(within)
        except subprocess.TimeoutExpired:
            self.kill()
            return None, time.monotonic() - started
        return status, time.monotonic() - started

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log else ""
