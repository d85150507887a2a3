"""The scene the DSCSA exchange tests start from: a US drug (its GTIN carries NDC
6332300320) in two lots, commissioned at the brand's plant; three cases of four units on a
pallet (case 3 holds both lots, and one unit was taken out of case 1 before shipping), a
fourth case and loose units left behind; the pallet shipped by the brand to a wholesaler.
Master data captured for the product gives its dosage form and strength, and for the
wholesaler's place its address."""

from __future__ import annotations

import datetime as dt

from tests.services.issued_units import ADMIN, LINE, issue
from unitrace.epcis import Attribute, Vocabulary, VocabularyElement
from unitrace.gs1 import Gtin
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.lifecycle import aggregate, commission, disaggregate, ship
from unitrace.store.events import StoredEvent
from unitrace.store.unit_of_work import Database, UnitOfWork

GTIN = "00363323003203"
NDC = "6332300320"
PREFIX = "0363323"
CASE_GTIN = "10363323003200"
LOT_A, LOT_B = "A100", "B200"
EXPIRY_A, EXPIRY_B = dt.date(2029, 6, 30), dt.date(2030, 1, 31)
BRAND_GLN, WHOLESALER_GLN, PHARMACY_GLN = "0363323000004", "0363323000011", "0363323000028"
T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
HOUR = dt.timedelta(hours=1)
WHOLESALER = Actor("wendy", Role.DISTRIBUTOR, "wholesaler")
PHARMACY = Actor("pia", Role.DISTRIBUTOR, "pharmacy")
PRODUCT_CLASS = f"urn:epc:idpat:sgtin:{PREFIX}.000320.*"


def sscc(serial_reference: str) -> str:
    digits = f"0{PREFIX}{serial_reference:0>9}"
    return f"(00){digits}{gs1_check_digit(digits)}"


PALLET = sscc("1")
PALLET_EPC = f"urn:epc:id:sscc:{PREFIX}.0000000001"


def case(n: int) -> str:
    return f"(01){CASE_GTIN}(21)C{n}"


def case_epc(n: int) -> str:
    return f"urn:epc:id:sgtin:{PREFIX}.100320.C{n}"


def serial(lot: str, n: int) -> str:
    return f"{lot}X{n:03d}"


def unit(lot: str, n: int) -> str:
    return f"(01){GTIN}(21){serial(lot, n)}"


def unit_epc(lot: str, n: int) -> str:
    return f"urn:epc:id:sgtin:{PREFIX}.000320.{serial(lot, n)}"


#: case number → the units packed in it (lot, n)
CASES = {
    1: [(LOT_A, n) for n in range(1, 6)],
    2: [(LOT_A, n) for n in range(6, 10)],
    3: [(LOT_A, 10), (LOT_A, 11), (LOT_B, 1), (LOT_B, 2)],
    4: [(LOT_A, n) for n in range(12, 16)],
}
#: taken out of case 1 before the pallet left
UNPACKED = (LOT_A, 5)
#: every unit the shipment sent, by the case it travelled in
SHIPPED = {number: [u for u in CASES[number] if u != UNPACKED] for number in (1, 2, 3)}


def build_dscsa_scene(database: Database) -> Database:
    with database.unit_of_work() as uow:
        register_product(
            uow, gtin=GTIN, name="Amoxicillin 500 mg", actor=ADMIN, company_prefix_length=7
        )
        register_lot(uow, gtin=GTIN, lot=LOT_A, expiry=EXPIRY_A, actor=ADMIN)
        register_lot(uow, gtin=GTIN, lot=LOT_B, expiry=EXPIRY_B, actor=ADMIN)
        for party, role, gln in (
            ("brand", "brand", BRAND_GLN),
            ("wholesaler", "wholesaler", WHOLESALER_GLN),
            ("pharmacy", "pharmacy", PHARMACY_GLN),
        ):
            register_party(
                uow,
                id=party,
                name=f"{party} inc",
                role=role,
                actor=ADMIN,
                territory=["US-NJ"],
                gln=gln,
            )
        issue(uow, Gtin(GTIN), LOT_A, 20, [serial(LOT_A, n) for n in range(1, 21)])
        issue(uow, Gtin(GTIN), LOT_B, 4, [serial(LOT_B, n) for n in range(1, 5)])
        uow.master_data.record(
            [
                Vocabulary(
                    "urn:epcglobal:epcis:vtype:EPCClass",
                    (
                        VocabularyElement(
                            PRODUCT_CLASS,
                            (
                                Attribute("cbvmda:dosageFormType", "TABLET"),
                                Attribute("urn:epcglobal:cbv:mda#strengthDescription", "500 mg"),
                            ),
                        ),
                    ),
                ),
                Vocabulary(
                    "urn:epcglobal:epcis:vtype:BusinessLocation",
                    (
                        VocabularyElement(
                            f"urn:epc:id:sgln:{PREFIX}.00001.0",
                            (
                                Attribute("cbvmda:streetAddressOne", "1 Market St"),
                                Attribute("cbvmda:city", "Newark"),
                            ),
                        ),
                    ),
                ),
            ]
        )
        uow.commit()

    def build(uow: UnitOfWork) -> None:
        for lot, last in ((LOT_A, 20), (LOT_B, 4)):
            commission(
                uow,
                gtin=Gtin(GTIN),
                lot=lot,
                seq_from=1,
                seq_to=last,
                actor=LINE,
                location_gln=BRAND_GLN,
                at=T0,
            )
        for number, units in CASES.items():
            aggregate(
                uow,
                parent=case(number),
                children=[unit(lot, n) for lot, n in units],
                actor=LINE,
                at=T0 + HOUR,
            )
        disaggregate(uow, parent=case(1), children=[unit(*UNPACKED)], actor=LINE, at=T0 + 2 * HOUR)
        aggregate(
            uow, parent=PALLET, children=[case(n) for n in (1, 2, 3)], actor=LINE, at=T0 + 2 * HOUR
        )

    with database.unit_of_work() as uow:
        build(uow)
        uow.commit()
    return database


def shipped_to_wholesaler(database: Database) -> str:
    """Ship the pallet to the wholesaler; the shipping event's ID."""
    with database.unit_of_work() as uow:
        shipment = ship(uow, codes=[PALLET], party="wholesaler", actor=ADMIN, at=T0 + 3 * HOUR)
        uow.commit()
    return shipment.event.event_id


def shipped_on_to_pharmacy(database: Database) -> str:
    """The wholesaler takes case 2 off the pallet and ships it to the pharmacy; the shipping
    event's ID."""
    with database.unit_of_work() as uow:
        disaggregate(uow, parent=PALLET, children=[case(2)], actor=WHOLESALER, at=T0 + 5 * HOUR)
        shipment = ship(uow, codes=[case(2)], party="pharmacy", actor=WHOLESALER, at=T0 + 6 * HOUR)
        uow.commit()
    return shipment.event.event_id


#: A partner's shipment named by its CBV 2.0 event hash, as captured events without an eventID
#: are.
HASHED_ID = "ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0"


def partner_shipment(database: Database) -> str:
    """A shipping event as a partner's EPCIS document gives it: naming only the pallet, whose
    cases and units the exchange finds by opening it."""
    with database.unit_of_work() as uow:
        uow.events.add_documents(
            [
                StoredEvent(
                    {
                        "type": "ObjectEvent",
                        "eventID": HASHED_ID,
                        "eventTime": "2026-05-04T12:00:00.000-05:00",
                        "eventTimeZoneOffset": "-05:00",
                        "epcList": [PALLET_EPC],
                        "action": "OBSERVE",
                        "bizStep": "urn:epcglobal:cbv:bizstep:shipping",
                        "disposition": "in_transit",
                        "destinationList": [
                            {
                                "type": "owning_party",
                                "destination": f"urn:epc:id:pgln:{PREFIX}.00001",
                            }
                        ],
                    },
                    party_id="wholesaler",
                    recorded_by="partner",
                )
            ]
        )
        uow.commit()
    return HASHED_ID
