"""Holds: units a failed inspection (or, later, a cold chain breach) keeps from being
shipped, dispensed or assembled, a row per unit or one per lot, until an event releases them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "holds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("cause", sa.String(16), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column(
            "serial",
            sa.String(20).with_variant(sa.String(20, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("placed_at", timestamp, nullable=False),
        sa.Column("released_at", timestamp, nullable=True),
        sa.Column("released_by_event_id", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(lot_id IS NULL) = (product_id IS NOT NULL AND serial IS NOT NULL)",
            name=op.f("ck_holds_unit_or_lot"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    open_unit = sa.text("released_at IS NULL AND product_id IS NOT NULL")
    op.create_index(
        "ix_holds_open_unit",
        "holds",
        ["product_id", "serial"],
        sqlite_where=open_unit,
        postgresql_where=open_unit,
    )
    open_lot = sa.text("released_at IS NULL AND lot_id IS NOT NULL")
    op.create_index(
        "ix_holds_open_lot", "holds", ["lot_id"], sqlite_where=open_lot, postgresql_where=open_lot
    )


def downgrade() -> None:
    op.drop_table("holds")
