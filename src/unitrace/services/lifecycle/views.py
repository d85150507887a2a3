"""Reading: a unit as the registry knows it, with its history, and what a case or pallet
holds. A distributor sees only what is in its party's custody."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from unitrace.gs1 import Gtin
from unitrace.registry.errors import NotFound
from unitrace.registry.model import Actor, Role, UnitState
from unitrace.services.catalog import parse_gtin
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.targets import Context, container_code, unit_name
from unitrace.store.events import EventRecord
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import InContainers


@dataclass(frozen=True, slots=True)
class UnitView:
    """One unit as the registry knows it, with its history."""

    gtin: Gtin
    serial: str
    epc: str
    lot: str
    seq: int
    expiry: dt.date
    state: UnitState
    #: the EPC of the case or pallet it is packed in directly
    container: str | None
    custodian: str | None
    location: str | None
    state_since: dt.datetime | None
    #: the events naming the unit, oldest first
    history: tuple[EventRecord, ...]


@dataclass(frozen=True, slots=True)
class ContainerView:
    """A case or pallet: what it holds directly, and how many units at every depth."""

    epc: str
    kind: str
    parent: str | None
    custodian: str | None
    location: str | None
    containers: tuple[str, ...]
    units: tuple[str, ...]
    unit_count: int


def unit_view(uow: UnitOfWork, *, gtin: str, serial: str, actor: Actor) -> UnitView:
    """A unit's state, lot, container, custodian and history. A distributor sees only units in
    its custody; any other unit is "not registered" to it, as an unknown one is."""
    allow(actor, "view")
    context = Context.of(uow)
    key = parse_gtin(gtin, "gtin")
    unknown = NotFound(f"unit {unit_name(key, serial)} is not registered")
    product = context.products.get(key.value)
    if product is None:
        raise unknown
    unit = uow.units.get(product.id, serial)
    if unit is None or (actor.role is Role.DISTRIBUTOR and unit.custodian_id != actor.party_id):
        raise unknown
    epc = context.naming.sgtin(key, serial)
    return UnitView(
        gtin=key,
        serial=serial,
        epc=epc,
        lot=unit.lot,
        seq=unit.seq,
        expiry=unit.expiry,
        state=unit.state,
        container=unit.container_epc,
        custodian=unit.custodian_id,
        location=unit.location_gln,
        state_since=unit.state_since,
        history=tuple(uow.events.naming([epc])),
    )


def container_view(uow: UnitOfWork, *, code: str, actor: Actor) -> ContainerView:
    """What a case or pallet holds. A distributor sees only containers in its custody."""
    allow(actor, "view")
    context = Context.of(uow)
    epc, _ = container_code(context, code, "code")
    container = uow.units.containers_by_epc([epc]).get(epc)
    if container is None or (
        actor.role is Role.DISTRIBUTOR and container.custodian_id != actor.party_id
    ):
        raise NotFound(f"code: container {epc} is not registered")
    parent = uow.units.container(container.parent_id) if container.parent_id else None
    inner = uow.units.child_containers(container.id)
    units = [
        context.naming.sgtin(gtin, serial) for gtin, serial in uow.units.unit_keys_in(container.id)
    ]
    tree = uow.units.subtree([container.id])
    return ContainerView(
        epc=container.epc,
        kind=container.kind,
        parent=parent.epc if parent else None,
        custodian=container.custodian_id,
        location=container.location_gln,
        containers=tuple(child.epc for child in inner),
        units=tuple(sorted(units)),
        unit_count=uow.units.count(InContainers(tuple(tree))),
    )
