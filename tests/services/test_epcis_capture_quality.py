"""A partner's assembling and inspecting events, captured through EPCIS, change the registry
as ``POST /api/assemblies`` and ``POST /api/inspections`` do."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.issued_units import ADMIN, LINE, LOT
from tests.services.test_epcis_capture import (
    COMMISSION,
    SHIP_TO_A,
    captured,
    document,
    event,
    sgtin,
    stored_ids,
    transformation,
    units,
)
from tests.services.test_epcis_capture import world as world  # the fixture
from unitrace.registry.errors import Conflict
from unitrace.services.lifecycle import assemble
from unitrace.store.unit_of_work import Database

SUPPLIER_LOT = "urn:epc:class:lgtin:0614141.107346.B7"
LOT_CLASS = f"urn:epc:class:lgtin:9506000.013435.{LOT}"


def _assembling(event_id: str, device: int, *components: int) -> dict[str, Any]:
    return transformation(
        event_id,
        bizStep="assembling",
        inputEPCList=[sgtin(seq) for seq in components],
        inputQuantityList=[{"epcClass": SUPPLIER_LOT, "quantity": 4}],
        outputEPCList=[sgtin(device)],
    )


def _inspecting(event_id: str, disposition: str, **named: Any) -> dict[str, Any]:
    return event(event_id, bizStep="inspecting", disposition=disposition, **named)


def _states(database: Database) -> list[str]:
    return [state for state, _, _ in units(database).values()]


def test_a_partners_assembly_consumes_the_components_as_the_api_does(world: Database) -> None:
    captured(world, document(COMMISSION), LINE)
    result = captured(world, document(_assembling("e:a1", 1, 2, 3)))
    assert (result.captured, _states(world)) == (
        ("e:a1",),
        ["active", "checked_out", "checked_out", "issued", "issued"],
    )
    before = stored_ids(world)
    again = captured(world, document(_assembling("e:a2", 1, 2)))
    assert again.captured == ()
    assert any("already consumed by another device" in str(p) for p in again.problems)
    assert stored_ids(world) == before


def test_a_component_a_partners_transformation_consumed_goes_into_no_device(
    world: Database,
) -> None:
    captured(world, document(COMMISSION), LINE)
    made = captured(
        world, document(transformation("e:t", inputEPCList=[sgtin(2)], transformationID="urn:t:1"))
    )
    assert made.captured == ("e:t",)
    with world.unit_of_work() as uow, pytest.raises(Conflict) as raised:
        assemble(uow, device=sgtin(1), components=[sgtin(2)], actor=ADMIN)
    assert "is already consumed by another device" in str(raised.value)


@pytest.mark.parametrize(
    "named",
    [
        {"epcList": [sgtin(1)]},
        {"quantityList": [{"epcClass": LOT_CLASS}]},
    ],
)
def test_a_partners_failed_inspection_holds_and_its_pass_releases(
    world: Database, named: dict[str, Any]
) -> None:
    captured(world, document(COMMISSION), LINE)
    failed = captured(world, document(_inspecting("e:f", "non_conformant", **named)))
    assert failed.captured == ("e:f",)
    refused = captured(world, document(SHIP_TO_A))
    assert refused.captured == ()
    assert any("on hold after a failed inspection" in str(p) for p in refused.problems)
    passed = captured(world, document(_inspecting("e:p", "conformant", **named)))
    shipped = captured(world, document(SHIP_TO_A))
    assert (passed.captured, shipped.captured) == (("e:p",), (SHIP_TO_A["eventID"],))


def test_an_inspection_without_a_result_holds_nothing(world: Database) -> None:
    captured(world, document(COMMISSION), LINE)
    observed = captured(world, document(_inspecting("e:o", "in_progress", epcList=[sgtin(1)])))
    shipped = captured(world, document(SHIP_TO_A))
    assert (observed.captured, shipped.captured) == (("e:o",), (SHIP_TO_A["eventID"],))
