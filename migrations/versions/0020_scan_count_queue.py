"""Scan counts off the scans' own transactions: a scan's transaction queues it in
``scan_count_queue`` (a row with its day and dimensions), and the service's counting thread adds
the queued scans to the count tables thousands at a time. The downgrade counts what is still
queued (writer 0's rows; and the month rows of the closed months) before dropping the queue.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# each count table's key (but the writer), in its primary key's order, at this revision
_TABLES = {
    "scan_counts": ("grain", "day", "custodian", "verdict"),
    "scan_counts_by_lot": ("product_id", "grain", "day", "lot", "custodian", "verdict"),
    "scan_counts_by_area": ("grain", "day", "country", "region", "verdict"),
    "scan_counts_by_custodian_area": ("custodian", "grain", "day", "country", "region", "verdict"),
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
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "scan_count_queue",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("verdict", _key_text(16), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot", _key_text(20), nullable=False),
        sa.Column("custodian", _key_text(64), nullable=False),
        sa.Column("country", _key_text(2), nullable=False),
        sa.Column("region", _key_text(6), nullable=False),
        sa.Column("first_scan", sa.SmallInteger(), nullable=False),
    )


def downgrade() -> None:
    month_of = {
        "sqlite": "substr(day, 1, 8) || '01'",
        "postgresql": "date_trunc('month', day)::date",
    }[op.get_bind().dialect.name]
    for table, key in _TABLES.items():
        dimensions = [name for name in key if name not in ("grain", "day")]
        listed = ", ".join(dimensions)
        for grain, day, only in (
            ("day", "day", ""),
            (
                "month",
                month_of,
                f" WHERE {month_of} IN (SELECT month FROM scan_count_months)",
            ),
        ):
            op.execute(
                f"INSERT INTO {table} ({', '.join(key)}, writer, scans, first_scans) "
                f"SELECT {', '.join(key)}, 0, scans, first_scans FROM ("
                f"  SELECT '{grain}' AS grain, {day} AS day, {listed},"
                "   count(*) AS scans, sum(first_scan) AS first_scans"
                f"  FROM scan_count_queue{only} GROUP BY {day}, {listed}"
                # (SQLite parses ON CONFLICT after a SELECT only past a WHERE)
                ") queued WHERE true "
                f"ON CONFLICT ({', '.join(key)}, writer) DO UPDATE SET "
                f"scans = {table}.scans + excluded.scans, "
                f"first_scans = {table}.first_scans + excluded.first_scans"
            )
    op.drop_table("scan_count_queue")
