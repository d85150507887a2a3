"""How fast serials are issued: 1,000,000 for one lot, through the service as the API calls it.

1. ``issue_serials`` for 1,000,000 units of one lot, committed: drawing the serials from the
   OS CSPRNG, the guess rule, the lot's seqs, the request, the units registered as issued (one
   ``INSERT … SELECT FROM json_each`` on SQLite, a ``COPY`` on PostgreSQL), the audit line.
   Targets: <= 3 s on SQLite, <= 5 s on PostgreSQL.
2. The floor it is compared with: a bare ``executemany`` (``COPY`` on PostgreSQL) of the same
   1,000,000 pre-generated rows into the same units table, committed. The rows are built
   before the clock starts (as COPY text on PostgreSQL), so that the floor is the database's
   own work. Target: issuing within 1.5x of it.

Each measurement runs on a fresh database: a new SQLite file, or PostgreSQL's public schema
dropped, migrated again and checkpointed. PostgreSQL is measured where ``UNITRACE_BENCH_POSTGRES_URL``
(default: the local test server, database ``unitrace_issue_bench``, created if missing; the
bench empties it) answers. Each figure is the minimum (the one to compare with the target:
noise only ever adds time) and the median of three runs. Run as
``.venv/bin/python bench/bench_issue.py``; exits 1 when even the fastest run misses a target.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from scratch import scratch_postgresql, sqlite_engines
from unitrace.gs1 import Gtin
from unitrace.registry.model import Actor, Role, SerialFormat
from unitrace.serials import draw_serials
from unitrace.services.catalog import register_lot, register_product
from unitrace.services.serialization import issue_serials
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.schema import units
from unitrace.store.unit_of_work import Database

RUNS = 3
UNITS = 1_000_000
TARGETS = {"sqlite": 3.0, "postgresql": 5.0}
RATIO_TARGET = 1.5

GTIN = Gtin("09506000134352")
LOT = "L2611A"
ADMIN = Actor("bench", Role.ADMIN)
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_issue_bench",
)
COLUMNS = "product_id, serial, lot_id, seq, request_id, state"


def fresh_registry(engine: Engine) -> Database:
    """A migrated, empty registry with one product and one lot."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    database = Database(engine)
    with database.unit_of_work() as uow:
        register_product(uow, gtin=GTIN.value, name="Bench", actor=ADMIN)
        register_lot(uow, gtin=GTIN.value, lot=LOT, expiry=dt.date(2031, 1, 31), actor=ADMIN)
        uow.commit()
    if engine.dialect.name == "postgresql":
        # the run before left dirty buffers and WAL; write them out now, not on our clock
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CHECKPOINT"))
    return database


def issue_all(database: Database) -> None:
    with database.unit_of_work() as uow:
        issue_serials(
            uow, gtin=GTIN.value, lot=LOT, count=UNITS, actor=ADMIN, maximum_per_request=UNITS
        )
        uow.commit()


def bare_insert(database: Database, serials: list[str]) -> Callable[[], None]:
    """The floor: the request row written (untimed), and the rows built; the returned work
    inserts them into units and commits."""
    with database.unit_of_work() as uow:
        product_id, lot_id = uow.products.id_of(GTIN), uow.lots.id_of(GTIN, LOT)
        assert product_id is not None
        assert lot_id is not None
        request_id = uow.issuance.add_request(
            product_id=product_id,
            lot_id=lot_id,
            count=len(serials),
            seq_from=1,
            commissioned=False,
            requested_by=ADMIN.name,
            created_at=dt.datetime.now(dt.UTC),
        )
        uow.commit()
    rows = [
        (product_id, serial, lot_id, seq, request_id, "issued")
        for seq, serial in enumerate(serials, start=1)
    ]
    engine = database.engine
    if engine.dialect.name == "postgresql":
        copy_text = "".join("\t".join(map(str, row)) + "\n" for row in rows)

        def copy() -> None:
            with engine.begin() as connection:
                cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                with cursor.copy(f"COPY units ({COLUMNS}) FROM STDIN") as stream:
                    stream.write(copy_text)

        return copy

    def executemany() -> None:
        with engine.begin() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.executemany(f"INSERT INTO units ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", rows)

    return executemany


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def unit_count(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return int(uow.connection.execute(select(func.count()).select_from(units)).scalar_one())


def measure(name: str, open_engine: Callable[[], Engine]) -> bool:
    serials = draw_serials(SerialFormat(), UNITS)
    issuing: list[float] = []
    bare: list[float] = []
    for _ in range(RUNS):
        engine = open_engine()
        database = fresh_registry(engine)
        issuing.append(timed(lambda: issue_all(database)))  # noqa: B023
        assert unit_count(database) == UNITS
        engine.dispose()

        engine = open_engine()
        database = fresh_registry(engine)
        bare.append(timed(bare_insert(database, serials)))
        assert unit_count(database) == UNITS
        engine.dispose()
    floor = "COPY" if name == "postgresql" else "executemany"
    met = report(name, "issue_serials, 1,000,000 units", issuing, TARGETS[name])
    report(name, f"bare {floor} of the same rows", bare, None)
    best, median = min(issuing) / min(bare), statistics.median(issuing) / statistics.median(bare)
    ratio_met = best <= RATIO_TARGET
    print(
        f"{name:10} {'issue / bare':32}: min {best:.2f}x, median {median:.2f}x "
        f"({'meets' if ratio_met else 'MISSES'} the {RATIO_TARGET:g}x target)",
        flush=True,
    )
    return met and ratio_met


def report(database: str, what: str, seconds: list[float], target: float | None) -> bool:
    best, median = min(seconds), statistics.median(seconds)
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    verdict = (
        ""
        if target is None
        else f"; {'meets' if best <= target else 'MISSES'} the {target:g} s target"
    )
    print(
        f"{database:10} {what:32}: min {best:.2f} s, median {median:.2f} s (runs {runs}{verdict})",
        flush=True,
    )
    return target is None or best <= target


def drawing() -> None:
    seconds = [timed(lambda: draw_serials(SerialFormat(), UNITS)) for _ in range(RUNS)]
    report("(no db)", "draw 1,000,000 serials (urandom)", seconds, None)


def main() -> None:
    drawing()
    with tempfile.TemporaryDirectory() as folder:
        met = measure("sqlite", sqlite_engines(Path(folder)))
    if scratch_postgresql(POSTGRES_URL):
        met = measure("postgresql", lambda: open_database(POSTGRES_URL)) and met
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
