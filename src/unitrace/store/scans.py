"""The scan log: every verification, as it came and as it was answered; append-only.

A unit's history is read newest first through the (product, serial, at) index and never more
than a bounded window of it, so a code scanned a million times costs what one scanned fifty
times does; the first scan and the count are asked for only when the window is full.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, func, insert, select

from unitrace.places import Place
from unitrace.store.schema import scans


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


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """A logged scan, as the detectors read it."""

    id: int
    at: dt.datetime
    verdict: str
    reasons: tuple[str, ...]
    client: str | None
    place: Place


class ScanLog:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, entry: ScanEntry) -> int:
        place = entry.place
        result = self.connection.execute(
            _INSERT,
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
                "user_agent": entry.user_agent,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "city": place.city,
                "region": place.region,
                "country": place.country,
            },
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def recent_of_unit(
        self, product_id: int, serial: str, *, limit: int, excluding: str | None = None
    ) -> list[ScanRecord]:
        """The unit's last ``limit`` scans, newest first; scans with verdict ``excluding``
        left out."""
        key = (limit, excluding is not None)
        query = _RECENT.get(key)
        if query is None:
            query = (
                select(scans)
                .where(
                    scans.c.product_id == bindparam("product_id"),
                    scans.c.serial == bindparam("serial"),
                )
                .order_by(scans.c.at.desc(), scans.c.id.desc())
                .limit(limit)
            )
            if excluding is not None:
                query = query.where(scans.c.verdict != bindparam("excluding"))
            _RECENT[key] = query
        params: dict[str, Any] = {"product_id": product_id, "serial": serial}
        if excluding is not None:
            params["excluding"] = excluding
        rows = self.connection.execute(query, params)
        return [_record(row) for row in rows]

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
            select(scans).where(*where).order_by(scans.c.at, scans.c.id).limit(1)
        ).first()
        return (None if row is None else _record(row)), int(count)

    def count_by_client(self, client: str, *, since: dt.datetime, verdict: str) -> int:
        """How many scans with ``verdict`` ``client`` made since ``since``."""
        return int(
            self.connection.execute(
                _BY_CLIENT,
                {"client": client, "since": since.astimezone(dt.UTC), "verdict": verdict},
            ).scalar_one()
        )

    def get(self, scan_id: int) -> Row[Any] | None:
        """The whole logged row, as stored."""
        return self.connection.execute(select(scans).where(scans.c.id == scan_id)).first()

    def count(self) -> int:
        return int(self.connection.execute(select(func.count()).select_from(scans)).scalar_one())


# Statements on the verification hot path, built once (so is their cache key).
_INSERT = insert(scans)
_RECENT: dict[tuple[int, bool], Select[Any]] = {}
_BY_CLIENT = (
    select(func.count())
    .select_from(scans)
    .where(
        scans.c.client == bindparam("client"),
        scans.c.at >= bindparam("since", type_=scans.c.at.type),
        scans.c.verdict == bindparam("verdict"),
    )
)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _record(row: Row[Any]) -> ScanRecord:
    return ScanRecord(
        id=row.id,
        at=_utc(row.at),
        verdict=row.verdict,
        reasons=tuple(row.reasons),
        client=row.client,
        place=Place(row.latitude, row.longitude, row.city, row.region, row.country),
    )
