"""The answer to one scan (:class:`VerificationResult`): the verdict, the reasons, the unit's
first scan, a message for the person holding the pack, and the GS1 Lightweight Verification
response a trading partner reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from unitrace.places import Place
from unitrace.services import flagged_units
from unitrace.services.verification.findings import Verdict

__all__ = ["FirstScan", "ProductInfo", "VerificationResult"]


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
