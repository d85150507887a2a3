"""A distributor's EPCIS answers never reveal the serials of units it does not hold or held: a
commissioning event naming a thousand units shows it its own, the others withheld and counted
(``unitrace:redactedEPCs``), in JSON-LD and XML valid against the official schema and XSD,
whichever route answers (events, one event, discovery, named queries, subscriptions); and
``/epcis/epcs`` and ``MATCH_*`` find only its own EPCs, even where an event it may see names
another's."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from tests.api.test_epcis_query import query_xsd
from tests.epcis.official import schema_errors
from tests.epcis_known_events import P1, S1, S2, KnownSet, known, known_set, name_of
from tests.services.issued_units import ADMIN, DIST_A, GTIN, LOT, build_registry, issue
from tests.services.test_epcis_subscriptions import (
    PUBLIC,
    QUICK,
    StandInDns,
    Subscriber,
)
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.services import epcis_named_queries, lifecycle
from unitrace.services.epcis_query import SubscriptionDelivery
from unitrace.services.epcis_redaction import NAMESPACE, WITHHELD_EPC
from unitrace.services.tokens import authenticate
from unitrace.services.webhooks import WebhookDestinations
from unitrace.store.held_epcs import HeldEpcs
from unitrace.store.unit_of_work import Database

__all__ = ["known", "known_set"]  # fixtures

EPCIS_NS = "urn:epcglobal:epcis:xsd:2"
UNITS = 1_000
SGTIN = "urn:epc:id:sgtin:9506000.013435."
COUNT = "unitrace:redactedEPCs"


def unit(seq: int) -> str:
    return f"{SGTIN}S{seq:05d}"


def event_list(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    events: list[dict[str, Any]] = answer.json()["epcisBody"]["queryResults"]["resultsBody"][
        "eventList"
    ]
    return events


def shown(event: dict[str, Any]) -> tuple[Any, ...]:
    """What an event shows of its EPCs: (bizStep, epcList, parentID, childEPCs, count)."""
    return (
        event.get("bizStep"),
        event.get("epcList"),
        event.get("parentID"),
        event.get("childEPCs"),
        event.get(COUNT),
    )


# --- a lot of a thousand units, commissioned in one event ---------------------------------------


@dataclass(frozen=True)
class Lot:
    client: TestClient
    database: Database
    tokens: dict[str, dict[str, str]]
    commissioning: str


@pytest.fixture(params=["ask-each-epc", "read-what-is-held"])
def lot(
    request: pytest.FixtureRequest,
    database: Database,
    token_for: Callable[..., dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> Lot:
    """A thousand units commissioned in one event; unit 7 shipped to dist-a, units 8 and 9 to
    dist-b. Both ways to what a party holds (asking of each EPC listed, or reading what the
    party holds and held) give every answer."""
    monkeypatch.setattr(HeldEpcs, "ASK_EACH_UP_TO", 10**9 if request.param == "ask-each-epc" else 0)
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, UNITS)
        made = lifecycle.commission(uow, gtin=GTIN, lot=LOT, seq_from=1, seq_to=UNITS, actor=ADMIN)
        for party, first, last in (("dist-a", 7, 7), ("dist-b", 8, 9)):
            lifecycle.allocate(
                uow, party=party, gtin=GTIN.value, lot=LOT, seq_from=first, seq_to=last,
                actor=ADMIN,
            )  # fmt: skip
        uow.commit()
    tokens = {
        "admin": token_for("admin"),
        "dist-a": token_for("distributor", "dist-a"),
        "dist-b": token_for("distributor", "dist-b"),
    }
    return Lot(TestClient(create_app(database, Settings())), database, tokens, made.event_id)


@pytest.mark.parametrize(
    ("caller", "commissioning", "shipments"),
    [
        # of the commissioning event, each party is shown its own units; its shipment in full
        ("dist-a", ([unit(7)], UNITS - 1), [[unit(7)]]),
        ("dist-b", ([unit(8), unit(9)], UNITS - 2), [[unit(8), unit(9)]]),
        ("admin", ([unit(n) for n in range(1, UNITS + 1)], None), [[unit(7)], [unit(8), unit(9)]]),
    ],
)
def test_a_commissioning_event_shows_a_party_only_its_own_units(
    lot: Lot,
    conformance: Path,
    caller: str,
    commissioning: tuple[list[str], int | None],
    shipments: list[list[str]],
) -> None:
    answer = lot.client.get("/epcis/events", headers=lot.tokens[caller])
    events = event_list(answer)
    assert [shown(event) for event in events] == [
        ("commissioning", sorted(commissioning[0]), None, None, commissioning[1]),
        *(("shipping", sorted(epcs), None, None, None) for epcs in shipments),
    ]
    document = answer.json()
    if commissioning[1] is not None:
        assert {"unitrace": NAMESPACE} in document["@context"]
    assert schema_errors(conformance, document) == []
    xml = lot.client.get(
        "/epcis/events", headers={**lot.tokens[caller], "Accept": "application/xml"}
    )
    root = etree.fromstring(xml.content)
    query_xsd(conformance).assertValid(root)
    first = root.find(".//ObjectEvent")
    assert first is not None
    assert [epc.text for epc in first.iter("epc")] == sorted(commissioning[0])
    count = first.find(f"{{{NAMESPACE}}}redactedEPCs")
    assert (None if count is None else int(count.text or "")) == commissioning[1]


def test_every_route_shows_the_event_as_events_does(lot: Lot) -> None:
    """One event, the discovery routes and a named query show dist-a the same event."""
    token = lot.tokens["dist-a"]
    whole = list(event_list(lot.client.get("/epcis/events", headers=token)))
    commissioning = whole[0]
    assert commissioning[COUNT] == UNITS - 1
    one = "/epcis/events/" + urllib.parse.quote(lot.commissioning, safe="")
    epc = urllib.parse.quote(unit(7), safe="")
    for path in (
        one,
        "/epcis/bizSteps/commissioning/events",
        "/epcis/eventTypes/ObjectEvent/events?EQ_bizStep=commissioning",
        f"/epcis/epcs/{epc}/events?EQ_bizStep=commissioning",
    ):
        (found,) = event_list(lot.client.get(path, headers=token))
        assert {**found, "recordTime": None} == {**commissioning, "recordTime": None}, path
    made = lot.client.post(
        "/epcis/queries", json={"name": "made", "query": {"EQ_bizStep": ["commissioning"]}},
        headers=token,
    )  # fmt: skip
    assert made.status_code == 201
    (found,) = event_list(lot.client.get("/epcis/queries/made/events", headers=token))
    assert found == commissioning


def test_a_subscription_delivers_what_its_party_may_see(lot: Lot) -> None:
    bearer = lot.tokens["dist-b"]["Authorization"].removeprefix("Bearer ")
    with lot.database.unit_of_work() as uow:
        actor = authenticate(uow, bearer)
        assert actor is not None
        epcis_named_queries.create_named_query(uow, "feed", {}, actor=actor)
        dns = StandInDns(hooks_partner_example=[PUBLIC])
        epcis_named_queries.subscribe(
            uow, "feed",
            {"dest": "https://hooks.partner.example/", "stream": True,
             "initialRecordTime": "2000-01-01T00:00:00Z"},
            actor=actor, destinations=WebhookDestinations(resolve=dns),
        )  # fmt: skip
        uow.commit()
    subscriber = Subscriber()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    delivery = SubscriptionDelivery(
        lot.database, policy=QUICK, destinations=WebhookDestinations(resolve=dns),
        post=subscriber, clock=lambda: later,
    )  # fmt: skip
    assert delivery.deliver_due() == 1
    ((_, document),) = subscriber.posts
    events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [shown(event) for event in events] == [
        ("commissioning", [unit(8), unit(9)], None, None, UNITS - 2),
        ("shipping", [unit(8), unit(9)], None, None, None),
    ]
    assert {"unitrace": NAMESPACE} in document["@context"]


def matched(lot: Lot, caller: str, **parameters: str) -> list[str]:
    answer = lot.client.get("/epcis/events", params=parameters, headers=lot.tokens[caller])
    return [event["bizStep"] for event in event_list(answer)]


DIGITAL_LINK_8 = f"https://id.gs1.org/01/{GTIN.value}/21/S00008"


@pytest.mark.parametrize(
    ("parameters", "found"),
    [
        ({"MATCH_epc": unit(7)}, ["commissioning", "shipping"]),
        ({"MATCH_anyEPC": unit(7)}, ["commissioning", "shipping"]),
        # another's unit, though the commissioning event dist-a sees names it
        ({"MATCH_epc": unit(8)}, []),
        ({"MATCH_anyEPC": unit(8)}, []),
        ({"MATCH_epc": DIGITAL_LINK_8}, []),
        ({"MATCH_epc": f"{unit(7)},{unit(8)}"}, ["commissioning", "shipping"]),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:9506000.013435.*"}, ["commissioning", "shipping"]),
        # a class is no serial
        ({"MATCH_epcClass": "urn:epc:idpat:sgtin:9506000.013435.*"}, []),
    ],
)
def test_match_finds_a_partys_own_epcs_only(
    lot: Lot, parameters: dict[str, str], found: list[str]
) -> None:
    assert matched(lot, "dist-a", **parameters) == found


def test_the_epcs_a_party_is_told_of_are_its_own(lot: Lot) -> None:
    epcs = {
        caller: lot.client.get("/epcis/epcs", headers=lot.tokens[caller]).json()["member"]
        for caller in ("dist-a", "dist-b")
    }
    assert epcs == {"dist-a": [unit(7)], "dist-b": [unit(8), unit(9)]}
    token = lot.tokens["dist-a"]
    assert lot.client.get(f"/epcis/epcs/{unit(7)}", headers=token).status_code == 200
    for other in (unit(8), unit(500)):
        assert lot.client.get(f"/epcis/epcs/{other}", headers=token).status_code == 404
        assert event_list(lot.client.get(f"/epcis/epcs/{other}/events", headers=token)) == []


def test_a_unit_shipped_on_stays_shown_to_the_party_that_held_it(lot: Lot) -> None:
    with lot.database.unit_of_work() as uow:
        lifecycle.ship(uow, codes=[unit(7)], party="dist-b", actor=DIST_A)
        uow.commit()
    # dist-a keeps its own shipment; the commissioning event names nothing it holds now
    assert matched(lot, "dist-a") == ["shipping"]
    assert matched(lot, "dist-a", MATCH_epc=unit(7)) == ["shipping"]
    events = event_list(lot.client.get("/epcis/events", headers=lot.tokens["dist-b"]))
    assert [shown(event) for event in events] == [
        ("commissioning", [unit(7), unit(8), unit(9)], None, None, UNITS - 3),
        ("shipping", [unit(7)], None, None, None),  # to dist-a: dist-b holds unit 7 now
        ("shipping", [unit(8), unit(9)], None, None, None),
        ("shipping", [unit(7)], None, None, None),
    ]


# --- the known events -------------------------------------------------------------------------

#: (party, what each event it sees shows: (bizStep, epcList, parentID, childEPCs, count)).
S3 = f"{SGTIN[:-1]}.S3"
KNOWN_VIEWS: list[tuple[str, dict[str, tuple[Any, ...]]]] = [
    ("dist-1", {
        "E01": ("commissioning", [S2, S3], None, None, 1),
        "E02": ("https://ref.gs1.org/cbv/BizStep-packing", None, WITHHELD_EPC, [S2], 2),
        "E03": ("https://ref.gs1.org/cbv/BizStep-shipping", [S3], None, None, None),
        "E04": ("receiving", [S3], None, None, None),
        "E07": ("assembling", None, WITHHELD_EPC, [S2], 1),
        "E15": ("disassembling", None, WITHHELD_EPC, [S2], 1),
        "E17": ("storing", [S2], None, None, None),
    }),
    ("dist-2", {
        "E02": ("https://ref.gs1.org/cbv/BizStep-packing", None, P1, [WITHHELD_EPC], 2),
        "E05": ("shipping", [], P1, None, 1),
        "E12": ("unpacking", None, P1, [], 1),
    }),
]  # fmt: skip


@pytest.mark.conformance
@pytest.mark.parametrize(("party", "expected"), KNOWN_VIEWS)
def test_each_party_sees_the_known_events_without_what_it_never_held(
    known: KnownSet, conformance: Path, party: str, expected: dict[str, tuple[Any, ...]]
) -> None:
    client = TestClient(create_app(known.database, Settings()))
    token = known.tokens[party]
    answer = client.get("/epcis/events", params={"perPage": "100"}, headers=token)
    events = event_list(answer)
    assert {name_of(event["eventID"]): shown(event) for event in events} == expected
    assert S1 not in answer.text
    assert schema_errors(conformance, answer.json()) == []
    xml = client.get(
        "/epcis/events", params={"perPage": "100"}, headers={**token, "Accept": "application/xml"}
    )
    query_xsd(conformance).assertValid(etree.fromstring(xml.content))
    assert S1 not in xml.text
    assert [
        client.get("/epcis/epcs", headers=known.tokens[caller]).json()["member"]
        for caller in ("dist-1", "dist-2", "dist-3")
    ] == [[S2, S3], [P1], []]
