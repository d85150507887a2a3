"""A food's supply chain captured through the EPCIS capture path, for the FSMA 204 tests: a
farm's raw lot RAW-7 (a partner's, known by class only) harvested, cooled, shipped to the
brand's plant and received; the plant makes six units of lot L1 from 200 kg of it, packs them,
ships four to dist-a with a purchase order and an advance shipping notice, dist-a receives
them, packs the other two in a case and ships the case alone to dist-b; and events that are no critical tracking event (an inspection, an event declared in
error). The plant's and the farm's places have master data (name and address); dist-a is the
party registered at its GLN."""

from __future__ import annotations

from typing import Any, Final

from tests.services.issued_units import ADMIN, DIST_A_GLN, GTIN, LOT, PLANT_GLN, build_registry
from tests.services.issued_units import issue as issue_units
from tests.services.lifecycle.scenes import epc
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.services.epcis_capture import capture
from unitrace.store.unit_of_work import Database

RAW_GTIN: Final = "00614141123452"
RAW_LOT: Final = "RAW-7"
RAW_CLASS: Final = "urn:epc:class:lgtin:0614141.012345.RAW-7"
FARM: Final = "urn:epc:id:sgln:0614141.00001.0"
FARM_PARTY: Final = "urn:epc:id:pgln:0614141.00001"
COOLER: Final = "urn:epc:id:sgln:0614141.00002.0"
PLANT: Final = "urn:epc:id:sgln:9506000.00004.0"
DIST_A_PLACE: Final = "urn:epc:id:sgln:9506000.00001.0"
DIST_A_PARTY: Final = "urn:epc:id:pgln:9506000.00001"
DIST_B_PARTY: Final = "urn:epc:id:pgln:9506000.00002"
CASE: Final = "urn:epc:id:sgtin:9506000.113435.C9"
HARVESTING: Final = "https://farm.example/fsma/bizstep/harvesting"
COOLING: Final = "https://farm.example/fsma/bizstep/cooling"
PLANT_DESCRIPTION: Final = (
    f"Ipoh Juice Plant, 1 Jalan Kilang, Ipoh, MY-08, 30000, MY (GLN {PLANT_GLN})"
)
FARM_DESCRIPTION: Final = "Green Acre Farm, Route 9, Salinas, CA, 93901, US (GLN 0614141000012)"
DIST_A_DESCRIPTION: Final = f"dist-a (GLN {DIST_A_GLN})"


def _id(n: int) -> str:
    return f"urn:uuid:f5a20400-0000-4000-8000-{n:012d}"


def _event(n: int, at: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": _id(n),
        "eventTime": at,
        "eventTimeZoneOffset": at[-6:],
        "action": "OBSERVE",
        **fields,
    }


def _raw(quantity: float, uom: str = "KGM") -> list[dict[str, Any]]:
    return [{"epcClass": RAW_CLASS, "quantity": quantity, "uom": uom}]


def _place(gln_uri: str, name: str, street: str, city: str, state: str, code: str, country: str
           ) -> dict[str, Any]:  # fmt: skip
    words = zip(
        ("name", "streetAddress", "city", "state", "postalCode", "countryCode"),
        (name, street, city, state, code, country),
        strict=True,
    )
    return {
        "id": gln_uri,
        "attributes": [
            {"id": f"urn:epcglobal:cbv:mda#{key}", "attribute": value} for key, value in words
        ],
    }


EVENTS: Final = [
    _event(1, "2026-02-27T06:00:00-08:00", action="ADD", bizStep=HARVESTING,
           quantityList=_raw(500), readPoint={"id": FARM}),
    _event(2, "2026-02-27T15:00:00-08:00", bizStep=COOLING, quantityList=_raw(500),
           bizLocation={"id": COOLER}),
    _event(3, "2026-02-28T08:00:00-08:00", bizStep="shipping", disposition="in_transit",
           quantityList=_raw(480), readPoint={"id": COOLER},
           sourceList=[{"type": "owning_party", "source": FARM_PARTY},
                       {"type": "location", "source": FARM}],
           destinationList=[{"type": "location", "destination": PLANT}],
           bizTransactionList=[{"type": "bol", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000012:BOL-1"}]),
    _event(4, "2026-03-01T10:00:00+08:00", bizStep="receiving", disposition="in_progress",
           quantityList=_raw(480), bizLocation={"id": PLANT},
           sourceList=[{"type": "location", "source": FARM}]),
    _event(5, "2026-03-02T09:00:00+08:00", action="ADD", bizStep="commissioning",
           disposition="active", epcList=[epc(n) for n in range(1, 7)], readPoint={"id": PLANT},
           ilmd={"cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "2030-12-31"}),
    {"type": "TransformationEvent", "eventID": _id(6), "eventTime": "2026-03-02T10:00:00+08:00",
     "eventTimeZoneOffset": "+08:00", "inputQuantityList": _raw(200),
     "outputEPCList": [epc(n) for n in range(1, 7)], "bizLocation": {"id": PLANT},
     "bizTransactionList": [{"type": "prodorder", "bizTransaction": "urn:epcglobal:cbv:bt:9506000000046:WO-9"}]},
    _event(7, "2026-03-02T11:00:00+08:00", bizStep="inspecting", disposition="conformant",
           epcList=[epc(1)], readPoint={"id": PLANT}),
    _event(8, "2026-03-03T08:00:00+08:00", bizStep="shipping", disposition="in_transit",
           epcList=[epc(n) for n in range(1, 5)], readPoint={"id": PLANT},
           sourceList=[{"type": "location", "source": PLANT}],
           destinationList=[{"type": "owning_party", "destination": DIST_A_PARTY},
                            {"type": "location", "destination": DIST_A_PLACE}],
           bizTransactionList=[{"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:9506000000046:=ASN5"},
                               {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:9506000000015:PO-77"}]),
    _event(9, "2026-03-04T14:30:00+08:00", bizStep="receiving", disposition="in_progress",
           epcList=[epc(n) for n in range(1, 5)], bizLocation={"id": DIST_A_PLACE},
           sourceList=[{"type": "location", "source": PLANT}]),
    {"type": "AggregationEvent", "eventID": _id(11), "eventTime": "2026-03-03T09:00:00+08:00",
     "eventTimeZoneOffset": "+08:00", "action": "ADD", "bizStep": "packing",
     "parentID": CASE, "childEPCs": [epc(5), epc(6)], "readPoint": {"id": PLANT}},
    _event(12, "2026-03-03T10:00:00+08:00", bizStep="shipping", disposition="in_transit",
           epcList=[CASE], readPoint={"id": PLANT},
           destinationList=[{"type": "owning_party", "destination": DIST_B_PARTY}],
           bizTransactionList=[{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:9506000000022:PO-78"}]),
]  # fmt: skip

MASTER_DATA: Final = {
    "epcisMasterData": {
        "vocabularyList": [
            {
                "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                "vocabularyElementList": [
                    _place(PLANT, "Ipoh Juice Plant", "1 Jalan Kilang", "Ipoh", "MY-08", "30000", "MY"),
                    _place(FARM, "Green Acre Farm", "Route 9", "Salinas", "CA", "93901", "US"),
                ],
            },
            {
                "type": "urn:epcglobal:epcis:vtype:EPCClass",
                "vocabularyElementList": [
                    {"id": RAW_CLASS, "attributes": [
                        {"id": "urn:epcglobal:cbv:mda#descriptionShort", "attribute": "Romaine lettuce, whole head"}
                    ]}
                ],
            },
        ]
    }
}  # fmt: skip


def document(*events: dict[str, Any], header: bool = False) -> dict[str, Any]:
    sent: dict[str, Any] = {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-05T00:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }
    if header:
        sent["epcisHeader"] = MASTER_DATA
    return sent


def build_fsma_scene(database: Database) -> Database:
    """The registry of the lifecycle tests, six issued units of lot L1, and :data:`EVENTS` captured as one document with :data:`MASTER_DATA`; then
    a shipment of 999 kg of RAW-7 captured and declared in error."""
    build_registry(database)
    with database.unit_of_work() as uow:
        issue_units(uow, GTIN, LOT, 6)
        uow.commit()
    for sent in (document(*EVENTS, header=True), document(_declared_in_error())):
        with database.unit_of_work() as uow:
            result = capture(uow, sent, actor=ADMIN)
            assert result.captured, result
            uow.commit()
    return database


def _declared_in_error() -> dict[str, Any]:
    shipped = _event(
        10,
        "2026-02-28T09:00:00-08:00",
        bizStep="shipping",
        disposition="in_transit",
        quantityList=_raw(999),
        readPoint={"id": FARM},
    )
    shipped["errorDeclaration"] = {
        "declarationTime": "2026-03-05T09:00:00+08:00",
        "reason": "incorrect_data",
    }
    return shipped  # fmt: skip
