"""``GET /api/cold-chain``: the exposure of a unit or a container, stitched from its
containment history and judged against its product's storage conditions; for a lot, each
unit's verdict, counted.

A unit's time runs from its first event (commissioning) to the event that took it out of the
chain (supplied, destroyed, exported, …), or to now. A lot's units are judged by groups: the
units the same events moved went through the same stretches, and the groups whose stretches
are the same (the cases of one pallet with its logger) share one judgement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from unitrace.coldchain import StorageConditions
from unitrace.coldchain.exposure import Gap, Judgement, Stretch
from unitrace.coldchain.judging import judge
from unitrace.registry.model import DECOMMISSIONED_STATES, Actor, Role
from unitrace.services.cold_chain.stitching import Measured, holdings, parent_changes, spans, stitch
from unitrace.services.cold_chain.view import Exposure, LotExposure
from unitrace.services.lifecycle.targets import Context
from unitrace.services.trace.subjects import Subject, find_subject, unknown
from unitrace.store.containment import (
    Move,
    attachments_to,
    epoch_ms,
    events_by_pk,
    lot_serials_held,
    lot_unit_ends,
    lot_unit_moves,
    moves_of,
    product_gtin,
    products_in,
    series_of,
    storage_conditions_of,
)
from unitrace.store.held_epcs import unit_uri_prefixes
from unitrace.store.times import now
from unitrace.store.unit_of_work import UnitOfWork

#: The most groups of a lot's units an answer lists (the counts cover every unit).
GROUPS_SHOWN: Final = 20


def cold_chain_of(uow: UnitOfWork, *, code: str, actor: Actor) -> Exposure | LotExposure:
    """The cold chain answer for ``code``: a unit, a container or a lot."""
    context = Context.of(uow)
    subject = find_subject(uow, context, code=code, actor=actor)
    chains = _Chains(uow)
    if subject.kind == "unit":
        return unit_exposure(uow, subject, chains)
    if subject.kind == "container":
        return container_exposure(uow, subject, chains)
    return lot_exposure(uow, subject, actor, chains)


@dataclass(slots=True)
class _Chains:
    """What a unit of work has read so far of containers' parents and devices' readings:
    shared by the units of a lot."""

    uow: UnitOfWork
    parents: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    judged: dict[tuple[object, ...], tuple[tuple[Stretch, ...], Judgement]] = field(
        default_factory=dict
    )

    def parents_of(self, container: str) -> list[tuple[int, int, str]]:
        found = self.parents.get(container)
        if found is None:
            moves = moves_of(self.uow.connection, [container])
            found = spans(parent_changes(moves), epoch_ms(now()))
            self.parents[container] = found
        return found

    def judgement(
        self,
        conditions: StorageConditions | None,
        measured: Sequence[Measured],
        unmeasured: Sequence[Gap],
    ) -> tuple[tuple[Stretch, ...], Judgement]:
        key = (conditions, tuple(measured), tuple(unmeasured))
        found = self.judged.get(key)
        if found is None:
            stretches = tuple(
                Stretch(
                    piece.start_ms,
                    piece.end_ms,
                    piece.source,
                    series_of(self.uow.connection, piece.device_id, piece.start_ms, piece.end_ms),
                )
                for piece in measured
            )
            found = (stretches, judge(conditions, stretches, unmeasured))
            self.judged[key] = found
        return found


def _exposure(
    chains: _Chains,
    subject: tuple[str, str],
    moves: Sequence[Move],
    *,
    end_ms: int,
    conditions: StorageConditions | None,
    gtin: str | None,
    lot: str | None,
) -> Exposure:
    kind, epc = subject
    if not moves:
        empty = Judgement((), (), None, None, None, None, 0.0, (), None)
        return Exposure(kind, epc, gtin, lot, end_ms, end_ms, conditions, (), empty)
    start_ms = moves[0].at_ms
    end_ms = max(end_ms, start_ms)
    held = holdings(subject, moves, start_ms=start_ms, end_ms=end_ms, parents_of=chains.parents_of)
    attached = attachments_to(chains.uow.connection, {(h.kind, h.target) for h in held})
    measured, unmeasured = stitch(held, attached, start_ms=start_ms, end_ms=end_ms)
    stretches, judgement = chains.judgement(conditions, measured, unmeasured)
    return Exposure(kind, epc, gtin, lot, start_ms, end_ms, conditions, stretches, judgement)


def unit_exposure(uow: UnitOfWork, subject: Subject, chains: _Chains) -> Exposure:
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
    conditions = storage_conditions_of(uow.connection, [subject.product_id]).get(subject.product_id)
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


def container_exposure(uow: UnitOfWork, subject: Subject, chains: _Chains) -> Exposure:
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
        conditions = storage_conditions_of(uow.connection, [product_id]).get(product_id)
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


def lot_exposure(uow: UnitOfWork, subject: Subject, actor: Actor, chains: _Chains) -> LotExposure:
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
    prefix = next(
        (found for found in unit_uri_prefixes(uow.connection) if found[0] == subject.product_id),
        None,
    )
    if prefix is None:
        raise unknown(subject.code)
    _, uri_prefix, escapes = prefix
    conditions = storage_conditions_of(uow.connection, [subject.product_id]).get(subject.product_id)
    signatures = lot_unit_signatures(uow, subject.lot_id, uri_prefix, escapes, holder=holder)
    if holder is not None and not signatures:
        raise unknown(subject.code)
    events = events_by_pk(uow.connection, {pk for key in signatures for pk in key[0]})
    verdicts: Counter[str | None] = Counter()
    groups: list[tuple[Exposure, int]] = []
    for (pks, end_ms), (serial, count) in signatures.items():
        moves = sorted(
            (events[pk] for pk in pks if pk in events),
            key=lambda move: (move.at_ms, move.event_pk),
        )
        exposure = _exposure(
            chains,
            ("unit", uri_prefix + _escaped(serial, escapes)),
            moves,
            end_ms=end_ms,
            conditions=conditions,
            gtin=subject.gtin,
            lot=subject.lot,
        )
        verdict = exposure.judgement.verdict
        verdicts[verdict.value if verdict is not None else None] += count
        groups.append((exposure, count))
    groups.sort(key=lambda group: (_severity(group[0]), -group[1]))
    return LotExposure(
        subject.gtin,
        subject.lot,
        conditions,
        sum(verdicts.values()),
        dict(verdicts),
        tuple(groups[:GROUPS_SHOWN]),
    )


def _severity(exposure: Exposure) -> int:
    order = {"breach": 0, "allowed_excursion": 1, "within": 2}
    verdict = exposure.judgement.verdict
    return order.get(verdict.value, 3) if verdict is not None else 3


def _escaped(serial: str, escapes: tuple[tuple[str, str], ...]) -> str:
    for character, escape in escapes:
        serial = serial.replace(character, escape)
    return serial


def lot_unit_signatures(
    uow: UnitOfWork,
    lot_id: int,
    uri_prefix: str,
    escapes: tuple[tuple[str, str], ...],
    *,
    holder: str | None,
) -> dict[tuple[tuple[int, ...], int], tuple[str, int]]:
    """The lot's units grouped by the events that moved them and the end of their time in
    the chain: per group, one unit's serial and how many units it has."""
    by_unit: dict[str, list[int]] = {}
    for serial, pk in lot_unit_moves(uow.connection, lot_id, uri_prefix, escapes):
        by_unit.setdefault(serial, []).append(pk)
    ends = lot_unit_ends(uow.connection, lot_id, DECOMMISSIONED_STATES)
    now_ms = epoch_ms(now())
    kept = None if holder is None else lot_serials_held(uow.connection, lot_id, holder)
    groups: dict[tuple[tuple[int, ...], int], tuple[str, int]] = {}
    for serial, pks in by_unit.items():
        if kept is not None and serial not in kept:
            continue
        key = (tuple(sorted(set(pks))), ends.get(serial, now_ms))
        found = groups.get(key)
        groups[key] = (serial, 1) if found is None else (found[0], found[1] + 1)
    return groups
