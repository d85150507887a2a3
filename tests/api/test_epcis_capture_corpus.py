"""A public corpus of EPCIS 2.0 test documents (tests/epcis/corpus/, see its README), each
captured over HTTP into a fresh repository: every document the corpus calls valid is
captured whole, except those the standard's own text refuses (each with the rule); every
document it calls invalid is refused, with the message naming the rule it breaks; and every
valid document sent again is told its events are captured already, without failing."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from unitrace.services.epcis_capture import ALREADY_CAPTURED

CORPUS = Path(__file__).resolve().parents[1] / "epcis" / "corpus"
VALID = sorted(path.name for path in (CORPUS / "openepcis" / "valid").iterdir())
INVALID = sorted(path.name for path in (CORPUS / "openepcis" / "invalid").iterdir())

#: What the capture job notes of a valid document captured into a fresh repository.
NOTED = {
    "epcisDocWithAllGS1Keys.xml": [
        {
            "eventIndex": 0,
            "field": "epcList",
            "detail": 'event 0: epcList: "urn:epc:id:sscc:4012345.0000000333" is named 2 '
            "times; kept once (an EPC names one object)",
        }
    ],
}

#: Documents the corpus calls valid that the standard refuses, and why (the job's errors,
#: see the README).
REFUSED_BY_THE_STANDARD = {
    "AggregationEvent_all_possible_fields.json": [
        "event 0: certificationInfo[0]: must be a URI string, not {'gs1:CertificationDetails': "
        "{'gs1:certificationURI': 'https://accreditation-council.example.org/certificate/"
        "ABC12345'}}"
    ],
    "Combination_of_different_event.json": [
        'event 0: epcList[0]: "https://id.example.com/8003/030013450007718765": AI (8003): '
        "check digit 6 expected, got 1"
    ],
    "ObjectEvent_with_masterDataAvailableFor.json": [
        "event 0: masterDataAvailableFor: is not a field of a ObjectEvent in EPCIS 2.0, nor an "
        "extension (prefix:name)"
    ],
    "ObjectEvent_with_masterDataAvailableFor_deforestation.json": [
        'event 0: bizStep: "notifying" is not a CBV 2.0 business step',
        'event 0: persistentDisposition.set[0]: "subject_to_regulation" is not a CBV 2.0 '
        "disposition",
    ],
    "ObjectEvent_with_single_element_lists.json": [
        "event 0: ilmd: only an ADD event, which creates the objects, carries ILMD; this one is "
        "OBSERVE"
    ],
    "SensorData_with_combined_events.xml": [
        'event 12: epcList[0]: "https://id.example.com/8003/952012200000001004": AI (8003): '
        "must be 0, got 9"
    ],
    "TransactionEvent_with_userExtensions.json": [
        'event 0: sensorElementList[0].sensorReport[0].type: "EffectiveDoseRate" is not a '
        "GS1 Web Vocabulary measurement type"
    ],
    "TransformationEvent_all_possible_fields.json": [
        "event 0: certificationInfo: must be a URI string, not {'gs1:CertificationDetails': "
        "{'gs1:certificationURI': 'https://accreditation-council.example.org/certificate/"
        "ABC12345'}}"
    ],
    "epcisDocWithSensorComponent.json": [
        'event 0: epcList[0]: "https://id.example.com/8003/040123450007418765": AI (8003): '
        "check digit 0 expected, got 1"
    ],
    "Combination_of_different_event.xml": [
        'event 0: epcList[0]: "https://id.example.com/8003/030013450007718765": AI (8003): '
        "check digit 6 expected, got 1"
    ],
    "Namespace_document.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 5: Element "
        "'{urn:epcglobal:epcis:xsd:2}ObjectEvent'"
    ],
    "ObjectEvent_all_possible_fields.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 16: Element 'certificationInfo'"
    ],
    "ObjectEvent_with_masterDataAvailableFor.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 11: Element 'quantityList'"
    ],
    "ObjectEvent_with_masterDataAvailableFor_deforestation.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 11: Element 'quantityList'"
    ],
    "ObjectEvent_with_masterDataAvailableFor_gs1_webVoc_only.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 11: Element 'quantityList'"
    ],
    "ObjectEvent_with_masterDataAvailableFor_gs1de_webVoc.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 12: Element 'quantityList'"
    ],
    "ObjectEvent_with_masterDataAvailableFor_mixed_voc.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 12: Element 'quantityList'"
    ],
    "ObjectEvent_with_masterDataAvailableFor_very_mixed_voc.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 13: Element 'quantityList'"
    ],
    "ObjectEvent_with_single_element_lists.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 9: Element 'quantityList'"
    ],
    "SensorData_with_combined_events.json": [
        'event 7: sensorElementList[0].sensorReport[1].type: "Molar_concentration" is not a '
        "GS1 Web Vocabulary measurement type",
        'event 7: sensorElementList[0].sensorReport[2].type: "Molar_concentration" is not a '
        "GS1 Web Vocabulary measurement type",
        "event 8: sensorElementList[0].sensorReport[0].type: is required, and missing",
        "event 8: sensorElementList[0].sensorReport[1].type: is required, and missing",
        'event 10: sensorElementList[0].sensorReport[0].type: "EffectiveDoseRate" is not a '
        "GS1 Web Vocabulary measurement type",
    ],
}

#: Why each invalid document is refused: the job's errors, without the events' IDs, and for a
#: document that breaks the XSD the element it breaks it at (the rest is the XML parser's).
REFUSALS = {
    "Combination_of_events_with_missing_mandatory_fields.json": [
        "event 0: action: is required, and missing",
        "event 1: eventTime: is required, and missing",
        "event 2: epcList: an ObjectEvent names its objects: epcList, quantityList, or sensor "
        "readings with a readPoint",
        "event 3: eventTimeZoneOffset: is required, and missing",
    ],
    "Combination_of_multiple_invalid_fields.json": [
        'event 0: bizStep: "transforming" is not a CBV 2.0 business step',
        'event 1: disposition: "in_transport" is not a CBV 2.0 disposition',
        'event 2: sourceList[0].type: "place" is not a CBV 2.0 source/destination type',
        "event 3: ilmd.materialType: is not a master-data attribute (prefix:name or a URI)",
        'event 4: eventTime: "22-07-2026" is not a date-time with its UTC offset (RFC 3339)',
        'event 4: action: "CREATE" is not an action (ADD, OBSERVE, DELETE)',
    ],
    "Combination_of_non_standard_bizStep_and_disposition.json": [
        'event 0: bizStep: "transforming" is not a CBV 2.0 business step',
        'event 1: disposition: "in_transport" is not a CBV 2.0 disposition',
    ],
    "EPCISDocument_without_context.json": ["@context: is required, and missing"],
    "ObjectEvent_bare_event_without_action.xml": [
        "document: line 1: the root element <ObjectEvent> (namespace none) is not an EPCIS "
        "document: expected EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument of "
        "EPCIS 2.0 or 1.x"
    ],
    "ObjectEvent_with_ilmd_field_without_namespace.json": [
        "event 0: ilmd.materialType: is not a master-data attribute (prefix:name or a URI)"
    ],
    "ObjectEvent_with_invalid_action.json": [
        'event 0: action: "CREATE" is not an action (ADD, OBSERVE, DELETE)'
    ],
    "ObjectEvent_with_invalid_action.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 12: Element 'action'"
    ],
    "ObjectEvent_with_invalid_certificationInfo.json": [
        "event 0: certificationInfo: must be a URI string, not 42"
    ],
    "ObjectEvent_with_invalid_eventTime_format.json": [
        'event 0: eventTime: "22-07-2026" is not a date-time with its UTC offset (RFC 3339)'
    ],
    "ObjectEvent_with_invalid_eventTime_format.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 7: Element 'eventTime'"
    ],
    "ObjectEvent_with_near_miss_action.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 13: Element 'action'"
    ],
    "ObjectEvent_with_non_standard_bizStep.json": [
        'event 0: bizStep: "transforming" is not a CBV 2.0 business step'
    ],
    "ObjectEvent_with_non_standard_bizStep_in_second_event.json": [
        'event 1: bizStep: "transforming" is not a CBV 2.0 business step'
    ],
    "ObjectEvent_with_non_standard_disposition.json": [
        'event 0: disposition: "in_transport" is not a CBV 2.0 disposition'
    ],
    "ObjectEvent_with_quantity_as_text.json": [
        'event 0: quantityList[0].quantity: must be a number, not "twenty"'
    ],
    "ObjectEvent_with_unknown_element.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 17: Element 'madeUpField'"
    ],
    "ObjectEvent_with_unknown_field_in_quantityList.json": [
        "event 0: quantityList[0].weight: is not a field EPCIS 2.0 allows here"
    ],
    "ObjectEvent_with_wrong_element_order.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 7: Element 'action'"
    ],
    "ObjectEvent_without_action_and_eventTime.json": [
        "event 0: eventTime: is required, and missing",
        "event 0: eventTimeZoneOffset: is required, and missing",
        "event 0: action: is required, and missing",
    ],
    "ObjectEvent_without_eventTime.xml": [
        "document: breaks the EPCIS 2.0 XSD: line 7: Element 'eventTimeZoneOffset'"
    ],
    "ObjectEvent_without_identifier_list.json": [
        "event 0: epcList: an ObjectEvent names its objects: epcList, quantityList, or sensor "
        "readings with a readPoint"
    ],
}

_EVENT_ID = re.compile(r"^(event \d+) \([^)]*\)")
_XSD = re.compile(r"^(document: breaks the EPCIS 2\.0 XSD: line \d+: Element '[^']*').*", re.S)


def media_type(name: str) -> str:
    return "application/xml" if name.endswith(".xml") else "application/ld+json"


def sent(client: TestClient, path: Path, headers: dict[str, str]) -> dict[str, Any]:
    """The capture job's outcome, or the refusal of the request itself (as a job's errors)."""
    answer = client.post(
        "/epcis/capture",
        content=path.read_bytes(),
        headers={**headers, "Content-Type": media_type(path.name)},
    )
    if answer.status_code != 202:
        return {"status": answer.status_code, "success": False, "errors": [answer.json()]}
    deadline = time.monotonic() + 30
    while True:
        job: dict[str, Any] = client.get(answer.headers["Location"], headers=headers).json()
        if not job["running"] or time.monotonic() > deadline:
            return job


def why(job: dict[str, Any]) -> list[str]:
    """The job's errors, each without its event's ID, an XSD breach without the parser's
    own words."""
    return [_XSD.sub(r"\1", _EVENT_ID.sub(r"\1", error["detail"])) for error in job["errors"]]


def test_the_corpus_is_all_here() -> None:
    # 70 documents the corpus calls valid, 22 it calls invalid: a file gone is a test gone
    assert (len(VALID), len(INVALID)) == (70, 22)
    assert set(INVALID) == set(REFUSALS)
    assert set(REFUSED_BY_THE_STANDARD) <= set(VALID)


@pytest.mark.parametrize("name", VALID)
def test_every_valid_document_is_captured(
    client: TestClient, admin: dict[str, str], name: str
) -> None:
    job = sent(client, CORPUS / "openepcis" / "valid" / name, admin)
    if name in REFUSED_BY_THE_STANDARD:
        assert (job["success"], job.get("captured", 0), why(job)) == (
            False,
            0,
            REFUSED_BY_THE_STANDARD[name],
        )
        return
    assert (job["success"], job["errors"], job["notes"]) == (True, [], NOTED.get(name, []))
    assert job["captured"] == job["events"]


@pytest.mark.parametrize("name", INVALID)
def test_every_invalid_document_is_refused_naming_the_rule(
    client: TestClient, admin: dict[str, str], name: str
) -> None:
    job = sent(client, CORPUS / "openepcis" / "invalid" / name, admin)
    assert (job["success"], job.get("captured", 0), why(job)) == (False, 0, REFUSALS[name])


@pytest.mark.parametrize("name", sorted(set(VALID) - set(REFUSED_BY_THE_STANDARD)))
def test_every_valid_document_sent_again_is_told_it_is_captured_already(
    client: TestClient, admin: dict[str, str], name: str
) -> None:
    path = CORPUS / "openepcis" / "valid" / name
    first = sent(client, path, admin)
    again = sent(client, path, admin)
    assert (again["success"], again["errors"], again["captured"]) == (True, [], 0)
    # each event captured the first time is noted as captured already, in document order
    already = [note for note in again["notes"] if note["detail"].endswith(ALREADY_CAPTURED)]
    assert len(already) == first["captured"]
    assert [note["eventIndex"] for note in already] == sorted(
        note["eventIndex"] for note in already
    )


EVENTS = sorted(path.name for path in (CORPUS / "openepcis" / "events").iterdir())


def test_the_single_events_are_all_here() -> None:
    # the corpus's five JSON-LD single events; its XML ones are not EPCIS documents and the
    # standard's REST binding takes a single event as JSON only (POST /events)
    assert EVENTS == [
        "AggregationEvent.json",
        "AssociationEvent.json",
        "ObjectEvent.json",
        "TransactionEvent.json",
        "TransformationEvent.json",
    ]


@pytest.mark.parametrize("name", EVENTS)
def test_every_single_event_is_captured_once(
    client: TestClient, admin: dict[str, str], name: str
) -> None:
    body = (CORPUS / "openepcis" / "events" / name).read_bytes()
    headers = {**admin, "Content-Type": "application/ld+json"}
    first = client.post("/epcis/events", content=body, headers=headers)
    again = client.post("/epcis/events", content=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 409), first.text
    # the Location answers a query document holding the one event, of the type sent
    stored = client.get(first.headers["Location"], headers=admin)
    events = stored.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [event["type"] for event in events] == [json.loads(body)["type"]]
