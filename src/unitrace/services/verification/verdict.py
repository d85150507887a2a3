"""The verdict: "is this unit genuine?", answered for a consumer's phone, a pharmacist or a
trading partner. The evidence is gathered from the store, the detectors run over it, the
scan logged with its verdict, and alerts raised or extended, all in the caller's unit of
work. The hot path is a handful of indexed reads: the product by GTIN, the unit by primary
key, the last :attr:`DetectionRules.history` scans of the unit by the (product, serial, at)
index (and, where they fill it, the unit's scan summary by key: its count and first scan,
however many scans it has had), the custodian party when there is one; alerts are read and
written only when a detector fires.

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
inactive      issued but never commissioned, voided, or decommissioned (supplied, …); an
              active unit on hold (``on_hold``: after a failed inspection, …)
suspicious    clone (too many clients, too many places, impossible travel), grey market
              (outside the custodian's territory or the product's target markets, before
              shipping); an open clone or grey-market alert on the unit
              (:mod:`~unitrace.services.flagged_units`)
genuine       known, active, nothing found
============  ==========================================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Final

from unitrace.gs1 import Gtin, InvalidCode, Scan
from unitrace.places import Place, locate
from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.registry.model import Product
from unitrace.services import flagged_units, scan_time
from unitrace.services.verification.alerts import ScanSeen, UnitNamed, raise_alerts
from unitrace.services.verification.answer import FirstScan, ProductInfo, VerificationResult
from unitrace.services.verification.clone import clones
from unitrace.services.verification.evidence import Evidence
from unitrace.services.verification.findings import AlertType, Findings, Verdict
from unitrace.services.verification.grey_market import grey_market
from unitrace.services.verification.guessing import CounterfeitAnswers, guessing, throttles
from unitrace.services.verification.lifecycle import lifecycle
from unitrace.services.verification.messages import (
    counterfeit_message,
    message,
    recall_message,
)
from unitrace.services.verification.scan_input import (
    ADDRESS_MAX,
    CLIENT_MAX,
    CODE_MAX,
    ERROR_MAX,
    RAW_MAX,
    USER_AGENT_MAX,
    ScanRequest,
    clean_text,
    scan_time_of,
)
from unitrace.services.verification.unit_state import UnitStates
from unitrace.store.scans import ScanEntry
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units import UnitRecord

__all__ = ["client_is_throttled", "verify", "verify_code"]


def verify(
    uow: UnitOfWork,
    request: ScanRequest,
    *,
    rules: DetectionRules | None = None,
    states: UnitStates | None = None,
) -> VerificationResult:
    """Verify one scan, log it, raise or extend alerts, and answer. A malformed or unknown
    code is answered (counterfeit) and logged, never raised; only place fields that break
    their rules (unknown country or region code, coordinates off the globe) or a time without
    an offset raise :class:`InvalidRequest`, before anything is written. ``states``: the
    standing of the units the scans of one transaction name, shared by them (read ahead by
    the scan intake); else the scan reads its unit's own."""
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
        states=states,
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
    return throttles(CounterfeitAnswers(recent, chosen))


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

    def seen(self, scan_id: int, verdict: Verdict, findings: Findings) -> ScanSeen:
        """This scan, logged as ``scan_id``, as its alerts record it."""
        return ScanSeen(
            scan_id=scan_id,
            verdict=verdict,
            findings=findings,
            place=self.place,
            client=self.client,
            at=self.at,
            rules=self.rules,
            address=self.address,
            scanner=self.scanner,
        )


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
    states: UnitStates | None = None,
) -> VerificationResult:
    code = raw_code if isinstance(raw_code, str) else str(raw_code)
    known = states or UnitStates()
    raw = clean_text(code, RAW_MAX) or ""
    findings = Findings()
    scan: Scan | None = None
    parse_error: str | None = None
    if len(code) > CODE_MAX:
        parse_error = f"code: longer than {CODE_MAX} characters ({len(code):,})"
    else:
        try:
            scan = known.parsed(code)
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
    product_id, product = _product(uow, known, scan.gtin)
    if product is not None and product.detection_rules.given:
        sighting = replace(sighting, rules=product.detection_rules.applied_to(rules))
    unit = known.unit(uow, product_id, scan.serial) if product_id is not None else None
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
        return _counterfeit(uow, sighting, product_id, product, findings, unit=unit, known=known)
    return _known_unit(uow, sighting, product, unit, findings, known)


def _known_unit(
    uow: UnitOfWork,
    sighting: _Sighting,
    product: Product | None,
    unit: UnitRecord,
    findings: Findings,
    known: UnitStates,
) -> VerificationResult:
    place, client, at, rules = sighting.place, sighting.client, sighting.at, sighting.rules
    history = uow.scans.recent_of_unit(
        unit.product_id, unit.serial, limit=rules.history, excluding=Verdict.COUNTERFEIT.value
    )
    if len(history) < rules.history:
        earlier_first = history[-1] if history else None
        earlier = len(history)
    else:
        earlier_first, earlier = uow.scans.summary_of_unit(unit.product_id, unit.serial)
        if earlier < len(history):
            # a summary behind the log (scans logged around it): the log's own count
            earlier_first, earlier = uow.scans.first_of_unit(
                unit.product_id, unit.serial, excluding=Verdict.COUNTERFEIT.value
            )
    custodian = known.party(uow, unit.custodian_id) if unit.custodian_id else None
    evidence = Evidence(
        unit=unit,
        at=at,
        place=place,
        rules=rules,
        product=product,
        custodian=custodian,
        history=history,
        source=sighting.address or client,
        hold=known.hold(uow, unit),
    )
    verdict, found = lifecycle(evidence)
    findings.merge(found)
    findings.merge(clones(evidence))
    findings.merge(grey_market(evidence))
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
    first_scan = earlier == 0 and verdict is not Verdict.COUNTERFEIT
    scan_id = _log(uow, sighting, unit.product_id, unit, verdict, findings, first_scan=first_scan)
    alert_ids = raise_alerts(
        uow,
        sighting.seen(scan_id, verdict, findings),
        UnitNamed(
            gtin=unit.gtin.value,
            serial=unit.serial,
            lot=unit.lot,
            product_id=unit.product_id,
            custodian=custodian,
        ),
    )
    first = (
        FirstScan(earlier_first.at, earlier_first.place) if earlier_first else FirstScan(at, place)
    )
    notice = (
        uow.recalls.notice_of_unit(unit.product_id, unit.serial)
        if verdict is Verdict.RECALLED
        else None
    )
    return VerificationResult(
        scan_id=scan_id,
        verdict=verdict,
        first_scan=earlier == 0,
        scan_count=earlier + 1,
        first_scanned=first,
        reasons=tuple(findings.reasons),
        message=flags.message(findings.reasons, blocked=blocked)
        or (recall_message(unit.lot, notice.reason, notice.instructions) if notice else None)
        or message(
            verdict,
            findings.reasons,
            unit,
            earlier == 0,
            earlier + 1,
            first,
            place,
            hold=evidence.hold,
        ),
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
    known: UnitStates | None = None,
) -> VerificationResult:
    scan, place, client = sighting.scan, sighting.place, sighting.client
    at, rules = sighting.at, sighting.rules
    # the guesser: the address a public scan came from, else the authenticated client
    guesser = sighting.address or client
    # counted back from when the scan came, whatever time a scanner gave it
    recent = _recent_counterfeits(
        uow, client, sighting.address, sighting.received - rules.guess_window
    )
    # this scan is not logged yet: it is the one more
    guesses = guessing(CounterfeitAnswers(None if recent is None else recent + 1, rules))
    throttled = bool(guesses.reasons)
    findings.merge(guesses)
    if throttled and unit is None:
        # a guesser's codes are one alert about the guesser, not one alert per code
        findings.alerts.pop(AlertType.COUNTERFEIT_PROBE, None)
    gtin = scan.gtin.value if scan is not None and scan.gtin is not None else None
    serial = scan.serial if scan is not None else None
    scan_id = _log(uow, sighting, product_id, unit, Verdict.COUNTERFEIT, findings)
    custodian = (
        (known or UnitStates()).party(uow, unit.custodian_id)
        if unit and unit.custodian_id
        else None
    )
    alert_ids = raise_alerts(
        uow,
        replace(sighting.seen(scan_id, Verdict.COUNTERFEIT, findings), guesser=guesser),
        UnitNamed(
            gtin=gtin,
            serial=serial,
            lot=scan.lot if scan else None,
            product_id=product_id,
            custodian=custodian,
        ),
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
        message=counterfeit_message(findings.reasons),
        product=info,
        place=place,
        alerts=alert_ids,
        throttled=throttled,
        at=at,
    )


def _product(uow: UnitOfWork, known: UnitStates, gtin: Gtin) -> tuple[int | None, Product | None]:
    found = known.product(uow, gtin)
    if found is None:
        return None, None
    return found


def _log(
    uow: UnitOfWork,
    sighting: _Sighting,
    product_id: int | None,
    unit: UnitRecord | None,
    verdict: Verdict,
    findings: Findings,
    *,
    first_scan: bool = False,
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
            unit_lot=unit.lot if unit is not None else None,
            custodian_id=unit.custodian_id if unit is not None else None,
            first_scan=first_scan,
        )
    )
