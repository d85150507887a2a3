"""Migration 0030: a lot's serials in seq order read from an index alone (SQLite: an index of
its own; PostgreSQL: the ``(lot_id, seq)`` key's index with the serial included), the key
still unique, the units issued before read as before; and its downgrade. Also how a command knows the database is at
the newest schema without Alembic: the highest-numbered script's revision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.database import open_database
from unitrace.store.migrations import alembic_config, is_current, newest_revision
from unitrace.store.schema import metadata, units

__all__ = ["blank_engine"]  # fixture

CODES = "SELECT seq, serial FROM units WHERE lot_id = 1 AND seq BETWEEN 1 AND 3 ORDER BY seq"
SQLITE_INDEX = "ix_units_lot_seq_serial"
ISSUED = [(3, "C"), (1, "B"), (2, "A")]


def unit(seq: int, serial: str) -> dict[str, object]:
    return {
        "product_id": 1, "serial": serial, "lot_id": 1, "seq": seq, "request_id": 1,
        "state": "issued",
    }  # fmt: skip


def built_here(differences: list[Any], engine: Engine) -> list[Any]:
    """Schema differences less SQLite's own index of a lot's codes on PostgreSQL, which
    autogenerate lists as missing there (it does not read ``ddl_if``)."""
    if engine.dialect.name != "postgresql":
        return differences
    return [d for d in differences if d[0] != "add_index" or d[1].name != SQLITE_INDEX]


def read_from_index_alone(engine: Engine) -> bool:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            definition = connection.execute(
                text(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_units_lot_seq' "
                    "AND schemaname = current_schema()"
                )
            ).scalar_one()
            return "INCLUDE (serial)" in definition
        plan = connection.execute(text(f"EXPLAIN QUERY PLAN {CODES}")).all()
        return any("COVERING INDEX" in row[-1] for row in plan)


def test_codes_come_from_an_index_and_the_key_stays_unique(blank_engine: Engine) -> None:
    migrate(blank_engine, "0029")
    with blank_engine.begin() as connection:
        connection.execute(units.insert(), [unit(seq, serial) for seq, serial in ISSUED])
    assert not read_from_index_alone(blank_engine)
    migrate(blank_engine, "0030")
    assert read_from_index_alone(blank_engine)
    with blank_engine.connect() as connection:
        assert [tuple(row) for row in connection.execute(text(CODES))] == sorted(ISSUED)
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    ours = [d for d in differences if "units" in repr(d) and "recall" not in repr(d)]
    assert built_here(ours, blank_engine) == []
    with pytest.raises(IntegrityError), blank_engine.begin() as connection:
        connection.execute(units.insert(), unit(1, "D"))
    migrate(blank_engine, "0029", down=True)
    assert not read_from_index_alone(blank_engine)
    with pytest.raises(IntegrityError), blank_engine.begin() as connection:
        connection.execute(units.insert(), unit(1, "D"))


def test_the_newest_revision_is_alembics_head_and_each_script_is_named_after_its_own() -> None:
    scripts = ScriptDirectory.from_config(alembic_config(open_database("sqlite://")))
    assert newest_revision() == scripts.get_current_head()
    for script in scripts.walk_revisions():
        assert Path(script.path).name.startswith(f"{script.revision}_")


def test_a_database_a_migration_behind_or_blank_is_not_current(blank_engine: Engine) -> None:
    assert not is_current(blank_engine)
    migrate(blank_engine, "0029")
    assert not is_current(blank_engine)
    migrate(blank_engine, "head")
    assert is_current(blank_engine)
