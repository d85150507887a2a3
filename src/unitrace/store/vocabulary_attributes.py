"""Master-data attributes written into their index (``vocabulary_attributes``, see
:mod:`unitrace.store.vocabulary_attribute_table`), with the elements' attributes, by
:class:`~unitrace.store.master_data.MasterDataRepository`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, delete, insert, tuple_

from unitrace.epcis.extension_fields import attribute_name
from unitrace.store.event_fields import text_key
from unitrace.store.schema import vocabulary_attributes

__all__ = ["attribute_rows", "replace_attributes"]


def attribute_rows(kind: str, element_id: str, attributes: Iterable[Any]) -> list[dict[str, Any]]:
    """The rows of one element's attributes (its JSON-LD ``attributes`` list)."""
    rows = []
    for attribute in attributes:
        if not isinstance(attribute, Mapping) or not isinstance(attribute.get("id"), str):
            continue
        value = attribute.get("attribute")
        text: str | None
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            text = None  # an object or none: the attribute is there, with no value to compare
        rows.append(
            {
                "type": kind,
                "element_id": element_id,
                "name": attribute_name(attribute["id"]),
                "text_key": None if text is None else text_key(text),
                "text_value": text,
            }
        )
    return rows


def replace_attributes(
    connection: Connection, elements: Mapping[tuple[str, str], Iterable[Any]]
) -> None:
    """The attributes of ``elements`` (by type and ID) in the index, in place of theirs."""
    keys = sorted(elements)
    for start in range(0, len(keys), 500):
        chosen = keys[start : start + 500]
        connection.execute(
            delete(vocabulary_attributes).where(
                tuple_(vocabulary_attributes.c.type, vocabulary_attributes.c.element_id).in_(chosen)
            )
        )
    rows = [row for key in keys for row in attribute_rows(*key, elements[key])]
    if rows:
        connection.execute(insert(vocabulary_attributes), rows)
