"""Scratch PostgreSQL databases for the benchmarks: each measures on a database of its own on
the local server, created where it is missing, so that no benchmark touches the test database."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError


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
