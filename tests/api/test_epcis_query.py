"""The EPCIS 2.0 query REST binding: ``GET /epcis/events`` in JSON-LD and XML (checked against
the official JSON Schema and XSD), pages, bad parameters, who sees what, one event, the
discovery resources, named queries, and webhook subscriptions delivered to a local receiver."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from lxml import etree

from tests.epcis_known_events import (
    ALL,
    L1,
    L2,
    P1,
    S1,
    S2,
    KnownSet,
    event_id,
    known,
    known_set,
    name_of,
)
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_query import DeliveryPolicy, SubscriptionDelivery
from unitrace.services.tokens import create_token
from unitrace.services.webhooks import WebhookDestinations
from unitrace.store.events import EventRepository, StoredEvent
from unitrace.store.unit_of_work import Database

__all__ = ["known", "known_set"]  # fixtures

BY_EVENT_TIME = "E06 E14 E01 E02 E20 E03 E05 E04 E09 E07 E08 E10 E11 E12 E13 E15 E16 E17 E18 E19"
EPCIS_NS = "urn:epcglobal:epcis:xsd:2"
QUERY_NS = "urn:epcglobal:epcis-query:xsd:2"


#: The subscription tests' receiver listens on loopback, which webhooks reach only through the
#: operator's setting (UNITRACE_WEBHOOK_ALLOWED_NETWORKS).
RECEIVER_NETWORKS = (ipaddress.ip_network("127.0.0.1/32"),)
LOCAL = WebhookDestinations(RECEIVER_NETWORKS)


def service(database: Database) -> FastAPI:
    return create_app(database, Settings(webhook_allowed_networks=RECEIVER_NETWORKS))


@pytest.fixture
def client(known: KnownSet) -> TestClient:
    return TestClient(service(known.database))


def names(response: Response) -> list[str]:
    body = response.json()
    events = body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [name_of(event["eventID"]) for event in events]


def get_events(client: TestClient, token: dict[str, str], **parameters: str) -> Response:
    return client.get("/epcis/events", params={"perPage": "100", **parameters}, headers=token)


# --- the official schemas -------------------------------------------------------------------


@cache
def json_schema_validator(conformance: Path) -> Any:
    """The official EPCIS 2.0 JSON Schema, its event schemas in a local registry."""
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    from referencing.jsonschema import DRAFT7

    folder = conformance / "epcis"
    main = json.loads((folder / "EPCIS-JSON-Schema.json").read_text())
    resources = [(main["$id"], DRAFT7.create_resource(main))]
    for path in sorted((folder / "JSON-Schema" / "schemas").glob("*.json")):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], DRAFT7.create_resource(schema)))
    return jsonschema.Draft7Validator(
        main,
        registry=referencing.Registry().with_resources(resources),
        format_checker=jsonschema.FormatChecker(),
    )


def schema_errors(conformance: Path, document: Any) -> list[str]:
    validator = json_schema_validator(conformance)
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(document)]


@cache
def query_xsd(conformance: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    path = conformance / "epcis" / "XSD" / "EPCglobal-epcis-query-2_0.xsd"
    return etree.XMLSchema(etree.parse(str(path), parser))


# --- events, JSON-LD and XML ----------------------------------------------------------------


def test_a_query_needs_a_token(client: TestClient) -> None:
    answer = client.get("/epcis/events")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_events_answer_as_a_schema_valid_query_document(
    client: TestClient, known: KnownSet, conformance: Path
) -> None:
    answer = get_events(client, known.tokens["admin"])
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["GS1-EPCIS-Version"] == "2.0.0"
    assert answer.headers["GS1-CBV-Version"] == "2.0.0"
    assert "link" not in answer.headers
    document = answer.json()
    assert document["type"] == "EPCISQueryDocument"
    assert document["epcisBody"]["queryResults"]["queryName"] == "SimpleEventQuery"
    # the extension namespace of E17 is declared once, for the whole document
    assert document["@context"] == [EPCIS_CONTEXT, {"ext": "https://ns.example.com/epcis/"}]
    assert names(answer) == BY_EVENT_TIME.split()
    assert schema_errors(conformance, document) == []


def test_json_ld_is_answered_as_asked(client: TestClient, known: KnownSet) -> None:
    answer = client.get(
        "/epcis/events", headers={**known.tokens["admin"], "Accept": "application/ld+json"}
    )
    assert answer.headers["content-type"] == "application/ld+json"
    assert len(names(answer)) == 20


def test_events_answer_in_xml_valid_against_the_official_xsd(
    client: TestClient, known: KnownSet, conformance: Path
) -> None:
    answer = client.get(
        "/epcis/events",
        params={"perPage": "100"},
        headers={**known.tokens["admin"], "Accept": "application/xml, application/json;q=0.5"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/xml"
    root = etree.fromstring(answer.content)
    query_xsd(conformance).assertValid(root)
    assert root.tag == f"{{{QUERY_NS}}}EPCISQueryDocument"
    ids = [element.text for element in root.iter("eventID")]
    assert [name_of(text or "") for text in ids] == BY_EVENT_TIME.split()


def test_an_unacceptable_media_type_is_refused(client: TestClient, known: KnownSet) -> None:
    answer = client.get("/epcis/events", headers={**known.tokens["admin"], "Accept": "text/csv"})
    assert answer.status_code == 406
    assert "application/xml" in answer.json()["detail"]


@pytest.mark.parametrize(
    "parameters",
    [
        {},
        {"orderBy": "recordTime"},
        {"EQ_action": "OBSERVE", "orderBy": "eventTime", "orderDirection": "ASC"},
        {"MATCH_anyEPC": f"{S1},{S2}"},
    ],
)
def test_pages_follow_the_link_header_through_every_event(
    client: TestClient, known: KnownSet, parameters: dict[str, str]
) -> None:
    token = known.tokens["admin"]
    whole = names(get_events(client, token, **parameters))
    walked: list[str] = []
    answer = client.get("/epcis/events", params={**parameters, "perPage": "3"}, headers=token)
    pages = 1
    while "link" in answer.headers:
        assert len(names(answer)) == 3
        walked.extend(names(answer))
        link = answer.headers["link"]
        assert link.startswith("<http")
        assert link.endswith('>; rel="next"')
        answer = client.get(link[1 : link.index(">")], headers=token)
        assert answer.status_code == 200, answer.text
        pages += 1
    walked.extend(names(answer))
    assert walked == whole
    assert pages == -(-len(whole) // 3) or len(whole) % 3 == 0


def test_event_count_limit_holds_across_pages(client: TestClient, known: KnownSet) -> None:
    token = known.tokens["admin"]
    answer = client.get(
        "/epcis/events", params={"eventCountLimit": "5", "perPage": "2"}, headers=token
    )
    seen = [names(answer)]
    while "link" in answer.headers:
        link = answer.headers["link"]
        answer = client.get(link[1 : link.index(">")], headers=token)
        seen.append(names(answer))
    assert seen == [["E06", "E14"], ["E01", "E02"], ["E20"]]


def test_a_page_token_belongs_to_its_query(client: TestClient, known: KnownSet) -> None:
    token = known.tokens["admin"]
    first = client.get("/epcis/events", params={"perPage": "2"}, headers=token)
    link = first.headers["link"]
    page_token = urllib.parse.parse_qs(urllib.parse.urlsplit(link[1:-13]).query)["nextPageToken"]
    other = client.get(
        "/epcis/events",
        params={"perPage": "2", "nextPageToken": page_token[0], "EQ_action": "ADD"},
        headers=token,
    )
    assert other.status_code == 400
    assert other.json()["parameter"] == "nextPageToken"


def _forged(**payload: Any) -> str:
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "payload",
    [
        {"t": "2026-01-01T00:00:00", "k": 1, "n": 1},  # no zone
        {"t": "2026-01-01T00:00:00+00:00", "k": 2**70, "n": 1},
        {"t": "2026-01-01T00:00:00+00:00", "k": 1, "n": -1},
        {"t": "2026-01-01T00:00:00+00:00", "k": 1, "n": 9},  # past the eventCountLimit
        {"t": "then", "k": 1, "n": 1},
        {"k": 1, "n": 1},
    ],
)
def test_a_forged_page_token_is_refused(
    client: TestClient, known: KnownSet, payload: dict[str, Any]
) -> None:
    first = client.get(
        "/epcis/events",
        params={"perPage": "2", "eventCountLimit": "5"},
        headers=known.tokens["admin"],
    )
    real = first.headers["link"].split("nextPageToken=")[1].split(">")[0]
    digest = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))["q"]
    answer = client.get(
        "/epcis/events",
        params={
            "perPage": "2",
            "eventCountLimit": "5",
            "nextPageToken": _forged(q=digest, **payload),
        },
        headers=known.tokens["admin"],
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["parameter"] == "nextPageToken"


# every bad parameter is a 400 QueryParameterException naming it
BAD_PARAMETERS: list[tuple[dict[str, str], str]] = [
    ({"colour": "red"}, "colour"),
    ({"eventType": "ShippingEvent"}, "eventType"),
    ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
    ({"LT_eventTime": "2026-01-01T00:00:00"}, "LT_eventTime"),
    ({"GE_recordTime": "2026-13-01T00:00:00Z"}, "GE_recordTime"),
    ({"LT_recordTime": ""}, "LT_recordTime"),
    ({"EQ_action": "UPDATE"}, "EQ_action"),
    ({"EQ_bizStep": "shipped"}, "EQ_bizStep"),
    ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:flying"}, "EQ_bizStep"),
    ({"EQ_bizStep": "shipping,"}, "EQ_bizStep"),
    ({"EQ_disposition": "broken"}, "EQ_disposition"),
    ({"EQ_persistentDisposition_set": "sunny"}, "EQ_persistentDisposition_set"),
    ({"EQ_readPoint": "plainword"}, "EQ_readPoint"),
    ({"WD_bizLocation": "not a uri"}, "WD_bizLocation"),
    ({"MATCH_epc": "urn:epc:id:sgtin:950600.bad"}, "MATCH_epc"),
    ({"MATCH_epc": "urn:epc:idpat:sgtin:*.013435.*"}, "MATCH_epc"),
    ({"MATCH_parentID": "https://id.gs1.org/00/123"}, "MATCH_parentID"),
    ({"MATCH_anyEPC": "S2"}, "MATCH_anyEPC"),
    ({"MATCH_epcClass": "urn:epc:class:lgtin:9506000.13435.L"}, "MATCH_epcClass"),
    ({"MATCH_inputEPC": ""}, "MATCH_inputEPC"),
    ({"EQ_bizTransaction_PO": "urn:x:1"}, "EQ_bizTransaction_PO"),
    ({"EQ_source_owning_party": "pgln"}, "EQ_source_owning_party"),
    ({"EQ_transformationID": "abc"}, "EQ_transformationID"),
    ({"EXISTS_errorDeclaration": "false"}, "EXISTS_errorDeclaration"),
    ({"orderBy": "bizStep"}, "orderBy"),
    ({"orderDirection": "UP"}, "orderDirection"),
    ({"eventCountLimit": "0"}, "eventCountLimit"),
    ({"eventCountLimit": "ten"}, "eventCountLimit"),
    ({"maxEventCount": "-1"}, "maxEventCount"),
    ({"maxEventCount": "5", "eventCountLimit": "5"}, "maxEventCount"),
    ({"EQ_quantity": "five"}, "EQ_quantity"),
    ({"EQ_ILMD_nowhere:lotNumber": "LOT1"}, "EQ_ILMD_nowhere:lotNumber"),
    ({"perPage": "0"}, "perPage"),
    ({"perPage": "many"}, "perPage"),
    ({"nextPageToken": "not-a-token"}, "nextPageToken"),
]


@pytest.mark.parametrize(
    ("parameters", "named"), BAD_PARAMETERS, ids=[b[1] for b in BAD_PARAMETERS]
)
def test_a_bad_parameter_is_a_query_parameter_exception_naming_it(
    client: TestClient, known: KnownSet, parameters: dict[str, str], named: str
) -> None:
    answer = client.get("/epcis/events", params=parameters, headers=known.tokens["admin"])
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "epcisException:QueryParameterException"
    assert problem["parameter"] == named
    assert problem["detail"].startswith(f"{named}: ")


def test_a_scalar_parameter_given_twice_is_refused(client: TestClient, known: KnownSet) -> None:
    answer = client.get(
        "/epcis/events?GE_eventTime=2026-01-01T00:00:00Z&GE_eventTime=2026-01-02T00:00:00Z",
        headers=known.tokens["admin"],
    )
    assert answer.status_code == 400
    assert answer.json()["parameter"] == "GE_eventTime"


def test_a_list_parameter_given_twice_is_one_list(client: TestClient, known: KnownSet) -> None:
    answer = client.get(
        "/epcis/events?EQ_bizStep=shipping&EQ_bizStep=receiving", headers=known.tokens["admin"]
    )
    assert names(answer) == ["E03", "E05", "E04", "E13"]


def test_more_events_than_max_event_count_is_too_large(client: TestClient, known: KnownSet) -> None:
    answer = get_events(client, known.tokens["admin"], maxEventCount="3")
    assert answer.status_code == 413
    assert answer.json()["type"] == "epcisException:QueryTooLargeException"
    assert names(get_events(client, known.tokens["admin"], maxEventCount="20")) == (
        BY_EVENT_TIME.split()
    )


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("admin", BY_EVENT_TIME),
        ("line", BY_EVENT_TIME),
        ("dist-1", "E01 E02 E03 E04 E07 E15 E17"),
        ("dist-2", "E02 E05 E12"),
        ("dist-3", ""),
        ("verifier", ""),
    ],
)
def test_each_token_sees_what_its_party_may(
    client: TestClient, known: KnownSet, caller: str, expected: str
) -> None:
    answer = get_events(client, known.tokens[caller])
    assert names(answer) == sorted(expected.split(), key=BY_EVENT_TIME.split().index)


# --- one event and the discovery resources ------------------------------------------------------


def test_one_event_by_its_url_encoded_id(client: TestClient, known: KnownSet) -> None:
    path = "/epcis/events/" + urllib.parse.quote(event_id("E03"), safe="")
    answer = client.get(path, headers=known.tokens["dist-1"])
    assert answer.status_code == 200
    assert names(answer) == ["E03"]
    event = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]
    assert event["recordTime"] == "2026-02-01T00:02:00.000+00:00"
    xml = client.get(path, headers={**known.tokens["admin"], "Accept": "application/xml"})
    assert xml.headers["content-type"] == "application/xml"


@pytest.mark.parametrize(
    ("caller", "identifier"),
    [("admin", "urn:uuid:unknown"), ("admin", "ni:///sha-256;00?ver=CBV2.0"), ("dist-1", "E05")],
)
def test_an_event_not_stored_or_not_visible_is_not_found(
    client: TestClient, known: KnownSet, caller: str, identifier: str
) -> None:
    wanted = event_id(identifier) if identifier.startswith("E") else identifier
    answer = client.get(
        "/epcis/events/" + urllib.parse.quote(wanted, safe=""), headers=known.tokens[caller]
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_discovery_lists_what_the_events_hold(client: TestClient, known: KnownSet) -> None:
    token = known.tokens["admin"]
    types = client.get("/epcis/eventTypes", headers=token).json()
    assert types["type"] == "Collection"
    assert types["member"] == [
        "AggregationEvent",
        "AssociationEvent",
        "ObjectEvent",
        "TransactionEvent",
        "TransformationEvent",
    ]
    assert client.get("/epcis/bizLocations", headers=token).json()["member"] == [
        L1,
        L2,
        "urn:epc:id:sgln:9506000.00003.0",
    ]
    assert (
        "https://ref.gs1.org/cbv/BizStep-shipping"
        in (client.get("/epcis/bizSteps", headers=token).json()["member"])
    )
    assert client.get("/epcis/dispositions", headers=known.tokens["dist-2"]).json()["member"] == [
        "in_progress"
    ]
    assert client.get("/epcis/readPoints", headers=token).status_code == 200


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/epcis/eventTypes/AggregationEvent/events", "E02 E12"),
        ("/epcis/bizSteps/shipping/events", "E03 E05 E13"),
        ("/epcis/bizSteps/shipping/events?EQ_action=ADD", "E05"),
        (f"/epcis/epcs/{urllib.parse.quote(S2, safe='')}/events", "E01 E02 E07 E15 E17"),
        (f"/epcis/epcs/{urllib.parse.quote(P1, safe='')}/events", "E02 E05 E12"),
        (f"/epcis/readPoints/{urllib.parse.quote(L1, safe='')}/events", "E06 E01 E02 E03"),
        (f"/epcis/bizLocations/{urllib.parse.quote(L2, safe='')}/events", "E04"),
        ("/epcis/dispositions/in_transit/events", "E03 E13"),
    ],
)
def test_a_discovered_value_leads_to_its_events(
    client: TestClient, known: KnownSet, path: str, expected: str
) -> None:
    answer = client.get(path, headers=known.tokens["admin"])
    assert answer.status_code == 200, answer.text
    assert names(answer) == expected.split()


def test_a_path_value_is_not_given_twice(client: TestClient, known: KnownSet) -> None:
    answer = client.get(
        "/epcis/bizSteps/shipping/events?EQ_bizStep=receiving", headers=known.tokens["admin"]
    )
    assert answer.status_code == 400
    assert answer.json()["parameter"] == "EQ_bizStep"


# --- named queries --------------------------------------------------------------------------


def test_a_named_query_is_created_listed_run_and_deleted(
    client: TestClient, known: KnownSet
) -> None:
    token = known.tokens["dist-1"]
    definition = {"EQ_bizStep": ["shipping", "receiving"], "eventType": ["ObjectEvent"]}
    created = client.post(
        "/epcis/queries", json={"name": "inbound-1", "query": definition}, headers=token
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/epcis/queries/inbound-1"
    assert client.get("/epcis/queries/inbound-1", headers=token).json() == {
        "name": "inbound-1",
        "query": definition,
    }
    assert {"name": "inbound-1", "query": definition} in (
        client.get("/epcis/queries", headers=token).json()
    )
    # the query runs with the caller's view: dist-1 sees E03 and E04 of E03, E04, E13
    events = client.get("/epcis/queries/inbound-1/events?perPage=1", headers=token)
    assert names(events) == ["E03"]
    assert events.json()["epcisBody"]["queryResults"]["queryName"] == "inbound-1"
    link = events.headers["link"]
    assert names(client.get(link[1 : link.index(">")], headers=token)) == ["E04"]
    # it is dist-1's: another party does not see it, nor does the brand
    for other in ("dist-2", "admin"):
        assert (
            client.get("/epcis/queries/inbound-1", headers=known.tokens[other]).status_code == 404
        )
    assert client.delete("/epcis/queries/inbound-1", headers=token).status_code == 204
    assert client.get("/epcis/queries/inbound-1", headers=token).status_code == 404
    assert client.get("/epcis/queries/inbound-1/events", headers=token).status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"name": "q-bad", "query": {"EQ_bizStep": ["flying"]}}, 400, "EQ_bizStep"),
        ({"name": "q-bad", "query": {"EQ_bizStep": "shipping"}}, 400, "EQ_bizStep"),
        ({"name": "q-bad", "query": {"GE_eventTime": 5}}, 400, "GE_eventTime"),
        ({"name": "q-bad", "query": {"perPage": 3}}, 400, "perPage"),
        ({"name": "q-bad", "query": {"nonsense": ["x"]}}, 400, "nonsense"),
        ({"name": "q-bad", "query": []}, 400, "query"),
        ({"name": "bad name!", "query": {}}, 400, "name"),
        ({"query": {}}, 400, "name"),
        ({"name": "q-bad", "query": {}, "owner": "me"}, 400, "owner"),
    ],
)
def test_a_bad_named_query_is_refused_naming_the_field(
    client: TestClient, known: KnownSet, body: dict[str, Any], status: int, named: str
) -> None:
    answer = client.post("/epcis/queries", json=body, headers=known.tokens["admin"])
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"].startswith(f"{named}: ")
    assert client.get("/epcis/queries/q-bad", headers=known.tokens["admin"]).status_code == 404


def test_a_query_name_is_taken_once(client: TestClient, known: KnownSet) -> None:
    token = known.tokens["admin"]
    body = {"name": "once", "query": {"EXISTS_errorDeclaration": None}}
    assert client.post("/epcis/queries", json=body, headers=token).status_code == 201
    assert client.post("/epcis/queries", json=body, headers=token).status_code == 409
    assert client.get("/epcis/queries/once", headers=token).json()["query"] == {
        "EXISTS_errorDeclaration": None
    }
    assert names(client.get("/epcis/queries/once/events", headers=token)) == ["E10"]
    paged = client.get("/epcis/queries/once/events?EQ_action=ADD", headers=token)
    assert paged.status_code == 400
    assert paged.json()["parameter"] == "EQ_action"
    client.delete("/epcis/queries/once", headers=token)


# --- subscriptions --------------------------------------------------------------------------


class Receiver:
    """A subscriber's webhook on a local port: records every POST and answers with the next
    of ``statuses`` (the last one from then on)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        #: (headers by lower-case name, body) of each POST
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.arrived.set()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(*statuses: int) -> Receiver:
        made.append(Receiver(list(statuses or (200,))))
        return made[-1]

    yield make
    for item in made:
        item.close()


@pytest.fixture
def fresh(database: Database) -> tuple[TestClient, dict[str, str]]:
    """The service on an empty database (the known events are not needed), and an admin."""
    with database.unit_of_work() as uow:
        token = create_token(uow, role="admin", actor=Actor("test-setup", Role.ADMIN))
        uow.commit()
    return TestClient(service(database)), {"Authorization": f"Bearer {token}"}


def capture(database: Database, *documents: dict[str, Any]) -> None:
    with database.unit_of_work() as uow:
        EventRepository(uow.connection).add_documents([StoredEvent(d) for d in documents])
        uow.commit()


def object_event(identifier: str, type_: str = "ObjectEvent") -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": type_,
        "eventID": identifier,
        "eventTime": "2026-03-01T08:00:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
    }
    if type_ == "AggregationEvent":
        document.update(parentID=P1, childEPCs=[S1])
    else:
        document["epcList"] = [S1]
    return document


def subscribe(
    client: TestClient, token: dict[str, str], body: dict[str, Any], query: str = "shipments"
) -> dict[str, Any]:
    if client.get(f"/epcis/queries/{query}", headers=token).status_code == 404:
        definition = {"name": query, "query": {"eventType": ["ObjectEvent"]}}
        assert client.post("/epcis/queries", json=definition, headers=token).status_code == 201
    answer = client.post(f"/epcis/queries/{query}/subscriptions", json=body, headers=token)
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"].endswith(answer.json()["subscriptionID"])
    created: dict[str, Any] = answer.json()
    return created


QUICK = DeliveryPolicy(poll=0.0, settle=0.0, backoff=0.2, max_attempts=3)


def test_a_stream_subscription_gets_new_matching_events_signed(
    fresh: tuple[TestClient, dict[str, str]],
    database: Database,
    receiver: Callable[..., Receiver],
    conformance: Path,
) -> None:
    client, token = fresh
    hook = receiver(200)
    capture(database, object_event("urn:uuid:before"))
    created = subscribe(
        client, token, {"dest": hook.url, "signatureToken": "s3cret", "stream": True}
    )
    assert "signatureToken" not in created
    capture(
        database,
        object_event("urn:uuid:after"),
        object_event("urn:uuid:packed", "AggregationEvent"),
    )
    delivery = SubscriptionDelivery(database, destinations=LOCAL, policy=QUICK)
    assert delivery.deliver_due() == 1
    ((headers, body),) = hook.received
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["gs1-signature"] == expected  # header names are case-insensitive
    document = json.loads(body)
    results = document["epcisBody"]["queryResults"]
    assert results["subscriptionID"] == created["subscriptionID"]
    assert results["queryName"] == "shipments"
    assert [event["eventID"] for event in results["resultsBody"]["eventList"]] == ["urn:uuid:after"]
    assert schema_errors(conformance, document) == []
    # nothing new, nothing sent; a new event is sent alone
    assert delivery.deliver_due() == 0
    capture(database, object_event("urn:uuid:later"))
    assert delivery.deliver_due() == 1
    assert [
        e["eventID"]
        for e in hook.documents()[1]["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    ] == ["urn:uuid:later"]
    state = client.get(
        f"/epcis/queries/shipments/subscriptions/{created['subscriptionID']}", headers=token
    ).json()
    assert state["deliveryStatus"] == "active"
    assert "lastNotifiedAt" in state


def test_a_failed_delivery_is_retried_after_a_backoff(
    fresh: tuple[TestClient, dict[str, str]], database: Database, receiver: Callable[..., Receiver]
) -> None:
    client, token = fresh
    hook = receiver(500, 200)
    created = subscribe(client, token, {"dest": hook.url, "stream": True})
    capture(database, object_event("urn:uuid:retried"))
    delivery = SubscriptionDelivery(database, destinations=LOCAL, policy=QUICK)
    assert delivery.deliver_due() == 1
    path = f"/epcis/queries/shipments/subscriptions/{created['subscriptionID']}"
    failing = client.get(path, headers=token).json()
    assert failing["deliveryStatus"] == "failing"
    assert failing["failedAttempts"] == 1
    assert "HTTP 500" in failing["lastError"]
    assert delivery.deliver_due() == 0  # not before the backoff
    time.sleep(0.25)
    assert delivery.deliver_due() == 1
    first, second = hook.documents()
    assert first == second | {"creationDate": first["creationDate"]}
    assert "gs1-signature" not in hook.received[0][0]
    assert client.get(path, headers=token).json()["deliveryStatus"] == "active"


def test_a_subscription_failing_every_attempt_is_suspended(
    fresh: tuple[TestClient, dict[str, str]], database: Database, receiver: Callable[..., Receiver]
) -> None:
    client, token = fresh
    hook = receiver(503)
    created = subscribe(client, token, {"dest": hook.url, "stream": True})
    capture(database, object_event("urn:uuid:refused"))
    delivery = SubscriptionDelivery(
        database,
        destinations=LOCAL,
        policy=DeliveryPolicy(poll=0, settle=0, backoff=0, max_attempts=2),
    )
    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 0
    path = f"/epcis/queries/shipments/subscriptions/{created['subscriptionID']}"
    assert client.get(path, headers=token).json()["deliveryStatus"] == "suspended"
    assert len(hook.received) == 2


def test_an_unreachable_subscriber_is_a_failed_attempt(
    fresh: tuple[TestClient, dict[str, str]], database: Database, receiver: Callable[..., Receiver]
) -> None:
    client, token = fresh
    hook = receiver(200)
    hook.close()  # nobody listens there any more
    created = subscribe(client, token, {"dest": hook.url, "stream": True})
    capture(database, object_event("urn:uuid:lost"))
    assert SubscriptionDelivery(database, destinations=LOCAL, policy=QUICK).deliver_due() == 1
    path = f"/epcis/queries/shipments/subscriptions/{created['subscriptionID']}"
    assert client.get(path, headers=token).json()["deliveryStatus"] == "failing"


def test_the_delivery_thread_delivers_in_the_background(
    fresh: tuple[TestClient, dict[str, str]], database: Database, receiver: Callable[..., Receiver]
) -> None:
    client, token = fresh
    hook = receiver(200)
    subscribe(client, token, {"dest": hook.url, "stream": True})
    delivery = SubscriptionDelivery(
        database, destinations=LOCAL, policy=DeliveryPolicy(poll=0.05, settle=0.0)
    )
    delivery.start()
    try:
        capture(database, object_event("urn:uuid:background"))
        assert hook.arrived.wait(10)
    finally:
        delivery.stop()
    assert (
        hook.documents()[0]["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"]
        == "urn:uuid:background"
    )


def test_a_scheduled_subscription_reports_when_due_even_if_empty(
    fresh: tuple[TestClient, dict[str, str]], database: Database, receiver: Callable[..., Receiver]
) -> None:
    client, token = fresh
    hook = receiver(200)
    subscribe(
        client, token, {"dest": hook.url, "schedule": {"second": "0,30"}, "reportIfEmpty": True}
    )
    now = dt.datetime.now(dt.UTC)
    early = SubscriptionDelivery(database, destinations=LOCAL, policy=QUICK, clock=lambda: now)
    assert early.deliver_due() == 0
    due = SubscriptionDelivery(
        database, destinations=LOCAL, policy=QUICK, clock=lambda: now + dt.timedelta(seconds=31)
    )
    assert due.deliver_due() == 1
    assert hook.documents()[0]["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"stream": True}, "dest"),
        ({"dest": "ftp://example.com/x", "stream": True}, "dest"),
        ({"dest": "https://example.com/x"}, "stream"),
        ({"dest": "https://example.com/x", "stream": False}, "stream"),
        ({"dest": "https://example.com/x", "stream": True, "schedule": {"hour": "1"}}, "schedule"),
        ({"dest": "https://example.com/x", "schedule": {"weekday": "1"}}, "schedule.weekday"),
        ({"dest": "https://example.com/x", "schedule": {"minute": "[5-70]"}}, "schedule.minute"),
        ({"dest": "https://example.com/x", "schedule": {"hour": "one"}}, "schedule.hour"),
        ({"dest": "https://example.com/x", "schedule": {}}, "schedule"),
        ({"dest": "https://example.com/x", "stream": True, "signatureToken": 5}, "signatureToken"),
        (
            {"dest": "https://example.com/x", "stream": True, "reportIfEmpty": "yes"},
            "reportIfEmpty",
        ),
        ({"dest": "https://example.com/x", "stream": True, "callback": "x"}, "callback"),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_field(
    fresh: tuple[TestClient, dict[str, str]], body: dict[str, Any], named: str
) -> None:
    client, token = fresh
    assert (
        client.post(
            "/epcis/queries", json={"name": "shipments", "query": {}}, headers=token
        ).status_code
        == 201
    )
    answer = client.post("/epcis/queries/shipments/subscriptions", json=body, headers=token)
    assert answer.status_code == 400, answer.text
    assert answer.json()["type"] == "epcisException:SubscriptionControlsException"
    assert answer.json()["detail"].startswith(f"{named}: ")
    assert client.get("/epcis/queries/shipments/subscriptions", headers=token).json() == []


def test_deleting_a_query_ends_its_subscriptions(
    fresh: tuple[TestClient, dict[str, str]], database: Database, receiver: Callable[..., Receiver]
) -> None:
    client, token = fresh
    hook = receiver(200)
    created = subscribe(client, token, {"dest": hook.url, "stream": True})
    listed = client.get("/epcis/queries/shipments/subscriptions", headers=token).json()
    assert [item["subscriptionID"] for item in listed] == [created["subscriptionID"]]
    path = f"/epcis/queries/shipments/subscriptions/{created['subscriptionID']}"
    assert client.delete("/epcis/queries/shipments", headers=token).status_code == 204
    assert client.get(path, headers=token).status_code == 404
    capture(database, object_event("urn:uuid:unheard"))
    assert SubscriptionDelivery(database, destinations=LOCAL, policy=QUICK).deliver_due() == 0


def test_unsubscribing_stops_delivery(
    fresh: tuple[TestClient, dict[str, str]], database: Database, receiver: Callable[..., Receiver]
) -> None:
    client, token = fresh
    hook = receiver(200)
    created = subscribe(client, token, {"dest": hook.url, "stream": True})
    path = f"/epcis/queries/shipments/subscriptions/{created['subscriptionID']}"
    assert client.delete(path, headers=token).status_code == 204
    capture(database, object_event("urn:uuid:unheard"))
    assert SubscriptionDelivery(database, destinations=LOCAL, policy=QUICK).deliver_due() == 0
    assert hook.received == []


def test_known_event_ids_are_all_there(known: KnownSet) -> None:
    with known.database.unit_of_work(read_only=True) as uow:
        assert uow.events.count() == len(ALL)


def test_a_per_page_of_thousands_of_digits_is_read_as_the_most(
    fresh: tuple[TestClient, dict[str, str]],
) -> None:
    """Python reads no number of more than 4,300 digits; such a perPage is above the most,
    and is answered as the most rather than with a 500."""
    client, admin = fresh
    answer = client.get("/epcis/events?perPage=" + "9" * 5000, headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["type"] == "EPCISQueryDocument"
