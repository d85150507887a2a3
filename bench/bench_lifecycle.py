"""How fast units are commissioned and shipped, through the services as the API calls them.

1. Commission 1,000,000 issued units of one lot: one ObjectEvent, a million EPC index rows,
   a million units issued → active, committed. Target <= 6 s on SQLite.
2. Ship a pallet holding 10,000 units via 20 cases of 500: one ObjectEvent naming the pallet,
   its cases and every unit, custody of all of them moved, committed. Target <= 1 s.

The issued units are written first with a bare executemany (COPY on PostgreSQL), untimed, as
serial issuing would leave them. Run as ``.venv/bin/python bench/bench_lifecycle.py``; each
figure is the minimum (the one to compare with the target: noise only ever adds time) and the
median of three runs on fresh data. PostgreSQL is measured too where
``UNITRACE_BENCH_POSTGRES_URL`` (default: the local test server, database
``unitrace_lifecycle_bench``, created if missing) answers. Exits 1 when even the fastest SQLite
run misses a target.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from scratch import scratch_postgresql, sqlite_engines
from unitrace.gs1 import Gtin
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.lifecycle import aggregate, commission, ship
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.unit_of_work import Database

RUNS = 3
UNITS = 1_000_000
COMMISSION_TARGET_SECONDS = 6.0
CASES, CASE_SIZE = 20, 500
SHIP_TARGET_SECONDS = 1.0

GTIN = Gtin("09506000134352")
CASE_GTIN = "19506000134359"
LOT = "L2611A"
ADMIN = Actor("bench", Role.ADMIN)
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_lifecycle_bench",
)


def serials(count: int) -> list[str]:
    """``count`` distinct random serials of the default format, as issuing draws them."""
    drawn: set[str] = set()
    while len(drawn) < count:
        drawn.update(
            "".join(secrets.choice(ALPHABET) for _ in range(12)) for _ in range(count - len(drawn))
        )
    return list(drawn)


def registry_with_issued_units(engine: Engine, drawn: list[str]) -> Database:
    """A fresh registry: one product, one lot, one party, and ``drawn`` issued units."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    database = Database(engine)
    with database.unit_of_work() as uow:
        register_product(uow, gtin=GTIN.value, name="Bench", actor=ADMIN, company_prefix_length=7)
        register_lot(uow, gtin=GTIN.value, lot=LOT, expiry=dt.date(2031, 1, 31), actor=ADMIN)
        register_party(uow, id="dist-a", name="Distributor A", role="distributor", actor=ADMIN)
        uow.commit()
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO serial_requests (id, product_id, lot_id, count, seq_from, seq_to, "
                "commissioned, created_at) VALUES (1, 1, 1, :n, 1, :n, false, :now)"
            ),
            {"n": len(drawn), "now": now},
        )
        rows = [(1, serial, 1, seq, 1, "issued") for seq, serial in enumerate(drawn, start=1)]
        columns = "product_id, serial, lot_id, seq, request_id, state"
        if engine.dialect.name == "postgresql":
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY units ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            connection.exec_driver_sql(
                f"INSERT INTO units ({columns}) VALUES (?, ?, ?, ?, ?, ?)", rows
            )
        connection.execute(text("UPDATE lots SET issued = :n"), {"n": len(drawn)})
        connection.execute(text("UPDATE products SET issued = :n"), {"n": len(drawn)})
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE units"))
    return database


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def commission_all(database: Database) -> None:
    with database.unit_of_work() as uow:
        commission(uow, gtin=GTIN, lot=LOT, seq_from=1, seq_to=UNITS, actor=ADMIN)
        uow.commit()


def pack_pallet(database: Database, drawn: list[str], number: int) -> str:
    """Pallet ``number``: 20 cases of 500 units (untimed); its SSCC is returned."""
    first = number * CASES * CASE_SIZE
    sscc = f"(00)0950600000{number:07d}"
    sscc += gs1_check_digit(sscc[4:])
    with database.unit_of_work() as uow:
        cases = []
        for case in range(CASES):
            code = f"(01){CASE_GTIN}(21)P{number}C{case}"
            start = first + case * CASE_SIZE
            units = [f"(01){GTIN.value}(21){serial}" for serial in drawn[start : start + CASE_SIZE]]
            aggregate(uow, parent=code, children=units, actor=ADMIN)
            cases.append(code)
        aggregate(uow, parent=sscc, children=cases, actor=ADMIN)
        uow.commit()
    return sscc


def ship_pallet(database: Database, sscc: str) -> None:
    with database.unit_of_work() as uow:
        shipment = ship(uow, codes=[sscc], party="dist-a", actor=ADMIN)
        assert shipment.units == CASES * CASE_SIZE
        uow.commit()


def measure(name: str, open_engine: Callable[[], Engine]) -> tuple[list[float], list[float]]:
    drawn = serials(UNITS)
    commissioning: list[float] = []
    shipping: list[float] = []
    for _ in range(RUNS):
        engine = open_engine()
        database = registry_with_issued_units(engine, drawn)
        commissioning.append(timed(lambda: commission_all(database)))  # noqa: B023
        pallets = [pack_pallet(database, drawn, number) for number in range(RUNS)]
        for sscc in pallets:
            shipping.append(timed(lambda: ship_pallet(database, sscc)))  # noqa: B023
        engine.dispose()
    # the issue sets the commissioning target for SQLite only
    target = COMMISSION_TARGET_SECONDS if name == "sqlite" else None
    report(name, "commission 1,000,000 units", commissioning, target)
    report(name, "ship a pallet of 10,000 units", shipping, SHIP_TARGET_SECONDS)
    return commissioning, shipping


def report(database: str, what: str, seconds: list[float], target: float | None) -> None:
    best, median = min(seconds), statistics.median(seconds)
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    if target is None:
        verdict = "no target"
    else:
        verdict = ("meets" if best <= target else "MISSES") + f" the {target:g} s target"
    print(
        f"{database:10} {what:30}: min {best:.2f} s, median {median:.2f} s "
        f"(runs {runs}; {verdict})",
        flush=True,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        commissioning, shipping = measure("sqlite", sqlite_engines(Path(folder)))
    if scratch_postgresql(POSTGRES_URL):
        measure("postgresql", lambda: open_database(POSTGRES_URL))
    missed = min(commissioning) > COMMISSION_TARGET_SECONDS or min(shipping) > SHIP_TARGET_SECONDS
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
