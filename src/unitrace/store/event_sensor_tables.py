"""The index of captured events' sensor data, on the schema's metadata (import it from
:mod:`unitrace.store.schema`, as every table): one row per ``sensorMetadata`` and per
``sensorReport`` of each event (:func:`~unitrace.epcis.sensor_reports.sensor_rows`), which the
EPCIS sensor query parameters search. The events' documents keep their sensor data as sent;
this table is only looked in.

Numbers are in the unit queries compare in (``unit``: temperatures in ``CEL`` whatever the
report's ``uom``, anything else in its own; see
:func:`~unitrace.coldchain.epcis_reports.comparable`), so that ``GE_value_FAH`` finds a report
in kelvin with one range of an index.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
)

from unitrace.store.schema import EpcText, Timestamp, metadata

# ``position`` 0 is the element's sensorMetadata, n its n-th sensorReport.
event_sensor_reports = Table(
    "event_sensor_reports",
    metadata,
    Column("event_pk", BigInteger, nullable=False),
    Column("element", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("type", EpcText),
    Column("exception", Text),
    Column("device_id", EpcText),
    Column("data_processing_method", Text),
    Column("biz_rules", Text),
    Column("microorganism", Text),
    Column("chemical_substance", Text),
    Column("string_value", Text),
    Column("boolean_value", Boolean),
    Column("hex_binary_value", Text),
    Column("uri_value", Text),
    Column("time", Timestamp),
    Column("start_time", Timestamp),
    Column("end_time", Timestamp),
    Column("uom", Text),
    Column("unit", Text),
    Column("value", Float),
    Column("min_value", Float),
    Column("max_value", Float),
    Column("mean_value", Float),
    Column("s_dev", Float),
    Column("perc_rank", Float),
    Column("perc_value", Float),
    PrimaryKeyConstraint("event_pk", "element", "position"),
    Index("ix_event_sensor_reports_type", "type"),
    Index("ix_event_sensor_reports_device_id", "device_id"),
    Index("ix_event_sensor_reports_unit_value", "unit", "value"),
    Index("ix_event_sensor_reports_time", "time"),
)
