"""Opening the database: SQLite (embedded default, WAL) or PostgreSQL through psycopg 3.

``UNITRACE_DATABASE_URL`` names it; the default is ``sqlite:///unitrace.db`` in the working
directory (the folder ``make run`` starts from).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///unitrace.db"


def database_url(environment: Mapping[str, str] | None = None) -> str:
    env = os.environ if environment is None else environment
    return env.get("UNITRACE_DATABASE_URL") or DEFAULT_DATABASE_URL


def open_database(url: str) -> Engine:
    """An engine for ``url``, with SQLite tuned for a serialization workload: WAL so that
    readers (verification) never wait for the writer, foreign keys enforced, and a large page
    cache for bulk inserts of millions of units."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        # released when the connection goes back to the pool, after its commit or rollback
        # (the "commit" event comes before the commit itself: released there, the next
        # writer would find SQLite's lock still taken and sleep in its busy handler)
        event.listen(engine, "checkin", _release_writer)
        event.listen(engine, "close", _close_writer_lock)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _tune_sqlite(connection: Any, record: Any) -> None:
    # let SQLAlchemy, not the driver, decide where transactions begin
    connection.isolation_level = None
    cursor = connection.cursor()
    for pragma in (
        "journal_mode = WAL",
        "synchronous = NORMAL",
        "foreign_keys = ON",
        "cache_size = -262144",  # 256 MiB
        "temp_store = MEMORY",
        "busy_timeout = 30000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"]
    cursor.close()
    if files and files[0]:
        record.info[WRITER_LOCK] = os.open(files[0] + "-writer", os.O_RDWR | os.O_CREAT, 0o644)


def _begin_immediate(connection: Any) -> None:
    # A writing transaction takes the write lock at its start, so that two writers queue up
    # instead of one failing half-way with "database is locked"; readers (verification) start
    # a plain deferred transaction and, in WAL mode, never wait.
    #
    # Writers of a database file first queue on an advisory lock of their own (one open file
    # per connection, so that threads of one process queue too): the kernel wakes the next
    # writer the moment the lock is free, where SQLite's busy handler would poll with sleeps
    # of up to 100 ms, which is what a verification's p99 sees under load.
    if connection.info.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    lock = connection.connection.info.get(WRITER_LOCK)
    if lock is not None:
        fcntl.flock(lock, fcntl.LOCK_EX)
        connection.info[WRITER_HELD] = True
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _unlock(connection.info)
        raise


def _release_writer(_connection: Any, record: Any) -> None:
    _unlock(record.info)


def _unlock(info: dict[str, Any]) -> None:
    # a connection's info is its pool record's: the same dict at checkout and at checkin
    if info.pop(WRITER_HELD, False):
        fcntl.flock(info[WRITER_LOCK], fcntl.LOCK_UN)


def _close_writer_lock(_connection: Any, record: Any) -> None:
    lock = record.info.pop(WRITER_LOCK, None)
    if lock is not None:
        os.close(lock)


#: ``Connection.info`` key marking a connection whose transactions only read.
READ_ONLY = "unitrace.read_only"
#: The writer lock's file descriptor, in a pooled connection's ``info``.
WRITER_LOCK = "unitrace.writer_lock"
#: ``Connection.info`` key: this connection holds the writer lock.
WRITER_HELD = "unitrace.writer_held"
