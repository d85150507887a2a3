"""A lot's serials in seq order read from an index alone, as a code file lists them.

The ``(lot_id, seq)`` key found a lot's units but not their serials: each row was then read
from the table, which on SQLite lies in serial order, so a million codes cost a million
random reads. PostgreSQL rebuilds the key's index with the serial beside it (``INCLUDE``);
SQLite, which has no ``INCLUDE`` and does not read a secondary index's copy of the primary
key, gets an index ``(lot_id, seq, serial)`` of its own. Built on a registry of a million
units: about 4 s on SQLite, 2 s on PostgreSQL.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 04:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

_KEY = "uq_units_lot_seq"
_BUILT = "uq_units_lot_seq_built"
_SQLITE_INDEX = "ix_units_lot_seq_serial"


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _rebuild_key("INCLUDE (serial)")
    else:
        op.create_index(_SQLITE_INDEX, "units", ["lot_id", "seq", "serial"])


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _rebuild_key("")
    else:
        op.drop_index(_SQLITE_INDEX, table_name="units")


def _rebuild_key(include: str) -> None:
    """Build the key's new index beside the old one, then swap the constraint onto it: the
    units are never without their unique (lot_id, seq)."""
    op.execute(f"CREATE UNIQUE INDEX {_BUILT} ON units (lot_id, seq) {include}")
    op.execute(f"ALTER TABLE units DROP CONSTRAINT {_KEY}")
    op.execute(f"ALTER TABLE units ADD CONSTRAINT {_KEY} UNIQUE USING INDEX {_BUILT}")
