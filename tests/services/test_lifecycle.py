"""The lifecycle services: commission, pack, ship, receive, change state, recall, view; on
SQLite and PostgreSQL. Results are compared whole; every refusal is checked for its class, its
message, and for having changed nothing even when the caller commits afterwards."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.services.issued_units import (
    ADMIN,
    DIST_A,
    DIST_A_GLN,
    DIST_B,
    GTIN,
    LINE,
    LOT,
    OTHER_GTIN,
    PHARMACY,
    PHARMACY_GLN,
    PLANT_GLN,
    SHOP,
    T0,
    VERIFIER,
    build_registry,
    issue,
    projection,
    serial_of,
)
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.gs1 import Gtin
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound, Refused
from unitrace.registry.errors import TransitionRefused as Refusal
from unitrace.registry.model import Actor, LotStatus, UnitState
from unitrace.services.lifecycle import (
    ContainerView,
    Shipment,
    aggregate,
    allocate,
    change_state,
    commission,
    container_view,
    disaggregate,
    receive,
    set_lot_status,
    ship,
    transform,
    unit_view,
)
from unitrace.store import schema
from unitrace.store.events import EventRecord
from unitrace.store.unit_of_work import Database, UnitOfWork

HOUR = dt.timedelta(hours=1)
CASE_GTIN = "19506000134359"
CASE_1, CASE_2, CASE_3 = (f"(01){CASE_GTIN}(21)C{n}" for n in (1, 2, 3))
CASE_1_EPC, CASE_2_EPC = "urn:epc:id:sgtin:9506000.113435.C1", "urn:epc:id:sgtin:9506000.113435.C2"
PALLET, PALLET_EPC = "(00)195060000000000012", "urn:epc:id:sscc:9506000.1000000001"
PALLET_2 = "(00)195060000000000029"
PLANT = "urn:epc:id:sgln:9506000.00004.0"
DIST_A_PLACE = "urn:epc:id:sgln:9506000.00001.0"


def code(seq: int, gtin: Gtin = GTIN) -> str:
    return f"(01){gtin.value}(21){serial_of(gtin, seq)}"


def unit(seq: int) -> str:
    """How messages name unit ``seq`` of the lot."""
    return code(seq)


def epc(seq: int) -> str:
    return f"urn:epc:id:sgtin:9506000.013435.{serial_of(GTIN, seq)}"


def done(database: Database, work: Callable[[UnitOfWork], Any]) -> Any:
    with database.unit_of_work() as uow:
        result = work(uow)
        uow.commit()
    return result


def units(uow: UnitOfWork) -> dict[int, tuple[Any, ...]]:
    """Unit seq → (state, custodian, container EPC, location) for the main product."""
    rows = uow.connection.execute(
        select(
            schema.units.c.seq,
            schema.units.c.state,
            schema.units.c.custodian_id,
            schema.containers.c.epc,
            schema.units.c.location_gln,
        )
        .join(schema.products, schema.products.c.id == schema.units.c.product_id)
        .outerjoin(schema.containers, schema.containers.c.id == schema.units.c.container_id)
        .where(schema.products.c.gtin == GTIN.value)
        .order_by(schema.units.c.seq)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def record(event: EventRecord) -> tuple[Any, ...]:
    """An event record without its (random) ID."""
    return (
        event.type,
        event.action,
        event.event_time,
        event.biz_step,
        event.disposition,
        event.read_point,
        event.biz_location,
        event.party_id,
        event.recorded_by,
    )


@pytest.fixture
def world(database: Database) -> Database:
    """Products, lots and parties; 40 issued units of the main product, 4 of the other."""
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 40)
        issue(uow, OTHER_GTIN, LOT, 4)
        uow.commit()
    return database


@pytest.fixture
def scene(world: Database) -> Database:
    """Units 1-30 active: 1-5 in case C1 and 6-10 in C2, both on the pallet; 21-25 at
    dist-b; 30 destroyed; 31-40 still issued. The other product's 4 units are active."""

    def build(uow: UnitOfWork) -> None:
        commission(
            uow,
            gtin=GTIN,
            lot=LOT,
            seq_from=1,
            seq_to=30,
            actor=LINE,
            location_gln=PLANT_GLN,
            at=T0,
        )
        commission(uow, gtin=OTHER_GTIN, lot=LOT, seq_from=1, seq_to=4, actor=LINE, at=T0)
        aggregate(uow, parent=CASE_1, children=[code(n) for n in range(1, 6)], actor=LINE, at=T0)
        aggregate(uow, parent=CASE_2, children=[code(n) for n in range(6, 11)], actor=LINE, at=T0)
        aggregate(uow, parent=PALLET, children=[CASE_1, CASE_2], actor=LINE, at=T0)
        allocate(
            uow,
            party="dist-b",
            actor=ADMIN,
            gtin=GTIN.value,
            lot=LOT,
            seq_from=21,
            seq_to=25,
            at=T0 + HOUR,
        )
        change_state(uow, codes=[code(30)], to=UnitState.DESTROYED, actor=ADMIN, at=T0 + HOUR)

    done(world, build)
    return world


# --- commissioning ------------------------------------------------------------------------------


def test_commissioning_a_range(world: Database) -> None:
    event = done(
        world,
        lambda uow: commission(
            uow, gtin=GTIN, lot=LOT, seq_from=3, seq_to=7, actor=LINE, location_gln=PLANT_GLN, at=T0
        ),
    )
    assert record(event) == (
        "ObjectEvent",
        "ADD",
        T0,
        "commissioning",
        "active",
        PLANT,
        PLANT,
        None,
        "line-1",
    )
    with world.unit_of_work(read_only=True) as uow:
        document = uow.events.document(event.event_id)
        states = units(uow)
        product = uow.units.product_keys()[GTIN.value]
        since = uow.units.get(product.id, serial_of(GTIN, 3))
        audit = uow.audit.of(f"{GTIN.value}/{LOT}")
    assert document is not None
    assert document["epcList"] == [epc(n) for n in range(3, 8)]
    assert document["ilmd"] == {"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2030-12-31"}
    assert [seq for seq, row in states.items() if row[0] == "active"] == [3, 4, 5, 6, 7]
    assert states[3] == ("active", None, None, PLANT_GLN)
    assert states[8] == ("issued", None, None, None)
    assert since is not None
    assert (since.state_since, since.previous_state, since.state_location_gln) == (
        T0,
        UnitState.ISSUED,
        PLANT_GLN,
    )
    assert [(line.action, line.actor, line.details.get("units")) for line in audit] == [
        ("lot.registered", "ada", None),
        ("units.commissioned", "line-1", 5),
    ]


def test_units_of_a_product_without_company_prefix_length_are_named_by_digital_link(
    world: Database,
) -> None:
    event = done(
        world,
        lambda uow: commission(
            uow, gtin=OTHER_GTIN, lot=LOT, seq_from=1, seq_to=2, actor=ADMIN, at=T0
        ),
    )
    with world.unit_of_work(read_only=True) as uow:
        document = uow.events.document(event.event_id)
        view = unit_view(uow, gtin=OTHER_GTIN.value, serial="Z00002", actor=ADMIN)
    assert document is not None
    assert document["epcList"] == [
        "https://id.gs1.org/01/04012345000009/21/Z00001",
        "https://id.gs1.org/01/04012345000009/21/Z00002",
    ]
    assert view.epc == "https://id.gs1.org/01/04012345000009/21/Z00002"
    assert [entry.event_id for entry in view.history] == [event.event_id]


# --- packing, shipping, receiving -----------------------------------------------------------


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


# --- states -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "actor", "words"),
    [
        (UnitState.SUPPLIED, PHARMACY, ("OBSERVE", "dispensing", "dispensed")),
        (UnitState.SUPPLIED, SHOP, ("OBSERVE", "retail_selling", "retail_sold")),
        (UnitState.DESTROYED, PHARMACY, ("DELETE", "destroying", "destroyed")),
        (UnitState.STOLEN, PHARMACY, ("OBSERVE", None, "stolen")),
        (UnitState.SAMPLE, PHARMACY, ("OBSERVE", "sampling", "non_sellable_other")),
        (UnitState.FREE_SAMPLE, PHARMACY, ("OBSERVE", "sampling", "dispensed")),
        (UnitState.EXPORTED, PHARMACY, ("OBSERVE", "departing", "non_sellable_other")),
        (UnitState.LOCKED, PHARMACY, ("OBSERVE", "holding", "non_sellable_other")),
        (UnitState.CHECKED_OUT, PHARMACY, ("OBSERVE", "repackaging", "inactive")),
        (UnitState.EXPIRED, ADMIN, ("OBSERVE", None, "expired")),
        (UnitState.RECALLED, ADMIN, ("OBSERVE", None, "recalled")),
        (UnitState.WITHDRAWN, ADMIN, ("OBSERVE", None, "non_sellable_other")),
    ],
)
def test_each_state_change_is_recorded_in_cbv_words(
    scene: Database, to: UnitState, actor: Actor, words: tuple[str, ...]
) -> None:
    at = T0 + 5 * HOUR

    def change(uow: UnitOfWork) -> EventRecord:
        if actor.party_id is not None:
            allocate(
                uow, party=actor.party_id, actor=ADMIN, codes=[code(11), code(12)], at=T0 + 2 * HOUR
            )
        return change_state(uow, codes=[code(11), code(12)], to=to, actor=actor, at=at)

    event = done(scene, change)
    place = {"pharmacy-1": "urn:epc:id:sgln:9506000.00003.0"}.get(actor.party_id or "")
    assert record(event) == (
        "ObjectEvent",
        *words[:1],
        at,
        *words[1:],
        place,
        place,
        actor.party_id,
        actor.name,
    )
    with scene.unit_of_work(read_only=True) as uow:
        states = units(uow)
        assert uow.events.epc_count(event.event_id) == 2
    assert (states[11][0], states[12][0], states[13][0]) == (to.value, to.value, "active")


def test_voiding_issued_serials(scene: Database) -> None:
    event = done(
        scene,
        lambda uow: change_state(uow, codes=[code(40)], to=UnitState.VOIDED, actor=ADMIN, at=T0),
    )
    assert (event.action, event.biz_step, event.disposition) == ("DELETE", "decommissioning", None)
    with scene.unit_of_work(read_only=True) as uow:
        assert units(uow)[40][0] == "voided"


def test_a_container_code_changes_every_unit_in_it(scene: Database) -> None:
    done(
        scene,
        lambda uow: change_state(uow, codes=[PALLET], to=UnitState.LOCKED, actor=ADMIN, at=T0),
    )
    with scene.unit_of_work(read_only=True) as uow:
        assert {units(uow)[seq][0] for seq in range(1, 11)} == {"locked"}


def dispensed(
    scene: Database, seqs: list[int], at: dt.datetime, to: UnitState = UnitState.SUPPLIED
) -> None:
    def work(uow: UnitOfWork) -> None:
        allocate(uow, party="pharmacy-1", actor=ADMIN, codes=[code(n) for n in seqs], at=T0 + HOUR)
        change_state(uow, codes=[code(n) for n in seqs], to=to, actor=PHARMACY, at=at)

    done(scene, work)


UNDO = "unit {} is {}: {}"
WINDOW = (
    "a decommissioned unit may be made active again only within 240 hours (10 days); it was "
    "decommissioned {} hours ago, at 2026-03-02T01:00:00+00:00"
)


@pytest.mark.parametrize(
    ("to", "after", "actor", "location", "refusal"),
    [
        (UnitState.SUPPLIED, 240 * HOUR, PHARMACY, None, None),
        (
            UnitState.SUPPLIED,
            240 * HOUR + dt.timedelta(minutes=6),
            PHARMACY,
            None,
            WINDOW.format("240.1"),
        ),
        (UnitState.SAMPLE, 1000 * HOUR, PHARMACY, None, WINDOW.format("1,000")),
        (UnitState.LOCKED, 1000 * HOUR, PHARMACY, None, None),
        (
            UnitState.SUPPLIED,
            HOUR,
            PHARMACY,
            DIST_A_GLN,
            "it may be made active again only at the location it was decommissioned at "
            f"({PHARMACY_GLN})",
        ),
        (
            UnitState.SUPPLIED,
            HOUR,
            ADMIN,
            PHARMACY_GLN,
            "only the party that decommissioned it (pharmacy-1) may make it active again",
        ),
        (
            UnitState.LOCKED,
            dt.timedelta(days=2000),
            PHARMACY,
            None,
            "its lot expired on 2030-12-31: an expired unit may never be active again",
        ),
    ],
)
def test_the_ten_day_undo(
    scene: Database,
    to: UnitState,
    after: dt.timedelta,
    actor: Actor,
    location: str | None,
    refusal: str | None,
) -> None:
    dispensed(scene, [11, 12], T0, to)

    def undo(uow: UnitOfWork) -> EventRecord:
        return change_state(
            uow,
            codes=[code(11), code(12)],
            to=UnitState.ACTIVE,
            actor=actor,
            location_gln=location,
            at=T0 + after,
        )

    if refusal is None:
        event = done(scene, undo)
        assert (event.action, event.biz_step, event.disposition) == ("OBSERVE", None, "active")
        with scene.unit_of_work(read_only=True) as uow:
            assert (units(uow)[11][0], units(uow)[12][0]) == ("active", "active")
        return
    refused(scene, undo, Refusal, UNDO.format(f"{unit(11)} (and 1 more)", to.value, refusal))


def test_the_undo_window_counts_from_each_units_own_decommissioning(scene: Database) -> None:
    """Two units dispensed a day apart: the older one is the one named."""
    dispensed(scene, [11], T0)
    dispensed(scene, [12], T0 + 24 * HOUR)

    def undo(uow: UnitOfWork) -> EventRecord:
        return change_state(
            uow, codes=[code(12), code(11)], to=UnitState.ACTIVE, actor=PHARMACY, at=T0 + 250 * HOUR
        )

    refused(scene, undo, Refusal, UNDO.format(unit(11), "supplied", WINDOW.format("250")))


# --- recall ---------------------------------------------------------------------------------


def test_recalling_a_lot(scene: Database) -> None:
    dispensed(scene, [12], T0 + 2 * HOUR)
    at = T0 + 48 * HOUR
    event = done(
        scene,
        lambda uow: set_lot_status(
            uow,
            gtin=GTIN.value,
            lot=LOT,
            status="recalled",
            reason="contamination",
            actor=ADMIN,
            at=at,
        ),
    )
    assert record(event) == (
        "ObjectEvent",
        "OBSERVE",
        at,
        None,
        "recalled",
        None,
        None,
        None,
        "ada",
    )
    with scene.unit_of_work(read_only=True) as uow:
        states = units(uow)
        lot = uow.lots.get(GTIN, LOT)
        other = uow.lots.get(OTHER_GTIN, LOT)
        assert uow.events.epc_count(event.event_id) == 29
    assert {seq: row[0] for seq, row in states.items()} == {
        **dict.fromkeys(range(1, 30), "recalled"),
        30: "destroyed",
        **dict.fromkeys(range(31, 41), "issued"),
    }
    assert lot is not None
    assert other is not None
    assert (lot.status, lot.status_reason, other.status) == (
        LotStatus.RECALLED,
        "contamination",
        LotStatus.RELEASED,
    )
    # irreversible: nothing undoes it, and the lot's issued serials are never commissioned
    for work, error, message in [
        (
            lambda uow: set_lot_status(
                uow, gtin=GTIN.value, lot=LOT, status="withdrawn", reason="x", actor=ADMIN
            ),
            Conflict,
            f"lot L1 of {GTIN.value} is recalled already: a recall or withdrawal is irreversible",
        ),
        (
            lambda uow: commission(uow, gtin=GTIN, lot=LOT, seq_from=31, seq_to=31, actor=LINE),
            Conflict,
            f"lot L1 of {GTIN.value} is recalled: its units are never commissioned",
        ),
        (
            lambda uow: change_state(
                uow, codes=[code(12)], to=UnitState.ACTIVE, actor=PHARMACY, at=at
            ),
            Refusal,
            f"unit {unit(12)} is recalled: recalled is irreversible: the unit may never be active again",
        ),
    ]:
        refused(scene, work, error, message)
    done(
        scene, lambda uow: change_state(uow, codes=[code(13)], to=UnitState.DESTROYED, actor=ADMIN)
    )


# --- reading ----------------------------------------------------------------------------------


def test_a_units_view_and_history(scene: Database) -> None:
    done(
        scene, lambda uow: ship(uow, codes=[PALLET], party="dist-a", actor=ADMIN, at=T0 + 2 * HOUR)
    )
    done(scene, lambda uow: receive(uow, codes=[PALLET], actor=DIST_A, at=T0 + 3 * HOUR))
    with scene.unit_of_work(read_only=True) as uow:
        view = unit_view(uow, gtin=GTIN.value, serial=serial_of(GTIN, 2), actor=DIST_A)
    assert (
        view.gtin,
        view.serial,
        view.epc,
        view.lot,
        view.seq,
        view.expiry,
        view.state,
        view.container,
        view.custodian,
        view.location,
        view.state_since,
    ) == (
        GTIN,
        "S00002",
        epc(2),
        LOT,
        2,
        dt.date(2030, 12, 31),
        UnitState.ACTIVE,
        CASE_1_EPC,
        "dist-a",
        DIST_A_GLN,
        T0,
    )
    assert [
        (e.type, e.action, e.biz_step, e.disposition, e.event_time, e.party_id)
        for e in view.history
    ] == [
        ("ObjectEvent", "ADD", "commissioning", "active", T0, None),
        ("AggregationEvent", "ADD", "packing", None, T0, None),
        ("ObjectEvent", "OBSERVE", "shipping", "in_transit", T0 + 2 * HOUR, "dist-a"),
        ("ObjectEvent", "OBSERVE", "receiving", "in_progress", T0 + 3 * HOUR, "dist-a"),
    ]


def test_a_distributor_sees_only_units_in_its_custody(scene: Database) -> None:
    with scene.unit_of_work(read_only=True) as uow:
        assert unit_view(uow, gtin=GTIN.value, serial="S00021", actor=DIST_B).custodian == "dist-b"
        for serial in ("S00021", "S00011", "NOPE"):
            with pytest.raises(NotFound) as hidden:
                unit_view(uow, gtin=GTIN.value, serial=serial, actor=DIST_A)
            assert str(hidden.value) == f"unit (01){GTIN.value}(21){serial} is not registered"
        with pytest.raises(NotFound, match=f"^code: container {PALLET_EPC} is not registered$"):
            container_view(uow, code=PALLET, actor=DIST_A)
        with pytest.raises(Forbidden):
            unit_view(uow, gtin=GTIN.value, serial="S00021", actor=VERIFIER)


def test_every_write_leaves_an_audit_line(scene: Database) -> None:
    with scene.unit_of_work(read_only=True) as uow:
        actions = uow.connection.execute(
            select(schema.audit_trail.c.action, schema.audit_trail.c.actor).order_by(
                schema.audit_trail.c.id
            )
        ).all()
    assert [tuple(row) for row in actions if row.action.startswith(("units", "container"))] == [
        ("units.commissioned", "line-1"),
        ("units.commissioned", "line-1"),
        ("container.packed", "line-1"),
        ("container.packed", "line-1"),
        ("container.packed", "line-1"),
        ("units.allocated", "ada"),
        ("units.state_changed", "ada"),
    ]


# --- refusals -------------------------------------------------------------------------------


def refused(
    database: Database, work: Callable[[UnitOfWork], Any], error: type[Refused], message: str
) -> None:
    """``work`` is refused with ``error`` and ``message``, and leaves the registry as it was,
    even though the caller commits after the refusal."""
    with database.unit_of_work(read_only=True) as uow:
        before = projection(uow)
    with database.unit_of_work() as uow:
        with pytest.raises(Refused) as raised:
            work(uow)
        uow.commit()
    assert (type(raised.value), str(raised.value)) == (error, message)
    with database.unit_of_work(read_only=True) as uow:
        assert projection(uow) == before


def shipped(
    codes: list[str], party: str = "dist-a", actor: Actor = ADMIN
) -> Callable[[UnitOfWork], Any]:
    return lambda uow: ship(uow, codes=codes, party=party, actor=actor)


def changed(codes: list[str], to: Any, actor: Actor = ADMIN) -> Callable[[UnitOfWork], Any]:
    return lambda uow: change_state(uow, codes=codes, to=to, actor=actor)


def commissioned(**changes: Any) -> Callable[[UnitOfWork], Any]:
    arguments: dict[str, Any] = {
        "gtin": GTIN,
        "lot": LOT,
        "seq_from": 31,
        "seq_to": 35,
        "actor": LINE,
        "at": T0,
    } | changes
    return lambda uow: commission(uow, **arguments)


def packed(parent: str, children: list[str], actor: Actor = LINE) -> Callable[[UnitOfWork], Any]:
    return lambda uow: aggregate(uow, parent=parent, children=children, actor=actor)


def allocated(**arguments: Any) -> Callable[[UnitOfWork], Any]:
    return lambda uow: allocate(
        uow, party=arguments.pop("party", "dist-a"), actor=ADMIN, **arguments
    )


OVERLAP = "in the custody of dist-b already; a shipment may not overlap units shipped elsewhere"
G = GTIN.value

BAD_INPUT: list[tuple[str, Callable[[UnitOfWork], Any], type[Refused], str]] = [
    # commissioning
    (
        "unknown gtin",
        commissioned(gtin=Gtin("09506000134369")),
        NotFound,
        "gtin: 09506000134369 is not a registered product",
    ),
    ("unknown lot", commissioned(lot="L9"), NotFound, f"lot: L9 of {G} is not registered"),
    (
        "seq from 0",
        commissioned(seq_from=0),
        InvalidRequest,
        "seq_from: 0 is below 1, the first unit of a lot",
    ),
    (
        "seq to below from",
        commissioned(seq_to=30),
        InvalidRequest,
        "seq_to: 30 is below seq_from 31",
    ),
    (
        "never issued",
        commissioned(seq_to=42),
        NotFound,
        f"seq_to: lot L1 of {G} has 40 units issued; seq 41-42 were never issued",
    ),
    (
        "already active",
        commissioned(seq_from=29),
        Refusal,
        f"unit {unit(29)} is active: it is active already",
    ),
    (
        "expired lot",
        commissioned(at=dt.datetime(2031, 1, 1, tzinfo=dt.UTC)),
        Conflict,
        f"lot L1 of {G} expired on 2030-12-31: its units are never commissioned",
    ),
    (
        "time without offset",
        commissioned(at=dt.datetime(2026, 3, 2)),
        InvalidRequest,
        "at: needs a UTC offset, as EPCIS records where in the world",
    ),
    (
        "bad location",
        commissioned(location_gln="9506000000016"),
        InvalidRequest,
        "location_gln: AI (414): check digit 5 expected, got 6",
    ),
    (
        "verifier commissions",
        commissioned(actor=VERIFIER),
        Forbidden,
        "a verifier may not commission; needs admin, line",
    ),
    (
        "distributor commissions",
        commissioned(actor=DIST_A),
        Forbidden,
        "a distributor may not commission; needs admin, line",
    ),
    (
        "unbound distributor",
        changed([code(11)], "supplied", Actor("x", DIST_A.role)),
        Forbidden,
        "distributor x is bound to no party",
    ),
    # packing
    ("no children", packed(CASE_3, []), InvalidRequest, "children: none given"),
    (
        "contains itself",
        packed(PALLET, [PALLET]),
        Conflict,
        f"container {PALLET_EPC} cannot contain itself",
    ),
    (
        "contains itself deeper",
        packed(CASE_1, [PALLET]),
        Conflict,
        f"container {CASE_1_EPC} is inside {PALLET_EPC}: packing {PALLET_EPC} into it would make a container contain itself",
    ),
    (
        "unit packed already",
        packed(CASE_3, [code(11), code(1)]),
        Conflict,
        f"unit {unit(1)} is packed in {CASE_1_EPC} already: unpack it first",
    ),
    (
        "case packed already",
        packed(PALLET_2, [CASE_1]),
        Conflict,
        f"container {CASE_1_EPC} is packed in {PALLET_EPC} already: unpack it first",
    ),
    (
        "unknown unit",
        packed(CASE_3, [code(99)]),
        NotFound,
        f"children[0]: unit {unit(99)} is not registered",
    ),
    (
        "unknown gtin of a unit",
        packed(CASE_3, ["(01)09506000134369(21)S1"]),
        NotFound,
        "children[0]: unit (01)09506000134369(21)S1 is not registered",
    ),
    (
        "unknown unit by its EPC URI",
        packed(CASE_3, [epc(99)]),
        NotFound,
        f"children[0]: unit {unit(99)} is not registered",
    ),
    (
        "named twice, the EPC URI first",
        packed(CASE_3, [epc(11), f"https://example.com/01/{G}/21/{serial_of(GTIN, 11)}"]),
        InvalidRequest,
        "children[1]: names the same thing as children[0]",
    ),
    (
        "unknown container",
        packed(CASE_3, [PALLET_2]),
        NotFound,
        "children[0]: container urn:epc:id:sscc:9506000.1000000002 is not registered",
    ),
    (
        "issued unit",
        packed(CASE_3, [code(31)]),
        Conflict,
        f"unit {unit(31)} is issued: only active units are packed",
    ),
    (
        "mixed custody",
        packed(CASE_3, [code(11), code(21)]),
        Conflict,
        "children: they and container urn:epc:id:sgtin:9506000.113435.C3 are in the custody of different parties (dist-b, the brand): pack only what one party holds",
    ),
    (
        "named twice",
        packed(CASE_3, [code(11), epc(11)]),
        InvalidRequest,
        "children[1]: names the same thing as children[0]",
    ),
    (
        "bad check digit",
        packed(CASE_3, ["(01)09506000134353(21)X"]),
        InvalidRequest,
        "children[0]: AI (01): check digit 2 expected, got 3",
    ),
    (
        "bare gtin",
        packed(CASE_3, [G[1:]]),
        InvalidRequest,
        f"children[0]: '{G[1:]}' names no unit or container: give a GTIN with a serial, or an SSCC",
    ),
    (
        "parent is no container",
        packed(G[1:], [code(11)]),
        InvalidRequest,
        f"parent: '{G[1:]}' names no case or pallet: give an SSCC, or a GTIN with a serial",
    ),
    (
        "unparsable code",
        packed(CASE_3, [G]),
        InvalidRequest,
        "children[0]: element string: no GS1 Application Identifier at position 1 ('0950')",
    ),
    (
        "wrong lot in the code",
        packed(CASE_3, [f"(01){G}(10)L2(21)S00011"]),
        InvalidRequest,
        f"children[0]: lot L2 is not the lot of unit {unit(11)} (L1)",
    ),
    (
        "wrong expiry in the code",
        packed(CASE_3, [f"(01){G}(17)301130(10)L1(21)S00011"]),
        InvalidRequest,
        f"children[0]: expiry 2030-11-30 is not the expiry of unit {unit(11)} (2030-12-31)",
    ),
    (
        "month-end expiry in the code is the unit's",
        changed([f"(01){G}(17)301200(21)S00031"], UnitState.ACTIVE),
        Refusal,
        f"unit {unit(31)} is issued: an issued serial is made active by commissioning, which "
        "records its lot and expiry",
    ),
    (
        "distributor packs the brand's",
        packed(CASE_3, [code(11)], DIST_A),
        Forbidden,
        "unit (01)09506000134352(21)S00011: not in the custody of dist-a",
    ),
    # a distributor is told no more than that it does not hold a container, whoever does
    (
        "distributor unpacks an unknown container",
        lambda uow: disaggregate(uow, parent=PALLET_2, actor=DIST_A),
        Forbidden,
        "container urn:epc:id:sscc:9506000.1000000002: not in the custody of dist-a",
    ),
    (
        "distributor unpacks the brand's pallet",
        lambda uow: disaggregate(uow, parent=PALLET, actor=DIST_A),
        Forbidden,
        f"container {PALLET_EPC}: not in the custody of dist-a",
    ),
    (
        "distributor packs its own into the brand's case",
        packed(CASE_1, [code(21)], DIST_B),
        Forbidden,
        f"container {CASE_1_EPC}: not in the custody of dist-b",
    ),
    (
        "unpack from unknown",
        lambda uow: disaggregate(uow, parent=PALLET_2, actor=LINE),
        NotFound,
        "parent: container urn:epc:id:sscc:9506000.1000000002 is not registered",
    ),
    (
        "unpack what is elsewhere",
        lambda uow: disaggregate(uow, parent=CASE_1, children=[code(6)], actor=LINE),
        Conflict,
        f"unit {unit(6)} is not packed in {CASE_1_EPC}",
    ),
    (
        "unpack a case from a case",
        lambda uow: disaggregate(uow, parent=CASE_1, children=[CASE_2], actor=LINE),
        Conflict,
        f"container {CASE_2_EPC} is not packed in {CASE_1_EPC}",
    ),
    # shipping and allocating
    ("no codes", shipped([]), InvalidRequest, "codes: none given"),
    ("unknown party", shipped([code(11)], "dist-x"), NotFound, "party: dist-x is not registered"),
    (
        "destroyed unit",
        shipped([code(30)]),
        Conflict,
        f"unit {unit(30)} is destroyed: only active units are shipped",
    ),
    (
        "issued unit shipped",
        shipped([code(31), code(32)]),
        Conflict,
        f"unit {unit(31)} (and 1 more) is issued: only active units are shipped",
    ),
    ("overlap", shipped([code(21)]), Conflict, f"unit {unit(21)}: {OVERLAP}"),
    (
        "there already",
        shipped([code(22)], "dist-b"),
        Conflict,
        f"unit {unit(22)}: in the custody of dist-b already",
    ),
    (
        "packed unit alone",
        shipped([code(3)]),
        Conflict,
        f"unit {unit(3)} is packed in a container: ship the container, or unpack the unit first",
    ),
    (
        "inner case alone",
        shipped([CASE_1]),
        Conflict,
        f"container {CASE_1_EPC} is packed in {PALLET_EPC}: ship {PALLET_EPC}, or unpack {CASE_1_EPC} first",
    ),
    (
        "distributor ships the brand's",
        shipped([code(11)], "pharmacy-1", DIST_A),
        Forbidden,
        f"unit {unit(11)}: not in the custody of dist-a",
    ),
    (
        "distributor ships another's pallet",
        shipped([PALLET], "pharmacy-1", DIST_A),
        Forbidden,
        f"container {PALLET_EPC}: not in the custody of dist-a",
    ),
    (
        "line ships",
        shipped([code(11)], actor=LINE),
        Forbidden,
        "a line may not ship; needs admin, distributor",
    ),
    (
        "overlapping range",
        allocated(gtin=G, lot=LOT, seq_from=19, seq_to=23),
        Conflict,
        f"unit {unit(21)} (and 2 more): {OVERLAP}",
    ),
    (
        "range of packed units",
        allocated(gtin=G, lot=LOT, seq_from=1, seq_to=12),
        Conflict,
        f"unit {unit(1)} (and 9 more) is packed in a container: ship the container, or unpack the unit first",
    ),
    (
        "range and codes",
        allocated(gtin=G, codes=[code(11)]),
        InvalidRequest,
        "codes: give either codes or gtin, lot, seq_from and seq_to",
    ),
    (
        "range without its end",
        allocated(gtin=G, lot=LOT, seq_from=11),
        InvalidRequest,
        "seq_to: needed, with gtin, lot, seq_from and seq_to (or give codes)",
    ),
    (
        "nothing to allocate",
        allocated(),
        InvalidRequest,
        "gtin: needed, with gtin, lot, seq_from and seq_to (or give codes)",
    ),
    (
        "range never issued",
        allocated(gtin=G, lot=LOT, seq_from=39, seq_to=45),
        NotFound,
        f"seq_to: lot L1 of {G} has 40 units issued; seq 41-45 were never issued",
    ),
    # receiving
    (
        "receive without a place",
        lambda uow: receive(uow, codes=[code(11)], actor=SHOP),
        InvalidRequest,
        "location_gln: needed, as the receiver has no party GLN to default to",
    ),
    (
        "receive another's units",
        lambda uow: receive(uow, codes=[code(21)], actor=DIST_A),
        Forbidden,
        f"unit {unit(21)}: not in the custody of dist-a",
    ),
    (
        "receive a destroyed unit",
        lambda uow: receive(uow, codes=[code(30)], actor=ADMIN, location_gln=DIST_A_GLN),
        Conflict,
        f"unit {unit(30)} is destroyed: only active units are received",
    ),
    # changing state
    (
        "unknown state",
        changed([code(11)], "sold"),
        InvalidRequest,
        "to: 'sold' is not a unit state (issued, active, supplied, destroyed, stolen, sample, free_sample, exported, locked, checked_out, recalled, withdrawn, expired, voided)",
    ),
    (
        "commission by state change",
        changed([code(31)], UnitState.ACTIVE),
        Refusal,
        f"unit {unit(31)} is issued: an issued serial is made active by commissioning, which records its lot and expiry",
    ),
    (
        "after destruction",
        changed([code(30)], UnitState.ACTIVE),
        Refusal,
        f"unit {unit(30)} is destroyed: destroyed is terminal: nothing may follow it",
    ),
    (
        "decommissioned twice",
        changed([code(30), code(11)], UnitState.DESTROYED),
        Refusal,
        f"unit {unit(30)} is destroyed: it is destroyed already",
    ),
    (
        "another's units",
        changed([code(11)], UnitState.SUPPLIED, DIST_B),
        Forbidden,
        f"unit {unit(11)}: not in the custody of dist-b",
    ),
    (
        "unit inside a case named too",
        changed([CASE_1, code(1)], UnitState.LOCKED),
        InvalidRequest,
        f"codes: unit {unit(1)} is inside {CASE_1_EPC}, which is named too",
    ),
    (
        "verifier changes",
        changed([code(11)], UnitState.LOCKED, VERIFIER),
        Forbidden,
        "a verifier may not change state; needs admin, distributor",
    ),
    # recall
    (
        "unknown status",
        lambda uow: set_lot_status(
            uow, gtin=G, lot=LOT, status="quarantined", reason="x", actor=ADMIN
        ),
        InvalidRequest,
        "status: 'quarantined' is not recalled or withdrawn",
    ),
    (
        "no reason",
        lambda uow: set_lot_status(
            uow, gtin=G, lot=LOT, status="recalled", reason=" ", actor=ADMIN
        ),
        InvalidRequest,
        "reason: must not be empty",
    ),
    (
        "recall unknown lot",
        lambda uow: set_lot_status(
            uow, gtin=G, lot="L9", status="recalled", reason="x", actor=ADMIN
        ),
        NotFound,
        f"lot: L9 of {G} is not registered",
    ),
    (
        "line recalls",
        lambda uow: set_lot_status(uow, gtin=G, lot=LOT, status="recalled", reason="x", actor=LINE),
        Forbidden,
        "a line may not set lot status; needs admin",
    ),
]


@pytest.mark.parametrize(
    ("work", "error", "message"), [row[1:] for row in BAD_INPUT], ids=[row[0] for row in BAD_INPUT]
)
def test_bad_input_is_refused_and_changes_nothing(
    scene: Database, work: Callable[[UnitOfWork], Any], error: type[Refused], message: str
) -> None:
    refused(scene, work, error, message)


# --- the official schema ------------------------------------------------------------------


@cache
def validator(schema_path: Path) -> Any:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema checks EPCIS documents")
    schema = json.loads(schema_path.read_text())
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.conformance
def test_every_stored_event_is_valid_epcis(scene: Database, conformance: Path) -> None:
    """The events of a unit's whole life, as the event store gives them back (EPC lists filled
    from the index, recordTime added), against the official schema."""
    dispensed(scene, [11], T0 + 2 * HOUR)

    def more(uow: UnitOfWork) -> None:
        ship(uow, codes=[PALLET], party="dist-a", actor=ADMIN, at=T0 + 2 * HOUR)
        receive(uow, codes=[PALLET], actor=DIST_A, at=T0 + 3 * HOUR)
        disaggregate(uow, parent=PALLET, actor=DIST_A, at=T0 + 4 * HOUR)
        change_state(uow, codes=[code(11)], to=UnitState.ACTIVE, actor=PHARMACY, at=T0 + 5 * HOUR)
        set_lot_status(
            uow, gtin=G, lot=LOT, status="withdrawn", reason="label", actor=ADMIN, at=T0 + 6 * HOUR
        )
        change_state(uow, codes=[code(40)], to=UnitState.VOIDED, actor=ADMIN)

    done(scene, more)
    checker = validator(conformance / "epcis" / "EPCIS-JSON-Schema.json")
    with scene.unit_of_work(read_only=True) as uow:
        ids = uow.connection.execute(select(schema.epcis_events.c.event_id)).scalars().all()
        documents = [uow.events.document(event_id) for event_id in ids]
    assert len(documents) == 15
    for document in documents:
        assert document is not None
        assert [error.message for error in checker.iter_errors(document)] == [], document["type"]


# --- transforming -------------------------------------------------------------------------------


def test_a_transformation_checks_out_its_inputs_and_commissions_its_outputs(
    scene: Database,
) -> None:
    """Case C1 (units 1-5) and unit 11 go into a kit whose outputs are units 31 and 32: one
    TransformationEvent, the inputs checked out (the units inside C1 too), the outputs
    active."""
    made = done(
        scene,
        lambda uow: transform(
            uow,
            inputs=[CASE_1, code(11)],
            outputs=[code(31), code(32)],
            commissioning=True,
            actor=ADMIN,
            location_gln=PLANT_GLN,
            at=T0 + 2 * HOUR,
        ),
    )
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(made.event_id)
        states = units(uow)
        contained = [record.event_id for record in uow.events.naming([epc(3)])]
        audit = uow.audit.of(made.event_id)
    assert document is not None
    assert (document["type"], document["bizStep"], document["disposition"]) == (
        "TransformationEvent",
        "commissioning",
        "active",
    )
    assert sorted(document["inputEPCList"]) == [epc(11), CASE_1_EPC]
    assert document["outputEPCList"] == [epc(31), epc(32)]
    assert "transformationID" not in document
    assert document["ilmd"] == {"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2030-12-31"}
    assert [seq for seq, row in states.items() if row[0] == "checked_out"] == [1, 2, 3, 4, 5, 11]
    assert [seq for seq, row in states.items() if row[0] == "active" and seq > 30] == [31, 32]
    assert made.event_id in contained  # a unit of C1: the event is in its history
    assert [(entry.action, entry.details) for entry in audit] == [
        ("units.transformed", {"consumed": 6, "commissioned": 2})
    ]


def test_a_transformation_of_one_side_gets_a_transformation_id(scene: Database) -> None:
    made = done(scene, lambda uow: transform(uow, inputs=[code(12)], actor=ADMIN))
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(made.event_id)
    assert document is not None
    assert document["transformationID"].startswith("urn:uuid:")
    assert "outputEPCList" not in document


@pytest.mark.parametrize(
    ("inputs", "outputs", "actor", "error", "message"),
    [
        ([], [], ADMIN, InvalidRequest, "inputs: none given, and no outputs commissioned"),
        ([code(30)], [], ADMIN, Refusal, f"unit {unit(30)} is destroyed"),
        ([code(12)], [code(13)], ADMIN, Refusal, f"unit {unit(13)} is active"),
        ([code(12)], [code(31)], LINE, Forbidden, "line"),
        ([code(12), code(12)], [], ADMIN, InvalidRequest, "inputs[1]: names the same thing"),
    ],
)
def test_a_transformation_the_rules_forbid_changes_nothing(
    scene: Database,
    inputs: list[str],
    outputs: list[str],
    actor: Actor,
    error: type[Exception],
    message: str,
) -> None:
    with scene.unit_of_work(read_only=True) as uow:
        before = units(uow)
    with pytest.raises(error, match=re.escape(message)), scene.unit_of_work() as uow:
        transform(uow, inputs=inputs, outputs=outputs, commissioning=bool(outputs), actor=actor)
    with scene.unit_of_work(read_only=True) as uow:
        assert units(uow) == before
