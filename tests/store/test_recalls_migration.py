"""Migrations 0021 (recalls) and 0022 (parties' recall endpoints), which downgrade undoes; on
SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture

TABLES = ["recall_responses", "recall_tasks", "recall_units", "recalls"]


def test_the_migrated_recall_tables_match_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "recall" in repr(d)] == []


def test_downgrade_drops_the_recalls_and_the_endpoints(blank_engine: Engine) -> None:
    migrate(blank_engine, "0022")
    names = inspect(blank_engine).get_table_names()
    assert [table for table in TABLES if table in names] == TABLES
    parties = {column["name"] for column in inspect(blank_engine).get_columns("parties")}
    assert {"recall_endpoint", "recall_signature_token"} <= parties
    migrate(blank_engine, "0020", down=True)
    inspector = inspect(blank_engine)
    assert [table for table in TABLES if table in inspector.get_table_names()] == []
    parties = {column["name"] for column in inspector.get_columns("parties")}
    assert "recall_endpoint" not in parties
