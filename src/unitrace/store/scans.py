"""The scan log: every verification, as it came and as it was answered; append-only.

A unit's history is read newest first through the (product, serial, at) index and never more
than a bounded window of it, so a code scanned a million times costs what one scanned fifty
times does; its first scan and count are read from its summary (:mod:`unitrace.store.
unit_scans`, kept as scans are logged), and only when the window is full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    false,
    func,
    insert,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.sql.elements import ColumnElement

from unitrace.places import Place
from unitrace.store.driver_statements import DriverStatement
from unitrace.store.scan_counts import BRANDS_OWN, CountedScan, ScanCounts
from unitrace.store.schema import lots, scans, units
from unitrace.store.times import utc
from unitrace.store.unit_scans import UnitScans


@dataclass(frozen=True, slots=True)
class ScanEntry:
    """One scan to log."""

    at: dt.datetime
    raw: str
    verdict: str
    reasons: tuple[str, ...]
    known: bool
    place: Place
    product_id: int | None = None
    serial: str | None = None
    gtin: str | None = None
    lot: str | None = None
    expiry: dt.date | None = None
    parse_error: str | None = None
    client: str | None = None
    user_agent: str | None = None
    #: the caller's address, hashed (public scans)
    address: str | None = None
    # what the scan counts need besides (store.scan_counts); not logged
    #: the unit's lot, when the code names a unit of ours
    unit_lot: str | None = None
    #: the unit's custodian when it was scanned; None for the brand's own
    custodian_id: str | None = None
    #: whether it was its unit's first scan (answered as such)
    first_scan: bool = False


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """A logged scan, as the detectors read it."""

    id: int
    at: dt.datetime
    verdict: str
    reasons: tuple[str, ...]
    client: str | None
    place: Place
    #: the hash of the address a public scan came from
    address: str | None = None


@dataclass(frozen=True, slots=True)
class PlacedScan:
    """A scan with coordinates, as the console's map shows it."""

    at: dt.datetime
    verdict: str
    gtin: str | None
    lot: str | None
    place: Place


class ScanLog:
    """The scan log of a unit of work; every scan it logs is tallied in ``counts`` and, where
    it names a unit, in the unit's summary (``summaries``)."""

    def __init__(self, connection: Connection, counts: ScanCounts, summaries: UnitScans) -> None:
        self.connection = connection
        self.counts = counts
        self.summaries = summaries

    def add(self, entry: ScanEntry) -> int:
        place = entry.place
        (row,) = _INSERT.rows(
            self.connection,
            {
                "at": entry.at.astimezone(dt.UTC),
                "product_id": entry.product_id,
                "serial": entry.serial,
                "gtin": entry.gtin,
                "lot": entry.lot,
                "expiry": entry.expiry,
                "raw": entry.raw,
                "parse_error": entry.parse_error,
                "verdict": entry.verdict,
                "reasons": list(entry.reasons),
                "known": entry.known,
                "client": entry.client,
                "address": entry.address,
                "user_agent": entry.user_agent,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "city": place.city,
                "region": place.region,
                "country": place.country,
            },
        )
        # counted once logged
        self.counts.tally(
            CountedScan(
                at=entry.at,
                verdict=entry.verdict,
                product_id=entry.product_id,
                lot=entry.unit_lot or entry.lot,
                custodian=entry.custodian_id,
                country=place.country,
                region=place.region,
                first_scan=entry.first_scan,
            )
        )
        scan_id = int(row[0])
        if entry.product_id is not None and entry.serial is not None:
            self.summaries.note(entry.product_id, entry.serial, entry.verdict, entry.at, scan_id)
        return scan_id

    def recent_of_unit(
        self, product_id: int, serial: str, *, limit: int, excluding: str | None = None
    ) -> list[ScanRecord]:
        """The unit's last ``limit`` scans, newest first; scans with verdict ``excluding``
        left out."""
        key = (limit, excluding is not None)
        query = _RECENT.get(key)
        if query is None:
            chosen = (
                select(*_RECORD_COLUMNS)
                .where(
                    scans.c.product_id == bindparam("product_id"),
                    scans.c.serial == bindparam("serial"),
                )
                .order_by(scans.c.at.desc(), scans.c.id.desc())
                .limit(limit)
            )
            if excluding is not None:
                chosen = chosen.where(scans.c.verdict != bindparam("excluding"))
            query = _RECENT[key] = DriverStatement(chosen)
        params: dict[str, Any] = {"product_id": product_id, "serial": serial}
        if excluding is not None:
            params["excluding"] = excluding
        return [_record(*row) for row in query.rows(self.connection, params)]

    def first_of_unit(
        self, product_id: int, serial: str, *, excluding: str | None = None
    ) -> tuple[ScanRecord | None, int]:
        """The unit's first scan, and how many scans it has had; scans with verdict
        ``excluding`` left out."""
        where = [scans.c.product_id == product_id, scans.c.serial == serial]
        if excluding is not None:
            where.append(scans.c.verdict != excluding)
        count = self.connection.execute(
            select(func.count()).select_from(scans).where(*where)
        ).scalar_one()
        row = self.connection.execute(
            select(*_RECORD_COLUMNS).where(*where).order_by(scans.c.at, scans.c.id).limit(1)
        ).first()
        return (None if row is None else _record(*cast(tuple[Any, ...], row))), int(count)

    def summary_of_unit(self, product_id: int, serial: str) -> tuple[ScanRecord | None, int]:
        """The unit's first scan not answered counterfeit, and how many it has had: what
        :meth:`first_of_unit` finds with ``excluding="counterfeit"``, from the unit's summary
        and its first's row, two reads by key however many scans the unit has had."""
        count, first_id = self.summaries.of_unit(product_id, serial)
        if first_id is None:
            return None, 0
        (row,) = _BY_ID.rows(self.connection, {"id": first_id})
        return _record(*row), count

    def trail_of_unit(
        self, product_id: int, serial: str, *, until: dt.datetime, limit: int
    ) -> list[ScanRecord]:
        """The unit's last ``limit`` scans made at ``until`` or before, newest first: the
        trail an alert about it was raised on (the console draws it)."""
        rows = self.connection.execute(
            select(*_RECORD_COLUMNS)
            .where(
                scans.c.product_id == product_id,
                scans.c.serial == serial,
                scans.c.at <= until.astimezone(dt.UTC),
            )
            .order_by(scans.c.at.desc(), scans.c.id.desc())
            .limit(limit)
        )
        return [_record(*row) for row in rows]

    def count_by_client(self, client: str, *, since: dt.datetime, verdict: str) -> int:
        """How many scans of codes naming no unit, with ``verdict``, ``client`` made since
        ``since``."""
        return int(
            self.connection.execute(
                _BY_CLIENT,
                {"client": client, "since": since.astimezone(dt.UTC), "verdict": verdict},
            ).scalar_one()
        )

    def count_by_address(self, address: str, *, since: dt.datetime, verdict: str) -> int:
        """How many scans of codes naming no unit, with ``verdict``, came from ``address``
        (hashed) since ``since``."""
        return int(
            self.connection.execute(
                _BY_ADDRESS,
                {"address": address, "since": since.astimezone(dt.UTC), "verdict": verdict},
            ).scalar_one()
        )

    def latest_placed(
        self,
        since: dt.datetime,
        until: dt.datetime,
        *,
        limit: int,
        window: int,
        product_ids: Sequence[int] | None = None,
        lot: str | None = None,
        verdicts: Sequence[str] | None = None,
        custodians: Sequence[str] | None = None,
    ) -> list[PlacedScan]:
        """The newest ``limit`` scans with coordinates made from ``since`` until before
        ``until``, newest first, among the newest ``window`` of them at most: read down the
        log's time index a page at a time (each page larger than the one before) with what the
        filters look at, until enough pass them; a filter that matches little costs ``window``
        rows at most. ``lot`` is the unit's lot (else the code's), ``custodians`` the unit's
        custodians now ('' for the brand's own); None for any.

        A lot or a party is looked for among its own units: each page of scans is joined with
        them as a whole (the planner hashes a lot's or a distributor's units once, or looks
        each scan's unit up where they are many), not by a lookup of each scan's unit; the
        brand's own units, most of them, are looked up scan by scan."""
        matched: list[int] = []
        examined = 0
        after: tuple[dt.datetime, int] | None = None
        page_size = max(limit, 500)
        among_units = (lot is not None or custodians is not None) and (
            custodians is None or BRANDS_OWN not in custodians
        )
        while len(matched) < limit and examined < window:
            size = min(page_size, window - examined)
            if among_units:
                chosen = _page_among_units(
                    since, until, size, after, lot=lot, product_ids=product_ids,
                    custodians=custodians,
                )  # fmt: skip
            else:
                chosen = _page(
                    since, until, size, after, looked_up=lot is not None or custodians is not None
                )
            rows = self.connection.execute(chosen).all()
            if not rows:
                break
            examined += len(rows)
            after = (rows[-1].at, rows[-1].id)
            matched += [
                row.id
                for row in rows
                if (product_ids is None or row.product_id in product_ids)
                and (verdicts is None or row.verdict in verdicts)
                and (
                    bool(row.matches)
                    if among_units
                    else (lot is None or row.lot == lot)
                    and (custodians is None or row.custodian in custodians)
                )
            ][: limit - len(matched)]
            if len(rows) < page_size:
                break
            page_size *= 4
        if not matched:
            return []
        lot_of = func.coalesce(lots.c.lot, scans.c.lot)
        shown = (
            select(
                scans.c.at,
                scans.c.latitude,
                scans.c.longitude,
                scans.c.verdict,
                scans.c.gtin,
                lot_of.label("lot"),
                scans.c.city,
                scans.c.region,
                scans.c.country,
            )
            .select_from(
                scans.outerjoin(
                    units,
                    and_(
                        scans.c.known,
                        units.c.product_id == scans.c.product_id,
                        units.c.serial == scans.c.serial,
                    ),
                ).outerjoin(lots, lots.c.id == units.c.lot_id)
            )
            .where(scans.c.id.in_(matched))
            .order_by(scans.c.at.desc(), scans.c.id.desc())
        )
        return [
            PlacedScan(
                at=utc(row.at),
                verdict=row.verdict,
                gtin=row.gtin,
                lot=row.lot,
                place=Place(row.latitude, row.longitude, row.city, row.region, row.country),
            )
            for row in self.connection.execute(shown)
        ]

    def get(self, scan_id: int) -> Row[Any] | None:
        """The whole logged row, as stored."""
        return self.connection.execute(select(scans).where(scans.c.id == scan_id)).first()

    def count(self) -> int:
        return int(self.connection.execute(select(func.count()).select_from(scans)).scalar_one())


def _newest(
    since: dt.datetime, until: dt.datetime, after: tuple[dt.datetime, int] | None
) -> Select[tuple[dt.datetime, int, int | None, str]]:
    """The scans with coordinates made from ``since`` until before ``until`` (older than
    ``after``), newest first."""
    query = select(scans.c.at, scans.c.id, scans.c.product_id, scans.c.verdict).where(
        scans.c.at >= since.astimezone(dt.UTC),
        scans.c.at < until.astimezone(dt.UTC),
        scans.c.latitude.is_not(None),
    )
    if after is not None:
        # typed as the columns are: SQLite compares times as the text they are kept as
        query = query.where(tuple_(scans.c.at, scans.c.id) < after)
    return query.order_by(scans.c.at.desc(), scans.c.id.desc())


def _page(
    since: dt.datetime,
    until: dt.datetime,
    size: int,
    after: tuple[dt.datetime, int] | None,
    *,
    looked_up: bool,
) -> Select[Any]:
    """A page of the newest scans; ``looked_up``: with the lot and custodian of each scan's
    unit (else the code's lot and the brand's own), one lookup by key per scan read."""
    page: Select[Any] = _newest(since, until, after).limit(size)
    if looked_up:
        page = page.add_columns(
            func.coalesce(lots.c.lot, scans.c.lot).label("lot"),
            func.coalesce(units.c.custodian_id, BRANDS_OWN).label("custodian"),
        ).select_from(
            scans.outerjoin(
                units,
                and_(
                    scans.c.known,
                    units.c.product_id == scans.c.product_id,
                    units.c.serial == scans.c.serial,
                ),
            ).outerjoin(lots, lots.c.id == units.c.lot_id)
        )
    return page


def _page_among_units(
    since: dt.datetime,
    until: dt.datetime,
    size: int,
    after: tuple[dt.datetime, int] | None,
    *,
    lot: str | None,
    product_ids: Sequence[int] | None,
    custodians: Sequence[str] | None,
) -> Select[Any]:
    """A page of the newest scans, each with whether it ``matches``: its unit is one of the
    units of ``lot`` (of one of ``product_ids`` where given) held by one of ``custodians``
    (parties all, where given), or, with ``lot`` alone, it names no unit of ours and its code
    says ``lot``. The page is joined with those units as a whole."""
    page = (
        _newest(since, until, after)
        .add_columns(scans.c.serial, scans.c.known, scans.c.lot)
        .limit(size)
        .subquery("page")
    )
    held = select(units.c.product_id, units.c.serial)
    if lot is not None:
        lot_ids = select(lots.c.id).where(lots.c.lot == lot)
        if product_ids is not None:
            lot_ids = lot_ids.where(lots.c.product_id.in_(list(product_ids)))
        held = held.where(units.c.lot_id.in_(lot_ids))
    if custodians is not None:
        held = held.where(units.c.custodian_id.in_(list(custodians)))
    ours = held.subquery("ours")
    matches: ColumnElement[bool] = ours.c.serial.is_not(None)
    if lot is not None and custodians is None:
        # a code that names no unit of ours is of the lot it says (and the brand's own)
        matches = or_(matches, and_(not_(page.c.known), page.c.lot == lot))
    return (
        select(page.c.at, page.c.id, page.c.product_id, page.c.verdict, matches.label("matches"))
        .select_from(
            page.outerjoin(
                ours,
                and_(
                    page.c.known,
                    ours.c.product_id == page.c.product_id,
                    ours.c.serial == page.c.serial,
                ),
            )
        )
        .order_by(page.c.at.desc(), page.c.id.desc())
    )


# Statements on the verification hot path.
_INSERT = DriverStatement(
    insert(scans)
    .values({column.name: bindparam(column.name) for column in scans.c if column.name != "id"})
    .returning(scans.c.id)
)
#: what the detectors read of a scan, in :func:`_record`'s order
_RECORD_COLUMNS = (
    scans.c.id,
    scans.c.at,
    scans.c.verdict,
    scans.c.reasons,
    scans.c.client,
    scans.c.latitude,
    scans.c.longitude,
    scans.c.city,
    scans.c.region,
    scans.c.country,
    scans.c.address,
)
_RECENT: dict[tuple[int, bool], DriverStatement] = {}
_BY_ID = DriverStatement(select(*_RECORD_COLUMNS).where(scans.c.id == bindparam("id")))


def _guesses_by(caller: Any) -> Select[Any]:
    """How many scans of codes naming no unit, with a verdict, one caller (by ``caller``, a
    column) made since a time: a unit blocked or a pack with the wrong lot is no guess."""
    return (
        select(func.count())
        .select_from(scans)
        .where(
            caller == bindparam(caller.name),
            scans.c.at >= bindparam("since", type_=scans.c.at.type),
            scans.c.verdict == bindparam("verdict"),
            scans.c.known.is_(false()),
        )
    )


_BY_CLIENT = _guesses_by(scans.c.client)
_BY_ADDRESS = _guesses_by(scans.c.address)


def _record(
    id: int,
    at: dt.datetime,
    verdict: str,
    reasons: list[str],
    client: str | None,
    latitude: float | None,
    longitude: float | None,
    city: str | None,
    region: str | None,
    country: str | None,
    address: str | None,
) -> ScanRecord:
    return ScanRecord(
        id=id,
        at=utc(at),
        verdict=verdict,
        reasons=tuple(reasons),
        client=client,
        place=Place(latitude, longitude, city, region, country),
        address=address,
    )
