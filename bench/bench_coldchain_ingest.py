"""How fast a data logger's readings go in: 1,000,000 readings of one device (one every 10 s,
a 116-day trip), as a user uploads them.

1. ``unitrace coldchain upload trip.csv --device LOG-1`` run as a process, end to end (the
   interpreter starting, the file read and checked whole, the readings stored and committed),
   with its peak memory (``/usr/bin/time -v``'s maximum resident set size).
   Target: >= 100,000 readings/s on SQLite and on PostgreSQL.
2. The same through the service, in process: ``read_csv`` of the file, then ``ingest``
   (``executemany`` on SQLite, one ``COPY`` on PostgreSQL), each timed.
3. The same file uploaded a second time: every reading is held already and skipped (on
   PostgreSQL through the staging table and ``INSERT … ON CONFLICT DO NOTHING``).

Each measurement runs on a fresh database: a new SQLite file, or PostgreSQL's public schema
dropped and migrated again. PostgreSQL is measured where ``UNITRACE_BENCH_POSTGRES_URL``
(default: the local test server, database ``unitrace_coldchain_bench``, created if missing; the
bench empties it) answers. Each figure is the minimum and the median of three runs. Run as
``.venv/bin/python bench/bench_coldchain_ingest.py``; exits 1 when even the fastest run misses
the target.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from scratch import scratch_postgresql, sqlite_engines
from unitrace.registry.model import Actor, Role
from unitrace.services.cold_chain.readings import Landed, Readings, ingest, read_csv
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.schema import sensor_readings
from unitrace.store.unit_of_work import Database

RUNS = 3
READINGS = 1_000_000
TARGET = 100_000  # readings per second
DEVICE = "LOG-1"
ADMIN = Actor("bench", Role.ADMIN)
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_coldchain_bench",
)


def write_trip(path: Path) -> None:
    """A logger's trip: a reading every 10 s from 1 March 2026, 2-8 °C with some noise, in the
    logger's own time zone."""
    start = dt.datetime(2026, 3, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    step = dt.timedelta(seconds=10)
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("time,value,uom\n")
        for chunk in range(0, READINGS, 100_000):
            file.write(
                "".join(
                    f"{(start + step * n).isoformat()},{5 + (n * 7919 % 600 - 300) / 100:.2f},CEL\n"
                    for n in range(chunk, min(chunk + 100_000, READINGS))
                )
            )


def fresh(engine: Engine) -> Database:
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CHECKPOINT"))
    return Database(engine)


def stored(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return int(
            uow.connection.execute(select(func.count()).select_from(sensor_readings)).scalar_one()
        )


def cli_upload(url: str, trip: Path) -> tuple[float, int]:
    """Seconds and peak memory (KiB) of ``unitrace coldchain upload``, as a user runs it."""
    environment = {**os.environ, "UNITRACE_DATABASE_URL": url}
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "unitrace", "coldchain", "upload",
               str(trip), "--device", DEVICE]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"upload failed: {done.stderr}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert peak is not None, done.stderr
    return seconds, int(peak.group(1))


def service_upload(database: Database, trip: Path) -> tuple[float, float, Landed]:
    """Seconds reading the file, seconds storing it, and what was stored."""
    started = time.perf_counter()
    with trip.open(encoding="utf-8", newline="") as lines:
        parsed: Readings = read_csv(lines, device=DEVICE)
    read = time.perf_counter() - started
    started = time.perf_counter()
    with database.unit_of_work() as uow:
        landed = ingest(uow, parsed, actor=ADMIN)
        uow.commit()
    return read, time.perf_counter() - started, landed


def measure(name: str, open_engine: Callable[[], Engine], trip: Path) -> bool:
    cli: list[float] = []
    peaks: list[int] = []
    reading: list[float] = []
    storing: list[float] = []
    again: list[float] = []
    for _ in range(RUNS):
        engine = open_engine()
        database = fresh(engine)
        seconds, peak = cli_upload(engine.url.render_as_string(hide_password=False), trip)
        cli.append(seconds)
        peaks.append(peak)
        assert stored(database) == READINGS
        engine.dispose()

        engine = open_engine()
        database = fresh(engine)
        read, store, landed = service_upload(database, trip)
        assert (landed.stored, stored(database)) == (READINGS, READINGS)
        reading.append(read)
        storing.append(store)
        read, store, landed = service_upload(database, trip)
        assert (landed.stored, landed.skipped) == (0, READINGS)
        again.append(store)
        engine.dispose()
    met = report(name, "CLI upload, end to end", cli, TARGET)
    print(f"{name:10} {'CLI upload, peak memory':34}: {max(peaks) / 1024:.0f} MiB", flush=True)
    report(name, "service: read_csv", reading, None)
    report(name, "service: ingest (new readings)", storing, None)
    total = [r + s for r, s in zip(reading, storing, strict=True)]
    met = report(name, "service: read_csv + ingest", total, TARGET) and met
    report(name, "service: ingest again (all skipped)", again, None)
    return met


def report(database: str, what: str, seconds: list[float], target: int | None) -> bool:
    best, median = min(seconds), statistics.median(seconds)
    rate = READINGS / best
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    verdict = "" if target is None else f"; {'meets' if rate >= target else 'MISSES'} {target:,}/s"
    print(
        f"{database:10} {what:34}: min {best:.2f} s ({rate:,.0f} readings/s), median "
        f"{median:.2f} s (runs {runs}{verdict})",
        flush=True,
    )
    return target is None or rate >= target


def main() -> None:
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        trip = Path(folder) / "trip.csv"
        write_trip(trip)
        print(f"trip.csv: {READINGS:,} readings, {trip.stat().st_size / 1e6:.1f} MB", flush=True)
        met = measure("sqlite", sqlite_engines(Path(folder)), trip)
        if scratch_postgresql(POSTGRES_URL):
            met = measure("postgresql", lambda: open_database(POSTGRES_URL), trip) and met
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
