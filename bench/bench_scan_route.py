"""``POST /api/scans`` under load against the ceiling of the web stack, in one run: unitrace's
scan route as ``unitrace serve --workers 2`` serves it, and a FastAPI application answering a
constant JSON to the same POST (``constant_app.py``) served the same way (the same uvicorn
options, workers and listening socket), the two taking turns for a few rounds.

    python bench/bench_scan_route.py [--database sqlite|postgresql] [--callers one|many]
                                     [--rounds N] [--seconds S] [--against REVISION]

Both get the same ``wrk`` load (2 threads, 16 connections, random codes of 20,000 units
shipped to a distributor, each scanned in its territory by the pack's own phone, and 2 %
codes nobody issued, from random phones; all from one caller with ``--callers one``); the
verdicts logged are printed at the end, so the reader sees which path was measured. Printed:
each round's rate, p50 and p99, then the median share of the reference's rate unitrace's
scan route reaches. ``--against`` serves an older revision too, in the same rounds, for a
before and after. PostgreSQL's database is ``UNITRACE_BENCH_DATABASE_URL`` (dropped and made
afresh; a revision compared against gets one beside it, named ``…_against``). Not run by
``make bench``: it needs ``wrk`` and takes minutes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from scan_load import (
    LUA,
    SERVICE_ENVIRONMENT,
    Load,
    checkout,
    commissioned_units,
    free_port,
    fresh_postgres,
    load_service,
    scan_rate,
    verdict_mix,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_bench_scan_route"

#: The reference served as ``unitrace serve --workers 2`` serves the service.
SERVE_REFERENCE = """
import sys
from unitrace.api.serving import serve_workers
serve_workers(
    host="127.0.0.1", port=int(sys.argv[1]), workers=2, access_log=False,
    app="constant_app:create",
)
"""


def reference_rate(codes: Path, script: Path, log: Path, args: argparse.Namespace) -> Load:
    port = free_port()
    environment = {
        **os.environ,
        **SERVICE_ENVIRONMENT,
        "PYTHONPATH": os.pathsep.join((str(BENCH), str(ROOT / "src"))),
    }
    command = [sys.executable, "-c", SERVE_REFERENCE, str(port)]
    return load_service(
        command,
        environment,
        port,
        codes=codes,
        script=script,
        log=log,
        seconds=args.seconds,
        many=args.many,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--callers", choices=("one", "many"), default="many")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--against", help="an older revision to serve too")
    args = parser.parse_args()
    args.many = args.callers == "many"
    folder = Path(tempfile.mkdtemp(prefix="unitrace-scan-route-"))
    trees = {"unitrace": ROOT}
    if args.against:
        trees[args.against] = checkout(ROOT, args.against, folder)
    script = folder / "scans.lua"
    script.write_text(LUA)
    served = {}
    base = os.environ.get("UNITRACE_BENCH_DATABASE_URL", POSTGRES)
    for number, (side, tree) in enumerate(trees.items()):
        if args.database == "sqlite":
            url = f"sqlite:///{folder / f'side{number}'}.db"
        else:
            url = base if number == 0 else f"{base}_against"
            fresh_postgres(url)
        codes = folder / f"side{number}-codes.txt"
        commissioned_units(tree, url, codes)
        served[side] = (url, codes)
    sides = ["reference", *trees]
    shares: dict[str, list[float]] = {side: [] for side in trees}
    measured: dict[str, list[Load]] = {side: [] for side in sides}
    for number in range(1, args.rounds + 1):
        rates = {}
        for side in sides if number % 2 else sides[::-1]:
            log = folder / f"{side}-{number}.log"
            if side == "reference":
                load = reference_rate(served["unitrace"][1], script, log, args)
            else:
                url, codes = served[side]
                load = scan_rate(
                    trees[side], url, codes, script, log, seconds=args.seconds, many=args.many
                )
            rates[side] = load.rate
            measured[side].append(load)
            print(f"round {number} {side}: {load}", flush=True)
        for side in trees:
            shares[side].append(rates[side] / rates["reference"])
    print(f"load average {' '.join(f'{figure:.2f}' for figure in os.getloadavg())}")
    for side, (url, _) in served.items():
        print(f"{side} scans logged: {verdict_mix(trees[side], url)}")
    for side in sides:
        loads = measured[side]
        print(
            f"{side}: median {statistics.median(load.rate for load in loads):,.0f} scans/s, "
            f"p99 {statistics.median(load.p99 for load in loads):.1f} ms"
        )
    for side, ratios in shares.items():
        print(
            f"{side} / reference ({args.database}, {args.callers} callers): median share "
            f"{statistics.median(ratios):.3f} of {', '.join(f'{r:.3f}' for r in ratios)}"
        )


if __name__ == "__main__":
    main()
