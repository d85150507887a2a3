"""Trace forward: from a lot, a container or a component lot to every unit reached.

The units reached are the subject's own (a lot's units, a container's at every depth) and
those made from it through transformations and assembly (:mod:`.genealogy`), read as one set
from the projection (:mod:`unitrace.store.reached_units`): summed by state, custodian and
region, by container, and by the shipments that moved them; or listed unit by unit, streamed,
for the CSV. A distributor reaches only the units it holds or held.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from unitrace.registry.model import Actor, Role
from unitrace.services.lifecycle.targets import Context
from unitrace.services.trace.genealogy import Genealogy, walk
from unitrace.services.trace.subjects import Subject, code_of, unknown
from unitrace.store.reached_units import (
    ContainerNode,
    ReachedSet,
    ReachedUnits,
    ShipmentOfSet,
    lot_ids_of,
)
from unitrace.store.unit_of_work import UnitOfWork

#: The custodian of units no party holds: the brand's own.
BRAND = "brand"
#: The region of units whose last place is unknown.
UNKNOWN_PLACE = "unknown"


@dataclass(frozen=True, slots=True)
class UnitSummary:
    count: int
    by_state: dict[str, int]
    by_custodian: dict[str, int]
    by_region: dict[str, int]


@dataclass(frozen=True, slots=True)
class ContainerCount:
    """A case or pallet holding units reached, with how many at every depth."""

    code: str
    epc: str
    kind: str
    parent: str | None
    units: int


@dataclass(frozen=True, slots=True)
class ForwardTrace:
    subject: Subject
    units: UnitSummary
    #: outermost first, each followed by what it holds
    containers: tuple[ContainerCount, ...]
    shipments: tuple[ShipmentOfSet, ...]
    #: what was made from the subject, level by level
    made_into: Genealogy


@dataclass(frozen=True, slots=True)
class TraceRow:
    """One unit reached, as the CSV lists it."""

    gtin: str
    serial: str
    lot: str
    state: str
    container: str | None
    pallet: str | None
    custodian: str
    last_place: str | None
    last_event_at: dt.datetime | None


def trace_forward(
    uow: UnitOfWork, context: Context, subject: Subject, actor: Actor
) -> ForwardTrace:
    made_into, reached = reached_units(uow, context, subject, actor)
    tallies = reached.tallies()
    count = sum(tally.units for tally in tallies)
    if count == 0 and actor.role is Role.DISTRIBUTOR:
        raise unknown(subject.code)
    areas = reached.areas([t.location_gln for t in tallies if t.location_gln is not None])
    # a place without an area of its own (a plant's GLN, a shipment not yet received) is known
    # by its custodian's territory, where that is one area
    held_in = reached.party_areas([t.custodian for t in tallies if t.custodian is not None])
    by_state: Counter[str] = Counter()
    by_custodian: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    for tally in tallies:
        by_state[tally.state] += tally.units
        by_custodian[tally.custodian or BRAND] += tally.units
        area = areas.get(tally.location_gln or "") or held_in.get(tally.custodian or "")
        by_region[area or UNKNOWN_PLACE] += tally.units
    summary = UnitSummary(count, _sorted(by_state), _sorted(by_custodian), _sorted(by_region))
    return ForwardTrace(
        subject=subject,
        units=summary,
        containers=_containers(reached),
        shipments=tuple(reached.shipments()),
        made_into=made_into,
    )


def forward_rows(
    uow: UnitOfWork, context: Context, subject: Subject, actor: Actor
) -> Iterator[TraceRow]:
    """Every unit reached, one row each, read as the caller goes; a distributor that
    reaches none is refused here, before the first row."""
    _, reached = reached_units(uow, context, subject, actor)
    if actor.role is Role.DISTRIBUTOR and not any(reached.tallies()):
        raise unknown(subject.code)
    return _rows(reached)


def _rows(reached: ReachedUnits) -> Iterator[TraceRow]:
    chains = {node.id: node for node in reached.containers_up(list(reached.container_counts()))}
    codes = {container_id: code_of(node.epc) for container_id, node in chains.items()}
    tops: dict[int, int] = {}
    for container_id in chains:
        top = container_id
        while chains[top].parent_id in chains:
            top = int(chains[top].parent_id or 0)
        tops[container_id] = top
    for row in reached.rows():
        held = row.container_id if row.container_id in chains else None
        yield TraceRow(
            gtin=row.gtin,
            serial=row.serial,
            lot=row.lot,
            state=row.state,
            container=codes[held] if held is not None else None,
            pallet=codes[tops[held]] if held is not None else None,
            custodian=row.custodian or BRAND,
            last_place=row.location_gln,
            last_event_at=row.last_event_at,
        )


def reached_units(
    uow: UnitOfWork, context: Context, subject: Subject, actor: Actor
) -> tuple[Genealogy, ReachedUnits]:
    lot_ids = [subject.lot_id] if subject.kind == "lot" and subject.lot_id is not None else []
    made_into = walk(
        uow, context, start=subject.names, toward="outputs", actor=actor, lot_ids=lot_ids
    )
    container_roots = [subject.container_id] if subject.container_id is not None else []
    keys = [(subject.product_id, subject.serial)] if subject.kind == "unit" else []
    lot_keys: list[tuple[int, str]] = []
    for node in made_into.reached("unit") + made_into.reached("lot"):
        product = context.products.get(node.gtin or "")
        if product is None:
            continue
        if node.serial is not None:
            keys.append((product.id, node.serial))
        elif node.lot is not None:
            lot_keys.append((product.id, node.lot))
    lot_ids.extend(lot_ids_of(uow.connection, lot_keys).values())
    made = uow.units.containers_by_epc(node.epc for node in made_into.reached("container"))
    container_roots.extend(found.id for found in made.values())
    reached = ReachedSet(
        lot_ids=tuple(sorted(set(lot_ids))),
        container_ids=tuple(uow.units.subtree(container_roots)),
        unit_keys=tuple(
            sorted({(int(pid), str(serial)) for pid, serial in keys if pid is not None})
        ),
        holder=actor.party_id if actor.role is Role.DISTRIBUTOR else None,
    )
    return made_into, ReachedUnits(uow.connection, reached)


def _containers(reached: ReachedUnits) -> tuple[ContainerCount, ...]:
    """The containers holding units reached, each with its units at every depth: outermost
    first, each followed by what it holds."""
    direct = reached.container_counts()
    nodes = {node.id: node for node in reached.containers_up(list(direct))}
    totals: Counter[int] = Counter()
    for container_id, count in direct.items():
        current: int | None = container_id
        while current is not None and current in nodes:
            totals[current] += count
            current = nodes[current].parent_id
    children: dict[int | None, list[ContainerNode]] = {}
    for node in nodes.values():
        parent = node.parent_id if node.parent_id in nodes else None
        children.setdefault(parent, []).append(node)
    ordered: list[ContainerCount] = []

    def add(parent: int | None) -> None:
        for node in sorted(children.get(parent, []), key=lambda found: found.epc):
            up = nodes.get(node.parent_id) if node.parent_id is not None else None
            ordered.append(
                ContainerCount(
                    code=code_of(node.epc),
                    epc=node.epc,
                    kind=node.kind,
                    parent=code_of(up.epc) if up is not None else None,
                    units=totals[node.id],
                )
            )
            add(node.id)

    add(None)
    return tuple(ordered)


def _sorted(counts: Counter[str]) -> dict[str, int]:
    """Largest first, ties by name."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
