"""Genealogy: what was made from what, through TransformationEvents (transformations and
assemblies, unitrace's own or captured from partners), walked a whole frontier at a time.

Back, from the outputs to their inputs: each level reads the events that gave any object of
the frontier (or its lot's class) as output, and takes their inputs, serialized units and
lots alike, as the next frontier. Forward, from inputs to outputs, the same the other way, a
lot standing for its class and for every one of its units. Serialized objects bring their
lot's class with them, since a transformation may name either. A distributor is shown the
serials only of the units it holds or held; any other unit stands as its lot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from unitrace.gs1 import Gtin, InvalidCode, parse
from unitrace.registry.model import Actor, Role
from unitrace.services.lifecycle.targets import Context
from unitrace.services.trace.subjects import lot_names
from unitrace.store.genealogy import Inspection, Toward, inspections, transformation_links
from unitrace.store.held_epcs import HeldEpcs, UnitUriPrefix, unit_uri_prefixes
from unitrace.store.party_view import PartyView
from unitrace.store.reached_units import lot_ids_of, products_of_lots
from unitrace.store.unit_of_work import UnitOfWork

#: The most levels of transformation a walk follows, and the most objects it shows.
MAX_DEPTH: Final = 8
MAX_NODES: Final = 500

NodeKind = Literal["unit", "lot", "container", "other"]


@dataclass(frozen=True, slots=True)
class GenealogyNode:
    """An object of the genealogy: its EPC as the events name it, its code as people read
    it, what it is, and how many transformations away from the subject it is."""

    epc: str
    code: str
    kind: NodeKind
    depth: int
    gtin: str | None = None
    serial: str | None = None
    lot: str | None = None
    inspections: tuple[Inspection, ...] = ()


@dataclass(frozen=True, slots=True)
class GenealogyLink:
    """An input that went into an output, by one TransformationEvent."""

    event_id: str
    at: dt.datetime
    biz_step: str | None
    input: str
    output: str


@dataclass(frozen=True, slots=True)
class Genealogy:
    nodes: tuple[GenealogyNode, ...] = ()
    links: tuple[GenealogyLink, ...] = ()
    #: whether the walk stopped at :data:`MAX_DEPTH` or :data:`MAX_NODES` with more to go
    cut: bool = False

    def reached(self, kind: NodeKind) -> list[GenealogyNode]:
        return [node for node in self.nodes if node.kind == kind and node.depth > 0]


@dataclass
class _Walk:
    uow: UnitOfWork
    context: Context
    actor: Actor
    toward: Toward
    nodes: dict[str, GenealogyNode] = field(default_factory=dict)
    links: set[GenealogyLink] = field(default_factory=set)
    #: the subject's name for each of its spellings, and each lot class's first name for
    #: each of its spellings (never a unit's: a class names no one unit)
    aliases: dict[str, str] = field(default_factory=dict)
    held: HeldEpcs | None = None
    #: the registered unit each EPC names (GTIN, serial, lot), or None
    units: dict[str, tuple[Gtin, str, str] | None] = field(default_factory=dict)
    #: how each unit is shown to a distributor
    shown: dict[str, str] = field(default_factory=dict)


def walk(
    uow: UnitOfWork,
    context: Context,
    *,
    start: Sequence[str],
    toward: Toward,
    actor: Actor,
    lot_ids: Sequence[int] = (),
    inspected: bool = False,
) -> Genealogy:
    """The genealogy from the spellings ``start`` of one object (and the units of
    ``lot_ids``), toward its inputs or its outputs; with each node's inspections where
    ``inspected``."""
    state = _Walk(uow, context, actor, toward)
    if actor.role is Role.DISTRIBUTOR:
        state.held = HeldEpcs(uow.connection, str(actor.party_id))
    subject = start[0]
    state.nodes[subject] = _node(context, subject, 0)
    for name in start:
        state.aliases[name] = subject
    frontier = set(start) | set(_class_names(state, [subject]))
    every_prefix = unit_uri_prefixes(uow.connection) if lot_ids or toward == "outputs" else []
    seen = set(frontier)
    cut = False
    for depth in range(1, MAX_DEPTH + 1):
        if not frontier and not lot_ids:
            break
        links = transformation_links(
            uow.connection,
            frontier,
            toward=toward,
            lot_ids=lot_ids,
            prefixes=_of_lots(uow, every_prefix, lot_ids),
        )
        lot_ids = ()
        found: list[str] = []
        for link in links:
            ahead = link.output if toward == "outputs" else link.input
            behind = link.input if toward == "outputs" else link.output
            shown_behind = _shown(state, state.aliases.get(behind, behind))
            shown_ahead = _shown(state, ahead)
            if shown_behind not in state.nodes:
                state.nodes[shown_behind] = _node(context, shown_behind, depth - 1)
            if shown_ahead not in state.nodes:
                if len(state.nodes) >= MAX_NODES:
                    cut = True
                    continue
                state.nodes[shown_ahead] = _node(context, shown_ahead, depth)
            if ahead not in seen:
                found.append(ahead)
            if shown_ahead == shown_behind:  # both stand as one lot to this reader
                continue
            pair = (
                (shown_behind, shown_ahead) if toward == "outputs" else (shown_ahead, shown_behind)
            )
            state.links.add(GenealogyLink(link.event_id, link.at, link.biz_step, *pair))
        frontier = (set(found) | set(_class_names(state, found))) - seen
        seen |= frontier
        if toward == "outputs":
            lot_ids = _registered_lots(state, found)
        if depth == MAX_DEPTH and frontier:
            cut = True
    nodes = list(state.nodes.values())
    if inspected:
        nodes = _with_inspections(state, nodes)
    ordered = sorted(state.links, key=lambda link: (str(link.at), link.event_id, link.input))
    return Genealogy(tuple(nodes), tuple(ordered), cut)


def _of_lots(
    uow: UnitOfWork, prefixes: list[UnitUriPrefix], lot_ids: Sequence[int]
) -> list[UnitUriPrefix]:
    """The unit EPC prefixes of the products of ``lot_ids``."""
    if not lot_ids:
        return []
    present = set(products_of_lots(uow.connection, lot_ids))
    return [found for found in prefixes if found[0] in present]


def _node(context: Context, epc: str, depth: int) -> GenealogyNode:
    try:
        scan = parse(epc)
    except InvalidCode:
        return GenealogyNode(epc, epc, "other", depth)
    gtin = scan.gtin.value if scan.gtin is not None else None
    if scan.sscc is not None:
        return GenealogyNode(epc, scan.hri(), "container", depth)
    if gtin is not None and scan.serial is not None:
        return GenealogyNode(epc, scan.hri(), "unit", depth, gtin=gtin, serial=scan.serial)
    if gtin is not None and scan.lot is not None:
        return GenealogyNode(epc, scan.hri(), "lot", depth, gtin=gtin, lot=scan.lot)
    return GenealogyNode(epc, scan.hri(), "other", depth)


def _units_of(state: _Walk, epcs: Iterable[str]) -> dict[str, tuple[Gtin, str, str]]:
    """The registered units among ``epcs``: GTIN, serial and lot, by EPC; each EPC looked
    up once a walk."""
    keys: dict[str, tuple[int, Gtin, str]] = {}
    for epc in epcs:
        if epc in state.units:
            continue
        state.units[epc] = None
        node = _node(state.context, epc, 0)
        product = state.context.products.get(node.gtin or "")
        if node.kind == "unit" and product is not None and node.serial is not None:
            keys[epc] = (product.id, product.gtin, node.serial)
    if keys:
        found = state.uow.units.find([(pid, serial) for pid, _, serial in keys.values()])
        for epc, (pid, gtin, serial) in keys.items():
            record = found.get((pid, serial))
            if record is not None:
                state.units[epc] = (gtin, serial, record.lot)
    return {epc: unit for epc in epcs if (unit := state.units[epc]) is not None}


def _class_names(state: _Walk, epcs: Iterable[str]) -> list[str]:
    """The class names of the lots of the registered units among ``epcs``, each spelling
    remembered as an alias of the lot's first name: a transformation naming the class joins
    the lot's node, never a unit's (the class consumed or made is the lot, not any one unit
    of it); only the subject's own spellings join the subject."""
    names: list[str] = []
    for gtin, _, lot in _units_of(state, epcs).values():
        spellings = lot_names(state.context, gtin, lot)
        for name in spellings:
            state.aliases.setdefault(name, spellings[0])
            names.append(name)
    return names


def _shown(state: _Walk, epc: str) -> str:
    """``epc`` as the actor may be shown it: a unit a distributor never held stands as the
    class of its lot."""
    if state.held is None or _node(state.context, epc, 0).kind != "unit":
        return epc
    if epc not in state.shown:
        unit = _units_of(state, [epc]).get(epc)
        if state.held.held_of([epc]) or unit is None:
            state.shown[epc] = epc
        else:
            state.shown[epc] = lot_names(state.context, unit[0], unit[2])[0]
    return state.shown[epc]


def _registered_lots(state: _Walk, epcs: Iterable[str]) -> tuple[int, ...]:
    """The registered lots among the class EPCs ``epcs``: forward, their units go on."""
    keys: list[tuple[int, str]] = []
    for epc in epcs:
        node = _node(state.context, epc, 0)
        product = state.context.products.get(node.gtin or "")
        if node.kind == "lot" and product is not None and node.lot:
            keys.append((product.id, node.lot))
    return tuple(lot_ids_of(state.uow.connection, keys).values())


def _with_inspections(state: _Walk, nodes: list[GenealogyNode]) -> list[GenealogyNode]:
    """The nodes with the inspections of each: of the object, and of a unit's lot; for a
    distributor, only those of its view (:class:`~unitrace.store.party_view.PartyView`), as
    its timeline shows them."""
    asked: dict[str, set[str]] = {node.epc: {node.epc} for node in nodes}
    for epc, (gtin, _, lot) in _units_of(state, asked).items():
        for name in lot_names(state.context, gtin, lot):
            asked.setdefault(name, set()).add(epc)
    by_epc: dict[str, list[Inspection]] = {}
    view = (
        PartyView(state.uow.connection, str(state.actor.party_id)).events()
        if state.actor.role is Role.DISTRIBUTOR
        else None
    )
    for seen in inspections(state.uow.connection, asked, seen=view):
        for epc in asked.get(seen.epc, ()):
            by_epc.setdefault(epc, []).append(seen)
    return [replace(node, inspections=tuple(by_epc.get(node.epc, ()))) for node in nodes]
