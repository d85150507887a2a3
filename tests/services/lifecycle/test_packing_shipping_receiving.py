"""Packing and unpacking, shipping and allocation, receiving: what moves with a case or pallet."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.services.issued_units import ADMIN, DIST_A, DIST_A_GLN, GTIN, LINE, LOT, PLANT_GLN, T0
from tests.services.lifecycle.scenes import (
    CASE_1,
    CASE_1_EPC,
    CASE_2,
    CASE_2_EPC,
    DIST_A_PLACE,
    HOUR,
    PALLET,
    PALLET_EPC,
    code,
    done,
    epc,
    record,
    units,
)
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.registry.errors import Conflict
from unitrace.services.lifecycle import (
    ContainerView,
    Shipment,
    allocate,
    container_view,
    disaggregate,
    receive,
    ship,
)
from unitrace.store.events import EventRecord
from unitrace.store.unit_of_work import Database, UnitOfWork


def test_a_pallet_of_cases_of_units_moves_every_unit_when_shipped(scene: Database) -> None:
    at = T0 + 2 * HOUR
    shipment = done(
        scene, lambda uow: ship(uow, codes=[PALLET], party="dist-a", actor=ADMIN, at=at)
    )
    assert shipment == Shipment(shipment.event, "dist-a", 10, (PALLET_EPC,))
    assert record(shipment.event) == (
        "ObjectEvent",
        "OBSERVE",
        at,
        "shipping",
        "in_transit",
        None,
        None,
        "dist-a",
        "ada",
    )
    with scene.unit_of_work(read_only=True) as uow:
        states = units(uow)
        document = uow.events.document(shipment.event.event_id)
        pallet = container_view(uow, code=PALLET, actor=DIST_A)
    assert {seq: states[seq][:3] for seq in range(1, 12)} == {
        **dict.fromkeys(range(1, 6), ("active", "dist-a", CASE_1_EPC)),
        **dict.fromkeys(range(6, 11), ("active", "dist-a", CASE_2_EPC)),
        11: ("active", None, None),
    }
    assert document is not None
    assert document["epcList"] == sorted(
        [PALLET_EPC, CASE_1_EPC, CASE_2_EPC] + [epc(n) for n in range(1, 11)]
    )
    assert document["destinationList"] == [
        {"type": "owning_party", "destination": "urn:epc:id:pgln:9506000.00001"},
        {"type": "location", "destination": DIST_A_PLACE},
    ]
    assert pallet == ContainerView(
        PALLET_EPC, "sscc", None, "dist-a", PLANT_GLN, (CASE_1_EPC, CASE_2_EPC), (), 10
    )

    # the distributor receives the pallet at its own GLN: every unit in it arrives
    arrived = done(scene, lambda uow: receive(uow, codes=[PALLET], actor=DIST_A, at=at + HOUR))
    assert record(arrived) == (
        "ObjectEvent",
        "OBSERVE",
        at + HOUR,
        "receiving",
        "in_progress",
        DIST_A_PLACE,
        DIST_A_PLACE,
        "dist-a",
        "anna",
    )
    with scene.unit_of_work(read_only=True) as uow:
        assert {units(uow)[seq][3] for seq in range(1, 11)} == {DIST_A_GLN}
        assert container_view(uow, code=CASE_2, actor=DIST_A).location == DIST_A_GLN

    # and ships one case onward, once it is off the pallet
    def onward(uow: UnitOfWork) -> Shipment:
        disaggregate(uow, parent=PALLET, children=[CASE_2], actor=DIST_A, at=at + 2 * HOUR)
        return ship(uow, codes=[CASE_2], party="pharmacy-1", actor=DIST_A, at=at + 3 * HOUR)

    onward_shipment = done(scene, onward)
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(onward_shipment.event.event_id)
        states = units(uow)
    assert onward_shipment.units == 5
    assert document is not None
    assert document["sourceList"] == [
        {"type": "owning_party", "source": "urn:epc:id:pgln:9506000.00001"}
    ]
    assert [states[seq][1] for seq in (5, 6, 10)] == ["dist-a", "pharmacy-1", "pharmacy-1"]


def test_allocating_a_seq_range_ships_it(scene: Database) -> None:
    shipment = done(
        scene,
        lambda uow: allocate(
            uow,
            party="dist-a",
            actor=ADMIN,
            gtin=GTIN.value,
            lot=LOT,
            seq_from=11,
            seq_to=20,
            at=T0 + 2 * HOUR,
        ),
    )
    assert (shipment.party, shipment.units, shipment.containers) == ("dist-a", 10, ())
    with scene.unit_of_work(read_only=True) as uow:
        states = units(uow)
        assert uow.events.epc_count(shipment.event.event_id) == 10
    assert [states[seq][1] for seq in range(10, 22)] == [
        "dist-a" if 11 <= seq <= 20 else ("dist-b" if seq == 21 else None) for seq in range(10, 22)
    ]


def test_a_shipment_from_no_party_names_no_source_and_is_written_as_valid_xml(
    scene: Database, conformance: Path
) -> None:
    """The brand's admin holds no party: its shipment has no sourceList rather than an empty
    one, which the XML binding cannot write (a sourceList holds one source or more)."""
    from lxml import etree

    from unitrace.epcis.xml_write import document_to_xml

    shipment = done(scene, lambda uow: allocate(uow, party="dist-a", actor=ADMIN, codes=[code(12)]))
    with scene.unit_of_work(read_only=True) as uow:
        event = uow.events.document(shipment.event.event_id)
    assert event is not None
    assert "sourceList" not in event
    assert [entry["type"] for entry in event["destinationList"]] == ["owning_party", "location"]
    xml = document_to_xml(
        {
            "@context": [EPCIS_CONTEXT],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-03-02T09:00:00Z",
            "epcisBody": {"eventList": [event]},
        }
    )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    xsd = etree.XMLSchema(
        etree.parse(str(conformance / "epcis" / "XSD" / "EPCglobal-epcis-2_0.xsd"), parser)
    )
    xsd.assertValid(etree.fromstring(xml))


def test_allocating_codes_ships_them(scene: Database) -> None:
    shipment = done(
        scene,
        lambda uow: allocate(uow, party="dist-a", actor=ADMIN, codes=[code(12), PALLET, epc(14)]),
    )
    assert (shipment.units, shipment.containers) == (12, (PALLET_EPC,))


def test_unpacking(scene: Database) -> None:
    def unpack(uow: UnitOfWork) -> tuple[EventRecord, EventRecord]:
        some = disaggregate(
            uow, parent=CASE_1, children=[code(2), code(4)], actor=LINE, at=T0 + HOUR
        )
        rest = disaggregate(uow, parent=CASE_1, actor=LINE, at=T0 + 2 * HOUR)
        return some, rest

    some, rest = done(scene, unpack)
    assert record(rest) == (
        "AggregationEvent",
        "DELETE",
        T0 + 2 * HOUR,
        "unpacking",
        None,
        None,
        None,
        None,
        "line-1",
    )
    with scene.unit_of_work(read_only=True) as uow:
        assert uow.events.document(some.event_id)["childEPCs"] == [epc(2), epc(4)]  # type: ignore[index]
        assert uow.events.document(rest.event_id)["childEPCs"] == [epc(1), epc(3), epc(5)]  # type: ignore[index]
        assert {units(uow)[seq][2] for seq in range(1, 6)} == {None}
        case = container_view(uow, code=CASE_1, actor=ADMIN)
        assert (case.parent, case.units, case.unit_count) == (PALLET_EPC, (), 0)
        with pytest.raises(Conflict, match="is empty: there is nothing to unpack"):
            disaggregate(uow, parent=CASE_1, actor=LINE)
