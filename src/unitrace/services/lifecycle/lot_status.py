"""A lot's recall or withdrawal, for good: the lot's status is set and its commissioned units
that are not terminal become recalled (withdrawn), by one ObjectEvent OBSERVE."""

from __future__ import annotations

import datetime as dt

from unitrace.epcis import ObjectEvent
from unitrace.registry.errors import Conflict, InvalidRequest, NotFound
from unitrace.registry.model import Actor, LotStatus, UnitState
from unitrace.registry.states import sources
from unitrace.services.lifecycle.recording import all_or_nothing, record_state_change
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.state_changes import STATE_EVENTS
from unitrace.services.lifecycle.targets import Context, time_of
from unitrace.store.events import EventRecord
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import LotRange


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
    allow(actor, "set_lot_status")
    when = time_of(at)
    if status not in (LotStatus.RECALLED, LotStatus.WITHDRAWN):
        raise InvalidRequest(f"status: {status!r} is not recalled or withdrawn")
    if not reason.strip():
        raise InvalidRequest("reason: must not be empty")
    new_status = LotStatus(status)
    context = Context.of(uow)
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
    with all_or_nothing(uow):
        record, units = record_state_change(
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
