"""EPCIS named queries and their webhook subscriptions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "epcis_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_epcis_queries"),
        sa.UniqueConstraint("name", name="uq_epcis_queries_name"),
    )
    op.create_table(
        "epcis_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.String(length=64), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("dest", sa.Text(), nullable=False),
        sa.Column("signature_token", sa.Text(), nullable=True),
        sa.Column("stream", sa.Boolean(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=True),
        sa.Column("report_if_empty", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("initial_record_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("watermark_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("watermark_pk", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'failing', 'suspended')", name="ck_epcis_subscriptions_status"
        ),
        sa.ForeignKeyConstraint(
            ["query_id"],
            ["epcis_queries.id"],
            name="fk_epcis_subscriptions_query_id_epcis_queries",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_epcis_subscriptions"),
        sa.UniqueConstraint("subscription_id", name="uq_epcis_subscriptions_subscription_id"),
    )
    op.create_index(
        "ix_epcis_subscriptions_query_id", "epcis_subscriptions", ["query_id"], unique=False
    )
    op.create_index(
        "ix_epcis_subscriptions_next_attempt_at",
        "epcis_subscriptions",
        ["next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_epcis_subscriptions_next_attempt_at", table_name="epcis_subscriptions")
    op.drop_index("ix_epcis_subscriptions_query_id", table_name="epcis_subscriptions")
    op.drop_table("epcis_subscriptions")
    op.drop_table("epcis_queries")
