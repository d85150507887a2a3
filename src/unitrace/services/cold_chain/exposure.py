"""``GET /api/cold-chain``: the exposure of a unit or a container, stitched from its
containment history and judged against its product's storage conditions; for a lot, each
unit's verdict, counted.

A unit's time runs from its first event (commissioning) to the event that took it out of the
chain (supplied, destroyed, exported, …), or to now. A lot's units are judged by groups: the
units the same events moved went through the same stretches, and the groups whose stretches
are the same (the cases of one pallet with its logger) share one judgement.
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np

from unitrace.coldchain import StorageConditions
from unitrace.coldchain.exposure import Gap, Judgement, Series, Stretch
from unitrace.coldchain.instants import epoch_ms
from unitrace.coldchain.judging import judge, reading_span
from unitrace.registry.model import DECOMMISSIONED_STATES, Actor, Role
from unitrace.services.cold_chain.conditions import conditions_by_product
from unitrace.services.cold_chain.stitching import (
    MAX_DEPTH,
    Holding,
    Measured,
    holdings,
    parent_changes,
    rivals,
    spans,
    stitch,
)
from unitrace.services.cold_chain.view import Exposure, LotExposure
from unitrace.services.lifecycle.targets import Context
from unitrace.services.trace.subjects import Subject, find_subject, unknown
from unitrace.store.containment import (
    Move,
    events_by_pk,
    lot_serials_held,
    lot_unit_ends,
    lot_unit_moves,
    moves_of,
    product_gtin,
    products_in,
)
from unitrace.store.held_epcs import epc_of, serial_of, unit_uri_prefixes
from unitrace.store.reached_units import SHIPPING_STEPS
from unitrace.store.sensor_series import (
    Attachment,
    attached_units,
    attachments_to,
    series_of,
    times_around,
)
from unitrace.store.times import now
from unitrace.store.unit_of_work import UnitOfWork

#: A stretch with this many readings tells how long one of them stands for by itself, else the
#: device's readings around it tell.
ENOUGH_TO_TELL: Final = 10

#: The most groups of a lot's units an answer lists (the counts cover every unit).
GROUPS_SHOWN: Final = 20


def cold_chain_of(uow: UnitOfWork, *, code: str, actor: Actor) -> Exposure | LotExposure:
    """The cold chain answer for ``code``: a unit, a container or a lot."""
    context = Context.of(uow)
    subject = find_subject(uow, context, code=code, actor=actor)
    chains = Chains(uow)
    if subject.kind == "unit":
        return unit_exposure(uow, subject, chains)
    if subject.kind == "container":
        return container_exposure(uow, subject, chains)
    return lot_exposure(uow, subject, actor, chains)


@dataclass(slots=True)
class Chains:
    """What a unit of work has read so far of containers' parents and devices' readings:
    shared by the units of a lot."""

    uow: UnitOfWork
    parents: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    judged: dict[tuple[object, ...], tuple[tuple[Stretch, ...], Judgement]] = field(
        default_factory=dict
    )

    attachments: dict[tuple[str, str], list[Attachment]] = field(default_factory=dict)
    unattached_prefixes: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    #: how long a device's reading stands for, told by its readings around a short stretch
    spans: dict[int, int] = field(default_factory=dict)
    #: a device's readings read once for a lot: from, until, the readings
    series: dict[int, tuple[int, int, Series]] = field(default_factory=dict)

    def prefetch_parents(self, containers: set[str]) -> None:
        """Read what ``containers`` were packed in, and what those were, level by level: one
        statement for a lot's two thousand cases instead of one each."""
        end_ms = epoch_ms(now())
        wanted = containers - self.parents.keys()
        for _ in range(MAX_DEPTH):
            if not wanted:
                return
            moves = moves_of(self.uow.connection, wanted, roles=("child",))
            by_container: dict[str, list[Move]] = {container: [] for container in wanted}
            for move in moves:
                if move.epc in by_container:
                    by_container[move.epc].append(move)
            for container, found in by_container.items():
                self.parents[container] = spans(parent_changes(found), end_ms)
            wanted = {
                parent for found in by_container.values() for parent in _parents(found)
            } - self.parents.keys()

    def no_devices_on_units(self, uri_prefix: str, own: set[str]) -> None:
        """Say that no device was attached to a unit whose EPC starts with ``uri_prefix``,
        but to those of ``own``: a lot's units need not be asked one by one."""
        self.unattached_prefixes.append((uri_prefix, frozenset(own)))

    def attached(self, targets: set[tuple[str, str]]) -> list[Attachment]:
        """The attachments to ``targets``, each target read once (a unit of a lot with no
        device of its own known to have none, unread)."""
        missing = {target for target in targets if target not in self.attachments}
        if missing:
            unread = set()
            for kind, target in missing:
                self.attachments[(kind, target)] = []
                if not (
                    kind == "unit"
                    and any(
                        target.startswith(prefix) and target not in own
                        for prefix, own in self.unattached_prefixes
                    )
                ):
                    unread.add((kind, target))
            if unread:
                for found in attachments_to(self.uow.connection, unread):
                    self.attachments[(found.kind, found.target)].append(found)
        return [found for target in sorted(targets) for found in self.attachments[target]]

    def parents_of(self, container: str) -> list[tuple[int, int, str]]:
        if container not in self.parents:
            self.prefetch_parents({container})
        return self.parents[container]

    def prefetch_series(self, measured: Iterable[Measured]) -> None:
        """Read each device's readings once, over all of ``measured`` it covers: the units of
        a lot cut their stretches from it."""
        spans_by_device: dict[int, tuple[int, int]] = {}
        for piece in measured:
            low, high = spans_by_device.get(piece.device_id, (piece.start_ms, piece.end_ms))
            spans_by_device[piece.device_id] = (
                min(low, piece.start_ms),
                max(high, piece.end_ms),
            )
        for device_id, (low, high) in spans_by_device.items():
            self.series[device_id] = (
                low,
                high,
                series_of(self.uow.connection, device_id, low, high),
            )

    def stretch(self, piece: Measured) -> Stretch:
        """A stretch and its readings; where it holds few of them, how long a reading of its
        device stands for is told by the device's readings around it."""
        series = self.series_for(piece)
        inside = int(np.count_nonzero(series.times_ms >= piece.start_ms))
        span = None if inside >= ENOUGH_TO_TELL else self.span_of(piece)
        return Stretch(piece.start_ms, piece.end_ms, piece.source, series, span)

    def span_of(self, piece: Measured) -> int:
        found = self.spans.get(piece.device_id)
        if found is None:
            found = reading_span(times_around(self.uow.connection, piece.device_id, piece.start_ms))
            self.spans[piece.device_id] = found
        return found

    def series_for(self, piece: Measured) -> Series:
        found = self.series.get(piece.device_id)
        if found is not None and found[0] <= piece.start_ms and piece.end_ms <= found[1]:
            return found[2].between(piece.start_ms, piece.end_ms)
        return series_of(self.uow.connection, piece.device_id, piece.start_ms, piece.end_ms)

    def judgement(
        self,
        conditions: StorageConditions | None,
        measured: Sequence[Measured],
        unmeasured: Sequence[Gap],
    ) -> tuple[tuple[Stretch, ...], Judgement]:
        """The judgement of ``measured``, computed once for every unit that went through the
        same stretches; the time no device measured, which tells nothing of the readings, is
        told among its gaps."""
        key = (conditions, tuple(measured))
        found = self.judged.get(key)
        if found is None:
            stretches = tuple(self.stretch(piece) for piece in measured)
            found = (stretches, judge(conditions, stretches))
            self.judged[key] = found
        stretches, judged = found
        if not unmeasured:
            return found
        gaps = tuple(sorted((*judged.gaps, *unmeasured), key=lambda gap: gap.start_ms))
        return stretches, replace(judged, gaps=gaps)


@dataclass(frozen=True, slots=True)
class _Placed:
    """Where a unit was, and which devices measured it when."""

    subject: tuple[str, str]
    start_ms: int
    end_ms: int
    measured: list[Measured]
    unmeasured: list[Gap]
    #: the unit's time measured otherwise, where two devices measured one holder at once
    otherwise: tuple[tuple[list[Measured], list[Gap]], ...] = ()


@dataclass(frozen=True, slots=True)
class _Held:
    """What held a unit from ``start_ms`` to ``end_ms``."""

    subject: tuple[str, str]
    start_ms: int
    end_ms: int
    held: list[Holding]


def _held(
    chains: Chains,
    subject: tuple[str, str],
    moves: Sequence[Move],
    *,
    start_ms: int | None = None,
    end_ms: int,
) -> _Held:
    if not moves and start_ms is None:
        return _Held(subject, end_ms, end_ms, [])
    if moves:
        start_ms = moves[0].at_ms if start_ms is None else min(start_ms, moves[0].at_ms)
    assert start_ms is not None
    end_ms = max(end_ms, start_ms)
    found = holdings(subject, moves, start_ms=start_ms, end_ms=end_ms, parents_of=chains.parents_of)
    return _Held(subject, start_ms, end_ms, found)


def _placed(chains: Chains, where: _Held) -> _Placed:
    if not where.held:
        return _Placed(where.subject, where.start_ms, where.end_ms, [], [])
    attached = chains.attached({(found.kind, found.target) for found in where.held})
    measured, unmeasured = stitch(
        where.held, attached, start_ms=where.start_ms, end_ms=where.end_ms
    )
    otherwise = []
    for device in rivals(where.held, attached):
        other = stitch(
            where.held,
            attached,
            start_ms=where.start_ms,
            end_ms=where.end_ms,
            preferred=device,
        )
        if other[0] != measured and other not in otherwise:
            otherwise.append(other)
    return _Placed(
        where.subject, where.start_ms, where.end_ms, measured, unmeasured, tuple(otherwise)
    )


def _judged(
    chains: Chains,
    placed: _Placed,
    *,
    conditions: StorageConditions | None,
    gtin: str | None,
    lot: str | None,
) -> Exposure:
    kind, epc = placed.subject
    stretches, judgement = chains.judgement(conditions, placed.measured, placed.unmeasured)
    # two devices on one holder at once: the unit is judged by the worse of their readings
    for measured, unmeasured in placed.otherwise:
        found = chains.judgement(conditions, measured, unmeasured)
        if _worse(found[1], judgement):
            stretches, judgement = found
    return Exposure(
        kind, epc, gtin, lot, placed.start_ms, placed.end_ms, conditions, stretches, judgement
    )


def _exposure(
    chains: Chains,
    subject: tuple[str, str],
    moves: Sequence[Move],
    *,
    end_ms: int,
    conditions: StorageConditions | None,
    gtin: str | None,
    lot: str | None,
) -> Exposure:
    placed = _placed(chains, _held(chains, subject, moves, end_ms=end_ms))
    return _judged(chains, placed, conditions=conditions, gtin=gtin, lot=lot)


def unit_exposure(uow: UnitOfWork, subject: Subject, chains: Chains) -> Exposure:
    """A unit's exposure, to the end of its time in the chain."""
    if subject.product_id is None or subject.serial is None:
        raise unknown(subject.code)
    record = uow.units.get(subject.product_id, subject.serial)
    if record is None:
        raise unknown(subject.code)
    end_ms = (
        epoch_ms(record.state_since)
        if record.state in DECOMMISSIONED_STATES and record.state_since is not None
        else epoch_ms(now())
    )
    conditions = conditions_by_product(uow, [subject.product_id]).get(subject.product_id)
    moves = moves_of(uow.connection, subject.names)
    return _exposure(
        chains,
        ("unit", subject.epc),
        moves,
        end_ms=end_ms,
        conditions=conditions,
        gtin=subject.gtin,
        lot=subject.lot,
    )


def container_exposure(uow: UnitOfWork, subject: Subject, chains: Chains) -> Exposure:
    """A container's own exposure, judged against the conditions of the product inside it
    (none, when it holds units of several products or of none with conditions)."""
    if subject.container_id is None:
        raise unknown(subject.code)
    tree = uow.units.subtree([subject.container_id])
    product_ids = products_in(uow.connection, tree)
    conditions = None
    gtin = None
    if len(product_ids) == 1:
        (product_id,) = product_ids
        conditions = conditions_by_product(uow, [product_id]).get(product_id)
        gtin = product_gtin(uow.connection, product_id)
    moves = moves_of(uow.connection, subject.names)
    return _exposure(
        chains,
        ("container", subject.epc),
        moves,
        end_ms=epoch_ms(now()),
        conditions=conditions,
        gtin=gtin,
        lot=None,
    )


def lot_exposure(uow: UnitOfWork, subject: Subject, actor: Actor, chains: Chains) -> LotExposure:
    """Every unit of a lot judged, by groups of units the same events moved (a distributor:
    the units it holds)."""
    if (
        subject.gtin is None
        or subject.lot is None
        or subject.lot_id is None
        or subject.product_id is None
    ):
        raise unknown(subject.code)
    holder = actor.party_id if actor.role is Role.DISTRIBUTOR else None
    conditions, shared = lot_groups(
        uow,
        chains,
        product_id=subject.product_id,
        lot_id=subject.lot_id,
        gtin=subject.gtin,
        lot=subject.lot,
        holder=holder,
    )
    if holder is not None and not shared:
        raise unknown(subject.code)
    verdicts: Counter[str | None] = Counter()
    for exposure, serials in shared:
        verdict = exposure.judgement.verdict
        verdicts[verdict.value if verdict is not None else None] += len(serials)
    # groups the same stretches judged alike over the same time are one to the reader
    merged: dict[tuple[int, int, int], tuple[Exposure, int]] = {}
    for exposure, serials in shared:
        key = (id(exposure.stretches), exposure.start_ms, exposure.end_ms)
        first, count = merged.get(key, (exposure, 0))
        merged[key] = (first, count + len(serials))
    groups = sorted(merged.values(), key=lambda group: (_severity(group[0]), -group[1]))
    return LotExposure(
        subject.gtin,
        subject.lot,
        conditions,
        sum(verdicts.values()),
        dict(verdicts),
        tuple(groups[:GROUPS_SHOWN]),
    )


def lot_groups(
    uow: UnitOfWork,
    chains: Chains,
    *,
    product_id: int,
    lot_id: int,
    gtin: str,
    lot: str,
    holder: str | None = None,
) -> tuple[StorageConditions | None, list[tuple[Exposure, list[str]]]]:
    """A lot's conditions, and its units (a distributor's: those it holds) by groups that went
    through the same stretches, each group's exposure with its units' serials."""
    prefix = next(
        (found for found in unit_uri_prefixes(uow.connection) if found[0] == product_id), None
    )
    if prefix is None:
        return None, []
    _, uri_prefix, escapes = prefix
    conditions = conditions_by_product(uow, [product_id]).get(product_id)
    own_devices = attached_units(uow.connection, uri_prefix)
    chains.no_devices_on_units(uri_prefix, own_devices)
    groups = lot_unit_groups(uow, lot_id, uri_prefix, escapes, own_devices, holder=holder)
    events = events_by_pk(uow.connection, {pk for group in groups for pk in group.events})
    chains.prefetch_parents({move.parent for move in events.values() if move.parent})
    held: list[tuple[_Held, list[str]]] = []
    for group in groups:
        moves = sorted(
            (events[pk] for pk in group.events if pk in events),
            key=lambda move: (move.at_ms, move.event_pk),
        )
        subject = ("unit", epc_of(group.serials[0], uri_prefix, escapes))
        held.append(
            (
                _held(chains, subject, moves, start_ms=group.start_ms, end_ms=group.end_ms),
                group.serials,
            )
        )
    # every group's holders' devices read at once
    chains.attached({(found.kind, found.target) for where, _ in held for found in where.held})
    placed = [(_placed(chains, where), serials) for where, serials in held]
    chains.prefetch_series(piece for where, _ in placed for piece in where.measured)
    shared = [
        (_judged(chains, where, conditions=conditions, gtin=gtin, lot=lot), serials)
        for where, serials in placed
    ]
    return conditions, shared


def _parents(moves: Sequence[Move]) -> set[str]:
    return {move.parent for move in moves if move.parent is not None and move.role == "child"}


def _severity(exposure: Exposure) -> int:
    return _judgement_severity(exposure.judgement)


def _judgement_severity(judgement: Judgement) -> int:
    order = {"breach": 0, "allowed_excursion": 1, "within": 2}
    verdict = judgement.verdict
    return order.get(verdict.value, 3) if verdict is not None else 3


def _worse(one: Judgement, other: Judgement) -> bool:
    """Whether ``one``'s verdict is worse than ``other``'s."""
    return _judgement_severity(one) < _judgement_severity(other)


@dataclass(frozen=True, slots=True)
class UnitGroup:
    """Units of a lot judged as one: the events that placed them (packed, shipped, at a
    place), the earliest of their first events, the end of their time in the chain, and their
    serials, the one with the earliest first event first."""

    events: tuple[int, ...]
    start_ms: int
    end_ms: int
    serials: list[str]


def lot_unit_groups(
    uow: UnitOfWork,
    lot_id: int,
    uri_prefix: str,
    escapes: tuple[tuple[str, str], ...],
    own_devices: set[str],
    *,
    holder: str | None,
) -> list[UnitGroup]:
    """The lot's units (a distributor's: those it holds) grouped by what placed them: the
    same aggregations, shipments and events at places, and the same end of their time in the
    chain; a unit with a device of its own (``own_devices``: their EPCs) alone. Events that
    placed nothing (a unit's own commissioning with no place, a storing
    step) only say when its time began; a unit's own first event at a place (commissioned
    there, one unit an event) groups by the place, not the event: a group is judged from the
    earliest first event among its units, the later ones' few seconds or minutes before they
    were made counted with them, never fewer."""
    moves = lot_unit_moves(uow.connection, lot_id, uri_prefix, escapes, SHIPPING_STEPS)
    # how many of the lot's units each event at a place named: one, it was a unit's own
    alone = Counter(move[1] for move in moves if move[3] == "p")
    ends = lot_unit_ends(uow.connection, lot_id, DECOMMISSIONED_STATES)
    now_ms = epoch_ms(now())
    kept = None if holder is None else lot_serials_held(uow.connection, lot_id, holder)
    own = {serial_of(epc, uri_prefix, escapes) for epc in own_devices}
    grouped: dict[tuple[tuple[int, ...], str | None, int, str], UnitGroup] = {}
    at = operator.itemgetter(2)
    # the moves come by unit, each unit's by event
    for serial, named in itertools.groupby(moves, key=operator.itemgetter(0)):
        if kept is not None and serial not in kept:
            continue
        unit_moves = list(named)
        start = min(map(at, unit_moves))
        born = None
        # (moves are plain tuples: serial, event, at, placing, place; see UnitMove)
        if any(move[3] == "p" for move in unit_moves):
            # its own first event at a place, naming it alone
            first = min(unit_moves, key=operator.itemgetter(2, 1))
            if first[2] == start and first[3] == "p" and alone[first[1]] == 1:
                born = first
        placing = tuple(move[1] for move in unit_moves if move[3] and move is not born)
        end_ms = ends.get(serial, now_ms)
        key = (
            placing,
            None if born is None else born[4],
            end_ms,
            serial if serial in own else "",
        )
        group = grouped.get(key)
        if group is None or start < group.start_ms:
            # the earliest-made unit stands for the group: its own first event is the group's
            events = placing if born is None else (*placing, born[1])
            serials = [serial] if group is None else [serial, *group.serials]
            grouped[key] = UnitGroup(events, start, end_ms, serials)
        else:
            group.serials.append(serial)
    return list(grouped.values())
