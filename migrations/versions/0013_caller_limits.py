"""The public routes' rate limits kept for the whole service: the caller_limits table, and the
caller's hashed address on each scan (the guessing detector counts per address).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases: the scan log is never copied
    op.add_column("scans", sa.Column("address", sa.String(24)))
    op.create_index("ix_scans_address", "scans", ["address", "at"])
    # unlogged on PostgreSQL: limits need no crash safety, and skipping the WAL keeps a
    # scan's admission cheap
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "caller_limits",
        sa.Column("caller", sa.String(24), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("held_until", sa.Float(), nullable=False),
        sa.Column("admitted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("caller", name=op.f("pk_caller_limits")),
        prefixes=unlogged,
    )


def downgrade() -> None:
    op.drop_table("caller_limits")
    op.drop_index("ix_scans_address", table_name="scans")
    with op.batch_alter_table("scans") as scans:
        scans.drop_column("address")
