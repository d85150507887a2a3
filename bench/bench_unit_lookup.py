"""``GET /api/units/{gtin}/{serial}`` with 1,000,000 units registered: latency in-process
(FastAPI's test client, no network), target p99 <= 10 ms.

The million units are issued and commissioned through the services (untimed set-up), then
2,000 look-ups of random units are timed one by one, in three rounds to show the noise.
SQLite in a temporary folder; PostgreSQL on a scratch database of the local server
(``UNITRACE_BENCH_POSTGRES_URL`` to choose another), where it answers.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import text

from scratch import scratch_postgresql
from timing import time_each
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.services.tokens import create_token
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.unit_of_work import Database

UNITS = 1_000_000
LOOKUPS = 2_000
ROUNDS = 3
GTIN = "09506000134352"
ADMIN = Actor("bench", Role.ADMIN)
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_lookup_bench",
)


def registry(url: str) -> tuple[Database, list[str], str]:
    database = Database(open_database(url))
    if database.dialect == "postgresql":
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(database.engine)
    with database.unit_of_work() as uow:
        catalog.register_product(uow, gtin=GTIN, name="Bench", company_prefix_length=7, actor=ADMIN)
        catalog.register_lot(uow, gtin=GTIN, lot="B1", expiry=_far_expiry(), actor=ADMIN)
        request = issue_serials(uow, gtin=GTIN, lot="B1", count=UNITS, commission=True, actor=ADMIN)
        token = create_token(uow, role="admin", actor=ADMIN)
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        serials = [code.serial for code in request_codes(uow, request.id)]
    return database, serials, token


def _far_expiry() -> dt.date:
    return dt.date.today().replace(year=dt.date.today().year + 3)


def measure(name: str, url: str) -> None:
    started = time.perf_counter()
    database, serials, token = registry(url)
    print(
        f"{name}: {UNITS:,} units issued and commissioned in {time.perf_counter() - started:.1f} s (set-up)"
    )
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(7)
    with TestClient(create_app(database, Settings())) as client:
        for round_number in range(1, ROUNDS + 1):
            lookup_round(name, round_number, client, headers, rng.sample(serials, LOOKUPS))
    database.engine.dispose()


def lookup_round(
    name: str, round_number: int, client: TestClient, headers: dict[str, str], chosen: list[str]
) -> None:
    def found(answer: Response) -> None:
        assert answer.status_code == 200, answer.text

    timed = time_each(
        chosen, lambda serial: client.get(f"/api/units/{GTIN}/{serial}", headers=headers), found
    )
    print(
        f"{name} round {round_number}: {LOOKUPS:,} look-ups, p50 {timed.p50:.2f} ms, "
        f"p99 {timed.p99:.2f} ms, max {timed.max:.2f} ms ({timed.verdict(10)} the 10 ms p99 target)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}")
    if scratch_postgresql(POSTGRES_URL):
        measure("PostgreSQL", POSTGRES_URL)


if __name__ == "__main__":
    main()
