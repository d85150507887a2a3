"""What one capture takes at most: the limits advertised as ``GS1-EPCIS-Capture-Limit``
and ``GS1-EPCIS-Capture-File-Size-Limit``, and held by the faces and the capture alike; and
the most extension-field values and quantities one event may hold, each a row of the index
the query parameters search (``event_fields``): an array of 100,000 one-digit numbers is
200 kB of JSON but 100,000 index rows, so that without a bound a capture would store far
more than it was sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from unitrace.epcis.extension_fields import FieldRow
from unitrace.store.event_fields import field_index_rows

__all__ = [
    "CAPTURE_FIELD_VALUES_LIMIT",
    "CAPTURE_FILE_SIZE_LIMIT",
    "CAPTURE_LIMIT",
    "FIELD_VALUES_LIMIT",
    "field_values",
    "too_many_values",
]

#: The most events one capture takes.
CAPTURE_LIMIT: Final = 100_000
#: The most bytes one document sent for capture may hold.
CAPTURE_FILE_SIZE_LIMIT: Final = 64 * 1024 * 1024
#: The most extension-field values and QuantityElements one event may hold (a sensor event
#: of some thousands of reports with a field of their own each is within it).
FIELD_VALUES_LIMIT: Final = 10_000
#: The most one capture's events hold in all: twenty an event of a full capture, so that a
#: document of 64 MB never becomes more than some hundreds of MB of index.
CAPTURE_FIELD_VALUES_LIMIT: Final = 20 * CAPTURE_LIMIT


def field_values(document: Mapping[str, Any], found: Sequence[FieldRow] | None = None) -> int:
    """How many extension-field values and quantities the event ``document`` (with its
    ``@context``; its extension fields ``found``, where they were read already) holds: its
    rows of the index."""
    return len(field_index_rows(0, document, found))


def too_many_values(count: int, before: int) -> str | None:
    """Why an event of ``count`` values is refused after events of ``before`` values in the
    same capture, if it is."""
    if count > FIELD_VALUES_LIMIT:
        return (
            f"holds {count:,} extension-field values and quantities; an event holds at most "
            f"{FIELD_VALUES_LIMIT:,} (each is indexed for the query parameters)"
        )
    if before + count > CAPTURE_FIELD_VALUES_LIMIT:
        return (
            f"brings the capture's extension-field values and quantities over "
            f"{CAPTURE_FIELD_VALUES_LIMIT:,} in all; send the events from here on in another "
            "capture"
        )
    return None
