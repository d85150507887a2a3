"""``POST /api/scans`` answered by the scan lane (before the router) and by the route itself
(the lane taken out) answer alike: on a table of bodies, valid or not, every status, header
and field of the answer is the same (but the times of the scan), and so is what is logged."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.conftest import emptied
from unitrace.api.app import create_app
from unitrace.api.scan_lane import ScanLane
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog
from unitrace.services.lifecycle import allocate
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.store.unit_of_work import Database

GTIN = "09506000134352"
ADMIN = Actor("test-setup", Role.ADMIN)
#: The answer's times: the service's clock when each was sent.
TIMES = ("scanned_at", "at", "date")


def stocked(engine: Engine) -> tuple[Database, list[str]]:
    """The test database emptied, with three units shipped to a distributor in Selangor:
    their Digital Links."""
    database = emptied(engine)
    with database.unit_of_work() as uow:
        catalog.register_product(
            uow, gtin=GTIN, name="Vitamin C", company_prefix_length=7, actor=ADMIN
        )
        catalog.register_lot(uow, gtin=GTIN, lot="L1", expiry=dt.date(2030, 1, 1), actor=ADMIN)
        request = issue_serials(uow, gtin=GTIN, lot="L1", count=3, commission=True, actor=ADMIN)
        catalog.register_party(
            uow, id="dist", name="Distributor", role="distributor", territory=["MY-14"],
            actor=ADMIN,
        )  # fmt: skip
        allocate(uow, party="dist", gtin=GTIN, lot="L1", seq_from=1, seq_to=2, actor=ADMIN)
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        links = [code.identity.digital_link() for code in request_codes(uow, request.id)]
    return database, links


def client(database: Database, *, lane: bool, burst: int = 30) -> TestClient:
    settings = Settings(resolver_base="https://id.brand.example", scan_burst=burst)
    app = create_app(database, settings)
    if not lane:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not ScanLane]
    return TestClient(app)


def masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<time>" if k in TIMES else masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def answer(response: Any) -> tuple[int, dict[str, str], Any]:
    headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "date")}
    try:
        body = masked(response.json())
    except ValueError:
        body = response.text
    return response.status_code, headers, body


def logged(database: Database) -> list[tuple[Any, ...]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT verdict, reasons, serial, raw, client, address, user_agent, region FROM scans ORDER BY id"
            )
        ).all()
    return [tuple(row) for row in rows]


def unnamed(seen: Any, links: list[str]) -> str:
    """``seen`` in JSON, the serials of the units (drawn afresh for each database) left out."""
    written = json.dumps(seen)
    for link in links:
        written = written.replace(link.rsplit("/", 1)[1].split("?")[0], "<serial>")
    return written


LINK = "{link}"
#: (what is sent: a JSON body or raw bytes, with ``{link}`` a shipped unit's Digital Link;
#: headers)
SENT: list[tuple[Any, dict[str, str]]] = [
    ({"code": LINK}, {}),
    ({"code": LINK, "country": "MY", "region": "MY-14", "client": "phone-1"}, {}),
    ({"code": LINK, "country": "SG"}, {}),
    ({"code": LINK, "lat": 3.07, "lon": 101.52}, {}),
    ({"code": f"(01){GTIN}(21)NOT-ISSUED"}, {}),
    ({"code": "rubbish"}, {}),
    ({"code": "x" * 2049}, {}),
    ({"code": LINK, "lat": 91}, {}),
    ({"code": LINK, "lon": "east"}, {}),
    ({"code": LINK, "lat": None, "lon": -181}, {}),
    ({"code": 42}, {}),
    ({"code": LINK, "colour": "red"}, {}),
    ({"lat": 3.0}, {}),
    ({"code": LINK, "country": "MYS"}, {}),
    ({"code": LINK, "at": "2026-01-01T00:00:00"}, {}),
    ([LINK], {}),
    (b'{"code": ', {}),
    (b"", {}),
    (b"null", {}),
    (b'{"code": "\\ud800"}', {}),
    (b'{"code": "' + b"9" * 9000 + b'"}', {}),
    ({"code": LINK}, {"X-Forwarded-For": "10.0.0.9"}),
    ({"code": LINK}, {"Authorization": "Bearer not-a-token"}),
    ({"code": LINK}, {"Content-Type": "text/plain"}),
]


def body_of(sent: Any, link: str) -> bytes:
    if isinstance(sent, bytes):
        return sent
    return json.dumps(sent).replace(LINK, link).encode()


@pytest.mark.parametrize(("sent", "headers"), SENT)
def test_the_lane_answers_as_the_route(
    database_engine: Engine, sent: Any, headers: dict[str, str]
) -> None:
    seen = []
    for lane in (False, True):
        database, links = stocked(database_engine)
        with client(database, lane=lane) as service:
            response = service.post(
                "/api/scans",
                content=body_of(sent, links[0]),
                headers={"Content-Type": "application/json", **headers},
            )
            seen.append(unnamed((answer(response), logged(database)), links))
    assert seen[0] == seen[1]


def test_a_caller_over_its_limit_is_refused_alike(database_engine: Engine) -> None:
    seen = []
    for lane in (False, True):
        database, links = stocked(database_engine)
        with client(database, lane=lane, burst=3) as service:
            answers = [
                answer(service.post("/api/scans", json={"code": links[2]})) for _ in range(5)
            ]
        seen.append(unnamed((answers, logged(database)), links))
    assert seen[0] == seen[1]
    assert '"status": 429' in seen[1]


def test_the_route_is_still_documented(database_engine: Engine) -> None:
    database, _ = stocked(database_engine)
    with client(database, lane=True) as service:
        paths = service.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/scans"]


def test_a_valid_scan_without_a_token_never_reaches_the_router(
    database_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, links = stocked(database_engine)
    routed = []
    original = ScanLane.__init__

    def watched(self: ScanLane, app: Any) -> None:
        async def router(scope: Any, receive: Any, send: Any) -> None:
            routed.append(scope.get("path"))
            await app(scope, receive, send)

        original(self, router)

    monkeypatch.setattr(ScanLane, "__init__", watched)
    with client(database, lane=True) as service:
        assert service.post("/api/scans", json={"code": links[0]}).status_code == 200
        assert "/api/scans" not in routed
        assert service.post("/api/scans", json={"code": 42}).status_code == 422
        assert "/api/scans" in routed
