"""Capturing a 10,000-event EPCIS 2.0 JSON-LD document, whole: parsing, validation, the CBV 2.0
event hash for the events that come without an eventID, storage with the EPC index, and the
projection onto the registry. Target >= 5,000 events/s on SQLite; PostgreSQL reported.

Two documents, each of 10,000 events, as a 3PL would send them:

- *partner*: events about the partner's own identifiers (receiving and shipping pallets and
  cases, transformations of raw-material lots, sensor readings): stored and indexed, no unit of
  ours among them, half of them without an eventID;
- *registry*: events about units unitrace issued: 10,000 units commissioned in 100 events, then
  100 cases packed (AggregationEvent), 100 cases shipped to a distributor: each such event goes
  through the lifecycle services; the rest (9,700) observe units (inspections, sensor
  reports), stored and indexed against them.

Each figure is the best and the median of three runs on fresh data. ``UNITRACE_BENCH_POSTGRES_URL``
(default: the local server, database ``unitrace_capture_bench``) for PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from scratch import scratch_postgresql, sqlite_engines
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.gs1 import Gtin
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.epcis_capture import CaptureResult, capture, read_document
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.unit_of_work import Database

EVENTS = 10_000
RUNS = 3
TARGET = 5_000
GTIN = Gtin("09506000134352")
ADMIN = Actor("bench", Role.ADMIN)
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_capture_bench",
)
T0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _event(n: int, **fields: Any) -> dict[str, Any]:
    at = T0 + dt.timedelta(seconds=n)
    event = {
        "type": "ObjectEvent",
        "eventTime": at.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
    }
    if n % 2 == 0:
        event["eventID"] = uuid.UUID(int=n + 1).urn
    event.update(fields)
    return event


def partner_document() -> bytes:
    events = []
    for n in range(EVENTS):
        kind = n % 4
        if kind == 0:
            events.append(
                _event(
                    n,
                    bizStep="receiving",
                    disposition="in_progress",
                    epcList=[f"urn:epc:id:sscc:0614141.{n:010d}"],
                    readPoint={"id": "urn:epc:id:sgln:0614141.00777.0"},
                    bizLocation={"id": "urn:epc:id:sgln:0614141.00888.0"},
                    bizTransactionList=[
                        {"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:0614141073467:{n}"}
                    ],
                )
            )
        elif kind == 1:
            events.append(
                _event(
                    n,
                    bizStep="shipping",
                    disposition="in_transit",
                    epcList=[f"urn:epc:id:sgtin:0614141.107346.{n}"],
                    destinationList=[
                        {"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00002"}
                    ],
                )
            )
        elif kind == 2:
            events.append(
                {
                    "type": "TransformationEvent",
                    "eventTime": (T0 + dt.timedelta(seconds=n)).isoformat(timespec="milliseconds"),
                    "eventTimeZoneOffset": "+08:00",
                    "inputQuantityList": [
                        {
                            "epcClass": f"urn:epc:class:lgtin:4012345.011111.{n}",
                            "quantity": 10,
                            "uom": "KGM",
                        }
                    ],
                    "outputEPCList": [f"urn:epc:id:sgtin:4012345.077889.{n}"],
                    "bizStep": "commissioning",
                    "example:shift": "B",
                }
            )
        else:
            events.append(
                _event(
                    n,
                    bizStep="sensor_reporting",
                    epcList=[f"urn:epc:id:sgtin:0614141.107346.{n - 2}"],
                    sensorElementList=[
                        {
                            "sensorMetadata": {"time": "2026-05-01T08:00:00Z"},
                            "sensorReport": [{"type": "Temperature", "value": 4.5, "uom": "CEL"}],
                        }
                    ],
                )
            )
    return _document(events, example="https://ns.example.com/epcis/")


def registry_document(serials: list[str]) -> bytes:
    epc = [f"urn:epc:id:sgtin:9506000.013435.{serial}" for serial in serials]
    events: list[dict[str, Any]] = []
    for batch in range(100):
        events.append(
            _event(
                len(events),
                action="ADD",
                bizStep="commissioning",
                disposition="active",
                epcList=epc[batch * 100 : (batch + 1) * 100],
                ilmd={"cbvmda:lotNumber": "B1"},
            )
        )
    for case in range(100):
        events.append(
            {
                "type": "AggregationEvent",
                "eventID": f"urn:uuid:{uuid.uuid4()}",
                "eventTime": (T0 + dt.timedelta(seconds=len(events))).isoformat(
                    timespec="milliseconds"
                ),
                "eventTimeZoneOffset": "+08:00",
                "action": "ADD",
                "bizStep": "packing",
                "parentID": f"urn:epc:id:sscc:9506000.{case:010d}",
                "childEPCs": epc[case * 100 : (case + 1) * 100],
            }
        )
    for case in range(100):
        events.append(
            _event(
                len(events),
                bizStep="shipping",
                disposition="in_transit",
                epcList=[f"urn:epc:id:sscc:9506000.{case:010d}"],
                destinationList=[
                    {"type": "owning_party", "destination": "urn:unitrace:party:dist-a"}
                ],
            )
        )
    while len(events) < EVENTS:
        n = len(events)
        events.append(
            _event(
                n,
                bizStep="inspecting",
                epcList=[f"urn:epc:id:sscc:0614141.{n:010d}"],
                readPoint={"id": "urn:epc:id:sgln:0614141.00777.0"},
            )
        )
    return _document(events)


def _document(events: list[dict[str, Any]], **namespaces: str) -> bytes:
    return json.dumps(
        {
            "@context": [EPCIS_CONTEXT, *([namespaces] if namespaces else [])],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": T0.isoformat(),
            "epcisBody": {"eventList": events},
        }
    ).encode()


def registered(database: Database) -> list[str]:
    """The product, lot, distributor and 10,000 issued units; their serials."""
    from unitrace.services.serialization import issue_serials, request_codes

    with database.unit_of_work() as uow:
        register_product(uow, gtin=GTIN.value, name="Bench", company_prefix_length=7, actor=ADMIN)
        register_lot(uow, gtin=GTIN.value, lot="B1", expiry=dt.date(2030, 1, 1), actor=ADMIN)
        register_party(uow, id="dist-a", name="Distributor A", role="distributor", actor=ADMIN)
        request = issue_serials(uow, gtin=GTIN.value, lot="B1", count=10_000, actor=ADMIN)
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        return [code.identity.serial for code in request_codes(uow, request.id)]


def timed(database: Database, body: bytes) -> tuple[float, CaptureResult]:
    """Seconds to read and capture ``body``, and what the capture did."""
    started = time.perf_counter()
    document = read_document(body, "application/ld+json")
    with database.unit_of_work() as uow:
        result = capture(uow, document, actor=ADMIN)
        assert not result.problems, result.problems[:3]
        uow.commit()
    return time.perf_counter() - started, result


def run(database: Database, body: bytes) -> float:
    return timed(database, body)[0]


def measure(name: str, fresh: Any) -> None:
    for label, make in (("partner", True), ("registry", False)):
        seconds = []
        for _ in range(RUNS):
            database = fresh()
            body = partner_document() if make else registry_document(registered(database))
            seconds.append(run(database, body))
            database.engine.dispose()
        best, median = EVENTS / min(seconds), EVENTS / statistics.median(seconds)
        verdict = "" if name != "SQLite" else (" (meets)" if best >= TARGET else " (MISSES)")
        print(
            f"{name} capture, {label} document of {EVENTS:,} events: best {best:,.0f} events/s, "
            f"median {median:,.0f} events/s{verdict}",
            flush=True,
        )


def on_each_database(measure: Callable[[str, Callable[[], Database]], None], url: str) -> None:
    """``measure`` on fresh SQLite files, then on fresh schemas of the PostgreSQL database
    ``url`` (where its server answers)."""
    with tempfile.TemporaryDirectory() as scratch:
        engines = sqlite_engines(Path(scratch))

        def fresh_sqlite() -> Database:
            database = Database(engines())
            upgrade(database.engine)
            return database

        measure("SQLite", fresh_sqlite)
    if scratch_postgresql(url):

        def fresh_postgresql() -> Database:
            engine = open_database(url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade(engine)
            return Database(engine)

        measure("PostgreSQL", fresh_postgresql)


def main() -> None:
    on_each_database(measure, POSTGRES_URL)


if __name__ == "__main__":
    main()
