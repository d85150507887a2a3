"""The index of captured events' extension fields and quantities, on the schema's metadata
(import it from :mod:`unitrace.store.schema`, as every table): one row per occurrence of an
extension field (:func:`~unitrace.epcis.extension_fields.extension_rows`) and per
QuantityElement, which the EPCIS extension-field and quantity query parameters search. The
events' documents keep their fields as sent; this table is only looked in.

``area`` is where the field is (``event``, ``ilmd``, ``sensorReport`` …; ``quantity`` for a
QuantityElement, whose ``name`` is its ``uom``, empty without one); ``nested`` whether it is
nested in another extension field; ``repeated`` whether the event has more than one row of
that area, nesting and name (an array, several reports: see
:mod:`~unitrace.store.epcis_query.field_conditions` for why). A value is kept as text, number and time, each where it
reads as one; ``text_key`` is the text, or a digest of a long one, so that every value fits
in the index (PostgreSQL's B-tree takes entries of some 2,700 bytes at most).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, String, Table, Text

from unitrace.store.schema import Timestamp, metadata

event_fields = Table(
    "event_fields",
    metadata,
    Column("event_pk", BigInteger, nullable=False),
    Column("area", String(16), nullable=False),
    Column("nested", Boolean, nullable=False),
    Column("name", Text, nullable=False),
    Column("repeated", Boolean, nullable=False),
    Column("text_key", Text),
    Column("text_value", Text),
    Column("number_value", Float),
    Column("time_value", Timestamp),
    Index("ix_event_fields_text", "name", "area", "nested", "text_key"),
    Index("ix_event_fields_number", "name", "area", "nested", "repeated", "number_value"),
    Index("ix_event_fields_time", "name", "area", "nested", "repeated", "time_value"),
    # EQ_quantity and its kin without a unit compare quantities of every unit
    Index("ix_event_fields_area_number", "area", "number_value"),
    Index("ix_event_fields_event_pk", "event_pk"),
)
