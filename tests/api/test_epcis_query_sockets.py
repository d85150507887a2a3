"""Subscriptions to a named query over a WebSocket (the REST binding's ``GET
/queries/{queryName}/events`` with ``stream=true`` or a schedule): who may open one, the
handshake's refusals, what each message holds, every event captured while the socket is open
sent once (from several writers at once, and from transactions that commit out of order),
initialRecordTime and reportIfEmpty, and the socket ended when its token is revoked, its query
deleted, its client stops reading or the service stops."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from starlette.testclient import WebSocketDenialResponse
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.api.served_app import served
from tests.api.test_epcis_query import capture, object_event, query_xsd, schema_errors
from tests.epcis_known_events import KnownSet, known, known_set
from unitrace.api.app import create_app
from unitrace.api.epcis_socket_hub import SocketHub, SocketLimits
from unitrace.api.routers import epcis_query_sockets
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog, epcis_named_queries
from unitrace.services.tokens import create_token, live_token_id, revoke_token
from unitrace.store.events import EventRepository, StoredEvent
from unitrace.store.unit_of_work import Database

__all__ = ["known", "known_set"]  # fixtures

SETUP = Actor("test-setup", Role.ADMIN)
DIST_A = Actor("dist-a-user", Role.DISTRIBUTOR, "dist-a")
PATH = "/epcis/queries/shipments/events"
#: Seconds a message that is due may take to come.
WITHIN = 10.0
SUBSCRIPTION_CONTROLS = "epcisException:SubscriptionControlsException"


def event_id(number: int) -> str:
    return f"urn:uuid:00000000-0000-4000-8000-{number:012d}"


def make_query(database: Database, actor: Actor = SETUP, name: str = "shipments") -> None:
    with database.unit_of_work() as uow:
        epcis_named_queries.create_named_query(
            uow, name, {"eventType": ["ObjectEvent"]}, actor=actor
        )
        uow.commit()


def bearer(database: Database, role: str, party: str | None = None) -> dict[str, str]:
    with database.unit_of_work() as uow:
        if party is not None and uow.parties.get(party) is None:
            catalog.register_party(uow, id=party, name=party, role="distributor", actor=SETUP)
        token = create_token(uow, role=role, party=party, actor=SETUP)
        uow.commit()
    return {"Authorization": f"Bearer {token}"}


def results(message: str | bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(message)
    found: dict[str, Any] = document["epcisBody"]["queryResults"]
    return found


def ids_of(message: str | bytes) -> list[str]:
    return [event["eventID"] for event in results(message)["resultsBody"]["eventList"]]


def received_ids(socket_: ClientConnection, count: int, within: float = WITHIN) -> list[str]:
    """The eventIDs of the messages that come until ``count`` events came (or time is up)."""
    found: list[str] = []
    deadline = time.monotonic() + within
    while len(found) < count and time.monotonic() < deadline:
        try:
            found += ids_of(socket_.recv(timeout=max(0.01, deadline - time.monotonic())))
        except TimeoutError:
            break
    return found


def nothing_more(socket_: ClientConnection, wait: float = 0.6) -> bool:
    try:
        socket_.recv(timeout=wait)
    except TimeoutError:
        return True
    return False


def close_code(socket_: ClientConnection, within: float = WITHIN) -> int | None:
    """The code the server closed the socket with (after any messages still coming)."""
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            socket_.recv(timeout=max(0.01, deadline - time.monotonic()))
    except ConnectionClosed as closed:
        return None if closed.rcvd is None else closed.rcvd.code
    except TimeoutError:
        pass
    return None


@pytest.fixture
def admin(database: Database) -> dict[str, str]:
    make_query(database)
    return bearer(database, "admin")


# --- the handshake ----------------------------------------------------------------------------


def _handshake(client: TestClient, path: str, headers: dict[str, str]) -> int:
    """101 for a socket opened (and closed again by the client), else the refusal's status
    (-1 for a refusal that is not a problem)."""
    try:
        with client.websocket_connect(path, headers=headers):
            return 101
    except WebSocketDenialResponse as refused:
        problem = refused.headers["content-type"] == "application/problem+json"
        return refused.status_code if problem else -1


CALLERS = ("admin", "line", "dist-a", "dist-b", "verifier", "none", "revoked", "not-bearer")


@pytest.mark.parametrize(
    ("query", "statuses"),
    [
        ("brand", "101 101 404 404 403 401 401 401"),
        ("dist-a", "404 404 101 404 403 401 401 401"),
        ("unknown", "404 404 404 404 403 401 401 401"),
    ],
)
def test_who_may_subscribe_to_whose_query(database: Database, query: str, statuses: str) -> None:
    make_query(database, SETUP, "brand")
    with database.unit_of_work() as uow:
        catalog.register_party(uow, id="dist-a", name="A", role="distributor", actor=SETUP)
        uow.commit()
    make_query(database, DIST_A, "dist-a")
    revoked = bearer(database, "admin")
    with database.unit_of_work() as uow:
        token_id = live_token_id(uow, revoked["Authorization"].removeprefix("Bearer "))
        revoke_token(uow, token_id, actor=SETUP)
        uow.commit()
    headers = {
        "admin": bearer(database, "admin"),
        "line": bearer(database, "line"),
        "dist-a": bearer(database, "distributor", "dist-a"),
        "dist-b": bearer(database, "distributor", "dist-b"),
        "verifier": bearer(database, "verifier"),
        "none": {},
        "revoked": revoked,
        "not-bearer": {"Authorization": "Basic YWRtaW46YWRtaW4="},
    }
    client = TestClient(create_app(database, Settings()))
    found = [
        _handshake(client, f"/epcis/queries/{query}/events?stream=true", headers[caller])
        for caller in CALLERS
    ]
    assert found == [int(status) for status in statuses.split()]


@pytest.mark.parametrize(
    ("parameters", "detail"),
    [
        ("", "stream: a subscription needs stream=true or a schedule (second, minute, hour, dayOfMonth, month, dayOfWeek)"),
        ("stream=false", "stream: a subscription needs stream=true or a schedule (second, minute, hour, dayOfMonth, month, dayOfWeek)"),
        ("stream=yes", "stream: 'yes' is neither true nor false"),
        ("stream=true&minute=5", "stream: stream=true and a schedule (minute) exclude each other"),
        ("stream=true&stream=true", "stream: given more than once"),
        ("stream=true&eventType=ObjectEvent", "eventType: a subscription over a WebSocket takes only stream, second, minute, hour, dayOfMonth, month, dayOfWeek, reportIfEmpty, initialRecordTime, perPage"),
        ("stream=true&nextPageToken=abc", "nextPageToken: a subscription over a WebSocket takes only stream, second, minute, hour, dayOfMonth, month, dayOfWeek, reportIfEmpty, initialRecordTime, perPage"),
        ("minute=61", "minute: '61' is outside 0 to 59"),
        ("dayOfWeek=0", "dayOfWeek: '0' is outside 1 to 7"),
        ("hour=1-x", "hour: '1-x' is not a number or [from-to] range"),
        ("month=2&dayOfMonth=30", "schedule: names no time that ever comes"),
        ("minute=5&reportIfEmpty=1", "reportIfEmpty: '1' is neither true nor false"),
        ("stream=true&initialRecordTime=yesterday", "initialRecordTime: 'yesterday' is not a time (ISO 8601, e.g. 2026-01-31T12:00:00Z)"),
        ("stream=true&initialRecordTime=2026-01-01T00:00:00", "initialRecordTime: '2026-01-01T00:00:00' needs a time zone (Z or ±hh:mm)"),
        ("stream=true&perPage=0", "perPage: '0' is not a positive whole number"),
    ],
)  # fmt: skip
def test_a_handshake_that_makes_no_subscription_is_a_400_naming_the_parameter(
    database: Database, admin: dict[str, str], parameters: str, detail: str
) -> None:
    client = TestClient(create_app(database, Settings()))
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        client.websocket_connect(f"{PATH}?{parameters}", headers=admin),
    ):
        pass
    answer = refused.value
    assert (answer.status_code, answer.json()["type"], answer.json()["detail"]) == (
        400,
        SUBSCRIPTION_CONTROLS,
        detail,
    )
    assert answer.headers["gs1-epcis-version"] == "2.0.0"


def test_an_unacceptable_media_type_is_refused(database: Database, admin: dict[str, str]) -> None:
    client = TestClient(create_app(database, Settings()))
    assert _handshake(client, f"{PATH}?stream=true", {**admin, "Accept": "text/csv"}) == 406


def test_a_token_holds_at_most_its_share_of_sockets(
    database: Database, admin: dict[str, str]
) -> None:
    app = create_app(database, Settings())
    app.state.socket_hub = SocketHub(database, SocketLimits(per_token=2))
    other = bearer(database, "admin")
    with served(app) as server:
        url = server.url(f"{PATH}?stream=true")
        with (
            connect(url, additional_headers=admin, open_timeout=WITHIN) as first,
            connect(url, additional_headers=admin, open_timeout=WITHIN),
        ):
            with pytest.raises(InvalidStatus) as refused:
                connect(url, additional_headers=admin, open_timeout=WITHIN)
            assert refused.value.response.status_code == 429
            assert json.loads(refused.value.response.body)["detail"] == (
                "this token has 2 subscriptions open over WebSockets here, as many as one "
                "token may; close one first"
            )
            # another token is not held back by this one's
            with connect(url, additional_headers=other, open_timeout=WITHIN):
                pass
            # one closed, the token may open another
            first.close()
            deadline = time.monotonic() + WITHIN
            while app.state.socket_hub.held > 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            with connect(url, additional_headers=admin, open_timeout=WITHIN):
                pass


# --- what is sent ---------------------------------------------------------------------------


def test_each_event_captured_while_open_is_sent_once_and_others_not(
    database: Database, admin: dict[str, str], conformance: Path
) -> None:
    """Four writers capture at once, each event in its own transaction; the socket gets every
    ObjectEvent (its query's) once, no AggregationEvent, and the messages are EPCISQueryDocuments
    valid against the official schema, carrying the query's name and the subscriptionID."""
    capture(database, object_event(event_id(9999)))  # before the socket: never sent
    with (
        served(create_app(database, Settings())) as server,
        connect(server.url(f"{PATH}?stream=true"), additional_headers=admin) as socket_,
    ):
        assert socket_.response.headers["GS1-EPCIS-Version"] == "2.0.0"

        def writer(first: int) -> None:
            for number in range(first, first + 40):
                kind = "ObjectEvent" if number % 2 else "AggregationEvent"
                capture(database, object_event(event_id(number), kind))

        writers = [threading.Thread(target=writer, args=(n * 100,)) for n in range(1, 5)]
        for thread in writers:
            thread.start()
        message = socket_.recv(timeout=WITHIN)
        found = ids_of(message) + received_ids(socket_, 80 - len(ids_of(message)))
        for thread in writers:
            thread.join()
        found += received_ids(socket_, 80 - len(found))
        assert nothing_more(socket_)
    expected = [event_id(n) for w in range(1, 5) for n in range(w * 100, w * 100 + 40) if n % 2]
    assert sorted(found) == sorted(expected)
    assert len(found) == len(set(found))
    document = json.loads(message)
    assert schema_errors(conformance, document) == []
    assert document["type"] == "EPCISQueryDocument"
    assert results(message)["queryName"] == "shipments"
    assert uuid.UUID(results(message)["subscriptionID"])


def test_events_committed_out_of_order_are_each_sent_once(
    database: Database, admin: dict[str, str]
) -> None:
    """A transaction that inserted its event first but commits last: its event comes when it
    commits, the other's when that commits, and neither twice."""
    if database.dialect != "postgresql":
        pytest.skip("SQLite's writers take turns: a transaction cannot commit past another")
    with (
        served(create_app(database, Settings())) as server,
        connect(server.url(f"{PATH}?stream=true"), additional_headers=admin) as socket_,
    ):
        with database.unit_of_work() as early:
            EventRepository(early.connection).add_documents(
                [StoredEvent(object_event(event_id(1)))]
            )
            capture(database, object_event(event_id(2)))
            assert received_ids(socket_, 1) == [event_id(2)]
            assert nothing_more(socket_, 1.0)
            early.commit()
        assert received_ids(socket_, 1) == [event_id(1)]
        assert nothing_more(socket_)


def test_initial_record_time_sends_what_was_recorded_since_then_first(
    database: Database, admin: dict[str, str]
) -> None:
    capture(database, object_event(event_id(1)))
    since = dt.datetime.now(dt.UTC)
    capture(database, object_event(event_id(2)), object_event(event_id(3), "AggregationEvent"))
    stamp = since.isoformat().replace("+00:00", "Z")
    with served(create_app(database, Settings())) as server:
        url = server.url(f"{PATH}?stream=true&initialRecordTime={stamp}")
        with connect(url, additional_headers=admin) as socket_:
            assert socket_.response.headers["GS1-Query-Min-Record-Time"] == (
                since.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            )
            assert ids_of(socket_.recv(timeout=WITHIN)) == [event_id(2)]
            capture(database, object_event(event_id(4)))
            assert received_ids(socket_, 1) == [event_id(4)]
            assert nothing_more(socket_)


def test_per_page_splits_a_burst_into_messages(database: Database, admin: dict[str, str]) -> None:
    since = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    capture(database, *(object_event(event_id(n)) for n in range(1, 8)))
    with served(create_app(database, Settings())) as server:
        url = server.url(f"{PATH}?stream=true&perPage=3&initialRecordTime={since}")
        with connect(url, additional_headers=admin) as socket_:
            sizes = [len(ids_of(socket_.recv(timeout=WITHIN))) for _ in range(3)]
    assert sizes == [3, 3, 1]


def test_a_party_is_sent_what_its_query_answers_show_it(
    known: KnownSet, database_engine: Any
) -> None:
    """The same events, each withheld and trimmed alike, as the query's own answer."""
    client = TestClient(create_app(known.database, Settings()))
    for caller in ("dist-1", "dist-2", "admin"):
        token = known.tokens[caller]
        name = f"everything-{caller}"
        created = client.post("/epcis/queries", json={"name": name, "query": {}}, headers=token)
        assert created.status_code == 201, created.text
        answered = client.get(f"/epcis/queries/{name}/events?perPage=1000", headers=token)
        expected = answered.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        path = f"/epcis/queries/{name}/events?stream=true&initialRecordTime=2000-01-01T00:00:00Z"
        with client.websocket_connect(path, headers=token) as socket_:
            sent = results(socket_.receive_text())["resultsBody"]["eventList"]
        assert sorted(sent, key=lambda e: e["eventID"]) == sorted(
            expected, key=lambda e: e["eventID"]
        )
        client.delete(f"/epcis/queries/{name}", headers=token)


def test_messages_are_xml_when_the_handshake_prefers_it(
    database: Database, admin: dict[str, str], conformance: Path
) -> None:
    since = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    capture(database, object_event(event_id(1)))
    client = TestClient(create_app(database, Settings()))
    path = f"{PATH}?stream=true&initialRecordTime={since}"
    with client.websocket_connect(path, headers={**admin, "Accept": "application/xml"}) as s:
        text = s.receive_text()
    document = etree.fromstring(text.encode())
    query_xsd(conformance).assertValid(document)
    assert [element.text for element in document.iter("eventID")] == [event_id(1)]


def test_a_schedule_sends_the_events_since_its_last_run_and_empty_ones_if_asked(
    database: Database, admin: dict[str, str]
) -> None:
    every_second = "second=0-59"
    with served(create_app(database, Settings())) as server:
        url = server.url(f"{PATH}?{every_second}&reportIfEmpty=true")
        with connect(url, additional_headers=admin) as reporting:
            assert ids_of(reporting.recv(timeout=WITHIN)) == []
        with connect(server.url(f"{PATH}?{every_second}"), additional_headers=admin) as quiet:
            assert nothing_more(quiet, 1.5)
            capture(database, object_event(event_id(1)), object_event(event_id(2)))
            assert ids_of(quiet.recv(timeout=WITHIN)) == [event_id(1), event_id(2)]
            assert nothing_more(quiet, 1.5)


# --- how a socket ends ----------------------------------------------------------------------


def test_revoking_the_token_ends_its_sockets(database: Database, admin: dict[str, str]) -> None:
    with (
        served(create_app(database, Settings())) as server,
        connect(server.url(f"{PATH}?stream=true"), additional_headers=admin) as socket_,
    ):
        capture(database, object_event(event_id(1)))
        assert received_ids(socket_, 1) == [event_id(1)]
        with database.unit_of_work() as uow:
            token = admin["Authorization"].removeprefix("Bearer ")
            revoke_token(uow, live_token_id(uow, token), actor=SETUP)
            uow.commit()
        assert close_code(socket_) == 4401
        assert socket_.close_reason == "the token that opened this subscription was revoked"


def test_deleting_the_query_ends_its_sockets(database: Database, admin: dict[str, str]) -> None:
    with (
        served(create_app(database, Settings())) as server,
        connect(server.url(f"{PATH}?stream=true"), additional_headers=admin) as socket_,
    ):
        with database.unit_of_work() as uow:
            epcis_named_queries.delete_named_query(uow, "shipments", actor=SETUP)
            uow.commit()
        assert close_code(socket_) == 4404


def test_a_client_that_never_reads_is_let_go_and_holds_back_no_other(
    database: Database, admin: dict[str, str]
) -> None:
    app = create_app(database, Settings())
    hub = SocketHub(database, SocketLimits(send_within=0.5))
    app.state.socket_hub = hub
    with served(app) as server:
        stalled = _never_reading(server.port, PATH + "?stream=true&perPage=1000", admin)
        try:
            padding = "x" * 2000
            for first in range(0, 3000, 500):
                documents = []
                for number in range(first, first + 500):
                    document = object_event(event_id(number))
                    document["readPoint"] = {"id": f"urn:example:{padding}:{number}"}
                    documents.append(document)
                capture(database, *documents)
            deadline = time.monotonic() + 20
            while hub.held and time.monotonic() < deadline:
                time.sleep(0.1)
            assert hub.held == 0
            with connect(server.url(f"{PATH}?stream=true"), additional_headers=admin) as other:
                capture(database, object_event(event_id(5000)))
                assert received_ids(other, 1) == [event_id(5000)]
        finally:
            stalled.close()


def _never_reading(port: int, path: str, headers: dict[str, str]) -> socket.socket:
    """A WebSocket client that completes its handshake and never reads again, with a receive
    window as small as the system allows."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", port))
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        *(f"{key}: {value}" for key, value in headers.items()),
    ]
    client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    client.settimeout(WITHIN)
    assert client.recv(12) == b"HTTP/1.1 101"
    return client


def test_a_stopping_service_closes_its_sockets_without_waiting_for_them(
    database: Database, admin: dict[str, str]
) -> None:
    with (
        served(create_app(database, Settings()), stop_within=8) as server,
        connect(server.url(f"{PATH}?stream=true"), additional_headers=admin) as socket_,
    ):
        stopped = threading.Thread(target=server.stop, kwargs={"within": 8})
        stopped.start()
        # uvicorn tells the clients the service restarts (1012) as it stops
        assert close_code(socket_) == 1012
        stopped.join()


def test_the_documented_example_prints_the_events_it_is_sent(
    database: Database, admin: dict[str, str], tmp_path: Path
) -> None:
    """docs/epcis-subscriptions.md's example, run as written against a served unitrace (its
    token and address put in): it prints each event sent, until the socket ends."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "epcis-subscriptions.md").read_text()
    example = page.split("```python\n", 1)[1].split("```", 1)[0]
    capture(database, object_event(event_id(1)))  # recorded after initialRecordTime (2026-03-01)
    with served(create_app(database, Settings())) as server:
        script = example.replace('"ut_…"', repr(admin["Authorization"].removeprefix("Bearer ")))
        script = script.replace("ws://127.0.0.1:8000", f"ws://127.0.0.1:{server.port}")
        (tmp_path / "example.py").write_text(script)
        running = subprocess.Popen(
            [sys.executable, str(tmp_path / "example.py")], stdout=subprocess.PIPE, text=True
        )
        try:
            assert running.stdout is not None
            first = running.stdout.readline().split()
            with database.unit_of_work() as uow:
                epcis_named_queries.delete_named_query(uow, "shipments", actor=SETUP)
                uow.commit()
            # the socket ends (4404), and the example with it
            running.wait(WITHIN)
        finally:
            running.kill()
            running.wait()
    assert [first[1:], len(uuid.UUID(first[0]).hex)] == [[event_id(1), "shipping"], 32]


@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
def test_messages_are_written_off_the_event_loop(
    database: Database, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch, accept: str
) -> None:
    """A message of a thousand events takes tens of milliseconds to write (XML the most): not
    on the event loop, where it would hold up the worker's other sockets and requests."""
    on_the_loop: list[bool] = []
    real = epcis_query_sockets._written

    def written(document: dict[str, object], media: str) -> str:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            on_the_loop.append(False)
        else:
            on_the_loop.append(True)
        return real(document, media)

    monkeypatch.setattr(epcis_query_sockets, "_written", written)
    since = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    capture(database, object_event(event_id(1)))
    client = TestClient(create_app(database, Settings()))
    path = f"{PATH}?stream=true&initialRecordTime={since}"
    with client.websocket_connect(path, headers={**admin, "Accept": accept}) as socket_:
        assert event_id(1) in socket_.receive_text()
    assert on_the_loop == [False]


def test_handshakes_are_answered_while_the_hubs_threads_read_for_open_sockets(
    database: Database, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub's threads are its sockets' reads; a handshake, even an anonymous one, is
    answered on the threads requests run on, however long those reads take."""
    reading = threading.Event()
    read_on = threading.Event()
    real = epcis_query_sockets.sockets.events_between

    def slow_read(*arguments: Any, **keywords: Any) -> Any:
        reading.set()
        read_on.wait(WITHIN)
        return real(*arguments, **keywords)

    monkeypatch.setattr(epcis_query_sockets.sockets, "events_between", slow_read)
    app = create_app(database, Settings())
    app.state.socket_hub = SocketHub(database, SocketLimits(queries_at_once=1))
    since = "2000-01-01T00:00:00Z"
    try:
        with (
            served(app) as server,
            connect(
                server.url(f"{PATH}?stream=true&initialRecordTime={since}"),
                additional_headers=admin,
            ),
        ):
            assert reading.wait(WITHIN)
            started = time.monotonic()
            with pytest.raises(InvalidStatus) as refused:
                connect(server.url(f"{PATH}?stream=true"), open_timeout=WITHIN)
            answered_within = time.monotonic() - started
            read_on.set()
    finally:
        read_on.set()
    assert refused.value.response.status_code == 401
    assert answered_within < WITHIN / 2
