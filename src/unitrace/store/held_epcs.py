"""What a party holds or held, by EPC: the units and containers in its custody now, and every
EPC the events of its own name (those it is the party of: a shipment to it, what it recorded),
name as an object (:data:`INSTANCE_ROLES`), as they were written there. A class named in a
quantity list is never held: an event a party captures may not make another's unit its own by
naming it as a quantity.

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
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy import union_all as union_all_of

from unitrace.epcis import EpcNaming
from unitrace.gs1 import Gtin
from unitrace.store.schema import (
    EpcText,
    containers,
    epcis_events,
    event_canonical_epcs,
    event_epcs,
    products,
    units,
)

UnitUriPrefix = tuple[int, str, tuple[tuple[str, str], ...]]

#: The roles in the event index in which an event names one object (its epcList, parentID,
#: childEPCs, inputs and outputs, and the units inside a container unitrace moved): the only
#: roles in which a party's own event makes an EPC held. The quantity roles name classes.
INSTANCE_ROLES: Final = ("epc", "child", "parent", "input", "output", "contained")

# the events and their index as read for what a party held, under names of their own (the
# statement asking may read the events and the index too); made once, as aliases are dear to
# build on every query
_OWN_EVENT: Final = epcis_events.alias("own_event")
_OWN_INDEXES: Final = tuple(
    index.alias(f"own_{index.name}") for index in (event_epcs, event_canonical_epcs)
)


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


def epc_of(serial: str, prefix: str, escapes: tuple[tuple[str, str], ...]) -> str:
    """:func:`unit_epc` in Python: a unit's EPC from its serial, the inverse of
    :func:`serial_of`.

    >>> epc_of("A/B%", "urn:epc:id:sgtin:0614141.812345.", (("%", "%25"), ("/", "%2F")))
    'urn:epc:id:sgtin:0614141.812345.A%2FB%25'
    """
    for character, escape in escapes:
        serial = serial.replace(character, escape)
    return prefix + serial


def serial_of(epc: str, prefix: str, escapes: tuple[tuple[str, str], ...]) -> str:
    """:func:`serial_in` in Python: the serial of a unit EPC that starts with ``prefix``.

    >>> serial_of("urn:epc:id:sgtin:0614141.812345.A%2FB%25", "urn:epc:id:sgtin:0614141.812345.",
    ...           (("%", "%25"), ("/", "%2F")))
    'A/B%'
    """
    serial = epc[len(prefix) :]
    for character, escape in reversed(escapes):
        serial = serial.replace(escape, character)
    return serial


@functools.lru_cache(maxsize=64)
def _held_among(prefixes: tuple[UnitUriPrefix, ...]) -> CompoundSelect[Any]:
    """Which of the EPCs ``epcs`` the ``party`` holds or held (a unit's as the index writes
    it), for the products of ``prefixes``: built once, as a statement is dear to build on
    every query."""
    party: BindParameter[str] = bindparam("party")
    epcs: BindParameter[list[str]] = bindparam("epcs", expanding=True)
    parts: list[Select[Any]] = [
        select(containers.c.epc).where(
            containers.c.epc.in_(epcs), containers.c.custodian_id + literal("") == party
        )
    ]
    for index in (event_epcs, event_canonical_epcs):
        parts.append(
            select(index.c.epc)
            .select_from(index.join(epcis_events, epcis_events.c.id == index.c.event_pk))
            .where(
                index.c.epc.in_(epcs),
                index.c.role.in_(INSTANCE_ROLES),
                epcis_events.c.party_id + literal("") == party,
            )
        )
    for product_id, prefix, escapes in prefixes:
        parts.append(
            select(unit_epc(prefix, escapes)).where(
                units.c.product_id == product_id,
                units.c.serial.in_(bindparam(f"serials_{product_id}", expanding=True)),
                units.c.custodian_id + literal("") == party,
            )
        )
    return union_all_of(*parts)


class HeldEpcs:
    """The EPCs ``party_id`` holds or held: asked of each EPC a statement reads
    (:meth:`covers`), of EPCs given (:meth:`held_of`), of the EPCs some events list
    (:meth:`among`), or read whole (:meth:`all_held`)."""

    #: Up to this many EPCs listed, each is asked of by index; beyond, what the party holds
    #: and held is read whole instead when that is at most :attr:`READ_WHOLE_PER_LISTED`
    #: times as many (a commissioning event of a million units, one of them the party's).
    ASK_EACH_UP_TO: int = 1_000
    READ_WHOLE_PER_LISTED: int = 8
    #: EPCs asked of in one statement (each a bound value).
    ASKED_AT_ONCE: int = 500

    def __init__(
        self,
        connection: Connection,
        party_id: str,
        prefixes: Sequence[UnitUriPrefix] | None = None,
    ) -> None:
        self.connection = connection
        self.party_id = party_id
        self._prefixes = prefixes
        #: what :meth:`held_of` found, EPC by EPC
        self._known: dict[str, bool] = {}

    @property
    def _unit_uri_prefixes(self) -> Sequence[UnitUriPrefix]:
        if self._prefixes is None:
            self._prefixes = unit_uri_prefixes(self.connection)
        return self._prefixes

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
        for product_id, prefix, escapes in self._unit_uri_prefixes:
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
        own = _OWN_EVENT
        for named in _OWN_INDEXES:
            held.append(
                exists(
                    select(1)
                    .select_from(named.join(own, own.c.id == named.c.event_pk))
                    .where(
                        named.c.epc == epc,
                        named.c.role.in_(INSTANCE_ROLES),
                        own.c.party_id + literal("") == party,
                    )
                )
            )
        return or_(*held)

    def among(self, listed: Mapping[int, Collection[str]]) -> dict[int, frozenset[str]]:
        """Of the EPCs each event lists (by the event's key), those the party holds or held.
        A page of events naming a few EPCs each has them looked up (:meth:`held_of`); events
        naming very many are compared with what the party holds and held, read whole, where
        that is fewer."""
        held: dict[int, frozenset[str]] = {pk: frozenset() for pk in listed}
        asked = [pk for pk, epcs in listed.items() if epcs]
        total = sum(len(listed[pk]) for pk in asked)
        if not asked:
            return held
        if total > self.ASK_EACH_UP_TO:
            whole = self.all_held(up_to=total * self.READ_WHOLE_PER_LISTED)
            if whole is not None:
                held.update((pk, frozenset(whole.intersection(listed[pk]))) for pk in asked)
                return held
        asked_of = self.held_of(set().union(*(listed[pk] for pk in asked)))
        held.update((pk, frozenset(asked_of.intersection(listed[pk]))) for pk in asked)
        return held

    def held_of(self, epcs: Collection[str]) -> frozenset[str]:
        """Those of ``epcs`` the party holds or held: looked up by index, a few hundred EPCs
        to a statement, each EPC once."""
        wanted = sorted(set(epcs).difference(self._known))
        prefixes = tuple(self._unit_uri_prefixes)
        statement = _held_among(prefixes)
        for start in range(0, len(wanted), self.ASKED_AT_ONCE):
            some = wanted[start : start + self.ASKED_AT_ONCE]
            values: dict[str, Any] = {"party": self.party_id, "epcs": some}
            for product_id, prefix, escapes in prefixes:
                values[f"serials_{product_id}"] = [
                    serial_of(epc, prefix, escapes) for epc in some if epc.startswith(prefix)
                ]
            found = set(self.connection.execute(statement, values).scalars())
            self._known.update((epc, epc in found) for epc in some)
        return frozenset(epc for epc in epcs if self._known[epc])

    def all_held(self, *, up_to: int) -> set[str] | None:
        """Every EPC the party holds or held, or None when there are more than ``up_to``
        (the rows read stop there)."""
        party = self.party_id
        parts: list[Select[Any]] = [
            select(containers.c.epc).where(containers.c.custodian_id == party)
        ]
        for product_id, prefix, escapes in self._unit_uri_prefixes:
            parts.append(
                select(unit_epc(prefix, escapes)).where(
                    units.c.product_id == product_id, units.c.custodian_id == party
                )
            )
        for index in (event_epcs, event_canonical_epcs):
            parts.append(
                select(index.c.epc)
                .select_from(index.join(epcis_events, epcis_events.c.id == index.c.event_pk))
                .where(epcis_events.c.party_id == party, index.c.role.in_(INSTANCE_ROLES))
            )
        rows = self.connection.execute(union_all_of(*parts).limit(up_to + 1)).scalars().all()
        return None if len(rows) > up_to else {str(epc) for epc in rows}
