"""What one capture takes at most: the limits advertised as ``GS1-EPCIS-Capture-Limit``
and ``GS1-EPCIS-Capture-File-Size-Limit``, and held by the faces and the capture alike; and
the most extension-field values and quantities one event may hold, each a row of the index
the query parameters search (``event_fields``): an array of 100,000 one-digit numbers is
200 kB of JSON but 100,000 index rows, so that without a bound a capture would store far
more than it was sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from unitrace.store.event_fields import field_index_rows

__all__ = ["CAPTURE_FILE_SIZE_LIMIT", "CAPTURE_LIMIT", "FIELD_VALUES_LIMIT", "too_many_values"]

#: The most events one capture takes.
CAPTURE_LIMIT: Final = 100_000
#: The most bytes one document sent for capture may hold.
CAPTURE_FILE_SIZE_LIMIT: Final = 64 * 1024 * 1024
#: The most extension-field values and QuantityElements one event may hold (a sensor event
#: of some thousands of reports with a field of their own each is within it).
FIELD_VALUES_LIMIT: Final = 10_000


def too_many_values(document: Mapping[str, Any]) -> str | None:
    """Why the event ``document`` (with its ``@context``) is refused for the values it
    holds, if it is."""
    count = len(field_index_rows(0, document))
    if count <= FIELD_VALUES_LIMIT:
        return None
    return (
        f"holds {count:,} extension-field values and quantities; an event holds at most "
        f"{FIELD_VALUES_LIMIT:,} (each is indexed for the query parameters)"
    )
