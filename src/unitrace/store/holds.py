"""Holds on units: placed, released and looked for, set-wise.

A hold on a unit or a container is a row per unit held (written by one ``INSERT … SELECT``
over the selection); a hold on a lot is one row for the whole lot, which covers its units
whatever their number. A unit is held while any open row names it or its lot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
    update,
)

from unitrace.gs1 import Gtin
from unitrace.store.driver_statements import DriverStatement
from unitrace.store.schema import epcis_events, holds, products, units
from unitrace.store.units.selections import Selector, UnitSelection, stored


@dataclass(frozen=True, slots=True)
class Held:
    """Units of a selection on hold: how many, one of them to name, and why it is held."""

    count: int
    gtin: Gtin
    serial: str
    cause: str


class HoldRepository(Selector):
    """The holds, on one connection (a unit of work's ``holds``)."""

    def place(
        self, selection: UnitSelection, *, cause: str, scope: str, event_id: str, at: dt.datetime
    ) -> int:
        """Hold every unit of ``selection``, a row each; how many rows were written."""
        placed = 0
        for condition in self.conditions(selection):
            rows = select(
                literal(cause),
                literal(scope),
                units.c.product_id,
                units.c.serial,
                literal(event_id),
                literal(stored(at), holds.c.placed_at.type),
            ).where(condition)
            placed += self.connection.execute(
                insert(holds).from_select(
                    ["cause", "scope", "product_id", "serial", "event_id", "placed_at"], rows
                )
            ).rowcount
        return placed

    def place_on_lot(
        self, lot_id: int, *, cause: str, scope: str, event_id: str, at: dt.datetime
    ) -> None:
        """Hold a whole lot: one row, whatever its number of units."""
        self.connection.execute(
            insert(holds).values(
                cause=cause, scope=scope, lot_id=lot_id, event_id=event_id, placed_at=stored(at)
            )
        )

    def release(
        self,
        selection: UnitSelection,
        *,
        cause: str,
        event_id: str,
        at: dt.datetime,
        placed_by_party: str | None = None,
    ) -> int:
        """Release the open holds of ``cause`` on the units of ``selection`` placed at or
        before ``at`` (by an event of party ``placed_by_party`` only, where given); how many
        were released. A lot's own hold is never released here: see :meth:`release_lot`."""
        released = 0
        for condition in self.conditions(selection):
            on_unit = exists().where(
                condition,
                units.c.product_id == holds.c.product_id,
                units.c.serial == holds.c.serial,
            )
            released += self._release(on_unit, cause, event_id, at, placed_by_party)
        return released

    def release_lot(
        self,
        lot_id: int,
        *,
        cause: str,
        event_id: str,
        at: dt.datetime,
        placed_by_party: str | None = None,
    ) -> int:
        """Release the open holds of ``cause`` on lot ``lot_id`` placed at or before ``at``
        (by an event of party ``placed_by_party`` only, where given), and the unit holds the
        same failed inspections placed (an inspection that named the lot and units with it);
        how many were released. Unit holds placed by inspections of single units or
        containers are not the lot's, and stay."""
        lot_holds = select(holds.c.event_id).where(
            *self._releasable(cause, at, placed_by_party), holds.c.lot_id == lot_id
        )
        released = self._release(
            and_(holds.c.lot_id.is_(None), holds.c.event_id.in_(lot_holds.scalar_subquery())),
            cause,
            event_id,
            at,
            placed_by_party,
        )
        released += self._release(holds.c.lot_id == lot_id, cause, event_id, at, placed_by_party)
        return released

    @staticmethod
    def _releasable(
        cause: str, at: dt.datetime, placed_by_party: str | None
    ) -> list[ColumnElement[bool]]:
        conditions = [
            holds.c.cause == cause,
            holds.c.released_at.is_(None),
            holds.c.placed_at <= literal(stored(at), holds.c.placed_at.type),
        ]
        if placed_by_party is not None:
            conditions.append(
                holds.c.event_id.in_(
                    select(epcis_events.c.event_id)
                    .where(epcis_events.c.party_id == placed_by_party)
                    .scalar_subquery()
                )
            )
        return conditions

    def _release(
        self,
        which: ColumnElement[bool],
        cause: str,
        event_id: str,
        at: dt.datetime,
        placed_by_party: str | None,
    ) -> int:
        return self.connection.execute(
            update(holds)
            .where(which, *self._releasable(cause, at, placed_by_party))
            .values(released_at=stored(at), released_by_event_id=event_id)
        ).rowcount

    def held(self, selection: UnitSelection) -> Held | None:
        """The units of ``selection`` on hold, if any: how many, and the first of them.

        Read from the holds' side, which is small, never by probing each unit of a large
        selection: the lots on hold are read first (few), then the units held one by one are
        joined to the selection. With no open hold at all (the usual case) it is one query."""
        open_lots = sorted(
            self.connection.execute(
                select(holds.c.lot_id).where(_OPEN, holds.c.lot_id.is_not(None)).distinct()
            ).scalars()
        )
        any_unit_held = self.connection.execute(
            select(holds.c.id).where(_OPEN, holds.c.product_id.is_not(None)).limit(1)
        ).first()
        if not open_lots and any_unit_held is None:
            return None
        count = 0
        first: tuple[str, str, str] | None = None
        for condition in self.conditions(selection):
            ways: list[tuple[ColumnElement[bool], Select[str, str, str]]] = []
            if open_lots:
                in_lot = and_(condition, units.c.lot_id.in_(open_lots))
                ways.append((in_lot, _examples(in_lot, holds.c.lot_id == units.c.lot_id)))
            if any_unit_held is not None:
                one_by_one = and_(
                    condition,
                    units.c.lot_id.not_in(open_lots) if open_lots else true(),
                    exists().where(_OPEN, *_NAMES_UNIT),
                )
                ways.append((one_by_one, _examples(one_by_one, *_NAMES_UNIT)))
            for held, examples in ways:
                count += self.connection.execute(
                    select(func.count()).select_from(units).where(held)
                ).scalar_one()
                row = self.connection.execute(examples).first()
                if row is not None and (first is None or tuple(row) < first):
                    first = (row[0], row[1], row[2])
        if first is None:
            return None
        return Held(count, Gtin(first[0]), first[1], first[2])

    def lot_cause(self, lot_id: int) -> str | None:
        """Why a whole lot is held (the cause of its earliest open lot hold), None when it is
        not."""
        found = self.connection.execute(
            select(holds.c.cause)
            .where(_OPEN, holds.c.lot_id == lot_id)
            .order_by(holds.c.placed_at, holds.c.id)
            .limit(1)
        ).first()
        return None if found is None else str(found[0])

    def cause_of(self, product_id: int, serial: str, lot_id: int) -> str | None:
        """Why one unit is held (its earliest open hold), None when it is not: on every scan
        of a unit, so run on the driver's cursor."""
        found = _UNIT_CAUSE.rows(
            self.connection, {"product_id": product_id, "serial": serial, "lot_id": lot_id}
        )
        return str(found[0].cause) if found else None

    def causes_of(
        self, keys: Iterable[tuple[int, str, int]]
    ) -> dict[tuple[int, str, int], str | None]:
        """:meth:`cause_of` for many units (product id, serial, lot id) in one query: what a
        batch of scans reads."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        rows = self.connection.execute(
            select(
                holds.c.id,
                holds.c.placed_at,
                holds.c.cause,
                holds.c.product_id,
                holds.c.serial,
                holds.c.lot_id,
            ).where(
                _OPEN,
                or_(
                    and_(
                        holds.c.product_id.in_({key[0] for key in wanted}),
                        holds.c.serial.in_({key[1] for key in wanted}),
                    ),
                    holds.c.lot_id.in_({key[2] for key in wanted}),
                ),
            )
        ).all()
        earliest = sorted(rows, key=lambda row: (row.placed_at, row.id))
        causes: dict[tuple[int, str, int], str | None] = {}
        for product_id, serial, lot_id in wanted:
            causes[(product_id, serial, lot_id)] = next(
                (
                    str(row.cause)
                    for row in earliest
                    if (row.product_id == product_id and row.serial == serial)
                    or row.lot_id == lot_id
                ),
                None,
            )
        return causes


_OPEN: Final = holds.c.released_at.is_(None)
_NAMES_UNIT: Final = (holds.c.product_id == units.c.product_id, holds.c.serial == units.c.serial)


def _examples(
    held: ColumnElement[bool], *hold_of_unit: ColumnElement[bool]
) -> Select[str, str, str]:
    """The first held unit by GTIN and serial, with the cause of its earliest open hold of
    the kind ``hold_of_unit`` finds."""
    cause = (
        select(holds.c.cause)
        .where(_OPEN, *hold_of_unit)
        .order_by(holds.c.placed_at, holds.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(products.c.gtin, units.c.serial, cause)
        .join(products, products.c.id == units.c.product_id)
        .where(held)
        .order_by(products.c.gtin, units.c.serial)
        .limit(1)
    )


def _unit_cause() -> DriverStatement:
    """The cause of the earliest open hold on the unit the parameters name, by its row or its
    lot's: two reads, each written so that its partial index answers it (an ``OR`` of the
    two would read the whole table)."""
    columns = (holds.c.cause, holds.c.placed_at, holds.c.id)
    return DriverStatement(
        union_all(
            select(*columns).where(
                _OPEN,
                holds.c.product_id.is_not(None),
                holds.c.product_id == bindparam("product_id"),
                holds.c.serial == bindparam("serial"),
            ),
            select(*columns).where(
                _OPEN, holds.c.lot_id.is_not(None), holds.c.lot_id == bindparam("lot_id")
            ),
        )
        .order_by(literal_column("placed_at"), literal_column("id"))
        .limit(1)
    )


_UNIT_CAUSE: Final = _unit_cause()


def _open_cause(
    product_id: ColumnElement[int], serial: ColumnElement[str], lot_id: ColumnElement[int]
) -> Select[str]:
    """The cause of the earliest open hold on a unit (by its row or its lot's)."""
    return (
        select(holds.c.cause)
        .where(
            holds.c.released_at.is_(None),
            or_(
                and_(holds.c.product_id == product_id, holds.c.serial == serial),
                holds.c.lot_id == lot_id,
            ),
        )
        .order_by(holds.c.placed_at, holds.c.id)
        .limit(1)
    )
