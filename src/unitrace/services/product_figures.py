"""The catalog as the console shows it: products with their serial format and how guessable
their serials are, a product with its lots and detection rules, a lot with its units counted by
state and by custodian and its latest scans, each as the person signed in may see it.

The brand's people (admin, line and verifier users) see the whole catalog. A distributor's
user sees the products and lots of which its party holds units, and of a lot only the units it
holds and their scans; the brand's figures (serials issued, guess probability, detection rules)
are not shown to it. Any other product or lot is "not registered" to it, as an unknown one is.

Every figure is read bounded (:class:`~unitrace.store.catalog_figures.CatalogFigures`): a lot
of a million units is counted by the database, never read unit by unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from unitrace.registry.errors import Forbidden, NotFound
from unitrace.registry.model import Actor, Lot, Product, Role, UnitState
from unitrace.serials import Guessability
from unitrace.services.catalog import MAXIMUM_GUESS_PROBABILITY, effective_rules, parse_gtin
from unitrace.services.scan_figure_filter import FigureFilter
from unitrace.services.scan_figures import VerdictCounts, scans_per_day
from unitrace.store.catalog_figures import LotScan, UnitCount
from unitrace.store.unit_of_work import UnitOfWork

#: Products on a page of the list.
PRODUCTS_PER_PAGE: Final = 100
#: Lots a product's page lists (the newest registered).
LOTS_SHOWN: Final = 200
#: Custodians a lot's page names; the rest are counted together.
CUSTODIANS_SHOWN: Final = 50
#: The latest scans of the whole log a lot's scans are looked for among, and how many shown.
SCAN_WINDOW: Final = 10_000
SCANS_SHOWN: Final = 20


@dataclass(frozen=True, slots=True)
class ProductLine:
    """A product as the list shows it."""

    product: Product
    #: how guessable its serials are now (issued ÷ possible)
    guess: Guessability
    #: units the distributor's party holds; None for the brand's people
    held: int | None = None

    @property
    def room(self) -> int:
        """Serials that may still be issued within the guess rule."""
        return self.guess.room(MAXIMUM_GUESS_PROBABILITY)


@dataclass(frozen=True, slots=True)
class ProductPage:
    lines: tuple[ProductLine, ...]
    #: the GTIN the next page starts after; None on the last page
    next_after: str | None
    #: whether the reader sees the brand's figures (issued, guess probability, rules)
    brand_view: bool


@dataclass(frozen=True, slots=True)
class LotLine:
    lot: Lot
    #: units of it the distributor's party holds; None for the brand's people
    held: int | None = None


@dataclass(frozen=True, slots=True)
class ProductView:
    line: ProductLine
    lots: tuple[LotLine, ...]
    #: lots the product has in all (for the brand), or that the party holds units of
    lots_total: int
    #: the rules its scans are judged by (its own, else the defaults); None for a distributor
    rules: dict[str, int | float | bool] | None
    #: the rules it sets itself
    own_rules: dict[str, int | float | bool]

    @property
    def brand_view(self) -> bool:
        return self.rules is not None


@dataclass(frozen=True, slots=True)
class CustodianCount:
    #: the party; None for the brand's own units
    party_id: str | None
    name: str
    units: int


@dataclass(frozen=True, slots=True)
class LotView:
    product: Product
    lot: Lot
    #: units by state, in the order of the state table, states with none left out
    by_state: tuple[tuple[UnitState, int], ...]
    #: units by custodian, most first, at most :data:`CUSTODIANS_SHOWN`
    by_custodian: tuple[CustodianCount, ...]
    #: units held by the custodians not named
    other_custodians: int
    units: int
    scans: tuple[LotScan, ...]
    #: the latest scans of the log the lot's were looked for among
    scan_window: int
    #: the lot's scans of the last 30 days by verdict, from the scan counts
    last_30_days: VerdictCounts
    #: the distributor's party whose units alone are counted; None for the brand's people
    party: str | None


def product_page(uow: UnitOfWork, *, actor: Actor, after: str | None = None) -> ProductPage:
    """A page of products, by GTIN, starting after GTIN ``after``."""
    party = _party_seen_by(actor)
    if party is None:
        found = uow.catalog_figures.products(limit=PRODUCTS_PER_PAGE + 1, after=after)
        lines = [ProductLine(product, _guess(product)) for _, product in found]
        more = len(lines) > PRODUCTS_PER_PAGE
        lines = lines[:PRODUCTS_PER_PAGE]
        next_after = lines[-1].product.gtin.value if more else None
        return ProductPage(tuple(lines), next_after, brand_view=True)
    # a distributor holds units of a bounded number of lots: all its products on one page
    held_by_product: dict[int, int] = {}
    for held in uow.catalog_figures.held_by(party):
        held_by_product[held.product_id] = held_by_product.get(held.product_id, 0) + held.units
    found = uow.catalog_figures.products_with_ids(held_by_product)
    lines = [
        ProductLine(product, _guess(product), held_by_product.get(product_id, 0))
        for product_id, product in found
    ]
    return ProductPage(tuple(lines), None, brand_view=False)


def product_view(uow: UnitOfWork, *, actor: Actor, gtin: str) -> ProductView:
    """A product with its lots, and its detection rules for the brand's people."""
    party = _party_seen_by(actor)
    product_id, product = _product(uow, gtin)
    if party is None:
        lots, total = uow.catalog_figures.lots_of(product_id, limit=LOTS_SHOWN)
        return ProductView(
            ProductLine(product, _guess(product)),
            tuple(LotLine(lot) for _, lot in lots),
            total,
            effective_rules(product),
            product.detection_rules.given,
        )
    held = {
        h.lot_id: h.units for h in uow.catalog_figures.held_by(party) if h.product_id == product_id
    }
    lots, total = uow.catalog_figures.lots_of(product_id, limit=LOTS_SHOWN, only=held)
    if not lots:
        raise _not_registered_product(product.gtin.value)
    return ProductView(
        ProductLine(product, _guess(product), sum(held.values())),
        tuple(LotLine(lot, held[lot_id]) for lot_id, lot in lots),
        total,
        None,
        {},
    )


def lot_view(uow: UnitOfWork, *, actor: Actor, gtin: str, lot: str) -> LotView:
    """A lot with its units by state and by custodian and its latest scans; a distributor
    sees only the units its party holds, and no lot it holds none of."""
    party = _party_seen_by(actor)
    product_id, product = _product(uow, gtin)
    found = uow.catalog_figures.lot(product_id, lot)
    if found is None or (party is not None and not uow.catalog_figures.holds_any(party, found[0])):
        raise NotFound(f"lot: {lot} of {product.gtin.value} is not registered")
    lot_id, registered = found
    counts = uow.catalog_figures.unit_counts(lot_id, custodian=party)
    by_custodian, others = _custodians(uow, counts)
    scans = uow.catalog_figures.recent_scans(
        product_id=product_id,
        lot_id=lot_id,
        lot=registered.lot,
        custodian=party,
        window=SCAN_WINDOW,
        limit=SCANS_SHOWN,
    )
    return LotView(
        product=product,
        lot=registered,
        by_state=_states(counts),
        by_custodian=by_custodian,
        other_custodians=others,
        units=sum(count.units for count in counts),
        scans=tuple(scans),
        scan_window=SCAN_WINDOW,
        last_30_days=scans_per_day(
            uow, FigureFilter(gtin=product.gtin.value, lot=registered.lot, party=party)
        ).totals,
        party=party,
    )


def _party_seen_by(actor: Actor) -> str | None:
    """The party whose units alone ``actor`` sees; None for the brand's people."""
    if actor.role is not Role.DISTRIBUTOR:
        return None
    if actor.party_id is None:
        raise Forbidden(f"distributor {actor.name} is bound to no party, so holds no units")
    return actor.party_id


def _product(uow: UnitOfWork, gtin: str) -> tuple[int, Product]:
    key = parse_gtin(gtin)
    found = uow.products.with_id(key)
    if found is None:
        raise _not_registered_product(key.value)
    return found


def _not_registered_product(gtin: str) -> NotFound:
    return NotFound(f"gtin: {gtin} is not a registered product")


def _guess(product: Product) -> Guessability:
    return Guessability(product.issued, product.serial_format.possible)


def _states(counts: list[UnitCount]) -> tuple[tuple[UnitState, int], ...]:
    by_state: dict[str, int] = {}
    for count in counts:
        by_state[count.state] = by_state.get(count.state, 0) + count.units
    return tuple((state, by_state[state.value]) for state in UnitState if state.value in by_state)


def _custodians(uow: UnitOfWork, counts: list[UnitCount]) -> tuple[tuple[CustodianCount, ...], int]:
    by_custodian: dict[str | None, int] = {}
    for count in counts:
        by_custodian[count.custodian_id] = by_custodian.get(count.custodian_id, 0) + count.units
    ranked = sorted(by_custodian.items(), key=lambda item: (-item[1], item[0] or ""))
    shown = ranked[:CUSTODIANS_SHOWN]
    named = []
    for party_id, units in shown:
        party = uow.parties.get(party_id) if party_id is not None else None
        name = "brand" if party_id is None else (party.name if party else party_id)
        named.append(CustodianCount(party_id, name, units))
    return tuple(named), sum(units for _, units in ranked[CUSTODIANS_SHOWN:])
