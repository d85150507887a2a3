"""Raising alerts: each kind of alert a scan's findings call for is raised, or the scan is
added to the one open already, with bounded evidence (counters, the reasons, places and
callers ever seen, the newest scans). An alert is about the unit the scan named (its GTIN and
serial), or, for guessing, about the caller. What happens to an alert next is
:mod:`~unitrace.services.alert_workflow`'s."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from unitrace.places import Place
from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.registry.model import Party
from unitrace.services.verification.findings import AlertType, Findings, Verdict
from unitrace.store.unit_of_work import UnitOfWork

__all__ = ["AlertStatus", "ScanSeen", "UnitNamed", "raise_alerts"]


class AlertStatus(StrEnum):
    NEW = "new"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ScanSeen:
    """A logged scan as its alerts record it: what it found and was answered, where, by whom,
    when, and the rules it was judged by."""

    scan_id: int
    verdict: Verdict
    findings: Findings
    place: Place
    client: str | None
    at: dt.datetime
    rules: DetectionRules = DEFAULT_RULES
    #: the hash of the address a public scan came from
    address: str | None = None
    #: whether a scanner with a token sent it
    scanner: bool = False
    #: whom a guessing alert is about (the caller's hashed address); the client where None
    guesser: str | None = None


@dataclass(frozen=True, slots=True)
class UnitNamed:
    """The unit a scan named, that its alerts (but guessing) are about: none is raised
    without a GTIN and a serial."""

    gtin: str | None
    serial: str | None
    lot: str | None = None
    product_id: int | None = None
    #: the party holding the unit, whose alert it is
    custodian: Party | None = None


def raise_alerts(uow: UnitOfWork, seen: ScanSeen, unit: UnitNamed) -> tuple[int, ...]:
    """Raise an alert per type ``seen`` found, or add this scan to the open one; a guessing
    alert is about the ``guesser`` (the caller's hashed address, or the client). The ids of
    the alerts raised or extended."""
    guesser = seen.guesser or seen.client
    place, rules = seen.place, seen.rules
    scan = {
        "scan_id": seen.scan_id,
        "at": _iso(seen.at),
        "place": place.label,
        "country": place.country,
        "region": place.region,
        "city": place.city,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "client": seen.client,
        "address": seen.address,
        "scanner": seen.scanner,
        "verdict": seen.verdict.value,
        "reasons": list(seen.findings.reasons),
    }
    raised: list[int] = []
    for kind, extra in seen.findings.alerts.items():
        if kind is AlertType.GUESSING:
            if not guesser:
                continue
            subject = f"client:{guesser}"
            on_unit: dict[str, Any] = {"client": guesser}
        else:
            if unit.gtin is None or unit.serial is None:
                continue
            subject = f"{unit.gtin}/{unit.serial}"
            on_unit = {
                "product_id": unit.product_id,
                "gtin": unit.gtin,
                "serial": unit.serial,
                "lot": unit.lot,
            }
        custodian = unit.custodian
        party_id = (
            custodian.id if custodian is not None and kind is not AlertType.GUESSING else None
        )
        existing = uow.alerts.open_for(kind.value, subject)
        if existing is None:
            alert_id = uow.alerts.add_unless_open(
                type=kind.value,
                subject=subject,
                at=seen.at,
                evidence=_evidence({}, extra, scan, rules),
                party_id=party_id,
                **on_unit,
            )
            if alert_id is not None:
                raised.append(alert_id)
                continue
            # another scan raised it meanwhile: this one adds to it
            existing = uow.alerts.open_for(kind.value, subject)
            if existing is None:  # pragma: no cover - closed again in between
                raise RuntimeError(f"alert {kind.value} on {subject}: neither raised nor open")
        uow.alerts.set_evidence(
            existing.id, _evidence(existing.evidence, extra, scan, rules), seen.at, party_id
        )
        raised.append(existing.id)
    return tuple(raised)


def _evidence(
    before: dict[str, Any], extra: dict[str, Any], seen: dict[str, Any], rules: DetectionRules
) -> dict[str, Any]:
    """The alert's evidence with one more scan: counters, the reasons and places ever seen,
    the latest detector figures, and the newest scans (bounded, so a code cloned a million
    times keeps a small alert)."""
    evidence = dict(before)
    evidence.update(
        {key: value for key, value in extra.items() if key not in ("reasons", "sources")}
    )
    # the callers whose scans made or saw it (hashed addresses, client ids where none):
    # how many there were tells one caller's forged places from a code in many hands
    sources = set(before.get("sources", [])) | set(extra.get("sources", []))
    sources.add(seen["address"] or seen["client"])
    evidence["sources"] = sorted(source for source in sources if source)[: rules.evidence_scans]
    evidence["reasons"] = sorted(set(before.get("reasons", [])) | set(extra.get("reasons", [])))
    # the places that made a clone alert are all its evidence, not only the scans since
    places = set(before.get("places", [])) | set(extra.get("distinct_places", []))
    if seen["region"] or seen["country"]:
        places.add(seen["region"] or seen["country"])
    evidence["places"] = sorted(places)[: rules.evidence_scans]
    evidence["scan_count"] = int(before.get("scan_count", 0)) + 1
    evidence.setdefault("first_seen", seen["at"])
    evidence["last_seen"] = seen["at"]
    evidence["scans"] = ([*list(before.get("scans", [])), seen])[-rules.evidence_scans :]
    return evidence


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()
