"""Transformations (repackaging, kitting, blending): the units going in are checked out and
those coming out commissioned, recorded by one TransformationEvent whose inputs and outputs
are the genealogy."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from unitrace.epcis import BizStep, Disposition, Ilmd, TransformationEvent
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor, UnitState
from unitrace.services.lifecycle.commissioning import checked_commissioning, not_all_issued
from unitrace.services.lifecycle.recording import (
    NotAllIssued,
    Undone,
    all_or_nothing,
    changed_meanwhile,
    record_event,
)
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.state_changes import CheckedChange, checked_change
from unitrace.services.lifecycle.targets import Context, Targets, location_of, parse_gln, time_of
from unitrace.store.events import CONTAINED_ROLE, EventRecord, StoredEvent, UnitEpcs
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import InContainers, UnitKeys


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
    the rules of :func:`~.commissioning.commission_units`. One event records both; its inputs
    and outputs are the genealogy, which traceability reads from the event index."""
    when = time_of(at)
    if not inputs and not (outputs and commissioning):
        raise InvalidRequest(
            "inputs: none given, and no outputs commissioned: the transformation changes no unit"
        )
    context = Context.of(uow)
    location = parse_gln(location_gln, "location_gln")
    consumed: CheckedChange | None = None
    if inputs:
        allow(actor, "change_state")
        location = location_of(uow, actor, location_gln)
        consumed = checked_change(
            uow,
            context,
            inputs,
            field="inputs",
            target=UnitState.CHECKED_OUT,
            actor=actor,
            location=location,
            when=when,
        )
    made: Targets | None = None
    ilmd: Ilmd | None = None
    if outputs and commissioning:
        allow(actor, "commission")
        made, ilmd = checked_commissioning(
            uow, context, outputs, field="outputs", lot=lot, expiry=expiry, when=when
        )
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
        with changed_meanwhile(), all_or_nothing(uow):
            record = record_event(
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
                    raise Undone
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
                    raise NotAllIssued(commissioned)
    except NotAllIssued as refused:
        raise not_all_issued(uow, refused.selection) from None
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
