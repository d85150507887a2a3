"""A body over its limit is a 413 problem+json before it is read whole, and stores nothing:
a scan over 8 KiB, a capture over the capture limit, any other body over the general limit;
with Content-Length or sent in chunks without one."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from unitrace.api.app import create_app
from unitrace.api.request_bodies import SCAN_MAX_BYTES
from unitrace.config import Settings
from unitrace.store.unit_of_work import Database

Headers = dict[str, str]
LIMITS = Settings(body_max_bytes=2_000, capture_max_bytes=5_000)


def chunks(body: bytes, size: int = 1_000) -> Iterator[bytes]:
    """``body`` sent in pieces, so that the request has no Content-Length (chunked)."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def padded(document: dict[str, object], size: int) -> bytes:
    """``document`` as JSON, grown past ``size`` bytes by a long string field."""
    return json.dumps({**document, "padding": "x" * size}).encode()


SCAN = padded({"code": "(01)09506000134352(21)X"}, SCAN_MAX_BYTES)
PRODUCT = padded({"gtin": "09506000134352", "name": "Big"}, 2_000)
CAPTURE = padded({"@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"}, 5_000)

# path, role, body, the problem's type
CASES = [
    ("/api/scans", None, SCAN, "/problems/payload-too-large"),
    ("/api/products", "admin", PRODUCT, "/problems/payload-too-large"),
    ("/epcis/capture", "line", CAPTURE, "epcisException:CaptureLimitExceededException"),
    ("/epcis/events", "line", CAPTURE, "epcisException:CaptureLimitExceededException"),
    ("/epcis/queries", "admin", PRODUCT, "epcisException:CaptureLimitExceededException"),
]


@pytest.fixture
def limited(database: Database) -> TestClient:
    return TestClient(create_app(database, LIMITS))


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize(("path", "role", "body", "kind"), CASES)
def test_a_body_over_its_limit_is_a_413_and_stores_nothing(
    limited: TestClient,
    token_for: Callable[..., Headers],
    database: Database,
    path: str,
    role: str | None,
    body: bytes,
    kind: str,
    chunked: bool,
) -> None:
    headers = {"Content-Type": "application/json", **(token_for(role) if role else {})}
    sent = chunks(body) if chunked else body
    answer = limited.post(path, content=sent, headers=headers)
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == kind
    assert "limit" in answer.json()["detail"]
    assert answer.headers["connection"] == "close"
    with database.unit_of_work(read_only=True) as uow:
        assert uow.scans.count() == 0
        assert uow.products.all() == []
    assert limited.get("/epcis/capture", headers=token_for("admin")).json()["captureJobs"] == []


def test_a_body_within_its_limit_goes_through(
    limited: TestClient, token_for: Callable[..., Headers]
) -> None:
    scan = json.dumps({"code": "(01)09506000134352(21)X", "city": "y" * 100}).encode()
    assert limited.post("/api/scans", content=chunks(scan, 10)).status_code == 200
    product = {"gtin": "09506000134352", "name": "Small", "company_prefix_length": 7}
    answer = limited.post("/api/products", json=product, headers=token_for("admin"))
    assert answer.status_code == 201


@pytest.mark.parametrize(
    ("environment", "general", "capture"),
    [
        ({}, 1024 * 1024, 64 * 1024 * 1024),
        ({"UNITRACE_BODY_MAX_BYTES": "4096", "UNITRACE_CAPTURE_MAX_BYTES": "8192"}, 4096, 8192),
    ],
)
def test_the_limits_come_from_the_environment(
    database: Database, environment: dict[str, str], general: int, capture: int
) -> None:
    app = create_app(database, Settings.from_environment(environment))
    limits = next(m for m in app.user_middleware if m.cls.__name__ == "RequestBodies")
    middleware = limits.cls(app, *limits.args, **limits.kwargs)  # type: ignore[call-arg]
    assert middleware.limit("/api/products") == general
    assert middleware.limit("/epcis/capture") == capture
    assert middleware.limit("/api/scans") == SCAN_MAX_BYTES


def test_a_limit_that_is_not_a_number_of_bytes_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="UNITRACE_BODY_MAX_BYTES: '1MB'"):
        Settings.from_environment({"UNITRACE_BODY_MAX_BYTES": "1MB"})
