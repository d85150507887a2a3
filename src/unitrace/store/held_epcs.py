"""What a party holds or held, by EPC: the units and containers in its custody now, and every
EPC the events of its own name (those it is the party of: a shipment to it, what it recorded),
in any role, as they were written there.

A party other than the brand is shown these EPCs alone, of the events it may see, and finds
events by these alone (:mod:`unitrace.store.epcis_query`): the serials of the units it never
held are the brand's anti-counterfeit secret, even where an event it may see names them beside
its own. EPCs compare as written, so a unit held is known by its EPC URI as unitrace writes
it (the event index's spelling of a unit) and by any spelling the party's own events gave it.

Units are keyed by product and serial, events name them by EPC: an EPC is read as a unit of
each registered product by that product's :class:`~unitrace.epcis.SerialUriTemplate` (its URI
prefix and the serial's escapes), inside the statement.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, Select, exists, func, literal, or_, select
from sqlalchemy import union_all as union_all_of

from unitrace.epcis import EpcNaming
from unitrace.gs1 import Gtin
from unitrace.store.events import LIST_ROLES, PARENT_ROLE
from unitrace.store.schema import (
    EpcText,
    containers,
    epcis_events,
    event_canonical_epcs,
    event_epcs,
    products,
    units,
)

#: The index roles of the EPCs an event shows: its EPC lists and its parentID.
SHOWN_ROLES: Final = (*sorted(LIST_ROLES.values()), PARENT_ROLE)

UnitUriPrefix = tuple[int, str, tuple[tuple[str, str], ...]]


def unit_uri_prefixes(connection: Connection) -> list[UnitUriPrefix]:
    """Each registered product's id, unit EPC prefix and serial escapes, as the event index
    writes them (:class:`~unitrace.epcis.SerialUriTemplate`)."""
    rows = connection.execute(
        select(
            products.c.id,
            products.c.gtin,
            products.c.company_prefix_length,
            products.c.serial_alphabet,
        ).order_by(products.c.id)
    ).all()
    known = frozenset(
        row.gtin[1 : 1 + row.company_prefix_length]
        for row in rows
        if row.company_prefix_length is not None
    )
    return [(row.id, *_serial_template(known, row.gtin, row.serial_alphabet)) for row in rows]


@functools.lru_cache(maxsize=1024)
def _serial_template(
    company_prefixes: frozenset[str], gtin: str, alphabet: str
) -> tuple[str, tuple[tuple[str, str], ...]]:
    # building a template writes a URI per character of the alphabet: a few hundred
    # microseconds that a distributor's every query would otherwise pay again
    template = EpcNaming(company_prefixes).serial_template(Gtin(gtin), alphabet)
    return template.prefix, template.escapes


def unit_epc(prefix: str, escapes: tuple[tuple[str, str], ...]) -> ColumnElement[str]:
    """A unit's EPC as the event index writes it, from ``units.serial``."""
    written: ColumnElement[str] = units.c.serial
    # "%" first, since the other escapes bring it in
    for character, escape in escapes:
        written = func.replace(written, character, escape)
    return literal(prefix, EpcText) + written


def serial_in(
    epc: ColumnElement[str], prefix: str, escapes: tuple[tuple[str, str], ...]
) -> ColumnElement[str]:
    """The serial of a unit EPC that starts with ``prefix``, as ``units.serial`` holds it."""
    serial: ColumnElement[str] = func.substr(epc, len(prefix) + 1)
    # undone in reverse, so that "%25" becomes "%" only once the others are read (an escape of
    # one character never contains another's)
    for character, escape in reversed(escapes):
        serial = func.replace(serial, escape, character)
    return serial


class HeldEpcs:
    """The EPCs ``party_id`` holds or held, asked of EPCs in a statement (:meth:`covers`) or of
    the EPCs some events list (:meth:`among`)."""

    #: Up to this many EPCs listed, each is asked of by index; beyond, what the party holds
    #: and held is read whole instead when that is at most :attr:`READ_WHOLE_PER_LISTED`
    #: times as many (a commissioning event of a million units, one of them the party's).
    ASK_EACH_UP_TO: int = 1_000
    READ_WHOLE_PER_LISTED: int = 8

    def __init__(self, connection: Connection, party_id: str) -> None:
        self.connection = connection
        self.party_id = party_id

    def covers(self, epc: ColumnElement[str]) -> ColumnElement[bool]:
        """Whether the party holds or held ``epc`` (a column of the statement it goes in): a
        few look-ups by index for each EPC asked of."""
        # the party is compared, never sought ("|| ''" keeps the party indexes out, which a
        # planner would otherwise walk through everything a large party holds)
        party = literal(self.party_id)
        held: list[ColumnElement[bool]] = [
            exists(
                select(1).where(
                    containers.c.epc == epc, containers.c.custodian_id + literal("") == party
                )
            )
        ]
        for product_id, prefix, escapes in unit_uri_prefixes(self.connection):
            held.append(
                exists(
                    select(1).where(
                        units.c.product_id == product_id,
                        units.c.serial == serial_in(epc, prefix, escapes),
                        func.substr(epc, 1, len(prefix)) == prefix,
                        units.c.custodian_id + literal("") == party,
                    )
                )
            )
        # aliases of their own: the statement asking may read the events and the index too
        own = epcis_events.alias("own_event")
        for index in (event_epcs, event_canonical_epcs):
            named = index.alias(f"own_{index.name}")
            held.append(
                exists(
                    select(1)
                    .select_from(named.join(own, own.c.id == named.c.event_pk))
                    .where(named.c.epc == epc, own.c.party_id + literal("") == party)
                )
            )
        return or_(*held)

    def among(self, listed: Mapping[int, Collection[str]]) -> dict[int, frozenset[str]]:
        """Of the EPCs each event lists (by the event's key), those the party holds or held.
        A few events naming a few EPCs are asked of EPC by EPC; an event naming very many is
        compared with what the party holds and held, read whole, where that is fewer."""
        held: dict[int, frozenset[str]] = {pk: frozenset() for pk in listed}
        asked = [pk for pk, epcs in listed.items() if epcs]
        total = sum(len(listed[pk]) for pk in asked)
        if not asked:
            return held
        if total > self.ASK_EACH_UP_TO:
            whole = self._read_whole(up_to=total * self.READ_WHOLE_PER_LISTED)
            if whole is not None:
                held.update((pk, frozenset(whole.intersection(listed[pk]))) for pk in asked)
                return held
        found: dict[int, set[str]] = {}
        rows = self.connection.execute(
            select(event_epcs.c.event_pk, event_epcs.c.epc)
            .where(
                event_epcs.c.event_pk.in_(asked),
                event_epcs.c.role.in_(SHOWN_ROLES),
                self.covers(event_epcs.c.epc),
            )
            .distinct()
        )
        for pk, epc in rows:
            found.setdefault(pk, set()).add(epc)
        held.update((pk, frozenset(epcs)) for pk, epcs in found.items())
        return held

    def _read_whole(self, *, up_to: int) -> set[str] | None:
        """Every EPC the party holds or held, or None when there are more than ``up_to``
        (the rows read stop there)."""
        party = self.party_id
        parts: list[Select[Any]] = [
            select(containers.c.epc).where(containers.c.custodian_id == party)
        ]
        for product_id, prefix, escapes in unit_uri_prefixes(self.connection):
            parts.append(
                select(unit_epc(prefix, escapes)).where(
                    units.c.product_id == product_id, units.c.custodian_id == party
                )
            )
        for index in (event_epcs, event_canonical_epcs):
            parts.append(
                select(index.c.epc)
                .select_from(index.join(epcis_events, epcis_events.c.id == index.c.event_pk))
                .where(epcis_events.c.party_id == party)
            )
        rows = self.connection.execute(union_all_of(*parts).limit(up_to + 1)).scalars().all()
        return None if len(rows) > up_to else {str(epc) for epc in rows}
