"""Trace, forward and back, on the trace scene (:mod:`tests.services.trace_scene`): whole
answers compared, for each kind of code and each role."""

from __future__ import annotations

import pytest

from tests.services.issued_units import (
    ADMIN,
    DIST_A,
    DIST_A_GLN,
    DIST_B,
    EXPIRY,
    GTIN,
    LINE,
    LOT,
    OTHER_GTIN,
    T0,
    VERIFIER,
    issue,
)
from tests.services.lifecycle.conftest import scene, world  # noqa: F401 - the scene's fixtures
from tests.services.lifecycle.scenes import CASE_1, HOUR, PALLET, code, done, epc
from tests.services.trace_scene import (
    ASSEMBLY_ID,
    DEVICE,
    DEVICE_CODE,
    RAW_CODE,
    RAW_LOT,
    build_trace_scene,
)
from unitrace.registry.errors import Forbidden, InvalidRequest, NotFound, Refused
from unitrace.registry.model import Actor
from unitrace.services import trace
from unitrace.services.catalog import register_lot
from unitrace.services.lifecycle import inspect, ship
from unitrace.store.events import StoredEvent
from unitrace.store.unit_of_work import Database, UnitOfWork

LOT_CODE = f"(01){GTIN.value}(10){LOT}"
LOT_CLASS = "urn:epc:class:lgtin:9506000.013435.L1"
C1_CODE = "(01)19506000134359(21)C1"


@pytest.fixture
def traced(scene: Database) -> Database:  # noqa: F811 - the scene fixture
    return build_trace_scene(scene)


def _trace(db: Database, actor: Actor = ADMIN, **asked: str | None) -> object:
    with db.unit_of_work(read_only=True) as uow:
        return trace.trace(uow, actor=actor, **asked)  # type: ignore[arg-type]


def _summary(found: object) -> tuple[object, ...]:
    assert isinstance(found, trace.ForwardTrace)
    units = found.units
    return (units.count, units.by_state, units.by_custodian, units.by_region)


@pytest.mark.parametrize(
    ("asked", "actor", "expected"),
    [
        pytest.param(
            {"code": LOT_CODE},
            ADMIN,
            (
                41,  # the lot's 40 units and the device assembled from unit 31
                {"active": 30, "issued": 8, "checked_out": 2, "destroyed": 1},
                {"brand": 36, "dist-b": 5},
                {"unknown": 36, "MY": 5},
            ),
            id="lot-by-hri",
        ),
        pytest.param(
            {"gtin": GTIN.value, "lot": LOT},
            LINE,
            (
                41,
                {"active": 30, "issued": 8, "checked_out": 2, "destroyed": 1},
                {"brand": 36, "dist-b": 5},
                {"unknown": 36, "MY": 5},
            ),
            id="lot-by-gtin-and-lot",
        ),
        pytest.param(
            {"code": LOT_CLASS, "direction": "forward"},
            DIST_B,
            (5, {"active": 5}, {"dist-b": 5}, {"MY": 5}),
            id="distributor-sees-what-it-holds",
        ),
        pytest.param(
            {"code": RAW_LOT},
            ADMIN,
            (1, {"active": 1}, {"brand": 1}, {"unknown": 1}),
            id="component-lot-to-the-device",
        ),
        pytest.param(
            {"code": PALLET},
            ADMIN,
            (10, {"active": 10}, {"brand": 10}, {"unknown": 10}),
            id="pallet",
        ),
        pytest.param(
            {"code": code(31), "direction": "forward"},
            ADMIN,
            (2, {"active": 2}, {"brand": 2}, {"unknown": 2}),
            id="unit-to-what-it-went-into",
        ),
    ],
)
def test_forward_sums_every_unit_reached(
    traced: Database, asked: dict[str, str], actor: Actor, expected: tuple[object, ...]
) -> None:
    assert _summary(_trace(traced, actor, **asked)) == expected


def test_forward_lists_containers_shipments_and_what_was_made(traced: Database) -> None:
    found = _trace(traced, code=LOT_CODE)
    assert isinstance(found, trace.ForwardTrace)
    assert [(c.code, c.kind, c.parent, c.units) for c in found.containers] == [
        ("(00)195060000000000012", "sscc", None, 10),
        (C1_CODE, "sgtin", "(00)195060000000000012", 5),
        ("(01)19506000134359(21)C2", "sgtin", "(00)195060000000000012", 5),
    ]
    assert [(s.party_id, s.units) for s in found.shipments] == [("dist-b", 5)]
    made = {(node.code, node.depth) for node in found.made_into.nodes if node.depth > 0}
    # unit 31 is of the lot too: the device is made from the lot directly
    assert made == {(code(31), 1), (code(32), 1), (DEVICE_CODE, 1)}
    assert {(link.input, link.output) for link in found.made_into.links} == {
        (epc(11), epc(31)),
        (epc(11), epc(32)),
        (epc(12), epc(31)),
        (epc(12), epc(32)),
        (epc(31), DEVICE),
    }


def test_back_from_a_device_walks_two_levels_with_inspections(traced: Database) -> None:
    found = _trace(traced, code=DEVICE)
    assert isinstance(found, trace.BackTrace)
    nodes = {
        (node.code, node.kind, node.depth): [seen.event_id[-4:] for seen in node.inspections]
        for node in found.made_from.nodes
    }
    assert nodes == {
        (DEVICE_CODE, "unit", 0): [],
        (code(31), "unit", 1): [],
        (RAW_CODE, "lot", 1): ["15e2"],
        (code(11), "unit", 2): ["15e1"],
        (code(12), "unit", 2): [],
    }
    assert [(lot.gtin.value, lot.lot) for lot in found.lots] == [(OTHER_GTIN.value, LOT)]
    assert [entry.event_id for entry in found.timeline][-1] == ASSEMBLY_ID


def test_back_from_a_packed_unit(traced: Database) -> None:
    found = _trace(traced, code=code(3))
    assert isinstance(found, trace.BackTrace)
    assert found.unit == trace.UnitNow("active", "brand", "9506000000046")
    assert [(held.code, held.now) for held in found.containers] == [
        (C1_CODE, True),
        ("(00)195060000000000012", True),
    ]
    assert [custody.party for custody in found.custodians] == ["brand"]
    steps = [(entry.what, entry.step) for entry in found.timeline]
    assert steps == [
        ("ObjectEvent ADD", "commissioning"),
        ("AggregationEvent ADD", "packing"),
        ("AggregationEvent ADD", "packing"),
    ]


def test_back_names_each_custodian_in_order(traced: Database) -> None:
    found = _trace(traced, DIST_B, code=code(22))
    assert isinstance(found, trace.BackTrace)
    assert [custody.party for custody in found.custodians] == ["brand", "dist-b"]
    assert [entry.step for entry in found.timeline] == ["commissioning", "shipping", "receiving"]


def test_the_csv_rows_of_a_case(traced: Database) -> None:
    with traced.unit_of_work(read_only=True) as uow:
        rows = list(trace.trace_rows(uow, code=CASE_1, actor=ADMIN))
    assert [
        (row.serial, row.state, row.container, row.pallet, row.custodian, row.last_place)
        for row in rows
    ] == [
        (f"S0000{n}", "active", C1_CODE, "(00)195060000000000012", "brand", "9506000000046")
        for n in range(1, 6)
    ]
    assert all(row.last_event_at is not None for row in rows)


@pytest.mark.parametrize(
    ("asked", "actor", "refusal", "message"),
    [
        ({"code": code(99)}, ADMIN, NotFound, f"code: {code(99)} names no unit"),
        ({"code": f"(414){DIST_A_GLN}"}, ADMIN, InvalidRequest, "trace needs a unit"),
        ({"code": f"(01){GTIN.value}"}, ADMIN, InvalidRequest, "trace needs a unit"),
        ({"code": "(01)09506000134353(21)X"}, ADMIN, InvalidRequest, "check digit"),
        ({"code": "(01)00614141123452(10)NOPE"}, ADMIN, NotFound, "names no unit"),
        ({"code": LOT_CODE}, DIST_A, NotFound, f"code: {LOT_CODE} names no unit"),
        (
            {"code": LOT_CODE, "direction": "back"},
            DIST_A,
            NotFound,
            f"code: {LOT_CODE} names no unit",
        ),
        ({"code": RAW_LOT, "direction": "back"}, DIST_B, NotFound, "names no unit"),
        ({"code": code(3)}, DIST_B, NotFound, f"code: {code(3)} names no unit"),
        ({"code": PALLET}, DIST_A, NotFound, "names no unit"),
        ({"code": LOT_CODE}, VERIFIER, Forbidden, "a verifier may not view"),
        ({"code": LOT_CODE, "direction": "sideways"}, ADMIN, InvalidRequest, "direction"),
        ({"code": LOT_CODE, "gtin": GTIN.value}, ADMIN, InvalidRequest, "not both"),
        ({"gtin": GTIN.value}, ADMIN, InvalidRequest, "code: needed"),
        ({"gtin": GTIN.value, "lot": "L\x01"}, ADMIN, InvalidRequest, "lot:"),
    ],
)
def test_refusals(
    traced: Database,
    asked: dict[str, str],
    actor: Actor,
    refusal: type[Refused],
    message: str,
) -> None:
    with pytest.raises(refusal, match=None) as raised:
        _trace(traced, actor, **asked)
    assert type(raised.value) is refusal
    assert message in str(raised.value)


def test_a_distributor_sees_no_serial_it_never_held(traced: Database) -> None:
    """dist-b holds unit 22, never 11: tracing forward its lot, the kit's inputs it never held
    stand as their lot, and so does the device it never held."""
    found = _trace(traced, DIST_B, code=LOT_CODE)
    assert isinstance(found, trace.ForwardTrace)
    other_lot = f"https://id.gs1.org/01/{OTHER_GTIN.value}/10/{LOT}"
    assert {(node.epc, node.depth) for node in found.made_into.nodes} == {
        (LOT_CLASS, 0),
        (other_lot, 1),
    }
    assert {(link.input, link.output) for link in found.made_into.links} == {(LOT_CLASS, other_lot)}


def test_a_distributor_traces_back_a_lot_it_holds_through_its_own_view(traced: Database) -> None:
    found = _trace(traced, DIST_B, code=LOT_CODE, direction="back")
    assert isinstance(found, trace.BackTrace)
    assert [(lot.gtin.value, lot.lot) for lot in found.lots] == [(GTIN.value, LOT)]
    # the lot's events it may see: none names the lot's class, and it sees no other party's
    assert found.timeline == ()


def test_forward_links_a_lot_consumed_as_a_class_from_the_lot_not_from_a_unit_of_it(
    traced: Database,
) -> None:
    """Device D2 (of the other product, lot L2612B) is assembled from the main product's lot
    L2612B, and device D1 (of the main product, lot L2612B) from the other product's lot
    L2612B: forward from the main product's lot, D1 is made from the other product's lot, not
    from D2, which is only one unit of that lot."""
    lot = "L2612B"
    main_class = f"urn:epc:class:lgtin:9506000.013435.{lot}"
    other_class = f"https://id.gs1.org/01/{OTHER_GTIN.value}/10/{lot}"

    def build(uow: UnitOfWork) -> tuple[str, str]:
        for gtin in (GTIN, OTHER_GTIN):
            register_lot(uow, gtin=gtin.value, lot=lot, expiry=EXPIRY, actor=ADMIN)
        d1 = "urn:epc:id:sgtin:9506000.013435." + issue(uow, GTIN, lot, 1, ["D1"])[0]
        d2 = (
            f"https://id.gs1.org/01/{OTHER_GTIN.value}/21/"
            + issue(uow, OTHER_GTIN, lot, 1, ["D2"])[0]
        )
        uow.events.add_documents(
            [
                StoredEvent(
                    {
                        "eventID": f"urn:uuid:4a0c7c1e-0000-4000-8000-00000000b55{n}",
                        "eventTime": (T0 + (5 + n) * HOUR).isoformat(),
                        "eventTimeZoneOffset": "+00:00",
                        "type": "TransformationEvent",
                        "bizStep": "assembling",
                        "inputQuantityList": [{"epcClass": consumed, "quantity": 1}],
                        "outputEPCList": [made],
                    },
                    recorded_by="partner",
                )
                for n, (consumed, made) in enumerate(((main_class, d2), (other_class, d1)))
            ]
        )
        return d1, d2

    d1, d2 = done(traced, build)
    found = _trace(traced, code=f"(01){GTIN.value}(10){lot}")
    assert isinstance(found, trace.ForwardTrace)
    assert {(link.input, link.output) for link in found.made_into.links} == {
        (main_class, d2),
        (other_class, d1),
    }
    assert {(node.epc, node.kind) for node in found.made_into.nodes} == {
        (main_class, "lot"),
        (d2, "unit"),
        (other_class, "lot"),
        (d1, "unit"),
    }


def test_a_distributor_is_shown_only_the_inspections_of_its_view(traced: Database) -> None:
    """The brand fails an inspection of lot L1; dist-b traces back its unit 22 of that lot:
    the brand's inspection, which dist-b's timeline does not show, is not shown on what the
    unit was made from either; the brand sees it there."""
    failed = done(
        traced,
        lambda uow: (
            inspect(
                uow, targets=[LOT_CODE], result="fail", actor=ADMIN, at=T0 + 6 * HOUR
            ).event.event_id
        ),
    )

    def inspections_seen(actor: Actor) -> tuple[list[str], list[str]]:
        found = _trace(traced, actor, code=code(22), direction="back")
        assert isinstance(found, trace.BackTrace)
        shown = [seen.event_id for node in found.made_from.nodes for seen in node.inspections]
        return shown, [entry.event_id for entry in found.timeline]

    assert inspections_seen(ADMIN)[0] == [failed]
    assert failed in inspections_seen(ADMIN)[1]
    shown, timeline = inspections_seen(DIST_B)
    assert failed not in timeline
    assert shown == []


def test_a_distributor_is_shown_only_the_containers_of_its_view(traced: Database) -> None:
    """dist-b ships its unit 21 on to dist-a, which packs it into a pallet of its own: tracing
    back unit 21, dist-b is not shown dist-a's pallet (nor its event); the brand is."""
    pallet = "urn:epc:id:sscc:9506000.0000000099"
    packed = "urn:uuid:4a0c7c1e-0000-4000-8000-0000000000c1"

    def build(uow: UnitOfWork) -> None:
        ship(uow, codes=[code(21)], party="dist-a", actor=DIST_B, at=T0 + 6 * HOUR)
        document = {
            "eventID": packed,
            "eventTime": (T0 + 7 * HOUR).isoformat(),
            "eventTimeZoneOffset": "+00:00",
            "type": "AggregationEvent",
            "action": "ADD",
            "bizStep": "packing",
            "parentID": pallet,
            "childEPCs": [epc(21)],
        }
        uow.events.add_documents([StoredEvent(document, party_id="dist-a", recorded_by="dist-a")])

    done(traced, build)

    def containers_seen(actor: Actor) -> tuple[list[str], list[str]]:
        found = _trace(traced, actor, code=code(21), direction="back")
        assert isinstance(found, trace.BackTrace)
        return [held.epc for held in found.containers], [e.event_id for e in found.timeline]

    assert containers_seen(ADMIN)[0] == [pallet]
    assert packed in containers_seen(ADMIN)[1]
    assert containers_seen(DIST_B)[0] == []
    assert packed not in containers_seen(DIST_B)[1]
