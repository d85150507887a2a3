"""How fast unitrace.symbols prints: GS1 DataMatrix SVGs for a line, and a PDF label sheet.

Run as ``.venv/bin/python bench/bench_symbols.py``. Each measurement is repeated; the minimum
is the figure to compare with the target (noise only ever adds time), the median shows how
much noise there was. Exits 1 when even the fastest run misses a target.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from unitrace.gs1 import Expiry, Gtin, UnitIdentity
from unitrace.symbols import SheetLayout, Symbology, render_svg, write_label_sheet

REPEATS = 3
SVG_COUNT = 10_000
SVG_TARGET_SECONDS = 5.0
LABEL_COUNT = 1_000
SHEET_TARGET_SECONDS = 5.0

# unitrace's default serial alphabet: 32 characters without 0/O and 1/I
SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def units(count: int, seed: int = 7) -> list[UnitIdentity]:
    """A lot's worth of units with 12-character random serials, as unitrace issues them."""
    chooser = random.Random(seed)
    gtin = Gtin("09506000134352")
    return [
        UnitIdentity(
            gtin,
            "".join(chooser.choices(SERIAL_ALPHABET, k=12)),
            lot="L2411A",
            expiry=Expiry("271130"),
        )
        for _ in range(count)
    ]


def timed(work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, count: int, what: str, times: list[float], target: float) -> bool:
    best, median = min(times), statistics.median(times)
    met = best <= target
    print(
        f"{name}: {count:,} {what} in {best:.3f} s min / {median:.3f} s median "
        f"({count / best:,.0f} {what}/s at best; runs "
        + ", ".join(f"{t:.3f}" for t in times)
        + f" s); target {target:.1f} s: {'met' if met else 'MISSED'}"
    )
    return met


def main() -> int:
    line = units(SVG_COUNT)

    def render_svgs() -> None:
        for unit in line:
            render_svg(unit, Symbology.DATAMATRIX)

    svg_met = report(
        "GS1 DataMatrix SVG", SVG_COUNT, "symbols", timed(render_svgs), SVG_TARGET_SECONDS
    )

    batch = units(LABEL_COUNT)
    layout = SheetLayout()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "labels.pdf"

        def write_sheet() -> None:
            write_label_sheet(batch, out, layout, symbology=Symbology.DATAMATRIX)

        sheet_met = report(
            "PDF label sheet (DataMatrix, A4, 60 x 30 mm)",
            LABEL_COUNT,
            "labels",
            timed(write_sheet),
            SHEET_TARGET_SECONDS,
        )
        print(
            f"  {layout.pages_for(LABEL_COUNT)} pages of {layout.labels_per_page} labels, "
            f"{out.stat().st_size / 1024:,.0f} KiB"
        )
    return 0 if svg_met and sheet_met else 1


if __name__ == "__main__":
    sys.exit(main())
