"""The callers' limits every worker shares: one bucket per caller whichever worker asks, the
bucket computed in the statement that counts the request, and every wait bounded."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import make_url

from unitrace.api.rate_limits import CallerLimits
from unitrace.store.caller_limits import (
    FileBusy,
    FileLimits,
    InProcessLimits,
    LimitsUnavailable,
    PostgresLimits,
    RateLimit,
    limits_file,
)
from unitrace.store.unit_of_work import Database

LIMIT = RateLimit(per_minute=60, burst=3)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def admissions(limits: list[FileLimits], caller: str, count: int) -> list[int | None]:
    return [limits[n % len(limits)].admit(caller) for n in range(count)]


def test_two_workers_on_one_file_share_each_callers_bucket(tmp_path: Path) -> None:
    clock = Clock()
    path = limits_file(str(tmp_path / "unitrace.db"))
    workers = [FileLimits(path, LIMIT, clock=clock), FileLimits(path, LIMIT, clock=clock)]
    assert admissions(workers, "ip:a", 5) == [None, None, None, 1, 1]
    assert admissions(workers, "ip:b", 1) == [None]
    clock.now += 1.0  # a token back, for one request
    assert admissions(workers, "ip:a", 2) == [None, 1]
    workers[1].hold("ip:b", 600)
    assert workers[0].admit("ip:b") == 600
    clock.now += 601
    assert workers[0].admit("ip:b") is None


def test_a_file_held_by_another_worker_is_waited_for_within_the_bound(tmp_path: Path) -> None:
    path = limits_file(str(tmp_path / "unitrace.db"))
    limits = FileLimits(path, LIMIT)
    assert limits.admit("ip:a") is None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(FileBusy):
            limits.admit("ip:a", wait=0)
        with pytest.raises(FileBusy):
            limits.admit("ip:a", wait=0.05)
        assert time.monotonic() - started < 0.5
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert limits.admit("ip:a") is None


def test_a_worker_falls_back_on_its_own_limits_when_the_shared_store_fails(
    tmp_path: Path,
) -> None:
    path = limits_file(str(tmp_path / "unitrace.db"))
    limits = CallerLimits(RateLimit(60, 2), FileLimits(path, RateLimit(60, 2)))
    other = sqlite3.connect(path, isolation_level=None)
    assert asyncio.run(limits.retry_after("ip:a")) is None
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        answers = [asyncio.run(limits.retry_after("ip:b")) for _ in range(3)]
        # refused by the worker's own bucket: never unlimited, never hung
        assert answers == [None, None, 1]
        assert time.monotonic() - started < 1.5
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_an_in_memory_database_keeps_its_limits_in_the_process() -> None:
    from unitrace.store.database import open_database

    limits = CallerLimits.for_database(Database(open_database("sqlite://")), LIMIT)
    assert limits.shared is None
    assert [asyncio.run(limits.retry_after("ip:a")) for _ in range(4)] == [None] * 3 + [1]


def test_the_in_process_limits_forget_the_least_recent_callers() -> None:
    limits = InProcessLimits(RateLimit(60, 1), callers=2, clock=lambda: 0.0)
    assert [limits.admit(c) for c in ("a", "b", "c", "a")] == [None, None, None, None]
    assert limits.admit("c") == 1


@pytest.fixture
def postgres(database: Database) -> Database:
    if database.dialect != "postgresql":
        pytest.skip("PostgreSQL's caller_limits table")
    return database


def test_workers_on_postgresql_share_each_callers_bucket(postgres: Database) -> None:
    clock = Clock()
    url = postgres.engine.url

    async def run() -> list[int | None]:
        workers = [PostgresLimits(url, LIMIT, clock=clock), PostgresLimits(url, LIMIT, clock=clock)]
        answers = [await workers[n % 2].admit("ip:a") for n in range(5)]
        await workers[0].hold("ip:b", 600)
        answers.append(await workers[1].admit("ip:b"))
        clock.now += 1.0
        answers.append(await workers[1].admit("ip:a"))
        for worker in workers:
            await worker.close()
        return answers

    assert asyncio.run(run()) == [None, None, None, 1, 1, 600, None]


def test_a_postgresql_that_does_not_answer_is_not_waited_for() -> None:
    # a port nothing listens on, behind an address that drops nothing: refused at once
    url = make_url("postgresql+psycopg://nobody@127.0.0.1:9/none")

    async def run() -> float:
        limits = PostgresLimits(url, LIMIT)
        started = time.monotonic()
        with pytest.raises(LimitsUnavailable):
            await limits.admit("ip:a")
        return time.monotonic() - started

    assert asyncio.run(run()) < 1.0


def test_a_sweep_that_finds_the_file_busy_counts_the_admission_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first admission of a worker also sweeps the file; another worker holding it then
    puts the sweep off, and the admission already made is not made again."""
    limits = FileLimits(limits_file(str(tmp_path / "unitrace.db")), RateLimit(60, 2))
    real = limits._connected()
    swept: list[str] = []

    class SweptWhileBusy:
        def execute(self, sql: str, parameters: object = ()) -> sqlite3.Cursor:
            if "DELETE" in sql.upper():
                swept.append(sql)
                raise sqlite3.OperationalError("database is locked")
            return real.execute(sql, parameters)  # type: ignore[arg-type]

    monkeypatch.setattr(limits, "_connected", SweptWhileBusy)
    assert [limits.admit("a") for _ in range(3)] == [None, None, 1]
    assert len(swept) == 1
