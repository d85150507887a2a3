"""Trace back: from a unit or a container (or a lot) to where it came from.

Its lot and expiry; the containers it is packed in now, up to the pallet, and any other it
was ever aggregated into; its custodians in order (the brand, then each party a shipment
sent it to); every event about it, a container holding it or its lot, as a timeline; and,
through transformations and assembly, recursively, the input lots and serials it was made
from, each with its inspections. A distributor sees the events of its view
(:class:`~unitrace.store.party_view.PartyView`) and the serials it holds or held.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from unitrace.gs1 import Gtin
from unitrace.registry.model import Actor, Lot, Role
from unitrace.services.lifecycle.targets import Context
from unitrace.services.trace.forward import BRAND
from unitrace.services.trace.genealogy import Genealogy, walk
from unitrace.services.trace.subjects import Subject, code_of, lot_names, unknown
from unitrace.services.unit_trail import HistoryEntry, gln_of, history_entry
from unitrace.store.custody import CustodyFigures
from unitrace.store.genealogy import aggregated_into, events_naming
from unitrace.store.party_view import PartyView
from unitrace.store.reached_units import SHIPPING_STEPS, ReachedSet, ReachedUnits
from unitrace.store.unit_of_work import UnitOfWork

#: The most events a timeline lists.
TIMELINE_LIMIT: Final = 1_000


@dataclass(frozen=True, slots=True)
class Holder:
    """A container that holds the subject now (``now``) or held it once."""

    code: str
    epc: str
    kind: str
    now: bool


@dataclass(frozen=True, slots=True)
class Custody:
    """A custodian of the subject, from when, by which event (none for the brand's start)."""

    party: str
    since: dt.datetime | None
    event_id: str | None


@dataclass(frozen=True, slots=True)
class UnitNow:
    state: str
    custodian: str
    location: str | None


@dataclass(frozen=True, slots=True)
class BackTrace:
    subject: Subject
    unit: UnitNow | None
    lots: tuple[Lot, ...]
    #: those holding it now, innermost first up to the pallet, then those that held it once
    containers: tuple[Holder, ...]
    custodians: tuple[Custody, ...]
    timeline: tuple[HistoryEntry, ...]
    made_from: Genealogy


def trace_back(uow: UnitOfWork, context: Context, subject: Subject, actor: Actor) -> BackTrace:
    unit_now: UnitNow | None = None
    now_in: list[str] = []
    lot_keys: list[tuple[str, str]] = []
    if subject.kind == "unit" and subject.product_id is not None and subject.serial is not None:
        record = uow.units.get(subject.product_id, subject.serial)
        if record is not None:
            unit_now = UnitNow(
                record.state.value, record.custodian_id or BRAND, record.location_gln
            )
            lot_keys.append((record.gtin.value, record.lot))
            now_in = _chain(uow, record.container_id)
    elif subject.kind == "container" and subject.container_id is not None:
        parent = uow.units.container(subject.container_id)
        now_in = _chain(uow, parent.parent_id if parent is not None else None)
        holder = actor.party_id if actor.role is Role.DISTRIBUTOR else None
        reached = ReachedUnits(
            uow.connection,
            ReachedSet(
                container_ids=tuple(uow.units.subtree([subject.container_id])), holder=holder
            ),
        )
        lot_keys.extend(reached.lot_keys())
    elif subject.gtin is not None and subject.lot is not None:
        if actor.role is Role.DISTRIBUTOR and not _holds_some(uow, subject, actor):
            raise unknown(subject.code)
        lot_keys.append((subject.gtin, subject.lot))
    lots = tuple(
        found
        for found in (uow.lots.get(Gtin(gtin), lot) for gtin, lot in sorted(set(lot_keys)))
        if found is not None
    )
    # a distributor sees the events of its view: in the containers it was once in, as in
    # the timeline and the inspections of what it was made from
    seen = (
        PartyView(uow.connection, str(actor.party_id)).events()
        if actor.role is Role.DISTRIBUTOR
        else None
    )
    once_in = [
        epc for epc in aggregated_into(uow.connection, subject.epc, seen=seen) if epc not in now_in
    ]
    containers = tuple(
        Holder(code_of(epc), epc, _kind(epc), epc in now_in) for epc in [*now_in, *once_in]
    )
    names = set(subject.names) | set(now_in) | set(once_in)
    if subject.kind == "unit":
        for lot in lots:
            names.update(lot_names(context, lot.gtin, lot.lot))
    events = events_naming(uow.connection, names, seen=seen, limit=TIMELINE_LIMIT)
    glns = {gln_of(place) for event in events for place in (event.biz_location, event.read_point)}
    places = CustodyFigures(uow.connection).parties_by_gln({gln for gln in glns if gln})
    custodians = [Custody(BRAND, events[0].event_time if events else None, None)]
    for event in events:
        if (
            event.biz_step in SHIPPING_STEPS
            and event.party_id
            and event.party_id != custodians[-1].party
        ):
            custodians.append(Custody(event.party_id, event.event_time, event.event_id))
    made_from = walk(
        uow, context, start=subject.names, toward="inputs", actor=actor, inspected=True
    )
    return BackTrace(
        subject=subject,
        unit=unit_now,
        lots=lots,
        containers=containers,
        custodians=tuple(custodians),
        timeline=tuple(history_entry(event, places) for event in events),
        made_from=made_from,
    )


def _holds_some(uow: UnitOfWork, subject: Subject, actor: Actor) -> bool:
    """Whether the distributor holds or held any unit of the lot ``subject``."""
    if subject.lot_id is None:
        return False
    held = ReachedSet(lot_ids=(subject.lot_id,), holder=actor.party_id)
    return bool(ReachedUnits(uow.connection, held).tallies())


def _chain(uow: UnitOfWork, container_id: int | None) -> list[str]:
    """The EPCs of ``container_id`` and of every container it is inside, innermost first."""
    if container_id is None:
        return []
    ids = [container_id, *uow.units.ancestors(container_id)]
    by_id = {found.id: found.epc for found in uow.units.containers_by_id(ids)}
    return [by_id[found] for found in ids if found in by_id]


def _kind(epc: str) -> str:
    return "sscc" if "sscc" in epc or "/00/" in epc else "sgtin"
