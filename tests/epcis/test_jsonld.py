"""Reading EPCIS 2.0 JSON-LD into the model and writing it back: every official example comes
back as it was, and what is written is valid against the official JSON Schema."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.epcis.test_validation import (
    _JSON_VALUES,
    _paths,
    all_examples,
    events_of,
    example,
    schema_errors,
)
from unitrace.epcis import (
    EPCIS_CONTEXT,
    EVENT_TYPES,
    Action,
    AggregationEvent,
    AssociationEvent,
    BizStep,
    BizTransaction,
    Disposition,
    EpcisDocument,
    ErrorDeclaration,
    Ilmd,
    InvalidDocument,
    ObjectEvent,
    PersistentDisposition,
    QuantityElement,
    QueryResults,
    SensorElement,
    SensorMetadata,
    SensorReport,
    SourceDest,
    TransactionEvent,
    TransformationEvent,
    document_problems,
    query_document,
    read_document,
    read_event,
    validate_document,
)

QUERY_DOCUMENT = "EPCISQueryDocument.jsonld"
UTC = dt.UTC
MINUS_6 = dt.timezone(dt.timedelta(hours=-6))


@pytest.mark.conformance
def test_every_example_comes_back_as_it_was(conformance: Path) -> None:
    changed = []
    for name in all_examples(conformance):
        sent = example(conformance, name)
        if validate_document(sent).document() != sent or read_document(sent).document() != sent:
            changed.append(name)
    assert changed == []


@pytest.mark.conformance
def test_every_event_of_every_example_comes_back_as_it_was(conformance: Path) -> None:
    changed = []
    for name in all_examples(conformance):
        sent = example(conformance, name)
        namespaces = read_document(sent).namespaces
        changed += [
            (name, index)
            for index, event in enumerate(events_of(sent))
            if read_event(event, namespaces).document() != event
        ]
    assert changed == []


@pytest.mark.conformance
def test_what_is_written_is_valid_against_the_official_schema(conformance: Path) -> None:
    errors = {
        name: schema_errors(conformance, read_document(example(conformance, name)).document())
        for name in all_examples(conformance)
    }
    assert {name: found for name, found in errors.items() if found} == {}


@pytest.mark.conformance
def test_the_examples_read_into_the_model(conformance: Path) -> None:
    """A sample of what the model holds, compared whole: the first event of the ObjectEvent
    example, and the type of every event of every example."""
    read = read_document(example(conformance, "Example_9.6.1-ObjectEvent.jsonld"))
    assert read.events[0] == ObjectEvent(
        event_id="ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0",
        event_time=dt.datetime(2005, 4, 3, 20, 33, 31, 116_000, tzinfo=MINUS_6),
        event_time_zone_offset="-06:00",
        action=Action.OBSERVE,
        biz_step=BizStep.SHIPPING,
        disposition=Disposition.IN_TRANSIT,
        epc_list=("urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"),
        read_point="urn:epc:id:sgln:0614141.07346.1234",
        biz_transaction_list=(BizTransaction("http://transaction.acme.com/po/12345678", "po"),),
        context=None,
    )
    assert (read.id, read.creation_date, read.namespaces) == (
        "https://id.example.org/document1",
        dt.datetime(2005, 7, 11, 11, 30, 47, tzinfo=UTC),
        {"example": "http://ns.example.com/epcis/"},
    )
    types: dict[str, int] = {}
    for name in all_examples(conformance):
        for event in read_document(example(conformance, name)).events:
            types[type(event).__name__] = types.get(type(event).__name__, 0) + 1
    assert types == {
        "ObjectEvent": 32,
        "AssociationEvent": 10,
        "TransformationEvent": 6,
        "TransactionEvent": 4,
        "AggregationEvent": 4,
    }


@pytest.mark.conformance
def test_the_fullest_object_event(conformance: Path) -> None:
    read = read_document(
        example(conformance, "WithFullCombinationOfFields/object_event_all_possible_fields.jsonld")
    )
    event = read.events[0]
    assert isinstance(event, ObjectEvent)
    assert (read.sender, read.receiver, read.instance_identifier) == (
        "urn:epc:id:sgln:0353579.00001.0",
        "urn:epc:id:sgln:5012345.00001.0",
        "1234567890",
    )
    assert event.quantity_list == (
        QuantityElement("urn:epc:class:lgtin:4012345.012345.998877", 200, "KGM"),
    )
    assert event.persistent_disposition == PersistentDisposition(
        set=("completeness_verified",), unset=("completeness_inferred",)
    )
    assert event.error_declaration == ErrorDeclaration(
        declaration_time=dt.datetime(2006, 11, 7, 13, 0, tzinfo=UTC),
        reason="incorrect_data",
        corrective_event_ids=(
            "ni:///sha-256;fec9667280c4710a3fa9558b7bc8ddc2ced0dc442d87f82becae24bb6ca6a46f?ver=CBV2.0",
        ),
    )
    assert event.source_list == (
        SourceDest("location", "urn:epc:id:sgln:4012345.00225.0"),
        SourceDest("possessing_party", "urn:epc:id:pgln:4012345.00225"),
        SourceDest("owning_party", "urn:epc:id:pgln:4012345.00225"),
    )
    assert event.ilmd is not None
    assert (event.ilmd.lot, event.ilmd.expiry, event.ilmd.attributes["cbvmda:countryOfOrigin"]) == (
        "ABC123",
        None,
        "GB",
    )
    assert event.sensor_element_list is not None
    element = event.sensor_element_list[0]
    assert element.metadata is not None
    assert element.metadata.extensions == {"ext1:someFurtherMetadata": "someText"}
    report = element.reports[0]
    assert (report.type, report.value, report.uom, report.boolean_value, report.s_dev) == (
        "Temperature",
        26,
        "CEL",
        True,
        0.1,
    )
    assert sorted(event.extensions) == [
        "ext1:array",
        "ext1:boolean",
        "ext1:default",
        "ext1:float",
        "ext1:int",
        "ext1:object",
        "ext1:string",
        "ext1:time",
    ]


@pytest.mark.conformance
def test_a_query_document_as_the_rest_interface_answers(conformance: Path) -> None:
    sent = example(conformance, QUERY_DOCUMENT)
    read = read_document(sent)
    assert read.query_results == QueryResults(
        query_name="SimpleEventQuery", subscription_id="32d2aec1-a6d2-46d9-900a-24124288cce1"
    )
    answer = query_document(
        read.events,
        query_name="SimpleEventQuery",
        subscription_id="32d2aec1-a6d2-46d9-900a-24124288cce1",
        namespaces=read.namespaces,
        created=dt.datetime(2005, 7, 11, 11, 30, 47, tzinfo=UTC),
        document_id="https://id.example.org/document1",
    )
    assert answer["creationDate"] == "2005-07-11T11:30:47.000+00:00"
    assert {**answer, "creationDate": sent["creationDate"]} == sent
    assert schema_errors(conformance, answer) == []


@pytest.mark.conformance
def test_a_query_answer_of_built_events_is_valid(conformance: Path) -> None:
    """Built events name the EPCIS context themselves; the answer leaves that to the document."""
    events = [
        ObjectEvent(event_time=dt.datetime(2026, 1, 1, tzinfo=UTC), action=Action.OBSERVE),
        AggregationEvent(
            event_time=dt.datetime(2026, 1, 1, tzinfo=UTC),
            action=Action.DELETE,
            parent_id="urn:epc:id:sscc:0614141.1234567890",
        ),
    ]
    answer = query_document(
        events, query_name="SimpleEventQuery", created=dt.datetime(2026, 1, 2, tzinfo=UTC)
    )
    listed = answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert ["@context" in event for event in listed] == [False, False]
    assert answer["@context"] == [EPCIS_CONTEXT]
    assert schema_errors(conformance, answer) == []
    assert read_document(answer).events == tuple(replace(event, context=None) for event in events)


@pytest.mark.conformance
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_whatever_the_schema_accepts_comes_back_as_it_was(conformance: Path, data: Any) -> None:
    """Random mutations of the examples: each is read and written back unchanged, or refused
    where the schema checks find a problem or an event type is a partner's own (the model
    keeps the five of EPCIS 2.0)."""
    document = example(conformance, data.draw(st.sampled_from(all_examples(conformance))))
    path = data.draw(st.sampled_from(_paths(document)))
    holder: Any = document
    for step in path[:-1]:
        holder = holder[step]
    if data.draw(st.booleans()) and isinstance(holder, dict):
        del holder[path[-1]]
    else:
        holder[path[-1]] = data.draw(_JSON_VALUES)
    sent = copy.deepcopy(document)
    problems = document_problems(document, rules=False)
    if problems or any(event["type"] not in EVENT_TYPES for event in events_of(document)):
        with pytest.raises(InvalidDocument):
            read_document(document)
        return
    assert read_document(document).document() == sent


# --- times, as written ----------------------------------------------------------------------


def _object_event(**fields: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "epcList": [],
        "eventTime": "2026-05-04T09:30:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        **fields,
    }


@pytest.mark.parametrize(
    ("written", "at"),
    [
        ("2005-04-03T20:33:31.116000-06:00", dt.datetime(2005, 4, 3, 20, 33, 31, 116_000, MINUS_6)),
        ("2005-07-11T11:30:47.0Z", dt.datetime(2005, 7, 11, 11, 30, 47, tzinfo=UTC)),
        ("2005-07-11T11:30:47Z", dt.datetime(2005, 7, 11, 11, 30, 47, tzinfo=UTC)),
        (
            "2019-01-01T00:00:00.123456789+00:00",
            dt.datetime(2019, 1, 1, 0, 0, 0, 123_456, tzinfo=UTC),
        ),
    ],
)
def test_times_keep_their_spelling(written: str, at: dt.datetime) -> None:
    sent = _object_event(eventTime=written, recordTime=written)
    read = read_event(sent)
    assert (read.event_time, read.record_time) == (at, at)
    assert read.document() == sent


def test_an_event_time_in_utc_keeps_the_offset_of_its_place() -> None:
    read = read_event(
        _object_event(eventTime="2013-06-08T14:58:56.591Z", eventTimeZoneOffset="+02:00")
    )
    assert (read.event_time, read.event_time_zone_offset) == (
        dt.datetime(2013, 6, 8, 14, 58, 56, 591_000, tzinfo=UTC),
        "+02:00",
    )


def test_two_spellings_of_one_time_are_one_event() -> None:
    assert read_event(_object_event(eventTime="2026-05-04T01:30:00Z")) == read_event(
        _object_event(eventTime="2026-05-04T09:30:00.000000+08:00")
    )


@pytest.mark.parametrize(
    ("ilmd", "expected"),
    [
        (
            {"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2027-12-31"},
            Ilmd(lot="L1", expiry=dt.date(2027, 12, 31)),
        ),
        (
            {"cbvmda:itemExpirationDate": "20271231", "ext1:x": [1, {"ext1:y": True}]},
            Ilmd(
                attributes={
                    "cbvmda:itemExpirationDate": "20271231",
                    "ext1:x": [1, {"ext1:y": True}],
                }
            ),
        ),
        ({"cbvmda:lotNumber": 7}, Ilmd(attributes={"cbvmda:lotNumber": 7})),
        ({}, Ilmd()),
    ],
)
def test_ilmd_reads_lot_and_expiry_and_keeps_the_rest(ilmd: dict[str, Any], expected: Ilmd) -> None:
    sent = _object_event(action="ADD", ilmd=ilmd)
    read = read_event(sent, {"ext1": "http://example.com/ext1/"})
    assert isinstance(read, ObjectEvent)
    assert read.ilmd == expected
    assert read.document() == sent


def test_what_is_read_does_not_share_the_callers_dicts() -> None:
    sent = _object_event(
        **{"ext1:x": {"ext1:y": [1]}},
        readPoint={"id": "urn:epc:id:sgln:0614141.00001.0", "ext1:z": {"a": 1}},
    )
    read = read_event(sent)
    sent["ext1:x"]["ext1:y"].append(2)
    sent["readPoint"]["ext1:z"]["a"] = 2
    written = read.document()
    assert (written["ext1:x"], written["readPoint"]["ext1:z"]) == ({"ext1:y": [1]}, {"a": 1})
    written["ext1:x"]["ext1:y"].append(3)
    assert read.document()["ext1:x"] == {"ext1:y": [1]}


SSCC = "urn:epc:id:sscc:0614141.1234567890"


def _aggregation(**fields: Any) -> dict[str, Any]:
    event = _object_event(type="AggregationEvent", action="ADD", parentID=SSCC, **fields)
    if "epcList" not in fields:
        del event["epcList"]
    event.setdefault("childEPCs", ["urn:epc:id:sgtin:0614141.107346.2017"])
    return event


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            _object_event(action="observe"),
            'action: "observe" is not an action (ADD, OBSERVE, DELETE)',
        ),
        (
            {**_object_event(eventID="urn:uuid:1"), "eventTime": "2026-05-04"},
            'event (urn:uuid:1): eventTime: "2026-05-04" is not a date-time with its UTC offset '
            "(RFC 3339)",
        ),
        (
            _object_event(type="https://example.com/MyEvent"),
            'type: "https://example.com/MyEvent" is not an event type unitrace keeps '
            "(ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, "
            "AssociationEvent)",
        ),
        (
            _aggregation(epcList=[]),
            "epcList: is not a field of a AggregationEvent in EPCIS 2.0, nor an extension "
            "(prefix:name)",
        ),
        (
            _aggregation(childEPCs=[SSCC]),
            f"childEPCs: {SSCC} cannot be a child of itself",
        ),
    ],
)
def test_read_event_refuses_what_the_model_cannot_hold(event: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidDocument) as refused:
        read_event(event)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("namespaces", "validate", "problems"),
    [
        ({}, False, []),
        (
            {"ext1": "http://example.com/ext1/"},
            True,
            [
                'epcList[0]: "urn:epc:id:sgtin:0614141.10734.1": EPC URI: company prefix and '
                "item reference have 12 digits together; an SGTIN needs 13",
            ],
        ),
        (
            {},
            True,
            [
                'epcList[0]: "urn:epc:id:sgtin:0614141.10734.1": EPC URI: company prefix and '
                "item reference have 12 digits together; an SGTIN needs 13",
                'ext1:x: prefix "ext1" is not declared in the @context in scope (the '
                "document's, the event's or an enclosing object's)",
            ],
        ),
    ],
)
def test_read_event_applies_the_rules_when_asked(
    namespaces: dict[str, str], validate: bool, problems: list[str]
) -> None:
    event = _object_event(epcList=["urn:epc:id:sgtin:0614141.10734.1"], **{"ext1:x": 1})
    if not problems:
        assert read_event(event, namespaces, validate=validate).document() == event
        return
    with pytest.raises(InvalidDocument) as refused:
        read_event(event, namespaces, validate=validate)
    assert [str(problem) for problem in refused.value.problems] == problems


# --- built events come back too ---------------------------------------------------------------

AT = dt.datetime(2026, 5, 4, 9, 30, 15, 250_000, tzinfo=dt.timezone(dt.timedelta(hours=8)))
BUILT = [
    ObjectEvent(
        event_time=AT,
        action=Action.ADD,
        epc_list=None,
        quantity_list=(QuantityElement("urn:epc:class:lgtin:4012345.012345.998877", 2.5, "KGM"),),
        persistent_disposition=PersistentDisposition(set=(Disposition.CONFORMANT,)),
        ilmd=Ilmd(
            lot="L1", expiry=dt.date(2030, 1, 31), attributes={"cbvmda:countryOfOrigin": "MY"}
        ),
        record_time=AT,
        certification_info=("https://cert.example.com/1", "https://cert.example.com/2"),
        error_declaration=ErrorDeclaration(AT, "did_not_occur", ("urn:uuid:1",)),
        sensor_element_list=(
            SensorElement(
                (SensorReport(type="Temperature", value=4.5, uom="CEL", time=AT),),
                SensorMetadata(device_id="urn:epc:id:giai:4000001.111", start_time=AT),
            ),
        ),
        extensions={"ext1:note": "kept"},
    ),
    TransactionEvent(
        event_time=AT,
        action=Action.ADD,
        epc_list=("urn:epc:id:sgtin:0614141.107346.2017",),
        biz_transaction_list=(BizTransaction("urn:epc:id:gdti:0614141.00001.1618034", "po"),),
    ),
    TransformationEvent(
        event_time=AT,
        input_quantity_list=(
            QuantityElement("urn:epc:class:lgtin:4012345.011111.4444", 10, "KGM"),
        ),
        output_epc_list=("urn:epc:id:sgtin:4012345.077889.25",),
        transformation_id="urn:uuid:3e3c0f1c-7a1e-4c9b-9f50-2d31a1a3c4b5",
        ilmd=Ilmd(lot="OUT1"),
        read_point="urn:epc:id:sgln:4012345.00001.0",
        read_point_extensions={"ext1:gate": "4"},
    ),
    AssociationEvent(
        event_time=AT,
        action=Action.ADD,
        parent_id="urn:epc:id:grai:4012345.55555.987",
        child_epcs=("urn:epc:id:giai:4000001.12345",),
        biz_step=BizStep.ASSEMBLING,
    ),
]


@pytest.mark.parametrize("event", BUILT, ids=lambda event: type(event).__name__)
def test_built_events_come_back_as_they_were(event: Any) -> None:
    read = read_event(event.document(), {"ext1": "http://example.com/ext1/"})
    assert read == event
    assert read.document() == event.document()


@pytest.mark.conformance
def test_a_document_of_built_events_validates(conformance: Path) -> None:
    document = EpcisDocument(
        context=[EPCIS_CONTEXT, {"ext1": "http://example.com/ext1/"}],
        events=tuple(BUILT),
        creation_date=AT,
    ).document()
    assert schema_errors(conformance, document) == []
    assert validate_document(document).document() == document


# --- generated ObjectEvents ---------------------------------------------------------------

_SERIALS = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=1, max_size=20)
_EPCS = st.lists(
    _SERIALS.map(lambda serial: f"urn:epc:id:sgtin:9506000.013435.{serial}"),
    unique=True,
    max_size=5,
)
_PLACES = st.none() | st.integers(0, 99999).map(lambda n: f"urn:epc:id:sgln:9506000.{n:05d}.0")
_TIMES = st.datetimes(
    min_value=dt.datetime(1990, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.integers(-12 * 4, 14 * 4).map(lambda q: dt.timezone(dt.timedelta(minutes=15 * q))),
).map(lambda at: at.replace(microsecond=at.microsecond // 1000 * 1000))
_WORDS = st.none() | st.sampled_from(list(BizStep)) | st.just("https://example.com/steps/own")


@st.composite
def object_events(draw: st.DrawFn) -> ObjectEvent:
    action = draw(st.sampled_from(list(Action)))
    return ObjectEvent(
        event_id=draw(st.none() | st.uuids().map(lambda u: u.urn)),
        event_time=draw(_TIMES),
        record_time=draw(st.none() | _TIMES),
        action=action,
        epc_list=tuple(draw(_EPCS)),
        biz_step=draw(_WORDS),
        disposition=draw(st.none() | st.sampled_from(list(Disposition))),
        read_point=draw(_PLACES),
        biz_location=draw(_PLACES),
        source_list=draw(
            st.none()
            | st.lists(
                st.builds(
                    SourceDest, st.sampled_from(["owning_party", "location"]), _PLACES.filter(bool)
                ),
                max_size=2,
            ).map(tuple)
        ),
        ilmd=draw(
            st.none() | st.builds(Ilmd, lot=st.none() | _SERIALS, expiry=st.none() | st.dates())
        )
        if action is Action.ADD
        else None,
        extensions=draw(
            st.dictionaries(st.sampled_from(["ext1:a", "ext1:b"]), _JSON_VALUES, max_size=2)
        ),
        context=draw(st.sampled_from([None, EPCIS_CONTEXT])),
    )


@settings(max_examples=300, deadline=None)
@given(object_events())
def test_generated_object_events_come_back_as_they_were(event: ObjectEvent) -> None:
    written = event.document()
    read = read_event(written, {"ext1": "http://example.com/ext1/"})
    assert read == event
    assert read.document() == written


@settings(max_examples=100, deadline=None)
@given(st.lists(object_events(), max_size=4))
def test_documents_of_generated_events_validate(events: list[ObjectEvent]) -> None:
    document = EpcisDocument(
        context=[EPCIS_CONTEXT, {"ext1": "http://example.com/ext1/"}],
        events=tuple(events),
        creation_date=dt.datetime(2026, 1, 1, tzinfo=UTC),
    ).document()
    assert validate_document(document).events == tuple(events)
