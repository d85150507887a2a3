"""A partner's document that builds a whole hierarchy in one go (units commissioned, packed
into cases, the cases onto a pallet, the pallet shipped) is applied event by event in the
order it comes: each event finds the cases and pallets the events before it packed, in any
spelling of their codes. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.issued_units import ADMIN, DIST_A, DIST_B, GTIN, LOT, build_registry, issue
from tests.services.test_epcis_capture import captured, document, event, sgtin, units
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.errors import InvalidRequest
from unitrace.services.epcis_capture import PROCEED, ROLLBACK
from unitrace.services.lifecycle import ContainerView, aggregate, container_view
from unitrace.store.unit_of_work import Database


def sscc_digits(reference: int) -> str:
    payload = f"09506000{reference:09d}"
    return payload + gs1_check_digit(payload)


def sscc_uri(reference: int) -> str:
    return f"urn:epc:id:sscc:9506000.{sscc_digits(reference)[0]}{sscc_digits(reference)[8:17]}"


def sscc_link(reference: int) -> str:
    return f"https://id.gs1.org/00/{sscc_digits(reference)}"


CASE_A, CASE_B, PALLET = 1, 2, 3


def pack(event_id: str, parent: str, children: list[str]) -> dict[str, Any]:
    return {
        "type": "AggregationEvent",
        "eventID": event_id,
        "eventTime": "2026-03-02T09:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "packing",
        "disposition": "in_progress",
        "parentID": parent,
        "childEPCs": children,
    }


def hierarchy(spell: Any) -> dict[str, Any]:
    """Four units commissioned, two cases of two, a pallet of the cases, the pallet shipped
    to distributor A, with the containers spelled by ``spell`` after they are packed."""
    return document(
        event(
            "urn:uuid:00000000-0000-4000-8000-00000000a001",
            action="ADD",
            bizStep="commissioning",
            disposition="active",
            epcList=[sgtin(n) for n in (1, 2, 3, 4)],
            ilmd={"cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "2030-12-31"},
        ),
        pack("urn:uuid:00000000-0000-4000-8000-00000000a002", sscc_uri(CASE_A), [sgtin(1), sgtin(2)]),
        pack("urn:uuid:00000000-0000-4000-8000-00000000a003", sscc_uri(CASE_B), [sgtin(3), sgtin(4)]),
        pack(
            "urn:uuid:00000000-0000-4000-8000-00000000a004",
            sscc_uri(PALLET),
            [spell(CASE_A), spell(CASE_B)],
        ),
        event(
            "urn:uuid:00000000-0000-4000-8000-00000000a005",
            bizStep="shipping",
            disposition="in_transit",
            epcList=[spell(PALLET)],
            destinationList=[
                {"type": "owning_party", "destination": "urn:epc:id:pgln:9506000.00001"}
            ],
        ),
    )  # fmt: skip


@pytest.fixture
def world(database: Database) -> Database:
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 4)
        uow.commit()
    return database


def view(database: Database, reference: int) -> ContainerView:
    with database.unit_of_work(read_only=True) as uow:
        return container_view(uow, code=sscc_uri(reference), actor=ADMIN)


@pytest.mark.parametrize("behaviour", [ROLLBACK, PROCEED])
@pytest.mark.parametrize("spell", [sscc_uri, sscc_link], ids=["epc-uri", "digital-link"])
def test_a_document_builds_units_cases_a_pallet_and_ships_it_in_one_go(
    world: Database, behaviour: str, spell: Any
) -> None:
    sent = hierarchy(spell)
    result = captured(world, sent, behaviour=behaviour)
    assert (len(result.captured), result.problems) == (5, ())
    pallet, case_a = view(world, PALLET), view(world, CASE_A)
    assert (pallet.containers, pallet.unit_count, pallet.custodian) == (
        (sscc_uri(CASE_A), sscc_uri(CASE_B)),
        4,
        "dist-a",
    )
    assert (case_a.parent, case_a.units, case_a.custodian) == (
        sscc_uri(PALLET),
        (sgtin(1), sgtin(2)),
        "dist-a",
    )
    assert {state for state, _, _ in units(world).values()} == {"active"}
    assert {custodian for _, custodian, _ in units(world).values()} == {"dist-a"}


def test_a_unit_packed_twice_in_one_document_is_refused_naming_the_rule(
    world: Database,
) -> None:
    """A unit packed into a second case in the same document: that packing is refused naming
    the case the unit is in since the event before it, and nothing of the document stays."""
    sent = hierarchy(sscc_uri)
    events = sent["epcisBody"]["eventList"]
    events.insert(2, pack("urn:uuid:00000000-0000-4000-8000-00000000a0ff", sscc_uri(9), [sgtin(1)]))
    result = captured(world, sent, behaviour=ROLLBACK)
    assert result.captured == ()
    serial = sgtin(1).rsplit(".", 1)[1]
    assert [(problem.index, problem.message) for problem in result.problems] == [
        (2, f"unit (01){GTIN}(21){serial} is packed in {sscc_uri(CASE_A)} already: unpack it first")
    ]
    assert {custodian for _, custodian, _ in units(world).values()} == {None}


def test_a_distributor_ships_on_a_pallet_it_packed_in_the_same_document(
    world: Database,
) -> None:
    """Units shipped to distributor A, then A's own document packs them and ships the pallet
    back to the brand's site: every event of A's document is applied."""
    first = hierarchy(sscc_uri)
    first["epcisBody"]["eventList"] = [
        *first["epcisBody"]["eventList"][:1],
        event(
            "urn:uuid:00000000-0000-4000-8000-00000000b001",
            bizStep="shipping",
            disposition="in_transit",
            epcList=[sgtin(n) for n in (1, 2, 3, 4)],
            destinationList=[
                {"type": "owning_party", "destination": "urn:epc:id:pgln:9506000.00001"}
            ],
        ),
    ]
    assert captured(world, first).problems == ()
    second = document(
        pack("urn:uuid:00000000-0000-4000-8000-00000000b002", sscc_uri(CASE_A), [sgtin(1), sgtin(2)]),
        pack("urn:uuid:00000000-0000-4000-8000-00000000b003", sscc_uri(PALLET), [sscc_link(CASE_A)]),
        event(
            "urn:uuid:00000000-0000-4000-8000-00000000b004",
            bizStep="receiving",
            disposition="in_progress",
            epcList=[sscc_link(PALLET)],
        ),
    )  # fmt: skip
    result = captured(world, second, DIST_A)
    assert (len(result.captured), result.problems) == (3, ())
    assert view(world, PALLET).unit_count == 2


@pytest.mark.parametrize(
    "shipped_as",
    ["urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"],
)
def test_a_pallet_under_another_company_prefix_is_found_in_either_spelling(
    world: Database, shipped_as: str
) -> None:
    """A 3PL's own pallet (its company prefix, not the brand's) built and shipped in one
    document: the registry names it by Digital Link, and the shipment finds it by its SSCC
    URI as by its Digital Link."""
    sent = hierarchy(sscc_uri)
    commissioning = sent["epcisBody"]["eventList"][0]
    sent["epcisBody"]["eventList"] = [
        commissioning,
        pack(
            "urn:uuid:00000000-0000-4000-8000-00000000c001",
            "urn:epc:id:sscc:0614141.1234567890",
            [sgtin(1), sgtin(2), sgtin(3), sgtin(4)],
        ),
        event(
            "urn:uuid:00000000-0000-4000-8000-00000000c002",
            bizStep="shipping",
            disposition="in_transit",
            epcList=[shipped_as],
            destinationList=[
                {"type": "owning_party", "destination": "urn:epc:id:pgln:9506000.00001"}
            ],
        ),
    ]
    result = captured(world, sent)
    assert (len(result.captured), result.problems) == (3, ())
    assert {custodian for _, custodian, _ in units(world).values()} == {"dist-a"}
    with world.unit_of_work(read_only=True) as uow:
        pallet = container_view(uow, code=shipped_as, actor=ADMIN)
    assert (pallet.epc, pallet.unit_count) == ("https://id.gs1.org/00/106141412345678908", 4)


@pytest.mark.parametrize(
    "spelled", [sgtin, lambda n: f"https://id.gs1.org/01/{GTIN}/21/{sgtin(n).rsplit('.', 1)[1]}"]
)
def test_a_case_may_not_take_the_name_of_a_unit(world: Database, spelled: Any) -> None:
    """Packing into a "case" named by a unit's own GTIN and serial would make a container
    stand for that unit, out of its holder's reach: refused, through capture as through the
    API, and nothing is made."""
    sent = hierarchy(sscc_uri)
    sent["epcisBody"]["eventList"] = [
        sent["epcisBody"]["eventList"][0],
        pack("urn:uuid:00000000-0000-4000-8000-00000000d001", spelled(1), [sgtin(2)]),
    ]
    result = captured(world, sent)
    assert result.captured == ()
    assert [(problem.index, problem.message.split(":")[0]) for problem in result.problems] == [
        (1, "parent")
    ]
    assert "whose serials are units" in result.problems[0].message
    with (
        world.unit_of_work() as uow,
        pytest.raises(InvalidRequest, match="whose serials are units"),
    ):
        aggregate(uow, parent=spelled(3), children=[sgtin(4)], actor=ADMIN)
    with world.unit_of_work(read_only=True) as uow:
        assert uow.units.containers_by_epc([sgtin(1), sgtin(3)]) == {}


def odd_cut(n: int) -> str:
    """Unit n's SGTIN URI with the company prefix cut one digit long (9506000 + 1)."""
    serial = sgtin(n).rsplit(".", 1)[1]
    return f"urn:epc:id:sgtin:95060001.03435.{serial}"


def test_a_unit_named_with_its_company_prefix_cut_elsewhere_is_still_ours(
    world: Database,
) -> None:
    """The same unit whatever the cut: a shipment so spelled moves it (it was stored and never
    applied), and another distributor cannot record its destruction by so spelling it."""
    first = hierarchy(sscc_uri)
    first["epcisBody"]["eventList"] = [
        first["epcisBody"]["eventList"][0],
        event(
            "urn:uuid:00000000-0000-4000-8000-00000000e001",
            bizStep="shipping",
            disposition="in_transit",
            epcList=[odd_cut(1), odd_cut(2)],
            destinationList=[
                {"type": "owning_party", "destination": "urn:epc:id:pgln:9506000.00001"}
            ],
        ),
    ]
    assert captured(world, first).problems == ()
    assert [custodian for _, custodian, _ in units(world).values()] == [
        "dist-a",
        "dist-a",
        None,
        None,
    ]
    destroy = document(
        event(
            "urn:uuid:00000000-0000-4000-8000-00000000e002",
            bizStep="destroying",
            disposition="destroyed",
            epcList=[odd_cut(1)],
        )
    )
    refused = captured(world, destroy, DIST_B)
    assert refused.captured == ()
    assert "not in the custody of dist-b" in refused.problems[0].message
    assert [state for state, _, _ in units(world).values()] == ["active"] * 4
