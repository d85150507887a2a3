"""Distributor accountability at a glance: what a party holds and was sent, where its units are
scanned against its territory, and the grey-market alerts that name it.

Who may look is the API's rule for parties and for a distributor's own: the brand's admin sees
every party; a distributor's user sees its own party only (another party is "not registered",
as an unknown one is); the line and verifier roles see none. Every list is bounded: the lots
it holds most of, its latest shipments, alerts and out-of-territory scans; where its units were
scanned is read from the latest :data:`SCAN_WINDOW` scans of the log (all of them in a young
registry), and the page says so when the log holds more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from unitrace.epcis.cbv import BIZ_STEP, spellings
from unitrace.places import Place
from unitrace.registry.errors import Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, Party, Role
from unitrace.services.verification.findings import AlertType
from unitrace.services.verification.grey_market import within
from unitrace.store.custody import (
    AreaScans,
    CustodyFigures,
    Holding,
    PartyAlert,
    ShipmentTo,
    UnitScan,
)
from unitrace.store.unit_of_work import UnitOfWork

#: How much of each list a party page shows, and how many parties a page of the list holds.
HOLDINGS_LIMIT: Final = 25
SHIPMENTS_LIMIT: Final = 10
ALERTS_LIMIT: Final = 20
OUTSIDE_SCANS_LIMIT: Final = 20
PARTIES_PER_PAGE: Final = 50
#: How many of the latest scans of the log a party page reads to place its units' scans: the
#: page's work is bounded whatever the log's size, and it says when the log holds more.
SCAN_WINDOW: Final = 50_000
#: The longest party id there is (``parties.id``).
PARTY_ID_LENGTH: Final = 64


@dataclass(frozen=True, slots=True)
class AreaFigure:
    """The scans of a party's units in one place (its ISO 3166-2 region where known, else its
    country), by verdict, and whether the place lies outside the party's territory (None where
    the party has no territory or the place is not known well enough to tell)."""

    area: str
    scans: int
    by_verdict: Mapping[str, int]
    outside: bool | None


@dataclass(frozen=True, slots=True)
class PartyAccountability:
    party: Party
    units_held: int
    #: the lots it holds most units of, and in how many lots it holds units
    holdings: tuple[Holding, ...]
    lots_held: int
    #: its latest shipments, how many it was sent and the units they moved
    shipments: tuple[ShipmentTo, ...]
    shipments_received: int
    units_received: int
    #: its latest grey-market alerts, and how many there are by status
    alerts: tuple[PartyAlert, ...]
    alerts_by_status: Mapping[str, int]
    #: where the units it holds were scanned, most scans first
    areas: tuple[AreaFigure, ...]
    #: the scans made outside its territory, and the latest of them
    scans_outside: int
    outside_scans: tuple[UnitScan, ...]
    #: scans whose place is not known
    scans_unplaced: int = 0
    #: how many of the log's latest scans were read, where the log holds more (else None)
    scan_window: int | None = None

    @property
    def scans(self) -> int:
        return sum(area.scans for area in self.areas) + self.scans_unplaced

    @property
    def open_alerts(self) -> int:
        return sum(n for status, n in self.alerts_by_status.items() if status != "closed")

    @property
    def map_areas(self) -> dict[str, int]:
        """Scans by place, for the map."""
        return {area.area: area.scans for area in self.areas}


@dataclass(frozen=True, slots=True)
class PartyRow:
    """A party in the list: the units it holds and its open grey-market alerts."""

    party: Party
    units_held: int
    open_alerts: int


@dataclass(frozen=True, slots=True)
class PartiesPage:
    rows: tuple[PartyRow, ...]
    page: int
    pages: int
    total: int
    #: the parties' territories, for one map of them all
    territories: tuple[str, ...] = field(default=())


def check_party_reader(actor: Actor) -> None:
    """Only the brand's admin and distributors' users see parties."""
    if actor.role not in (Role.ADMIN, Role.DISTRIBUTOR):
        raise Forbidden(f"a {actor.role.value} may not see parties; needs admin or distributor")
    if actor.role is Role.DISTRIBUTOR and actor.party_id is None:
        raise Forbidden(f"distributor {actor.name} is bound to no party")


def parties_page(uow: UnitOfWork, *, page: int, actor: Actor) -> PartiesPage:
    """Page ``page`` (from 1) of every party, by id, for the brand's admin."""
    if actor.role is not Role.ADMIN:
        raise Forbidden(f"a {actor.role.value} may not list parties; needs admin")
    if page < 1:
        raise InvalidRequest(f"page: {page} is below 1, the first page")
    figures = CustodyFigures(uow.connection)
    parties, total = figures.parties_page(
        offset=(page - 1) * PARTIES_PER_PAGE, limit=PARTIES_PER_PAGE
    )
    pages = max(1, -(-total // PARTIES_PER_PAGE))
    if page > pages:
        raise NotFound(f"page: there are {pages:,} pages of parties, not {page:,}")
    ids = [party.id for party in parties]
    held = figures.held_counts(ids)
    alerts = figures.open_alert_counts(ids, AlertType.GREY_MARKET)
    rows = tuple(PartyRow(p, held.get(p.id, 0), alerts.get(p.id, 0)) for p in parties)
    territories = tuple(sorted({code for party in parties for code in party.territory}))
    return PartiesPage(rows, page, pages, total, territories)


def party_accountability(uow: UnitOfWork, party_id: str, *, actor: Actor) -> PartyAccountability:
    """The page of ``party_id`` for ``actor``."""
    check_party_reader(actor)
    unknown = NotFound(f"party: {party_id[:PARTY_ID_LENGTH]!r} is not registered")
    if not _may_be_party_id(party_id):
        raise unknown
    if actor.role is Role.DISTRIBUTOR and party_id != actor.party_id:
        raise unknown
    party = uow.parties.get(party_id)
    if party is None:
        raise unknown
    figures = CustodyFigures(uow.connection)
    holdings, lots_held = figures.holdings(party.id, limit=HOLDINGS_LIMIT)
    shipments, received, units_received = figures.shipments_to(
        party.id, spellings(BIZ_STEP, "shipping"), limit=SHIPMENTS_LIMIT
    )
    alerts, by_status = figures.alerts_of(party.id, AlertType.GREY_MARKET, limit=ALERTS_LIMIT)
    scanned = figures.scan_areas(party.id, window=SCAN_WINDOW)
    read, more = figures.scans_read(SCAN_WINDOW)
    areas, unplaced = _areas(scanned, party.territory)
    outside = [area for area in areas if area.outside]
    outside_names = {area.area for area in outside}
    outside_places = sorted(
        {
            (row.country, row.region)
            for row in scanned
            if (row.region or row.country) in outside_names
        },
        key=lambda pair: (pair[0] or "", pair[1] or ""),
    )
    return PartyAccountability(
        party=party,
        units_held=figures.held_counts([party.id]).get(party.id, 0),
        holdings=tuple(holdings),
        lots_held=lots_held,
        shipments=tuple(shipments),
        shipments_received=received,
        units_received=units_received,
        alerts=tuple(alerts),
        alerts_by_status=by_status,
        areas=areas,
        scans_outside=sum(area.scans for area in outside),
        outside_scans=tuple(
            figures.latest_scans_in(
                party.id, outside_places, window=SCAN_WINDOW, limit=OUTSIDE_SCANS_LIMIT
            )
        ),
        scans_unplaced=unplaced,
        scan_window=read if more else None,
    )


def _may_be_party_id(text: str) -> bool:
    """Whether ``text`` has the shape of a party id (as ``register_party`` allows them), so
    that nothing else is looked up.

    >>> _may_be_party_id("dist-a"), _may_be_party_id("a/b"), _may_be_party_id("x" * 65)
    (True, False, False)
    """
    return 0 < len(text) <= PARTY_ID_LENGTH and all(c.isalnum() or c in "-_." for c in text)


def _areas(
    scanned: Sequence[AreaScans], territory: tuple[str, ...]
) -> tuple[tuple[AreaFigure, ...], int]:
    """The scans of a party's units by place, most first, and those of no known place."""
    tally: dict[str, dict[str, int]] = {}
    unplaced = 0
    for row in scanned:
        area = row.region or row.country
        if area is None:
            unplaced += row.scans
            continue
        verdicts = tally.setdefault(area, {})
        verdicts[row.verdict] = verdicts.get(row.verdict, 0) + row.scans
    found = [
        AreaFigure(
            area,
            sum(verdicts.values()),
            dict(sorted(verdicts.items())),
            _outside(area, territory),
        )
        for area, verdicts in tally.items()
    ]
    found.sort(key=lambda figure: (-figure.scans, figure.area))
    return tuple(found), unplaced


def _outside(area: str, territory: tuple[str, ...]) -> bool | None:
    """Whether ``area`` (a region ``MY-14`` or a country ``SG``) lies outside ``territory``,
    as the grey-market detector judges a scan's place.

    >>> _outside("MY-10", ("MY-14", "MY-10")), _outside("SG", ("MY-14",)), _outside("MY", ("MY-14",))
    (False, True, None)
    """
    if not territory:
        return None
    country, _, _ = area.partition("-")
    place = Place(country=country, region=area if "-" in area else None)
    inside = within(place, territory)
    return None if inside is None else not inside
