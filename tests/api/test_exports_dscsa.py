"""``GET /api/exports/dscsa/{event id}``: the document in each version, who may ask (admin,
the shipment's sender and receiver), and what is refused, with the status of each."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from tests.services.exports.dscsa_scene import (
    build_dscsa_scene,
    partner_shipment,
    shipped_on_to_pharmacy,
    shipped_to_wholesaler,
)
from tests.services.issued_units import projection
from unitrace.store.unit_of_work import Database

Headers = Callable[..., dict[str, str]]
UNKNOWN = "urn:uuid:00000000-0000-4000-8000-000000000000"


@pytest.fixture
def shipment(database: Database) -> str:
    build_dscsa_scene(database)
    return shipped_to_wholesaler(database)


def route(event_id: str) -> str:
    return f"/api/exports/dscsa/{event_id}"


@pytest.mark.parametrize(
    ("version", "media_type"),
    [(None, "application/xml"), ("1.2", "application/xml"), ("2.0", "application/ld+json")],
)
def test_the_document_in_each_version(
    shipment: str, client: TestClient, admin: dict[str, str], version: str | None, media_type: str
) -> None:
    params = {} if version is None else {"version": version}
    answer = client.get(route(shipment), params=params, headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == media_type
    assert answer.headers["content-disposition"].startswith('attachment; filename="dscsa-')
    if media_type == "application/xml":
        root = etree.fromstring(answer.content)
        assert (root.get("schemaVersion"), len(root.findall("EPCISBody/EventList/*"))) == (
            "1.2",
            7,
        )
    else:
        body = json.loads(answer.content)
        assert (body["schemaVersion"], len(body["epcisBody"]["eventList"])) == ("2.0", 7)


@pytest.mark.parametrize(
    ("role", "party", "status"),
    [
        ("admin", None, 200),
        ("distributor", "wholesaler", 200),
        ("distributor", "pharmacy", 404),
        ("line", None, 403),
        ("verifier", None, 403),
    ],
)
def test_who_may_ask(
    shipment: str,
    client: TestClient,
    token_for: Headers,
    role: str,
    party: str | None,
    status: int,
) -> None:
    answer = client.get(route(shipment), headers=token_for(role, party))
    assert answer.status_code == status, answer.text


def test_another_party_gets_the_same_404_as_an_unknown_event(
    shipment: str, client: TestClient, token_for: Headers
) -> None:
    pharmacy = token_for("distributor", "pharmacy")
    theirs = client.get(route(shipment), headers=pharmacy)
    unknown = client.get(route(UNKNOWN), headers=pharmacy)
    assert (theirs.status_code, unknown.status_code) == (404, 404)
    assert theirs.json()["detail"] == f"event: {shipment} is not a shipment unitrace recorded"
    assert unknown.json()["detail"] == f"event: {UNKNOWN} is not a shipment unitrace recorded"
    # nor does another party's event that is no shipment say more than that
    events = client.get(route(shipment), params={"version": "2.0"}, headers=token_for("admin"))
    commissioning = events.json()["epcisBody"]["eventList"][0]["eventID"]
    answer = client.get(route(commissioning), headers=pharmacy)
    assert (answer.status_code, answer.json()["detail"]) == (
        404,
        f"event: {commissioning} is not a shipment unitrace recorded",
    )


def test_the_sender_of_an_onward_shipment_may_ask(
    shipment: str, database: Database, client: TestClient, token_for: Headers
) -> None:
    onward = shipped_on_to_pharmacy(database)
    for party in ("wholesaler", "pharmacy"):
        answer = client.get(
            route(onward), params={"version": "2.0"}, headers=token_for("distributor", party)
        )
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["epcisBody"]["eventList"]) == 3


def test_without_a_token_it_is_401(shipment: str, client: TestClient) -> None:
    assert client.get(route(shipment)).status_code == 401


def test_bad_requests_are_refused_and_change_nothing(
    shipment: str, database: Database, client: TestClient, admin: dict[str, str]
) -> None:
    with database.unit_of_work(read_only=True) as uow:
        before = projection(uow)
    body = client.get(route(shipment), params={"version": "2.0"}, headers=admin).json()
    commissioning = body["epcisBody"]["eventList"][0]["eventID"]
    answers = [
        client.get(route(UNKNOWN), headers=admin),
        client.get(route(commissioning), headers=admin),
        client.get(route(shipment), params={"version": "1.1"}, headers=admin),
    ]
    assert [(answer.status_code, answer.json()["detail"]) for answer in answers] == [
        (404, f"event: {UNKNOWN} is not a shipment unitrace recorded"),
        (
            422,
            f"event: {commissioning} is a commissioning ObjectEvent, not a shipping event; "
            "a DSCSA exchange goes with a shipment",
        ),
        (422, "version: '1.1' is neither 1.2 nor 2.0"),
    ]
    assert all(
        answer.headers["content-type"].startswith("application/problem+json") for answer in answers
    )
    with database.unit_of_work(read_only=True) as uow:
        assert projection(uow) == before


def test_an_event_id_with_slashes_and_a_query_is_asked_for_escaped(
    database: Database, client: TestClient, token_for: Headers
) -> None:
    build_dscsa_scene(database)
    event_id = partner_shipment(database)
    answer = client.get(
        route(quote(event_id, safe="")),
        params={"version": "2.0"},
        headers=token_for("distributor", "wholesaler"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["epcisBody"]["eventList"][-1]["eventID"] == event_id
