"""EPCIS 2.0 documents written as EPCIS 1.2 (for partners on the DSCSA guideline's EPCIS 1.2):
valid against the official EPCIS 1.2 XSD, and read back into the same events as their 2.0
form; what 1.2 has no place for is left out or refused."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.epcis.test_xml import (
    EPCIS_1_2_SOURCES,
    _events,
    _json_document,
    events,
)
from unitrace.epcis.xml import UnwritableDocument
from unitrace.epcis.xml_read import document_from_xml
from unitrace.epcis.xml_write import document_to_xml
from unitrace.epcis.xml_write.epcis_1_2 import TWO_ONLY_FIELDS, as_epcis_1_2

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
TIME = {"eventTime": "2024-01-01T00:00:00.000Z", "eventTimeZoneOffset": "+00:00"}


@functools.cache
def xsd_1_2(conformance: Path) -> etree.XMLSchema:
    return etree.XMLSchema(
        etree.parse(str(conformance / "epcis" / "XSD-1.2" / "EPCglobal-epcis-1_2.xsd"))
    )


def xsd_errors(conformance: Path, document: bytes) -> list[str]:
    schema = xsd_1_2(conformance)
    schema.validate(etree.fromstring(document))
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


#: Official examples whose events carry an ``<extension>`` element holding elements of a user's
#: namespace, which EPCIS 1.2 only lets hold elements of no namespace: they read back the same,
#: but no EPCIS 1.2 form of them is valid.
USER_ELEMENTS_IN_EXTENSION = {
    "WithExtension/ObjectEvent.xml",
    "WithExtension/AggregationEvent.xml",
    "WithExtension/TransformationEvent.xml",
}


@pytest.mark.conformance
@pytest.mark.parametrize("name", EPCIS_1_2_SOURCES)
def test_official_examples_write_as_1_2_that_reads_back_the_same(
    conformance: Path, name: str
) -> None:
    source = (conformance / "epcis" / "XML" / name).read_bytes()
    old = as_epcis_1_2(source)
    assert listed(document_from_xml(old)) == listed(document_from_xml(source))


def listed(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's events without what EPCIS 1.2 has no place for, an empty list taken for
    none (EPCIS 1.2 writes an empty ``epcList`` where 2.0 may leave it out)."""
    return [
        {key: value for key, value in event.items() if value != [] and key not in TWO_ONLY_FIELDS}
        for event in events(document)
    ]


@pytest.mark.conformance
@pytest.mark.parametrize(
    "name", [name for name in EPCIS_1_2_SOURCES if name not in USER_ELEMENTS_IN_EXTENSION]
)
def test_official_examples_write_as_valid_1_2(conformance: Path, name: str) -> None:
    source = (conformance / "epcis" / "XML" / name).read_bytes()
    assert xsd_errors(conformance, as_epcis_1_2(source)) == []


@pytest.mark.conformance
@settings(max_examples=100, deadline=None)
@given(drawn=st.lists(_events(), min_size=1, max_size=3))
def test_any_event_writes_as_valid_1_2_that_reads_back_equal(
    conformance: Path, drawn: list[dict[str, Any]]
) -> None:
    document = _json_document(*drawn, x="https://x.example/ns/")
    old = as_epcis_1_2(document_to_xml(document))
    assert xsd_errors(conformance, old) == []
    assert events(document_from_xml(old)) == drawn


def test_a_transformation_goes_in_the_event_list_s_extension_and_two_only_fields_are_left_out() -> (
    None
):
    document = _json_document(
        {
            "type": "TransformationEvent",
            **TIME,
            "eventID": "urn:uuid:0f8e4a38-7b4c-4c55-9a55-2b6d8c1f1c11",
            "inputEPCList": ["urn:epc:id:sgtin:9506000.013435.1"],
            "outputEPCList": ["urn:epc:id:sgtin:9506000.013435.2"],
        },
        {
            "type": "ObjectEvent",
            **TIME,
            "action": "OBSERVE",
            "epcList": ["urn:epc:id:sgtin:9506000.013435.2"],
            "bizStep": "inspecting",
            "certificationInfo": "https://cert.example/1",
            "persistentDisposition": {"set": ["completeness_verified"]},
        },
    )
    root = etree.fromstring(as_epcis_1_2(document_to_xml(document)))
    event_list = root.find("EPCISBody/EventList")
    assert event_list is not None
    assert [child.tag for child in event_list] == ["extension", "ObjectEvent"]
    wrapper, inspected = list(event_list)
    assert [child.tag for child in inspected] == [
        "eventTime",
        "eventTimeZoneOffset",
        "epcList",
        "action",
        "bizStep",
    ]
    assert [child.tag for child in wrapper] == ["TransformationEvent"]
    assert wrapper[0].findtext("baseExtension/eventID") == (
        "urn:uuid:0f8e4a38-7b4c-4c55-9a55-2b6d8c1f1c11"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            _json_document(
                {
                    "type": "AssociationEvent",
                    **TIME,
                    "parentID": "urn:epc:id:grai:4012345.55555.1",
                    "childEPCs": ["urn:epc:id:giai:4000001.12345"],
                    "action": "ADD",
                }
            ),
            "AssociationEvent: EPCIS 1.2 has no such event",
        ),
        (
            {
                "@context": CONTEXT,
                "type": "EPCISQueryDocument",
                "schemaVersion": "2.0",
                "creationDate": "2024-01-01T00:00:00Z",
                "epcisBody": {
                    "queryResults": {
                        "queryName": "SimpleEventQuery",
                        "resultsBody": {"eventList": []},
                    }
                },
            },
            "{urn:epcglobal:epcis-query:xsd:2}EPCISQueryDocument: only an EPCISDocument is "
            "written as EPCIS 1.2",
        ),
    ],
    ids=["association-event", "query-document"],
)
def test_what_1_2_cannot_hold_is_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(UnwritableDocument) as raised:
        as_epcis_1_2(document_to_xml(document))
    assert str(raised.value) == message
