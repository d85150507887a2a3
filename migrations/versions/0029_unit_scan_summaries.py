"""Units' scan summaries (``unit_scan_summaries``): per unit, how many scans not answered
counterfeit it has had and the log id and time of the first of them, so that a verification
reads one row where it counted the unit's whole log; filled from the scans already logged.

The log is summed a chunk of ids at a time, each chunk in one statement that numbers its scans
within their unit by (at, id) and keeps the first, merged into the rows the earlier chunks
made: no statement sorts more than a chunk, however long the log.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

#: log ids summed in one statement at most
CHUNK = 500_000


def upgrade() -> None:
    op.create_table(
        "unit_scan_summaries",
        sa.Column("product_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column(
            "serial",
            sa.String(20).with_variant(sa.String(20, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("scans", sa.BigInteger(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_scan_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", "serial", name=op.f("pk_unit_scan_summaries")),
        sqlite_with_rowid=False,
    )
    _summarize_the_scans_logged(op.get_bind())


def downgrade() -> None:
    op.drop_table("unit_scan_summaries")


# the back-fill, as this revision's table has it
_SUM_CHUNK = (
    "INSERT INTO unit_scan_summaries (product_id, serial, scans, first_at, first_scan_id)"
    " SELECT product_id, serial, scans, at, id FROM ("
    "  SELECT product_id, serial, at, id,"
    "   count(*) OVER (PARTITION BY product_id, serial) AS scans,"
    "   row_number() OVER (PARTITION BY product_id, serial ORDER BY at, id) AS nth"
    "  FROM scans WHERE id >= :low AND id < :high AND product_id IS NOT NULL"
    "   AND serial IS NOT NULL AND verdict <> 'counterfeit'"
    " ) numbered WHERE nth = 1"
    " ON CONFLICT (product_id, serial) DO UPDATE SET"
    "  scans = unit_scan_summaries.scans + excluded.scans,"
    "  first_at = CASE WHEN {earlier} THEN excluded.first_at"
    "   ELSE unit_scan_summaries.first_at END,"
    "  first_scan_id = CASE WHEN {earlier} THEN excluded.first_scan_id"
    "   ELSE unit_scan_summaries.first_scan_id END"
).format(
    earlier="(excluded.first_at < unit_scan_summaries.first_at"
    " OR (excluded.first_at = unit_scan_summaries.first_at"
    " AND excluded.first_scan_id < unit_scan_summaries.first_scan_id))"
)


def _summarize_the_scans_logged(connection: sa.Connection) -> None:
    low, high = connection.execute(sa.text("SELECT min(id), max(id) FROM scans")).one()
    if low is None:
        return
    if connection.dialect.name == "postgresql":
        # a chunk sorted in memory, not in passes on disk
        connection.execute(sa.text("SET LOCAL work_mem = '256MB'"))
    for start in range(int(low), int(high) + 1, CHUNK):
        connection.execute(sa.text(_SUM_CHUNK), {"low": start, "high": start + CHUNK})
