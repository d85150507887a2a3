"""A worker of the running service never stops answering: captures beside API writes, locks
held by others longer than a request may wait, a stalled event loop, and SIGTERM."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.conftest import RESOLVER, SYSTEM
from tests.running_service import Answer, RunningService
from unitrace.api.app import create_app
from unitrace.api.watchdog import LoopWatchdog
from unitrace.config import Settings
from unitrace.services import catalog
from unitrace.services.tokens import create_token
from unitrace.store.database import DatabaseBusy, open_database
from unitrace.store.unit_of_work import Database

#: They measure how soon workers answer and stop: no other test runs meanwhile (tests/conftest.py).
pytestmark = pytest.mark.alone

EXPIRY = dt.date(2030, 12, 31)
INVALID_EVENT = {"type": "ObjectEvent", "action": "OBSERVE", "eventTime": "yesterday"}


def database_url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(database: Database) -> dict[str, str]:
    """An admin and a distributor (of party dist-a) token, in the test database."""
    with database.unit_of_work() as uow:
        catalog.register_party(
            uow, id="dist-a", name="Distributor A", role="distributor", actor=SYSTEM
        )
        made = {
            "admin": create_token(uow, role="admin", actor=SYSTEM),
            "distributor": create_token(uow, role="distributor", party="dist-a", actor=SYSTEM),
        }
        uow.commit()
    return made


def loop_for(seconds: float, send: Callable[[], Answer]) -> list[Answer]:
    answers = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        answers.append(send())
    return answers


def test_api_writes_beside_event_captures_never_hang_the_worker(
    database: Database, tokens: dict[str, str], tmp_path: Path
) -> None:
    """An admin creating tokens while a distributor sends invalid events, one request after
    another each, on one worker: the EPCIS capture route once took SQLite's writer lock on
    the event loop and waited there for an /api write that needed the loop to finish, and the
    worker never answered again, /health included."""
    service = RunningService(database_url_of(database), workers=1).start(tmp_path / "serve.log")
    try:
        writes: list[Answer] = []
        captures: list[Answer] = []
        health: list[Answer] = []
        clients = [
            threading.Thread(
                target=lambda: writes.extend(
                    loop_for(
                        4,
                        lambda: service.request(
                            "POST",
                            "/api/tokens",
                            body={"role": "verifier"},
                            headers=bearer(tokens["admin"]),
                            timeout=15,
                        ),
                    )
                )
            ),
            threading.Thread(
                target=lambda: captures.extend(
                    loop_for(
                        4,
                        lambda: service.request(
                            "POST",
                            "/epcis/events",
                            body=INVALID_EVENT,
                            headers=bearer(tokens["distributor"]),
                            timeout=15,
                        ),
                    )
                )
            ),
            threading.Thread(
                target=lambda: health.extend(
                    loop_for(4.5, lambda: service.request("GET", "/health", timeout=15))
                )
            ),
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join(60)
        statuses = {
            "tokens": sorted({answer.status for answer in writes}),
            "events": sorted({answer.status for answer in captures}),
            "health": sorted({answer.status for answer in health}),
        }
        assert statuses == {"tokens": [201], "events": [400], "health": [200]}
        assert min(len(writes), len(captures)) > 10
        assert max(answer.seconds for answer in health) < 2
        status, seconds = service.terminate(within=20)
        assert status is not None, service.output()
        assert seconds < 10
    finally:
        service.kill()


@pytest.fixture
def impatient_client(database: Database) -> Iterator[tuple[TestClient, Database]]:
    """The service on the test database with a lock wait of a quarter of a second."""
    impatient = Database(open_database(database_url_of(database), lock_wait=0.25))
    yield TestClient(create_app(impatient, Settings(resolver_base=RESOLVER))), impatient
    impatient.engine.dispose()


@pytest.fixture
def writer_lock_held(database: Database) -> Iterator[None]:
    """Another writer holding what a token's creation needs: SQLite's write lock, or on
    PostgreSQL the tokens table."""
    with database.unit_of_work() as uow:
        if database.dialect == "postgresql":
            uow.connection.execute(text("LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE"))
        else:
            uow.audit.record("test", "hold", "the write lock", {})
        yield


def test_a_lock_held_longer_than_a_request_may_wait_is_a_503_naming_it(
    impatient_client: tuple[TestClient, Database],
    tokens: dict[str, str],
    writer_lock_held: None,
) -> None:
    client, _ = impatient_client
    started = time.monotonic()
    answer = client.post("/api/tokens", json={"role": "verifier"}, headers=bearer(tokens["admin"]))
    waited = time.monotonic() - started
    assert (answer.status_code, answer.headers["content-type"]) == (
        503,
        "application/problem+json",
    )
    assert int(answer.headers["retry-after"]) >= 1
    body = answer.json()
    assert (body["type"], body["status"]) == ("/problems/busy", 503)
    assert "try again" in body["detail"]
    assert waited < 5


def test_an_epcis_request_waiting_too_long_is_a_503_epcis_problem(
    impatient_client: tuple[TestClient, Database],
    tokens: dict[str, str],
    writer_lock_held: None,
) -> None:
    client, _ = impatient_client
    answer = client.post(
        "/epcis/queries",
        json={"name": "mine", "query": {}},
        headers=bearer(tokens["admin"]),
    )
    body = answer.json()
    assert (answer.status_code, body["type"], answer.headers["retry-after"]) == (
        503,
        "epcisException:ImplementationException",
        "2",
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/epcis/queries/mine"),
        ("DELETE", "/epcis/queries/mine/subscriptions/s1"),
        ("GET", "/epcis/queries"),
        ("GET", "/epcis/capture"),
        ("GET", "/epcis/bizSteps"),
    ],
)
def test_a_caller_without_a_token_is_refused_before_any_lock_is_waited_for(
    impatient_client: tuple[TestClient, Database], writer_lock_held: None, method: str, path: str
) -> None:
    """The token is checked before the route's unit of work begins: an anonymous flood
    neither queues for nor holds the writer's lock."""
    client, _ = impatient_client
    answer = client.request(method, path)
    assert (answer.status_code, answer.json()["type"]) == (401, "epcisException:SecurityException")


@pytest.mark.parametrize("waits", [0.2, 0.5])
def test_a_unit_of_work_waits_for_the_write_lock_no_longer_than_its_bound(
    database: Database, waits: float
) -> None:
    if database.dialect != "sqlite":
        pytest.skip("PostgreSQL's waits are bounded by lock_timeout, tested through the API")
    with database.unit_of_work() as holder:
        holder.audit.record("test", "hold", "the write lock", {})
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="try again"):  # noqa: SIM117
            with database.unit_of_work(lock_wait=waits) as uow:
                uow.audit.record("test", "never", "written", {})
        waited = time.monotonic() - started
    assert waits <= waited < waits + 1
    with database.unit_of_work(lock_wait=waits) as uow:  # the lock is free again
        uow.audit.record("test", "after", "release", {})
        uow.commit()


def test_the_next_writer_goes_as_soon_as_a_unit_of_work_commits(database: Database) -> None:
    """The write lock is let go at the commit, not when the unit of work is left."""
    if database.dialect != "sqlite":
        pytest.skip("SQLite's write lock")
    order: list[str] = []
    committed = threading.Event()
    with database.unit_of_work() as first:
        first.audit.record("test", "first", "write", {})

        def second() -> None:
            with database.unit_of_work(lock_wait=5) as uow:
                uow.audit.record("test", "second", "write", {})
                uow.commit()
            order.append("second committed")
            committed.set()

        waiting = threading.Thread(target=second)
        waiting.start()
        first.commit()
        assert committed.wait(5)
        order.append("first left")
    waiting.join()
    assert order == ["second committed", "first left"]


def test_the_watchdog_ends_a_worker_whose_event_loop_stalls() -> None:
    stalled = threading.Event()

    async def main() -> None:
        watchdog = LoopWatchdog(
            asyncio.get_running_loop(), limit=0.3, every=0.05, on_stall=stalled.set
        )
        watchdog.start()
        await asyncio.sleep(0.3)  # a turning loop: nothing happens
        assert not stalled.is_set()
        time.sleep(0.8)  # a blocked loop, as a lock waited for on it once did
        watchdog.stop()

    asyncio.run(main())
    assert stalled.is_set()


def test_sigterm_stops_a_worker_in_the_middle_of_a_million_serials_leaving_nothing_half_done(
    database: Database, tokens: dict[str, str], tmp_path: Path
) -> None:
    """A 1,000,000-serial request holds its worker for several seconds: SIGTERM stops the
    service within a few seconds all the same, and the request's units are all there or
    none of them."""
    with database.unit_of_work() as uow:
        catalog.register_product(uow, gtin="09506000134352", name="Tablets", actor=SYSTEM)
        catalog.register_lot(uow, gtin="09506000134352", lot="BIG", expiry=EXPIRY, actor=SYSTEM)
        uow.commit()
    service = RunningService(database_url_of(database), workers=1).start(tmp_path / "serve.log")
    try:
        asked: list[Answer] = []
        client = threading.Thread(
            target=lambda: asked.append(
                service.request(
                    "POST",
                    "/api/serial-requests",
                    body={"gtin": "09506000134352", "lot": "BIG", "count": 1_000_000},
                    headers=bearer(tokens["admin"]),
                    timeout=60,
                )
            )
        )
        client.start()
        time.sleep(1.5)
        status, seconds = service.terminate(within=30)
        client.join(60)
    finally:
        service.kill()
    assert status is not None, service.output()
    assert seconds < 10
    with database.unit_of_work(read_only=True) as uow:
        issued = uow.connection.execute(text("SELECT count(*) FROM units")).scalar_one()
    assert issued in (0, 1_000_000)
    assert asked[0].status in (0, 201, 503)
