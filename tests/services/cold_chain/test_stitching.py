"""A unit's time stitched from its containment history, without a database: what held it when
(its case, the case's pallet, its shipment, the places it was kept), and moment by moment the
logger on the innermost of them; time no logger measured is a gap."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unitrace.coldchain.exposure import Gap, Source
from unitrace.coldchain.judging import NO_DEVICE
from unitrace.services.cold_chain.stitching import (
    LOCATION_RANK,
    SHIPMENT_RANK,
    Holding,
    Measured,
    Span,
    holdings,
    parent_changes,
    spans,
    stitch,
    travel_changes,
)
from unitrace.store.containment import Move
from unitrace.store.sensor_series import Attachment

H = 3_600_000  # an hour, in ms
UNIT = "urn:epc:id:sgtin:0614141.107346.1"
CASE = "urn:epc:id:sscc:0614141.0000000011"
PALLET = "urn:epc:id:sscc:0614141.0000000028"
PLANT, PLANT_GLN = "urn:epc:id:sgln:0614141.00001.0", "0614141000012"
DEPOT, DEPOT_GLN = "urn:epc:id:sgln:0614141.00002.0", "0614141000029"
SHIPPING = "https://ref.gs1.org/cbv/BizStep-shipping"


def move(
    at: float,
    kind: str = "ObjectEvent",
    *,
    action: str | None = "OBSERVE",
    step: str | None = None,
    where: str | None = None,
    role: str = "epc",
    parent: str | None = None,
    event: str = "",
) -> Move:
    """An event at ``at`` hours that names the unit in ``role``."""
    at_ms = int(at * H)
    return Move(
        at_ms, at_ms, event or f"urn:uuid:e-{at}", kind, action, step, where, role, UNIT, parent
    )


def packed(at: float, parent: str, *, role: str = "child") -> Move:
    return move(at, "AggregationEvent", action="ADD", step="packing", role=role, parent=parent)


def unpacked(at: float, parent: str, *, role: str = "child") -> Move:
    return move(at, "AggregationEvent", action="DELETE", step="unpacking", role=role, parent=parent)


def attached(device: str, kind: str, target: str, start: float, until: float | None) -> Attachment:
    return Attachment(
        int(device.split("-")[-1]) if device[-1].isdigit() else hash(device) % 1000,
        device,
        kind,
        target,
        int(start * H),
        None if until is None else int(until * H),
    )


# --- spans ------------------------------------------------------------------------------------

SPANS = {
    "one value to the end": ([(0, "a")], 10, [(0, 10, "a")]),
    "ended by None": ([(0, "a"), (5, None)], 10, [(0, 5, "a")]),
    "a value again is no change": ([(0, "a"), (3, "a"), (5, None)], 10, [(0, 5, "a")]),
    "a new value ends the last": ([(0, "a"), (4, "b")], 10, [(0, 4, "a"), (4, 10, "b")]),
    "None before anything": ([(0, None), (2, "a")], 10, [(2, 10, "a")]),
    "two at one instant: the later": ([(2, "a"), (2, "b")], 10, [(2, 10, "b")]),
    "starting at the end: nothing": ([(10, "a")], 10, []),
    "no changes": ([], 10, []),
}


@pytest.mark.parametrize(("changes", "end", "found"), SPANS.values(), ids=SPANS.keys())
def test_spans(changes: list[tuple[int, str | None]], end: int, found: list[Span]) -> None:
    assert spans(changes, end) == found


# --- parent_changes ---------------------------------------------------------------------------

PARENTS = {
    "packed and unpacked": ([packed(1, CASE), unpacked(3, CASE)], [(H, CASE), (3 * H, None)]),
    "observed in a case": (
        [move(1, "AggregationEvent", action="OBSERVE", role="child", parent=CASE)],
        [(H, CASE)],
    ),
    # a lot's moves come with no role: its units are children of the aggregations named
    "a lot's moves": (
        [packed(1, CASE, role=""), unpacked(2, CASE, role="")],
        [(H, CASE), (2 * H, None)],
    ),
    # a partner's "unpack everything" (no childEPCs) names the units it took out as contained
    "unpacked with everything in it": (
        [packed(1, CASE), unpacked(2, CASE, role="contained")],
        [(H, CASE), (2 * H, None)],
    ),
    "other events are no change": (
        [
            move(0, step="commissioning", where=PLANT),
            move(1, step=SHIPPING),
            move(2, "TransformationEvent"),
        ],
        [],
    ),
    "an aggregation without a parent": ([packed(1, None)], []),  # type: ignore[arg-type]
}


@pytest.mark.parametrize(("moves", "changes"), PARENTS.values(), ids=PARENTS.keys())
def test_parent_changes(moves: list[Move], changes: list[tuple[int, str | None]]) -> None:
    assert parent_changes(moves) == changes


# --- travel_changes ---------------------------------------------------------------------------

TRAVELS = {
    "kept at the plant, shipped, received at the depot": (
        [
            move(0, step="commissioning", where=PLANT),
            move(2, step=SHIPPING, where=None, role="contained", event="ship-1"),
            move(9, step="receiving", where=DEPOT, role="contained"),
        ],
        [(0, None), (2 * H, "ship-1"), (9 * H, None)],
        [(0, PLANT_GLN), (2 * H, None), (9 * H, DEPOT_GLN)],
    ),
    "shipping in any spelling, even with a place": (
        [
            move(1, step="urn:epcglobal:cbv:bizstep:shipping", where=PLANT, event="ship-a"),
            move(2, step="shipping", event="ship-b"),
        ],
        [(H, "ship-a"), (2 * H, "ship-b")],
        [(H, None), (2 * H, None)],
    ),
    "an event with no place changes nothing": ([move(3, step="inspecting")], [], []),
    "a place given as a GLN": (
        [move(1, where=DEPOT_GLN)],
        [(H, None)],
        [(H, DEPOT_GLN)],
    ),
}


@pytest.mark.parametrize(("moves", "shipments", "places"), TRAVELS.values(), ids=TRAVELS.keys())
def test_travel_changes(
    moves: list[Move],
    shipments: list[tuple[int, str | None]],
    places: list[tuple[int, str | None]],
) -> None:
    assert travel_changes(moves) == (shipments, places)


# --- holdings and stitch: a unit in a case on a pallet, shipped and received -------------------

#: commissioned at the plant at 0 h, packed in the case at 1 h (the case on the pallet from
#: 2 h to 9.5 h), shipped at 3 h, received at the depot at 9 h, taken out of its case at 10 h
TRIP = [
    move(0, step="commissioning", where=PLANT, action="ADD"),
    move(
        1, "AggregationEvent", action="ADD", step="packing", where=PLANT, role="child", parent=CASE
    ),
    move(3, step=SHIPPING, role="contained", event="ship-1"),
    move(9, step="receiving", where=DEPOT, role="contained"),
    move(
        10,
        "AggregationEvent",
        action="DELETE",
        step="unpacking",
        where=DEPOT,
        parent=CASE,
        role="child",
    ),
]
CONTAINERS: dict[str, list[Span]] = {CASE: [(2 * H, int(9.5 * H), PALLET)], PALLET: []}


def trip_holdings(end: float = 12) -> list[Holding]:
    return holdings(
        ("unit", UNIT), TRIP, start_ms=0, end_ms=int(end * H), parents_of=CONTAINERS.__getitem__
    )


def test_what_held_the_unit() -> None:
    assert sorted(trip_holdings(), key=lambda h: (h.rank, h.start_ms)) == [
        Holding(0, 12 * H, 0, "unit", UNIT),
        Holding(H, 10 * H, 1, "container", CASE),
        Holding(2 * H, int(9.5 * H), 2, "container", PALLET),
        Holding(3 * H, 9 * H, SHIPMENT_RANK, "shipment", "ship-1"),
        Holding(0, 3 * H, LOCATION_RANK, "location", PLANT_GLN),
        Holding(9 * H, 12 * H, LOCATION_RANK, "location", DEPOT_GLN),
    ]


def test_holdings_end_with_the_units_time() -> None:
    # its time ends at 5 h (dispensed, say): the case, pallet and shipment are cut there
    assert sorted(trip_holdings(5), key=lambda h: (h.rank, h.start_ms)) == [
        Holding(0, 5 * H, 0, "unit", UNIT),
        Holding(H, 5 * H, 1, "container", CASE),
        Holding(2 * H, 5 * H, 2, "container", PALLET),
        Holding(3 * H, 5 * H, SHIPMENT_RANK, "shipment", "ship-1"),
        Holding(0, 3 * H, LOCATION_RANK, "location", PLANT_GLN),
    ]


def source(kind: str, target: str, device: str) -> Source:
    return Source(kind, target, device)


PLANT_LOGGER = attached("LOG-1", "location", PLANT_GLN, 0, None)
CASE_LOGGER = attached("LOG-2", "container", CASE, 1.5, 5)
PALLET_LOGGER = attached("LOG-3", "container", PALLET, 0, 7)
TRUCK_LOGGER = attached("LOG-4", "shipment", "ship-1", 2, None)
DEPOT_LOGGER = attached("LOG-5", "location", DEPOT_GLN, 11, None)
UNIT_LOGGER = attached("LOG-6", "unit", UNIT, 4, 4.5)


def measured(start: float, end: float, attachment: Attachment) -> Measured:
    return Measured(
        int(start * H),
        int(end * H),
        Source(attachment.kind, attachment.target, attachment.device),
        attachment.device_id,
    )


def gap(start: float, end: float) -> Gap:
    return Gap(int(start * H), int(end * H), NO_DEVICE)


STITCHED = {
    # the plant's logger until the case's starts at 1.5 h (inside the case's holding), the
    # case's until it is taken off at 5 h, the pallet's until 7 h, the truck's until the
    # receipt at 9 h; nothing until the depot's logger is put up at 11 h
    "innermost wins, attachments starting and ending mid-holding": (
        [PLANT_LOGGER, CASE_LOGGER, PALLET_LOGGER, TRUCK_LOGGER, DEPOT_LOGGER],
        [
            measured(0, 1.5, PLANT_LOGGER),
            measured(1.5, 5, CASE_LOGGER),
            measured(5, 7, PALLET_LOGGER),
            measured(7, 9, TRUCK_LOGGER),
            measured(11, 12, DEPOT_LOGGER),
        ],
        [gap(9, 11)],
    ),
    "a logger on the unit itself wins over the case's": (
        [CASE_LOGGER, UNIT_LOGGER],
        [
            measured(1.5, 4, CASE_LOGGER),
            measured(4, 4.5, UNIT_LOGGER),
            measured(4.5, 5, CASE_LOGGER),
        ],
        [gap(0, 1.5), gap(5, 12)],
    ),
    # the pallet logger stays on the pallet after the case left it at 9.5 h; the case, no
    # longer on the pallet, is no longer measured by it
    "a pallet logger measures the unit only while its case is on the pallet": (
        [attached("LOG-7", "container", PALLET, 0, None)],
        [measured(2, 9.5, attached("LOG-7", "container", PALLET, 0, None))],
        [gap(0, 2), gap(9.5, 12)],
    ),
    # taken out of its case at 10 h: the case's logger no longer counts for it
    "unpacking ends the case's holding": (
        [attached("LOG-8", "container", CASE, 9, None)],
        [measured(9, 10, attached("LOG-8", "container", CASE, 9, None))],
        [gap(0, 9), gap(10, 12)],
    ),
    "shipment, then the depot once received": (
        [TRUCK_LOGGER, attached("LOG-9", "location", DEPOT_GLN, 0, None)],
        [
            measured(3, 9, TRUCK_LOGGER),
            measured(9, 12, attached("LOG-9", "location", DEPOT_GLN, 0, None)),
        ],
        [gap(0, 3)],
    ),
    "a logger on something that never held the unit": (
        [attached("LOG-10", "container", "urn:epc:id:sscc:0614141.0000000035", 0, None)],
        [],
        [gap(0, 12)],
    ),
    "nothing attached": ([], [], [gap(0, 12)]),
}


@pytest.mark.parametrize(
    ("attachments", "stretches", "gaps"), STITCHED.values(), ids=STITCHED.keys()
)
def test_stitch(attachments: list[Attachment], stretches: list[Measured], gaps: list[Gap]) -> None:
    assert stitch(trip_holdings(), attachments, start_ms=0, end_ms=12 * H) == (stretches, gaps)


# --- stretches and gaps tile the unit's time ----------------------------------------------------

END = 1_000
TARGETS = [
    ("unit", UNIT),
    ("container", CASE),
    ("container", PALLET),
    ("shipment", "ship-1"),
    ("location", PLANT_GLN),
    ("location", DEPOT_GLN),
]
RANKS = {UNIT: 0, CASE: 1, PALLET: 2, "ship-1": SHIPMENT_RANK, PLANT_GLN: LOCATION_RANK}


@st.composite
def interval(draw: st.DrawFn) -> tuple[int, int]:
    start = draw(st.integers(-100, END + 50))
    return start, start + draw(st.integers(1, END))


@st.composite
def held_and_attached(draw: st.DrawFn) -> tuple[list[Holding], list[Attachment]]:
    held = []
    for _ in range(draw(st.integers(0, 8))):
        kind, target = draw(st.sampled_from(TARGETS))
        start, end = draw(interval())
        held.append(
            Holding(max(0, start), min(END, end), RANKS.get(target, LOCATION_RANK), kind, target)
        )
    attachments = []
    for n in range(draw(st.integers(0, 8))):
        kind, target = draw(st.sampled_from(TARGETS))
        start, end = draw(interval())
        device = draw(st.sampled_from(["LOG-A", "LOG-B", "LOG-C"]))
        attachments.append(
            Attachment(n, device, kind, target, start, draw(st.one_of(st.none(), st.just(end))))
        )
    return [h for h in held if h.end_ms > h.start_ms], attachments


def innermost(
    held: Sequence[Holding], attachments: Sequence[Attachment], at: float
) -> Source | None:
    """The device on the innermost holder at instant ``at``, found the slow way."""
    best: tuple[int, str, Source] | None = None
    for holding in held:
        for attachment in attachments:
            if (attachment.kind, attachment.target) != (holding.kind, holding.target):
                continue
            until = END if attachment.until_ms is None else attachment.until_ms
            if max(holding.start_ms, attachment.from_ms) <= at < min(holding.end_ms, until):
                found = (
                    holding.rank,
                    attachment.device,
                    Source(holding.kind, holding.target, attachment.device),
                )
                if best is None or found[:2] < best[:2]:
                    best = found
    return None if best is None else best[2]


@settings(max_examples=200, deadline=None)
@given(held_and_attached())
def test_stretches_and_gaps_tile_the_units_time(
    drawn: tuple[list[Holding], list[Attachment]],
) -> None:
    held, attachments = drawn
    stretches, gaps = stitch(held, attachments, start_ms=0, end_ms=END)
    pieces = sorted(
        [(s.start_ms, s.end_ms, s.source) for s in stretches]
        + [(g.start_ms, g.end_ms, None) for g in gaps],
        key=lambda piece: piece[0],
    )
    # in time order, each a span of time, back to back from the start to the end
    assert [(s.start_ms, s.end_ms) for s in stretches] == sorted(
        (s.start_ms, s.end_ms) for s in stretches
    )
    assert [(g.start_ms, g.end_ms) for g in gaps] == sorted((g.start_ms, g.end_ms) for g in gaps)
    assert all(start < end for start, end, _ in pieces)
    assert [start for start, _, _ in pieces] == [0] + [end for _, end, _ in pieces[:-1]]
    assert pieces[-1][1] == END
    # never two pieces side by side that say the same
    assert all(a[2] != b[2] for a, b in itertools.pairwise(pieces))
    assert all(g.reason == NO_DEVICE for g in gaps)
    # and each says, all along, what the innermost holder's device was
    for start, end, said in pieces:
        edges = sorted(
            {start, end}
            | {e for h in held for e in (h.start_ms, h.end_ms) if start < e < end}
            | {
                e
                for a in attachments
                for e in (a.from_ms, a.until_ms)
                if e is not None and start < e < end
            }
        )
        for left, right in itertools.pairwise(edges):
            assert innermost(held, attachments, (left + right) / 2) == said
