"""A scan's answer as JSON, the HTTP contract of ``POST /api/scans`` and the resolver's JSON,
which the command line's ``unitrace scan --json`` prints too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from unitrace.services.verification import VerificationResult


def scan_json(result: VerificationResult) -> dict[str, Any]:
    """The scan answer of the HTTP contract."""
    first = result.first_scanned
    product = result.product
    return {
        "verdict": str(result.verdict),
        "first_scan": result.first_scan,
        "scan_count": result.scan_count,
        "first_scanned": None
        if first is None
        else {"at": first.at.isoformat(), "place": place_json(first.place)},
        "reasons": list(result.reasons),
        "message": result.message,
        "product": None
        if product is None
        else {
            "gtin": product.gtin,
            "name": product.name,
            "lot": product.lot,
            "expiry": product.expiry.isoformat() if product.expiry else None,
            "serial": product.serial,
        },
        "place": place_json(result.place),
        # the time the scan is logged at: the scanner's ``at`` where it was taken, else now
        "scanned_at": result.at.astimezone(dt.UTC).isoformat(),
    }


def place_json(place: Any) -> dict[str, Any]:
    return {
        "city": place.city,
        "region": place.region,
        "country": place.country,
        "label": place.label,
    }
