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

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select

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
        where = [units.c.lot_id == lot_id]
        if custodian is not None:
            where.append(units.c.custodian_id == custodian)
        rows = self.connection.execute(
            select(units.c.state, units.c.custodian_id, func.count().label("units"))
            .where(*where)
            .group_by(units.c.state, units.c.custodian_id)
        )
        return [UnitCount(row.state, row.custodian_id, int(row.units)) for row in rows]

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
