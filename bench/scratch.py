"""Scratch databases for the benchmarks: a fresh SQLite file per run, and on PostgreSQL a
database of each benchmark's own on the local server, created where it is missing, so that no
benchmark touches the test database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade


def scratch_postgresql(url: str) -> bool:
    """Whether the server of ``url`` answers; its database is created if missing. Where the
    server does not answer, one line says so."""
    parsed = make_url(url)
    try:
        with (
            create_engine(parsed.set(database="postgres"))
            .connect()
            .execution_options(isolation_level="AUTOCOMMIT") as connection
        ):
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    except OperationalError as error:
        print(
            f"postgresql : not measured, {parsed.render_as_string()} does not answer ({error.orig})"
        )
        return False
    return True


def sqlite_engines(folder: Path) -> Callable[[], Engine]:
    """A new database file for each run; the one before is deleted."""

    def fresh() -> Engine:
        for stale in folder.glob("bench.db*"):
            stale.unlink()
        return open_database(f"sqlite:///{folder / 'bench.db'}")

    return fresh


def migrated(engine: Engine) -> Engine:
    """``engine``'s database emptied (on PostgreSQL, its public schema made anew) and migrated."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine
