"""The DSCSA exchange for a shipment: the EPCIS document of a pallet, in both versions.

A US drug's lot of ``BENCH_LOT_UNITS`` units is issued and commissioned through the services
(one commissioning event for the whole lot), ``BENCH_PALLET_UNITS`` of them packed 50 to a
case and the cases on one pallet, the pallet shipped to a wholesaler; the rest of the lot stays
with the brand, so the document's commissioning event is narrowed to the pallet's units. All of
that is untimed.

Timed, as the route calls it (the service, then the document written to bytes), median and
slowest of ``BENCH_RUNS`` runs: the EPCIS 1.2 XML document and the EPCIS 2.0 JSON-LD document.
Target (issue 14): <= 3 s for a pallet of 10,000 units.

The default run is small (a pallet of 1,000 units in a lot of 5,000);
``BENCH_PALLET_UNITS=10000`` is the issue's size (the lot five times the pallet unless
``BENCH_LOT_UNITS`` says otherwise). SQLite in a temporary folder; PostgreSQL on a scratch
database of the local server (``UNITRACE_BENCH_POSTGRES_URL``) where it answers; ``BENCH_ONLY``
(``sqlite`` or ``postgresql``) measures one. Exits 1 when a figure misses.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, select, text

from scratch import scratch_postgresql
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.exports.dscsa import dscsa_document
from unitrace.services.lifecycle import aggregate, ship
from unitrace.services.serialization import issue_serials
from unitrace.store import schema
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.unit_of_work import Database

PALLET_UNITS = int(os.environ.get("BENCH_PALLET_UNITS", "1000"))
LOT_UNITS = int(os.environ.get("BENCH_LOT_UNITS", str(5 * PALLET_UNITS)))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
ONLY = os.environ.get("BENCH_ONLY")
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_dscsa_bench",
)
TARGET_S = 3.0
PER_CASE = 50
ADMIN = Actor("bench", Role.ADMIN)
PREFIX = "0363323"
GTIN, CASE_GTIN = "00363323003203", "10363323003200"
LOT = "A100"
WHOLESALER_GLN = "0363323000011"
AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def pallet_code() -> str:
    digits = f"0{PREFIX}000000001"
    return f"(00){digits}{gs1_check_digit(digits)}"


def fill(engine: Engine) -> tuple[Database, str]:
    """The lot, the pallet and its shipment; the shipping event's ID."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    database = Database(engine)
    with database.unit_of_work() as uow:
        register_product(
            uow, gtin=GTIN, name="Amoxicillin 500 mg", actor=ADMIN, company_prefix_length=7
        )
        register_lot(uow, gtin=GTIN, lot=LOT, expiry=dt.date(2031, 1, 31), actor=ADMIN)
        register_party(
            uow,
            id="wholesaler",
            name="Wholesaler",
            role="wholesaler",
            actor=ADMIN,
            gln=WHOLESALER_GLN,
        )
        issue_serials(uow, gtin=GTIN, lot=LOT, count=LOT_UNITS, actor=ADMIN, commission=True)
        uow.commit()
    with database.unit_of_work() as uow:
        serials = list(
            uow.connection.execute(
                select(schema.units.c.serial).order_by(schema.units.c.seq).limit(PALLET_UNITS)
            ).scalars()
        )
        cases = []
        for number, start in enumerate(range(0, len(serials), PER_CASE), start=1):
            case = f"(01){CASE_GTIN}(21)C{number}"
            units = [f"(01){GTIN}(21){serial}" for serial in serials[start : start + PER_CASE]]
            aggregate(uow, parent=case, children=units, actor=ADMIN, at=AT)
            cases.append(case)
        aggregate(uow, parent=pallet_code(), children=cases, actor=ADMIN, at=AT)
        shipment = ship(
            uow,
            codes=[pallet_code()],
            party="wholesaler",
            actor=ADMIN,
            at=AT + dt.timedelta(hours=1),
        )
        uow.commit()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return database, shipment.event.event_id


def run(engine: Engine, name: str) -> list[bool]:
    begun = time.perf_counter()
    database, event_id = fill(engine)
    print(
        f"{name:10} : a pallet of {PALLET_UNITS:,} units in a lot of {LOT_UNITS:,}, "
        f"filled in {time.perf_counter() - begun:.1f} s"
    )
    met = []
    for version in ("1.2", "2.0"):
        seconds = []
        size = 0
        for _ in range(RUNS):
            started = time.perf_counter()
            with database.unit_of_work(read_only=True) as uow:
                found = dscsa_document(uow, event_id, actor=ADMIN, version=version)
            seconds.append(time.perf_counter() - started)
            size = len(found.content)
        median = statistics.median(seconds)
        ok = median <= TARGET_S
        met.append(ok)
        print(
            f"{name:10} : EPCIS {version} document, {size / 1e6:.1f} MB: median "
            f"{median:.2f} s, slowest {max(seconds):.2f} s (target <= {TARGET_S:.0f} s: "
            f"{'meets' if ok else 'MISSES'})"
        )
    engine.dispose()
    return met


def main() -> int:
    print(f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    met: list[bool] = []
    if ONLY in (None, "sqlite"):
        folder = Path(tempfile.mkdtemp(prefix="unitrace-dscsa-"))
        met += run(open_database(f"sqlite:///{folder / 'bench.db'}"), "sqlite")
    if ONLY in (None, "postgresql") and scratch_postgresql(POSTGRES_URL):
        met += run(open_database(POSTGRES_URL), "postgresql")
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
