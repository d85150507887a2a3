"""Opening the database: SQLite (embedded default, WAL) or PostgreSQL through psycopg 3.

``UNITRACE_DATABASE_URL`` names it; the default is ``sqlite:///unitrace.db`` in the working
directory (the folder ``make run`` starts from).
"""

from __future__ import annotations

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
        return engine
    return create_engine(url, pool_pre_ping=True)


def _tune_sqlite(connection: Any, _record: Any) -> None:
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
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # A writing transaction takes the write lock at its start, so that two writers queue up
    # instead of one failing half-way with "database is locked"; readers (verification) start
    # a plain deferred transaction and, in WAL mode, never wait.
    if connection.info.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


#: ``Connection.info`` key marking a connection whose transactions only read.
READ_ONLY = "unitrace.read_only"
