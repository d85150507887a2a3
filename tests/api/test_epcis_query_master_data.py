"""Over HTTP: a document's header master data captured with its events puts locations below
others for WD_readPoint and WD_bizLocation, named queries included; EPCs sent as Digital
Links on another domain are found by their EPC URI and come back as sent; bad locations are a
QueryParameterException naming the parameter."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_epcis_capture import finished
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.store.master_data import BUSINESS_LOCATION, READ_POINT

SITE, HALL, DOCK, BAY = (f"urn:epc:id:sgln:9506000.00020.{n}" for n in range(4))
GTIN = "09506000134352"
FAR_AWAY_DL = f"https://brand.example/products/01/{GTIN}/21/ZZ9"


def _vocabulary(kind: str, tree: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "type": kind,
        "vocabularyElementList": [
            {"id": parent, "children": children} for parent, children in tree.items()
        ],
    }


def _event(number: int, read_point: str, biz_location: str, epc: str) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        "action": "OBSERVE",
        "eventTime": f"2026-03-0{number}T00:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "epcList": [epc],
        "readPoint": {"id": read_point},
        "bizLocation": {"id": biz_location},
    }


#: SITE → HALL → DOCK → BAY → HALL as business locations (three levels and a loop); SITE →
#: DOCK as read points.
DOCUMENT = {
    "@context": [EPCIS_CONTEXT],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2026-03-01T00:00:00Z",
    "epcisHeader": {
        "epcisMasterData": {
            "vocabularyList": [
                _vocabulary(
                    BUSINESS_LOCATION, {SITE: [HALL], HALL: [DOCK], DOCK: [BAY], BAY: [HALL]}
                ),
                _vocabulary(READ_POINT, {SITE: [DOCK]}),
            ]
        }
    },
    "epcisBody": {
        "eventList": [
            _event(1, SITE, SITE, "urn:epc:id:sgtin:9506000.013435.A1"),
            _event(2, DOCK, HALL, f"https://id.gs1.org/01/{GTIN}/21/B2"),
            _event(3, BAY, BAY, FAR_AWAY_DL),
        ]
    },
}


@pytest.fixture
def captured(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    sent = client.post("/epcis/capture", json=DOCUMENT, headers=admin)
    assert sent.status_code == 202, sent.text
    job = finished(client, sent.headers["Location"], admin)
    assert (job["success"], job["captured"], job["errors"]) == (True, 3, [])
    return admin


def _numbers(client: TestClient, token: dict[str, str], **parameters: str) -> list[int]:
    answer = client.get("/epcis/events", params=parameters, headers=token)
    assert answer.status_code == 200, answer.text
    events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [int(event["eventID"][-1]) for event in events]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"WD_bizLocation": SITE}, [1, 2, 3]),
        ({"WD_bizLocation": DOCK}, [2, 3]),  # BAY leads back to HALL
        ({"WD_bizLocation": BAY}, [2, 3]),
        ({"EQ_bizLocation": SITE}, [1]),
        ({"WD_readPoint": SITE}, [1, 2]),
        ({"WD_readPoint": DOCK}, [2]),
        ({"WD_readPoint": f"{DOCK},{BAY}"}, [2, 3]),
        ({"WD_readPoint": SITE, "WD_bizLocation": DOCK}, [2]),
        ({"MATCH_epc": "urn:epc:id:sgtin:9506000.013435.ZZ9"}, [3]),
        ({"MATCH_epc": f"https://id.gs1.org/01/{GTIN}/21/ZZ9"}, [3]),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:9506000.013435.*"}, [1, 2, 3]),
    ],
)
def test_locations_below_and_digital_links_on_any_domain_are_found(
    client: TestClient, captured: dict[str, str], parameters: dict[str, str], expected: list[int]
) -> None:
    assert _numbers(client, captured, **parameters) == expected


def test_an_event_found_by_another_spelling_comes_back_as_sent(
    client: TestClient, captured: dict[str, str]
) -> None:
    answer = client.get(
        "/epcis/events",
        params={"MATCH_epc": "urn:epc:id:sgtin:9506000.013435.ZZ9"},
        headers=captured,
    )
    (event,) = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert event["epcList"] == [FAR_AWAY_DL]


def test_a_named_query_walks_the_hierarchy_as_it_is_when_it_runs(
    client: TestClient, captured: dict[str, str]
) -> None:
    created = client.post(
        "/epcis/queries",
        json={"name": "below-site", "query": {"WD_bizLocation": [SITE]}},
        headers=captured,
    )
    assert created.status_code == 201, created.text
    annex = "urn:epc:id:sgln:9506000.00020.9"
    later = {
        **DOCUMENT,
        "epcisHeader": {
            "epcisMasterData": {"vocabularyList": [_vocabulary(BUSINESS_LOCATION, {BAY: [annex]})]}
        },
        "epcisBody": {"eventList": [_event(4, annex, annex, "urn:epc:id:sgtin:9506000.013435.A4")]},
    }
    sent = client.post("/epcis/capture", json=later, headers=captured)
    assert finished(client, sent.headers["Location"], captured)["captured"] == 1
    answer = client.get("/epcis/queries/below-site/events", headers=captured)
    assert answer.status_code == 200, answer.text
    events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [event["eventID"][-1] for event in events] == ["1", "2", "3", "4"]


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"WD_readPoint": "dock 7"}, "WD_readPoint"),
        ({"WD_bizLocation": f"{SITE},"}, "WD_bizLocation"),
        ({"WD_bizLocation": "site"}, "WD_bizLocation"),
    ],
)
def test_a_bad_location_is_a_query_parameter_exception_naming_it(
    client: TestClient, captured: dict[str, str], parameters: dict[str, str], named: str
) -> None:
    answer = client.get("/epcis/events", params=parameters, headers=captured)
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["type"] == "epcisException:QueryParameterException"
    assert (problem["parameter"], problem["detail"].split(":")[0]) == (named, named)


def test_a_document_of_master_data_alone_is_kept(client: TestClient, admin: dict[str, str]) -> None:
    """A partner may send its locations before any event at them: a document whose event
    list is empty is captured for its header, and its events then match WD_ as sent later."""
    alone = DOCUMENT | {"epcisBody": {"eventList": []}}
    sent = client.post("/epcis/capture", json=alone, headers=admin)
    assert sent.status_code == 202, sent.text
    job = finished(client, sent.headers["Location"], admin)
    assert (job["success"], job["captured"], job["errors"]) == (True, 0, [])
    events = DOCUMENT["epcisBody"]["eventList"]  # type: ignore[index]
    later = DOCUMENT | {"epcisHeader": {}, "epcisBody": {"eventList": events}}
    sent = client.post("/epcis/capture", json=later, headers=admin)
    assert finished(client, sent.headers["Location"], admin)["captured"] == 3
    assert _numbers(client, admin, WD_bizLocation=HALL) == [2, 3]
