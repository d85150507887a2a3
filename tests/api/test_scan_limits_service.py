"""The public routes' limits as an operator runs the service (``unitrace serve``, one or
several workers): the rate limit is the service's, not each worker's, and
``X-Forwarded-For`` names the caller only when a trusted proxy sends it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.running_service import Answer, RunningService
from unitrace.store.unit_of_work import Database

#: Bursts of scans racing two workers: no other test runs meanwhile (tests/conftest.py).
pytestmark = pytest.mark.alone

UNKNOWN_CODE = {"code": "(01)09506000134352(21)NOTOURS"}


@pytest.fixture
def serve(database: Database, tmp_path: Path) -> Iterator[object]:
    """Start ``unitrace serve`` on the test database with ``environment``; stopped after."""
    started: list[RunningService] = []
    url = database.engine.url.render_as_string(hide_password=False)

    def start(workers: int, environment: Mapping[str, str]) -> RunningService:
        service = RunningService(url, workers=workers, environment=environment)
        started.append(service.start(tmp_path / f"serve-{len(started)}.log"))
        # /health answered by one worker says nothing of the others: wait for all of them
        deadline = time.monotonic() + 60
        while service.output().count("Application startup complete") < workers:
            assert time.monotonic() < deadline, service.output()
            time.sleep(0.1)
        return service

    yield start
    for service in started:
        service.kill()


def scans_at_once(service: RunningService, count: int, threads: int = 8) -> list[Answer]:
    """``count`` scans, each on a connection of its own, ``threads`` at a time."""
    answers: list[Answer] = []
    lock = threading.Lock()
    left = iter(range(count))

    def send() -> None:
        for _ in left:
            answer = service.request("POST", "/api/scans", body=UNKNOWN_CODE, timeout=20)
            with lock:
                answers.append(answer)

    senders = [threading.Thread(target=send) for _ in range(threads)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(60)
    return answers


def test_the_rate_limit_holds_across_workers(serve: object) -> None:
    """Two workers, a burst of 5 and a rate of 1 a minute: a caller sending 24 scans at once
    gets 5 through in all, as from one worker; each worker keeping its own bucket let it
    through up to twice as often."""
    assert callable(serve)
    service = serve(2, {"UNITRACE_SCAN_RATE_LIMIT": "1/5"})
    answers = scans_at_once(service, 24)
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200] * 5 + [429] * 19, service.output()
    refused = next(answer for answer in answers if answer.status == 429)
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1


def forwarded(service: RunningService, hops: list[str]) -> list[int]:
    return [
        service.request(
            "POST", "/api/scans", body=UNKNOWN_CODE, headers={"X-Forwarded-For": hop}
        ).status
        for hop in hops
    ]


def test_x_forwarded_for_from_a_peer_not_trusted_changes_nothing(serve: object) -> None:
    """By default no proxy is trusted, the loopback included: a caller naming a new address
    in each request's X-Forwarded-For is still one caller, and its burst of 2 runs out."""
    assert callable(serve)
    service = serve(1, {"UNITRACE_SCAN_RATE_LIMIT": "1/2"})
    spoofed = [f"203.0.113.{n}" for n in range(1, 5)]
    assert forwarded(service, spoofed) == [200, 200, 429, 429]


def test_x_forwarded_for_from_a_trusted_proxy_names_the_caller(serve: object) -> None:
    """Behind a trusted proxy each caller has its limits: the right-most address the proxy
    did not add itself; what a caller puts further left is not believed."""
    assert callable(serve)
    service = serve(
        1, {"UNITRACE_SCAN_RATE_LIMIT": "1/2", "UNITRACE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    )
    callers = [f"6.6.6.6, 203.0.113.{n}, 10.1.1.1" for n in range(1, 5)]
    assert forwarded(service, callers) == [200] * 4
    one_caller = [f"6.6.6.{n}, 198.51.100.7" for n in range(1, 5)]
    assert forwarded(service, one_caller) == [200, 200, 429, 429]
