"""The DSCSA exchange for a shipment, from the service: what the document holds (every unit
once, the packing tree, master data, SBDH), both versions valid against GS1's schemas, who
may ask, and what is refused."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.epcis import official
from tests.services.exports.dscsa_scene import (
    BRAND_GLN,
    EXPIRY_A,
    EXPIRY_B,
    LOT_A,
    LOT_B,
    NDC,
    PALLET_EPC,
    PHARMACY,
    PREFIX,
    PRODUCT_CLASS,
    SHIPPED,
    WHOLESALER,
    build_dscsa_scene,
    case_epc,
    partner_shipment,
    shipped_on_to_pharmacy,
    shipped_to_wholesaler,
    unit_epc,
)
from tests.services.issued_units import ADMIN, LINE, VERIFIER, projection
from unitrace.registry.errors import Forbidden, InvalidRequest, NotFound, Refused
from unitrace.registry.model import Actor, Role
from unitrace.services.exports.dscsa import DscsaExchange, dscsa_document, dscsa_exchange, written
from unitrace.store.unit_of_work import Database

MDA = "urn:epcglobal:cbv:mda#"
CREATED = dt.datetime(2026, 5, 5, 12, 0, tzinfo=dt.UTC)
INSTANCE = "urn:uuid:00000000-0000-4000-8000-0000000d5c5a"
EPCIS_1 = "urn:epcglobal:epcis:xsd:1"
SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"


@pytest.fixture
def shipped(database: Database) -> tuple[Database, str]:
    build_dscsa_scene(database)
    return database, shipped_to_wholesaler(database)


def exchange(database: Database, event_id: str, actor: Actor = ADMIN) -> DscsaExchange:
    with database.unit_of_work(read_only=True) as uow:
        return dscsa_exchange(uow, event_id, actor=actor, now=CREATED, instance_identifier=INSTANCE)


def events(found: DscsaExchange) -> list[dict[str, Any]]:
    return list(found.document["epcisBody"]["eventList"])


def sent_units() -> list[str]:
    return sorted(unit_epc(lot, n) for units in SHIPPED.values() for lot, n in units)


def test_every_unit_sent_is_commissioned_once_and_packed_once(
    shipped: tuple[Database, str],
) -> None:
    database, event_id = shipped
    found = exchange(database, event_id)
    listed = events(found)
    assert [(e["type"], e["action"], e["bizStep"]) for e in listed] == [
        ("ObjectEvent", "ADD", "commissioning"),
        ("ObjectEvent", "ADD", "commissioning"),
        ("AggregationEvent", "ADD", "packing"),
        ("AggregationEvent", "ADD", "packing"),
        ("AggregationEvent", "ADD", "packing"),
        ("AggregationEvent", "ADD", "packing"),
        ("ObjectEvent", "OBSERVE", "shipping"),
    ]
    commissioned = Counter(epc for e in listed[:2] for epc in e["epcList"])
    assert sorted(commissioned) == sent_units()
    assert set(commissioned.values()) == {1}
    assert [(e["ilmd"]["cbvmda:lotNumber"], len(e["epcList"])) for e in listed[:2]] == [
        (LOT_A, 10),
        (LOT_B, 2),
    ]
    packed = Counter(child for e in listed[2:6] for child in e["childEPCs"])
    assert set(packed.values()) == {1}
    assert (found.units, found.containers) == (12, 4)


def test_the_packing_tree_is_the_shipment_s_down_to_each_unit(
    shipped: tuple[Database, str],
) -> None:
    database, event_id = shipped
    listed = events(exchange(database, event_id))
    tree = {
        e["parentID"]: sorted(e["childEPCs"]) for e in listed if e["type"] == "AggregationEvent"
    }
    assert tree == {
        PALLET_EPC: [case_epc(n) for n in (1, 2, 3)],
        **{
            case_epc(number): sorted(unit_epc(lot, n) for lot, n in units)
            for number, units in SHIPPED.items()
        },
    }
    shipping = listed[-1]
    assert (shipping["disposition"], sorted(shipping["epcList"])) == (
        "in_transit",
        sorted([PALLET_EPC, *(case_epc(n) for n in (1, 2, 3)), *sent_units()]),
    )
    # the unit taken out of case 1 before shipping, case 4 and the loose units are not in it
    everything = json.dumps(listed)
    for absent in (unit_epc(LOT_A, 5), case_epc(4), unit_epc(LOT_A, 12), unit_epc(LOT_B, 3)):
        assert absent not in everything


def test_master_data_names_the_product_its_ndc_lots_and_places(
    shipped: tuple[Database, str],
) -> None:
    database, event_id = shipped
    found = exchange(database, event_id)
    vocabularies = {
        vocabulary["type"]: {
            element["id"]: {a["id"]: a.get("attribute") for a in element["attributes"]}
            for element in vocabulary["vocabularyElementList"]
        }
        for vocabulary in found.document["epcisHeader"]["epcisMasterData"]["vocabularyList"]
    }
    assert vocabularies == {
        "urn:epcglobal:epcis:vtype:EPCClass": {
            PRODUCT_CLASS: {
                MDA + "additionalTradeItemIdentification": NDC,
                MDA + "additionalTradeItemIdentificationTypeCode": "FDA_NDC_10",
                MDA + "regulatedProductName": "Amoxicillin 500 mg",
                MDA + "dosageFormType": "TABLET",
                MDA + "strengthDescription": "500 mg",
            },
            f"urn:epc:class:lgtin:{PREFIX}.000320.{LOT_A}": {
                MDA + "lotNumber": LOT_A,
                MDA + "itemExpirationDate": EXPIRY_A.isoformat(),
            },
            f"urn:epc:class:lgtin:{PREFIX}.000320.{LOT_B}": {
                MDA + "lotNumber": LOT_B,
                MDA + "itemExpirationDate": EXPIRY_B.isoformat(),
            },
        },
        "urn:epcglobal:epcis:vtype:BusinessLocation": {
            f"urn:epc:id:sgln:{PREFIX}.00000.0": {
                MDA + "name": "brand inc",
                MDA + "state": "NJ",
                MDA + "countryCode": "US",
            },
            f"urn:epc:id:sgln:{PREFIX}.00001.0": {
                MDA + "name": "wholesaler inc",
                MDA + "state": "NJ",
                MDA + "countryCode": "US",
                MDA + "streetAddressOne": "1 Market St",
                MDA + "city": "Newark",
            },
        },
    }


def test_the_header_names_sender_receiver_and_instance(shipped: tuple[Database, str]) -> None:
    database, event_id = shipped
    found = exchange(database, event_id)
    document = found.document
    assert (
        document["sender"],
        document["receiver"],
        document["instanceIdentifier"],
        document["creationDate"],
    ) == (
        f"urn:epc:id:sgln:{PREFIX}.00000.0",
        f"urn:epc:id:sgln:{PREFIX}.00001.0",
        INSTANCE,
        "2026-05-05T12:00:00.000+00:00",
    )
    assert BRAND_GLN.startswith(PREFIX)
    xml = etree.fromstring(written(found, "1.2"))
    header = xml.find(f"EPCISHeader/{{{SBDH}}}StandardBusinessDocumentHeader")
    assert header is not None
    assert [
        (element.tag.split("}")[1], element.get("Authority"), element.text)
        for element in header.iter(f"{{{SBDH}}}Identifier", f"{{{SBDH}}}InstanceIdentifier")
    ] == [
        ("Identifier", "SGLN", f"urn:epc:id:sgln:{PREFIX}.00000.0"),
        ("Identifier", "SGLN", f"urn:epc:id:sgln:{PREFIX}.00001.0"),
        ("InstanceIdentifier", None, INSTANCE),
    ]


def test_each_document_gets_its_own_instance_identifier(shipped: tuple[Database, str]) -> None:
    database, event_id = shipped
    with database.unit_of_work(read_only=True) as uow:
        first, second = (dscsa_exchange(uow, event_id, actor=ADMIN) for _ in range(2))
    pattern = re.compile(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    )
    assert pattern.fullmatch(first.instance_identifier)
    assert pattern.fullmatch(second.instance_identifier)
    assert first.instance_identifier != second.instance_identifier


def test_the_1_2_document_carries_the_same_events_in_epcis_1_2_places(
    shipped: tuple[Database, str],
) -> None:
    database, event_id = shipped
    found = exchange(database, event_id)
    xml = etree.fromstring(written(found, "1.2"))
    assert (xml.tag, xml.get("schemaVersion")) == (f"{{{EPCIS_1}}}EPCISDocument", "1.2")
    listed = xml.findall("EPCISBody/EventList/*")
    assert [
        (
            event.tag,
            event.findtext("baseExtension/eventID"),
            event.findtext("extension/ilmd/{urn:epcglobal:cbv:mda}lotNumber"),
        )
        for event in listed
    ] == [
        (
            "ObjectEvent" if e["type"] == "ObjectEvent" else "AggregationEvent",
            e["eventID"],
            (e.get("ilmd") or {}).get("cbvmda:lotNumber"),
        )
        for e in events(found)
    ]
    shipping = listed[-1]
    assert [
        (entry.get("type"), entry.text)
        for entry in shipping.iterfind("extension/destinationList/destination")
    ] == [
        ("urn:epcglobal:cbv:sdt:owning_party", f"urn:epc:id:pgln:{PREFIX}.00001"),
        ("urn:epcglobal:cbv:sdt:location", f"urn:epc:id:sgln:{PREFIX}.00001.0"),
    ]


@pytest.mark.conformance
def test_the_1_2_document_is_valid_against_the_epcis_1_2_xsd(
    shipped: tuple[Database, str], conformance: Path
) -> None:
    database, event_id = shipped
    schema = etree.XMLSchema(
        etree.parse(str(conformance / "epcis" / "XSD-1.2" / "EPCglobal-epcis-1_2.xsd"))
    )
    document = etree.fromstring(written(exchange(database, event_id), "1.2"))
    assert schema.validate(document), [str(error) for error in schema.error_log]


@pytest.mark.conformance
def test_the_2_0_document_is_valid_against_the_epcis_2_0_json_schema(
    shipped: tuple[Database, str], conformance: Path
) -> None:
    database, event_id = shipped
    document = json.loads(written(exchange(database, event_id), "2.0"))
    assert official.schema_errors(conformance, document) == []


def test_a_shipment_onward_holds_only_the_case_sent(shipped: tuple[Database, str]) -> None:
    database, _ = shipped
    onward = shipped_on_to_pharmacy(database)
    found = exchange(database, onward, PHARMACY)
    listed = events(found)
    assert [(e["bizStep"], e.get("parentID")) for e in listed] == [
        ("commissioning", None),
        ("packing", case_epc(2)),
        ("shipping", None),
    ]
    assert sorted(listed[0]["epcList"]) == sorted(unit_epc(lot, n) for lot, n in SHIPPED[2])
    assert (found.sender, found.receiver, found.units, found.containers) == (
        f"urn:epc:id:sgln:{PREFIX}.00001.0",
        f"urn:epc:id:sgln:{PREFIX}.00002.0",
        4,
        1,
    )
    # the wholesaler sent it, the pharmacy received it: both may ask
    assert exchange(database, onward, WHOLESALER).units == 4


@pytest.mark.parametrize(
    ("actor", "error", "message"),
    [
        (
            LINE,
            Forbidden,
            "a line token may not export a shipment's DSCSA exchange; needs admin or the "
            "token of the shipment's sender or receiver",
        ),
        (
            VERIFIER,
            Forbidden,
            "a verifier token may not export a shipment's DSCSA exchange; needs admin or the "
            "token of the shipment's sender or receiver",
        ),
        (PHARMACY, NotFound, "event: {id} is not a shipment unitrace recorded"),
        (
            Actor("nobody", Role.DISTRIBUTOR),
            Forbidden,
            "a distributor token may not export a shipment's DSCSA exchange; needs admin or "
            "the token of the shipment's sender or receiver",
        ),
    ],
)
def test_who_may_not_ask(
    shipped: tuple[Database, str], actor: Actor, error: type[Refused], message: str
) -> None:
    database, event_id = shipped
    with database.unit_of_work(read_only=True) as uow, pytest.raises(Refused) as raised:
        dscsa_exchange(uow, event_id, actor=actor)
    assert (type(raised.value), str(raised.value)) == (error, message.format(id=event_id))


def test_the_receiver_may_ask(shipped: tuple[Database, str]) -> None:
    database, event_id = shipped
    assert exchange(database, event_id, WHOLESALER).units == 12


def refusal(database: Database, event_id: str, version: str = "1.2") -> tuple[type, str]:
    with database.unit_of_work(read_only=True) as uow, pytest.raises(Refused) as raised:
        dscsa_document(uow, event_id, actor=ADMIN, version=version)
    return type(raised.value), str(raised.value)


def test_bad_requests_are_refused_and_change_nothing(shipped: tuple[Database, str]) -> None:
    database, event_id = shipped
    with database.unit_of_work(read_only=True) as uow:
        before = projection(uow)
        commissioning = next(
            e["eventID"]
            for e in dscsa_exchange(uow, event_id, actor=ADMIN).document["epcisBody"]["eventList"]
            if e["bizStep"] == "commissioning"
        )
    assert [
        refusal(database, "urn:uuid:00000000-0000-4000-8000-000000000000"),
        refusal(database, commissioning),
        refusal(database, event_id, "3.0"),
    ] == [
        (
            NotFound,
            "event: urn:uuid:00000000-0000-4000-8000-000000000000 is not a shipment unitrace recorded",
        ),
        (
            InvalidRequest,
            f"event: {commissioning} is a commissioning ObjectEvent, not a shipping event; "
            "a DSCSA exchange goes with a shipment",
        ),
        (InvalidRequest, "version: '3.0' is neither 1.2 nor 2.0"),
    ]
    with database.unit_of_work(read_only=True) as uow:
        assert projection(uow) == before


@pytest.mark.parametrize(
    ("version", "media_type", "extension"),
    [("1.2", "application/xml", "xml"), ("2.0", "application/ld+json", "jsonld")],
)
def test_the_document_s_form_by_version(
    shipped: tuple[Database, str], version: str, media_type: str, extension: str
) -> None:
    database, event_id = shipped
    with database.unit_of_work(read_only=True) as uow:
        found = dscsa_document(uow, event_id, actor=ADMIN, version=version)
    assert (found.media_type, found.file_name) == (
        media_type,
        f"dscsa-{event_id.replace(':', '-')}.{extension}",
    )


def test_a_shipment_naming_only_the_pallet_is_opened_down_to_each_unit(
    database: Database,
) -> None:
    build_dscsa_scene(database)
    found = exchange(database, partner_shipment(database), WHOLESALER)
    listed = events(found)
    assert [e["bizStep"] for e in listed] == [
        "commissioning",
        "commissioning",
        "packing",
        "packing",
        "packing",
        "packing",
        "urn:epcglobal:cbv:bizstep:shipping",
    ]
    assert sorted(epc for e in listed[:2] for epc in e["epcList"]) == sent_units()
    assert (listed[-1]["epcList"], found.units, found.containers) == ([PALLET_EPC], 12, 4)
    assert found.receiver == f"urn:epc:id:sgln:{PREFIX}.00001.0"
