"""A party's recall endpoint: where unitrace POSTs a recall task, and the token that signs it
(as an EPCIS subscription's signatureToken signs its deliveries).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("parties") as batch:
        batch.add_column(sa.Column("recall_endpoint", sa.Text(), nullable=True))
        batch.add_column(sa.Column("recall_signature_token", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("parties") as batch:
        batch.drop_column("recall_signature_token")
        batch.drop_column("recall_endpoint")
