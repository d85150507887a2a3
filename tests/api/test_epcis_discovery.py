"""EPCIS discovery: the top-level resources, the EPCs a token's events name (paged), what may be
asked of one value, and OPTIONS on every resource; checked against the query interface's own
answers on the known event set."""

from __future__ import annotations

import urllib.parse

import pytest
from fastapi.testclient import TestClient

from tests.epcis_known_events import L1, P1, S2, KnownSet, known, known_set
from unitrace.api.app import create_app
from unitrace.services.epcis_redaction import WITHHELD_EPC

__all__ = ["known", "known_set"]  # fixtures

QUOTED = {name: urllib.parse.quote(value, safe="") for name, value in (("S2", S2), ("P1", P1))}
#: The keys of an event that name EPCs (not classes): what MATCH_anyEPC looks in.
EPC_KEYS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")


@pytest.fixture
def client(known: KnownSet) -> TestClient:
    return TestClient(create_app(known.database))


def epcs_of_visible_events(client: TestClient, token: dict[str, str]) -> list[str]:
    """The EPCs the events ``GET /epcis/events`` gives ``token`` show, in code order (an EPC
    withheld from a party shows as no EPC)."""
    answer = client.get("/epcis/events", params={"perPage": "1000"}, headers=token)
    assert answer.status_code == 200
    found: set[str] = set()
    for event in answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]:
        for key in EPC_KEYS:
            found.update(event.get(key) or ())
        if event.get("parentID"):
            found.add(event["parentID"])
    return sorted(found - {WITHHELD_EPC}, key=str.encode)


def test_the_top_level_resources(client: TestClient, known: KnownSet) -> None:
    answer = client.get("/epcis", headers=known.tokens["verifier"])
    assert answer.status_code == 200
    assert answer.headers["GS1-EPCIS-Version"] == "2.0.0"
    assert answer.json()["member"] == [
        "queries",
        "capture",
        "events",
        "eventTypes",
        "epcs",
        "readPoints",
        "bizLocations",
        "dispositions",
        "bizSteps",
    ]
    assert client.get("/epcis").status_code == 401


@pytest.mark.parametrize("caller", ["admin", "dist-1", "dist-2", "dist-3"])
def test_epcs_are_those_of_the_events_a_token_sees(
    client: TestClient, known: KnownSet, caller: str
) -> None:
    token = known.tokens[caller]
    answer = client.get("/epcis/epcs", params={"perPage": "1000"}, headers=token)
    assert answer.status_code == 200
    assert answer.json()["type"] == "Collection"
    assert answer.json()["member"] == epcs_of_visible_events(client, token)
    assert "Link" not in answer.headers


def test_epcs_come_in_pages_that_add_up(client: TestClient, known: KnownSet) -> None:
    token = known.tokens["admin"]
    pages: list[list[str]] = []
    url: str | None = "/epcis/epcs?perPage=4"
    while url is not None:
        answer = client.get(url, headers=token)
        assert answer.status_code == 200
        pages.append(answer.json()["member"])
        link = answer.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    whole = epcs_of_visible_events(client, token)
    assert len(whole) > 8
    assert [len(page) for page in pages[:-1]] == [4] * (len(pages) - 1)
    assert [epc for page in pages for epc in page] == whole


@pytest.mark.parametrize(
    ("path", "caller", "status"),
    [
        ("/epcis/eventTypes/ObjectEvent", "dist-3", 200),
        ("/epcis/eventTypes/QuantityEvent", "admin", 404),
        (f"/epcis/epcs/{QUOTED['S2']}", "admin", 200),
        (f"/epcis/epcs/{QUOTED['S2']}", "dist-1", 200),  # in its custody
        # dist-2's pallet: dist-1 sees E02 packing S2 on it, but does not find it
        (f"/epcis/epcs/{QUOTED['P1']}", "dist-1", 404),
        (f"/epcis/epcs/{QUOTED['P1']}", "dist-2", 200),  # in its custody
        (f"/epcis/epcs/{QUOTED['P1']}", "dist-3", 404),  # none of its events
        ("/epcis/epcs/urn:epc:id:sgtin:9506000.013435.NONE", "admin", 404),
        ("/epcis/bizSteps/shipping", "admin", 200),
        ("/epcis/bizSteps/https%3A%2F%2Fref.gs1.org%2Fcbv%2FBizStep-shipping", "admin", 200),
        ("/epcis/bizSteps/void_shipping", "admin", 404),  # a CBV step no event has
        ("/epcis/bizSteps/shiping", "admin", 400),  # no CBV step at all
        (f"/epcis/readPoints/{urllib.parse.quote(L1, safe='')}", "admin", 200),
        ("/epcis/dispositions/in_transit", "admin", 200),
        ("/epcis/colours/red", "admin", 404),
    ],
)
def test_a_value_lists_its_sub_resources_when_the_token_sees_it(
    client: TestClient, known: KnownSet, path: str, caller: str, status: int
) -> None:
    answer = client.get(path, headers=known.tokens[caller])
    assert answer.status_code == status, answer.text
    if status == 200:
        assert answer.json()["member"] == ["events"]
        events = client.get(f"{path}/events", headers=known.tokens[caller])
        listed = events.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        # an event type is one whether or not the token sees an event of it
        assert listed or path.startswith("/epcis/eventTypes/")
    else:
        assert answer.headers["content-type"] == "application/problem+json"
        expected = "QueryParameterException" if status == 400 else "NoSuchNameException"
        assert answer.json()["type"] == f"epcisException:{expected}"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/epcis", "OPTIONS, GET"),
        ("/epcis/events", "OPTIONS, GET, POST"),
        ("/epcis/events/urn%3Auuid%3A1", "OPTIONS, GET"),
        ("/epcis/eventTypes", "OPTIONS, GET"),
        ("/epcis/eventTypes/ObjectEvent", "OPTIONS, GET"),
        ("/epcis/epcs", "OPTIONS, GET"),
        (f"/epcis/epcs/{QUOTED['S2']}/events", "OPTIONS, GET"),
        ("/epcis/bizLocations", "OPTIONS, GET"),
        ("/epcis/queries", "OPTIONS, GET, POST"),
        ("/epcis/queries/recalls", "OPTIONS, GET, DELETE"),
        ("/epcis/queries/recalls/events", "OPTIONS, GET"),
        ("/epcis/queries/recalls/subscriptions", "OPTIONS, GET, POST"),
        ("/epcis/queries/recalls/subscriptions/abc", "OPTIONS, GET, DELETE"),
        ("/epcis/capture/7", "OPTIONS, GET"),
    ],
)
def test_options_tells_each_resources_methods_and_versions(
    client: TestClient, path: str, allowed: str
) -> None:
    answer = client.options(path)
    assert answer.status_code == 204
    assert answer.headers["Allow"] == allowed
    assert {
        name: answer.headers[name]
        for name in (
            "GS1-EPCIS-Version",
            "GS1-EPCIS-Min",
            "GS1-EPCIS-Max",
            "GS1-CBV-Version",
            "GS1-EPC-Format",
            "GS1-CBV-XML-Format",
        )
    } == {
        "GS1-EPCIS-Version": "2.0.0",
        "GS1-EPCIS-Min": "2.0.0",
        "GS1-EPCIS-Max": "2.0.0",
        "GS1-CBV-Version": "2.0.0",
        "GS1-EPC-Format": "Never_Translates",
        "GS1-CBV-XML-Format": "Always_URN",
    }
    assert answer.headers["GS1-Vendor-Version"].startswith("unitrace-")


def test_options_on_capture_also_tells_the_limits(client: TestClient) -> None:
    answer = client.options("/epcis/capture")
    assert answer.status_code == 204
    assert answer.headers["Allow"] == "OPTIONS, GET, POST"
    assert int(answer.headers["GS1-EPCIS-Capture-Limit"]) > 0


@pytest.mark.parametrize(
    ("request_line", "status"),
    [
        (("OPTIONS", "/epcis/nowhere"), 404),
        (("GET", "/epcis/epcs?nextPageToken=%%%"), 400),
        (("GET", "/epcis/epcs?perPage=0"), 400),
        (("DELETE", "/epcis/nextPageToken/anything"), 204),
    ],
)
def test_discovery_refusals_and_the_token_release(
    client: TestClient, known: KnownSet, request_line: tuple[str, str], status: int
) -> None:
    method, path = request_line
    answer = client.request(method, path, headers=known.tokens["admin"])
    assert answer.status_code == status, answer.text
    if status >= 400:
        assert answer.headers["content-type"] == "application/problem+json"
