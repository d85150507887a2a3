"""What the checks of a scan find: the verdicts a scan may get, the kinds of alert, and the
:class:`Findings` (machine reasons, with the evidence each alert needs) that the detectors
return and the verdict gathers before it chooses the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["AlertType", "Findings", "Verdict"]


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
    #: a cold chain breach (:mod:`unitrace.services.cold_chain.breaches`)
    TEMPERATURE_EXCURSION = "temperature_excursion"


@dataclass(slots=True)
class Findings:
    """What the checks found, gathered before the verdict is chosen.

    >>> found = Findings()
    >>> found.add("too_many_places", AlertType.CLONE, distinct_places=["MY-14", "SG"])
    >>> found.reasons, found.alerts[AlertType.CLONE]["reasons"]
    (['too_many_places'], ['too_many_places'])
    """

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

    def merge(self, other: Findings) -> None:
        """Add what ``other`` found after what is here, as if each of its findings had been
        added here in its order."""
        for reason in other.reasons:
            if reason not in self.reasons:
                self.reasons.append(reason)
        for kind, extra in other.alerts.items():
            found = self.alerts.setdefault(kind, {"reasons": []})
            for reason in extra["reasons"]:
                if reason not in found["reasons"]:
                    found["reasons"].append(reason)
            found.update({key: value for key, value in extra.items() if key != "reasons"})
