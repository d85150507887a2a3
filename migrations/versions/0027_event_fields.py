"""The index of events' extension fields and quantities (``event_fields``: one row per
occurrence of an extension field and per QuantityElement), which the EPCIS extension-field
(``EQ_ILMD_…``, ``GT_INNER_…``, ``EXISTS_SENSORREPORT_…``) and quantity parameters search;
the error declarations' reasons and corrective events in ``event_values``
(``EQ_errorReason``, ``EQ_correctiveEventID``); and the index of master-data attributes
(``vocabulary_attributes``) for ``HASATTR_`` and ``EQ_ATTR_``. Each filled from what was
stored before, so that queries find it as they find what is captured after.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unitrace.store.event_fields import field_index_rows
from unitrace.store.vocabulary_attributes import attribute_rows

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_BATCH = 1000
_KEY = ("name", "area", "nested")


def upgrade() -> None:
    op.create_table(
        "event_fields",
        sa.Column("event_pk", sa.BigInteger(), nullable=False),
        sa.Column("area", sa.String(16), nullable=False),
        sa.Column("nested", sa.Boolean(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("repeated", sa.Boolean(), nullable=False),
        sa.Column("text_key", sa.Text(), nullable=True),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.Column("number_value", sa.Float(), nullable=True),
        sa.Column("time_value", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_event_fields_text", "event_fields", [*_KEY, "text_key"])
    op.create_index("ix_event_fields_number", "event_fields", [*_KEY, "repeated", "number_value"])
    op.create_index("ix_event_fields_time", "event_fields", [*_KEY, "repeated", "time_value"])
    op.create_index("ix_event_fields_area_number", "event_fields", ["area", "number_value"])
    op.create_index("ix_event_fields_event_pk", "event_fields", ["event_pk"])
    op.create_table(
        "vocabulary_attributes",
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("element_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("text_key", sa.Text(), nullable=True),
        sa.Column("text_value", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_vocabulary_attributes_name_text", "vocabulary_attributes", ["name", "text_key"]
    )
    op.create_index(
        "ix_vocabulary_attributes_element", "vocabulary_attributes", ["type", "element_id"]
    )
    _index_stored_events()
    _index_stored_attributes()


def _index_stored_attributes() -> None:
    connection = op.get_bind()
    elements = sa.table(
        "vocabulary_elements",
        sa.column("type"),
        sa.column("id"),
        sa.column("attributes", sa.JSON()),
    )
    index = sa.table(
        "vocabulary_attributes",
        *(sa.column(name) for name in ("type", "element_id", "name", "text_key", "text_value")),
    )
    streamed = connection.execute(
        sa.select(elements.c.type, elements.c.id, elements.c.attributes).execution_options(
            yield_per=_BATCH
        )
    )
    for rows in streamed.partitions():
        found = [
            row
            for kind, element, attributes in rows
            for row in attribute_rows(kind, element, attributes)
        ]
        if found:
            connection.execute(sa.insert(index), found)


def _index_stored_events() -> None:
    """The fields, quantities and error declarations of the events stored before (their
    documents keep them as sent)."""
    connection = op.get_bind()
    events = sa.table("epcis_events", sa.column("id"), sa.column("document", sa.JSON()))
    fields = sa.table(
        "event_fields",
        *(sa.column(column) for column in _COLUMNS),
        # typed, so that a time is written as the schema's Timestamp writes it
        sa.column("time_value", sa.DateTime(timezone=True)),
    )
    values = sa.table(
        "event_values", sa.column("event_pk"), sa.column("field"), sa.column("type"),
        sa.column("value"),
    )  # fmt: skip
    streamed = connection.execute(
        sa.select(events.c.id, events.c.document).execution_options(yield_per=_BATCH)
    )
    for rows in streamed.partitions():
        found = [row for pk, document in rows for row in field_index_rows(pk, document)]
        if found:
            connection.execute(sa.insert(fields), found)
        declared = [
            {"event_pk": pk, "field": field, "type": None, "value": value}
            for pk, document in rows
            for field, value in _declaration_values(document)
        ]
        if declared:
            connection.execute(sa.insert(values), declared)


def _declaration_values(document: dict[str, object]) -> list[tuple[str, str]]:
    # as unitrace.store.events.event_values_of writes them at capture
    declaration = document.get("errorDeclaration")
    if not isinstance(declaration, dict):
        return []
    found = []
    if declaration.get("reason"):
        found.append(("errorReason", str(declaration["reason"])))
    for corrective in declaration.get("correctiveEventIDs") or ():
        found.append(("correctiveEventID", str(corrective)))
    return found


_COLUMNS = (
    "event_pk",
    "area",
    "nested",
    "name",
    "repeated",
    "text_key",
    "text_value",
    "number_value",
)


def downgrade() -> None:
    op.drop_table("vocabulary_attributes")
    op.execute("DELETE FROM event_values WHERE field IN ('errorReason', 'correctiveEventID')")
    op.drop_table("event_fields")
