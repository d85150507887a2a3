"""How fast the packaging line gets its code files, timed as the user runs the commands.

On a fresh database (a new SQLite file; PostgreSQL too where ``UNITRACE_BENCH_POSTGRES_URL``
names one, whose public schema the bench drops and migrates again), one product and lot:

1. ``unitrace serials request --count N --commission --out codes.csv``: issue, commission and
   write the code file. Targets for 1,000,000: <= 10 s, <= 300 MB resident.
2. ``unitrace serials codes 1 --out codes.csv`` and ``--out codes.json``: the code file of
   that request again. Targets: >= 200,000 rows/s, memory flat in the count.

Each command runs in a subprocess under ``/usr/bin/time -v`` (its maximum resident set
size); wall time is the parent's clock. Figures: seconds, rows/s, MB, best of ``--rounds``.

``--reference SRC`` also runs each command from another checkout's ``src`` (``python -m
unitrace`` with that ``PYTHONPATH``), alternated with this one round by round on databases of
their own, and prints the median ratio. ``--count`` (default 200,000, so that ``make bench``
ends in a minute or so) sets N; the figures quoted for the targets are for
``--count 1000000``::

    .venv/bin/python bench/bench_code_files.py --count 1000000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

GTIN = "09506000134352"
LOT = "L2611A"
SOURCE = str(Path(__file__).resolve().parents[1] / "src")


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    megabytes: float


def unitrace(source: str, database_url: str, *arguments: str) -> Run:
    """Run ``unitrace ARGUMENTS`` from ``source`` under ``/usr/bin/time -v``."""
    environment = {
        **os.environ,
        "UNITRACE_DATABASE_URL": database_url,
        "PYTHONPATH": source,
    }
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "unitrace", *arguments]
    started = time.perf_counter()
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} failed:\n{finished.stderr}")
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", finished.stderr)
    assert found is not None, finished.stderr
    return Run(seconds, int(found.group(1)) / 1024)


def fresh_database(source: str, url: str | None, folder: Path, name: str) -> str:
    """A new registry migrated by ``source`` (a reference's own schema, indexes and all),
    with the bench's product and lot."""
    if url is None:
        for stale in folder.glob(f"{name}.db*"):
            stale.unlink()
        url = f"sqlite:///{folder / name}.db"
    else:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    unitrace(source, url, "init")
    unitrace(source, url, "products", "register", "--gtin", GTIN, "--name", "Bench")
    unitrace(
        source, url, "lots", "register", "--gtin", GTIN, "--lot", LOT, "--expiry", "2031-01-31"
    )
    return url


def commands(count: int, folder: Path) -> dict[str, list[str]]:
    return {
        "request --commission --out .csv": [
            "serials", "request", "--gtin", GTIN, "--lot", LOT, "--count", str(count),
            "--commission", "--out", str(folder / "request.csv"),
        ],
        "codes --out .csv": ["serials", "codes", "1", "--out", str(folder / "codes.csv")],
        "codes --out .json": ["serials", "codes", "1", "--out", str(folder / "codes.json")],
    }  # fmt: skip


def one_round(source: str, url: str | None, folder: Path, count: int) -> dict[str, Run]:
    """The three commands in order on a fresh database: each ``codes`` reads the request."""
    database = fresh_database(source, url, folder, "bench")
    return {
        what: unitrace(source, database, *arguments)
        for what, arguments in commands(count, folder).items()
    }


def measure(name: str, url: str | None, count: int, rounds: int, reference: str | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        ours: list[dict[str, Run]] = []
        theirs: list[dict[str, Run]] = []
        for _ in range(rounds):
            ours.append(one_round(SOURCE, url, folder, count))
            if reference is not None:
                theirs.append(one_round(reference, url, folder, count))
    for what in ours[0]:
        seconds = [runs[what].seconds for runs in ours]
        best = min(seconds)
        memory = max(runs[what].megabytes for runs in ours)
        line = (
            f"{name:10} {what:32}: {best:6.2f} s (median {statistics.median(seconds):.2f}), "
            f"{count / best:9,.0f} rows/s, {memory:6.0f} MB"
        )
        if theirs:
            ratios = [a[what].seconds / b[what].seconds for a, b in zip(ours, theirs, strict=True)]
            before = min(runs[what].seconds for runs in theirs)
            before_memory = max(runs[what].megabytes for runs in theirs)
            line += (
                f"; reference {before:.2f} s, {before_memory:.0f} MB; "
                f"time ratio {statistics.median(ratios):.3f}"
            )
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000, help="codes per request")
    parser.add_argument("--rounds", type=int, default=1, help="rounds; the best is reported")
    parser.add_argument("--reference", help="another checkout's src to compare with")
    options = parser.parse_args()
    print(
        f"{options.count:,} codes, best of {options.rounds} round(s); load {os.getloadavg()[0]:.1f}"
    )
    measure("sqlite", None, options.count, options.rounds, options.reference)
    postgresql = os.environ.get("UNITRACE_BENCH_POSTGRES_URL")
    if postgresql:
        measure("postgresql", postgresql, options.count, options.rounds, options.reference)


if __name__ == "__main__":
    main()
