"""Opening the database: the bound on lock waits reaches every connection, beside whatever
options the URL itself gives."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy import exc as sql_errors

from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.store.database import is_busy, open_database, refused_value
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database


@pytest.mark.parametrize(("lock_wait", "shown"), [(10.0, "10s"), (0.25, "250ms")])
def test_postgresql_sessions_wait_for_locks_no_longer_than_the_bound_and_keep_url_options(
    database_engine: Engine, lock_wait: float, shown: str
) -> None:
    if database_engine.dialect.name != "postgresql":
        pytest.skip("UNITRACE_TEST_DATABASE_URL names no PostgreSQL database")
    url = database_engine.url.update_query_dict(
        {"options": "-c search_path=elsewhere,public -c application_name=checked"}
    )
    engine = open_database(url.render_as_string(hide_password=False), lock_wait=lock_wait)
    try:
        with engine.connect() as connection:
            settings = [
                connection.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("lock_timeout", "search_path", "application_name")
            ]
    finally:
        engine.dispose()
    assert settings == [shown, "elsewhere,public", "checked"]


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_database_opens(url: str) -> None:
    engine = open_database(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1


# (error, is it busy — try again —, what the sender is told was wrong with its value)
ERRORS = [
    (psycopg.errors.LockNotAvailable("lock timeout"), True, None),
    (psycopg.errors.DeadlockDetected("deadlock"), True, None),
    (psycopg.OperationalError("connection refused"), True, None),
    (psycopg.errors.AdminShutdown("terminating connection"), True, None),
    (psycopg.errors.TooManyConnections("too many clients"), True, None),
    (
        psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
        False,
        "text may not contain the NUL character (U+0000)",
    ),
    (
        psycopg.errors.NumericValueOutOfRange("integer out of range"),
        False,
        "a value is out of the range the database holds",
    ),
    (
        psycopg.errors.ProgramLimitExceeded("index row size 2720 exceeds maximum 2704"),
        False,
        "a value is too large for the database to keep (a text too long, say)",
    ),
    (psycopg.errors.UndefinedTable("relation x does not exist"), False, None),
    (psycopg.errors.DivisionByZero("division by zero"), False, None),
    (psycopg.errors.InvalidDatetimeFormat("invalid input syntax for type date"), False, None),
    (
        psycopg.errors.StringDataRightTruncation("value too long for type character varying(20)"),
        False,
        "a value is too large for the database to keep (a text too long, say)",
    ),
    (sqlite3.OperationalError("database is locked"), True, None),
    (sqlite3.OperationalError("no such table: x"), False, None),
]


@pytest.mark.parametrize(
    ("error", "busy", "value"),
    ERRORS,
    ids=[f"{type(e).__module__.split('.')[0]}-{type(e).__name__}" for e, _, _ in ERRORS],
)
def test_database_errors_are_told_apart(error: Exception, busy: bool, value: str | None) -> None:
    """Busy (503, try again), the sender's value (422), or a fault (500): as the driver raises
    it, and as SQLAlchemy wraps it."""
    wrapped = sql_errors.DBAPIError("SELECT 1", {}, error)
    assert [is_busy(error), refused_value(error)] == [busy, value]
    assert [is_busy(wrapped), refused_value(wrapped)] == [busy, value]


def test_a_postgresql_server_out_of_reach_is_a_503_not_a_fault() -> None:
    """Nothing listens on port 9: the service answers busy, try again, in seconds."""
    database = Database(
        open_database("postgresql+psycopg://postgres@127.0.0.1:9/test", lock_wait=1)
    )
    client = TestClient(create_app(database, Settings()), raise_server_exceptions=False)
    started = time.monotonic()
    answers = [
        client.get("/api/products", headers={"Authorization": "Bearer x"}),
        client.get("/epcis/events", headers={"Authorization": "Bearer x"}),
    ]
    assert [(a.status_code, a.json()["type"]) for a in answers] == [
        (503, "/problems/busy"),
        (503, "epcisException:ImplementationException"),
    ]
    assert all(int(a.headers["retry-after"]) >= 1 for a in answers)
    assert time.monotonic() - started < 10


def test_writers_queued_for_the_lock_leave_a_reader_its_connection(tmp_path: Path) -> None:
    """Each writer waiting for SQLite's lock holds a connection while it waits: with more of
    them than a default pool has, a reader (a verification) is still served at once."""
    database = Database(open_database(f"sqlite:///{tmp_path / 'u.db'}", lock_wait=3))
    metadata.create_all(database.engine)
    stop = threading.Event()

    def write() -> None:
        with database.unit_of_work(lock_wait=3) as uow:
            uow.audit.record("test", "queued", "writer", {})
            stop.wait(3)

    holder = threading.Thread(target=write)
    holder.start()
    time.sleep(0.2)
    queued = [threading.Thread(target=write) for _ in range(30)]
    for thread in queued:
        thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    try:
        with database.unit_of_work(read_only=True) as uow:
            uow.connection.execute(text("SELECT 1"))
        waited = time.monotonic() - started
    finally:
        stop.set()
        for thread in [holder, *queued]:
            thread.join()
        database.engine.dispose()
    assert waited < 1


def _keep_writing(url: str, taken: Any, stop: Any) -> None:
    """A process with writes always queued: it takes the writer lock again and again."""
    database = Database(open_database(url, lock_wait=5))
    while not stop.is_set():
        with database.unit_of_work() as uow:
            with taken.get_lock():
                taken.value += 1
            time.sleep(0.002)
            uow.commit()


@pytest.mark.alone
def test_two_processes_take_the_write_lock_in_turns(tmp_path: Path) -> None:
    """A process whose writes are always queued lets the lock go to another that waits for
    it, rather than taking it back at once each time: the other's scans once waited half
    a second and more behind it."""
    url = f"sqlite:///{tmp_path / 'u.db'}"
    metadata.create_all(Database(open_database(url)).engine)
    context = multiprocessing.get_context("fork")
    taken, stop = context.Value("i", 0), context.Event()
    writer = context.Process(target=_keep_writing, args=(url, taken, stop))
    writer.start()
    try:
        database = Database(open_database(url, lock_wait=5))
        while taken.value < 20:  # the other process is under way
            time.sleep(0.01)
        turns = []
        for _ in range(5):
            before = taken.value
            with database.unit_of_work() as uow:
                turns.append(taken.value - before)
                uow.commit()
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(10)
    # the other process finishes the write under way, and a few more at most on a machine
    # too busy to wake this one in time (hundreds, when it took the lock back at once)
    assert max(turns) <= 5, turns
