"""Brand-managed links (``brand_links``): the links the resolver serves for a product or a
lot, beside the verification page and service it serves itself.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brand_links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot", sa.String(20), nullable=False),
        sa.Column("link_type", sa.Text(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("hreflang", sa.String(5), nullable=False),
        sa.Column("context", sa.String(100), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_brand_links_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_links")),
        sa.UniqueConstraint(
            "product_id",
            "lot",
            "link_type",
            "href",
            "hreflang",
            "context",
            name="uq_brand_links_link",
        ),
    )
    op.create_index(
        "ix_brand_links_default",
        "brand_links",
        ["product_id", "lot", "hreflang", "context"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )


def downgrade() -> None:
    op.drop_index("ix_brand_links_default", table_name="brand_links")
    op.drop_table("brand_links")
