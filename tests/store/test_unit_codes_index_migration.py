"""Migration 0030: a lot's serials in seq order read from an index alone (SQLite: an index of
its own; PostgreSQL: the ``(lot_id, seq)`` key's index with the serial included), the key
still unique, the units issued before read as before; and its downgrade."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.schema import metadata, units

__all__ = ["blank_engine"]  # fixture

CODES = "SELECT seq, serial FROM units WHERE lot_id = 1 AND seq BETWEEN 1 AND 3 ORDER BY seq"
ISSUED = [(3, "C"), (1, "B"), (2, "A")]


def unit(seq: int, serial: str) -> dict[str, object]:
    return {
        "product_id": 1, "serial": serial, "lot_id": 1, "seq": seq, "request_id": 1,
        "state": "issued",
    }  # fmt: skip


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
    if blank_engine.dialect.name == "postgresql":
        # autogenerate does not read ddl_if: SQLite's own index is not PostgreSQL's to build
        ours = [d for d in ours if d[0] != "add_index" or d[1].name != "ix_units_lot_seq_serial"]
    assert ours == []
    with pytest.raises(IntegrityError), blank_engine.begin() as connection:
        connection.execute(units.insert(), unit(1, "D"))
    migrate(blank_engine, "0029", down=True)
    assert not read_from_index_alone(blank_engine)
    with pytest.raises(IntegrityError), blank_engine.begin() as connection:
        connection.execute(units.insert(), unit(1, "D"))
