"""Verification: "is this unit genuine?", answered for a consumer's phone, a pharmacist or a
trading partner, with every scan logged and the anomalies it shows raised as alerts.

A scan is parsed, the unit looked up, the detectors run over the unit's recent scans, the scan
logged with its verdict, and alerts raised or extended, all in the caller's unit of work. The
hot path is a handful of indexed reads: the product by GTIN, the unit by primary key, the last
:attr:`DetectionRules.history` scans of the unit by the (product, serial, at) index, the
custodian party when there is one; alerts are read and written only when a detector fires.

Scans are judged by the service's :class:`DetectionRules` (``rules``, else the defaults) with
the scanned product's own rules applied over them (:class:`~unitrace.registry.detection.
ProductRules`, read with the product); the guessing rules are the service's alone, since a
guesser's codes name no product of ours.

Verdicts, strongest first (the ``reasons`` name every finding, whatever the verdict):

============  ==========================================================================
counterfeit   malformed code, no serial, not issued by us, lot or expiry not the unit's; a
              unit that would be suspicious, of a product that blocks flagged units
recalled      the unit or its lot is recalled or withdrawn
expired       the unit is expired, or its expiry date has passed
inactive      issued but never commissioned, voided, or decommissioned (supplied, …)
suspicious    clone (too many clients, too many places, impossible travel), grey market
              (outside the custodian's territory or the product's target markets, before
              shipping); an open clone or grey-market alert on the unit
              (:mod:`~unitrace.services.flagged_units`)
genuine       known, active, nothing found
============  ==========================================================================

The alerts' workflow is :mod:`~unitrace.services.alert_workflow`'s, and the pharmacist's
verify-and-dispense flow :mod:`~unitrace.services.pharmacy`'s.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from sqlalchemy.exc import IntegrityError

from unitrace.gs1 import Gtin, InvalidCode, Scan, parse
from unitrace.places import Place, Position, least_travel_km, locate, position_of
from unitrace.places.place import EARTH_RADIUS_KM
from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import LotStatus, Party, Product, UnitState
from unitrace.services import flagged_units, scan_time
from unitrace.store.alerts import Alert
from unitrace.store.scans import ScanEntry, ScanRecord
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units import UnitRecord

__all__ = [
    "CLIENT_MAX",
    "DEFAULT_RULES",
    "Alert",
    "AlertType",
    "DetectionRules",
    "Findings",
    "FirstScan",
    "ProductInfo",
    "ScanRequest",
    "Verdict",
    "VerificationResult",
    "clean_text",
    "client_is_throttled",
    "raise_alerts",
    "scan_time_of",
    "verify",
    "verify_code",
]


class Verdict(StrEnum):
    GENUINE = "genuine"
    SUSPICIOUS = "suspicious"
    COUNTERFEIT = "counterfeit"
    RECALLED = "recalled"
    EXPIRED = "expired"
    INACTIVE = "inactive"


class AlertType(StrEnum):
    CLONE = "clone"
    GREY_MARKET = "grey_market"
    COUNTERFEIT_PROBE = "counterfeit_probe"
    GUESSING = "guessing"
    LIFECYCLE = "lifecycle"


class AlertStatus(StrEnum):
    NEW = "new"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


#: The longest code parsed; anything longer is malformed at once (a Digital Link with every
#: AI a unit can carry stays far below it).
CODE_MAX: Final = 2048
#: The longest great-circle distance, in km.
HALF_THE_GLOBE_KM: Final = math.pi * EARTH_RADIUS_KM
#: What the scan log keeps of free text sent by clients.
RAW_MAX: Final = 512
CLIENT_MAX: Final = 128
ADDRESS_MAX: Final = 24
USER_AGENT_MAX: Final = 256
ERROR_MAX: Final = 512


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """A scan as a face hands it over: the code as scanned, where, by whom, when."""

    code: str
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    #: a client id, or a hash of the caller's IP address (the face hashes it)
    client: str | None = None
    user_agent: str | None = None
    at: dt.datetime | None = None
    #: the time a scanner says the scan was made (only a face that authenticated the scanner
    #: passes it on): taken within bounds, else the scan is logged at ``at`` (see
    #: :mod:`~unitrace.services.scan_time`)
    claimed_at: dt.datetime | None = None
    #: the hash of the address a public scan came from: the guessing detector counts a
    #: caller's counterfeit answers by it, whatever client ids the caller sends
    address: str | None = None
    #: whether the face authenticated the scan's sender as a scanner (a pharmacy's or a
    #: distributor's token): what it saw corroborates an alert (see
    #: :func:`~unitrace.services.flagged_units.corroborated`)
    scanner: bool = False


@dataclass(frozen=True, slots=True)
class FirstScan:
    at: dt.datetime
    place: Place


@dataclass(frozen=True, slots=True)
class ProductInfo:
    gtin: str
    name: str | None
    lot: str | None
    expiry: dt.date | None
    serial: str | None


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The answer to one scan."""

    scan_id: int
    verdict: Verdict
    first_scan: bool
    #: scans of this unit, this one included (0 for a code naming no unit of ours)
    scan_count: int
    first_scanned: FirstScan | None
    #: machine words for every finding: ``not_issued``, ``too_many_places``, …
    reasons: tuple[str, ...]
    #: the verdict in plain words for the person holding the pack
    message: str
    product: ProductInfo | None
    place: Place
    #: alerts raised or extended by this scan
    alerts: tuple[int, ...] = ()
    #: the client sent so many unknown codes lately that the face should answer 429
    throttled: bool = False
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def gs1_verification_response(self) -> dict[str, Any]:
        """The GS1 Lightweight Verification response (DSCSA saleable returns):
        ``verified`` whether the product identifier (GTIN, serial, lot, expiry) is ours and
        may be redistributed, ``verificationFailureReason`` why not, ``additionalInfo`` what a
        trading partner must know about a verified unit. Only the codes of the standard's
        implementation guideline (release 1.3) are used: failure reasons
        ``No_match_GTIN_Serial``, ``…_Lot``, ``…_Expiry``, ``…_Lot_Expiry`` and
        ``Not_for_re-distribution``; additional information ``Recalled``, ``Expired``,
        ``Suspect``."""
        response: dict[str, Any] = {
            "verificationTimestamp": self.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        }
        reasons = set(self.reasons)
        if self.verdict is Verdict.COUNTERFEIT:
            response["verified"] = False
            # a GTIN that is not ours matches no GTIN and serial either: the guideline has no
            # code of its own for it
            if "lot_mismatch" in reasons and "expiry_mismatch" in reasons:
                failure = "No_match_GTIN_Serial_Lot_Expiry"
            elif "lot_mismatch" in reasons:
                failure = "No_match_GTIN_Serial_Lot"
            elif "expiry_mismatch" in reasons:
                failure = "No_match_GTIN_Serial_Expiry"
            elif flagged_units.BLOCKED in reasons:
                failure = "Not_for_re-distribution"  # ours, but blocked while it is checked
            else:
                failure = "No_match_GTIN_Serial"
            response["verificationFailureReason"] = failure
            return response
        if self.verdict is Verdict.INACTIVE:
            # dispensed, destroyed, stolen, exported…: ours, but it must not be sold again
            response["verified"] = False
            response["verificationFailureReason"] = "Not_for_re-distribution"
            return response
        response["verified"] = True
        info = _GS1_INFO.get(self.verdict)
        if info is not None:
            response["additionalInfo"] = info
        return response


_GS1_INFO: Final = {
    Verdict.RECALLED: "Recalled",
    Verdict.EXPIRED: "Expired",
    Verdict.SUSPICIOUS: "Suspect",
}


# --- verifying ----------------------------------------------------------------------------------


def verify(
    uow: UnitOfWork, request: ScanRequest, *, rules: DetectionRules | None = None
) -> VerificationResult:
    """Verify one scan, log it, raise or extend alerts, and answer. A malformed or unknown
    code is answered (counterfeit) and logged, never raised; only place fields that break
    their rules (unknown country or region code, coordinates off the globe) or a time without
    an offset raise :class:`InvalidRequest`, before anything is written."""
    chosen = rules or DEFAULT_RULES
    at = scan_time_of(request.at)
    claimed = scan_time.claimed_time(request.claimed_at, now=at)
    place = locate(
        lat=request.latitude,
        lon=request.longitude,
        country=request.country,
        region=request.region,
        city=request.city,
    )
    return verify_code(
        uow,
        request.code,
        place,
        clean_text(request.client, CLIENT_MAX),
        clean_text(request.user_agent, USER_AGENT_MAX),
        at,
        chosen,
        claimed=claimed,
        address=clean_text(request.address, ADDRESS_MAX),
        scanner=request.scanner,
    )


def client_is_throttled(
    uow: UnitOfWork,
    client: str | None,
    at: dt.datetime | None = None,
    *,
    address: str | None = None,
    rules: DetectionRules | None = None,
) -> bool:
    """Whether the caller had so many counterfeit answers lately (``guess_limit`` within
    ``guess_window``) that its scans should be refused for now (HTTP 429). A public scan's
    caller is its ``address``, counted whatever client ids it sent (so rotating them lifts
    nothing, and sending another app's id counts against the sender only); ``client`` is the
    caller only where there is no address (an authenticated party's checks)."""
    chosen = rules or DEFAULT_RULES
    recent = _recent_counterfeits(
        uow,
        clean_text(client, CLIENT_MAX),
        clean_text(address, ADDRESS_MAX),
        scan_time_of(at) - chosen.guess_window,
    )
    return recent is not None and recent >= chosen.guess_limit


def _recent_counterfeits(
    uow: UnitOfWork, client: str | None, address: str | None, since: dt.datetime
) -> int | None:
    """The caller's counterfeit answers since ``since``: by address where there is one, else
    by client; None where the caller is not known."""
    counterfeit = Verdict.COUNTERFEIT.value
    if address:
        return uow.scans.count_by_address(address, since=since, verdict=counterfeit)
    if client:
        return uow.scans.count_by_client(client, since=since, verdict=counterfeit)
    return None


@dataclass(slots=True)
class Findings:
    """What the checks found, gathered before the verdict is chosen."""

    reasons: list[str] = field(default_factory=list)
    #: alert type → extra evidence for it
    alerts: dict[AlertType, dict[str, Any]] = field(default_factory=dict)

    def add(self, reason: str, alert: AlertType | None = None, **evidence: Any) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
        if alert is not None:
            found = self.alerts.setdefault(alert, {"reasons": []})
            if reason not in found["reasons"]:
                found["reasons"].append(reason)
            found.update(evidence)


_LONG_AGO: Final = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class _Sighting:
    """One scan as it came in: what was read (parsed where it could be), where, by whom and
    when, and the rules it is judged by."""

    raw: str
    scan: Scan | None
    parse_error: str | None
    place: Place
    client: str | None
    user_agent: str | None
    at: dt.datetime
    rules: DetectionRules
    address: str | None = None
    #: when the scan came in (``at`` is when it was made, where a scanner said so)
    received: dt.datetime = _LONG_AGO
    scanner: bool = False


def verify_code(
    uow: UnitOfWork,
    raw_code: str,
    place: Place,
    client: str | None,
    user_agent: str | None,
    at: dt.datetime,
    rules: DetectionRules,
    *,
    claimed: dt.datetime | None = None,
    address: str | None = None,
    scanner: bool = False,
) -> VerificationResult:
    code = raw_code if isinstance(raw_code, str) else str(raw_code)
    raw = clean_text(code, RAW_MAX) or ""
    findings = Findings()
    scan: Scan | None = None
    parse_error: str | None = None
    if len(code) > CODE_MAX:
        parse_error = f"code: longer than {CODE_MAX} characters ({len(code):,})"
    else:
        try:
            scan = parse(code)
        except (InvalidCode, ValueError) as error:
            parse_error = clean_text(str(error), ERROR_MAX) or "code: not readable"
    if scan is not None and (scan.gtin is None or scan.serial is None):
        parse_error = "code: names no unit: a GTIN with a serial is needed"
        findings.add("no_serial")
    sighting = _Sighting(
        raw,
        scan,
        parse_error,
        place,
        client,
        user_agent,
        at,
        rules,
        address,
        received=at,
        scanner=scanner,
    )
    if parse_error is not None:
        if "no_serial" not in findings.reasons:
            findings.add("malformed")
        sighting = replace(sighting, at=scan_time.logged_at(uow, claimed, at, None, None))
        return _counterfeit(uow, sighting, None, None, findings)
    assert scan is not None
    assert scan.gtin is not None
    assert scan.serial is not None
    product_id, product = _product(uow, scan.gtin)
    if product is not None and product.detection_rules.given:
        sighting = replace(sighting, rules=product.detection_rules.applied_to(rules))
    unit = uow.units.get(product_id, scan.serial) if product_id is not None else None
    if claimed is not None:
        sighting = replace(sighting, at=scan_time.logged_at(uow, claimed, at, product, unit))
    if unit is None:
        findings.add("not_issued" if product is not None else "unknown_product")
        if product is not None:
            findings.add("not_issued", AlertType.COUNTERFEIT_PROBE)
        return _counterfeit(uow, sighting, product_id, product, findings)
    if scan.lot is not None and scan.lot != unit.lot:
        findings.add("lot_mismatch", AlertType.COUNTERFEIT_PROBE, lot_scanned=scan.lot[:20])
    if scan.expiry is not None and scan.expiry.date != unit.expiry:
        findings.add(
            "expiry_mismatch",
            AlertType.COUNTERFEIT_PROBE,
            expiry_scanned=scan.expiry.date.isoformat(),
        )
    if findings.reasons:
        return _counterfeit(uow, sighting, product_id, product, findings, unit=unit)
    return _known_unit(uow, sighting, product, unit, findings)


def _known_unit(
    uow: UnitOfWork,
    sighting: _Sighting,
    product: Product | None,
    unit: UnitRecord,
    findings: Findings,
) -> VerificationResult:
    place, client, at, rules = sighting.place, sighting.client, sighting.at, sighting.rules
    verdict = _lifecycle(unit, at, findings)
    history = uow.scans.recent_of_unit(
        unit.product_id, unit.serial, limit=rules.history, excluding=Verdict.COUNTERFEIT.value
    )
    if len(history) < rules.history:
        earlier_first = history[-1] if history else None
        earlier = len(history)
    else:
        earlier_first, earlier = uow.scans.first_of_unit(
            unit.product_id, unit.serial, excluding=Verdict.COUNTERFEIT.value
        )
    _clones(history, place, sighting.address or client, at, rules, findings)
    custodian = uow.parties.get(unit.custodian_id) if unit.custodian_id else None
    _grey_market(unit, product, custodian, place, rules, findings)
    flags = flagged_units.flags_of(uow, unit.gtin.value, unit.serial, findings.alerts)
    for reason in flags.reasons:
        findings.add(reason)
    if verdict is Verdict.GENUINE and findings.reasons:
        verdict = Verdict.SUSPICIOUS
    # blocked by what was open and corroborated before this scan, not by what it found
    blocked = verdict is Verdict.SUSPICIOUS and bool(flags.open) and rules.block_flagged_units
    if blocked:
        verdict = Verdict.COUNTERFEIT
        findings.add(flagged_units.BLOCKED)
    scan_id = _log(uow, sighting, unit.product_id, unit, verdict, findings)
    alert_ids = raise_alerts(
        uow,
        findings,
        scan_id,
        verdict,
        unit.product_id,
        unit.gtin.value,
        unit.serial,
        unit.lot,
        custodian,
        place,
        client,
        at,
        rules,
        address=sighting.address,
        scanner=sighting.scanner,
    )
    first = (
        FirstScan(earlier_first.at, earlier_first.place) if earlier_first else FirstScan(at, place)
    )
    return VerificationResult(
        scan_id=scan_id,
        verdict=verdict,
        first_scan=earlier == 0,
        scan_count=earlier + 1,
        first_scanned=first,
        reasons=tuple(findings.reasons),
        message=flags.message(findings.reasons, blocked=blocked)
        or _message(verdict, findings.reasons, unit, earlier == 0, earlier + 1, first, place),
        product=ProductInfo(
            unit.gtin.value, product.name if product else None, unit.lot, unit.expiry, unit.serial
        ),
        place=place,
        alerts=alert_ids,
        at=at,
    )


def _counterfeit(
    uow: UnitOfWork,
    sighting: _Sighting,
    product_id: int | None,
    product: Product | None,
    findings: Findings,
    *,
    unit: UnitRecord | None = None,
) -> VerificationResult:
    scan, place, client = sighting.scan, sighting.place, sighting.client
    at, rules = sighting.at, sighting.rules
    throttled = False
    # the guesser: the address a public scan came from, else the authenticated client
    guesser = sighting.address or client
    # this scan is not logged yet: it is the one more
    # counted back from when the scan came, whatever time a scanner gave it
    recent = _recent_counterfeits(
        uow, client, sighting.address, sighting.received - rules.guess_window
    )
    if recent is not None and recent + 1 >= rules.guess_limit:
        throttled = True
        findings.add(
            "guessing",
            AlertType.GUESSING,
            counterfeit_answers=recent + 1,
            window_minutes=rules.guess_window / dt.timedelta(minutes=1),
        )
        if unit is None:
            # a guesser's codes are one alert about the guesser, not one alert per code
            findings.alerts.pop(AlertType.COUNTERFEIT_PROBE, None)
    gtin = scan.gtin.value if scan is not None and scan.gtin is not None else None
    serial = scan.serial if scan is not None else None
    scan_id = _log(uow, sighting, product_id, unit, Verdict.COUNTERFEIT, findings)
    custodian = uow.parties.get(unit.custodian_id) if unit and unit.custodian_id else None
    alert_ids = raise_alerts(
        uow,
        findings,
        scan_id,
        Verdict.COUNTERFEIT,
        product_id,
        gtin,
        serial,
        scan.lot if scan else None,
        custodian,
        place,
        client,
        at,
        rules,
        guesser=guesser,
        address=sighting.address,
        scanner=sighting.scanner,
    )
    info = None
    if scan is not None and gtin is not None:
        info = ProductInfo(
            gtin,
            product.name if product else None,
            scan.lot,
            scan.expiry.date if scan.expiry else None,
            serial,
        )
    return VerificationResult(
        scan_id=scan_id,
        verdict=Verdict.COUNTERFEIT,
        first_scan=False,
        scan_count=0,
        first_scanned=None,
        reasons=tuple(findings.reasons),
        message=_counterfeit_message(findings.reasons),
        product=info,
        place=place,
        alerts=alert_ids,
        throttled=throttled,
        at=at,
    )


def _product(uow: UnitOfWork, gtin: Gtin) -> tuple[int | None, Product | None]:
    found = uow.products.with_id(gtin)
    if found is None:
        return None, None
    return found


# --- the detectors ------------------------------------------------------------------------------

_NOT_FOR_SALE: Final = {
    UnitState.ISSUED: "not_commissioned",
    UnitState.VOIDED: "voided",
}


def _lifecycle(unit: UnitRecord, at: dt.datetime, findings: Findings) -> Verdict:
    """The verdict the unit's state gives, before any anomaly."""
    state = unit.state
    if state.is_terminal and state is not UnitState.VOIDED:
        findings.add(state.value, AlertType.LIFECYCLE, state=state.value)
        return Verdict.INACTIVE
    if unit.lot_status is not LotStatus.RELEASED or state in (
        UnitState.RECALLED,
        UnitState.WITHDRAWN,
    ):
        withdrawn = LotStatus.WITHDRAWN in (unit.lot_status, state)
        findings.add(
            "withdrawn" if withdrawn else "recalled",
            AlertType.LIFECYCLE,
            state=state.value,
            lot_status=unit.lot_status.value,
        )
        return Verdict.RECALLED
    if state is UnitState.EXPIRED or unit.expiry < at.date():
        findings.add(
            "expired", AlertType.LIFECYCLE, state=state.value, expiry=unit.expiry.isoformat()
        )
        return Verdict.EXPIRED
    if state is not UnitState.ACTIVE:
        reason = _NOT_FOR_SALE.get(state, state.value)
        findings.add(reason, AlertType.LIFECYCLE, state=state.value)
        return Verdict.INACTIVE
    return Verdict.GENUINE


def _clones(
    history: Sequence[ScanRecord],
    place: Place,
    source: str | None,
    at: dt.datetime,
    rules: DetectionRules,
    findings: Findings,
) -> None:
    """The same code in too many hands, too many places, or too far apart too soon. A hand
    is a scan's source: its hashed address, else its client id (so one caller sending many
    client ids is one hand); one source's scans far apart show a place it forged, not a
    copied code, and are not compared for travel."""
    clients = {hand for scan in history if (hand := _source(scan))}
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
        return
    # no two places are farther apart than half the globe: a scan older than the time that
    # takes at the highest speed allowed cannot show impossible travel, nor any before it
    # (capped at a century, which a crawling speed limit could overflow)
    horizon = at - dt.timedelta(hours=min(HALF_THE_GLOBE_KM / rules.max_speed_kmh, 876_000))
    # newest first, down to the last scan measured exactly: an approximate place in between
    # must not hide a measured one it is compatible with
    checked: set[Position] = set()
    for earlier in history:
        if earlier.at < horizon:
            return
        there = position_of(earlier.place)
        if there is None or there in checked or (source and _source(earlier) == source):
            continue
        if earlier.at <= at:
            # an older scan at the same position had more time for the same distance
            checked.add(there)
        if _impossible_travel(earlier, there, place, here, at, rules, findings):
            return
        if not there.is_approximate:
            return


def _source(scan: ScanRecord) -> str | None:
    return scan.address or scan.client


def _impossible_travel(
    earlier: ScanRecord,
    there: Position,
    place: Place,
    here: Position,
    at: dt.datetime,
    rules: DetectionRules,
    findings: Findings,
) -> bool:
    """Whether the unit could not have gone from the earlier scan's place to this one in the
    time between, on the least distance their positions allow."""
    km = least_travel_km(there, here)
    if km < rules.min_travel_km:
        return False
    hours = abs((at - earlier.at) / dt.timedelta(hours=1))
    speed = math.inf if hours == 0 else km / hours
    if speed <= rules.max_speed_kmh:
        return False
    findings.add(
        "impossible_travel",
        AlertType.CLONE,
        travel={
            "from": earlier.place.label,
            "to": place.label,
            "km": round(km, 1),
            "hours": round(hours, 3),
            "km_per_hour": None if math.isinf(speed) else round(speed),
            # km is the least distance: the great-circle one less how far each place may be
            # from the position it was given
            "approximate": there.is_approximate or here.is_approximate,
            "uncertainty_km": {"from": there.uncertainty_km, "to": here.uncertainty_km},
        },
        # the other hand: a caller other than this scan's (see _clones)
        sources=[source] if (source := _source(earlier)) else [],
    )
    return True


def _grey_market(
    unit: UnitRecord,
    product: Product | None,
    custodian: Party | None,
    place: Place,
    rules: DetectionRules,
    findings: Findings,
) -> None:
    """A saleable unit where it should not be: outside its custodian's territory, outside the
    product's markets, or out of the factory without ever being shipped."""
    if unit.state is not UnitState.ACTIVE:
        return
    if custodian is None:
        if rules.before_shipping:
            findings.add("before_shipping", AlertType.GREY_MARKET, scanned_in=place.label)
        return
    if custodian.territory and _within(place, custodian.territory) is False:
        findings.add(
            "outside_territory",
            AlertType.GREY_MARKET,
            party=custodian.id,
            party_name=custodian.name,
            territory=list(custodian.territory),
            scanned_in=place.label,
        )
    if (
        product is not None
        and product.target_markets
        and _within(place, product.target_markets) is False
    ):
        findings.add(
            "outside_target_markets",
            AlertType.GREY_MARKET,
            target_markets=list(product.target_markets),
            scanned_in=place.label,
        )


def _within(place: Place, territory: Iterable[str]) -> bool | None:
    """Whether ``place`` lies in ``territory`` (countries match any of their regions, a
    region only itself); None where the place is not known well enough to tell."""
    if place.country is None:
        return None
    entries = list(territory)
    for entry in entries:
        if entry == place.country or (place.region is not None and entry == place.region):
            return True
    if place.region is None and any(e.startswith(place.country + "-") for e in entries):
        return None  # in the right country, region unknown: no proof either way
    return False


# --- logging and alerts -------------------------------------------------------------------------


def _log(
    uow: UnitOfWork,
    sighting: _Sighting,
    product_id: int | None,
    unit: UnitRecord | None,
    verdict: Verdict,
    findings: Findings,
) -> int:
    scan = sighting.scan
    return uow.scans.add(
        ScanEntry(
            at=sighting.at,
            raw=sighting.raw,
            verdict=verdict.value,
            reasons=tuple(findings.reasons),
            known=unit is not None,
            place=sighting.place,
            product_id=product_id,
            serial=scan.serial if scan is not None else None,
            gtin=scan.gtin.value if scan is not None and scan.gtin is not None else None,
            lot=scan.lot if scan is not None else None,
            expiry=scan.expiry.date if scan is not None and scan.expiry is not None else None,
            parse_error=sighting.parse_error,
            client=sighting.client,
            address=sighting.address,
            user_agent=sighting.user_agent,
        )
    )


def raise_alerts(
    uow: UnitOfWork,
    findings: Findings,
    scan_id: int,
    verdict: Verdict,
    product_id: int | None,
    gtin: str | None,
    serial: str | None,
    lot: str | None,
    custodian: Party | None,
    place: Place,
    client: str | None,
    at: dt.datetime,
    rules: DetectionRules,
    *,
    guesser: str | None = None,
    address: str | None = None,
    scanner: bool = False,
) -> tuple[int, ...]:
    """Raise an alert per type found, or add this scan to the open one; a guessing alert is
    about the ``guesser`` (the caller's hashed address, or the client)."""
    guesser = guesser or client
    seen = {
        "scan_id": scan_id,
        "at": _iso(at),
        "place": place.label,
        "country": place.country,
        "region": place.region,
        "city": place.city,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "client": client,
        "address": address,
        "scanner": scanner,
        "verdict": verdict.value,
        "reasons": list(findings.reasons),
    }
    raised: list[int] = []
    for kind, extra in findings.alerts.items():
        if kind is AlertType.GUESSING:
            if not guesser:
                continue
            subject = f"client:{guesser}"
            on_unit: dict[str, Any] = {"client": guesser}
        else:
            if gtin is None or serial is None:
                continue
            subject = f"{gtin}/{serial}"
            on_unit = {"product_id": product_id, "gtin": gtin, "serial": serial, "lot": lot}
        party_id = (
            custodian.id if custodian is not None and kind is not AlertType.GUESSING else None
        )
        existing = uow.alerts.open_for(kind.value, subject)
        if existing is None:
            evidence = _evidence({}, extra, seen, rules)
            try:
                with uow.connection.begin_nested():
                    alert_id = uow.alerts.add(
                        type=kind.value,
                        subject=subject,
                        at=at,
                        evidence=evidence,
                        party_id=party_id,
                        **on_unit,
                    )
                raised.append(alert_id)
                continue
            except IntegrityError:
                # another scan raised it meanwhile: this one adds to it
                existing = uow.alerts.open_for(kind.value, subject)
                if existing is None:  # pragma: no cover - closed again in between
                    raise
        uow.alerts.set_evidence(
            existing.id, _evidence(existing.evidence, extra, seen, rules), at, party_id
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


# --- what people read ---------------------------------------------------------------------------

_CLONE_REASONS: Final = frozenset({"too_many_scans", "too_many_places", "impossible_travel"})


def _message(
    verdict: Verdict,
    reasons: Sequence[str],
    unit: UnitRecord,
    first: bool,
    count: int,
    first_scanned: FirstScan,
    place: Place,
) -> str:
    where = f" in {_place_words(first_scanned.place)}" if first_scanned.place.is_known else ""
    if verdict is Verdict.GENUINE:
        if first:
            here = f" Verified in {_place_words(place)}." if place.is_known else ""
            return f"Authentic. First scan.{here}"
        return (
            f"Authentic. Scanned {count} times; first scanned on {_day(first_scanned.at)}{where}."
        )
    if verdict is Verdict.SUSPICIOUS:
        if _CLONE_REASONS & set(reasons):
            return (
                "Warning: this code has been scanned too often or in too many places, and may "
                f"have been copied. First scanned on {_day(first_scanned.at)}{where}. Do not "
                "use the product; contact the brand."
            )
        if "before_shipping" in reasons:
            return (
                "Warning: our records show this pack never left the factory. Do not use the "
                "product; contact the brand."
            )
        return (
            "Warning: this pack was not meant to be sold here. It may not be genuine or may "
            "not have been stored properly; contact the brand."
        )
    if verdict is Verdict.RECALLED:
        word = "withdrawn" if "withdrawn" in reasons else "recalled"
        return (
            f"This product (batch {unit.lot}) has been {word}. Do not use it; return it where "
            "you bought it."
        )
    if verdict is Verdict.EXPIRED:
        return f"This product expired on {_day(unit.expiry)}. Do not use it."
    return _INACTIVE_MESSAGES.get(
        unit.state,
        "This pack has been taken out of circulation. Do not use it; contact the brand.",
    )


_INACTIVE_MESSAGES: Final = {
    UnitState.SUPPLIED: (
        "This pack has already been sold or dispensed. If you just bought it, that is "
        "expected; if it is offered to you for sale, do not buy it."
    ),
    UnitState.DESTROYED: (
        "This pack was recorded as destroyed and should not exist. Do not use it; contact the "
        "brand."
    ),
    UnitState.STOLEN: "This pack was reported stolen. Do not use it; contact the brand.",
    UnitState.ISSUED: (
        "This code was never applied to a pack. The product may be counterfeit: do not use it; "
        "contact the brand."
    ),
    UnitState.VOIDED: (
        "This code was cancelled before use. The product may be counterfeit: do not use it; "
        "contact the brand."
    ),
}


def _counterfeit_message(reasons: Sequence[str]) -> str:
    if "malformed" in reasons:
        return (
            "This is not a valid product code. The product may be counterfeit: do not use it; "
            "contact the brand."
        )
    if "no_serial" in reasons:
        return (
            "This code does not identify a single pack. Scan the square 2D code on the pack; "
            "if there is none, contact the brand."
        )
    if "lot_mismatch" in reasons or "expiry_mismatch" in reasons:
        return (
            "The batch or expiry date on this pack does not match our records. The product may "
            "be counterfeit: do not use it; contact the brand."
        )
    return (
        "We did not issue this code. The product may be counterfeit: do not use it; contact "
        "the brand."
    )


def _place_words(place: Place) -> str:
    return place.city or place.region or place.country or place.label


def _day(when: dt.date) -> str:
    return f"{when.day} {when:%B %Y}"


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()


def scan_time_of(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidRequest("at: needs a UTC offset")
    return at


def clean_text(value: str | None, limit: int) -> str | None:
    """Free text from a client as it may be stored: valid UTF-8 (a lone surrogate would stop
    the database driver), no NUL (PostgreSQL text refuses it), at most ``limit`` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    clean = value[: limit * 2].encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return clean[:limit]
