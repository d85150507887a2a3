"""A party's view of the events: what a distributor (or a verifier bound to a party) may see.

It sees the events that concern its party (``epcis_events.party_id``: a shipment to it, else
what it recorded) and the events naming, in any role (the units moved inside a container too),
a unit or container in its custody now. Of the EPCs those events name, it is shown, and finds
events by, those it holds or held (:class:`~unitrace.store.held_epcs.HeldEpcs`).

Two ways to the same events. For a party that holds little, the events are found from what it
holds (its events, then those naming its containers and units, each by index), and a query
reads only those; otherwise each event a query reads is asked whether the party may see it,
which stops as soon as a page is full. Asking event by event made a party holding a few units
read every event of the repository for a page; finding the events forward would cost a party
holding much its whole history for one page.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    Table,
    and_,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    union,
)

from unitrace.store.held_epcs import HeldEpcs, serial_in, unit_epc, unit_uri_prefixes
from unitrace.store.schema import containers, epcis_events, event_epcs, units


class PartyView:
    """The view of ``party_id`` on one connection: :meth:`events` to narrow a query to it,
    :attr:`held` for the EPCs it may be shown."""

    #: The most units, containers and events of its own a party may hold for its view to be
    #: found forward.
    FORWARD_VIEW_LIMIT: int = 2_000

    def __init__(self, connection: Connection, party_id: str) -> None:
        self.connection = connection
        self.party_id = party_id
        self.prefixes = unit_uri_prefixes(connection)
        self.held = HeldEpcs(connection, party_id, self.prefixes)

    def events(self) -> ColumnElement[bool]:
        """Whether the party may see an event (of ``epcis_events`` in the statement)."""
        if self.holds_little:
            return epcis_events.c.id.in_(self.event_ids())
        return self.event_by_event()

    def names_seen(self, index: Table) -> ColumnElement[bool]:
        """Whether a row of ``index`` (the event index, in the statement) is of an event the
        party may see: among the few events of a party holding little; otherwise asked of the
        row's event, so that a walk through the index stops once a page is full."""
        if self.holds_little:
            return index.c.event_pk.in_(self.event_ids())
        return exists(select(1).where(epcis_events.c.id == index.c.event_pk, self.event_by_event()))

    @functools.cached_property
    def holds_little(self) -> bool:
        """Whether the party holds at most :attr:`FORWARD_VIEW_LIMIT` units, containers and
        events of its own (each counted only that far, by index)."""
        limit = self.FORWARD_VIEW_LIMIT
        for table, column in (
            (units, units.c.custodian_id),
            (containers, containers.c.custodian_id),
            (epcis_events, epcis_events.c.party_id),
        ):
            held: Select[Any] = (
                select(literal_column("1")).select_from(table).where(column == self.party_id)
            )
            counted = select(func.count()).select_from(held.limit(limit + 1).subquery())
            if self.connection.execute(counted).scalar_one() > limit:
                return False
        return True

    def event_ids(self) -> CompoundSelect[Any]:
        """The ids of the events the party may see, found from what it holds."""
        party_id = self.party_id
        named = event_epcs.alias("named")
        found: list[Select[Any]] = [
            select(epcis_events.c.id).where(epcis_events.c.party_id == party_id),
            select(named.c.event_pk)
            .select_from(containers.join(named, named.c.epc == containers.c.epc))
            .where(containers.c.custodian_id == party_id),
        ]
        for product_id, prefix, escapes in self.prefixes:
            found.append(
                select(named.c.event_pk)
                .select_from(units.join(named, named.c.epc == unit_epc(prefix, escapes)))
                .where(units.c.product_id == product_id, units.c.custodian_id == party_id)
            )
        return union(*found)

    def event_by_event(self) -> ColumnElement[bool]:
        """Whether the party may see an event, asked of the event (of ``epcis_events`` in the
        statement)."""
        party_id = self.party_id
        named = event_epcs.alias("named")
        # each event's EPCs lead to a unit or container by its key; the custodian is then
        # compared, never sought ("|| ''" keeps its index out, which SQLite would otherwise
        # walk once per event, through every unit the party holds)
        container_holder = containers.c.custodian_id + literal("")
        unit_holder = units.c.custodian_id + literal("")
        in_custody: list[ColumnElement[bool]] = [
            exists(
                select(1)
                .select_from(named.join(containers, containers.c.epc == named.c.epc))
                .where(named.c.event_pk == epcis_events.c.id, container_holder == party_id)
            )
        ]
        for product_id, prefix, escapes in self.prefixes:
            serial = serial_in(named.c.epc, prefix, escapes)
            in_custody.append(
                exists(
                    select(1)
                    .select_from(
                        named.join(
                            units,
                            and_(units.c.product_id == product_id, units.c.serial == serial),
                        )
                    )
                    .where(
                        named.c.event_pk == epcis_events.c.id,
                        func.substr(named.c.epc, 1, len(prefix)) == prefix,
                        unit_holder == party_id,
                    )
                )
            )
        return or_(epcis_events.c.party_id == party_id, *in_custody)
