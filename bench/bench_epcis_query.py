"""``GET /epcis/events?MATCH_epc=<one unit>`` with 1,000,000 events stored: latency in-process
(FastAPI's test client, no network), target p99 <= 20 ms.

The events are the life of 250,000 units, four events each (commissioning, shipping, receiving,
selling; one EPC per event), stored through the event repository in batches (untimed set-up).
Then 1,000 queries for random units are timed one by one, the answer being the unit's four
events as an EPCISQueryDocument: once with an admin token (every event visible) and once with
a distributor's (its view: the events of its party and of the units in its custody). Then
the first page of ``/epcis/events`` and of ``/epcis/epcs`` with no parameter, 20 times, for
that distributor (a tenth of the units) and for one just onboarded (a single unit): their view
alone decides what comes (reported; no target).

The extension-field parameters, on the same events: each commissioning event carries ILMD (a
lot of 1,000 lots, its expiry, a fill temperature) and each shipping event a carrier of 50 in
an extension field of its own; 200 queries of each kind for random values (first page of 30,
admin token): ``EQ_ILMD_cbvmda:lotNumber`` (250 events a lot), ``GE_``/``LT_ILMD_`` on the fill
temperature (a narrow range: some 25 events), ``EQ_ex:carrier`` with ``MATCH_epc`` (one
event), ``GE_ILMD_cbvmda:itemExpirationDate`` (a date), ``EXISTS_ILMD_`` (every
commissioning event), and ``MATCH_epcClass`` with a lot's LGTIN, as an EPC class URI and as a
Digital Link (the lot's commissioning events, found by their SGTINs and ILMD lot); reported
beside the ``MATCH_epc`` figures of the same run.
SQLite in a temporary folder; PostgreSQL on a scratch database of the local server
(``UNITRACE_BENCH_POSTGRES_URL`` to choose another), where it answers.
``UNITRACE_BENCH_EVENTS`` stores fewer events (a multiple of 4,000) where 1,000,000 is too slow
to fill.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import insert, select, text, update

from scratch import scratch_postgresql
from timing import time_each
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog
from unitrace.services.tokens import create_token
from unitrace.store.database import open_database
from unitrace.store.events import EventRepository, StoredEvent
from unitrace.store.migrations import upgrade
from unitrace.store.schema import products, units
from unitrace.store.unit_of_work import Database

EVENTS = int(os.environ.get("UNITRACE_BENCH_EVENTS", "1000000"))
STEPS = (
    ("ADD", "commissioning", "active"),
    ("OBSERVE", "shipping", "in_transit"),
    ("OBSERVE", "receiving", "in_progress"),
    ("OBSERVE", "retail_selling", "retail_sold"),
)
UNITS = EVENTS // len(STEPS)
QUERIES = 1_000
PAGES = 20
FIELD_QUERIES = 200
LOTS = 1000
CARRIERS = 50
EX = "https://bench.example/ext/"
BATCH = 20_000
GTIN = "09506000134352"
ADMIN = Actor("bench", Role.ADMIN)
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_query_bench",
)


def epc(n: int) -> str:
    return f"urn:epc:id:sgtin:9506000.013435.U{n:07d}"


def event(n: int) -> dict[str, Any]:
    """The n-th event: step n // UNITS of unit n % UNITS, so that a unit's events are spread
    over the whole table as they would be over time."""
    unit, step = n % UNITS, n // UNITS
    action, biz_step, disposition = STEPS[step]
    at = START + dt.timedelta(seconds=n)
    extensions: dict[str, Any] = {}
    if step == 0:
        extensions["ilmd"] = {
            "cbvmda:lotNumber": f"L{unit % LOTS:04d}",
            "cbvmda:itemExpirationDate": (START.date() + dt.timedelta(days=unit % 730)).isoformat(),
            "ex:fillTemperature": round(2 + (unit % 6000) / 1000, 3),
        }
        extensions["@context"] = [{"ex": EX}]
    elif step == 1:
        extensions["ex:carrier"] = f"C{unit % CARRIERS:02d}"
        extensions["@context"] = [{"ex": EX}]
    return {
        **extensions,
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:5b0c7f3e-1d2a-4c5e-8f6a-{n:012d}",
        "eventTime": at.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+00:00",
        "epcList": [epc(unit)],
        "action": action,
        "bizStep": biz_step,
        "disposition": disposition,
        "readPoint": {"id": f"urn:epc:id:sgln:9506000.{unit % 500:05d}.0"},
    }


def repository(url: str) -> tuple[Database, dict[str, str]]:
    database = Database(open_database(url))
    if database.dialect == "postgresql":
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(database.engine)
    with database.unit_of_work() as uow:
        catalog.register_product(uow, gtin=GTIN, name="Bench", company_prefix_length=7, actor=ADMIN)
        catalog.register_party(
            uow, id="dist-1", name="Distributor", role="distributor", actor=ADMIN
        )
        product_id = uow.connection.execute(
            select(products.c.id).where(products.c.gtin == GTIN)
        ).scalar_one()
        # every tenth unit is in the distributor's custody
        uow.connection.execute(
            insert(units),
            [
                {
                    "product_id": product_id,
                    "serial": f"U{n:07d}",
                    "lot_id": 1,
                    "seq": n + 1,
                    "request_id": 1,
                    "state": "active",
                    "custodian_id": "dist-1" if n % 10 == 0 else None,
                }
                for n in range(UNITS)
            ],
        )
        # a distributor just onboarded: one unit in its custody
        catalog.register_party(uow, id="dist-2", name="Newcomer", role="distributor", actor=ADMIN)
        uow.connection.execute(
            update(units).where(units.c.serial == "U0000001").values(custodian_id="dist-2")
        )
        tokens = {
            "admin": create_token(uow, role="admin", actor=ADMIN),
            "distributor": create_token(uow, role="distributor", party="dist-1", actor=ADMIN),
            "newcomer": create_token(uow, role="distributor", party="dist-2", actor=ADMIN),
        }
        uow.commit()
    for start in range(0, EVENTS, BATCH):
        with database.unit_of_work() as uow:
            EventRepository(uow.connection).add_documents(
                [StoredEvent(event(n)) for n in range(start, min(start + BATCH, EVENTS))]
            )
            uow.commit()
    if database.dialect == "postgresql":
        # VACUUM sets the freshly loaded rows' visibility hints, which the first queries
        # would otherwise write back page by page, as a settled database does not
        with database.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return database, tokens


def measure(name: str, url: str) -> None:
    started = time.perf_counter()
    database, tokens = repository(url)
    print(f"{name}: {EVENTS:,} events stored in {time.perf_counter() - started:.1f} s (set-up)")
    app = create_app(database, Settings())
    rng = random.Random(7)
    with TestClient(app) as client:
        for caller in ("admin", "distributor"):
            # the distributor asks for units in its custody, which it may see
            chosen = [rng.randrange(0, UNITS, 10) for _ in range(QUERIES)]
            query_round(name, caller, client, _bearer(tokens[caller]), chosen)
        for caller in ("distributor", "newcomer"):
            for path in ("/epcis/events", "/epcis/epcs"):
                page_round(name, caller, client, _bearer(tokens[caller]), path)
        field_rounds(name, client, _bearer(tokens["admin"]), rng)
    database.engine.dispose()


def query_round(
    name: str, caller: str, client: TestClient, headers: dict[str, str], chosen: list[int]
) -> None:
    def a_units_life(answer: Response) -> None:
        assert answer.status_code == 200, answer.text
        found = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert len(found) == len(STEPS), found

    timed = time_each(
        chosen,
        lambda unit: client.get("/epcis/events", params={"MATCH_epc": epc(unit)}, headers=headers),
        a_units_life,
    )
    print(
        f"{name} ({caller} token): {QUERIES:,} MATCH_epc queries, p50 {timed.p50:.2f} ms, "
        f"p99 {timed.p99:.2f} ms, max {timed.max:.2f} ms ({timed.verdict(20)} the 20 ms p99 target)"
    )


def page_round(
    name: str, caller: str, client: TestClient, headers: dict[str, str], path: str
) -> None:
    """The first page of ``path`` with no parameter: a distributor's view alone decides
    which events (or EPCs) come, one holding a tenth of the units or a single one."""

    def a_page(answer: Response) -> None:
        assert answer.status_code == 200, answer.text

    timed = time_each(
        range(PAGES),
        lambda _: client.get(path, params={"perPage": "30"}, headers=headers),
        a_page,
    )
    print(
        f"{name} ({caller} token): {PAGES} first pages of {path}, p50 {timed.p50:.2f} ms, "
        f"p99 {timed.p99:.2f} ms"
    )


def field_rounds(
    name: str, client: TestClient, headers: dict[str, str], rng: random.Random
) -> None:
    """The extension-field parameters, 200 queries of each kind for random values, each
    answer checked to hold the events its value must find (a full first page, or the one)."""
    declared = {**headers, "GS1-Extensions": f"ex={EX}"}

    def lot(unit: int) -> dict[str, str]:
        return {"EQ_ILMD_cbvmda:lotNumber": f"L{unit % LOTS:04d}"}

    def temperature(unit: int) -> dict[str, str]:
        # some 40 units share each fill temperature: the range holds one of them
        low = round(2 + (unit % 5000) / 1000, 3)
        return {
            "GE_ILMD_ex:fillTemperature": f"{low}",
            "LT_ILMD_ex:fillTemperature": f"{low + 0.0005}",
        }

    def carrier(unit: int) -> dict[str, str]:
        return {"EQ_ex:carrier": f"C{unit % CARRIERS:02d}", "MATCH_epc": epc(unit)}

    def expiry(unit: int) -> dict[str, str]:
        return {
            "GE_ILMD_cbvmda:itemExpirationDate": (
                START.date() + dt.timedelta(days=unit % 700)
            ).isoformat()
        }

    def present(_: int) -> dict[str, str]:
        return {"EXISTS_ILMD_ex:fillTemperature": ""}

    def lot_class(unit: int) -> dict[str, str]:
        return {"MATCH_epcClass": f"urn:epc:class:lgtin:9506000.013435.L{unit % LOTS:04d}"}

    def lot_link(unit: int) -> dict[str, str]:
        return {"MATCH_epcClass": f"https://id.gs1.org/01/{GTIN}/10/L{unit % LOTS:04d}"}

    # with fewer events stored, fewer units share a fill temperature than a page holds
    sharing = min(30, UNITS // 6000)
    for asked, count in (
        (lot, (30, 30)),
        (temperature, (sharing, 30)),
        (carrier, (1, 1)),
        (expiry, (30, 30)),
        (present, (30, 30)),
        (lot_class, (30, 30)),
        (lot_link, (30, 30)),
    ):

        def ask(unit: int, asked: Any = asked) -> Response:
            return client.get(
                "/epcis/events", params={"perPage": "30", **asked(unit)}, headers=declared
            )

        def right(answer: Response, count: tuple[int, int] = count) -> None:
            assert answer.status_code == 200, answer.text
            found = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            assert count[0] <= len(found) <= count[1], len(found)

        timed = time_each([rng.randrange(UNITS) for _ in range(FIELD_QUERIES)], ask, right)
        label = "&".join(f"{key}={value}" for key, value in asked(0).items())
        print(
            f"{name}: {FIELD_QUERIES} {label} queries ({count[1]} events answered at most), "
            f"p50 {timed.p50:.2f} ms, p99 {timed.p99:.2f} ms, max {timed.max:.2f} ms"
        )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}")
    if scratch_postgresql(POSTGRES_URL):
        measure("PostgreSQL", POSTGRES_URL)


if __name__ == "__main__":
    main()
