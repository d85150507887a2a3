"""What a party is shown of an event: the EPCs it holds or held, the others withheld and
counted, and an EPC that stands in where the official schema wants one; each event type's
lists, parentID, and the namespace prefix of the count."""

from __future__ import annotations

from typing import Any

import pytest

from unitrace.services.epcis_redaction import NAMESPACE, WITHHELD_EPC, redacted

MINE, THEIRS, OTHER = "urn:epc:id:sgtin:9506000.013435.M1", "urn:x:theirs", "urn:x:other"
DECLARED = [{"unitrace": NAMESPACE}]


def event(type_: str, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "eventID": "urn:uuid:e", **fields}


#: (event, the EPCs shown, the event as shown)
CASES: list[tuple[dict[str, Any], set[str], dict[str, Any]]] = [
    # nothing withheld: the event as it is, no count
    (event("ObjectEvent", action="ADD", epcList=[MINE]), {MINE}, event("ObjectEvent", action="ADD", epcList=[MINE])),
    (
        event("ObjectEvent", action="ADD", epcList=[MINE, THEIRS, OTHER]),
        {MINE},
        event("ObjectEvent", action="ADD", epcList=[MINE], **{"unitrace:redactedEPCs": 2, "@context": DECLARED}),
    ),
    # an ObjectEvent and a TransactionEvent may list no EPC
    (
        event("ObjectEvent", action="OBSERVE", epcList=[THEIRS]),
        set(),
        event("ObjectEvent", action="OBSERVE", epcList=[], **{"unitrace:redactedEPCs": 1, "@context": DECLARED}),
    ),
    (
        event("TransactionEvent", action="ADD", parentID=THEIRS, epcList=[MINE]),
        {MINE},
        event("TransactionEvent", action="ADD", parentID=WITHHELD_EPC, epcList=[MINE], **{"unitrace:redactedEPCs": 1, "@context": DECLARED}),
    ),
    # an aggregation keeps a parent, and a child unless it is a DELETE or counts children
    (
        event("AggregationEvent", action="ADD", parentID=MINE, childEPCs=[THEIRS, OTHER]),
        {MINE},
        event("AggregationEvent", action="ADD", parentID=MINE, childEPCs=[WITHHELD_EPC], **{"unitrace:redactedEPCs": 2, "@context": DECLARED}),
    ),
    (
        event("AggregationEvent", action="DELETE", parentID=MINE, childEPCs=[THEIRS]),
        {MINE},
        event("AggregationEvent", action="DELETE", parentID=MINE, childEPCs=[], **{"unitrace:redactedEPCs": 1, "@context": DECLARED}),
    ),
    (
        event("AggregationEvent", action="ADD", parentID=THEIRS, childEPCs=[THEIRS], childQuantityList=[{"epcClass": "urn:epc:class:lgtin:9506000.013435.L1", "quantity": 2}]),
        set(),
        event("AggregationEvent", action="ADD", parentID=WITHHELD_EPC, childEPCs=[], childQuantityList=[{"epcClass": "urn:epc:class:lgtin:9506000.013435.L1", "quantity": 2}], **{"unitrace:redactedEPCs": 2, "@context": DECLARED}),
    ),
    (
        event("AssociationEvent", action="ADD", parentID="urn:epc:id:giai:9506000.99", childEPCs=[MINE]),
        {MINE},
        event("AssociationEvent", action="ADD", parentID=WITHHELD_EPC, childEPCs=[MINE], **{"unitrace:redactedEPCs": 1, "@context": DECLARED}),
    ),
    # a transformation keeps one input or output
    (
        event("TransformationEvent", inputEPCList=[THEIRS], outputEPCList=[OTHER]),
        set(),
        event("TransformationEvent", inputEPCList=[WITHHELD_EPC], outputEPCList=[], **{"unitrace:redactedEPCs": 2, "@context": DECLARED}),
    ),
    (
        event("TransformationEvent", inputEPCList=[THEIRS], outputEPCList=[MINE]),
        {MINE},
        event("TransformationEvent", inputEPCList=[], outputEPCList=[MINE], **{"unitrace:redactedEPCs": 1, "@context": DECLARED}),
    ),
    (
        event("TransformationEvent", inputEPCList=[THEIRS], outputQuantityList=[{"epcClass": "urn:epc:class:lgtin:9506000.013435.L2", "quantity": 5}]),
        set(),
        event("TransformationEvent", inputEPCList=[], outputQuantityList=[{"epcClass": "urn:epc:class:lgtin:9506000.013435.L2", "quantity": 5}], **{"unitrace:redactedEPCs": 1, "@context": DECLARED}),
    ),
    # an event's own context keeps its entries, and the prefix if it means something else
    (
        event("ObjectEvent", action="OBSERVE", epcList=[THEIRS], **{"@context": [{"ext": "https://ns.example.com/"}], "ext:t": 4}),
        set(),
        event("ObjectEvent", action="OBSERVE", epcList=[], **{"@context": [{"ext": "https://ns.example.com/"}, {"unitrace": NAMESPACE}], "ext:t": 4, "unitrace:redactedEPCs": 1}),
    ),
    (
        event("ObjectEvent", action="OBSERVE", epcList=[THEIRS], **{"@context": {"unitrace": "https://partner.example/"}, "unitrace:lane": "3"}),
        set(),
        event("ObjectEvent", action="OBSERVE", epcList=[], **{"@context": [{"unitrace": "https://partner.example/"}, {"unitrace2": NAMESPACE}], "unitrace:lane": "3", "unitrace2:redactedEPCs": 1}),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("given", "shown", "expected"), CASES)
def test_an_event_shows_only_the_epcs_its_viewer_holds_or_held(
    given: dict[str, Any], shown: set[str], expected: dict[str, Any]
) -> None:
    before = repr(given)
    assert redacted(given, frozenset(shown)) == expected
    assert repr(given) == before  # the event found is left as it was
