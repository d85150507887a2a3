"""Migration 0023: the cold chain's tables, as the schema has them, which downgrade drops; on
SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture

COLD_CHAIN_TABLES = {
    "storage_conditions",
    "sensor_devices",
    "sensor_readings",
    "sensor_attachments",
    "cold_chain_excursions",
}


def test_the_migrated_cold_chain_tables_match_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if any(name in repr(d) for name in COLD_CHAIN_TABLES)] == []


def test_downgrade_drops_the_cold_chain_tables(blank_engine: Engine) -> None:
    migrate(blank_engine, "0023")
    assert set(inspect(blank_engine).get_table_names()) >= COLD_CHAIN_TABLES
    migrate(blank_engine, "0022", down=True)
    assert not COLD_CHAIN_TABLES & set(inspect(blank_engine).get_table_names())
