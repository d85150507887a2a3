"""Commissioning: issued serials printed on packs become active units, by a seq range of a lot
or one by one, recorded by one ObjectEvent ADD ``commissioning``/``active`` carrying the lot
and expiry as ILMD."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from unitrace.epcis import Action, BizStep, Disposition, Ilmd, ObjectEvent
from unitrace.gs1 import Gln, Gtin
from unitrace.registry.errors import Conflict, InvalidRequest, TransitionRefused
from unitrace.registry.model import Actor, Lot, LotStatus, UnitState
from unitrace.registry.states import refusal
from unitrace.services.lifecycle.recording import Undone, all_or_nothing, record_state_change
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.targets import (
    Context,
    Targets,
    lot_range,
    parse_gln,
    resolve,
    some_units,
    time_of,
    unit_name,
)
from unitrace.store.events import EventRecord, StoredEvent
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import UnitKeys, UnitSelection


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
    allow(actor, "commission")
    when = time_of(at)
    location = parse_gln(location_gln, "location_gln")
    context = Context.of(uow)
    selection, registered = lot_range(uow, context, gtin, lot, seq_from, seq_to)
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
    allow(actor, "commission")
    when = time_of(at)
    if not codes:
        raise InvalidRequest("codes: none given")
    location = parse_gln(location_gln, "location_gln")
    context = Context.of(uow)
    targets, ilmd = checked_commissioning(
        uow, context, codes, field="codes", lot=lot, expiry=expiry, when=when
    )
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


def checked_commissioning(
    uow: UnitOfWork,
    context: Context,
    codes: Sequence[str],
    *,
    field: str,
    lot: str | None,
    expiry: dt.date | None,
    when: dt.datetime,
) -> tuple[Targets, Ilmd | None]:
    """The units ``codes`` name, to be commissioned: no container among them, ``lot`` and
    ``expiry`` (where given) each unit's own, every lot commissionable; and the ILMD their
    event carries (the lot and expiry, when they are all of one lot)."""
    targets = resolve(uow, context, codes, field)
    if targets.containers:
        raise InvalidRequest(
            f"{field}: {targets.containers[0].epc} is a container: only units are commissioned"
        )
    lots: dict[tuple[str, str], Lot] = {}
    for unit in targets.units.values():
        name = unit_name(unit.gtin, unit.serial)
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
    context: Context,
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
        with all_or_nothing(uow):
            record, moved = record_state_change(
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
                raise Undone
    except Undone:
        raise not_all_issued(uow, selection) from None
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


def not_all_issued(uow: UnitOfWork, selection: UnitSelection) -> TransitionRefused:
    groups = sorted(uow.units.groups(selection), key=lambda group: group.state.value)
    for group in groups:
        if group.state is not UnitState.ISSUED:
            rule = refusal(group.state, UnitState.ACTIVE) or (
                "a decommissioned unit is made active again by a change of state, within the "
                "undo rule, not by commissioning"
            )
            names = some_units(*uow.units.examples(selection, group, limit=1))
            return TransitionRefused(names, group.state.value, rule)
    raise AssertionError("the units changed while they were commissioned")  # pragma: no cover
