"""Migration 0025: the brand_links table, which downgrade drops; on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture


def test_the_migrated_brand_links_table_matches_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "brand_links" in repr(d)] == []


def test_downgrade_drops_the_brand_links(blank_engine: Engine) -> None:
    migrate(blank_engine, "0025")
    assert "brand_links" in inspect(blank_engine).get_table_names()
    indexes = inspect(blank_engine).get_indexes("brand_links")
    # PostgreSQL lists the unique constraint's own index too
    assert [
        (index["name"], index["unique"]) for index in indexes if index["name"].startswith("ix_")
    ] == [("ix_brand_links_default", True)]
    migrate(blank_engine, "0024", down=True)
    assert "brand_links" not in inspect(blank_engine).get_table_names()
