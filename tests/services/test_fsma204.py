"""The FSMA 204 spreadsheet's rows, read from events captured through EPCIS capture
(:mod:`tests.services.fsma_scene`): one row per critical tracking event, whole rows compared;
the requests it refuses; who may ask."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.services.fsma_scene import (
    COOLER,
    DIST_A_DESCRIPTION,
    FARM_DESCRIPTION,
    PLANT_DESCRIPTION,
    RAW_GTIN,
    build_fsma_scene,
)
from tests.services.issued_units import (
    ADMIN,
    DIST_A,
    DIST_B,
    DIST_B_GLN,
    GTIN,
    LINE,
    VERIFIER,
    build_registry,
)
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.errors import Forbidden
from unitrace.registry.model import Actor, Role
from unitrace.services.exports import fsma204
from unitrace.services.exports.fsma204_words import gln_of, reference_document
from unitrace.store import lot_events
from unitrace.store.unit_of_work import Database, UnitOfWork

E = "urn:uuid:f5a20400-0000-4000-8000-00000000000"
LETTUCE = "Romaine lettuce, whole head"

PACKED = ("Initial Packing", "2026-03-02", "09:00:00+08:00", "L1", GTIN.value, "Vitamin C",
          6, "each", PLANT_DESCRIPTION, "", "", "", "", PLANT_DESCRIPTION, "", "", "", "", "",
          E + "5")  # fmt: skip
MADE = ("Transformation", "2026-03-02", "10:00:00+08:00", "L1", GTIN.value, "Vitamin C", 6,
        "each", PLANT_DESCRIPTION, "", "", "", "", PLANT_DESCRIPTION, "new food (output)",
        f"(01){RAW_GTIN}(10)RAW-7: 200 kg", f"(01){GTIN.value}(10)L1: 6 each",
        "Production Order", "WO-9", E + "6")  # fmt: skip
SHIPPED = ("Shipping", "2026-03-03", "08:00:00+08:00", "L1", GTIN.value, "Vitamin C", 4, "each",
           PLANT_DESCRIPTION, PLANT_DESCRIPTION, DIST_A_DESCRIPTION, "", "", PLANT_DESCRIPTION,
           "", "", "", "Advance Shipping Notice; Purchase Order", "=ASN5; PO-77",
           E + "8")  # fmt: skip
CASE_SHIPPED = ("Shipping", "2026-03-03", "10:00:00+08:00", "L1", GTIN.value, "Vitamin C", 2,
                "each", PLANT_DESCRIPTION, PLANT_DESCRIPTION, f"dist-b (GLN {DIST_B_GLN})", "",
                "", PLANT_DESCRIPTION, "", "", "", "Purchase Order", "PO-78",
                E[:-1] + "12")  # fmt: skip
RECEIVED = ("Receiving", "2026-03-04", "14:30:00+08:00", "L1", GTIN.value, "Vitamin C", 4,
            "each", DIST_A_DESCRIPTION, "", "", PLANT_DESCRIPTION, DIST_A_DESCRIPTION,
            PLANT_DESCRIPTION, "", "", "", "", "", E + "9")  # fmt: skip
HARVESTED = ("Harvesting", "2026-02-27", "06:00:00-08:00", "RAW-7", RAW_GTIN, LETTUCE, 500,
             "kg", FARM_DESCRIPTION, "", "", "", "", "", "", "", "", "", "", E + "1")  # fmt: skip
COOLED = ("Cooling", "2026-02-27", "15:00:00-08:00", "RAW-7", RAW_GTIN, LETTUCE, 500, "kg",
          COOLER, "", "", "", "", "", "", "", "", "", "", E + "2")  # fmt: skip
RAW_SHIPPED = ("Shipping", "2026-02-28", "08:00:00-08:00", "RAW-7", RAW_GTIN, LETTUCE, 480, "kg",
               COOLER, FARM_DESCRIPTION, PLANT_DESCRIPTION, "", "", "", "", "", "",
               "Bill of Lading", "BOL-1", E + "3")  # fmt: skip
RAW_RECEIVED = ("Receiving", "2026-03-01", "10:00:00+08:00", "RAW-7", RAW_GTIN, LETTUCE, 480,
                "kg", PLANT_DESCRIPTION, "", "", FARM_DESCRIPTION, PLANT_DESCRIPTION, "", "", "",
                "", "", "", E + "4")  # fmt: skip
RAW_USED = ("Transformation", "2026-03-02", "10:00:00+08:00", "RAW-7", RAW_GTIN, LETTUCE, 200,
            "kg", PLANT_DESCRIPTION, "", "", "", "", "", "food used (input)",
            f"(01){RAW_GTIN}(10)RAW-7: 200 kg", f"(01){GTIN.value}(10)L1: 6 each",
            "Production Order", "WO-9", E + "6")  # fmt: skip


@pytest.fixture
def scene(database: Database) -> Database:
    return build_fsma_scene(database)


def rows(
    database: Database, actor: Actor = ADMIN, **parameters: str | None
) -> list[tuple[object, ...]]:
    wanted = {"gtin": None, "lot": None, "first": None, "last": None, **parameters}
    request = fsma204.read_request(**wanted)
    with database.unit_of_work(read_only=True) as uow:
        return [row.values() for row in fsma204.fsma204_rows(uow, request, actor=actor)]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        # the lot's units: packing, the transformation that made them, a shipment naming them,
        # one naming only the case they are in, the receipt; not the inspection nor the packing
        ({"gtin": GTIN.value, "lot": "L1"}, [PACKED, MADE, SHIPPED, CASE_SHIPPED, RECEIVED]),
        # a partner's lot known by its class alone, with the harvesting and cooling it captured;
        # not its shipment declared in error
        ({"gtin": RAW_GTIN, "lot": "RAW-7"},
         [HARVESTED, COOLED, RAW_SHIPPED, RAW_RECEIVED, RAW_USED]),
        # every registered lot of the GTIN
        ({"gtin": GTIN.value}, [PACKED, MADE, SHIPPED, CASE_SHIPPED, RECEIVED]),
        # the days are those where the event happened, both ends inclusive
        ({"gtin": GTIN.value, "lot": "L1", "first": "2026-03-03"},
         [SHIPPED, CASE_SHIPPED, RECEIVED]),
        ({"gtin": GTIN.value, "lot": "L1", "last": "2026-03-02"}, [PACKED, MADE]),
        ({"gtin": GTIN.value, "lot": "L1", "first": "2026-03-03", "last": "2026-03-03"},
         [SHIPPED, CASE_SHIPPED]),
        ({"gtin": RAW_GTIN, "lot": "RAW-7", "first": "2026-02-27", "last": "2026-02-27"},
         [HARVESTED, COOLED]),
        # a lot no event names, a GTIN nobody registered: no rows
        ({"gtin": GTIN.value, "lot": "NOPE"}, []),
        ({"gtin": "04012345000009", "lot": "L1"}, []),
        ({"gtin": GTIN.value, "lot": "L1", "first": "2027-01-01"}, []),
    ],
)  # fmt: skip
def test_one_row_per_critical_tracking_event(
    scene: Database, parameters: dict[str, str], expected: list[tuple[object, ...]]
) -> None:
    assert rows(scene, **parameters) == expected


def test_every_row_has_every_column(scene: Database) -> None:
    for row in rows(scene, gtin=RAW_GTIN, lot="RAW-7"):
        assert len(row) == len(fsma204.COLUMNS)


def _seen(row: tuple[object, ...], units: int) -> tuple[object, ...]:
    """``row`` as a distributor holding ``units`` of lot L1's units sees it: those units
    counted, and listed as the new food of a transformation."""
    seen = list(row)
    if row[3] == "L1":
        seen[6] = units
    if row[0] == "Transformation":
        seen[16] = f"(01){GTIN.value}(10)L1: {units} each"
    return tuple(seen)


@pytest.mark.parametrize(
    ("actor", "lot", "expected"),
    [
        # dist-a holds units 1-4: the packing and the transformation name them (4 of 6), the
        # shipment to it and its receipt; not the case shipped to dist-b
        (DIST_A, "L1", [_seen(PACKED, 4), _seen(MADE, 4), SHIPPED, RECEIVED]),
        (DIST_B, "L1", [_seen(PACKED, 2), _seen(MADE, 2), CASE_SHIPPED]),
        # of the grower's lot, only the transformation that made what it holds
        (DIST_A, "RAW-7", [_seen(RAW_USED, 4)]),
        (DIST_B, "RAW-7", [_seen(RAW_USED, 2)]),
    ],
    ids=["dist-a", "dist-b", "dist-a-raw", "dist-b-raw"],
)
def test_a_distributor_exports_its_view(
    scene: Database, actor: Actor, lot: str, expected: list[tuple[object, ...]]
) -> None:
    gtin = GTIN.value if lot == "L1" else RAW_GTIN
    assert rows(scene, actor, gtin=gtin, lot=lot) == expected


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        (LINE, "a line may not export the FSMA 204 spreadsheet; needs admin or distributor"),
        (VERIFIER, "a verifier may not export the FSMA 204 spreadsheet; needs admin or distributor"),
        (Actor("nobody", Role.DISTRIBUTOR), "distributor nobody is bound to no party, so has no records"),
    ],
    ids=["line", "verifier", "unbound"],
)  # fmt: skip
def test_a_line_a_verifier_and_an_unbound_distributor_may_not(
    scene: Database, actor: Actor, message: str
) -> None:
    with pytest.raises(Forbidden) as refused:
        rows(scene, actor, gtin=GTIN.value, lot="L1")
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"lot": "L1"}, "lot: a lot needs its product: give gtin as well"),
        ({}, "gtin: give the GTIN of the food"),
        ({"gtin": "09506000134353", "lot": "L1"}, "gtin: .*check digit"),
        ({"gtin": "abc"}, "gtin: "),
        ({"gtin": GTIN.value, "lot": " "}, "lot: empty"),
        ({"gtin": GTIN.value, "lot": "x" * 21}, "lot: AI \\(10\\): 21 characters given, at most 20"),
        ({"gtin": GTIN.value, "lot": "L 1"}, "lot: AI \\(10\\): ' ' at position 2 is not in GS1"),
        ({"gtin": GTIN.value, "first": "20260303"}, "from: '20260303' is not a date"),
        ({"gtin": GTIN.value, "first": "2026-W10-1"}, "from: '2026-W10-1' is not a date"),
        ({"gtin": GTIN.value, "first": "2026-03-04", "last": "2026-03-03"},
         "from: 2026-03-04 is after to: 2026-03-03"),
        ({"gtin": GTIN.value, "first": "2026-13-01"}, "from: '2026-13-01' is not a date"),
        ({"gtin": GTIN.value, "last": "2026-03-03T10:00"}, "to: '2026-03-03T10:00' is not a date"),
    ],
)  # fmt: skip
def test_a_request_that_cannot_be_read_is_refused(parameters: dict[str, str], message: str) -> None:
    wanted = {"gtin": None, "lot": None, "first": None, "last": None, **parameters}
    with pytest.raises(fsma204.ExportRefused, match=message):
        fsma204.read_request(**wanted)


@pytest.mark.parametrize("format", ["pdf", "CSV", ""])
def test_an_unknown_format_is_refused(format: str) -> None:
    with pytest.raises(fsma204.ExportRefused, match="is neither csv nor xlsx"):
        fsma204.check_format(format)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(1, 11))
def test_an_sgln_and_a_pgln_name_their_gln(payload: str, split: int) -> None:
    gln = payload + gs1_check_digit(payload)
    prefix, reference = payload[:split], payload[split:]
    assert gln_of(f"urn:epc:id:sgln:{prefix}.{reference}.0") == gln
    assert gln_of(f"urn:epc:id:pgln:{prefix}.{reference}") == gln
    assert gln_of(f"https://id.gs1.org/414/{gln}") == gln


@given(st.text(min_size=1).filter(lambda text: ":" not in text))
def test_a_cbv_transaction_is_its_number(number: str) -> None:
    entry = {"type": "inv", "bizTransaction": f"urn:epcglobal:cbv:bt:9506000000015:{number}"}
    assert reference_document(entry) == ("Invoice", number)


def test_a_case_made_into_a_kit_counts_its_units_as_food_used(database: Database) -> None:
    """unitrace's own transformation of a case: the units inside it are the food used."""
    from tests.services.issued_units import LINE, LOT, OTHER_GTIN, PLANT_GLN, T0, issue
    from tests.services.lifecycle.scenes import CASE_1, code, done
    from unitrace.services.lifecycle import aggregate, commission, transform

    build_registry(database)

    def build(uow: UnitOfWork) -> None:
        issue(uow, GTIN, LOT, 5)
        issue(uow, OTHER_GTIN, LOT, 1)
        commission(uow, gtin=GTIN, lot=LOT, seq_from=1, seq_to=5, actor=LINE,
                   location_gln=PLANT_GLN, at=T0)  # fmt: skip
        aggregate(uow, parent=CASE_1, children=[code(n) for n in range(1, 6)], actor=LINE, at=T0)
        transform(uow, inputs=[CASE_1], outputs=[code(1, OTHER_GTIN)], commissioning=True,
                  actor=ADMIN, at=T0 + dt.timedelta(hours=1))  # fmt: skip

    done(database, build)
    made = [row for row in rows(database, gtin=GTIN.value, lot=LOT) if row[0] == "Transformation"]
    assert [row[6:8] + row[14:17] for row in made] == [
        (5, "each", "food used (input)", f"(01){GTIN.value}(10)L1: 5 each",
         f"(01){OTHER_GTIN.value}(10)L1: 1 each")
    ]  # fmt: skip
    kit = rows(database, gtin=OTHER_GTIN.value, lot=LOT)
    assert [(row[0], row[6], row[14]) for row in kit] == [
        ("Transformation", 1, "new food (output)")
    ]


@pytest.mark.parametrize("actor", [ADMIN, DIST_B], ids=["admin", "dist-b"])
def test_many_critical_events_in_the_repository_read_the_same_rows(
    scene: Database, monkeypatch: pytest.MonkeyPatch, actor: Actor
) -> None:
    """Past :data:`~unitrace.store.lot_events.FEW_EVENTS` events of the critical steps, each
    unit's index rows are checked against their event's step instead: the same rows."""
    before = rows(scene, actor, gtin=GTIN.value, lot="L1")
    monkeypatch.setattr(lot_events, "FEW_EVENTS", 0)
    assert rows(scene, actor, gtin=GTIN.value, lot="L1") == before
    assert len(before) == (5 if actor is ADMIN else 3)
