"""An LGTIN given to ``MATCH_epcClass``, ``MATCH_anyEPCClass`` or ``MATCH_outputEPCClass``
finds, besides the quantity lists naming it, the events that name SGTINs of its GTIN in the
roles the event's ILMD describes while that ILMD says the lot: the lot's commissioning and the
transformation whose outputs it is. In every spelling (EPC class URI, Digital Link on GS1's
resolver or another domain, a lot with an escaped character); an ``urn:epc:idpat`` pattern of
every lot keeps to quantity lists. A distributor finds by a lot no more than by the lot's
serials it holds; a named query finds what the query does. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api.epcis_captured_events import Captured, capture_documents, event_document, found
from unitrace.api.app import create_app
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_party
from unitrace.services.epcis_capture import capture
from unitrace.services.tokens import create_token

SETUP = Actor("test-setup", Role.ADMIN)
A = "urn:epc:id:sgtin:0614141.107346."  # GTIN 10614141073464
B = "urn:epc:id:sgtin:0614141.107347."  # GTIN 10614141073471
GTIN_A = "10614141073464"
ALL = "2026-01-01T00:00:00.000Z"


def event(name: str, kind: str = "ObjectEvent", **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "eventID": f"urn:example:event:{name}",
        "eventTime": ALL,
        "eventTimeZoneOffset": "+00:00",
        **fields,
    }


def commissioning(name: str, epcs: list[str], lot: str) -> dict[str, Any]:
    return event(
        name,
        action="ADD",
        bizStep="commissioning",
        epcList=epcs,
        ilmd={"cbvmda:lotNumber": lot},
    )


EVENTS = [
    commissioning("COMM-A-L1", [A + "S1", A + "S2"], "L1"),
    commissioning("COMM-A-L2", [A + "S3"], "L/2"),
    commissioning("COMM-B-L1", [B + "S1"], "L1"),
    # captured as a Digital Link on another domain: found by its canonical spelling
    commissioning("COMM-A-L1-DL", [f"https://example.com/01/{GTIN_A}/21/S6"], "L1"),
    # the same GTIN's serial written with a company prefix of six digits
    commissioning("COMM-A-L1-CP6", ["urn:epc:id:sgtin:061414.1107346.S9"], "L1"),
    event(
        "QTY",
        action="OBSERVE",
        epcList=[],
        quantityList=[{"epcClass": "urn:epc:class:lgtin:0614141.107346.L1", "quantity": 5}],
    ),
    event(
        "AGG",
        "AggregationEvent",
        action="ADD",
        parentID="urn:epc:id:sscc:0614141.1234567890",
        childEPCs=[A + "S1", A + "S2"],
    ),
    # relabelling: inputs of the same GTIN (another lot) become outputs of lot L1
    event(
        "TRANS",
        "TransformationEvent",
        inputEPCList=[A + "S8"],
        outputEPCList=[A + "S4", A + "S5"],
        ilmd={"cbvmda:lotNumber": "L1"},
    ),
]

#: Events of the distributors' own: dist-a commissions a unit of lot L1 (it holds it);
#: dist-b observes a unit of lot L1 (no ILMD there).
DIST_A = [commissioning("DIST-A-COMM", [A + "S7"], "L1")]
DIST_B = [event("DIST-B-OBS", action="OBSERVE", epcList=[A + "S1"])]

L1 = "urn:epc:class:lgtin:0614141.107346.L1"
L1_SPELLINGS = [
    L1,
    f"https://id.gs1.org/01/{GTIN_A}/10/L1",
    f"https://example.com/shop/01/{GTIN_A}/10/L1",
]
L2_SPELLINGS = [
    "urn:epc:class:lgtin:0614141.107346.L%2F2",
    f"https://id.gs1.org/01/{GTIN_A}/10/L%2F2",
]
COMMISSIONED_L1 = ["COMM-A-L1", "COMM-A-L1-CP6", "COMM-A-L1-DL", "DIST-A-COMM"]

#: (parameter, the values that name the class, the events found)
TABLE: list[tuple[str, list[str], list[str]]] = [
    ("MATCH_epcClass", L1_SPELLINGS, sorted([*COMMISSIONED_L1, "QTY"])),
    ("MATCH_anyEPCClass", L1_SPELLINGS, sorted([*COMMISSIONED_L1, "QTY", "TRANS"])),
    # ILMD describes what an event brings into being, never a transformation's inputs
    ("MATCH_inputEPCClass", L1_SPELLINGS, []),
    ("MATCH_outputEPCClass", L1_SPELLINGS, ["TRANS"]),
    ("MATCH_epcClass", L2_SPELLINGS, ["COMM-A-L2"]),
    ("MATCH_anyEPCClass", L2_SPELLINGS, ["COMM-A-L2"]),
    ("MATCH_outputEPCClass", L2_SPELLINGS, []),
    ("MATCH_epcClass", ["urn:epc:class:lgtin:0614141.107347.L1"], ["COMM-B-L1"]),
    ("MATCH_epcClass", ["urn:epc:class:lgtin:0614141.107346.L9"], []),
    # a pattern names every lot of the GTIN: quantity lists only
    ("MATCH_epcClass", ["urn:epc:idpat:sgtin:0614141.107346.*"], ["QTY"]),
    ("MATCH_anyEPCClass", ["urn:epc:idpat:sgtin:0614141.107346.*"], ["QTY"]),
]
#: Several classes in one parameter: OR.
SEVERAL = [
    (
        "MATCH_epcClass",
        [L1, "urn:epc:class:lgtin:0614141.107346.L%2F2"],
        sorted([*COMMISSIONED_L1, "QTY", "COMM-A-L2"]),
    )
]


def load(engine: Engine) -> tuple[Captured, dict[str, dict[str, str]]]:
    document = event_document(EVENTS)
    captured = capture_documents(
        engine, [("", document)], lambda _d, event_id, _i, _n: event_id.rsplit(":", 1)[1]
    )
    tokens: dict[str, dict[str, str]] = {}
    with captured.database.unit_of_work() as uow:
        for party, events in (("dist-a", DIST_A), ("dist-b", DIST_B)):
            register_party(uow, id=party, name=party, role="distributor", actor=SETUP)
            result = capture(
                uow, event_document(events), actor=Actor(party, Role.DISTRIBUTOR, party)
            )
            assert result.problems == (), result.problems
            for event_id in result.captured:
                captured.names[event_id] = event_id.rsplit(":", 1)[1]
            token = create_token(uow, role="distributor", party=party, actor=SETUP)
            tokens[party] = {"Authorization": f"Bearer {token}"}
        uow.commit()
    return captured, tokens


@pytest.fixture(scope="module")
def loaded_set(database_engine: Engine) -> tuple[Captured, dict[str, dict[str, str]]]:
    return load(database_engine)


@pytest.fixture
def loaded(
    loaded_set: tuple[Captured, dict[str, dict[str, str]]], database_engine: Engine
) -> tuple[Captured, dict[str, dict[str, str]]]:
    return loaded_set if loaded_set[0].intact() else load(database_engine)


@pytest.fixture
def client(loaded: tuple[Captured, dict[str, dict[str, str]]]) -> TestClient:
    return TestClient(create_app(loaded[0].database))


@pytest.mark.parametrize(
    ("parameter", "value", "expected"),
    [(parameter, value, expected) for parameter, values, expected in TABLE for value in values],
)
def test_a_lot_finds_its_instances_commissioning_by_ilmd(
    client: TestClient,
    loaded: tuple[Captured, dict[str, dict[str, str]]],
    parameter: str,
    value: str,
    expected: list[str],
) -> None:
    assert found(client, loaded[0], {parameter: value}) == expected


@pytest.mark.parametrize(
    ("parameter", "values", "expected"), [row for row in TABLE if len(row[1]) > 1] + SEVERAL
)
def test_values_at_once_find_what_each_finds(
    client: TestClient,
    loaded: tuple[Captured, dict[str, dict[str, str]]],
    parameter: str,
    values: list[str],
    expected: list[str],
) -> None:
    assert found(client, loaded[0], {parameter: ",".join(values)}) == expected


#: What each distributor finds by lot L1 of GTIN A: its own commissioning (it holds the unit);
#: nothing of the brand's, which it may not see, nor its observation, which has no ILMD.
PARTY_FINDS = {"dist-a": ["DIST-A-COMM"], "dist-b": []}


@pytest.mark.parametrize("party", sorted(PARTY_FINDS))
@pytest.mark.parametrize("parameter", ["MATCH_epcClass", "MATCH_anyEPCClass"])
def test_a_distributor_finds_by_a_lot_no_more_than_by_the_serials_it_holds(
    client: TestClient,
    loaded: tuple[Captured, dict[str, dict[str, str]]],
    party: str,
    parameter: str,
) -> None:
    captured, tokens = loaded
    by_lot = found(client, captured, {parameter: L1}, tokens[party])
    # the same events asked for by the GTIN's serials and the lot's ILMD
    by_serials = found(
        client,
        captured,
        {
            "MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.107346.*",
            "EQ_ILMD_cbvmda:lotNumber": "L1",
        },
        tokens[party],
    )
    assert by_lot == by_serials == PARTY_FINDS[party]


def test_a_named_query_finds_a_lot_as_the_query_does(
    client: TestClient, loaded: tuple[Captured, dict[str, dict[str, str]]]
) -> None:
    captured = loaded[0]
    made = client.post(
        "/epcis/queries",
        json={"name": "lot-l1", "query": {"MATCH_epcClass": [L1_SPELLINGS[1]]}},
        headers=captured.token,
    )
    assert made.status_code == 201, made.text
    try:
        answer = client.get("/epcis/queries/lot-l1/events", headers=captured.token)
        assert answer.status_code == 200, answer.text
        events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert sorted(captured.names[e["eventID"]] for e in events) == TABLE[0][2]
    finally:
        client.delete("/epcis/queries/lot-l1", headers=captured.token)
