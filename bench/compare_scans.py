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
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_compare_{side}"

LUA = r"""
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
local headers = {["Content-Type"] = "application/json"}
local many = os.getenv("BENCH_MANY") == "1"
function request()
  local code = codes[math.random(#codes)]
  local phone = math.random(5000)
  if many then
    headers["X-Forwarded-For"] = string.format("10.0.%d.%d", math.floor(phone / 256), phone % 256)
  end
  local body = '{"code":"' .. code .. '","client":"bench-' .. phone .. '"}'
  return wrk.format("POST", "/api/scans", headers, body)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %.3f %.3f\n", summary.requests, summary.errors.status,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""

SETUP = r"""
import datetime as dt, sys
from sqlalchemy import text
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.unit_of_work import Database
url, out = sys.argv[1], sys.argv[2]
database = Database(open_database(url))
if database.dialect == "postgresql":
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
upgrade(database.engine)
admin = Actor("bench", Role.ADMIN)
with database.unit_of_work() as uow:
    catalog.register_product(
        uow, gtin="09506000134352", name="Bench", company_prefix_length=7, actor=admin
    )
    catalog.register_lot(
        uow, gtin="09506000134352", lot="B1", expiry=dt.date(2035, 1, 1), actor=admin
    )
    request = issue_serials(
        uow, gtin="09506000134352", lot="B1", count=20000, commission=True, actor=admin
    )
    uow.commit()
with database.unit_of_work(read_only=True) as uow:
    codes = [code.identity.digital_link() for code in request_codes(uow, request.id)]
open(out, "w").write("\n".join(codes) + "\n")
"""


def checkout(revision: str, folder: Path) -> Path:
    """The tree of ``revision`` (its ``src`` and ``migrations``), exported into ``folder``."""
    archive = folder / "old.tar"
    subprocess.run(
        ["git", "-C", str(ROOT), "archive", "-o", str(archive), revision, "src", "migrations"],
        check=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "old", filter="data")
    return folder / "old"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def scan_rate(tree: Path, url: str, codes: Path, script: Path, log: Path, args: Any) -> tuple:
    """Scans per second, p50 and p99 (ms) and non-2xx answers of ``tree`` serving ``url``."""
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(tree / "src"),
        "UNITRACE_DATABASE_URL": url,
        "UNITRACE_SCAN_RATE_LIMIT": "100000000/10000000",
        "UNITRACE_TRUSTED_PROXIES": "127.0.0.1",
    }
    command = [sys.executable, "-m", "unitrace", "serve", "--port", str(port), "--workers", "2"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--no-access-log"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while log.read_text(errors="replace").count("Application startup complete") < 2:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the service did not start: see {log}")
            time.sleep(0.2)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5)
        wrk = ["wrk", "-t2", "-c16", "--timeout", "10s", "-s", str(script)]
        load = {**os.environ, "BENCH_CODES": str(codes), "BENCH_MANY": "1" if args.many else "0"}
        target = f"http://127.0.0.1:{port}"
        subprocess.run([*wrk, "-d2s", target], env=load, capture_output=True, check=True)
        printed = subprocess.run(
            [*wrk, f"-d{args.seconds}s", target], env=load, capture_output=True, text=True
        ).stdout
        found = re.search(r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)", printed)
        if found is None:
            raise SystemExit(f"wrk printed no result:\n{printed}")
        requests, failed, micros = (int(found.group(n)) for n in (1, 2, 3))
        return requests / (micros / 1e6), float(found.group(4)), float(found.group(5)), failed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


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
    trees = {"old": checkout(args.revision, folder), "new": ROOT}
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
            name = url.rsplit("/", 1)[1]
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-qc",
                    f"DROP DATABASE IF EXISTS {name}",
                    "-c",
                    f"CREATE DATABASE {name}",
                ],
                check=True,
                capture_output=True,
            )
        codes = folder / f"{side}-codes.txt"
        environment = {**os.environ, "PYTHONPATH": str(tree / "src")}
        subprocess.run([sys.executable, "-c", SETUP, url, str(codes)], env=environment, check=True)
        served[side] = (url, codes)
    ratios = []
    for number in range(1, args.rounds + 1):
        rates = {}
        for side in ("old", "new") if number % 2 else ("new", "old"):
            url, codes = served[side]
            log = folder / f"{side}-{number}.log"
            rate, p50, p99, failed = scan_rate(trees[side], url, codes, script, log, args)
            rates[side] = rate
            print(
                f"round {number} {side}: {rate:,.0f} scans/s, p50 {p50:.1f} ms, "
                f"p99 {p99:.1f} ms, non-2xx {failed}",
                flush=True,
            )
        ratios.append(rates["new"] / rates["old"])
    print(
        f"scans, this checkout / {args.revision} ({args.database}, {args.callers} callers): "
        f"median ratio {statistics.median(ratios):.3f} of {', '.join(f'{r:.3f}' for r in ratios)}"
    )


if __name__ == "__main__":
    main()
