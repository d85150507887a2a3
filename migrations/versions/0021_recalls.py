"""Recalls: the recall, the units it reached, a task per party holding them, and the parties'
answers.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _serial() -> sa.types.TypeEngine[str]:
    return sa.String(20).with_variant(sa.String(20, collation="C"), "postgresql")


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "recalls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("classification", sa.String(3), nullable=True),
        sa.Column("markets", sa.JSON(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("event_pk", sa.BigInteger(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("respond_by", timestamp, nullable=False),
        sa.Column("closed_at", timestamp, nullable=True),
        sa.Column("closed_by", sa.Text(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recalls")),
    )
    op.create_table(
        "recall_units",
        sa.Column("recall_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("serial", _serial(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column(
            "epc", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("party_id", sa.String(64), nullable=True),
        sa.Column("state_before", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("recall_id", "product_id", "serial", name=op.f("pk_recall_units")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_recall_units_unit", "recall_units", ["product_id", "serial"])
    op.create_index("ix_recall_units_lot", "recall_units", ["lot_id"])
    op.create_index("ix_recall_units_epc", "recall_units", ["epc"])
    op.create_table(
        "recall_tasks",
        sa.Column("recall_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("returned", sa.BigInteger(), nullable=False),
        sa.Column("destroyed", sa.BigInteger(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answered_at", timestamp, nullable=True),
        sa.Column("notice_status", sa.String(16), nullable=False),
        sa.Column("notice_detail", sa.Text(), nullable=True),
        sa.Column("notified_at", timestamp, nullable=True),
        sa.PrimaryKeyConstraint("recall_id", "party_id", name=op.f("pk_recall_tasks")),
    )
    op.create_table(
        "recall_responses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recall_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("at", timestamp, nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("returned", sa.BigInteger(), nullable=False),
        sa.Column("destroyed", sa.BigInteger(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_responses")),
    )
    op.create_index("ix_recall_responses_recall", "recall_responses", ["recall_id", "at"])


def downgrade() -> None:
    for table in ("recall_responses", "recall_tasks", "recall_units", "recalls"):
        op.drop_table(table)
