"""Receiving: units and containers arrived at a place (ObjectEvent OBSERVE
``receiving``/``in_progress``); the units inside the containers, at any depth, arrive with
them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from unitrace.epcis import Action, BizStep, Disposition, ObjectEvent
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor, UnitState
from unitrace.services.lifecycle.recording import all_or_nothing, record_event
from unitrace.services.lifecycle.rules import allow, check_custody, top_level, units_on_the_move
from unitrace.services.lifecycle.targets import (
    Context,
    location_of,
    resolve,
    time_of,
    unit_selections,
)
from unitrace.store.events import EventRecord, StoredEvent, UnitEpcs
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import UnitKeys

#: States besides ``active`` in which a unit may be received: returns of blocked units.
RETURNABLE = frozenset({UnitState.RECALLED, UnitState.WITHDRAWN})


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
    allow(actor, "receive")
    when = time_of(at)
    if not codes:
        raise InvalidRequest("codes: none given")
    location = location_of(uow, actor, location_gln)
    if location is None:
        raise InvalidRequest("location_gln: needed, as the receiver has no party GLN to default to")
    context = Context.of(uow)
    targets = resolve(uow, context, codes, "codes", actor=actor)
    top_level(uow, targets.containers, "receive")
    for container in targets.containers:
        check_custody(actor, container.custodian_id, f"container {container.epc}")
    tree = uow.units.subtree(container.id for container in targets.containers)
    loose = UnitKeys(tuple(targets.units)) if targets.units else None
    selections = unit_selections(loose, tree)
    # a recalled or withdrawn unit coming back is a return: its receipt is what recovers it
    units = units_on_the_move(
        uow, selections, loose, actor, ("receive", "received"), also=RETURNABLE
    )
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
    with all_or_nothing(uow):
        record = record_event(
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
