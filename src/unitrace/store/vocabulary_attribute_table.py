"""The index of master-data attributes, on the schema's metadata (import it from
:mod:`unitrace.store.schema`, as every table): one row per attribute of each vocabulary
element, by its name as :func:`~unitrace.epcis.extension_fields.attribute_name` writes it, with
its value's text where it is a scalar (``text_key`` as in ``event_fields``), which the EPCIS
``HASATTR_`` and ``EQ_ATTR_`` query parameters search. The elements keep their attributes as
sent (``vocabulary_elements``); this table is only looked in.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Table, Text

from unitrace.store.schema import metadata

vocabulary_attributes = Table(
    "vocabulary_attributes",
    metadata,
    Column("type", Text, nullable=False),
    Column("element_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("text_key", Text),
    Column("text_value", Text),
    Index("ix_vocabulary_attributes_name_text", "name", "text_key"),
    Index("ix_vocabulary_attributes_element", "type", "element_id"),
)
