"""Validation of EPCIS 2.0 JSON-LD documents: the official examples pass; documents broken by
one mutation of an official example are refused with the event, its eventID and the field
named; and the schema checks coded in :mod:`unitrace.epcis.validation` give the verdict the
official JSON Schema gives through jsonschema, on the examples, on every mutation of the table,
and on random mutations."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.epcis.official import schema_errors
from unitrace.epcis import (
    EventProblem,
    InvalidDocument,
    document_problems,
    event_problems,
    validate_document,
)

EXAMPLES = Path("epcis") / "JSON"
OBJECT = "Example_9.6.1-ObjectEvent.jsonld"
OBJECT_ID = (
    "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0"
)
OBJECT_ID_2 = (
    "ni:///sha-256;00e1e6eba3a7cc6125be4793a631f0af50f8322e0ab5f2c0bab994a11cec1d79?ver=CBV2.0"
)
DIGITAL_LINK = "WithDigitalLinkID/Example_9.6.1-ObjectEventWithDigitalLink.jsonld"
DIGITAL_LINK_ID = (
    "ni:///sha-256;9fa42e8bf64e1cfe152d582a248646ce0ad2b0c6826c7e8ed95442a7a1545f33?ver=CBV2.0"
)
AGGREGATION = "Example_9.6.3-AggregationEvent.jsonld"
AGGREGATION_ID = (
    "ni:///sha-256;87b5f18a69993f0052046d4687dfacdf48f7c988cfabda2819688c86b4066a49?ver=CBV2.0"
)
TRANSFORMATION = "WithFullCombinationOfFields/transformation_event_all_possible_fields.jsonld"
TRANSFORMATION_ID = (
    "ni:///sha-256;0bf4271d60ed65fb687e95f7216c4c0a4c1181c070f657d41385b6fbd93e97ef?ver=CBV2.0"
)
TRANSACTION = "Example-TransactionEvents-2020_07_03y.jsonld"
SENSOR = "WithSensorData/SensorDataExample1.jsonld"
SENSOR_ID = (
    "ni:///sha-256;74f1dc48ee22289bc40ddd9f1d0ecae0dd09a2f4c3dfa66fdbca16cb2d8a4e77?ver=CBV2.0"
)
ASSOCIATION = "AssociationEvent/AssociationEvent-a.jsonld"
ASSOCIATION_ID = (
    "ni:///sha-256;025ac144187a8c5e14caf4d1cfa69250a33dc59a5bc42a68d31b1b5e55a3f15a?ver=CBV2.0"
)


# --- the official schema as the oracle --------------------------------------------------------


@cache
def _example_text(conformance: Path, name: str) -> str:
    return (conformance / EXAMPLES / name).read_text()


def example(conformance: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_example_text(conformance, name))
    return loaded


def all_examples(conformance: Path) -> list[str]:
    folder = conformance / EXAMPLES
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*.jsonld"))


def events_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    body = document["epcisBody"]
    if "queryResults" in body:
        events: list[dict[str, Any]] = body["queryResults"]["resultsBody"]["eventList"]
        return events
    listed: list[dict[str, Any]] = body["eventList"]
    return listed


# --- the examples -------------------------------------------------------------------------


@pytest.mark.conformance
def test_there_are_47_examples(conformance: Path) -> None:
    assert len(all_examples(conformance)) == 47


@pytest.mark.conformance
def test_every_example_is_valid(conformance: Path) -> None:
    problems = {
        name: [str(problem) for problem in document_problems(example(conformance, name))]
        for name in all_examples(conformance)
    }
    assert {name: found for name, found in problems.items() if found} == {}


# --- documents broken by one mutation ---------------------------------------------------------


def _event(index: int = 0) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda document: events_of(document)[index]


def _set(key: str, value: Any, index: int = 0) -> Callable[[dict[str, Any]], None]:
    return lambda document: events_of(document)[index].__setitem__(key, value)


def _delete(key: str, index: int = 0) -> Callable[[dict[str, Any]], None]:
    return lambda document: events_of(document)[index].__delitem__(key)


def _edit(change: Callable[[dict[str, Any]], None], index: int = 0) -> Callable[..., None]:
    return lambda document: change(events_of(document)[index])


def _top(key: str, value: Any = None) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        if value is None:
            del document[key]
        else:
            document[key] = value

    return change


def _without_outputs(event: dict[str, Any]) -> None:
    del event["outputEPCList"]
    del event["outputQuantityList"]


E0 = f"event 0 ({OBJECT_ID}): "
NOT_IN_SCOPE = (
    "is not declared in the @context in scope (the document's, the event's or an enclosing "
    "object's)"
)
E1 = f"event 1 ({OBJECT_ID_2}): "
DL0 = f"event 0 ({DIGITAL_LINK_ID}): "
AG0 = f"event 0 ({AGGREGATION_ID}): "
TF0 = f"event 0 ({TRANSFORMATION_ID}): "
SE0 = f"event 0 ({SENSOR_ID}): "
AS0 = f"event 0 ({ASSOCIATION_ID}): "
BAD_SGTIN = "urn:epc:id:sgtin:0614141.10734.2017"

#: (name, example, mutation, the problems validate_document reports, whether the official
#: schema refuses the mutated document too or only the rules beyond it do)
MUTATIONS: list[tuple[str, str, Callable[[dict[str, Any]], None], list[str], bool]] = [
    (
        "eventTime deleted",
        OBJECT,
        _delete("eventTime"),
        [E0 + "eventTime: is required, and missing"],
        True,
    ),
    (
        "eventTimeZoneOffset deleted",
        OBJECT,
        _delete("eventTimeZoneOffset", 1),
        [E1 + "eventTimeZoneOffset: is required, and missing"],
        True,
    ),
    ("action deleted", OBJECT, _delete("action"), [E0 + "action: is required, and missing"], True),
    (
        "action in lower case",
        OBJECT,
        _set("action", "observe"),
        [E0 + 'action: "observe" is not an action (ADD, OBSERVE, DELETE)'],
        True,
    ),
    (
        "epcList not an array",
        OBJECT,
        _set("epcList", "urn:epc:id:sgtin:0614141.107346.2017"),
        [E0 + 'epcList: must be an array, not "urn:epc:id:sgtin:0614141.107346.2017"'],
        True,
    ),
    (
        "epcList holding a number",
        OBJECT,
        _set("epcList", [42]),
        [E0 + "epcList[0]: must be a URI string, not 42"],
        True,
    ),
    (
        "malformed SGTIN",
        OBJECT,
        _set("epcList", ["urn:epc:id:sgtin:0614141.107346.2017", BAD_SGTIN]),
        [
            E0 + f'epcList[1]: "{BAD_SGTIN}": EPC URI: company prefix and item reference have '
            "12 digits together; an SGTIN needs 13"
        ],
        False,
    ),
    (
        "an EPC named twice",
        OBJECT,
        _set("epcList", ["urn:epc:id:sgtin:0614141.107346.2017"] * 2),
        [E0 + 'epcList: "urn:epc:id:sgtin:0614141.107346.2017" is named twice'],
        True,
    ),
    (
        "Digital Link with a bad check digit",
        DIGITAL_LINK,
        _set("epcList", ["https://id.gs1.org/01/70614141123452/21/2017"]),
        [
            DL0 + 'epcList[0]: "https://id.gs1.org/01/70614141123452/21/2017": AI (01): check '
            "digit 1 expected, got 2"
        ],
        False,
    ),
    (
        "bizStep misspelt",
        OBJECT,
        _set("bizStep", "shiping"),
        [E0 + 'bizStep: "shiping" is not a CBV 2.0 business step'],
        True,
    ),
    (
        "bizStep as a CBV URI",
        OBJECT,
        _set("bizStep", "urn:epcglobal:cbv:bizstep:shipping"),
        [
            E0 + 'bizStep: "urn:epcglobal:cbv:bizstep:shipping": CBV words are written bare in '
            "JSON-LD, without their URI"
        ],
        True,
    ),
    (
        "disposition with a space",
        OBJECT,
        _set("disposition", "in transit"),
        [E0 + 'disposition: "in transit" is not a CBV 2.0 disposition'],
        True,
    ),
    (
        "offset +25:00",
        OBJECT,
        _set("eventTimeZoneOffset", "+25:00"),
        [E0 + 'eventTimeZoneOffset: "+25:00" is not an offset ±HH:MM within -12:00…+14:00'],
        True,
    ),
    (
        "offset -13:00, which the schema lets through",
        OBJECT,
        _set("eventTimeZoneOffset", "-13:00"),
        [E0 + 'eventTimeZoneOffset: "-13:00" is not an offset ±HH:MM within -12:00…+14:00'],
        False,
    ),
    (
        "eventTime without its offset",
        OBJECT,
        _set("eventTime", "2005-04-03T20:33:31.116"),
        [
            E0
            + 'eventTime: "2005-04-03T20:33:31.116" is not a date-time with its UTC offset (RFC 3339)'
        ],
        True,
    ),
    (
        "eventTime on 30 February",
        OBJECT,
        _set("eventTime", "2005-02-30T20:33:31.116-06:00"),
        [
            E0 + 'eventTime: "2005-02-30T20:33:31.116-06:00" is not a date-time with its UTC '
            "offset (RFC 3339)"
        ],
        True,
    ),
    (
        "recordTime a number",
        OBJECT,
        _set("recordTime", 1112582011),
        [E0 + "recordTime: 1112582011 is not a date-time with its UTC offset (RFC 3339)"],
        True,
    ),
    (
        "eventID not a URI",
        OBJECT,
        _set("eventID", "event 1"),
        ['event 0 (event 1): eventID: "event 1" is not a URI'],
        True,
    ),
    (
        "action on a TransformationEvent",
        TRANSFORMATION,
        _set("action", "ADD"),
        [TF0 + "action: a TransformationEvent has no action"],
        True,
    ),
    (
        "ILMD on an OBSERVE",
        OBJECT,
        _set("ilmd", {"cbvmda:lotNumber": "L1"}),
        [
            E0
            + "ilmd: only an ADD event, which creates the objects, carries ILMD; this one is OBSERVE"
        ],
        True,
    ),
    (
        "ILMD on a transformation with no outputs",
        TRANSFORMATION,
        _edit(_without_outputs),
        [TF0 + "ilmd: only outputs, which the transformation creates, get ILMD"],
        False,
    ),
    (
        "transformation with inputs only and no transformationID",
        TRANSFORMATION,
        _edit(
            lambda event: (
                _without_outputs(event),
                event.pop("ilmd"),
                event.pop("transformationID"),
            )
        ),
        [
            TF0 + "inputEPCList: a TransformationEvent names inputs and outputs, or one of them "
            "and a transformationID"
        ],
        True,
    ),
    (
        "aggregation ADD without children",
        AGGREGATION,
        _edit(
            lambda event: (
                event.update(action="ADD"),
                event.pop("childEPCs"),
                event.pop("childQuantityList"),
            )
        ),
        [
            AG0
            + "childEPCs: an ADD AggregationEvent names its children (childEPCs or childQuantityList)"
        ],
        True,
    ),
    (
        "aggregation with the parent among the children",
        AGGREGATION,
        _set(
            "childEPCs",
            ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sscc:0614141.1234567890"],
        ),
        [AG0 + 'childEPCs: "urn:epc:id:sscc:0614141.1234567890" cannot be a child of itself'],
        False,
    ),
    (
        "association with a child named twice",
        ASSOCIATION,
        _set("childEPCs", ["urn:epc:id:giai:4000001.12345"] * 2),
        [AS0 + 'childEPCs: "urn:epc:id:giai:4000001.12345" is named twice'],
        False,
    ),
    (
        "association without a parent",
        ASSOCIATION,
        _delete("parentID"),
        [AS0 + "parentID: is required, and missing"],
        True,
    ),
    (
        "transaction without business transactions",
        TRANSACTION,
        _delete("bizTransactionList"),
        ["event 0: bizTransactionList: is required, and missing"],
        True,
    ),
    (
        "transaction with an empty list of them",
        TRANSACTION,
        _set("bizTransactionList", []),
        ["event 0: bizTransactionList: must hold at least 1 item"],
        True,
    ),
    (
        "readPoint without its id",
        OBJECT,
        _set("readPoint", {"example:id": "urn:epc:id:sgln:0614141.07346.1234"}),
        [E0 + "readPoint.id: is required, and missing"],
        True,
    ),
    (
        "readPoint SGLN cut short",
        OBJECT,
        _set("readPoint", {"id": "urn:epc:id:sgln:0614141.07346"}),
        [
            E0 + 'readPoint.id: "urn:epc:id:sgln:0614141.07346": EPC URI: expected 3 fields '
            "CP.LocRef.Ext, got '0614141.07346'"
        ],
        False,
    ),
    (
        "a source with a field of its own",
        TRANSACTION,
        _edit(lambda event: event["sourceList"][0].update(note="x"), 1),
        ["event 1: sourceList[0].note: is not a field EPCIS 2.0 allows here"],
        True,
    ),
    (
        "a destination type outside the CBV",
        TRANSACTION,
        _edit(lambda event: event["destinationList"][0].update(type="buyer"), 1),
        ['event 1: destinationList[0].type: "buyer" is not a CBV 2.0 source/destination type'],
        True,
    ),
    (
        "a quantity written as text",
        AGGREGATION,
        _edit(lambda event: event["childQuantityList"][0].update(quantity="10")),
        [AG0 + 'childQuantityList[0].quantity: must be a number, not "10"'],
        True,
    ),
    (
        "a unit of measure in lower case",
        AGGREGATION,
        _edit(lambda event: event["childQuantityList"][0].update(uom="kg")),
        [AG0 + 'childQuantityList[0].uom: "kg" is not a UN/CEFACT Recommendation 20 unit code'],
        True,
    ),
    (
        "a malformed class URI",
        AGGREGATION,
        _edit(
            lambda event: event["childQuantityList"][0].update(
                epcClass="urn:epc:class:lgtin:4012345.0987.LOT"
            )
        ),
        [
            AG0 + 'childQuantityList[0].epcClass: "urn:epc:class:lgtin:4012345.0987.LOT": EPC '
            "URI: company prefix and item reference have 11 digits together; an SGTIN needs 13"
        ],
        False,
    ),
    (
        "a persistent disposition outside the CBV",
        TRANSFORMATION,
        _set("persistentDisposition", {"set": ["damage"]}),
        [TF0 + 'persistentDisposition.set[0]: "damage" is not a CBV 2.0 disposition'],
        True,
    ),
    (
        "an empty persistent disposition",
        TRANSFORMATION,
        _set("persistentDisposition", {}),
        [TF0 + "persistentDisposition: needs set, unset or both"],
        True,
    ),
    (
        "a sensor report of no known type",
        SENSOR,
        _edit(lambda event: event["sensorElementList"][0]["sensorReport"][0].update(type="Temp")),
        [
            SE0 + 'sensorElementList[0].sensorReport[0].type: "Temp" is not a GS1 Web '
            "Vocabulary measurement type"
        ],
        True,
    ),
    (
        "a sensor value written as text",
        SENSOR,
        _edit(lambda event: event["sensorElementList"][1]["sensorReport"][2].update(value="26")),
        [SE0 + 'sensorElementList[1].sensorReport[2].value: must be a number, not "26"'],
        True,
    ),
    (
        "a sensor unit that is no UN/CEFACT code",
        SENSOR,
        _edit(lambda event: event["sensorElementList"][0]["sensorReport"][0].update(uom="°C")),
        [
            SE0 + 'sensorElementList[0].sensorReport[0].uom: "°C" is not a UN/CEFACT '
            "Recommendation 20 unit code"
        ],
        False,
    ),
    (
        "a sensor element without reports",
        SENSOR,
        _edit(lambda event: event["sensorElementList"][0].pop("sensorReport")),
        [SE0 + "sensorElementList[0].sensorReport: is required, and missing"],
        True,
    ),
    (
        "an error declaration without its time",
        OBJECT,
        _set("errorDeclaration", {"reason": "incorrect_data"}),
        [E0 + "errorDeclaration.declarationTime: is required, and missing"],
        True,
    ),
    (
        "an error reason outside the CBV",
        OBJECT,
        _set("errorDeclaration", {"declarationTime": "2006-11-07T14:00:00Z", "reason": "typo"}),
        [E0 + 'errorDeclaration.reason: "typo" is not a CBV 2.0 error reason'],
        True,
    ),
    (
        "certificationInfo a number",
        OBJECT,
        _set("certificationInfo", 5),
        [E0 + "certificationInfo: must be a URI string, not 5"],
        True,
    ),
    (
        "a field name in the wrong case",
        OBJECT,
        _edit(lambda event: event.update(bizstep=event.pop("bizStep"))),
        [
            E0
            + "bizstep: is not a field of a ObjectEvent in EPCIS 2.0, nor an extension (prefix:name)"
        ],
        True,
    ),
    (
        "an extension under an undeclared prefix",
        OBJECT,
        _set("ext9:thing", {"example:inner": 1, "ext8:deeper": 2}, 1),
        [
            E1 + 'ext9:thing: prefix "ext9" ' + NOT_IN_SCOPE,
            E1 + 'ext9:thing.ext8:deeper: prefix "ext8" ' + NOT_IN_SCOPE,
        ],
        False,
    ),
    (
        "an event type misspelt",
        OBJECT,
        _set("type", "ObjectEvents"),
        [
            E0 + 'type: "ObjectEvents" is not an EPCIS 2.0 event type (ObjectEvent, '
            "AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent)"
        ],
        True,
    ),
    (
        "an event type of a partner's own",
        OBJECT,
        _set("type", "https://example.com/MyEvent"),
        [
            E0 + 'type: "https://example.com/MyEvent" is not an event type unitrace keeps '
            "(ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, "
            "AssociationEvent)"
        ],
        False,
    ),
    (
        "creationDate deleted",
        OBJECT,
        _top("creationDate"),
        ["creationDate: is required, and missing"],
        True,
    ),
    (
        "schemaVersion in words",
        OBJECT,
        _top("schemaVersion", "two"),
        ['schemaVersion: "two" is not a version such as 2.0'],
        True,
    ),
    (
        "a top-level field of no namespace",
        OBJECT,
        _top("comment", "hello"),
        ["comment: is not a field of an EPCISDocument, nor an extension (prefix:name)"],
        True,
    ),
    (
        "a document type misspelt",
        OBJECT,
        _top("type", "EPCISDoc"),
        ['type: "EPCISDoc" is not EPCISDocument or EPCISQueryDocument'],
        True,
    ),
]


@pytest.mark.conformance
@pytest.mark.parametrize(
    ("name", "mutate", "expected"),
    [(row[1], row[2], row[3]) for row in MUTATIONS],
    ids=[row[0] for row in MUTATIONS],
)
def test_broken_documents_are_refused(
    conformance: Path,
    name: str,
    mutate: Callable[[dict[str, Any]], None],
    expected: list[str],
) -> None:
    document = example(conformance, name)
    mutate(document)
    with pytest.raises(InvalidDocument) as refused:
        validate_document(document)
    assert [str(problem) for problem in refused.value.problems] == expected
    assert str(refused.value) == "\n".join(expected)


@pytest.mark.conformance
@pytest.mark.parametrize(
    ("name", "mutate", "schema_refuses"),
    [(row[1], row[2], row[4]) for row in MUTATIONS],
    ids=[row[0] for row in MUTATIONS],
)
def test_the_schema_checks_agree_with_the_official_schema(
    conformance: Path, name: str, mutate: Callable[[dict[str, Any]], None], schema_refuses: bool
) -> None:
    """The mutations the table marks as the schema's are refused by jsonschema too, and by
    the schema checks alone; the others pass both, and only the rules refuse them."""
    document = example(conformance, name)
    mutate(document)
    ours = [str(problem) for problem in document_problems(document, rules=False)]
    theirs = schema_errors(conformance, document)
    assert (bool(ours), bool(theirs)) == (schema_refuses, schema_refuses), (ours, theirs)


@pytest.mark.conformance
@pytest.mark.parametrize("name", [OBJECT, TRANSFORMATION, SENSOR, AGGREGATION])
def test_every_example_passes_the_official_schema(conformance: Path, name: str) -> None:
    """The oracle is not vacuous: it passes examples the mutations above are made from."""
    assert schema_errors(conformance, example(conformance, name)) == []


# Random mutations of the examples: a field deleted, or a value replaced by another JSON value.
_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.sampled_from(
        [
            "",
            "ADD",
            "DELETE",
            "shipping",
            "in_transit",
            "urn:epc:id:sgtin:0614141.107346.2017",
            "https://example.com/x",
            "2005-04-03T20:33:31.116-06:00",
            "+01:00",
            "-14:00",
            "ext1:x",
            "KGM",
            "Temperature",
            "not a uri",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "type", "ext1:a", "x"]), inner, max_size=2)
    ),
    max_leaves=4,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


@pytest.mark.conformance
@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_mutations_get_the_official_schemas_verdict(conformance: Path, data: Any) -> None:
    name = data.draw(st.sampled_from(all_examples(conformance)))
    document = example(conformance, name)
    path = data.draw(st.sampled_from(_paths(document)))
    holder: Any = document
    for step in path[:-1]:
        holder = holder[step]
    if data.draw(st.booleans()) and isinstance(holder, dict):
        del holder[path[-1]]
    else:
        holder[path[-1]] = data.draw(_JSON_VALUES)
    ours = [str(problem) for problem in document_problems(document, rules=False)]
    theirs = schema_errors(conformance, document)
    assert bool(ours) == bool(theirs), (path, ours, theirs)


# --- problems and their names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (EventProblem(3, "urn:uuid:1", "bizStep", "x"), "event 3 (urn:uuid:1): bizStep: x"),
        (EventProblem(0, None, "action", "x"), "event 0: action: x"),
        (EventProblem(None, "urn:uuid:1", "action", "x"), "event (urn:uuid:1): action: x"),
        (EventProblem(None, None, "creationDate", "x"), "creationDate: x"),
    ],
)
def test_problem_names(problem: EventProblem, text: str) -> None:
    assert str(problem) == text


def test_an_event_that_is_no_object() -> None:
    assert event_problems(["ObjectEvent"], {}, index=2) == [
        EventProblem(2, None, "event", "must be an object, not ['ObjectEvent']")
    ]


def test_every_problem_of_an_event_is_reported() -> None:
    event = {
        "type": "ObjectEvent",
        "eventID": "urn:uuid:1",
        "eventTime": "yesterday",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
        "bizStep": "shiping",
        "disposition": "lost",
    }
    assert [str(problem) for problem in event_problems(event, {}, index=7)] == [
        'event 7 (urn:uuid:1): eventTime: "yesterday" is not a date-time with its UTC offset '
        "(RFC 3339)",
        'event 7 (urn:uuid:1): bizStep: "shiping" is not a CBV 2.0 business step',
        'event 7 (urn:uuid:1): disposition: "lost" is not a CBV 2.0 disposition',
        "event 7 (urn:uuid:1): eventTimeZoneOffset: is required, and missing",
        "event 7 (urn:uuid:1): action: is required, and missing",
    ]


def test_a_document_that_is_no_object() -> None:
    assert [str(problem) for problem in document_problems([])] == [
        "document: must be an object, not []"
    ]


def test_a_query_document_without_results() -> None:
    document = {
        "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "type": "EPCISQueryDocument",
        "epcisBody": {"queryResults": {"resultsBody": {"eventList": [{"type": "ObjectEvent"}]}}},
    }
    assert [str(problem) for problem in document_problems(copy.deepcopy(document))] == [
        "epcisBody.queryResults.queryName: is required, and missing",
        "event 0: eventTime: is required, and missing",
        "event 0: eventTimeZoneOffset: is required, and missing",
        "event 0: action: is required, and missing",
        "event 0: epcList: an ObjectEvent names its objects: epcList, quantityList, or sensor "
        "readings with a readPoint",
    ]
