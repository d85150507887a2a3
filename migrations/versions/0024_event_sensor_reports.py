"""The index of events' sensor data (``event_sensor_reports``: one row per sensorMetadata and
sensorReport), which the EPCIS sensor query parameters search; filled from the documents of
the events stored before, so that queries find them as they find those captured after.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unitrace.store.event_sensor_data import sensor_index_rows

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    epc_text = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
    texts = (
        "exception",
        "data_processing_method",
        "biz_rules",
        "microorganism",
        "chemical_substance",
        "string_value",
    )
    numbers = ("value", "min_value", "max_value", "mean_value", "s_dev", "perc_rank", "perc_value")
    op.create_table(
        "event_sensor_reports",
        sa.Column("event_pk", sa.BigInteger(), nullable=False),
        sa.Column("element", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", epc_text, nullable=True),
        sa.Column("exception", sa.Text(), nullable=True),
        sa.Column("device_id", epc_text, nullable=True),
        *(sa.Column(name, sa.Text(), nullable=True) for name in texts[1:]),
        sa.Column("boolean_value", sa.Boolean(), nullable=True),
        sa.Column("hex_binary_value", sa.Text(), nullable=True),
        sa.Column("uri_value", sa.Text(), nullable=True),
        sa.Column("time", timestamp, nullable=True),
        sa.Column("start_time", timestamp, nullable=True),
        sa.Column("end_time", timestamp, nullable=True),
        sa.Column("uom", sa.Text(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        *(sa.Column(name, sa.Float(), nullable=True) for name in numbers),
        sa.PrimaryKeyConstraint(
            "event_pk", "element", "position", name=op.f("pk_event_sensor_reports")
        ),
    )
    op.create_index("ix_event_sensor_reports_type", "event_sensor_reports", ["type"])
    op.create_index("ix_event_sensor_reports_device_id", "event_sensor_reports", ["device_id"])
    op.create_index("ix_event_sensor_reports_unit_value", "event_sensor_reports", ["unit", "value"])
    op.create_index("ix_event_sensor_reports_time", "event_sensor_reports", ["time"])
    _index_stored_events()


def _index_stored_events() -> None:
    """The sensor data of the events stored before (their documents keep it as sent)."""
    connection = op.get_bind()
    events = sa.table("epcis_events", sa.column("id"), sa.column("document", sa.JSON()))
    index = sa.table(
        "event_sensor_reports",
        *(sa.column(column) for column in _COLUMNS),
    )
    sensing = sa.select(events.c.id, events.c.document).where(
        sa.cast(events.c.document, sa.Text).like('%"sensorElementList"%')
    )
    streamed = connection.execute(sensing.execution_options(yield_per=_BATCH))
    for rows in streamed.partitions():
        found = [row for pk, document in rows for row in sensor_index_rows(pk, document)]
        if found:
            connection.execute(sa.insert(index), found)


_COLUMNS = (
    "event_pk",
    "element",
    "position",
    "type",
    "exception",
    "device_id",
    "data_processing_method",
    "biz_rules",
    "microorganism",
    "chemical_substance",
    "string_value",
    "boolean_value",
    "hex_binary_value",
    "uri_value",
    "time",
    "start_time",
    "end_time",
    "uom",
    "unit",
    "value",
    "min_value",
    "max_value",
    "mean_value",
    "s_dev",
    "perc_rank",
    "perc_value",
)


def downgrade() -> None:
    op.drop_table("event_sensor_reports")
