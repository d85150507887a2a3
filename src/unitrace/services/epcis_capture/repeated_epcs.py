"""An EPC named twice in one list of an event read from XML: kept once, and the capture job
says so.

The XSD lets an ``epcList`` (and ``childEPCs``, ``inputEPCList``, ``outputEPCList``) repeat an
EPC; the JSON Schema does not (``uniqueItems``), and an EPC names one object, which a list
names once or not at all. A document the XSD finds valid is not refused for it: the repeats
are dropped (the first place of each EPC kept) and a note names the event, the list and the
EPC. Only documents read from XML are treated so: in JSON-LD a repeat breaks the schema and
is refused as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from unitrace.epcis.validation import EventProblem

__all__ = ["EPC_LISTS", "kept_once"]

#: The lists of EPCs an event may name; the XSD lets each repeat one.
EPC_LISTS: Final = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")


def kept_once(events: list[Any]) -> list[EventProblem]:
    """Drop, in place, the repeats of each EPC within each list of each of ``events``; a note
    for each EPC dropped."""
    notes: list[EventProblem] = []
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            continue
        given = event.get("eventID")
        event_id = given if isinstance(given, str) else None
        for key in EPC_LISTS:
            epcs = event.get(key)
            if not isinstance(epcs, list) or not all(isinstance(epc, str) for epc in epcs):
                continue  # not a list of URIs: the validator says what is wrong with it
            once = list(dict.fromkeys(epcs))
            if len(once) == len(epcs):
                continue
            event[key] = once
            for epc, count in _repeated(epcs).items():
                notes.append(
                    EventProblem(
                        index,
                        event_id,
                        key,
                        f'"{epc}" is named {count} times; kept once (an EPC names one object)',
                    )
                )
    return notes


def _repeated(epcs: list[str]) -> Mapping[str, int]:
    counts: dict[str, int] = {}
    for epc in epcs:
        counts[epc] = counts.get(epc, 0) + 1
    return {epc: count for epc, count in counts.items() if count > 1}
