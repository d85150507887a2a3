"""Stored events' extension fields and quantities written into their index
(``event_fields``, see :mod:`unitrace.store.event_field_tables`), in the storing transaction
and in one bulk insert however many events come at once; and the key a text is looked up by.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import Connection, bindparam, insert

from unitrace.epcis.extension_fields import FieldRow, extension_rows
from unitrace.store.driver_statements import DriverStatement
from unitrace.store.schema import event_fields

__all__ = ["QUANTITY_AREA", "field_index_rows", "record_fields", "text_key"]

#: The area of a QuantityElement's row: its ``name`` is its ``uom`` (empty without one).
QUANTITY_AREA: Final = "quantity"
_QUANTITY_LISTS: Final = (
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
)
#: Texts up to this many UTF-8 bytes are their own key; longer ones are keyed by a digest.
_LONGEST_KEY: Final = 256


def text_key(text: str) -> str:
    """The key ``text`` is indexed and looked up by: itself, or a digest of a long text (the
    row's own text is compared as well, so that no other text is taken for it).

    >>> text_key("ABC123"), text_key("x" * 300)[:8]
    ('ABC123', '#sha256:')
    """
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= _LONGEST_KEY:
        return text
    return "#sha256:" + hashlib.sha256(encoded).hexdigest()


def field_index_rows(
    event_pk: int, document: Mapping[str, Any], found: Sequence[FieldRow] | None = None
) -> list[dict[str, Any]]:
    """The ``event_fields`` rows of one event: its extension fields (``found``, where they
    were read already) and its quantities."""
    if found is None:
        found = extension_rows(document)
    occurrences = Counter((row.area, row.inner, row.name) for row in found)
    rows = [
        {
            "event_pk": event_pk,
            "area": row.area,
            "nested": row.inner,
            "name": row.name,
            "repeated": occurrences[row.area, row.inner, row.name] > 1,
            "text_key": None if row.text is None else text_key(row.text),
            "text_value": row.text,
            "number_value": row.number,
            "time_value": row.time,
        }
        for row in found
    ]
    rows.extend(_quantity_rows(event_pk, document))
    return rows


def _quantity_rows(event_pk: int, document: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = list(_quantities(event_pk, document))
    units = Counter(row["name"] for row in rows)
    for row in rows:
        row["repeated"] = units[row["name"]] > 1
    return rows


def _quantities(event_pk: int, document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for key in _QUANTITY_LISTS:
        for element in document.get(key) or ():
            quantity = element.get("quantity") if isinstance(element, Mapping) else None
            if isinstance(quantity, bool) or not isinstance(quantity, int | float | str):
                continue
            try:
                number = float(quantity)
            except ValueError:
                continue
            yield {
                "event_pk": event_pk,
                "area": QUANTITY_AREA,
                "nested": False,
                "name": str(element.get("uom") or ""),
                "text_key": None,
                "text_value": None,
                "number_value": number,
                "time_value": None,
            }


_INSERT_FIELDS: Final = DriverStatement(
    insert(event_fields).values({column.name: bindparam(column.name) for column in event_fields.c}),
    copied=True,
)


def record_fields(
    connection: Connection,
    events: Sequence[tuple[int, Mapping[str, Any], Sequence[FieldRow] | None]],
) -> None:
    """Index the extension fields and quantities of ``events`` (each its key, JSON-LD and
    extension fields where they were read already)."""
    rows = [row for pk, document, found in events for row in field_index_rows(pk, document, found)]
    if rows:
        _INSERT_FIELDS.execute_many(connection, rows)
