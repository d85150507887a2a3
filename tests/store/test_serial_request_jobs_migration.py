"""Migration 0016: the console's serial request jobs, a table of their own that downgrade
drops, leaving the serial requests they made; on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture


def test_the_migrated_jobs_table_matches_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "serial_request_jobs" in repr(d)] == []


def test_downgrade_drops_the_jobs_and_keeps_the_requests(blank_engine: Engine) -> None:
    migrate(blank_engine, "0016")
    assert "serial_request_jobs" in inspect(blank_engine).get_table_names()
    migrate(blank_engine, "0015", down=True)
    tables = inspect(blank_engine).get_table_names()
    assert ("serial_request_jobs" in tables, "serial_requests" in tables) == (False, True)
