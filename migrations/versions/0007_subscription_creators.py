"""EPCIS subscriptions remember the token that made them, and why they were suspended

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("epcis_subscriptions") as table:
        table.add_column(sa.Column("token_id", sa.Integer(), nullable=True))
        table.add_column(sa.Column("suspended_reason", sa.Text(), nullable=True))
    # subscriptions made before kept their token only in created_by ("token:<id>"); digits
    # only, so that a hand-written created_by cannot make the cast fail
    op.execute(
        """
        UPDATE epcis_subscriptions
        SET token_id = CAST(SUBSTR(created_by, 7) AS INTEGER)
        WHERE created_by LIKE 'token:%'
          AND LENGTH(created_by) BETWEEN 7 AND 15
          AND TRIM(SUBSTR(created_by, 7), '0123456789') = ''
        """
    )
    op.execute(
        """
        UPDATE epcis_subscriptions
        SET suspended_reason = 'deliveries failed too many times in a row'
        WHERE status = 'suspended'
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("epcis_subscriptions") as table:
        table.drop_column("suspended_reason")
        table.drop_column("token_id")
