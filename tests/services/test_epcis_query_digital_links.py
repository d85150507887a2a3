"""MATCH_ parameters find an object whichever spelling an event holds it in (EPC URI, GS1
Digital Link on id.gs1.org, on another domain, under a path stem, with a lot beside the
serial) and whichever spelling is asked for; the event comes back as it was sent."""

from __future__ import annotations

from typing import Any

import pytest

from unitrace.epcis import EPCIS_CONTEXT
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_capture import capture
from unitrace.services.epcis_query import read_query, run_query
from unitrace.store.unit_of_work import Database

PARTNER = Actor("partner", Role.ADMIN)
GTIN = "09506000134352"
SSCC = "095060000000000015"


def _event(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-0000000000{int(name[1:]):02d}",
        "action": "OBSERVE",
        "eventTime": f"2026-03-01T00:00:{int(name[1:]):02d}.000Z",
        "eventTimeZoneOffset": "+00:00",
        **fields,
    }


#: One event per spelling a sender may use.
SENT = [
    _event("X1", epcList=["urn:epc:id:sgtin:9506000.013435.ABC"]),
    _event("X2", epcList=[f"https://id.gs1.org/01/{GTIN}/21/DEF"]),
    _event("X3", epcList=[f"https://brand.example/shop/en/01/{GTIN}/21/GHI"]),
    _event("X4", epcList=[f"https://brand.example/01/{GTIN}/10/L1/21/JKL?17=280131"]),
    _event(
        "X5",
        epcList=[],
        quantityList=[{"epcClass": f"https://brand.example/01/{GTIN}/10/LOT7", "quantity": 4}],
    ),
    {
        **_event(
            "X6",
            parentID=f"https://brand.example/00/{SSCC}",
            childEPCs=[f"http://other.example/01/{GTIN}/21/MNO"],
        ),
        "type": "AggregationEvent",
        "action": "ADD",
    },
]


@pytest.fixture
def spelled(database: Database) -> Database:
    document = {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00Z",
        "epcisBody": {"eventList": SENT},
    }
    with database.unit_of_work() as uow:
        result = capture(uow, document, actor=PARTNER)
        assert result.problems == (), result.problems
        uow.commit()
    return database


def _found(database: Database, parameter: str, value: str) -> list[dict[str, Any]]:
    with database.unit_of_work(read_only=True) as uow:
        page = run_query(uow, read_query({parameter: (value,)}), actor=PARTNER)
    return [event.document for event in page.events]


def _spellings(serial: str) -> list[str]:
    return [
        f"urn:epc:id:sgtin:9506000.013435.{serial}",
        f"https://id.gs1.org/01/{GTIN}/21/{serial}",
        f"https://resolver.example/01/{GTIN}/21/{serial}",
        f"https://resolver.example/a/b/01/{GTIN}/10/ANY/21/{serial}?17=300101",
    ]


@pytest.mark.parametrize(
    ("parameter", "value", "expected"),
    [
        *[("MATCH_epc", asked, "X1") for asked in _spellings("ABC")],
        *[("MATCH_epc", asked, "X2") for asked in _spellings("DEF")],
        *[("MATCH_epc", asked, "X3") for asked in _spellings("GHI")],
        *[("MATCH_epc", asked, "X4") for asked in _spellings("JKL")],
        *[("MATCH_anyEPC", asked, "X6") for asked in _spellings("MNO")],
        ("MATCH_epc", "urn:epc:idpat:sgtin:9506000.013435.*", "X1 X2 X3 X4 X6"),
        # a Digital Link's GTIN or SSCC does not say where its company prefix ends: a pattern
        # on the company prefix alone finds EPC URIs only
        ("MATCH_epc", "urn:epc:idpat:sgtin:9506000.*.*", "X1"),
        ("MATCH_epc", "urn:epc:id:sgtin:9506000.013435.PQR", ""),
        ("MATCH_parentID", "urn:epc:id:sscc:9506000.0000000001", "X6"),
        ("MATCH_parentID", f"https://id.gs1.org/00/{SSCC}", "X6"),
        ("MATCH_parentID", "urn:epc:idpat:sscc:9506000.*", ""),
        ("MATCH_anyEPC", f"https://elsewhere.example/00/{SSCC}", "X6"),
        ("MATCH_epcClass", "urn:epc:class:lgtin:9506000.013435.LOT7", "X5"),
        ("MATCH_epcClass", f"https://id.gs1.org/01/{GTIN}/10/LOT7", "X5"),
        ("MATCH_epcClass", f"https://elsewhere.example/01/{GTIN}/10/LOT7", "X5"),
        ("MATCH_epcClass", "urn:epc:idpat:sgtin:9506000.013435.*", "X5"),
        ("MATCH_epcClass", "urn:epc:class:lgtin:9506000.013435.LOT8", ""),
    ],
)
def test_every_spelling_finds_every_spelling(
    spelled: Database, parameter: str, value: str, expected: str
) -> None:
    names = {event["eventID"]: f"X{event['eventID'][-1]}" for event in SENT}
    found = [names[event["eventID"]] for event in _found(spelled, parameter, value)]
    assert found == expected.split()


def test_found_events_hold_their_epcs_as_sent(spelled: Database) -> None:
    found = _found(spelled, "MATCH_anyEPC", "urn:epc:idpat:sgtin:9506000.013435.*")
    sent = {event["eventID"]: event for event in SENT}
    assert found
    for event in found:
        original = sent[event["eventID"]]
        for key in ("epcList", "childEPCs", "parentID", "quantityList"):
            assert event.get(key) == original.get(key), key
