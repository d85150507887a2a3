"""Writing a change: its EPCIS event (as the service wrote it, or a partner's captured event)
and the projection of the units it moves, all or nothing, in the caller's unit of work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from unitrace.epcis import EpcisEvent, ObjectEvent
from unitrace.registry.errors import Conflict
from unitrace.registry.model import Actor, UnitState
from unitrace.services.lifecycle.targets import Context
from unitrace.store.events import CONTAINED_ROLE, EventRecord, StoredEvent, UnitEpcs
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import UnitSelection


def record_state_change(
    uow: UnitOfWork,
    context: Context,
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
    record = record_event(
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


def record_event(
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


class Undone(Exception):
    """The writes did not add up: they are undone, and the caller says why."""


class NotAllIssued(Exception):
    """Units to commission were not all issued: the writes are undone, and the caller names
    one that was not."""

    def __init__(self, selection: UnitSelection) -> None:
        super().__init__()
        self.selection = selection


@contextmanager
def changed_meanwhile() -> Iterator[None]:
    """Writes that did not add up because another request changed the same units between
    this one's checks and its writes (PostgreSQL lets them overlap; SQLite queues writers)."""
    try:
        yield
    except Undone:
        raise Conflict("the units changed while this request was checked; try again") from None


@contextmanager
def all_or_nothing(uow: UnitOfWork) -> Iterator[None]:
    """A savepoint around a request's writes: a refusal raised inside undoes them even if the
    caller goes on to commit the unit of work."""
    with uow.connection.begin_nested():
        yield
