"""Scan counts for the console, kept as scans are logged: five count tables, filled from the
scans already logged; and the scan log's index by time, for the latest scans on the map.

The scans logged before this revision are counted with the custodian their unit has now (the
custodian at scan time was not logged).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unitrace.store.scan_counts import recount

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# each table's key, in its primary key's order (unitrace.store.scan_counts tells why)
_TABLES = {
    "scan_counts": ("grain", "day", "custodian", "verdict"),
    "scan_counts_by_lot": ("product_id", "grain", "day", "lot", "custodian", "verdict"),
    "scan_counts_by_area": ("grain", "day", "country", "region", "verdict"),
    "scan_counts_by_custodian_area": (
        "custodian",
        "grain",
        "day",
        "country",
        "region",
        "verdict",
    ),
    "scan_counts_by_lot_area": (
        "product_id",
        "grain",
        "day",
        "lot",
        "custodian",
        "country",
        "region",
        "verdict",
    ),
}


def _key_text(length: int) -> sa.types.TypeEngine[str]:
    # compared byte by byte on PostgreSQL, as on SQLite (unitrace.store.schema tells why)
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


_KINDS = {
    "grain": _key_text(5),
    "day": sa.Date(),
    "custodian": _key_text(64),
    "verdict": _key_text(16),
    "product_id": sa.Integer(),
    "lot": _key_text(20),
    "country": _key_text(2),
    "region": _key_text(6),
}


def upgrade() -> None:
    op.create_index("ix_scans_at", "scans", ["at"])
    for name, keys in _TABLES.items():
        op.create_table(
            name,
            *(sa.Column(key, _KINDS[key], nullable=False, autoincrement=False) for key in keys),
            sa.Column("scans", sa.BigInteger(), nullable=False),
            sa.Column("first_scans", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint(*keys, name=op.f(f"pk_{name}")),
            sqlite_with_rowid=False,
        )
    recount(op.get_bind())


def downgrade() -> None:
    for name in reversed(_TABLES):
        op.drop_table(name)
    op.drop_index("ix_scans_at", table_name="scans")
