"""The pieces the ``POST /api/scans`` load benchmarks share: a database of 20,000 commissioned
units shipped to a distributor whose territory is Malaysia, the ``wrk`` script that scans
random codes of them, and a service started in worker processes, loaded for a while and
stopped (``compare_scans.py``, ``bench_scan_route.py``).

The load is ordinary consumers' scans: each pack scanned in Selangor (MY-14) by its one
phone, so the bulk are genuine (no grey market, no clone), and 2 % codes nobody issued, each
tried from a random phone of 60,000, which exercise the counterfeit path without any phone
reaching the guessing limit (10 counterfeit answers in 10 minutes). The per-caller scan rate
limit is raised far above the load; the callers are told apart by X-Forwarded-For from a
trusted loopback proxy.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

LUA = r"""
-- each line: a code and its phone, 0 for a code nobody issued (a forger's, tried from any phone)
local codes, phones = {}, {}
for line in io.lines(os.getenv("BENCH_CODES")) do
  local code, phone = line:match("^(%S+) (%d+)$")
  codes[#codes + 1] = code
  phones[#phones + 1] = tonumber(phone)
end
local headers = {["Content-Type"] = "application/json"}
local many = os.getenv("BENCH_MANY") == "1"
function request()
  local pick = math.random(#codes)
  local code, phone = codes[pick], phones[pick]
  if phone == 0 then phone = 100000 + math.random(60000) end
  if many then
    headers["X-Forwarded-For"] = string.format(
      "10.%d.%d.%d", math.floor(phone / 65536), math.floor(phone / 256) % 256, phone % 256)
  end
  local body = '{"code":"' .. code .. '","country":"MY","region":"MY-14","client":"bench-'
    .. phone .. '"}'
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
from unitrace.services.lifecycle.shipping import allocate
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
    catalog.register_party(
        uow, id="dist-my", name="Bench Distributor", role="distributor", territory=["MY"],
        actor=admin,
    )
    allocate(
        uow, party="dist-my", gtin="09506000134352", lot="B1", seq_from=1, seq_to=20000,
        actor=admin,
    )
    uow.commit()
with database.unit_of_work(read_only=True) as uow:
    codes = [code.identity.digital_link() for code in request_codes(uow, request.id)]
# one phone a pack, and 2 % codes nobody issued
lines = [f"{code} {phone}" for phone, code in enumerate(codes, 1)]
lines += [f"https://id.gs1.org/01/09506000134352/21/FAKE{n:06d} 0" for n in range(400)]
open(out, "w").write("\n".join(lines) + "\n")
"""

#: The service's environment under load: limits far above the load, loopback a trusted proxy
#: (the script's callers name themselves in X-Forwarded-For).
SERVICE_ENVIRONMENT = {
    "UNITRACE_SCAN_RATE_LIMIT": "100000000/10000000",
    "UNITRACE_TRUSTED_PROXIES": "127.0.0.1",
}


@dataclass(frozen=True, slots=True)
class Load:
    """What ``wrk`` measured: answers per second, p50 and p99 in ms, non-2xx answers."""

    rate: float
    p50: float
    p99: float
    failed: int

    def __str__(self) -> str:
        return (
            f"{self.rate:,.0f} scans/s, p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms, "
            f"non-2xx {self.failed}"
        )


def fresh_postgres(url: str) -> None:
    """Drop and create the PostgreSQL database ``url`` names."""
    name = url.rsplit("/", 1)[1]
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"],
        check=True,
        capture_output=True,
    )


def commissioned_units(tree: Path, url: str, codes: Path) -> None:
    """The database ``url`` migrated by ``tree``'s code, with 20,000 commissioned units whose
    Digital Links are written to ``codes``, one a line."""
    environment = {**os.environ, "PYTHONPATH": str(tree / "src")}
    subprocess.run([sys.executable, "-c", SETUP, url, str(codes)], env=environment, check=True)


MIX = r"""
import sys
from sqlalchemy import text
from unitrace.store.database import open_database
engine = open_database(sys.argv[1])
with engine.connect() as connection:
    verdicts = connection.execute(
        text("SELECT verdict, count(*) FROM scans GROUP BY verdict ORDER BY 2 DESC")
    ).all()
    alerts = connection.execute(
        text("SELECT type, count(*) FROM alerts GROUP BY type ORDER BY 2 DESC")
    ).all()
total = sum(count for _, count in verdicts) or 1
print(", ".join(f"{verdict} {count:,} ({count / total:.1%})" for verdict, count in verdicts),
      "| alerts:", ", ".join(f"{kind} {count:,}" for kind, count in alerts) or "none")
"""


def verdict_mix(tree: Path, url: str) -> str:
    """The verdicts of the scans logged in ``url``, and the alerts raised, in one line."""
    environment = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [sys.executable, "-c", MIX, url],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def load_service(
    command: list[str],
    environment: dict[str, str],
    port: int,
    *,
    codes: Path,
    script: Path,
    log: Path,
    seconds: int,
    many: bool,
    workers: int = 2,
) -> Load:
    """Start ``command`` (a service of ``workers`` processes on ``port``), warm it up with 2 s
    of load, measure ``seconds`` of ``wrk`` (2 threads, 16 connections) running ``script``
    over ``codes``, and stop it."""
    with log.open("wb") as output:
        server = subprocess.Popen(
            command,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while log.read_text(errors="replace").count("Application startup complete") < workers:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the service did not start: see {log}")
            time.sleep(0.2)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5)
        wrk = ["wrk", "-t2", "-c16", "--timeout", "10s", "-s", str(script)]
        load = {**os.environ, "BENCH_CODES": str(codes), "BENCH_MANY": "1" if many else "0"}
        target = f"http://127.0.0.1:{port}"
        subprocess.run([*wrk, "-d2s", target], env=load, capture_output=True, check=True)
        printed = subprocess.run(
            [*wrk, f"-d{seconds}s", target], env=load, capture_output=True, text=True
        ).stdout
        found = re.search(r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)", printed)
        if found is None:
            raise SystemExit(f"wrk printed no result:\n{printed}")
        requests, failed, micros = (int(found.group(n)) for n in (1, 2, 3))
        return Load(requests / (micros / 1e6), float(found.group(4)), float(found.group(5)), failed)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def checkout(root: Path, revision: str, folder: Path) -> Path:
    """The tree of ``revision`` of the repository at ``root`` (its ``src`` and ``migrations``),
    exported into ``folder``."""
    archive = folder / "old.tar"
    subprocess.run(
        ["git", "-C", str(root), "archive", "-o", str(archive), revision, "src", "migrations"],
        check=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "old", filter="data")
    return folder / "old"


def scan_rate(
    tree: Path, url: str, codes: Path, script: Path, log: Path, *, seconds: int, many: bool
) -> Load:
    """What ``unitrace serve --workers 2`` of ``tree`` serving ``url`` answers under load."""
    port = free_port()
    environment = {
        **os.environ,
        **SERVICE_ENVIRONMENT,
        "PYTHONPATH": str(tree / "src"),
        "UNITRACE_DATABASE_URL": url,
    }
    command = [sys.executable, "-m", "unitrace", "serve", "--port", str(port), "--workers", "2"]
    return load_service(
        [*command, "--no-access-log"],
        environment,
        port,
        codes=codes,
        script=script,
        log=log,
        seconds=seconds,
        many=many,
    )
