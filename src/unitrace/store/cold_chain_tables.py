"""The tables of the cold chain (storage conditions, sensor devices, their readings and what
they were attached to, the sensor reports of EPCIS events, and the excursions judged), on the
schema's metadata. Import them from :mod:`unitrace.store.schema`, as every table: that module
loads this one once its metadata is made.

Times of readings and attachments are whole milliseconds since the Unix epoch, UTC
(``*_ms``): a trip's hundred thousand readings are read back and weighed as plain integers,
which a timestamp column would parse one by one.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    false,
    text,
)

from unitrace.store.schema import EpcText, Timestamp, metadata

# A product's storage conditions: the band it is kept in, the excursion it may bear (a wider
# band for at most so many minutes in all), and the mean kinetic temperature's limit, window
# and ΔH/R (USP <1079.2>). A product with no row has no conditions to judge against.
storage_conditions = Table(
    "storage_conditions",
    metadata,
    Column("product_id", Integer, primary_key=True),
    Column("min_c", Float, nullable=False),
    Column("max_c", Float, nullable=False),
    Column("excursion_min_c", Float),
    Column("excursion_max_c", Float),
    Column("excursion_max_minutes", Integer),
    Column("mkt_max_c", Float, nullable=False),
    Column("mkt_window", String(4), nullable=False),
    Column("delta_h_over_r", Float, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("updated_by", Text),
    CheckConstraint("min_c < max_c", name="band"),
    CheckConstraint("mkt_window IN ('24h', '30d')", name="mkt_window"),
)

# A sensor device: a data logger by the ID its owner gives it, or the deviceID an EPCIS
# event's sensor metadata names. ``id`` is the key its readings carry; ``party_id`` the party
# that registered it (NULL: the brand), the only one whose readings it takes.
sensor_devices = Table(
    "sensor_devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("device", Text, nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
    Column("party_id", String(64)),
    # whether any of its readings spans a range or has extremes of its own (an EPCIS report's
    # startTime/endTime, minValue/maxValue): else only a reading's time and value are read
    Column("ranged", Boolean, nullable=False, server_default=false()),
)

# A device's temperature readings in degrees Celsius, one per device and instant: a reading at
# ``at_ms``, or a report over a range (``at_ms`` to ``until_ms``) with its mean in ``celsius``
# and its extremes in ``min_c`` / ``max_c``. ``event_pk`` is the EPCIS event a reading came
# with, if it came with one. Keyed by device and time (clustered on SQLite), so that a trip is
# one range of the key.
sensor_readings = Table(
    "sensor_readings",
    metadata,
    Column("device_id", Integer, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("celsius", Float, nullable=False),
    Column("until_ms", BigInteger),
    Column("min_c", Float),
    Column("max_c", Float),
    Column("event_pk", BigInteger),
    PrimaryKeyConstraint("device_id", "at_ms"),
    sqlite_with_rowid=False,
)

# What a device was measuring when: a container or a unit (by EPC), a location (GLN) or a
# shipment (its shipping event's eventID), from ``from_ms`` until ``until_ms`` (open while
# NULL). An EPCIS event's sensor data attaches its device to the event's objects for the time
# its reports span (``event_pk``).
sensor_attachments = Table(
    "sensor_attachments",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("device_id", Integer, nullable=False),
    Column("target_kind", String(12), nullable=False),
    Column("target", EpcText, nullable=False),
    Column("from_ms", BigInteger, nullable=False),
    Column("until_ms", BigInteger),
    Column("event_pk", BigInteger),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", Text),
    CheckConstraint(
        "target_kind IN ('container', 'unit', 'location', 'shipment')", name="target_kind"
    ),
    CheckConstraint("until_ms IS NULL OR until_ms > from_ms", name="span"),
    Index("ix_sensor_attachments_target", "target", "target_kind"),
    Index("ix_sensor_attachments_device_id", "device_id"),
    Index(
        "ix_sensor_attachments_event_pk",
        "event_pk",
        sqlite_where=text("event_pk IS NOT NULL"),
        postgresql_where=text("event_pk IS NOT NULL"),
    ),
)

# Excursions judged: a period a product's units spent out of their band, by the source that
# measured it (a device attached to a container, location, shipment or unit), with its peak
# and length, the verdict it led to (``allowed_excursion`` or ``breach``), how many units it
# covered and the alert a breach raised. One row per product, source and start: judging again
# finds the row, never a second one.
cold_chain_excursions = Table(
    "cold_chain_excursions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, nullable=False),
    Column("lot_id", Integer, nullable=False),
    Column("device_id", Integer, nullable=False),
    Column("target_kind", String(12), nullable=False),
    Column("target", EpcText, nullable=False),
    Column("start_ms", BigInteger, nullable=False),
    Column("end_ms", BigInteger, nullable=False),
    Column("peak_c", Float, nullable=False),
    Column("minutes", Float, nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("held", Boolean, nullable=False),
    Column("alert_id", Integer),
    Column("details", JSON, nullable=False),
    Column("judged_at", Timestamp, nullable=False),
    CheckConstraint("verdict IN ('allowed_excursion', 'breach')", name="verdict"),
    Index(
        "uq_cold_chain_excursions_source",
        "product_id",
        "lot_id",
        "device_id",
        "target_kind",
        "target",
        "start_ms",
        unique=True,
    ),
    Index("ix_cold_chain_excursions_judged_at", "judged_at"),
)
