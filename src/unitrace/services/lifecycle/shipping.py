"""Shipping and allocation: units and containers sent to a registered party, which takes them
into its custody (ObjectEvent OBSERVE ``shipping``/``in_transit``, the party as destination);
every unit inside a shipped container, at any depth, goes with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from unitrace.epcis import Action, BizStep, Disposition, ObjectEvent, SourceDest, SourceDestType
from unitrace.gs1 import Gln
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Party
from unitrace.services.lifecycle.recording import (
    Undone,
    all_or_nothing,
    changed_meanwhile,
    record_event,
)
from unitrace.services.lifecycle.rules import (
    allow,
    check_custody,
    not_held_elsewhere,
    top_level,
    units_on_the_move,
)
from unitrace.services.lifecycle.targets import (
    Context,
    lot_range,
    resolve,
    time_of,
    unit_selections,
)
from unitrace.store.events import EventRecord, StoredEvent, UnitEpcs
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.containers import ContainerRecord
from unitrace.store.units.selections import UnitKeys, UnitSelection

#: Where a party without a GLN is named in events (CBV wants a URI; a PGLN where there is one).
PARTY_URN_PREFIX: Final = "urn:unitrace:party:"


@dataclass(frozen=True, slots=True)
class Shipment:
    """Units and containers sent to a party by one shipping event."""

    event: EventRecord
    party: str
    #: units moved, at every depth of the containers shipped
    units: int
    #: the EPCs of the containers named in the request
    containers: tuple[str, ...]


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
    allow(actor, "ship")
    when = time_of(at)
    if not codes:
        raise InvalidRequest("codes: none given")
    context = Context.of(uow)
    consignment = _named(uow, context, codes, actor)
    return _dispatch(
        uow,
        context,
        consignment,
        party,
        actor,
        when=when,
        audit_action="units.shipped",
        captured=captured,
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
    allow(actor, "allocate")
    when = time_of(at)
    context = Context.of(uow)
    by_range = {"gtin": gtin, "lot": lot, "seq_from": seq_from, "seq_to": seq_to}
    if codes is not None:
        if any(value is not None for value in by_range.values()):
            raise InvalidRequest("codes: give either codes or gtin, lot, seq_from and seq_to")
        if not codes:
            raise InvalidRequest("codes: none given")
        consignment = _named(uow, context, codes, actor)
    else:
        missing = [name for name, value in by_range.items() if value is None]
        if missing:
            raise InvalidRequest(
                f"{missing[0]}: needed, with gtin, lot, seq_from and seq_to (or give codes)"
            )
        selection, _ = lot_range(
            uow, context, str(gtin), str(lot), int(seq_from or 0), int(seq_to or 0)
        )
        consignment = _Consignment(selection, ())
    return _dispatch(
        uow, context, consignment, party, actor, when=when, audit_action="units.allocated"
    )


@dataclass(frozen=True, slots=True)
class _Consignment:
    """What a shipment sends: units named one by one or a lot's range (``loose``), and
    containers with everything inside them."""

    loose: UnitSelection | None
    containers: Sequence[ContainerRecord]


def _named(uow: UnitOfWork, context: Context, codes: Sequence[str], actor: Actor) -> _Consignment:
    """The units and containers ``codes`` name, to be shipped."""
    targets = resolve(uow, context, codes, "codes", actor=actor)
    loose = UnitKeys(tuple(targets.units)) if targets.units else None
    return _Consignment(loose, targets.containers)


def _dispatch(
    uow: UnitOfWork,
    context: Context,
    consignment: _Consignment,
    party_id: str,
    actor: Actor,
    *,
    when: dt.datetime,
    audit_action: str,
    captured: StoredEvent | None = None,
) -> Shipment:
    """Ship ``consignment`` to ``party_id``, on the rules of :func:`ship`; ``audit_action``
    names the audit line."""
    loose, shipped = consignment.loose, consignment.containers
    party = uow.parties.get(party_id)
    if party is None:
        raise NotFound(f"party: {party_id} is not registered")
    top_level(uow, shipped, "ship")
    for container in shipped:
        check_custody(actor, container.custodian_id, f"container {container.epc}")
        not_held_elsewhere(actor, party, container.custodian_id, f"container {container.epc}")
    tree = uow.units.subtree(container.id for container in shipped)
    selections = unit_selections(loose, tree)
    units = units_on_the_move(uow, selections, loose, actor, ("ship", "shipped"), party)
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
    with changed_meanwhile(), all_or_nothing(uow):
        record = record_event(
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
            raise Undone
        uow.units.set_container_custodian(tree, party.id)
    top = tuple(container.epc for container in shipped)
    uow.audit.record(
        actor.name,
        audit_action,
        record.event_id,
        {"party": party.id, "units": units, "containers": list(top)},
    )
    return Shipment(record, party.id, units, top)


def _party_uri(context: Context, party: Party) -> str:
    if party.gln is not None:
        return context.naming.pgln(Gln(party.gln))
    return PARTY_URN_PREFIX + party.id
