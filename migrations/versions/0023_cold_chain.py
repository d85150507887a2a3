"""The cold chain: products' storage conditions, sensor devices, their readings (in degrees
Celsius, keyed by device and time in UTC milliseconds), what each device was attached to when,
and the excursions judged.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    epc_text = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
    op.create_table(
        "storage_conditions",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("min_c", sa.Float(), nullable=False),
        sa.Column("max_c", sa.Float(), nullable=False),
        sa.Column("excursion_min_c", sa.Float(), nullable=True),
        sa.Column("excursion_max_c", sa.Float(), nullable=True),
        sa.Column("excursion_max_minutes", sa.Integer(), nullable=True),
        sa.Column("mkt_max_c", sa.Float(), nullable=False),
        sa.Column("mkt_window", sa.String(4), nullable=False),
        sa.Column("delta_h_over_r", sa.Float(), nullable=False),
        sa.Column("updated_at", timestamp, nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.CheckConstraint("min_c < max_c", name=op.f("ck_storage_conditions_band")),
        sa.CheckConstraint(
            "mkt_window IN ('24h', '30d')", name=op.f("ck_storage_conditions_mkt_window")
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_storage_conditions")),
    )
    op.create_table(
        "sensor_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device", sa.Text(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("party_id", sa.String(64), nullable=True),
        sa.Column("ranged", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensor_devices")),
        sa.UniqueConstraint("device", name=op.f("uq_sensor_devices_device")),
    )
    op.create_table(
        "sensor_readings",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("celsius", sa.Float(), nullable=False),
        sa.Column("until_ms", sa.BigInteger(), nullable=True),
        sa.Column("min_c", sa.Float(), nullable=True),
        sa.Column("max_c", sa.Float(), nullable=True),
        sa.Column("event_pk", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", "at_ms", name=op.f("pk_sensor_readings")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sensor_attachments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(12), nullable=False),
        sa.Column("target", epc_text, nullable=False),
        sa.Column("from_ms", sa.BigInteger(), nullable=False),
        sa.Column("until_ms", sa.BigInteger(), nullable=True),
        sa.Column("event_pk", sa.BigInteger(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "target_kind IN ('container', 'unit', 'location', 'shipment')",
            name=op.f("ck_sensor_attachments_target_kind"),
        ),
        sa.CheckConstraint(
            "until_ms IS NULL OR until_ms > from_ms", name=op.f("ck_sensor_attachments_span")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensor_attachments")),
    )
    op.create_index("ix_sensor_attachments_target", "sensor_attachments", ["target", "target_kind"])
    op.create_index("ix_sensor_attachments_device_id", "sensor_attachments", ["device_id"])
    by_event = sa.text("event_pk IS NOT NULL")
    op.create_index(
        "ix_sensor_attachments_event_pk",
        "sensor_attachments",
        ["event_pk"],
        sqlite_where=by_event,
        postgresql_where=by_event,
    )
    op.create_table(
        "cold_chain_excursions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(12), nullable=False),
        sa.Column("target", epc_text, nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
        sa.Column("peak_c", sa.Float(), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("judged_at", timestamp, nullable=False),
        sa.CheckConstraint(
            "verdict IN ('allowed_excursion', 'breach')",
            name=op.f("ck_cold_chain_excursions_verdict"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cold_chain_excursions")),
    )
    op.create_index(
        "uq_cold_chain_excursions_source",
        "cold_chain_excursions",
        ["product_id", "lot_id", "device_id", "target_kind", "target", "start_ms"],
        unique=True,
    )
    op.create_index("ix_cold_chain_excursions_judged_at", "cold_chain_excursions", ["judged_at"])


def downgrade() -> None:
    for table in (
        "cold_chain_excursions",
        "sensor_attachments",
        "sensor_readings",
        "sensor_devices",
        "storage_conditions",
    ):
        op.drop_table(table)
