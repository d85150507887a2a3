"""The EPCIS master-data query parameters' SQL (EPCIS 2.0 section 8.2.7.1): ``HASATTR_<field>``
finds the events whose ``field`` names a vocabulary element with master data holding one of
the attributes given; ``EQ_ATTR_<field>_<attribute>`` those whose element's ``attribute``
equals one of the values given. The master data is looked up when the query runs (a named
query or a subscription sees it as it is then), in ``vocabulary_attributes``.

A location's master data counts whichever of the two location vocabularies (read points,
business locations) holds it: documents describe a place once, usually as a business
location, and name it as either field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, select

from unitrace.store.event_fields import text_key
from unitrace.store.master_data import BUSINESS_LOCATION, READ_POINT
from unitrace.store.schema import epcis_events, vocabulary_attributes

__all__ = ["ATTRIBUTE_FIELDS", "AttributeCondition", "attribute_condition"]

#: The event's vocabulary fields a master-data parameter may name, and the vocabularies
#: whose elements they name.
ATTRIBUTE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "readPoint": (READ_POINT, BUSINESS_LOCATION),
    "bizLocation": (BUSINESS_LOCATION, READ_POINT),
    "bizStep": ("urn:epcglobal:epcis:vtype:BusinessStep",),
    "disposition": ("urn:epcglobal:epcis:vtype:Disposition",),
}
_COLUMNS: Final = {
    "readPoint": "read_point",
    "bizLocation": "biz_location",
    "bizStep": "biz_step",
    "disposition": "disposition",
}


@dataclass(frozen=True, slots=True)
class AttributeCondition:
    """Events whose ``field`` names an element with one of the attributes ``names`` (each as
    :func:`~unitrace.epcis.extension_fields.attribute_name` writes it), equal to one of
    ``values`` where given."""

    field: str
    names: frozenset[str]
    values: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.field not in ATTRIBUTE_FIELDS:
            raise ValueError(f"{self.field!r} is no vocabulary field of an event")


def attribute_condition(condition: AttributeCondition) -> ColumnElement[bool]:
    rows = vocabulary_attributes.c
    elements = select(rows.element_id).where(
        rows.type.in_(ATTRIBUTE_FIELDS[condition.field]), rows.name.in_(sorted(condition.names))
    )
    if condition.values is not None:
        keys = sorted({text_key(value) for value in condition.values})
        elements = elements.where(
            rows.text_key.in_(keys), rows.text_value.in_(sorted(condition.values))
        )
    column: Any = epcis_events.c[_COLUMNS[condition.field]]
    found: ColumnElement[bool] = column.in_(elements)
    return found
