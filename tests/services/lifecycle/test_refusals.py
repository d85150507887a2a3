"""Bad input and forbidden changes are refused, naming the rule, and change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.services.issued_units import (
    ADMIN,
    DIST_A,
    DIST_A_GLN,
    DIST_B,
    GTIN,
    LINE,
    LOT,
    SHOP,
    T0,
    VERIFIER,
    serial_of,
)
from tests.services.lifecycle.scenes import (
    CASE_1,
    CASE_1_EPC,
    CASE_2,
    CASE_2_EPC,
    CASE_3,
    PALLET,
    PALLET_2,
    PALLET_EPC,
    G,
    code,
    epc,
    refused,
    unit,
)
from unitrace.gs1 import Gtin
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound, Refused
from unitrace.registry.errors import TransitionRefused as Refusal
from unitrace.registry.model import Actor, UnitState
from unitrace.services.lifecycle import (
    aggregate,
    allocate,
    change_state,
    commission,
    disaggregate,
    receive,
    set_lot_status,
    ship,
)
from unitrace.store.unit_of_work import Database, UnitOfWork


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
