"""The catalog as the console's pages read it: products a page at a time, a product's lots with
their ids, a lot's units counted by state and custodian, and its latest scans.

Every query is bounded: units are counted with one ``GROUP BY`` over the lot's units (found
by their ``(lot_id, seq)`` key, or by the custodian index for a party), never read one by one
into Python; scans are looked for among the scan log's latest rows only (by its key), so a
log of ten million scans is never read through for a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, literal_column, or_, select

from unitrace.registry.model import Lot, Product
from unitrace.store.repositories import lot_from_row, product_from_row
from unitrace.store.schema import lots, products, scans, units
from unitrace.store.times import utc


@dataclass(frozen=True, slots=True)
class UnitCount:
    """Units of one state held by one custodian (None: the brand itself)."""

    state: str
    custodian_id: str | None
    units: int


@dataclass(frozen=True, slots=True)
class HeldUnits:
    """Units of one lot a custodian holds."""

    product_id: int
    lot_id: int
    units: int


@dataclass(frozen=True, slots=True)
class LotScan:
    id: int
    at: dt.datetime
    verdict: str
    serial: str | None
    known: bool
    client: str | None
    city: str | None
    region: str | None
    country: str | None


#: A lot holding at least 1/this of its product's units is counted from the product's units.
_WHOLE_PRODUCT_SHARE = 8


class CatalogFigures:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def products(self, *, limit: int, after: str | None = None) -> list[tuple[int, Product]]:
        """Products by GTIN with their ids, at most ``limit``, those after GTIN ``after`` only
        where it is given (the next page)."""
        query = select(products).order_by(products.c.gtin).limit(limit)
        if after is not None:
            query = query.where(products.c.gtin > after)
        return [(int(row.id), product_from_row(row)) for row in self.connection.execute(query)]

    def products_with_ids(self, product_ids: Collection[int]) -> list[tuple[int, Product]]:
        """The products ``product_ids``, by GTIN, with their ids."""
        if not product_ids:
            return []
        query = select(products).where(products.c.id.in_(product_ids)).order_by(products.c.gtin)
        return [(int(row.id), product_from_row(row)) for row in self.connection.execute(query)]

    def lots_of(
        self, product_id: int, *, limit: int, only: Collection[int] | None = None
    ) -> tuple[list[tuple[int, Lot]], int]:
        """The product's lots with their ids (of the lot ids ``only``, where given), newest
        registered first, at most ``limit``; and how many there are in all."""
        where = [lots.c.product_id == product_id]
        if only is not None:
            where.append(lots.c.id.in_(only))
        rows = self.connection.execute(
            select(lots, products.c.gtin)
            .join(products, products.c.id == lots.c.product_id)
            .where(*where)
            .order_by(lots.c.id.desc())
            .limit(limit)
        )
        found = [(int(row.id), lot_from_row(row)) for row in rows]
        total = self.connection.execute(
            select(func.count()).select_from(lots).where(*where)
        ).scalar_one()
        return found, int(total)

    def lot(self, product_id: int, lot: str) -> tuple[int, Lot] | None:
        """The product's lot ``lot`` with its id."""
        row = self.connection.execute(
            select(lots, products.c.gtin)
            .join(products, products.c.id == lots.c.product_id)
            .where(lots.c.product_id == product_id, lots.c.lot == lot)
        ).first()
        return None if row is None else (int(row.id), lot_from_row(row))

    def unit_counts(self, lot_id: int, *, custodian: str | None = None) -> list[UnitCount]:
        """The lot's units counted by state and custodian; only those ``custodian`` holds
        where one is named (a distributor's view)."""
        condition: ColumnElement[bool] = units.c.lot_id == lot_id
        if custodian is not None:
            condition = self._held_of_lot(lot_id, custodian)
        elif self.connection.dialect.name == "sqlite":
            condition = self._lot_on_sqlite(lot_id)
        rows = self.connection.execute(
            select(units.c.state, units.c.custodian_id, func.count().label("units"))
            .where(condition)
            .group_by(units.c.state, units.c.custodian_id)
        )
        return [UnitCount(row.state, row.custodian_id, int(row.units)) for row in rows]

    def _held_of_lot(self, lot_id: int, custodian: str) -> ColumnElement[bool]:
        """The lot's units ``custodian`` holds, found through whichever is the smaller: the
        custodian's units (its index, counted alone) or the lot's."""
        held = self.connection.execute(
            select(func.count()).select_from(units).where(units.c.custodian_id == custodian)
        ).scalar_one()
        issued = self.connection.execute(select(lots.c.issued).where(lots.c.id == lot_id)).scalar()
        if issued is not None and held < issued:
            # "+ 0": the custodian's index, not the lot's, finds the units
            return and_(
                units.c.custodian_id == custodian, units.c.lot_id + literal_column("0") == lot_id
            )
        return and_(units.c.lot_id == lot_id, units.c.custodian_id == custodian)

    def _lot_on_sqlite(self, lot_id: int) -> ColumnElement[bool]:
        """How SQLite best finds a lot's units to count them. Found by the lot's key, each is
        then sought in the table by its product and serial (some 7 s for a million); read
        in the table's own order, a product's units come at a fraction of that each. So a
        lot of an eighth or more of its product's units is counted from the product's."""
        row = self.connection.execute(
            select(lots.c.product_id, lots.c.issued, products.c.issued.label("of_product"))
            .join(products, products.c.id == lots.c.product_id)
            .where(lots.c.id == lot_id)
        ).first()
        if row is None or row.issued * _WHOLE_PRODUCT_SHARE < row.of_product:
            return units.c.lot_id == lot_id
        # "+ 0": the product's key, not the lot's index, finds the units
        return and_(
            units.c.product_id == row.product_id,
            units.c.lot_id + literal_column("0") == lot_id,
        )

    def held_by(self, custodian: str) -> list[HeldUnits]:
        """Units ``custodian`` holds, by product and lot (found through the custodian index)."""
        rows = self.connection.execute(
            select(units.c.product_id, units.c.lot_id, func.count().label("units"))
            .where(units.c.custodian_id == custodian)
            .group_by(units.c.product_id, units.c.lot_id)
        )
        return [HeldUnits(int(row.product_id), int(row.lot_id), int(row.units)) for row in rows]

    def holds_any(self, custodian: str, lot_id: int) -> bool:
        """Whether ``custodian`` holds at least one unit of the lot."""
        found = self.connection.execute(
            select(exists().where(units.c.custodian_id == custodian, units.c.lot_id == lot_id))
        ).scalar_one()
        return bool(found)

    def recent_scans(
        self,
        *,
        product_id: int,
        lot_id: int,
        lot: str,
        custodian: str | None = None,
        window: int,
        limit: int,
    ) -> list[LotScan]:
        """The lot's scans among the scan log's latest ``window``, newest first, at most
        ``limit``: scans of its units, and scans of codes that claim its lot for the product
        (a counterfeit's, say). With ``custodian``, only scans of units it holds."""
        latest = select(scans).order_by(scans.c.id.desc()).limit(window).subquery("latest_scans")
        of_unit = and_(
            units.c.product_id == latest.c.product_id,
            units.c.serial == latest.c.serial,
            units.c.lot_id == lot_id,
        )
        of_lot: ColumnElement[bool]
        if custodian is not None:
            of_lot = exists().where(of_unit, units.c.custodian_id == custodian)
        else:
            of_lot = or_(latest.c.lot == lot, exists().where(of_unit))
        rows = self.connection.execute(
            select(
                latest.c.id,
                latest.c.at,
                latest.c.verdict,
                latest.c.serial,
                latest.c.known,
                latest.c.client,
                latest.c.city,
                latest.c.region,
                latest.c.country,
            )
            .where(latest.c.product_id == product_id, of_lot)
            .order_by(latest.c.id.desc())
            .limit(limit)
        )
        return [_scan(row) for row in rows]


def _scan(row: Any) -> LotScan:
    return LotScan(
        id=row.id,
        at=utc(row.at),
        verdict=row.verdict,
        serial=row.serial,
        known=bool(row.known),
        client=row.client,
        city=row.city,
        region=row.region,
        country=row.country,
    )
