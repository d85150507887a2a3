"""The clone detector: the same code in too many hands, in too many places, or too far apart
too soon (impossible travel). Pure: a function of the :class:`~.evidence.Evidence`.

A hand is a scan's source: its hashed address, else its client id (so one caller sending
many client ids is one hand); one source's scans far apart show a place it forged, not a
copied code, and are not compared for travel."""

from __future__ import annotations

import datetime as dt
import math
from typing import Final

from unitrace.places import Position, least_travel_km, position_of
from unitrace.places.place import EARTH_RADIUS_KM
from unitrace.services.verification.evidence import Evidence, hand_of
from unitrace.services.verification.findings import AlertType, Findings
from unitrace.store.scans import ScanRecord

__all__ = ["HALF_THE_GLOBE_KM", "clones"]

#: The longest great-circle distance, in km.
HALF_THE_GLOBE_KM: Final = math.pi * EARTH_RADIUS_KM


def clones(evidence: Evidence) -> Findings:
    """What the unit's latest scans and this one show of a copied code: too many hands
    (``too_many_scans``), too many areas (``too_many_places``), ``impossible_travel``."""
    findings = Findings()
    history, place, source = evidence.history, evidence.place, evidence.source
    at, rules = evidence.at, evidence.rules
    clients = {hand for scan in history if (hand := hand_of(scan))}
    if source:
        clients.add(source)
    if len(clients) > rules.max_clients:
        findings.add(
            "too_many_scans",
            AlertType.CLONE,
            distinct_clients=len(clients),
            sources=sorted(clients)[: rules.evidence_scans],
        )
    areas = {scan.place.area for scan in history if scan.place.area}
    if place.area:
        areas.add(place.area)
    if len(areas) > rules.max_places:
        findings.add("too_many_places", AlertType.CLONE, distinct_places=sorted(areas))
    here = position_of(place)
    if here is None:
        return findings
    # no two places are farther apart than half the globe: a scan older than the time that
    # takes at the highest speed allowed cannot show impossible travel, nor any before it
    # (capped at a century, which a crawling speed limit could overflow)
    horizon = at - dt.timedelta(hours=min(HALF_THE_GLOBE_KM / rules.max_speed_kmh, 876_000))
    # newest first, down to the last scan measured exactly: an approximate place in between
    # must not hide a measured one it is compatible with
    checked: set[Position] = set()
    for earlier in history:
        if earlier.at < horizon:
            return findings
        there = position_of(earlier.place)
        if there is None or there in checked or (source and hand_of(earlier) == source):
            continue
        if earlier.at <= at:
            # an older scan at the same position had more time for the same distance
            checked.add(there)
        if _impossible_travel(earlier, there, here, evidence, findings):
            return findings
        if not there.is_approximate:
            return findings
    return findings


def _impossible_travel(
    earlier: ScanRecord, there: Position, here: Position, evidence: Evidence, findings: Findings
) -> bool:
    """Whether the unit could not have gone from the earlier scan's place to this one in the
    time between, on the least distance their positions allow."""
    rules = evidence.rules
    km = least_travel_km(there, here)
    if km < rules.min_travel_km:
        return False
    hours = abs((evidence.at - earlier.at) / dt.timedelta(hours=1))
    speed = math.inf if hours == 0 else km / hours
    if speed <= rules.max_speed_kmh:
        return False
    findings.add(
        "impossible_travel",
        AlertType.CLONE,
        travel={
            "from": earlier.place.label,
            "to": evidence.place.label,
            "km": round(km, 1),
            "hours": round(hours, 3),
            "km_per_hour": None if math.isinf(speed) else round(speed),
            # km is the least distance: the great-circle one less how far each place may be
            # from the position it was given
            "approximate": there.is_approximate or here.is_approximate,
            "uncertainty_km": {"from": there.uncertainty_km, "to": here.uncertainty_km},
        },
        # the other hand: a caller other than this scan's
        sources=[source] if (source := hand_of(earlier)) else [],
    )
    return True
