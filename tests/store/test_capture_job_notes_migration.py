"""Migration 0026: a capture job's notes, a column that jobs finished before the migration
read as none, and that downgrade drops; on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.capture_jobs import CaptureJobRepository
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture


def test_the_migrated_jobs_table_matches_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "capture_jobs" in repr(d)] == []


def test_a_job_finished_before_has_no_notes_and_downgrade_drops_them(
    blank_engine: Engine,
) -> None:
    migrate(blank_engine, "0024")
    with blank_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO capture_jobs (id, status, error_behaviour, events, captured, "
                "errors, created_at) VALUES (7, 'success', 'rollback', 2, 2, '[]', "
                "CURRENT_TIMESTAMP)"
            )
        )
    migrate(blank_engine, "0026")
    with blank_engine.connect() as connection:
        job = CaptureJobRepository(connection).get(7)
    assert job is not None
    assert (job.captured, job.errors, job.notes) == (2, [], [])
    migrate(blank_engine, "0024", down=True)
    columns = {column["name"] for column in inspect(blank_engine).get_columns("capture_jobs")}
    assert ("notes" in columns, "errors" in columns) == (False, True)
