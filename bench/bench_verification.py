"""``POST /api/scans`` under load over loopback, with 1,000,000 units registered: target
>= 2,000 verifications/s sustained on 2 cores with p99 <= 50 ms, every scan logged.

Set-up (untimed): a million units issued, commissioned and allocated to a distributor through
the services; the Digital Links of a random 200,000 of them, and 5 % of codes of the same
GTIN that were never issued, go to a file. ``unitrace serve`` then runs as a subprocess on a
free loopback port (rate limit set out of the way) and ``wrk`` drives it from a second process
for 30 s with a Lua script that POSTs a random code from that file per request, as one of
5,000 phones (a client id, and an address given in X-Forwarded-For by loopback, a trusted
proxy). Afterwards the ``scans`` table is counted: every 2xx answer must have its
row (the count may exceed the answers by the requests in flight when wrk stopped).

SQLite in a temporary folder; PostgreSQL on a scratch database of the local server
(``UNITRACE_BENCH_POSTGRES_URL`` to choose another), where it answers. ``BENCH_WORKERS``
(default 2; ``default`` for ``unitrace serve``'s own), ``BENCH_ACCESS_LOG=1`` (uvicorn's
line per request on; off by default, the scan log is the record), ``BENCH_DURATION`` (s), ``BENCH_CONNECTIONS``,
``BENCH_ROUNDS``, ``BENCH_ONLY`` (``sqlite`` or ``postgresql``) tune the run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import text

from scratch import scratch_postgresql
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog
from unitrace.services.lifecycle import allocate
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.unit_of_work import Database

UNITS = 1_000_000
SAMPLE = 200_000
UNKNOWN_SHARE = 0.05
GTIN = "09506000134352"
ADMIN = Actor("bench", Role.ADMIN)
DURATION = int(os.environ.get("BENCH_DURATION", "30"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
ACCESS_LOG = os.environ.get("BENCH_ACCESS_LOG") == "1"
ONLY = os.environ.get("BENCH_ONLY")
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_verification_bench",
)

LUA = r"""
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
local headers = {["Content-Type"] = "application/json"}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  local code = codes[math.random(#codes)]
  local phone = math.random(5000)
  local body = '{"code":"' .. code .. '","client":"bench-' .. phone .. '"}'
  -- each phone its own address, as the service is told by a trusted proxy: the limits and
  -- the guessing detector go by the address
  headers["X-Forwarded-For"] = string.format("10.0.%d.%d", math.floor(phone / 256), phone % 256)
  return wrk.format("POST", "/api/scans", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d %d %.3f %.3f %.3f\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def registry(url: str, folder: Path) -> Path:
    """The million units, and the file of codes to scan."""
    database = Database(open_database(url))
    if database.dialect == "postgresql":
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(database.engine)
    expiry = dt.date.today().replace(year=dt.date.today().year + 3)
    with database.unit_of_work() as uow:
        catalog.register_product(uow, gtin=GTIN, name="Bench", company_prefix_length=7, actor=ADMIN)
        catalog.register_lot(uow, gtin=GTIN, lot="B1", expiry=expiry, actor=ADMIN)
        catalog.register_party(
            uow, id="dist-a", name="Distributor A", role="distributor", actor=ADMIN
        )
        request = issue_serials(uow, gtin=GTIN, lot="B1", count=UNITS, commission=True, actor=ADMIN)
        allocate(uow, party="dist-a", gtin=GTIN, lot="B1", seq_from=1, seq_to=UNITS, actor=ADMIN)
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        identities = [code.identity for code in request_codes(uow, request.id)]
    database.engine.dispose()
    rng = random.Random(7)
    chosen = [identity.digital_link() for identity in rng.sample(identities, SAMPLE)]
    for index in range(int(SAMPLE * UNKNOWN_SHARE)):
        # same GTIN and lot, a serial we never issue (ours have no lower-case letters)
        chosen[index] = chosen[index].split("?", 1)[0].rsplit("/21/", 1)[0] + f"/21/zz{index}"
    rng.shuffle(chosen)
    codes = folder / "codes.txt"
    codes.write_text("\n".join(chosen) + "\n")
    return codes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "UNITRACE_DATABASE_URL": url,
        "UNITRACE_SCAN_RATE_LIMIT": "100000000/10000000",
        "UNITRACE_TRUSTED_PROXIES": "127.0.0.1",
    }
    command = [str(Path(sys.executable).with_name("unitrace")), "serve", "--port", str(port)]
    if WORKERS != "default":
        command += ["--workers", WORKERS]
    if not ACCESS_LOG:
        command.append("--no-access-log")
    server = subprocess.Popen(
        command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"unitrace serve stopped:\n{log.read_text()}") from None
            time.sleep(0.2)
    raise SystemExit(f"unitrace serve did not answer:\n{log.read_text()}")


def scans_logged(url: str) -> int:
    engine = open_database(url)
    with engine.connect() as connection:
        count = int(connection.execute(text("SELECT count(*) FROM scans")).scalar_one())
    engine.dispose()
    return count


def load(name: str, url: str, port: int, codes: Path, script: Path, round_number: int) -> None:
    before = scans_logged(url)
    # one scan of a known unit first: the answer must be the verdict, not an error
    with urllib.request.urlopen(
        urllib.request.Request(
            f"http://127.0.0.1:{port}/api/scans",
            data=json.dumps({"code": codes.read_text().split("\n", 2)[1]}).encode(),
            headers={"Content-Type": "application/json"},
        )
    ) as answer:
        assert answer.status == 200
    before += 1
    threads = min(2, CONNECTIONS)
    run = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        env={**os.environ, "BENCH_CODES": str(codes)},
        capture_output=True,
        text=True,
        check=True,
    )
    time.sleep(1)  # let the requests in flight when wrk stopped finish
    logged = scans_logged(url) - before
    found = re.search(r"^RESULT (.*)$", run.stdout, re.MULTILINE)
    assert found, run.stdout + run.stderr
    fields = found.group(1).split()
    requests, non_2xx, connect, read, write, timeout = (int(v) for v in fields[:6])
    seconds = int(fields[6]) / 1e6
    p50, p99, worst = (float(v) for v in fields[7:])
    answered = requests - non_2xx
    errors = non_2xx + connect + read + write + timeout
    rate = requests / seconds
    verdict = "meets" if rate >= 2000 and p99 <= 50 else "MISSES"
    missing = max(0, answered - logged)
    print(
        f"{name} round {round_number}: {rate:,.0f} verifications/s, p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {worst:.1f} ms, errors {errors} (non-2xx {non_2xx}, socket "
        f"{connect + read + write + timeout}); 2xx answered {answered:,}, scans logged "
        f"{logged:,} ({'none dropped' if missing == 0 else f'{missing:,} DROPPED'}, "
        f"{logged - answered:+d} in flight at the stop) ({verdict} the target)",
        flush=True,
    )


def measure(name: str, url: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if url.startswith("sqlite"):
            url = f"sqlite:///{folder / 'bench.db'}"
        started = time.perf_counter()
        codes = registry(url, folder)
        print(
            f"{name}: {UNITS:,} units issued, commissioned and allocated in "
            f"{time.perf_counter() - started:.1f} s (set-up); {CONNECTIONS} connections, "
            f"{DURATION} s per round, workers {WORKERS}, access log {'on' if ACCESS_LOG else 'off'}",
            flush=True,
        )
        script = folder / "scans.lua"
        script.write_text(LUA)
        port = free_port()
        server = serve(url, port, folder / "serve.log")
        try:
            for round_number in range(1, ROUNDS + 1):
                load(name, url, port, codes, script, round_number)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def main() -> None:
    if shutil.which("wrk") is None:
        print("verification under load: not measured, wrk is missing (apt-get install -y wrk)")
        return
    if ONLY in (None, "sqlite"):
        measure("SQLite", "sqlite:///")
    if ONLY in (None, "postgresql") and scratch_postgresql(POSTGRES_URL):
        measure("PostgreSQL", POSTGRES_URL)


if __name__ == "__main__":
    main()
