"""What the console's scan figures are about: a period, a product, a lot, a verdict, a
custodian, and the party whose user asks (:class:`FigureFilter`); checked, and resolved to the
values the count tables key (:class:`FigureScope`).

>>> _period(FigureFilter(first_day=dt.date(2026, 1, 1)), dt.date(2026, 1, 31))
(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
>>> _custodians(BRAND, None), _custodians("dist-a", "dist-b")
(('',), ())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from sqlalchemy import Table

from unitrace.gs1 import Gtin, InvalidCode
from unitrace.registry.errors import InvalidRequest
from unitrace.services.verification.findings import Verdict
from unitrace.store.scan_counts import BRANDS_OWN, DAY, NO_PRODUCT, Span, spans
from unitrace.store.unit_of_work import UnitOfWork

#: The longest period a question may ask about, in days.
MAX_DAYS: Final = 366
#: The period when none is given: the last 30 days, today included.
DEFAULT_DAYS: Final = 30


class Brand(Enum):
    """The brand itself as a custodian: its own units, which no party holds."""

    OWN = "brand"


BRAND: Final = Brand.OWN


@dataclass(frozen=True, slots=True)
class FigureFilter:
    """What the figures are about; every field is optional."""

    first_day: dt.date | None = None
    last_day: dt.date | None = None
    gtin: str | None = None
    lot: str | None = None
    verdict: str | None = None
    custodian: str | Brand | None = None
    #: the party whose user asks: its units' scans alone
    party: str | None = None


#: Every filter left out: every scan of the last 30 days.
LAST_30_DAYS: Final = FigureFilter()
VERDICTS: Final = tuple(verdict.value for verdict in Verdict)


@dataclass(frozen=True, slots=True)
class FigureScope:
    """A filter checked, with its product, lot, custodian and verdict as the tables key them
    (None: any; empty: none at all, as an unknown product)."""

    first: dt.date
    last: dt.date
    catalog: dict[int, tuple[str, str]]
    product_ids: tuple[int, ...] | None
    lot: str | None
    verdicts: tuple[str, ...] | None
    custodians: tuple[str, ...] | None
    #: the months whose month rows are kept
    closed: frozenset[dt.date]
    uow: UnitOfWork = field(repr=False)

    @classmethod
    def of(cls, uow: UnitOfWork, figures: FigureFilter, today: dt.date | None) -> FigureScope:
        first, last = _period(figures, today)
        lot = _lot(figures.lot)
        verdicts = None
        if figures.verdict is not None:
            if figures.verdict not in VERDICTS:
                raise InvalidRequest(
                    f"verdict: {figures.verdict!r} is none of {', '.join(VERDICTS)}"
                )
            verdicts = (figures.verdict,)
        custodians = _custodians(figures.custodian, figures.party)
        catalog = uow.scan_counts.products()
        product_ids = None
        if figures.gtin is not None:
            gtin = _gtin(figures.gtin)
            product_ids = tuple(id for id, (known, _) in catalog.items() if known == gtin)
        closed = uow.scan_counts.closed_months()
        return cls(first, last, catalog, product_ids, lot, verdicts, custodians, closed, uow)

    @property
    def by_product(self) -> bool:
        """Whether the product tables must answer (a product or lot is asked for)."""
        return self.product_ids is not None or self.lot is not None

    @property
    def empty(self) -> bool:
        return any(
            chosen is not None and not chosen
            for chosen in (self.product_ids, self.custodians, self.verdicts)
        )

    def summed(
        self, table: Table, by: Sequence[str], *, daily: bool = False
    ) -> dict[tuple[Any, ...], tuple[int, int]]:
        """The table's scans and first scans in scope, summed by ``by``: over day rows alone
        with ``daily``, else over the fewest rows that cover the period."""
        if self.empty:
            return {}
        where: dict[str, Sequence[Any]] = {}
        if "product_id" in table.c:
            # the key leads with the product: every one where none is asked for
            where["product_id"] = (
                self.product_ids
                if self.product_ids is not None
                else (NO_PRODUCT, *sorted(self.catalog))
            )
        if "lot" in table.c and self.lot is not None:
            where["lot"] = (self.lot,)
        if self.custodians is not None:
            where["custodian"] = self.custodians
        if self.verdicts is not None:
            where["verdict"] = self.verdicts
        if daily:
            periods = [Span(DAY, self.first, self.last)]
        else:
            periods = spans(self.first, self.last, self.closed)
        return self.uow.scan_counts.summed(table, by, periods, where)


def _period(figures: FigureFilter, today: dt.date | None) -> tuple[dt.date, dt.date]:
    last = figures.last_day or today or dt.datetime.now(dt.UTC).date()
    first = figures.first_day or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidRequest(f"period: {first} is after {last}")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidRequest(
            f"period: {first} to {last} is {(last - first).days + 1} days; at most {MAX_DAYS}"
        )
    return first, last


def _gtin(text: str) -> str:
    try:
        return Gtin.parse(text).value
    except (InvalidCode, ValueError) as error:
        raise InvalidRequest(f"gtin: {error}") from None


def _lot(lot: str | None) -> str | None:
    if lot is None:
        return None
    if not lot or len(lot) > 20:
        raise InvalidRequest(f"lot: {lot!r} is not a lot: 1 to 20 characters")
    return lot


def check_party(party: str, name: str) -> None:
    if not party or len(party) > 64:
        raise InvalidRequest(f"{name}: {party!r} is not a party id: 1 to 64 characters")


def _custodians(custodian: str | Brand | None, party: str | None) -> tuple[str, ...] | None:
    chosen: tuple[str, ...] | None = None
    if isinstance(custodian, Brand):
        chosen = (BRANDS_OWN,)
    elif custodian is not None:
        check_party(custodian, "custodian")
        chosen = (custodian,)
    if party is None:
        return chosen
    check_party(party, "party")
    # a party's user sees its own units' scans, and no other custodian's
    return (party,) if chosen is None or chosen == (party,) else ()


def check_limit(name: str, value: int, most: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise InvalidRequest(f"{name}: {value!r} is not a whole number from 1 to {most}")
