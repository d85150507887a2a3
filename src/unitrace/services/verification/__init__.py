"""Verification: "is this unit genuine?", answered for a consumer's phone, a pharmacist or a
trading partner, with every scan logged and the anomalies it shows raised as alerts.

The rooms:

- :mod:`.verdict`: a scan verified: the evidence gathered from the store (the product, the
  unit, its latest scans, its custodian, the caller's counterfeit answers), the detectors run
  over it, the verdict chosen, the scan logged and its alerts raised (``verify``,
  ``verify_code``, ``client_is_throttled``).
- :mod:`.findings`: what the checks find (``Findings``), the verdicts and the kinds of alert.
- :mod:`.evidence`: the :class:`Evidence` the detectors of a known unit judge.
- The detectors, pure functions of their evidence returning findings: :mod:`.lifecycle`
  (recalled, expired, decommissioned or never commissioned units), :mod:`.clone` (too many
  hands, too many places, impossible travel), :mod:`.grey_market` (outside the custodian's
  territory or the product's markets, before shipping), :mod:`.guessing` (a caller guessing
  codes).
- :mod:`.alerts`: alerts raised or extended with a scan's evidence (``raise_alerts``).
- :mod:`.scan_input`: the scan as a face hands it over, and what the log keeps of it.
- :mod:`.answer` and :mod:`.messages`: the answer to a scan, and its words for people.

The alerts' workflow is :mod:`~unitrace.services.alert_workflow`'s, and the pharmacist's
verify-and-dispense flow :mod:`~unitrace.services.pharmacy`'s.
"""

from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.services.verification.alerts import AlertStatus, ScanSeen, UnitNamed, raise_alerts
from unitrace.services.verification.answer import FirstScan, ProductInfo, VerificationResult
from unitrace.services.verification.evidence import Evidence
from unitrace.services.verification.findings import AlertType, Findings, Verdict
from unitrace.services.verification.scan_input import (
    CLIENT_MAX,
    ScanRequest,
    clean_text,
    scan_time_of,
)
from unitrace.services.verification.verdict import client_is_throttled, verify, verify_code
from unitrace.store.alerts import Alert

__all__ = [
    "CLIENT_MAX",
    "DEFAULT_RULES",
    "Alert",
    "AlertStatus",
    "AlertType",
    "DetectionRules",
    "Evidence",
    "Findings",
    "FirstScan",
    "ProductInfo",
    "ScanRequest",
    "ScanSeen",
    "UnitNamed",
    "Verdict",
    "VerificationResult",
    "clean_text",
    "client_is_throttled",
    "raise_alerts",
    "scan_time_of",
    "verify",
    "verify_code",
]
