"""Selections of units, and the WHERE conditions they make.

Every change to the projection is one set-based statement over a *selection* of units, never a
loop over rows: a seq range of a lot (:class:`LotRange`), the units packed in some containers
(:class:`InContainers`), or a list of (product, serial) keys (:class:`UnitKeys`, cut into
chunks that stay within every database's limit on parameters). :class:`Selector` turns one into
conditions on ``units``; the repositories of the unit projection and of the containers build
on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Text,
    and_,
    any_,
    bindparam,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql

from unitrace.store.schema import products, units

#: Keys or ids per statement: 2 parameters per key stays far below SQLite's 32,766 and
#: PostgreSQL's 65,535.
CHUNK = 2_000

# SQLite reads a product's units in key order (product, serial) faster than it probes the
# (lot, seq) index once per unit, once a range holds more than this share of the product.
_SCAN_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class LotRange:
    """Units ``seq_from`` … ``seq_to`` of one lot."""

    product_id: int
    lot_id: int
    seq_from: int
    seq_to: int

    @property
    def size(self) -> int:
        return self.seq_to - self.seq_from + 1


@dataclass(frozen=True, slots=True)
class InContainers:
    """The units packed directly in any of ``container_ids``; give a whole subtree
    (:meth:`UnitRepository.subtree`) for the units at every depth."""

    container_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class UnitKeys:
    """Units by (product id, serial)."""

    keys: tuple[tuple[int, str], ...]


UnitSelection = LotRange | InContainers | UnitKeys


class Selector:
    """Turns selections into conditions on ``units``, on one connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def conditions(self, selection: UnitSelection) -> list[ColumnElement[bool]]:
        """``selection`` as WHERE conditions on ``units``, one statement each (the event
        index selects units with them too)."""
        if isinstance(selection, LotRange):
            return [self._lot_range(selection)]
        if isinstance(selection, InContainers):
            ids = sorted(set(selection.container_ids))
            return [
                units.c.container_id.in_(ids[start : start + CHUNK])
                for start in range(0, len(ids), CHUNK)
            ]
        # one product at a time, serials in a list: SQLite searches the primary key with both
        # columns only this way; a row-value "(product_id, serial) IN (…)" uses just the
        # product and scans every unit of it
        serials_of: dict[int, list[str]] = {}
        for product_id, serial in sorted(set(selection.keys)):
            serials_of.setdefault(product_id, []).append(serial)
        return [
            and_(
                units.c.product_id == product_id,
                among(self.connection, units.c.serial, serials[start : start + CHUNK]),
            )
            for product_id, serials in serials_of.items()
            for start in range(0, len(serials), CHUNK)
        ]

    def _lot_range(self, selection: LotRange) -> ColumnElement[bool]:
        if self.connection.dialect.name == "sqlite" and self._most_of_product(selection):
            # "+ 0" keeps the (lot, seq) index out of play, so that SQLite walks the product's
            # units in key order: sequential pages, serials in order (the event index then
            # grows at its end), several times faster than one index probe per unit
            unindexed: ColumnElement[int] = literal_column("0")
            return and_(
                units.c.product_id == selection.product_id,
                units.c.lot_id + unindexed == selection.lot_id,
                (units.c.seq + unindexed).between(selection.seq_from, selection.seq_to),
            )
        return and_(
            units.c.lot_id == selection.lot_id,
            units.c.seq.between(selection.seq_from, selection.seq_to),
            units.c.product_id == selection.product_id,
        )

    def _most_of_product(self, selection: LotRange) -> bool:
        issued = self.connection.execute(
            select(products.c.issued).where(products.c.id == selection.product_id)
        ).scalar()
        return issued is not None and selection.size >= _SCAN_SHARE * issued


def equals(column: Any, value: Any) -> ColumnElement[bool]:
    """``column`` equal to ``value``, or NULL where ``value`` is None."""
    return column.is_(None) if value is None else column == value  # type: ignore[no-any-return]


def stored(at: dt.datetime) -> dt.datetime:
    """Times are stored in UTC: SQLite keeps no offset, and both databases then compare and
    order them alike."""
    return at.astimezone(dt.UTC)


_TEXTS = postgresql.ARRAY(Text)


def among(
    connection: Connection, column: ColumnElement[str], values: Sequence[str]
) -> ColumnElement[bool]:
    """``column`` among ``values``, as one parameter: SQLAlchemy then builds no clause element
    per value, which cost more than the database's own work. On PostgreSQL an array
    (``= ANY``): the statement's text stays the same whatever the count, so it is parsed once
    and nothing is rendered per value."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=_TEXTS))
    return column.in_(bindparam(None, list(values), expanding=True))
