"""A unit's time stitched from its containment history: what held it when (the unit itself,
each container it was packed in and the containers those were in, the shipment it travelled
with, the place it was kept), and, moment by moment, the device that measured the innermost of
them: a logger on the unit before one on its case, on its case before its pallet, on its pallet
before the vehicle of its shipment, and the vehicle before the warehouse. Time no device
measured is a gap."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from unitrace.coldchain.exposure import Gap, Source
from unitrace.coldchain.judging import NO_DEVICE
from unitrace.services.unit_trail import gln_of
from unitrace.store.containment import Move
from unitrace.store.reached_units import SHIPPING_STEPS
from unitrace.store.sensor_series import Attachment

#: How deep containers nest (a unit in a case in a pallet in …) before the walk stops.
MAX_DEPTH: Final = 8
#: The rank of what held a unit, innermost first: the unit 0, its containers 1 … MAX_DEPTH.
SHIPMENT_RANK: Final = MAX_DEPTH + 1
LOCATION_RANK: Final = MAX_DEPTH + 2


@dataclass(frozen=True, slots=True)
class Holding:
    """``target`` (of ``kind``) held the unit from ``start_ms`` to ``end_ms``; ``rank`` says
    how close to the unit it was (0: the unit itself)."""

    start_ms: int
    end_ms: int
    rank: int
    kind: str
    target: str


@dataclass(frozen=True, slots=True)
class Measured:
    """A stretch of the unit's time one device measured, attached to one of its holders."""

    start_ms: int
    end_ms: int
    source: Source
    device_id: int


Span = tuple[int, int, str]  # start, end, what


def spans(changes: Iterable[tuple[int, str | None]], end_ms: int) -> list[Span]:
    """The spans a sequence of changes (time, new value or None) makes, up to ``end_ms``.

    >>> spans([(0, "a"), (5, None), (7, "b")], 10)
    [(0, 5, 'a'), (7, 10, 'b')]
    """
    found: list[Span] = []
    current: tuple[int, str] | None = None
    for at, value in changes:
        if current is not None and (value is None or value != current[1]):
            if at > current[0]:
                found.append((current[0], at, current[1]))
            current = None
        if value is not None and current is None:
            current = (at, value)
    if current is not None and end_ms > current[0]:
        found.append((current[0], end_ms, current[1]))
    return found


def parent_changes(moves: Sequence[Move]) -> list[tuple[int, str | None]]:
    """When the object the moves are about went into a container (aggregation ADD or OBSERVE
    naming it a child) and out of it (DELETE; a partner's DELETE that lists no children, taking
    everything out, names the units it held as ``contained``)."""
    changes: list[tuple[int, str | None]] = []
    for move in moves:
        if move.type != "AggregationEvent":
            continue
        if move.role in ("child", "") or (move.role == "contained" and move.action == "DELETE"):
            if move.action == "DELETE":
                changes.append((move.at_ms, None))
            elif move.parent is not None:
                changes.append((move.at_ms, move.parent))
    return changes


def travel_changes(
    moves: Sequence[Move],
) -> tuple[list[tuple[int, str | None]], list[tuple[int, str | None]]]:
    """The shipments the moves took the object on (from its shipping event to its next event
    at a place) and the places it was kept at (from an event there to its next shipping)."""
    shipments: list[tuple[int, str | None]] = []
    places: list[tuple[int, str | None]] = []
    for move in moves:
        if move.biz_step in SHIPPING_STEPS:
            shipments.append((move.at_ms, move.event_id))
            places.append((move.at_ms, None))
            continue
        gln = gln_of(move.biz_location)
        if gln is not None:
            shipments.append((move.at_ms, None))
            places.append((move.at_ms, gln))
    return shipments, places


def holdings(
    subject: tuple[str, str],
    moves: Sequence[Move],
    *,
    start_ms: int,
    end_ms: int,
    parents_of: Callable[[str], Sequence[Span]],
) -> list[Holding]:
    """What held ``subject`` (kind, EPC) from ``start_ms`` to ``end_ms``, its own ``moves``
    saying when it was packed, shipped and received, and ``parents_of`` saying when a
    container was inside another."""
    kind, epc = subject
    found = [Holding(start_ms, end_ms, 0, kind, epc)]
    frontier = [
        (max(start, start_ms), min(end, end_ms), container)
        for start, end, container in spans(parent_changes(moves), end_ms)
    ]
    for depth in range(1, MAX_DEPTH + 1):
        frontier = [(start, end, container) for start, end, container in frontier if end > start]
        if not frontier:
            break
        following: list[Span] = []
        for start, end, container in frontier:
            found.append(Holding(start, end, depth, "container", container))
            following.extend(
                (max(start, outer_start), min(end, outer_end), outer)
                for outer_start, outer_end, outer in parents_of(container)
            )
        frontier = following
    shipments, places = travel_changes(moves)
    for rank, kind_of, changes in (
        (SHIPMENT_RANK, "shipment", shipments),
        (LOCATION_RANK, "location", places),
    ):
        found.extend(
            Holding(max(start, start_ms), min(end, end_ms), rank, kind_of, target)
            for start, end, target in spans(changes, end_ms)
            if min(end, end_ms) > max(start, start_ms)
        )
    return found


def stitch(
    held: Sequence[Holding],
    attached: Sequence[Attachment],
    *,
    start_ms: int,
    end_ms: int,
    preferred: str | None = None,
) -> tuple[list[Measured], list[Gap]]:
    """Moment by moment, the device attached to the innermost holder, as stretches; and the
    time no device measured, as gaps. Of two devices on the same holder at once, ``preferred``
    is read, else the one whose name sorts first (:func:`rivals` tells which devices share a
    holder, so that each may be read in turn)."""
    by_target: dict[tuple[str, str], list[Attachment]] = {}
    for attachment in attached:
        by_target.setdefault((attachment.kind, attachment.target), []).append(attachment)
    candidates: list[tuple[int, int, int, Source, int]] = []
    for holding in held:
        for attachment in by_target.get((holding.kind, holding.target), ()):
            start = max(holding.start_ms, attachment.from_ms)
            end = min(
                holding.end_ms,
                end_ms if attachment.until_ms is None else attachment.until_ms,
            )
            if end > start:
                source = Source(holding.kind, holding.target, attachment.device)
                candidates.append((start, end, holding.rank, source, attachment.device_id))
    edges = sorted(
        {start_ms, end_ms}
        | {
            edge
            for start, end, *_ in candidates
            for edge in (start, end)
            if start_ms < edge < end_ms
        }
    )
    measured: list[Measured] = []
    gaps: list[Gap] = []
    for left, right in itertools.pairwise(edges):
        covering = [
            (rank, source.device, source, device_id)
            for start, end, rank, source, device_id in candidates
            if start <= left and end >= right
        ]
        if not covering:
            if gaps and gaps[-1].end_ms == left:
                gaps[-1] = Gap(gaps[-1].start_ms, right, NO_DEVICE)
            else:
                gaps.append(Gap(left, right, NO_DEVICE))
            continue
        _, _, source, device_id = min(
            covering, key=lambda found: (found[0], found[1] != preferred, found[1])
        )
        if measured and measured[-1].end_ms == left and measured[-1].source == source:
            measured[-1] = Measured(measured[-1].start_ms, right, source, device_id)
        else:
            measured.append(Measured(left, right, source, device_id))
    return measured, gaps


def rivals(held: Sequence[Holding], attached: Sequence[Attachment]) -> list[str]:
    """The devices that measured one of ``held``'s holders while another device did too: both
    measured the unit's surroundings, and either's reading counts.

    >>> on = lambda device, start, end: Attachment(1, device, "container", "P", start, end)
    >>> rivals([Holding(0, 100, 1, "container", "P")], [on("A", 0, 50), on("B", 40, 90)])
    ['A', 'B']
    >>> rivals([Holding(0, 100, 1, "container", "P")], [on("A", 0, 50), on("B", 50, 90)])
    []
    """
    targets = {(holding.kind, holding.target) for holding in held}
    on_target: dict[tuple[str, str], list[Attachment]] = {}
    for attachment in attached:
        if (attachment.kind, attachment.target) in targets:
            on_target.setdefault((attachment.kind, attachment.target), []).append(attachment)
    found: set[str] = set()
    for attachments in on_target.values():
        for first, second in itertools.combinations(attachments, 2):
            if first.device == second.device:
                continue
            first_end = first.until_ms if first.until_ms is not None else 2**62
            second_end = second.until_ms if second.until_ms is not None else 2**62
            if first.from_ms < second_end and second.from_ms < first_end:
                found.update((first.device, second.device))
    return sorted(found)
