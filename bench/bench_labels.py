"""How fast the packaging line's print files are written: ``unitrace labels pdf`` and
``unitrace labels svg`` for one serial request, as a user runs them.

A fresh SQLite registry gets one request of ``--count`` codes (100,000 by default). Each round
runs, one after the other so that they see the same machine load:

1. the reference: reportlab's canvas laying out 1,000 labels of the same layout (3 x 8 labels
   of 60 x 30 mm on A4) in the way its own benchmarks draw: per label a path of one
   ``rect`` a run of dark modules of a 22 x 22 DataMatrix (131 runs, given in advance, so no
   encoding is timed) and four ``drawString`` lines, then ``save``. Its figure is its own
   clock around the drawing and the save, without interpreter start-up;
2. ``unitrace labels pdf ID --out labels.pdf``;
3. ``unitrace labels svg ID --out symbols.zip``.

The commands are timed whole (start-up, database, encoding, writing) under ``/usr/bin/time -v``,
which also gives their CPU time and largest resident memory. Printed per run: labels/s,
seconds, labels per CPU second (the figure that moves least with the machine's load), MB; then
the median over rounds of each rate and of its ratio to the reference. The machine is shared,
so rates move; the ratio to the reference in the same round is the figure to quote. Targets:
3,000 labels/s for the PDF, and memory that does not grow with ``--count`` (compare a run of
10,000 with one of 1,000,000).

Run as ``.venv/bin/python bench/bench_labels.py [--count N] [--rounds R]``; the last line says
whether the median PDF rate met its target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_product
from unitrace.services.serialization import issue_serials
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.unit_of_work import Database

PDF_TARGET = 3_000  # labels a second
GTIN = "09506000134352"
LOT = "L2611A"
ADMIN = Actor("bench", Role.ADMIN)
UNITRACE = Path(sys.executable).with_name("unitrace")
REFERENCE_LABELS = 1_000

# The reference, run in its own interpreter: reportlab's canvas, labels laid out as unitrace
# lays them out, the symbol's runs computed before the clock starts.
REFERENCE = """
import sys, time
from reportlab.pdfgen.canvas import Canvas
from unitrace.gs1 import Expiry, Gtin, UnitIdentity
from unitrace.symbols import encode_symbol
from unitrace.symbols.runs import dark_runs
labels, out = int(sys.argv[1]), sys.argv[2]
unit = UnitIdentity(Gtin("09506000134352"), "ABCDEFGHJKLM", lot="L2611A", expiry=Expiry("310131"))
runs = dark_runs(encode_symbol(unit)).tolist()
mm = 72 / 25.4
began, cpu = time.perf_counter(), time.process_time()
canvas = Canvas(out, pagesize=(210 * mm, 297 * mm), pageCompression=1)
for number in range(labels):
    slot = number % 24
    if slot == 0 and number:
        canvas.showPage()
    row, column = divmod(slot, 3)
    left, top = (12 + column * 62.5) * mm, (297 - 12 - row * 32.5) * mm
    module = 26 * mm / 24
    path = canvas.beginPath()
    for x, y, w in runs:
        path.rect(left + (x + 1) * module, top - (y + 2) * module, w * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.setFont("Helvetica", 7)
    for line, text in enumerate(("GTIN 09506000134352", "LOT L2611A", "EXP 2031-01-31",
                                 f"SN {number:012d}")):
        canvas.drawString(left + 32 * mm, top - (8 + 9 * line), text)
canvas.save()
print(time.perf_counter() - began, time.process_time() - cpu)
"""


@dataclass(frozen=True, slots=True)
class Run:
    labels: int
    seconds: float
    #: user and system time: what the run took of the machine, whatever else ran beside it
    cpu_seconds: float
    megabytes: float

    @property
    def rate(self) -> float:
        return self.labels / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.labels / self.cpu_seconds

    def line(self, name: str) -> str:
        return (
            f"  {name:<12} {self.rate:>9,.0f} labels/s  {self.seconds:8.2f} s  "
            f"({self.cpu_rate:,.0f} labels per CPU second)  {self.megabytes:7.1f} MB max RSS"
        )


def registry(folder: Path, count: int) -> tuple[str, int]:
    """A migrated SQLite registry with one request of ``count`` codes: its URL and the
    request's id."""
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = open_database(url)
    upgrade(engine)
    database = Database(engine)
    with database.unit_of_work() as uow:
        register_product(uow, gtin=GTIN, name="Bench", actor=ADMIN)
        register_lot(uow, gtin=GTIN, lot=LOT, expiry=dt.date(2031, 1, 31), actor=ADMIN)
        request = issue_serials(
            uow, gtin=GTIN, lot=LOT, count=count, actor=ADMIN, maximum_per_request=count
        )
        uow.commit()
    engine.dispose()
    return url, request.id


def timed(command: list[str], environment: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, max RSS in MB and stdout of ``command`` run under
    ``/usr/bin/time -v``."""
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    wall = re.search(r"Elapsed \(wall clock\) time .*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", done.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", done.stderr)
    if wall is None or rss is None or user is None or system is None:
        raise RuntimeError(f"/usr/bin/time -v gave no figures: {done.stderr}")
    hours, minutes, seconds = wall.groups()
    elapsed = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return elapsed, float(user[1]) + float(system[1]), int(rss[1]) / 1024, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="codes in the request")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-svg", action="store_true", help="time the PDF alone")
    options = parser.parse_args()
    runs: dict[str, list[Run]] = {"reference": [], "labels pdf": [], "labels svg": []}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url, request = registry(folder, options.count)
        environment = {**os.environ, "UNITRACE_DATABASE_URL": url}
        print(
            f"{options.count:,} codes; load average {os.getloadavg()[0]:.2f} on "
            f"{os.cpu_count()} cores"
        )
        for round_ in range(1, options.rounds + 1):
            print(f"round {round_}")
            _, _, rss, printed = timed(
                [sys.executable, "-c", REFERENCE, str(REFERENCE_LABELS), str(folder / "ref.pdf")],
                environment,
            )
            wall, cpu = (float(figure) for figure in printed.split())
            runs["reference"].append(Run(REFERENCE_LABELS, wall, cpu, rss))
            commands = {"labels pdf": "labels.pdf", "labels svg": "symbols.zip"}
            if options.skip_svg:
                del commands["labels svg"]
            for what, file in commands.items():
                out = folder / file
                seconds, cpu, rss, printed = timed(
                    [str(UNITRACE), *what.split(), str(request), "--out", str(out)], environment
                )
                runs[what].append(Run(options.count, seconds, cpu, rss))
                print(f"    {printed.strip()}; {out.stat().st_size / 1e6:,.1f} MB file")
                out.unlink()
            for what, measured in runs.items():
                if measured:
                    print(measured[-1].line(what))
    print(f"medians over {options.rounds} rounds (load average {os.getloadavg()[0]:.2f}):")
    reference = runs["reference"]
    for what, measured in runs.items():
        if not measured:
            continue
        rate = statistics.median(run.rate for run in measured)
        pairs = list(zip(measured, reference, strict=True))
        ratio = statistics.median(run.rate / base.rate for run, base in pairs)
        cpu_rate = statistics.median(run.cpu_rate for run in measured)
        cpu_ratio = statistics.median(run.cpu_rate / base.cpu_rate for run, base in pairs)
        rss = max(run.megabytes for run in measured)
        print(
            f"  {what:<12} {rate:>9,.0f} labels/s, {ratio:5.2f}x the reference; "
            f"{cpu_rate:,.0f} labels per CPU second, {cpu_ratio:5.2f}x; {rss:.0f} MB"
        )
    pdf = statistics.median(run.rate for run in runs["labels pdf"])
    met = pdf >= PDF_TARGET
    print(f"PDF target {PDF_TARGET:,} labels/s: {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
