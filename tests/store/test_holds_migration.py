"""Migration 0018: the holds table, which downgrade drops; on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture


def test_the_migrated_holds_table_matches_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "holds" in repr(d)] == []


def test_downgrade_drops_the_holds(blank_engine: Engine) -> None:
    migrate(blank_engine, "0018")
    assert "holds" in inspect(blank_engine).get_table_names()
    assert sorted(index["name"] for index in inspect(blank_engine).get_indexes("holds")) == [
        "ix_holds_open_lot",
        "ix_holds_open_unit",
    ]
    migrate(blank_engine, "0017", down=True)
    assert "holds" not in inspect(blank_engine).get_table_names()
