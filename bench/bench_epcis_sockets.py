"""WebSocket subscriptions: the time from an event's capture (its transaction committed) to its
message on a socket streaming a named query (``stream=true``), over a few hundred events.

``unitrace serve`` (one worker) runs in a process of its own; this process captures the events
one transaction each, 20 ms apart, through the event repository, and reads the sockets on
threads of its own, noting when each event's message came. Measured with one socket, then
with 20 sockets open on the query at once (each event's latency on every socket). The worker
looks at the event index every 100 ms (``SocketLimits.poll``), so about half that is the
floor of the median. SQLite in a temporary folder; PostgreSQL on a scratch database of the
local server (``UNITRACE_BENCH_POSTGRES_URL`` to choose another), where it answers.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from websockets.sync.client import ClientConnection, connect

from scratch import migrated, scratch_postgresql
from unitrace.registry.model import Actor, Role
from unitrace.services import epcis_named_queries
from unitrace.services.tokens import create_token
from unitrace.store.database import open_database
from unitrace.store.events import EventRepository, StoredEvent
from unitrace.store.unit_of_work import Database

EVENTS = 300
APART = 0.02
SOCKETS = (1, 20)
ADMIN = Actor("bench", Role.ADMIN)
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_sockets_bench",
)


def event(number: int) -> dict[str, object]:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        "eventTime": "2026-03-01T08:00:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "epcList": [f"urn:epc:id:sgtin:9506000.013435.S{number}"],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(url: str, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    environment = {**os.environ, "UNITRACE_DATABASE_URL": url}
    command = [sys.executable, "-m", "unitrace", "serve", "--port", str(port), "--no-access-log"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=output)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"unitrace serve did not start:\n{log.read_text()}")


def listen(socket_: ClientConnection, arrived: dict[str, float], until: float) -> None:
    while time.monotonic() < until and len(arrived) < EVENTS:
        try:
            message = socket_.recv(timeout=max(0.01, until - time.monotonic()))
        except TimeoutError:
            return
        now = time.perf_counter()
        body = json.loads(message)["epcisBody"]["queryResults"]["resultsBody"]
        for found in body["eventList"]:
            arrived.setdefault(found["eventID"], now)


def measure(name: str, url: str, sockets: int, folder: Path) -> None:
    engine = migrated(open_database(url))
    database = Database(engine)
    with database.unit_of_work() as uow:
        # a token per socket: one token may hold 8 sockets on a worker
        tokens = [create_token(uow, role="admin", actor=ADMIN) for _ in range(sockets)]
        epcis_named_queries.create_named_query(uow, "all", {}, actor=ADMIN)
        uow.commit()
    process, port = serve(url, folder / f"serve-{name}-{sockets}.log")
    try:
        address = f"ws://127.0.0.1:{port}/epcis/queries/all/events?stream=true"
        opened = contextlib.ExitStack()
        clients = [
            opened.enter_context(
                connect(address, additional_headers={"Authorization": f"Bearer {token}"})
            )
            for token in tokens
        ]
        arrivals: list[dict[str, float]] = [{} for _ in clients]
        until = time.monotonic() + EVENTS * APART + 30
        readers = [
            threading.Thread(target=listen, args=(client, arrived, until))
            for client, arrived in zip(clients, arrivals, strict=True)
        ]
        for reader in readers:
            reader.start()
        committed: dict[str, float] = {}
        for number in range(1, EVENTS + 1):
            document = event(number)
            with database.unit_of_work() as uow:
                EventRepository(uow.connection).add_documents([StoredEvent(document)])
                uow.commit()
            committed[str(document["eventID"])] = time.perf_counter()
            time.sleep(APART)
        for reader in readers:
            reader.join()
        opened.close()
    finally:
        process.terminate()
        process.wait(30)
        engine.dispose()
    latencies = sorted(
        (arrived[key] - at) * 1000
        for arrived in arrivals
        for key, at in committed.items()
        if key in arrived
    )
    missing = EVENTS * sockets - len(latencies)
    print(
        f"{name:<10} {sockets:>2} socket(s): {EVENTS} events, capture to message "
        f"p50 {statistics.median(latencies):6.1f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99) - 1]:6.1f} ms, "
        f"max {latencies[-1]:6.1f} ms, missing {missing}"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for sockets in SOCKETS:
            measure(
                "SQLite", f"sqlite:///{Path(folder) / f'bench-{sockets}.db'}", sockets, Path(folder)
            )
        if scratch_postgresql(POSTGRES_URL):
            for sockets in SOCKETS:
                measure("PostgreSQL", POSTGRES_URL, sockets, Path(folder))


if __name__ == "__main__":
    main()
