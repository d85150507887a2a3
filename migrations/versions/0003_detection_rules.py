"""detection rules per product

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable, no default: every product registered before keeps the service's defaults
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detection_rules", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("detection_rules")
