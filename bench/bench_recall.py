"""A recall at scale: opening it (scope traced, every affected unit blocked by one event, the
lot marked, a task per party) and reading its progress page's answer.

The repository is bench_trace's (``BENCH_UNITS`` units in lots of ``BENCH_LOT_UNITS``, two
events per unit, the recalled lot packed in cases and pallets shipped to 5 parties, two levels
of genealogy), written straight into the tables, untimed. Timed:

- opening the recall of the lot (``services.recall.open_recall`` and its commit): target
  <= 5 s at the issue's size;
- its progress (``services.recall.recall_progress``, what ``GET /api/recalls/{id}`` and the
  console's page read), median and slowest of ``BENCH_RUNS``: target <= 200 ms.

The default run is small (50,000 units, a lot of 5,000); ``BENCH_UNITS=1000000
BENCH_LOT_UNITS=100000`` is the issue's size (a lot of 100,000 units at 5 parties among
1,000,000). SQLite in a temporary folder; PostgreSQL on a scratch database of the local server
(``UNITRACE_BENCH_POSTGRES_URL``) where it answers; ``BENCH_ONLY`` (``sqlite`` or
``postgresql``) measures one. Exits 1 when a figure misses.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_UNITS", "50000")
os.environ.setdefault("BENCH_LOT_UNITS", "5000")
os.environ.setdefault(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_recall_bench",
)

from sqlalchemy import Engine

import bench_trace
from scratch import scratch_postgresql
from unitrace.registry.model import Actor, Role
from unitrace.services import recall
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

ADMIN = Actor("bench", Role.ADMIN)
CREATE_TARGET_S, PROGRESS_TARGET_MS = 5.0, 200.0
ONLY = os.environ.get("BENCH_ONLY")
POSTGRES_URL = os.environ["UNITRACE_BENCH_POSTGRES_URL"]


def measure(database: Database, lot: str) -> list[bool]:
    gtin, lot_name = lot[4:18], lot[22:]
    begun = time.perf_counter()
    with database.unit_of_work() as uow:
        recall_id = recall.open_recall(
            uow,
            scope={"lots": [{"gtin": gtin, "lot": lot_name}]},
            reason="bench",
            instructions="return every pack",
            actor=ADMIN,
        )
        uow.commit()
    create_s = time.perf_counter() - begun

    def progress() -> recall.RecallProgress:
        with database.unit_of_work(read_only=True) as uow:
            return recall.recall_progress(uow, recall_id, ADMIN)

    found = progress()
    parties = {line.party: line.units for line in found.affected.by_custodian}
    print(f"  recall of {lot}: {found.affected.units:,} units affected, parties {parties}")
    states = dict(found.affected.by_state)
    print(f"  their states now: {states}")
    # every unit of the lot was active: each one blocked
    assert states == {"recalled": found.affected.units}, states
    print(f"  open the recall   {create_s:6.3f} s  (target <= {CREATE_TARGET_S} s)")
    median, slowest = bench_trace._seconds(progress)
    print(
        f"  progress          median {median * 1000:6.1f} ms  slowest {slowest * 1000:6.1f} ms  "
        f"(target <= {PROGRESS_TARGET_MS} ms)"
    )
    return [create_s <= CREATE_TARGET_S, median * 1000 <= PROGRESS_TARGET_MS]


def run(engine: Engine, label: str) -> list[bool]:
    print(f"{label}: {bench_trace.UNITS:,} units, recalled lot of {bench_trace.LOT_UNITS:,}")
    begun = time.perf_counter()
    lot, _ = bench_trace.fill(engine, random.Random(13))
    print(f"  filled in {time.perf_counter() - begun:.0f} s")
    return measure(Database(engine), lot)


def main() -> int:
    met: list[bool] = []
    if ONLY in (None, "sqlite"):
        folder = Path(tempfile.mkdtemp(prefix="unitrace-recall-"))
        met += run(open_database(f"sqlite:///{folder / 'recall.db'}"), "sqlite")
    if ONLY in (None, "postgresql") and scratch_postgresql(POSTGRES_URL):
        met += run(open_database(POSTGRES_URL), "postgresql")
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
