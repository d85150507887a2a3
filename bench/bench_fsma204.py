"""The FSMA 204 spreadsheet of one lot among many events: the service call the route makes
(every critical tracking event of the lot read, with its key data elements) and the CSV
written, timed on both databases.

The repository is :mod:`bench_trace`'s (its fill, untimed): ``BENCH_UNITS`` units in lots of
``BENCH_LOT_UNITS``, two events per unit, each unit commissioned by an event of its own (the
dearest case: every commissioning a critical tracking event of the lot, 100,000 of them at the
issue's size, summed into a row per day), the lot's pallets shipped to 5 parties, two levels of
transformation. Target: the spreadsheet of one lot <= 2 s, as ``GET /api/exports/fsma204``
makes it (the service call and the CSV; the XLSX timed the same way, service call included).

The default run is small (50,000 units, a lot of 5,000: 100,000 events);
``BENCH_UNITS=1000000 BENCH_LOT_UNITS=100000`` is the issue's size (2,000,000 events, a lot of
100,000 units). ``BENCH_ONLY``, ``BENCH_KEEP`` and ``BENCH_RUNS`` as in :mod:`bench_trace`;
PostgreSQL on ``UNITRACE_BENCH_POSTGRES_URL`` (default a scratch database of its own). Exits 1
when a figure misses.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_UNITS", "50000")
os.environ.setdefault("BENCH_LOT_UNITS", "5000")
os.environ.setdefault("BENCH_CHAINS", "20")
os.environ.setdefault(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_fsma204_bench",
)

from sqlalchemy import Engine

import bench_trace
from scratch import scratch_postgresql
from unitrace.api.fsma204_sheets import csv_text, xlsx_bytes
from unitrace.services.exports import fsma204
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

TARGET_S = 2.0


def measure(database: Database) -> bool:
    request = fsma204.read_request(gtin=bench_trace.gtin(0), lot="L1", first=None, last=None)
    sizes: list[int] = []

    def sheet() -> None:
        with database.unit_of_work(read_only=True) as uow:
            rows = fsma204.fsma204_rows(uow, request, actor=bench_trace.ADMIN)
        sizes.append(len(csv_text(rows)))
        sizes.append(len(rows))

    median, slowest = bench_trace._seconds(sheet)
    print(
        f"  fsma204 sheet     median {median:6.3f} s  max {slowest:6.3f} s  "
        f"{sizes[-1]:,} rows, {sizes[-2]:,} bytes of CSV (target <= {TARGET_S} s)"
    )
    workbook, _ = bench_trace._seconds(lambda: xlsx_bytes(rows_of(database, request)))
    print(f"  the same as XLSX  median {workbook:6.3f} s (no target)")
    return median <= TARGET_S


def rows_of(database: Database, request: fsma204.Fsma204Request) -> list[fsma204.Fsma204Row]:
    with database.unit_of_work(read_only=True) as uow:
        return fsma204.fsma204_rows(uow, request, actor=bench_trace.ADMIN)


def run(engine: Engine, label: str, reuse: bool) -> bool:
    print(f"{label}: {bench_trace.UNITS:,} units, a lot of {bench_trace.LOT_UNITS:,}")
    begun = time.perf_counter()
    if reuse:
        print("  (the kept database of an earlier run)")
    else:
        bench_trace.fill(engine, bench_trace.random.Random(13))
        print(f"  filled in {time.perf_counter() - begun:.0f} s")
    return measure(Database(engine))


def main() -> int:
    met: list[bool] = []
    only, keep = bench_trace.ONLY, bench_trace.KEEP
    if only in (None, "sqlite"):
        folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="unitrace-fsma204-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"trace-{bench_trace.UNITS}-{bench_trace.LOT_UNITS}.db"
        reuse = path.exists() and keep is not None
        met.append(run(open_database(f"sqlite:///{path}"), "sqlite", reuse))
    url = bench_trace.POSTGRES_URL
    if only in (None, "postgresql") and scratch_postgresql(url):
        engine = open_database(url)
        met.append(
            run(engine, "postgresql", keep is not None and bench_trace._filled_before(engine))
        )
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
