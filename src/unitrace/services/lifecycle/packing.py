"""Packing and unpacking: units and containers put into a case (GTIN + serial) or a pallet
(SSCC), which is registered on first use, and taken out again (AggregationEvent ADD ``packing``,
DELETE ``unpacking``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from unitrace.epcis import Action, AggregationEvent, BizStep
from unitrace.gs1 import parse
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role, UnitState
from unitrace.services.lifecycle.recording import (
    Undone,
    all_or_nothing,
    changed_meanwhile,
    record_event,
)
from unitrace.services.lifecycle.rules import allow, check_custody
from unitrace.services.lifecycle.targets import (
    Context,
    container_code,
    resolve,
    some_units,
    time_of,
    unit_name,
)
from unitrace.store.events import EventRecord, StoredEvent, UnitEpcs
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.containers import ContainerRecord
from unitrace.store.units.selections import InContainers, UnitKeys, UnitSelection


def aggregate(
    uow: UnitOfWork,
    *,
    parent: str,
    children: Sequence[str],
    actor: Actor,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> EventRecord:
    """Pack units or containers into ``parent``, a case (GTIN + serial) or a pallet (SSCC),
    which is registered on first use: one AggregationEvent ADD ``packing``."""
    allow(actor, "aggregate")
    when = time_of(at)
    if not children:
        raise InvalidRequest("children: none given")
    context = Context.of(uow)
    parent_epc, kind = container_code(context, parent, "parent")
    targets = resolve(uow, context, children, "children", actor=actor)
    existing = uow.units.containers_by_epc([parent_epc]).get(parent_epc)
    if existing is None and kind == "sgtin":
        _not_a_unit(context, parent, parent_epc)
    if parent_epc in targets.epcs:
        raise Conflict(f"container {parent_epc} cannot contain itself")
    if existing is not None:
        # before the other checks, which would name who holds it
        check_custody(actor, existing.custodian_id, f"container {parent_epc}")
    for child in targets.containers:
        if existing is not None and existing.id in uow.units.subtree([child.id]):
            raise Conflict(
                f"container {parent_epc} is inside {child.epc}: packing {child.epc} into it "
                "would make a container contain itself"
            )
        if child.parent_id is not None:
            outer = uow.units.container(child.parent_id)
            raise Conflict(
                f"container {child.epc} is packed in {outer.epc if outer else '?'} already: "
                "unpack it first"
            )
    for unit in targets.units.values():
        if unit.container_id is not None:
            raise Conflict(
                f"unit {unit_name(unit.gtin, unit.serial)} is packed in {unit.container_epc} "
                "already: unpack it first"
            )
    not_active = [unit for unit in targets.units.values() if unit.state is not UnitState.ACTIVE]
    if not_active:
        first = not_active[0]
        raise Conflict(
            f"unit {some_units([(first.gtin, first.serial)], len(not_active))} is "
            f"{first.state}: only active units are packed"
        )
    holders = {unit.custodian_id for unit in targets.units.values()}
    holders |= {child.custodian_id for child in targets.containers}
    if existing is not None:
        holders.add(existing.custodian_id)
    if len(holders) > 1:
        parties = ", ".join(sorted(holder or "the brand" for holder in holders))
        raise Conflict(
            f"children: they and container {parent_epc} are in the custody of different "
            f"parties ({parties}): pack only what one party holds"
        )
    holder = holders.pop()
    check_custody(actor, holder, f"container {parent_epc}")
    event = AggregationEvent(
        event_time=when,
        action=Action.ADD,
        biz_step=BizStep.PACKING,
        parent_id=parent_epc,
        child_epcs=targets.epcs,
    )
    with changed_meanwhile(), all_or_nothing(uow):
        if existing is None:
            locations = {unit.location_gln for unit in targets.units.values()}
            locations |= {child.location_gln for child in targets.containers}
            existing = uow.units.add_container(
                parent_epc,
                kind,
                custodian_id=holder,
                location_gln=locations.pop() if len(locations) == 1 else None,
                at=when,
            )
        record = record_event(uow, event, captured, actor=actor, party_id=actor.party_id)
        if uow.units.pack(UnitKeys(tuple(targets.units)), existing.id) != len(targets.units):
            raise Undone
        uow.units.set_container_parent([child.id for child in targets.containers], existing.id)
    uow.audit.record(
        actor.name,
        "container.packed",
        parent_epc,
        {"children": len(targets.epcs), "event_id": record.event_id},
    )
    return record


def disaggregate(
    uow: UnitOfWork,
    *,
    parent: str,
    children: Sequence[str] | None = None,
    actor: Actor,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> EventRecord:
    """Take ``children`` (all it holds directly, if None) out of the container ``parent``:
    one AggregationEvent DELETE ``unpacking``."""
    allow(actor, "disaggregate")
    when = time_of(at)
    context = Context.of(uow)
    parent_epc, _ = container_code(context, parent, "parent")
    container = uow.units.containers_by_epc([parent_epc]).get(parent_epc)
    if container is None:
        if actor.role is Role.DISTRIBUTOR:  # told no more than that it does not hold it
            raise Forbidden(f"container {parent_epc}: not in the custody of {actor.party_id}")
        raise NotFound(f"parent: container {parent_epc} is not registered")
    check_custody(actor, container.custodian_id, f"container {parent_epc}")
    inner: Sequence[ContainerRecord]
    if children is None:
        inner = uow.units.child_containers(container.id)
        loose: UnitSelection = InContainers((container.id,))
        unit_count = uow.units.count(loose)
        if not inner and unit_count == 0:
            raise Conflict(f"container {parent_epc} is empty: there is nothing to unpack")
        child_epcs = tuple(child.epc for child in inner)
        named = [UnitEpcs(loose, context.naming, role="child")] if unit_count else []
    else:
        if not children:
            raise InvalidRequest("children: none given; leave it out to unpack everything")
        targets = resolve(uow, context, children, "children", actor=actor)
        for child in targets.containers:
            if child.parent_id != container.id:
                raise Conflict(f"container {child.epc} is not packed in {parent_epc}")
        for unit in targets.units.values():
            if unit.container_id != container.id:
                raise Conflict(
                    f"unit {unit_name(unit.gtin, unit.serial)} is not packed in {parent_epc}"
                )
        inner = targets.containers
        loose = UnitKeys(tuple(targets.units))
        child_epcs = targets.epcs
        named = []
    event = AggregationEvent(
        event_time=when,
        action=Action.DELETE,
        biz_step=BizStep.UNPACKING,
        parent_id=parent_epc,
        child_epcs=child_epcs,
    )
    with all_or_nothing(uow):
        record = record_event(
            uow, event, captured, actor=actor, party_id=actor.party_id, units_named=named
        )
        unpacked = uow.units.unpack(loose, container.id)
        uow.units.set_container_parent([child.id for child in inner], None)
    uow.audit.record(
        actor.name,
        "container.unpacked",
        parent_epc,
        {"units": unpacked, "containers": len(inner), "event_id": record.event_id},
    )
    return record


def _not_a_unit(context: Context, code: str, epc: str) -> None:
    """Refuse a new case named by the GTIN of a registered product: that product's serials
    are units, and a container of such a name would stand for a unit in every later look-up,
    out of its holder's reach. (Judged by the GTIN alone, so that the answer says nothing of
    which serials exist.)"""
    scan = parse(code)
    assert scan.gtin is not None
    if scan.gtin.value in context.products:
        raise InvalidRequest(
            f"parent: {epc} has the GTIN of the product {scan.gtin}, whose serials are units: "
            "a case is packed under a case GTIN of its own, or a pallet under its SSCC"
        )
