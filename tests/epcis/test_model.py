"""The parts of events and documents: each writes itself as the JSON-LD binding has it; a
document with master data and extensions everywhere comes back as it was; the vocabularies
are the official schema's."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.epcis.test_validation import schema_errors
from unitrace.epcis import (
    EPCIS_CONTEXT,
    Action,
    Attribute,
    BizStep,
    BizTransaction,
    BizTransactionType,
    Component,
    Disposition,
    EpcisDocument,
    EpcisHeader,
    ErrorDeclaration,
    ErrorReason,
    Ilmd,
    MasterData,
    MeasurementType,
    ObjectEvent,
    PersistentDisposition,
    QuantityElement,
    SensorAlertType,
    SensorElement,
    SensorMetadata,
    SensorReport,
    SourceDest,
    SourceDestType,
    Vocabulary,
    VocabularyElement,
    namespaces_of,
    read_document,
    validate_document,
)

AT = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))

PARTS: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "quantity alone",
        QuantityElement("urn:epc:class:lgtin:1.2.3"),
        {"epcClass": "urn:epc:class:lgtin:1.2.3"},
    ),
    (
        "quantity with its unit",
        QuantityElement("urn:epc:class:lgtin:1.2.3", 0.5, "KGM"),
        {"epcClass": "urn:epc:class:lgtin:1.2.3", "quantity": 0.5, "uom": "KGM"},
    ),
    (
        "business transaction",
        BizTransaction("urn:epcglobal:cbv:bt:1:2", BizTransactionType.DESADV),
        {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:1:2"},
    ),
    (
        "business transaction of no type",
        BizTransaction("https://example.com/po/1"),
        {"bizTransaction": "https://example.com/po/1"},
    ),
    (
        "persistent disposition",
        PersistentDisposition(
            set=(Disposition.COMPLETENESS_VERIFIED,), unset=("https://example.com/d",)
        ),
        {"set": ["completeness_verified"], "unset": ["https://example.com/d"]},
    ),
    (
        "ILMD",
        Ilmd(lot="L1", expiry=dt.date(2030, 1, 2), attributes={"ext1:grade": {"ext1:value": "A"}}),
        {
            "cbvmda:lotNumber": "L1",
            "cbvmda:itemExpirationDate": "2030-01-02",
            "ext1:grade": {"ext1:value": "A"},
        },
    ),
    (
        "error declaration",
        ErrorDeclaration(AT, ErrorReason.DID_NOT_OCCUR, ("urn:uuid:1",), {"ext1:by": "QA"}),
        {
            "declarationTime": "2026-05-04T09:30:00.000+08:00",
            "reason": "did_not_occur",
            "correctiveEventIDs": ["urn:uuid:1"],
            "ext1:by": "QA",
        },
    ),
    (
        "error declaration with its time as it was written",
        ErrorDeclaration(AT, time_texts={"declarationTime": "2026-05-04T01:30:00Z"}),
        {"declarationTime": "2026-05-04T01:30:00Z"},
    ),
    (
        "sensor element",
        SensorElement(
            reports=(
                SensorReport(
                    type=MeasurementType.TEMPERATURE,
                    value=4.5,
                    uom="CEL",
                    component=Component.X,
                    exception=SensorAlertType.ALARM_CONDITION,
                    boolean_value=False,
                    extensions={"ext1:probe": 2},
                ),
            ),
            metadata=SensorMetadata(
                time=AT, device_id="urn:epc:id:giai:4000001.111", biz_rules="https://e.com/r"
            ),
            extensions={"ext1:batch": "B"},
        ),
        {
            "sensorMetadata": {
                "time": "2026-05-04T09:30:00.000+08:00",
                "deviceID": "urn:epc:id:giai:4000001.111",
                "bizRules": "https://e.com/r",
            },
            "sensorReport": [
                {
                    "type": "Temperature",
                    "exception": "ALARM_CONDITION",
                    "value": 4.5,
                    "component": "x",
                    "booleanValue": False,
                    "uom": "CEL",
                    "ext1:probe": 2,
                }
            ],
            "ext1:batch": "B",
        },
    ),
    (
        "master-data vocabulary",
        Vocabulary(
            "urn:epcglobal:epcis:vtype:BusinessLocation",
            (
                VocabularyElement(
                    "urn:epc:id:sgln:0614141.00001.0",
                    (Attribute("urn:epcglobal:cbv:mda#name", "Plant 1"), Attribute("urn:x:flag")),
                    ("urn:epc:id:sgln:0614141.00001.1",),
                ),
            ),
        ),
        {
            "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
            "vocabularyElementList": [
                {
                    "id": "urn:epc:id:sgln:0614141.00001.0",
                    "attributes": [
                        {"id": "urn:epcglobal:cbv:mda#name", "attribute": "Plant 1"},
                        {"id": "urn:x:flag"},
                    ],
                    "children": ["urn:epc:id:sgln:0614141.00001.1"],
                }
            ],
        },
    ),
]


@pytest.mark.parametrize(
    ("part", "written"), [row[1:] for row in PARTS], ids=[row[0] for row in PARTS]
)
def test_parts(part: Any, written: dict[str, Any]) -> None:
    assert part.document() == written


@pytest.mark.parametrize(
    ("part", "role", "written"),
    [
        (
            SourceDest(SourceDestType.OWNING_PARTY, "urn:epc:id:pgln:0614141.00001"),
            "source",
            {"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00001"},
        ),
        (
            SourceDest("https://example.com/sdt/carrier", "urn:epc:id:pgln:0614141.00002"),
            "destination",
            {
                "type": "https://example.com/sdt/carrier",
                "destination": "urn:epc:id:pgln:0614141.00002",
            },
        ),
    ],
)
def test_sources_and_destinations(part: SourceDest, role: str, written: dict[str, Any]) -> None:
    assert part.document(role) == written


@pytest.mark.parametrize(
    ("context", "namespaces"),
    [
        (EPCIS_CONTEXT, {}),
        (
            [EPCIS_CONTEXT, {"ext1": "http://e.com/1/"}, {"ext2": "http://e.com/2/"}],
            {"ext1": "http://e.com/1/", "ext2": "http://e.com/2/"},
        ),
        (
            [
                EPCIS_CONTEXT,
                {"rail": "urn:gs1:epcisapp:rail:", "rail:count": {"@type": "xsd:integer"}},
            ],
            {"rail": "urn:gs1:epcisapp:rail:"},
        ),
        ({"@vocab": "http://e.com/", "ex": "http://e.com/ex/"}, {"ex": "http://e.com/ex/"}),
    ],
)
def test_namespaces_of_a_context(context: Any, namespaces: dict[str, str]) -> None:
    assert namespaces_of(context) == namespaces


def test_parts_equal_whatever_the_spelling_of_their_times() -> None:
    assert ErrorDeclaration(AT, time_texts={"declarationTime": "2026-05-04T01:30:00Z"}) == (
        ErrorDeclaration(AT.astimezone(dt.UTC))
    )
    assert ErrorDeclaration(AT) != ErrorDeclaration(AT + dt.timedelta(seconds=1))


# --- a document with everything the schema allows ---------------------------------------------

FULL_DOCUMENT: dict[str, Any] = {
    "@context": [EPCIS_CONTEXT, {"ext1": "http://example.com/ext1/"}],
    "type": "EPCISDocument",
    "id": "urn:uuid:5b2c4a38-7b4c-4c55-9a55-2b6d8c1f1c11",
    "schemaVersion": "2.0",
    "creationDate": "2026-05-04T09:30:00+08:00",
    "sender": "urn:epc:id:pgln:0614141.00001",
    "receiver": "urn:epc:id:pgln:0614141.00002",
    "instanceIdentifier": "42",
    "epcisHeader": {
        "epcisMasterData": {
            "vocabularyList": [
                {
                    "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                    "vocabularyElementList": [
                        {
                            "id": "urn:epc:id:sgln:0614141.00001.0",
                            "attributes": [
                                {"id": "urn:epcglobal:cbv:mda#name", "attribute": "Plant 1"},
                                {"id": "urn:epcglobal:cbv:mda#latitude", "attribute": 3.1},
                                {"id": "ext1:address", "attribute": {"ext1:city": "KL"}},
                            ],
                            "children": ["urn:epc:id:sgln:0614141.00001.1"],
                        }
                    ],
                },
                {"type": "urn:epcglobal:epcis:vtype:ReadPoint"},
            ],
            "ext1:source": "registry",
        },
        "ext1:note": "header extension",
    },
    "epcisBody": {
        "eventList": [
            {
                "type": "ObjectEvent",
                "eventTime": "2026-05-04T09:30:00+08:00",
                "eventTimeZoneOffset": "+08:00",
                "action": "OBSERVE",
                "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
                "readPoint": {"id": "urn:epc:id:sgln:0614141.00001.0", "ext1:dock": 4},
                "bizLocation": {"id": "urn:epc:id:sgln:0614141.00001.0"},
                "ext1:note": ["a", {"ext1:b": None}],
            }
        ],
        "ext1:batch": 3,
    },
    "ext1:top": True,
}


def test_a_document_with_master_data_reads_into_the_model() -> None:
    read = read_document(FULL_DOCUMENT)
    assert read.header == EpcisHeader(
        MasterData(
            (
                Vocabulary(
                    "urn:epcglobal:epcis:vtype:BusinessLocation",
                    (
                        VocabularyElement(
                            "urn:epc:id:sgln:0614141.00001.0",
                            (
                                Attribute("urn:epcglobal:cbv:mda#name", "Plant 1"),
                                Attribute("urn:epcglobal:cbv:mda#latitude", 3.1),
                                Attribute("ext1:address", {"ext1:city": "KL"}),
                            ),
                            ("urn:epc:id:sgln:0614141.00001.1",),
                        ),
                    ),
                ),
                Vocabulary("urn:epcglobal:epcis:vtype:ReadPoint"),
            ),
            {"ext1:source": "registry"},
        ),
        {"ext1:note": "header extension"},
    )
    assert (read.extensions, read.body_extensions) == ({"ext1:top": True}, {"ext1:batch": 3})
    event = read.events[0]
    assert isinstance(event, ObjectEvent)
    assert (event.read_point_extensions, event.extensions) == (
        {"ext1:dock": 4},
        {"ext1:note": ["a", {"ext1:b": None}]},
    )


def test_a_document_with_master_data_comes_back_as_it_was() -> None:
    assert validate_document(FULL_DOCUMENT).document() == FULL_DOCUMENT


@pytest.mark.conformance
def test_a_document_with_master_data_is_valid(conformance: Path) -> None:
    assert schema_errors(conformance, FULL_DOCUMENT) == []


def test_a_document_built_whole() -> None:
    event = ObjectEvent(
        event_id="urn:uuid:1", event_time=AT, action=Action.OBSERVE, biz_step=BizStep.SHIPPING
    )
    built = EpcisDocument(
        context=[EPCIS_CONTEXT], events=(event,), creation_date=AT, id="urn:uuid:2"
    )
    assert built.document() == {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "id": "urn:uuid:2",
        "schemaVersion": "2.0",
        "creationDate": "2026-05-04T09:30:00.000+08:00",
        "epcisBody": {"eventList": [event.document()]},
    }


# --- the vocabularies are the official schema's ---------------------------------------------


@pytest.mark.conformance
@pytest.mark.parametrize(
    ("definition", "vocabulary"),
    [
        ("bizStep", BizStep),
        ("disposition", Disposition),
        ("bizTransaction-type", BizTransactionType),
        ("source-dest-type", SourceDestType),
        ("error-reason", ErrorReason),
        ("measurementType", MeasurementType),
        ("sensorAlertType", SensorAlertType),
        ("component", Component),
    ],
)
def test_vocabularies(conformance: Path, definition: str, vocabulary: Any) -> None:
    schema = json.loads((conformance / "epcis" / "EPCIS-JSON-Schema.json").read_text())
    words = next(
        branch["enum"] for branch in schema["definitions"][definition]["anyOf"] if "enum" in branch
    )
    assert sorted(vocabulary) == sorted(words)
