"""What a party is shown of an event it may see: the EPCs of the units and containers it holds
or held (:mod:`unitrace.store.held_epcs`), never another's. A commissioning event naming a
thousand units, seen by a distributor because it holds one of them, shows that one.

The EPCs withheld are taken out of the event's EPC lists (``epcList``, ``childEPCs``,
``inputEPCList``, ``outputEPCList``); quantity lists name classes, not serials, and stay. The
answer says so, as an EPCIS user extension a partner's program can read and one that does not
know it can ignore: ``unitrace:redactedEPCs``, the number of EPCs withheld from the event, in
the namespace :data:`NAMESPACE`, declared in the answer's ``@context`` (an element of that
namespace in XML). The event stays valid against the official EPCIS 2.0 JSON Schema and XSD
and keeps its meaning: where the standard wants an EPC the party may not see (a withheld
``parentID``; the children of an aggregation or association that is no ``DELETE`` and has no
child quantities; the inputs or outputs of a transformation left with none) it holds the one
URI :data:`WITHHELD_EPC`, which is no EPC, so no program takes it for one.

>>> redacted({"type": "ObjectEvent", "action": "ADD", "epcList": ["urn:a", "urn:b"]},
...          frozenset({"urn:b"}))  # doctest: +NORMALIZE_WHITESPACE
{'type': 'ObjectEvent', 'action': 'ADD', 'epcList': ['urn:b'], 'unitrace:redactedEPCs': 1,
 '@context': [{'unitrace': 'urn:unitrace:epcis:'}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from unitrace.epcis.documents import namespaces_of

#: The namespace of unitrace's own EPCIS extensions, and the prefix it is given.
NAMESPACE: Final = "urn:unitrace:epcis:"
PREFIX: Final = "unitrace"
#: The extension that counts the EPCs withheld from an event.
REDACTED_EPCS: Final = "redactedEPCs"
#: What stands where the standard wants an EPC and the one there is withheld.
WITHHELD_EPC: Final = NAMESPACE + "withheldEPC"

#: The EPC lists of an event, as each event type has them.
EPC_LISTS: Final = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
#: Event types whose children the official JSON Schema wants unless a child quantity is
#: given or the action is DELETE.
_CHILDREN_WANTED: Final = frozenset({"AggregationEvent", "AssociationEvent"})


def redacted(event: Mapping[str, Any], shown: frozenset[str]) -> dict[str, Any]:
    """``event`` (an eventList entry) with only the EPCs in ``shown``, saying how many were
    withheld; the event as it is where none was."""
    written = dict(event)
    withheld = 0
    emptied: list[str] = []
    for key in EPC_LISTS:
        listed = written.get(key)
        if not isinstance(listed, list):
            continue
        kept = [epc for epc in listed if epc in shown]
        if len(kept) < len(listed):
            withheld += len(listed) - len(kept)
            written[key] = kept
            if not kept:
                emptied.append(key)
    parent = written.get("parentID")
    if isinstance(parent, str) and parent not in shown:
        withheld += 1
        written["parentID"] = WITHHELD_EPC
    if not withheld:
        return dict(event)
    for key in _standing_in(written, emptied):
        written[key] = [WITHHELD_EPC]
    prefix = _prefix_free_in(written.get("@context"))
    written[f"{prefix}:{REDACTED_EPCS}"] = withheld
    context = written.get("@context")
    entries = [] if context is None else list(context) if isinstance(context, list) else [context]
    written["@context"] = [*entries, {prefix: NAMESPACE}]
    return written


def _standing_in(event: Mapping[str, Any], emptied: list[str]) -> list[str]:
    """Of the lists redaction emptied, those the official JSON Schema wants an entry in."""
    kind = event.get("type")
    if kind in _CHILDREN_WANTED:
        quantities = event.get("childQuantityList")
        if "childEPCs" in emptied and event.get("action") != "DELETE" and not quantities:
            return ["childEPCs"]
    if kind == "TransformationEvent":
        lists = ("inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList")
        if emptied and not any(event.get(key) for key in lists):
            return emptied[:1]
    return []


def _prefix_free_in(context: Any) -> str:
    """:data:`PREFIX`, unless the event's own ``@context`` gives it to another namespace:
    then the first of ``unitrace2``, ``unitrace3``… it leaves free."""
    taken = namespaces_of(context) if context is not None else {}
    prefix, number = PREFIX, 1
    while taken.get(prefix, NAMESPACE) != NAMESPACE:
        number += 1
        prefix = f"{PREFIX}{number}"
    return prefix
