"""The event hashes of many events at once: what a worker process of the capture's hashing
pool runs (:mod:`unitrace.services.epcis_capture.event_names`), and the capture itself where
it hashes in its own process. Kept apart from the services so that a worker imports no more
than the hash needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from unitrace.epcis.hashing import event_hash
from unitrace.epcis.model import InvalidEvent

__all__ = ["Unnamed", "hash_events"]

#: One event to name: its index in the document, the event, and its namespaces.
Unnamed = tuple[int, Mapping[str, Any], Mapping[str, str]]


def hash_events(events: Sequence[Unnamed]) -> list[str | InvalidEvent]:
    """Each event's CBV 2.0 hash, or why it has none (its error, as :func:`event_hash`
    raises it, naming the event by its index).

    >>> named, refused = hash_events([(0, {"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z",
    ...   "eventTimeZoneOffset": "+00:00", "action": "OBSERVE"}, {}), (1, {"type": "ObjectEvent",
    ...   "eventTime": "yesterday"}, {})])
    >>> named[:20], refused
    ('ni:///sha-256;336091', InvalidEvent("event 1: eventTime: 'yesterday' is not a date and time with a UTC offset"))
    """
    names: list[str | InvalidEvent] = []
    for index, event, namespaces in events:
        try:
            names.append(event_hash(event, namespaces, index=index))
        except InvalidEvent as error:
            names.append(error)
    return names
