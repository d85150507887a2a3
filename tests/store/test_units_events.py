"""The unit projection and the event store, set-based, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.services.issued_units import ADMIN, GTIN, LOT, OTHER_GTIN, build_registry, issue
from unitrace.epcis import Action, AggregationEvent, BizStep, Disposition, EpcNaming, ObjectEvent
from unitrace.gs1 import Gtin
from unitrace.registry.model import UnitState
from unitrace.services.catalog import register_lot, register_product
from unitrace.store import schema
from unitrace.store.events import EventRecord, UnitEpcs
from unitrace.store.unit_of_work import Database, UnitOfWork
from unitrace.store.units.containers import ContainerRecord
from unitrace.store.units.projection import UnitGroup
from unitrace.store.units.selections import CHUNK, InContainers, LotRange, UnitKeys

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45)))
#: products whose serials hold characters an EPC URI or a Digital Link escapes, one with a
#: company prefix length (named by SGTIN) and one without (named by Digital Link)
ODD_GTIN = Gtin("09506000134369")
ODD_DL_GTIN = Gtin("04012345000016")
ODD_ALPHABET = 'AB/%&?"<>+#'[:-1]  # '#' is not in GS1 character set 82
ODD_SERIALS = ["A/B%C", "%2F", "A&B?C", 'A"B<C>D', "+A+", "AAAA"]


@pytest.fixture
def registry(database: Database) -> Database:
    build_registry(database)
    with database.unit_of_work() as uow:
        for gtin, length in ((ODD_GTIN, 7), (ODD_DL_GTIN, None)):
            register_product(
                uow,
                gtin=gtin.value,
                name="Odd serials",
                actor=ADMIN,
                company_prefix_length=length,
                serial_length=20,
                serial_alphabet=ODD_ALPHABET,
            )
            register_lot(uow, gtin=gtin.value, lot=LOT, expiry=dt.date(2030, 1, 31), actor=ADMIN)
            issue(uow, gtin, LOT, len(ODD_SERIALS), serials=ODD_SERIALS)
        issue(uow, GTIN, LOT, 30)
        issue(uow, OTHER_GTIN, LOT, 4)
        uow.commit()
    return database


def naming(uow: UnitOfWork) -> EpcNaming:
    return EpcNaming.of(
        (p.gtin, p.company_prefix_length) for p in uow.units.product_keys().values()
    )


def lot_range(uow: UnitOfWork, gtin: Gtin, seq_from: int, seq_to: int) -> LotRange:
    product = uow.units.product_keys()[gtin.value]
    lot_id = uow.lots.id_of(gtin, LOT)
    assert lot_id is not None
    return LotRange(product.id, lot_id, seq_from, seq_to)


@pytest.mark.parametrize(
    ("gtin", "serials"),
    [(ODD_GTIN, ODD_SERIALS), (ODD_DL_GTIN, ODD_SERIALS), (OTHER_GTIN, ["Z00001", "Z00002"])],
    ids=["sgtin", "digital link", "plain"],
)
def test_the_database_writes_each_units_epc_as_the_naming_does(
    registry: Database, gtin: Gtin, serials: list[str]
) -> None:
    with registry.unit_of_work() as uow:
        names = naming(uow)
        event = ObjectEvent(event_time=AT, action=Action.OBSERVE)
        selection = lot_range(uow, gtin, 1, len(serials))
        uow.events.add(
            event, party_id=None, recorded_by="t", units_named=[UnitEpcs(selection, names)]
        )
        document = uow.events.document(event.event_id)
    assert document is not None
    assert document["epcList"] == sorted(names.sgtin(gtin, serial) for serial in serials)


@pytest.mark.parametrize(("seq_from", "seq_to", "scans_product"), [(1, 30, True), (3, 5, False)])
def test_a_lot_range_is_read_either_way_alike(
    registry: Database, seq_from: int, seq_to: int, scans_product: bool
) -> None:
    with registry.unit_of_work() as uow:
        selection = lot_range(uow, GTIN, seq_from, seq_to)
        compiled = str(uow.units.conditions(selection)[0].compile(uow.connection))
        if registry.dialect == "sqlite":
            assert ("+ 0" in compiled) is scans_product
        moved = uow.units.set_state(
            selection,
            to=UnitState.ACTIVE,
            from_states={UnitState.ISSUED},
            at=AT,
            party_id=None,
            location_gln="9506000000046",
        )
        states = uow.connection.execute(
            select(schema.units.c.seq, schema.units.c.state)
            .where(schema.units.c.state == "active")
            .order_by(schema.units.c.seq)
        ).all()
    assert moved == seq_to - seq_from + 1
    assert states == [(seq, "active") for seq in range(seq_from, seq_to + 1)]


def test_a_long_list_of_keys_is_cut_into_chunks(database: Database) -> None:
    build_registry(database)
    count = CHUNK + 7
    with database.unit_of_work() as uow:
        serials = issue(uow, GTIN, LOT, count)
        product_id = uow.units.product_keys()[GTIN.value].id
        keys = UnitKeys(tuple((product_id, serial) for serial in serials))
        assert len(uow.units.conditions(keys)) == 2
        assert uow.units.count(keys) == count
        assert len(uow.units.find(list(keys.keys))) == count
        assert uow.units.set_custodian(keys, "dist-a", from_party=None) == 0  # none is active
        assert (
            uow.units.pack(
                keys,
                uow.units.add_container(
                    "C", "sgtin", custodian_id=None, location_gln=None, at=AT
                ).id,
            )
            == count
        )
        assert [(group.count, group.packed) for group in uow.units.groups(keys)] == [(count, True)]


def test_groups_tally_what_the_rules_look_at(registry: Database) -> None:
    later = AT + dt.timedelta(hours=3)
    with registry.unit_of_work() as uow:
        lot_id = uow.lots.id_of(GTIN, LOT)
        assert lot_id is not None
        whole = lot_range(uow, GTIN, 1, 30)
        uow.units.set_state(
            lot_range(uow, GTIN, 1, 10),
            to=UnitState.ACTIVE,
            from_states={UnitState.ISSUED},
            at=AT,
            party_id=None,
            location_gln=None,
        )
        uow.units.set_state(
            lot_range(uow, GTIN, 4, 5),
            to=UnitState.SUPPLIED,
            from_states={UnitState.ACTIVE},
            at=later,
            party_id="pharmacy-1",
            location_gln="9506000000039",
        )
        uow.units.set_custodian(lot_range(uow, GTIN, 6, 10), "dist-a", from_party=None)
        groups = sorted(uow.units.groups(whole), key=lambda group: (group.state, group.count))
        oldest = uow.units.examples(whole, groups[0], limit=2)
    expiry = dt.date(2030, 12, 31)
    utc = AT.astimezone(dt.UTC)
    assert groups == [
        UnitGroup(lot_id, expiry, UnitState.ACTIVE, None, False, None, None, 3, utc),
        UnitGroup(lot_id, expiry, UnitState.ACTIVE, "dist-a", False, None, None, 5, utc),
        UnitGroup(lot_id, expiry, UnitState.ISSUED, None, False, None, None, 20, None),
        UnitGroup(
            lot_id,
            expiry,
            UnitState.SUPPLIED,
            None,
            False,
            "pharmacy-1",
            "9506000000039",
            2,
            later.astimezone(dt.UTC),
        ),
    ]
    assert oldest == ([(GTIN, "S00001"), (GTIN, "S00002")], 3)


def test_containers_form_a_tree(registry: Database) -> None:
    with registry.unit_of_work() as uow:
        pallet = uow.units.add_container("P", "sscc", custodian_id=None, location_gln=None, at=AT)
        case_a = uow.units.add_container("CA", "sgtin", custodian_id=None, location_gln=None, at=AT)
        case_b = uow.units.add_container("CB", "sgtin", custodian_id=None, location_gln=None, at=AT)
        uow.units.set_container_parent([case_a.id, case_b.id], pallet.id)
        product_id = uow.units.product_keys()[GTIN.value].id
        uow.units.pack(UnitKeys(((product_id, "S00002"), (product_id, "S00001"))), case_a.id)
        uow.units.pack(UnitKeys(((product_id, "S00003"),)), case_b.id)
        uow.units.set_container_custodian(uow.units.subtree([pallet.id]), "dist-a")
        assert uow.units.subtree([pallet.id]) == sorted([pallet.id, case_a.id, case_b.id])
        assert uow.units.subtree([case_b.id]) == [case_b.id]
        assert uow.units.ancestors(case_a.id) == [pallet.id]
        assert [c.epc for c in uow.units.child_containers(pallet.id)] == ["CA", "CB"]
        assert uow.units.unit_keys_in(case_a.id) == [(GTIN, "S00001"), (GTIN, "S00002")]
        assert uow.units.count(InContainers(tuple(uow.units.subtree([pallet.id])))) == 3
        assert uow.units.containers_by_epc(["CB", "nothing"]) == {
            "CB": ContainerRecord(case_b.id, "CB", "sgtin", pallet.id, "dist-a", None)
        }
        unit = uow.units.get(product_id, "S00001")
        assert unit is not None
        assert (unit.container_id, unit.container_epc) == (case_a.id, "CA")


def test_events_are_stored_with_their_epcs_and_read_back(registry: Database) -> None:
    unit_1, unit_2 = (
        "urn:epc:id:sgtin:9506000.013435.S00001",
        "urn:epc:id:sgtin:9506000.013435.S00002",
    )
    later = AT + dt.timedelta(days=1)
    packing = AggregationEvent(
        event_time=later,
        action=Action.ADD,
        biz_step=BizStep.PACKING,
        parent_id="urn:epc:id:sscc:9506000.1000000001",
        child_epcs=(unit_2, unit_1),
    )
    observing = ObjectEvent(
        event_time=AT,
        action=Action.OBSERVE,
        epc_list=(unit_1,),
        biz_step=BizStep.RECEIVING,
        disposition=Disposition.IN_PROGRESS,
        read_point="urn:epc:id:sgln:9506000.00001.0",
    )
    with registry.unit_of_work() as uow:
        stored = uow.events.add(packing, party_id="dist-a", recorded_by="anna")
        uow.events.add(observing, party_id=None, recorded_by="ada")
        uow.commit()
    with registry.unit_of_work(read_only=True) as uow:
        assert uow.events.get(packing.event_id) == stored
        assert stored == EventRecord(
            packing.event_id,
            "AggregationEvent",
            "ADD",
            later,
            "packing",
            None,
            None,
            None,
            "dist-a",
            "anna",
        )
        document = uow.events.document(packing.event_id)
        assert document is not None
        recorded = document.pop("recordTime")
        assert document == packing.document() | {"childEPCs": [unit_1, unit_2]}
        assert dt.datetime.fromisoformat(recorded).tzinfo is not None
        # the oldest first, whatever order they were recorded in
        assert [event.event_id for event in uow.events.naming([unit_1])] == [
            observing.event_id,
            packing.event_id,
        ]
        assert uow.events.naming([unit_2])[0].event_time.utcoffset() == dt.timedelta(
            hours=5, minutes=45
        )
        assert uow.events.epc_count(packing.event_id) == 3
        assert uow.events.count() == 2
        assert uow.events.document("urn:uuid:nothing") is None
