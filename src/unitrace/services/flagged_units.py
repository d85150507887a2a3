"""Units under an open clone or grey-market alert: every later scan tells the holder so.

A clone found in London must not show a green "Authentic" to the next browser in Paris whose
scan alone looks fine. So once a unit has an alert of type ``clone`` or ``grey_market`` that
is open (``new`` or ``investigating``) and corroborated (:func:`corroborated`: the brand took
it up, a scanner with a token saw it, or scans from two callers made it; one anonymous caller
with a forged place cannot flag a genuine unit for everyone), each scan of it names the alert
among its reasons
(``flagged_clone``, ``flagged_grey_market``, unless the scan finds the same itself) and is at least ``suspicious``, with a message
the person holding the pack understands, until the brand closes the alert.

A product may go further (its detection rule ``block_flagged_units``): its units under such
an alert answer ``counterfeit`` (reason ``flagged_blocked``), the scan that finds the clone
or the grey market included, until the alert is closed.

A recalled, expired or inactive unit keeps its verdict, whatever its alerts: that verdict
already tells the holder not to use the pack, and why. The open alerts are read on the
partial unique index of open alerts (type, subject): one indexed read per scan of a unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from unitrace.store.unit_of_work import UnitOfWork

__all__ = ["BLOCKED", "FLAGGING", "SOURCES_NEEDED", "Flags", "corroborated", "flags_of"]

#: The alert types that flag a unit, and the reason a later scan gives for each.
FLAGGING: Final = {"clone": "flagged_clone", "grey_market": "flagged_grey_market"}
#: The reason of a scan answered counterfeit because its product blocks flagged units.
BLOCKED: Final = "flagged_blocked"

_CHECKED: Final = (
    "Warning: this code has been reported for checks: {what}. The brand is looking into it. "
    "Buy with care, and contact the brand if in doubt."
)
_BLOCKED: Final = (
    "This code is blocked while it is checked: {what}. The product may not "
    "be genuine: do not buy or use it; contact the brand."
)
_WHAT: Final = {
    "clone": "the same code was scanned in places far apart, or too often, and may have been "
    "copied",
    "grey_market": "this pack was scanned where it was not meant to be sold",
}


@dataclass(frozen=True, slots=True)
class Flags:
    """What flags a unit at one scan: the alerts open on it before the scan, by type, and the
    flagging alerts the scan itself finds."""

    open: frozenset[str]
    found: frozenset[str]

    @property
    def flagged(self) -> bool:
        return bool(self.open or self.found)

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons the open alerts give the scan: of those types the scan did not find
        itself (its own reasons say more)."""
        alone = self.open - self.found
        return tuple(reason for kind, reason in FLAGGING.items() if kind in alone)

    def message(self, reasons: Sequence[str], *, blocked: bool) -> str | None:
        """What the holder reads: the blocked message for a blocked scan, the flagged one for
        a scan that found nothing but the open alerts; None where another message says
        more (the scan's own findings, the unit's state)."""
        kinds = self.open | self.found
        what = _WHAT["clone"] if "clone" in kinds else _WHAT["grey_market"]
        if blocked:
            return _BLOCKED.format(what=what)
        if reasons and set(reasons) <= set(FLAGGING.values()):
            return _CHECKED.format(what=what)
        return None


def flags_of(uow: UnitOfWork, gtin: str, serial: str, found: Iterable[str]) -> Flags:
    """The flags of the unit ``gtin``/``serial`` at a scan that found the alert types
    ``found``: of its open alerts, those that :func:`corroborated` holds."""
    subject = f"{gtin}/{serial}"
    return Flags(
        open=frozenset(
            alert.type
            for alert in uow.alerts.open_on(subject, tuple(FLAGGING))
            if corroborated(alert.status, alert.evidence)
        ),
        found=frozenset(str(kind) for kind in found if kind in FLAGGING),
    )


#: Distinct callers whose scans make an alert stand without the brand or a scanner.
SOURCES_NEEDED: Final = 2


def corroborated(status: str, evidence: Mapping[str, Any]) -> bool:
    """Whether an open alert may speak to everyone who scans the unit: the brand has taken
    it up (``investigating``), an authenticated scanner (a pharmacy, a distributor) saw it,
    or its scans came from :data:`SOURCES_NEEDED` callers at least (hashed addresses; a
    client id where a scan has none). Anyone may send a scan with a place of their choosing,
    so one caller alone never flags a unit for others, nor gets it blocked."""
    if status == "investigating":
        return True
    scans = [scan for scan in evidence.get("scans", ()) if isinstance(scan, Mapping)]
    if any(scan.get("scanner") is True for scan in scans):
        return True
    sources = {scan.get("address") or scan.get("client") for scan in scans}
    sources.update(evidence.get("sources", ()))
    return len(sources - {None, ""}) >= SOURCES_NEEDED
