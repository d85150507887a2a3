"""``POST /api/scans`` throughput of this checkout against another revision, alternated in one
run, as the ratio of the two (the machine is shared: absolute rates move twice over between
runs, a ratio measured side by side much less).

    python bench/compare_scans.py [REVISION] [--database sqlite|postgresql] [--callers one|many]
                                  [--rounds N] [--seconds S]

Each side gets a database of its own with 20,000 commissioned units, and ``unitrace serve
--workers 2``; ``wrk`` (16 connections) then scans random codes of them for ``S`` seconds, the
sides taking turns for ``N`` rounds (old first in odd rounds, new first in even ones). With
``--callers many`` (the default) the scans come from 5,000 phones, each with an address of its
own given in X-Forwarded-For by loopback as a trusted proxy; with ``one`` every scan is from
127.0.0.1, the worst case for a store of limits per caller. Not run by ``make bench``: it
needs ``wrk`` and takes a few minutes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from scan_load import LUA, checkout, commissioned_units, fresh_postgres, scan_rate

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_compare_{side}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", nargs="?", default="27d5891")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--callers", choices=("one", "many"), default="many")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    args.many = args.callers == "many"
    folder = Path(tempfile.mkdtemp(prefix="unitrace-compare-"))
    trees = {"old": checkout(ROOT, args.revision, folder), "new": ROOT}
    script = folder / "scans.lua"
    script.write_text(LUA)
    served = {}
    for side, tree in trees.items():
        url = (
            f"sqlite:///{folder / side}.db"
            if args.database == "sqlite"
            else POSTGRES.format(side=side)
        )
        if args.database == "postgresql":
            fresh_postgres(url)
        codes = folder / f"{side}-codes.txt"
        commissioned_units(tree, url, codes)
        served[side] = (url, codes)
    ratios = []
    for number in range(1, args.rounds + 1):
        rates = {}
        for side in ("old", "new") if number % 2 else ("new", "old"):
            url, codes = served[side]
            log = folder / f"{side}-{number}.log"
            measured = scan_rate(
                trees[side], url, codes, script, log, seconds=args.seconds, many=args.many
            )
            rates[side] = measured.rate
            print(f"round {number} {side}: {measured}", flush=True)
        ratios.append(rates["new"] / rates["old"])
    print(
        f"scans, this checkout / {args.revision} ({args.database}, {args.callers} callers): "
        f"median ratio {statistics.median(ratios):.3f} of {', '.join(f'{r:.3f}' for r in ratios)}"
    )


if __name__ == "__main__":
    main()
