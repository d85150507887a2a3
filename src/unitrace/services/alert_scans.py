"""The scans an alert is about, as the console shows them on a map and a timeline: the scans
its evidence holds and, for a clone, the unit's trail from the scan log up to the alert's
latest scan (where the code was before it turned up too far away too soon). Bounded: an
alert on a code scanned a million times shows its latest :data:`TRAIL_MAX` scans."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from unitrace.gs1 import Gtin, InvalidCode
from unitrace.places import Place
from unitrace.services.alert_evidence_words import parse_time, place_words, when_words
from unitrace.services.verification.grey_market import within
from unitrace.store.alerts import Alert
from unitrace.store.scans import ScanRecord
from unitrace.store.unit_of_work import UnitOfWork

__all__ = ["TRAIL_MAX", "AlertScan", "AreaCount", "alert_scans", "alert_territory", "scan_map"]

#: The most scans an alert's page shows.
TRAIL_MAX: Final = 20


@dataclass(frozen=True, slots=True)
class AlertScan:
    """A scan as the alert's page shows it."""

    id: int | None
    at: dt.datetime | None
    place: Place
    verdict: str
    reasons: tuple[str, ...]
    #: who scanned: the client id, else the start of the hashed address
    caller: str | None
    #: whether the alert's evidence holds it (else it is of the unit's trail before)
    in_alert: bool

    @property
    def place_words(self) -> str:
        return place_words(self.place.label)

    @property
    def when(self) -> str:
        return when_words(self.at) if self.at is not None else "time unknown"


@dataclass(frozen=True, slots=True)
class AreaCount:
    """How many of the alert's scans were made in an area, and whether it lies in the
    distributor's territory (None where there is none to tell)."""

    area: str
    scans: int
    in_territory: bool | None


def alert_scans(uow: UnitOfWork, alert: Alert) -> list[AlertScan]:
    """The alert's scans, oldest first: its evidence's, and for a clone the unit's trail."""
    shown: dict[int | None, AlertScan] = {}
    unnumbered: list[AlertScan] = []
    for scan in _evidence_scans(alert.evidence):
        if scan.id is None:
            unnumbered.append(scan)
        else:
            shown[scan.id] = scan
    if alert.type == "clone" and alert.gtin and alert.serial:
        until = parse_time(alert.evidence.get("last_seen")) or alert.updated_at
        for record in _trail(uow, alert.gtin, alert.serial, until):
            shown.setdefault(record.id, _from_record(record))
    scans = [*shown.values(), *unnumbered]
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    scans.sort(key=lambda scan: (scan.at or oldest, scan.id or 0))
    return scans[-TRAIL_MAX:]


def alert_territory(uow: UnitOfWork, alert: Alert) -> list[str]:
    """The territory a grey-market alert is judged against: the one its evidence holds, else
    its party's as registered; none for the other alerts."""
    if alert.type != "grey_market":
        return []
    held = alert.evidence.get("territory")
    if isinstance(held, list) and held:
        return [str(area) for area in held]
    party = uow.parties.get(alert.party) if alert.party else None
    return list(party.territory) if party is not None else []


def scan_map(
    scans: Sequence[AlertScan], *, territory: Sequence[str], trail: bool
) -> dict[str, Any]:
    """The console map's data (``data-map``): scans by area, the scans with coordinates as
    points in time order, the territory outlined, joined as a trail for a clone."""
    drawn: dict[str, Any] = {
        "areas": {area.area: area.scans for area in area_counts(scans, territory)},
        "points": [
            {
                "lat": scan.place.latitude,
                "lon": scan.place.longitude,
                "label": f"{scan.when} · {scan.place_words} · {scan.verdict}",
                "verdict": scan.verdict,
            }
            for scan in scans
            if scan.place.has_coordinates
        ],
        "trail": trail,
    }
    if territory:
        drawn["territory"] = list(territory)
    return drawn


def area_counts(scans: Sequence[AlertScan], territory: Sequence[str]) -> list[AreaCount]:
    """The alert's scans by area (region where known, else country), most scanned first."""
    counts: dict[str, int] = {}
    places: dict[str, Place] = {}
    for scan in scans:
        if scan.place.area:
            counts[scan.place.area] = counts.get(scan.place.area, 0) + 1
            places.setdefault(scan.place.area, scan.place)
    return [
        AreaCount(area, count, within(places[area], territory) if territory else None)
        for area, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _trail(uow: UnitOfWork, gtin: str, serial: str, until: dt.datetime) -> list[ScanRecord]:
    try:
        found = uow.products.with_id(Gtin(gtin))
    except InvalidCode:
        return []
    if found is None:
        return []
    return uow.scans.trail_of_unit(found[0], serial, until=until, limit=TRAIL_MAX)


def _from_record(record: ScanRecord) -> AlertScan:
    return AlertScan(
        id=record.id,
        at=record.at,
        place=record.place,
        verdict=record.verdict,
        reasons=record.reasons,
        caller=_caller(record.client, record.address),
        in_alert=False,
    )


def _evidence_scans(evidence: Mapping[str, Any]) -> list[AlertScan]:
    held = evidence.get("scans")
    scans = []
    for scan in held if isinstance(held, list) else []:
        if not isinstance(scan, Mapping):
            continue
        scan_id = scan.get("scan_id")
        reasons = scan.get("reasons")
        scans.append(
            AlertScan(
                id=scan_id if isinstance(scan_id, int) else None,
                at=parse_time(scan.get("at")),
                place=Place(
                    _coordinate(scan.get("latitude")),
                    _coordinate(scan.get("longitude")),
                    _text(scan.get("city")),
                    _text(scan.get("region")),
                    _text(scan.get("country")),
                ),
                verdict=str(scan.get("verdict") or "unknown"),
                reasons=tuple(str(r) for r in reasons) if isinstance(reasons, list) else (),
                caller=_caller(_text(scan.get("client")), _text(scan.get("address"))),
                in_alert=True,
            )
        )
    return scans


def _caller(client: str | None, address: str | None) -> str | None:
    if client:
        return client
    return f"address {address[:12]}…" if address else None


def _coordinate(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        coordinate = float(value)
    except OverflowError:
        return None
    # a map is drawn from finite numbers only (JSON has no NaN)
    return coordinate if math.isfinite(coordinate) and abs(coordinate) <= 180 else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
