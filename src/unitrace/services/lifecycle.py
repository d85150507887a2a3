"""The life of a unit once its serial is issued: commissioned on a pack, packed into cases and
pallets, shipped to a party, received, sold or otherwise decommissioned, recalled.

Each entry point records one EPCIS 2.0 event, updates the projection of the units it touches
and writes an audit line, all in the caller's unit of work; a refusal
(:class:`~unitrace.registry.errors.Refused`) changes nothing. Units are always changed by set-based
statements over a selection (a seq range of a lot, the units inside some containers, a list of
codes), and every rule is checked once per group of alike units, never once per unit, so a
pallet or a lot of a million moves at the speed of the database.

Codes may be given in any form a scanner produces (Digital Link, element string, ``(01)…(21)…``,
EPC URI): GTIN + serial names a unit, or a case if a case was packed under that code; an SSCC
names a pallet. A lot or expiry in a code must match the unit's.

The events, in CBV 2.0 words (``—``: the event has none):

==================  ==========  ==========================================  ====================
change              action      bizStep                                     disposition
==================  ==========  ==========================================  ====================
commissioned        ADD         commissioning (ILMD: lot, expiry)           active
packed / unpacked   ADD/DELETE  packing / unpacking (AggregationEvent)      —
shipped             OBSERVE     shipping (destinationList: owning_party,    in_transit
                                location)
received            OBSERVE     receiving                                   in_progress
→ supplied          OBSERVE     dispensing; retail_selling when the         dispensed;
                                actor's party is a retailer                 retail_sold
→ destroyed         DELETE      destroying                                  destroyed
→ stolen            OBSERVE     —                                           stolen
→ sample            OBSERVE     sampling                                    non_sellable_other
→ free_sample       OBSERVE     sampling                                    dispensed
→ exported          OBSERVE     departing                                   non_sellable_other
→ locked            OBSERVE     holding                                     non_sellable_other
→ checked_out       OBSERVE     repackaging                                 inactive
→ active (undo)     OBSERVE     —                                           active
→ recalled          OBSERVE     —                                           recalled
→ withdrawn         OBSERVE     —                                           non_sellable_other
→ expired           OBSERVE     —                                           expired
→ voided            DELETE      decommissioning                             —
transformed         —           TransformationEvent: inputs → checked_out;  active (outputs)
                                outputs commissioning (issued → active)
==================  ==========  ==========================================  ====================

CBV has no word for a withdrawal, a free sample, an export or a parallel importer's check-out;
the table uses the nearest CBV disposition, and the unit's exact state is in the projection.

Who may do what (the HTTP and CLI faces check the role too; this is the rule itself):
``admin`` everything; ``line`` commission, pack and unpack; ``distributor`` pack, unpack, ship,
allocate, receive and change state of units in its own party's custody, and see only those.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Final

from unitrace.epcis import (
    Action,
    AggregationEvent,
    BizStep,
    Disposition,
    EpcisEvent,
    EpcNaming,
    Ilmd,
    ObjectEvent,
    SourceDest,
    SourceDestType,
    TransformationEvent,
)
from unitrace.gs1 import Gln, Gtin, InvalidCode, Sscc, parse
from unitrace.registry.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    TransitionRefused,
)
from unitrace.registry.model import Actor, Lot, LotStatus, Party, PartyRole, Role, UnitState
from unitrace.registry.states import (
    UNDO_WINDOW,
    Allowed,
    Reactivation,
    allowed,
    check_transition,
    refusal,
    sources,
    undo_refusal,
)
from unitrace.services.catalog import parse_gtin
from unitrace.store.events import CONTAINED_ROLE, EventRecord, StoredEvent, UnitEpcs
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units import (
    ContainerRecord,
    InContainers,
    LotRange,
    ProductKey,
    UnitGroup,
    UnitKeys,
    UnitRecord,
    UnitSelection,
)

# --- the rules as tables ------------------------------------------------------------------------

_ADMIN, _LINE, _DISTRIBUTOR = Role.ADMIN, Role.LINE, Role.DISTRIBUTOR

#: Which roles may call each entry point.
MAY: Final[Mapping[str, frozenset[Role]]] = {
    "commission": frozenset({_ADMIN, _LINE}),
    "aggregate": frozenset({_ADMIN, _LINE, _DISTRIBUTOR}),
    "disaggregate": frozenset({_ADMIN, _LINE, _DISTRIBUTOR}),
    "ship": frozenset({_ADMIN, _DISTRIBUTOR}),
    "allocate": frozenset({_ADMIN, _DISTRIBUTOR}),
    "receive": frozenset({_ADMIN, _DISTRIBUTOR}),
    "change_state": frozenset({_ADMIN, _DISTRIBUTOR}),
    "set_lot_status": frozenset({_ADMIN}),
    "view": frozenset({_ADMIN, _LINE, _DISTRIBUTOR}),
}


@dataclass(frozen=True, slots=True)
class StateEvent:
    """The CBV words of the event that moves a unit into a state."""

    action: Action
    biz_step: BizStep | None
    disposition: Disposition | None


_OBSERVE, _DELETE = Action.OBSERVE, Action.DELETE

#: The event of each change of state (see the table in the module's docstring).
STATE_EVENTS: Final[Mapping[UnitState, StateEvent]] = {
    UnitState.SUPPLIED: StateEvent(_OBSERVE, BizStep.DISPENSING, Disposition.DISPENSED),
    UnitState.DESTROYED: StateEvent(_DELETE, BizStep.DESTROYING, Disposition.DESTROYED),
    UnitState.STOLEN: StateEvent(_OBSERVE, None, Disposition.STOLEN),
    UnitState.SAMPLE: StateEvent(_OBSERVE, BizStep.SAMPLING, Disposition.NON_SELLABLE_OTHER),
    UnitState.FREE_SAMPLE: StateEvent(_OBSERVE, BizStep.SAMPLING, Disposition.DISPENSED),
    UnitState.EXPORTED: StateEvent(_OBSERVE, BizStep.DEPARTING, Disposition.NON_SELLABLE_OTHER),
    UnitState.LOCKED: StateEvent(_OBSERVE, BizStep.HOLDING, Disposition.NON_SELLABLE_OTHER),
    UnitState.CHECKED_OUT: StateEvent(_OBSERVE, BizStep.REPACKAGING, Disposition.INACTIVE),
    UnitState.ACTIVE: StateEvent(_OBSERVE, None, Disposition.ACTIVE),
    UnitState.RECALLED: StateEvent(_OBSERVE, None, Disposition.RECALLED),
    UnitState.WITHDRAWN: StateEvent(_OBSERVE, None, Disposition.NON_SELLABLE_OTHER),
    UnitState.EXPIRED: StateEvent(_OBSERVE, None, Disposition.EXPIRED),
    UnitState.VOIDED: StateEvent(_DELETE, BizStep.DECOMMISSIONING, None),
}
#: A retailer sells where a pharmacy dispenses.
RETAIL_SUPPLY: Final = StateEvent(_OBSERVE, BizStep.RETAIL_SELLING, Disposition.RETAIL_SOLD)

#: Where a party without a GLN is named in events (CBV wants a URI; a PGLN where there is one).
PARTY_URN_PREFIX: Final = "urn:unitrace:party:"


# --- what the entry points return -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shipment:
    """Units and containers sent to a party by one shipping event."""

    event: EventRecord
    party: str
    #: units moved, at every depth of the containers shipped
    units: int
    #: the EPCs of the containers named in the request
    containers: tuple[str, ...]


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


# --- commissioning ------------------------------------------------------------------------------


def commission(
    uow: UnitOfWork,
    *,
    gtin: Gtin,
    lot: str,
    seq_from: int,
    seq_to: int,
    actor: Actor,
    location_gln: str | None = None,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> EventRecord:
    """Units ``seq_from`` … ``seq_to`` of a lot were printed on packs: one ObjectEvent ADD
    ``commissioning``/``active`` with the lot and expiry as ILMD names them all, and they go
    from issued to active. Every unit of the range must be issued."""
    _allow(actor, "commission")
    when = _time(at)
    location = _gln(location_gln, "location_gln")
    context = _Context.of(uow)
    selection, registered = _lot_range(uow, context, gtin, lot, seq_from, seq_to)
    _commissionable(registered, when)
    record = _activate(
        uow,
        context,
        selection,
        selection.size,
        actor=actor,
        when=when,
        location=location,
        ilmd=Ilmd(lot=lot, expiry=registered.expiry),
        captured=captured,
    )
    uow.audit.record(
        actor.name,
        "units.commissioned",
        f"{registered.gtin.value}/{lot}",
        {
            "seq_from": seq_from,
            "seq_to": seq_to,
            "units": selection.size,
            "event_id": record.event_id,
        },
    )
    return record


def commission_units(
    uow: UnitOfWork,
    *,
    codes: Sequence[str],
    actor: Actor,
    lot: str | None = None,
    expiry: dt.date | None = None,
    location_gln: str | None = None,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> EventRecord:
    """Units named one by one were printed on packs (a packaging line's or a contract
    packer's commissioning event): they go from issued to active, on the rules of
    :func:`commission`. ``lot`` and ``expiry``, where the event gives them (its ILMD), must be
    each unit's own."""
    _allow(actor, "commission")
    when = _time(at)
    if not codes:
        raise InvalidRequest("codes: none given")
    location = _gln(location_gln, "location_gln")
    context = _Context.of(uow)
    targets, ilmd = _checked_commissioning(uow, context, codes, "codes", lot, expiry, when)
    record = _activate(
        uow,
        context,
        UnitKeys(tuple(targets.units)),
        len(targets.units),
        actor=actor,
        when=when,
        location=location,
        ilmd=ilmd,
        epc_list=targets.epcs,
        captured=captured,
    )
    uow.audit.record(
        actor.name,
        "units.commissioned",
        record.event_id,
        {"units": len(targets.units), "event_id": record.event_id},
    )
    return record


def _checked_commissioning(
    uow: UnitOfWork,
    context: _Context,
    codes: Sequence[str],
    field: str,
    lot: str | None,
    expiry: dt.date | None,
    when: dt.datetime,
) -> tuple[_Targets, Ilmd | None]:
    """The units ``codes`` name, to be commissioned: no container among them, ``lot`` and
    ``expiry`` (where given) each unit's own, every lot commissionable; and the ILMD their
    event carries (the lot and expiry, when they are all of one lot)."""
    targets = _resolve(uow, context, codes, field)
    if targets.containers:
        raise InvalidRequest(
            f"{field}: {targets.containers[0].epc} is a container: only units are commissioned"
        )
    lots: dict[tuple[str, str], Lot] = {}
    for unit in targets.units.values():
        name = _unit_name(unit.gtin, unit.serial)
        if lot is not None and lot != unit.lot:
            raise InvalidRequest(f"lot: {lot} is not the lot of unit {name} ({unit.lot})")
        if expiry is not None and expiry != unit.expiry:
            raise InvalidRequest(
                f"expiry: {expiry.isoformat()} is not the expiry of unit {name} "
                f"({unit.expiry.isoformat()})"
            )
        key = (unit.gtin.value, unit.lot)
        if key not in lots:
            registered = uow.lots.get(unit.gtin, unit.lot)
            assert registered is not None  # a unit's lot is registered
            lots[key] = registered
    for registered in lots.values():
        _commissionable(registered, when)
    only = next(iter(lots.values())) if len(lots) == 1 else None
    return targets, Ilmd(lot=only.lot, expiry=only.expiry) if only is not None else None


def _activate(
    uow: UnitOfWork,
    context: _Context,
    selection: UnitSelection,
    count: int,
    *,
    actor: Actor,
    when: dt.datetime,
    location: Gln | None,
    ilmd: Ilmd | None,
    epc_list: tuple[str, ...] = (),
    captured: StoredEvent | None,
) -> EventRecord:
    """Record the commissioning event (ObjectEvent ADD ``commissioning``/``active``) and
    move the ``count`` units of ``selection`` from issued to active; refused, naming the first
    unit that was not issued, unless all of them were. An event that lists its units
    (``epc_list``) is not given them again in the index."""
    place = context.naming.sgln(location) if location is not None else None
    event = ObjectEvent(
        event_time=when,
        action=Action.ADD,
        epc_list=epc_list,
        biz_step=BizStep.COMMISSIONING,
        disposition=Disposition.ACTIVE,
        read_point=place,
        biz_location=place,
        ilmd=ilmd,
    )
    issued = frozenset({UnitState.ISSUED})
    try:
        with _all_or_nothing(uow):
            record, moved = _record_state_change(
                uow,
                context,
                event,
                [selection],
                actor=actor,
                to=UnitState.ACTIVE,
                from_states=issued,
                when=when,
                location_gln=location.value if location else None,
                named_states=issued,
                captured=captured,
                units_named=not epc_list,
            )
            if moved != count:
                raise _Undone
    except _Undone:
        raise _not_all_issued(uow, selection) from None
    return record


def _commissionable(registered: Lot, when: dt.datetime) -> None:
    if registered.status is not LotStatus.RELEASED:
        raise Conflict(
            f"lot {registered.lot} of {registered.gtin} is {registered.status}: its units are "
            "never commissioned"
        )
    if registered.expiry < when.date():
        raise Conflict(
            f"lot {registered.lot} of {registered.gtin} expired on "
            f"{registered.expiry.isoformat()}: its units are never commissioned"
        )


def _record_state_change(
    uow: UnitOfWork,
    context: _Context,
    event: ObjectEvent,
    selections: Sequence[UnitSelection],
    *,
    actor: Actor,
    to: UnitState,
    from_states: Iterable[UnitState],
    when: dt.datetime,
    location_gln: str | None,
    named_states: frozenset[UnitState] | None = None,
    captured: StoredEvent | None = None,
    units_named: bool = True,
) -> tuple[EventRecord, int]:
    """Record ``event`` naming the units of ``selections`` (only those in ``named_states``,
    where given; not at all with ``units_named`` False, for an event that lists them itself),
    and move those in ``from_states`` to ``to``: the record, and how many moved. The caller
    checks the count against what it verified."""
    record = _record(
        uow,
        event,
        captured,
        actor=actor,
        party_id=actor.party_id,
        units_named=[
            UnitEpcs(selection, context.naming, states=named_states) for selection in selections
        ]
        if units_named
        else [],
    )
    moved = sum(
        uow.units.set_state(
            selection,
            to=to,
            from_states=from_states,
            at=when,
            party_id=actor.party_id,
            location_gln=location_gln,
        )
        for selection in selections
    )
    return record, moved


def _record(
    uow: UnitOfWork,
    event: EpcisEvent,
    captured: StoredEvent | None,
    *,
    actor: Actor,
    party_id: str | None,
    units_named: Sequence[UnitEpcs] = (),
) -> EventRecord:
    """Record the event of a change: ``event`` as the service wrote it or, for a trading
    partner's event captured through EPCIS, that event as the partner sent it. The units a
    captured event moves without naming them (inside a case or pallet it names) are indexed
    with it as ``contained``, not added to its lists."""
    if captured is None:
        return uow.events.add(
            event, party_id=party_id, recorded_by=actor.name, units_named=units_named
        )
    return uow.events.add_stored(
        replace(captured, party_id=party_id, recorded_by=actor.name),
        units_named=[replace(named, role=CONTAINED_ROLE) for named in units_named],
    )


def _not_all_issued(uow: UnitOfWork, selection: UnitSelection) -> TransitionRefused:
    groups = sorted(uow.units.groups(selection), key=lambda group: group.state.value)
    for group in groups:
        if group.state is not UnitState.ISSUED:
            rule = refusal(group.state, UnitState.ACTIVE) or (
                "a decommissioned unit is made active again by a change of state, within the "
                "undo rule, not by commissioning"
            )
            names = _some_units(*uow.units.examples(selection, group, limit=1))
            return TransitionRefused(names, group.state.value, rule)
    raise AssertionError("the units changed while they were commissioned")  # pragma: no cover


# --- packing ------------------------------------------------------------------------------------


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
    _allow(actor, "aggregate")
    when = _time(at)
    if not children:
        raise InvalidRequest("children: none given")
    context = _Context.of(uow)
    parent_epc, kind = _container_code(context, parent, "parent")
    targets = _resolve(uow, context, children, "children", actor=actor)
    existing = uow.units.containers_by_epc([parent_epc]).get(parent_epc)
    if existing is None and kind == "sgtin":
        _not_a_unit(context, parent, parent_epc)
    if parent_epc in targets.epcs:
        raise Conflict(f"container {parent_epc} cannot contain itself")
    if existing is not None:
        # before the other checks, which would name who holds it
        _check_custody(actor, existing.custodian_id, f"container {parent_epc}")
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
                f"unit {_unit_name(unit.gtin, unit.serial)} is packed in {unit.container_epc} "
                "already: unpack it first"
            )
    not_active = [unit for unit in targets.units.values() if unit.state is not UnitState.ACTIVE]
    if not_active:
        first = not_active[0]
        raise Conflict(
            f"unit {_some_units([(first.gtin, first.serial)], len(not_active))} is "
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
    _check_custody(actor, holder, f"container {parent_epc}")
    event = AggregationEvent(
        event_time=when,
        action=Action.ADD,
        biz_step=BizStep.PACKING,
        parent_id=parent_epc,
        child_epcs=targets.epcs,
    )
    with _changed_meanwhile(), _all_or_nothing(uow):
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
        record = _record(uow, event, captured, actor=actor, party_id=actor.party_id)
        if uow.units.pack(UnitKeys(tuple(targets.units)), existing.id) != len(targets.units):
            raise _Undone
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
    _allow(actor, "disaggregate")
    when = _time(at)
    context = _Context.of(uow)
    parent_epc, _ = _container_code(context, parent, "parent")
    container = uow.units.containers_by_epc([parent_epc]).get(parent_epc)
    if container is None:
        if actor.role is Role.DISTRIBUTOR:  # told no more than that it does not hold it
            raise Forbidden(f"container {parent_epc}: not in the custody of {actor.party_id}")
        raise NotFound(f"parent: container {parent_epc} is not registered")
    _check_custody(actor, container.custodian_id, f"container {parent_epc}")
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
        targets = _resolve(uow, context, children, "children", actor=actor)
        for child in targets.containers:
            if child.parent_id != container.id:
                raise Conflict(f"container {child.epc} is not packed in {parent_epc}")
        for unit in targets.units.values():
            if unit.container_id != container.id:
                raise Conflict(
                    f"unit {_unit_name(unit.gtin, unit.serial)} is not packed in {parent_epc}"
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
    with _all_or_nothing(uow):
        record = _record(
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


# --- shipping and receiving -------------------------------------------------------------------


def ship(
    uow: UnitOfWork,
    *,
    codes: Sequence[str],
    party: str,
    actor: Actor,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> Shipment:
    """Send units and containers to ``party``: one ObjectEvent OBSERVE ``shipping`` /
    ``in_transit`` with the party as destination; every unit inside a shipped container, at any
    depth, goes with it. The units must be active, unpacked unless their container is shipped,
    and not in any other party's custody."""
    _allow(actor, "ship")
    when = _time(at)
    if not codes:
        raise InvalidRequest("codes: none given")
    context = _Context.of(uow)
    targets = _resolve(uow, context, codes, "codes", actor=actor)
    loose = UnitKeys(tuple(targets.units)) if targets.units else None
    return _dispatch(
        uow, context, loose, targets.containers, party, actor, when, "units.shipped", captured
    )


def allocate(
    uow: UnitOfWork,
    *,
    party: str,
    actor: Actor,
    gtin: str | None = None,
    lot: str | None = None,
    seq_from: int | None = None,
    seq_to: int | None = None,
    codes: Sequence[str] | None = None,
    at: dt.datetime | None = None,
) -> Shipment:
    """ "Distributor A receives 1-10,000": ship a seq range of a lot, or a list of codes, to
    ``party``, on the rules of :func:`ship`."""
    _allow(actor, "allocate")
    when = _time(at)
    context = _Context.of(uow)
    by_range = {"gtin": gtin, "lot": lot, "seq_from": seq_from, "seq_to": seq_to}
    if codes is not None:
        if any(value is not None for value in by_range.values()):
            raise InvalidRequest("codes: give either codes or gtin, lot, seq_from and seq_to")
        if not codes:
            raise InvalidRequest("codes: none given")
        targets = _resolve(uow, context, codes, "codes", actor=actor)
        loose = UnitKeys(tuple(targets.units)) if targets.units else None
        return _dispatch(
            uow, context, loose, targets.containers, party, actor, when, "units.allocated"
        )
    missing = [name for name, value in by_range.items() if value is None]
    if missing:
        raise InvalidRequest(
            f"{missing[0]}: needed, with gtin, lot, seq_from and seq_to (or give codes)"
        )
    selection, _ = _lot_range(
        uow, context, str(gtin), str(lot), int(seq_from or 0), int(seq_to or 0)
    )
    return _dispatch(uow, context, selection, [], party, actor, when, "units.allocated")


def _dispatch(
    uow: UnitOfWork,
    context: _Context,
    loose: UnitSelection | None,
    shipped: Sequence[ContainerRecord],
    party_id: str,
    actor: Actor,
    when: dt.datetime,
    audit_action: str,
    captured: StoredEvent | None = None,
) -> Shipment:
    party = uow.parties.get(party_id)
    if party is None:
        raise NotFound(f"party: {party_id} is not registered")
    _top_level(uow, shipped, "ship")
    for container in shipped:
        _check_custody(actor, container.custodian_id, f"container {container.epc}")
        _not_held_elsewhere(actor, party, container.custodian_id, f"container {container.epc}")
    tree = uow.units.subtree(container.id for container in shipped)
    selections = _selections(loose, tree)
    units = _units_on_the_move(uow, selections, loose, actor, ("ship", "shipped"), party)
    source = uow.parties.get(actor.party_id) if actor.party_id else None
    destinations = [SourceDest(SourceDestType.OWNING_PARTY, _party_uri(context, party))]
    if party.gln is not None:
        destinations.append(
            SourceDest(SourceDestType.LOCATION, context.naming.sgln(Gln(party.gln)))
        )
    sources_ = (
        (SourceDest(SourceDestType.OWNING_PARTY, _party_uri(context, source)),) if source else ()
    )
    all_containers = uow.units.containers_by_id(tree)
    event = ObjectEvent(
        event_time=when,
        action=Action.OBSERVE,
        epc_list=tuple(container.epc for container in all_containers),
        biz_step=BizStep.SHIPPING,
        disposition=Disposition.IN_TRANSIT,
        # none rather than an empty list, which the XML binding cannot write
        source_list=sources_ or None,
        destination_list=tuple(destinations),
    )
    with _changed_meanwhile(), _all_or_nothing(uow):
        record = _record(
            uow,
            event,
            captured,
            actor=actor,
            party_id=party.id,
            units_named=[UnitEpcs(selection, context.naming) for selection in selections],
        )
        moved = sum(
            uow.units.set_custodian(selection, party.id, from_party=actor.party_id)
            for selection in selections
        )
        if moved != units:
            raise _Undone
        uow.units.set_container_custodian(tree, party.id)
    top = tuple(container.epc for container in shipped)
    uow.audit.record(
        actor.name,
        audit_action,
        record.event_id,
        {"party": party.id, "units": units, "containers": list(top)},
    )
    return Shipment(record, party.id, units, top)


def _units_on_the_move(
    uow: UnitOfWork,
    selections: Sequence[UnitSelection],
    loose: UnitSelection | None,
    actor: Actor,
    verb: tuple[str, str],
    receiver: Party | None = None,
) -> int:
    """How many units ``selections`` hold, once every group of them is known to move: active,
    in the actor's custody, not named one by one while packed (the container moves them), and
    for a shipment to ``receiver`` not held by another party."""
    present, past = verb
    units = 0
    for selection in selections:
        for group in uow.units.groups(selection):
            names = _GroupNames(uow, selection, group)
            if group.packed and selection is loose:
                raise Conflict(
                    f"{names} is packed in a container: {present} the container, or unpack "
                    "the unit first"
                )
            _check_custody(actor, group.custodian_id, names)
            if receiver is not None:
                _not_held_elsewhere(actor, receiver, group.custodian_id, names)
            if group.state is not UnitState.ACTIVE:
                raise Conflict(f"{names} is {group.state}: only active units are {past}")
            units += group.count
    return units


def receive(
    uow: UnitOfWork,
    *,
    codes: Sequence[str],
    actor: Actor,
    location_gln: str | None = None,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> EventRecord:
    """Units and containers arrived at ``location_gln`` (the actor's party's GLN where none is
    given): one ObjectEvent OBSERVE ``receiving`` / ``in_progress``; the units inside the
    containers, at any depth, arrive with them."""
    _allow(actor, "receive")
    when = _time(at)
    if not codes:
        raise InvalidRequest("codes: none given")
    location = _place(uow, actor, location_gln)
    if location is None:
        raise InvalidRequest("location_gln: needed, as the receiver has no party GLN to default to")
    context = _Context.of(uow)
    targets = _resolve(uow, context, codes, "codes", actor=actor)
    _top_level(uow, targets.containers, "receive")
    for container in targets.containers:
        _check_custody(actor, container.custodian_id, f"container {container.epc}")
    tree = uow.units.subtree(container.id for container in targets.containers)
    loose = UnitKeys(tuple(targets.units)) if targets.units else None
    selections = _selections(loose, tree)
    units = _units_on_the_move(uow, selections, loose, actor, ("receive", "received"))
    place = context.naming.sgln(location)
    event = ObjectEvent(
        event_time=when,
        action=Action.OBSERVE,
        epc_list=tuple(container.epc for container in uow.units.containers_by_id(tree)),
        biz_step=BizStep.RECEIVING,
        disposition=Disposition.IN_PROGRESS,
        read_point=place,
        biz_location=place,
    )
    with _all_or_nothing(uow):
        record = _record(
            uow,
            event,
            captured,
            actor=actor,
            party_id=actor.party_id,
            units_named=[UnitEpcs(selection, context.naming) for selection in selections],
        )
        for selection in selections:
            uow.units.set_location(selection, location.value)
        uow.units.set_container_location(tree, location.value)
    uow.audit.record(
        actor.name,
        "units.received",
        record.event_id,
        {"location": location.value, "units": units, "event_id": record.event_id},
    )
    return record


# --- states -----------------------------------------------------------------------------------


def change_state(
    uow: UnitOfWork,
    *,
    codes: Sequence[str],
    to: UnitState,
    actor: Actor,
    location_gln: str | None = None,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> EventRecord:
    """Decommission units (supplied, destroyed, stolen, sample, …), block them, void issued
    serials, or make decommissioned units active again within the undo rule, as the state
    table (:mod:`unitrace.registry.states`) allows; a container code stands for every unit in
    it. ``location_gln`` defaults to the actor's party's GLN: the undo rule compares it with
    where the unit was decommissioned."""
    _allow(actor, "change_state")
    when = _time(at)
    try:
        target = UnitState(to)
    except ValueError:
        names = ", ".join(state.value for state in UnitState)
        raise InvalidRequest(f"to: {to!r} is not a unit state ({names})") from None
    if not codes:
        raise InvalidRequest("codes: none given")
    location = _place(uow, actor, location_gln)
    context = _Context.of(uow)
    change = _checked_change(uow, context, codes, "codes", target, actor, location, when)
    selections, units, from_states = change.selections, change.units, change.from_states
    words = STATE_EVENTS[target]
    if target is UnitState.SUPPLIED and actor.party_id is not None:
        acting = uow.parties.get(actor.party_id)
        if acting is not None and acting.role is PartyRole.RETAILER:
            words = RETAIL_SUPPLY
    place = context.naming.sgln(location) if location is not None else None
    event = ObjectEvent(
        event_time=when,
        action=words.action,
        biz_step=words.biz_step,
        disposition=words.disposition,
        read_point=place,
        biz_location=place,
    )
    with _changed_meanwhile(), _all_or_nothing(uow):
        record, moved = _record_state_change(
            uow,
            context,
            event,
            selections,
            actor=actor,
            to=target,
            from_states=from_states,
            when=when,
            location_gln=location.value if location else None,
            captured=captured,
        )
        if moved != units:
            raise _Undone
    uow.audit.record(
        actor.name,
        "units.state_changed",
        record.event_id,
        {"to": target.value, "units": units, "from": sorted(s.value for s in from_states)},
    )
    return record


# --- what a distributor may write ---------------------------------------------------------------


def check_held(uow: UnitOfWork, *, codes: Sequence[str], actor: Actor, field: str) -> None:
    """Refuse (:class:`Forbidden`) a distributor an event about units or containers of
    unitrace that are not in its party's custody: an observation or an inspection of its own
    stock is its to record, the history of another's is not. Other roles pass."""
    if actor.role is not Role.DISTRIBUTOR or not codes:
        return
    targets = _resolve(uow, _Context.of(uow), codes, field, actor=actor)
    for unit in targets.units.values():
        _check_custody(actor, unit.custodian_id, f"unit {_unit_name(unit.gtin, unit.serial)}")
    for container in targets.containers:
        _check_custody(actor, container.custodian_id, f"container {container.epc}")


# --- transforming --------------------------------------------------------------------------------


def transform(
    uow: UnitOfWork,
    *,
    inputs: Sequence[str] = (),
    outputs: Sequence[str] = (),
    actor: Actor,
    commissioning: bool = False,
    lot: str | None = None,
    expiry: dt.date | None = None,
    location_gln: str | None = None,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> EventRecord:
    """Units went into a transformation and others came out of it (a TransformationEvent:
    repackaging, kitting, blending). The units among ``inputs`` (a container standing for
    every unit in it) are consumed: checked out, the EU FMD's state for a pack a parallel
    distributor repackages, on the state table's rules. Where the transformation
    ``commissioning`` its outputs, the units among ``outputs`` go from issued to active, on
    the rules of :func:`commission_units`. One event records both; its inputs and outputs
    are the genealogy, which traceability reads from the event index."""
    when = _time(at)
    if not inputs and not (outputs and commissioning):
        raise InvalidRequest(
            "inputs: none given, and no outputs commissioned: the transformation changes no unit"
        )
    context = _Context.of(uow)
    location = _gln(location_gln, "location_gln")
    consumed: _Change | None = None
    if inputs:
        _allow(actor, "change_state")
        location = _place(uow, actor, location_gln)
        consumed = _checked_change(
            uow, context, inputs, "inputs", UnitState.CHECKED_OUT, actor, location, when
        )
    made: _Targets | None = None
    ilmd: Ilmd | None = None
    if outputs and commissioning:
        _allow(actor, "commission")
        made, ilmd = _checked_commissioning(uow, context, outputs, "outputs", lot, expiry, when)
        both = set(made.epcs) & set(consumed.epcs if consumed else ())
        if both:
            raise InvalidRequest(f"outputs: {min(both)} is an input too: nothing is both")
    place = context.naming.sgln(location) if location is not None else None
    event = TransformationEvent(
        event_time=when,
        input_epc_list=consumed.epcs if consumed else None,
        output_epc_list=made.epcs if made else None,
        biz_step=BizStep.COMMISSIONING if made else None,
        disposition=Disposition.ACTIVE if made else None,
        read_point=place,
        biz_location=place,
        ilmd=ilmd,
        # EPCIS ties a transformation's inputs to outputs recorded apart by this identifier
        transformation_id=None if consumed and made else uuid.uuid4().urn,
    )
    contained = (
        [UnitEpcs(InContainers(consumed.tree), context.naming, role=CONTAINED_ROLE)]
        if consumed is not None and consumed.tree
        else []
    )
    gln = location.value if location else None
    try:
        with _changed_meanwhile(), _all_or_nothing(uow):
            record = _record(
                uow, event, captured, actor=actor, party_id=actor.party_id, units_named=contained
            )
            if consumed is not None:
                moved = sum(
                    uow.units.set_state(
                        selection,
                        to=UnitState.CHECKED_OUT,
                        from_states=consumed.from_states,
                        at=when,
                        party_id=actor.party_id,
                        location_gln=gln,
                    )
                    for selection in consumed.selections
                )
                if moved != consumed.units:
                    raise _Undone
            if made is not None:
                commissioned = UnitKeys(tuple(made.units))
                activated = uow.units.set_state(
                    commissioned,
                    to=UnitState.ACTIVE,
                    from_states=frozenset({UnitState.ISSUED}),
                    at=when,
                    party_id=actor.party_id,
                    location_gln=gln,
                )
                if activated != len(made.units):
                    raise _NotAllIssued(commissioned)
    except _NotAllIssued as refused:
        raise _not_all_issued(uow, refused.selection) from None
    uow.audit.record(
        actor.name,
        "units.transformed",
        record.event_id,
        {
            "consumed": consumed.units if consumed else 0,
            "commissioned": len(made.units) if made else 0,
        },
    )
    return record


@dataclass(frozen=True, slots=True)
class _Change:
    """Units a change of state was checked for: their selections (the units named, the units
    inside the containers named), how many, and the states they leave."""

    selections: list[UnitSelection]
    units: int
    from_states: frozenset[UnitState]
    #: the EPC of each code, in the order given
    epcs: tuple[str, ...]
    #: the containers named and those inside them
    tree: tuple[int, ...]


def _checked_change(
    uow: UnitOfWork,
    context: _Context,
    codes: Sequence[str],
    field: str,
    target: UnitState,
    actor: Actor,
    location: Gln | None,
    when: dt.datetime,
) -> _Change:
    """The units ``codes`` name (a container standing for every unit in it), once the state
    table lets each group of them go to ``target`` and ``actor`` holds them."""
    targets = _resolve(uow, context, codes, field, actor=actor)
    tree = uow.units.subtree(container.id for container in targets.containers)
    inside = set(tree)
    for unit in targets.units.values():
        if unit.container_id in inside:
            raise InvalidRequest(
                f"{field}: unit {_unit_name(unit.gtin, unit.serial)} is inside "
                f"{unit.container_epc}, which is named too"
            )
    loose = UnitKeys(tuple(targets.units)) if targets.units else None
    selections = _selections(loose, tree)
    units = 0
    from_states: set[UnitState] = set()
    for selection in selections:
        for group in uow.units.groups(selection):
            _check_custody(actor, group.custodian_id, _GroupNames(uow, selection, group))
            _check_change(uow, selection, group, target, actor, location, when)
            from_states.add(group.state)
            units += group.count
    if units == 0:
        raise InvalidRequest(f"{field}: the containers named hold no units")
    return _Change(selections, units, frozenset(from_states), targets.epcs, tuple(tree))


def _check_change(
    uow: UnitOfWork,
    selection: UnitSelection,
    group: UnitGroup,
    to: UnitState,
    actor: Actor,
    location: Gln | None,
    when: dt.datetime,
) -> None:
    if group.state is UnitState.ISSUED and to is UnitState.ACTIVE:
        raise TransitionRefused(
            _group_names(uow, selection, group),
            group.state.value,
            "an issued serial is made active by commissioning, which records its lot and expiry",
        )
    condition = allowed(group.state, to)
    reactivation = None
    if condition in (Allowed.UNDO, Allowed.UNDO_ANY_TIME):
        reactivation = Reactivation(
            at=when,
            party_id=actor.party_id,
            location_gln=location.value if location else None,
            decommissioned_at=group.oldest_state_since,
            decommissioned_by=group.state_party_id,
            decommissioned_location=group.state_location_gln,
            lot_expiry=group.lot_expiry,
        )
    try:
        check_transition("", group.state, to, reactivation)
    except TransitionRefused as refused:
        past: dt.datetime | None = None
        if (
            reactivation is not None
            and undo_refusal(group.state, replace(reactivation, decommissioned_at=when)) is None
        ):
            # only the 10 days are past, and only for some of the group: name those, the
            # oldest (the one the message gives the hours of) first
            past = when - UNDO_WINDOW
        examples, count = uow.units.examples(selection, group, limit=1, state_since_before=past)
        raise TransitionRefused(_some_units(examples, count), refused.state, refused.rule) from None


def set_lot_status(
    uow: UnitOfWork,
    *,
    gtin: str,
    lot: str,
    status: str,
    reason: str,
    actor: Actor,
    at: dt.datetime | None = None,
) -> EventRecord:
    """Recall or withdraw a lot, for good: the lot's status is set, and every unit of it that
    is commissioned and not terminal becomes recalled (withdrawn), recorded by one ObjectEvent
    OBSERVE with disposition ``recalled`` (``non_sellable_other``). Serials issued but never
    commissioned stay issued; commissioning then refuses them."""
    _allow(actor, "set_lot_status")
    when = _time(at)
    if status not in (LotStatus.RECALLED, LotStatus.WITHDRAWN):
        raise InvalidRequest(f"status: {status!r} is not recalled or withdrawn")
    if not reason.strip():
        raise InvalidRequest("reason: must not be empty")
    new_status = LotStatus(status)
    context = _Context.of(uow)
    product = context.product(gtin, "gtin")
    registered = uow.lots.get(product.gtin, lot)
    lot_id = uow.lots.id_of(product.gtin, lot, for_update=True)
    if registered is None or lot_id is None:
        raise NotFound(f"lot: {lot} of {product.gtin} is not registered")
    if registered.status is not LotStatus.RELEASED:
        raise Conflict(
            f"lot {lot} of {product.gtin} is {registered.status} already: a recall or "
            "withdrawal is irreversible"
        )
    target = UnitState(status)
    reached = sources(target) - {UnitState.ISSUED}
    selection = LotRange(product.id, lot_id, 1, registered.issued)
    words = STATE_EVENTS[target]
    event = ObjectEvent(
        event_time=when,
        action=words.action,
        biz_step=words.biz_step,
        disposition=words.disposition,
    )
    with _all_or_nothing(uow):
        record, units = _record_state_change(
            uow,
            context,
            event,
            [selection],
            actor=actor,
            to=target,
            from_states=reached,
            when=when,
            location_gln=None,
            named_states=reached,
        )
        uow.lots.set_status(lot_id, new_status, reason.strip())
    uow.audit.record(
        actor.name,
        "lot.status_set",
        f"{product.gtin.value}/{lot}",
        {"status": status, "reason": reason.strip(), "units": units, "event_id": record.event_id},
    )
    return record


# --- reading ------------------------------------------------------------------------------------


def unit_view(uow: UnitOfWork, *, gtin: str, serial: str, actor: Actor) -> UnitView:
    """A unit's state, lot, container, custodian and history. A distributor sees only units in
    its custody; any other unit is "not registered" to it, as an unknown one is."""
    _allow(actor, "view")
    context = _Context.of(uow)
    key = parse_gtin(gtin, "gtin")
    unknown = NotFound(f"unit {_unit_name(key, serial)} is not registered")
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
    _allow(actor, "view")
    context = _Context.of(uow)
    epc, _ = _container_code(context, code, "code")
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


# --- the parts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """The products and the EPC naming they give, read once per request."""

    products: Mapping[str, ProductKey]
    naming: EpcNaming

    @classmethod
    def of(cls, uow: UnitOfWork) -> _Context:
        products = uow.units.product_keys()
        naming = EpcNaming.of(
            (product.gtin, product.company_prefix_length) for product in products.values()
        )
        return cls(products, naming)

    def product(self, gtin: str | Gtin, field: str) -> ProductKey:
        key = gtin if isinstance(gtin, Gtin) else parse_gtin(gtin, field)
        product = self.products.get(key.value)
        if product is None:
            raise NotFound(f"{field}: {key} is not a registered product")
        return product


@dataclass(frozen=True, slots=True)
class _Targets:
    """What a list of codes names: units by key, and containers."""

    units: Mapping[tuple[int, str], UnitRecord]
    containers: tuple[ContainerRecord, ...]
    #: the EPC of each, in the order the codes gave them
    epcs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Named:
    """What one code of a list names: its place in the list, and the unit's GTIN and serial
    (None for an SSCC) with the lot and expiry the code carries, if any."""

    index: int
    gtin: Gtin | None
    serial: str | None
    lot: str | None = None
    expiry: dt.date | None = None


def _resolve(
    uow: UnitOfWork,
    context: _Context,
    codes: Sequence[str],
    field: str,
    *,
    actor: Actor | None = None,
) -> _Targets:
    """The units and containers ``codes`` name; each code must name a registered one, once,
    and a lot or expiry it carries must be the unit's.

    A distributor (``actor``) handles only what its party holds, and is told no more about
    the rest: a unit or container it does not hold and one that does not exist are refused
    alike, before any lot or expiry is compared, so that its answers never say which serials
    exist, nor another's lot."""
    holder = actor.party_id if actor is not None and actor.role is Role.DISTRIBUTOR else None

    def refused(what: str, otherwise: NotFound) -> Forbidden | NotFound:
        return otherwise if holder is None else Forbidden(f"{what}: not in the custody of {holder}")

    named: dict[str, _Named] = {}
    for index, code in enumerate(codes):
        own = context.naming.own_sgtin(code)
        if own is not None:
            epc, found_name = code, _Named(index, *own)
        else:
            epc, found_name = _read_code(context, code, index, field)
        if epc in named:
            raise InvalidRequest(
                f"{field}[{index}]: names the same thing as {field}[{named[epc].index}]"
            )
        named[epc] = found_name
    known = uow.units.containers_by_epc(named)
    wanted: dict[tuple[int, str], _Named] = {}
    for epc, given in named.items():
        if epc in known:
            if holder is not None and known[epc].custodian_id != holder:
                raise Forbidden(f"container {epc}: not in the custody of {holder}")
            continue
        if given.gtin is None or given.serial is None:
            raise refused(
                f"container {epc}",
                NotFound(f"{field}[{given.index}]: container {epc} is not registered"),
            )
        product = context.products.get(given.gtin.value)
        if product is None:
            name = _unit_name(given.gtin, given.serial)
            raise refused(
                f"unit {name}", NotFound(f"{field}[{given.index}]: unit {name} is not registered")
            )
        wanted[(product.id, given.serial)] = given
    found = uow.units.find(list(wanted))
    for key, given in wanted.items():
        unit = found.get(key)
        assert given.gtin is not None
        name = _unit_name(given.gtin, key[1])
        if unit is None:
            raise refused(
                f"unit {name}", NotFound(f"{field}[{given.index}]: unit {name} is not registered")
            )
        if holder is not None and unit.custodian_id != holder:
            raise Forbidden(f"unit {name}: not in the custody of {holder}")
        if given.lot is not None and given.lot != unit.lot:
            raise InvalidRequest(
                f"{field}[{given.index}]: lot {given.lot} is not the lot of unit {name} ({unit.lot})"
            )
        if given.expiry is not None and given.expiry != unit.expiry:
            raise InvalidRequest(
                f"{field}[{given.index}]: expiry {given.expiry.isoformat()} is not the expiry of "
                f"unit {name} ({unit.expiry.isoformat()})"
            )
    containers = tuple(known[epc] for epc in named if epc in known)
    return _Targets(found, containers, tuple(named))


def _read_code(context: _Context, code: str, index: int, field: str) -> tuple[str, _Named]:
    """The EPC of a code in any form (Digital Link, element string, EPC URI …) and what it
    names."""
    where = f"{field}[{index}]"
    try:
        scan = parse(code)
    except InvalidCode as error:
        raise InvalidRequest(f"{where}: {error}") from None
    expiry = scan.expiry.date if scan.expiry is not None else None
    if scan.sscc is not None:
        return context.naming.sscc(scan.sscc), _Named(index, None, None)
    if scan.gtin is not None and scan.serial is not None:
        epc = context.naming.sgtin(scan.gtin, scan.serial)
        return epc, _Named(index, scan.gtin, scan.serial, scan.lot, expiry)
    raise InvalidRequest(
        f"{where}: {code!r} names no unit or container: give a GTIN with a serial, or an SSCC"
    )


def _container_code(context: _Context, code: str, field: str) -> tuple[str, str]:
    """The EPC and kind (``sscc`` or ``sgtin``) of a case or pallet code."""
    try:
        scan = parse(code)
    except InvalidCode as error:
        raise InvalidRequest(f"{field}: {error}") from None
    sscc: Sscc | None = scan.sscc
    if sscc is not None:
        return context.naming.sscc(sscc), "sscc"
    if scan.gtin is not None and scan.serial is not None:
        return context.naming.sgtin(scan.gtin, scan.serial), "sgtin"
    raise InvalidRequest(
        f"{field}: {code!r} names no case or pallet: give an SSCC, or a GTIN with a serial"
    )


def _not_a_unit(context: _Context, code: str, epc: str) -> None:
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


def _lot_range(
    uow: UnitOfWork,
    context: _Context,
    gtin: str | Gtin,
    lot: str,
    seq_from: int,
    seq_to: int,
) -> tuple[LotRange, Lot]:
    product = context.product(gtin, "gtin")
    registered = uow.lots.get(product.gtin, lot)
    lot_id = uow.lots.id_of(product.gtin, lot)
    if registered is None or lot_id is None:
        raise NotFound(f"lot: {lot} of {product.gtin} is not registered")
    if seq_from < 1:
        raise InvalidRequest(f"seq_from: {seq_from} is below 1, the first unit of a lot")
    if seq_to < seq_from:
        raise InvalidRequest(f"seq_to: {seq_to} is below seq_from {seq_from}")
    if seq_to > registered.issued:
        raise NotFound(
            f"seq_to: lot {lot} of {product.gtin} has {registered.issued:,} units issued; "
            f"seq {max(seq_from, registered.issued + 1):,}-{seq_to:,} were never issued"
        )
    return LotRange(product.id, lot_id, seq_from, seq_to), registered


def _selections(loose: UnitSelection | None, tree: Sequence[int]) -> list[UnitSelection]:
    selections: list[UnitSelection] = [] if loose is None else [loose]
    if tree:
        selections.append(InContainers(tuple(tree)))
    return selections


def _top_level(uow: UnitOfWork, chosen: Sequence[ContainerRecord], verb: str) -> None:
    for container in chosen:
        if container.parent_id is not None:
            holder = uow.units.container(container.parent_id)
            outer = holder.epc if holder else "another container"
            raise Conflict(
                f"container {container.epc} is packed in {outer}: {verb} {outer}, or unpack "
                f"{container.epc} first"
            )


def _allow(actor: Actor, entry: str) -> None:
    if actor.role not in MAY[entry]:
        roles = ", ".join(sorted(role.value for role in MAY[entry]))
        raise Forbidden(f"a {actor.role.value} may not {entry.replace('_', ' ')}; needs {roles}")
    if actor.role is Role.DISTRIBUTOR and actor.party_id is None:
        raise Forbidden(f"distributor {actor.name} is bound to no party")


def _check_custody(actor: Actor, custodian: str | None, what: object) -> None:
    """A distributor handles only what is in its own party's custody."""
    if actor.role is Role.DISTRIBUTOR and custodian != actor.party_id:
        raise Forbidden(f"{what}: not in the custody of {actor.party_id}")


def _not_held_elsewhere(actor: Actor, party: Party, custodian: str | None, what: object) -> None:
    if custodian == party.id:
        raise Conflict(f"{what}: in the custody of {party.id} already")
    if custodian is not None and custodian != actor.party_id:
        raise Conflict(
            f"{what}: in the custody of {custodian} already; a shipment may not overlap units "
            "shipped elsewhere"
        )


def _place(uow: UnitOfWork, actor: Actor, location_gln: str | None) -> Gln | None:
    """The GLN given, else the actor's party's."""
    if location_gln is not None:
        return _gln(location_gln, "location_gln")
    if actor.party_id is None:
        return None
    party = uow.parties.get(actor.party_id)
    return Gln(party.gln) if party is not None and party.gln else None


def _party_uri(context: _Context, party: Party) -> str:
    if party.gln is not None:
        return context.naming.pgln(Gln(party.gln))
    return PARTY_URN_PREFIX + party.id


def _time(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidRequest("at: needs a UTC offset, as EPCIS records where in the world")
    return at


def _gln(value: str | None, field: str) -> Gln | None:
    if value is None:
        return None
    try:
        return Gln(value)
    except InvalidCode as error:
        raise InvalidRequest(f"{field}: {error}") from None


def _unit_name(gtin: Gtin, serial: str) -> str:
    return f"(01){gtin.value}(21){serial}"


def _some_units(examples: Sequence[tuple[Gtin, str]], count: int) -> str:
    """The first unit of ``examples``, and how many more there are of ``count``."""
    first = _unit_name(*examples[0]) if examples else "?"
    return first if count <= 1 else f"{first} (and {count - 1:,} more)"


def _group_names(uow: UnitOfWork, selection: UnitSelection, group: UnitGroup) -> str:
    return _some_units(*uow.units.examples(selection, group, limit=1))


@dataclass(frozen=True, slots=True)
class _GroupNames:
    """A group's units as a message names them, looked up only when a message is written."""

    uow: UnitOfWork
    selection: UnitSelection
    group: UnitGroup

    def __str__(self) -> str:
        return "unit " + _group_names(self.uow, self.selection, self.group)


class _Undone(Exception):
    """The writes did not add up: they are undone, and the caller says why."""


class _NotAllIssued(Exception):
    """Units to commission were not all issued: the writes are undone, and the caller names
    one that was not."""

    def __init__(self, selection: UnitSelection) -> None:
        super().__init__()
        self.selection = selection


@contextmanager
def _changed_meanwhile() -> Iterator[None]:
    """Writes that did not add up because another request changed the same units between
    this one's checks and its writes (PostgreSQL lets them overlap; SQLite queues writers)."""
    try:
        yield
    except _Undone:
        raise Conflict("the units changed while this request was checked; try again") from None


@contextmanager
def _all_or_nothing(uow: UnitOfWork) -> Iterator[None]:
    """A savepoint around a request's writes: a refusal raised inside undoes them even if the
    caller goes on to commit the unit of work."""
    with uow.connection.begin_nested():
        yield
