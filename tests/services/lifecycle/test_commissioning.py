"""Commissioning: issued serials become active units."""

from __future__ import annotations

from tests.services.issued_units import ADMIN, GTIN, LINE, LOT, OTHER_GTIN, PLANT_GLN, T0, serial_of
from tests.services.lifecycle.scenes import PLANT, done, epc, record, units
from unitrace.registry.model import UnitState
from unitrace.services.lifecycle import commission, unit_view
from unitrace.store.unit_of_work import Database


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
