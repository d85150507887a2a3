"""Changes of state: units supplied, destroyed, stolen, sampled, exported, locked, checked out
or voided, and made active again within the undo rule, as the state table
(:mod:`unitrace.registry.states`) allows; a container code stands for every unit in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from unitrace.epcis import Action, BizStep, Disposition, ObjectEvent
from unitrace.gs1 import Gln
from unitrace.registry.errors import InvalidRequest, TransitionRefused
from unitrace.registry.model import Actor, PartyRole, UnitState
from unitrace.registry.states import (
    UNDO_WINDOW,
    Allowed,
    Reactivation,
    allowed,
    check_transition,
    undo_refusal,
)
from unitrace.services.lifecycle.holds import KEPT_FROM, refuse_held
from unitrace.services.lifecycle.recording import (
    Undone,
    all_or_nothing,
    changed_meanwhile,
    record_state_change,
)
from unitrace.services.lifecycle.rules import allow, check_custody
from unitrace.services.lifecycle.targets import (
    Context,
    GroupNames,
    group_names,
    location_of,
    resolve,
    some_units,
    time_of,
    unit_name,
    unit_selections,
)
from unitrace.store.events import EventRecord, StoredEvent
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.projection import UnitGroup
from unitrace.store.units.selections import UnitKeys, UnitSelection


@dataclass(frozen=True, slots=True)
class StateEvent:
    """The CBV words of the event that moves a unit into a state."""

    action: Action
    biz_step: BizStep | None
    disposition: Disposition | None


_OBSERVE, _DELETE = Action.OBSERVE, Action.DELETE

#: The event of each change of state (see the table in :mod:`unitrace.services.lifecycle`).
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
#: What entering each state a hold keeps units from is, in a refusal's words.
_KEPT_FROM_WORDS: Final = {
    UnitState.SUPPLIED: "dispensed or sold",
    UnitState.FREE_SAMPLE: "given as a free sample",
    UnitState.EXPORTED: "exported",
    UnitState.CHECKED_OUT: "consumed (checked out) by a transformation or an assembly",
}
#: A retailer sells where a pharmacy dispenses.
RETAIL_SUPPLY: Final = StateEvent(_OBSERVE, BizStep.RETAIL_SELLING, Disposition.RETAIL_SOLD)


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
    allow(actor, "change_state")
    when = time_of(at)
    try:
        target = UnitState(to)
    except ValueError:
        names = ", ".join(state.value for state in UnitState)
        raise InvalidRequest(f"to: {to!r} is not a unit state ({names})") from None
    if not codes:
        raise InvalidRequest("codes: none given")
    location = location_of(uow, actor, location_gln)
    context = Context.of(uow)
    change = checked_change(
        uow,
        context,
        codes,
        field="codes",
        target=target,
        actor=actor,
        location=location,
        when=when,
    )
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
    with changed_meanwhile(), all_or_nothing(uow):
        record, moved = record_state_change(
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
            raise Undone
    uow.audit.record(
        actor.name,
        "units.state_changed",
        record.event_id,
        {"to": target.value, "units": units, "from": sorted(s.value for s in from_states)},
    )
    return record


@dataclass(frozen=True, slots=True)
class CheckedChange:
    """Units a change of state was checked for: their selections (the units named, the units
    inside the containers named), how many, and the states they leave."""

    selections: list[UnitSelection]
    units: int
    from_states: frozenset[UnitState]
    #: the EPC of each code, in the order given
    epcs: tuple[str, ...]
    #: the containers named and those inside them
    tree: tuple[int, ...]


def checked_change(
    uow: UnitOfWork,
    context: Context,
    codes: Sequence[str],
    *,
    field: str,
    target: UnitState,
    actor: Actor,
    location: Gln | None,
    when: dt.datetime,
) -> CheckedChange:
    """The units ``codes`` name (a container standing for every unit in it), once the state
    table lets each group of them go to ``target`` and ``actor`` holds them."""
    targets = resolve(uow, context, codes, field, actor=actor)
    tree = uow.units.subtree(container.id for container in targets.containers)
    inside = set(tree)
    for unit in targets.units.values():
        if unit.container_id in inside:
            raise InvalidRequest(
                f"{field}: unit {unit_name(unit.gtin, unit.serial)} is inside "
                f"{unit.container_epc}, which is named too"
            )
    loose = UnitKeys(tuple(targets.units)) if targets.units else None
    selections = unit_selections(loose, tree)
    units = 0
    from_states: set[UnitState] = set()
    for selection in selections:
        for group in uow.units.groups(selection):
            check_custody(actor, group.custodian_id, GroupNames(uow, selection, group))
            _check_change(
                uow, selection, group, to=target, actor=actor, location=location, when=when
            )
            from_states.add(group.state)
            units += group.count
    if units == 0:
        raise InvalidRequest(f"{field}: the containers named hold no units")
    if target in KEPT_FROM:
        refuse_held(uow, selections, _KEPT_FROM_WORDS[target])
    return CheckedChange(selections, units, frozenset(from_states), targets.epcs, tuple(tree))


def _check_change(
    uow: UnitOfWork,
    selection: UnitSelection,
    group: UnitGroup,
    *,
    to: UnitState,
    actor: Actor,
    location: Gln | None,
    when: dt.datetime,
) -> None:
    if group.state is UnitState.ISSUED and to is UnitState.ACTIVE:
        raise TransitionRefused(
            group_names(uow, selection, group),
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
        raise TransitionRefused(some_units(examples, count), refused.state, refused.rule) from None
