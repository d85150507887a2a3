"""What people read: the verdict of a scan in plain words for the person holding the pack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from unitrace.places import Place
from unitrace.registry.model import UnitState
from unitrace.services.lifecycle.holds import hold_words
from unitrace.services.verification.answer import FirstScan
from unitrace.services.verification.findings import Verdict
from unitrace.store.units import UnitRecord

__all__ = ["counterfeit_message", "message"]

_CLONE_REASONS: Final = frozenset({"too_many_scans", "too_many_places", "impossible_travel"})


def message(
    verdict: Verdict,
    reasons: Sequence[str],
    unit: UnitRecord,
    first: bool,
    count: int,
    first_scanned: FirstScan,
    place: Place,
    *,
    hold: str | None = None,
) -> str:
    """The message for a scan of a unit of ours (``hold``: why it is on hold, if it is)."""
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
    if hold is not None and unit.state is UnitState.ACTIVE:
        return f"This pack is {hold_words(hold)}. Do not use it; contact the brand."
    return _INACTIVE_MESSAGES.get(
        unit.state,
        "This pack has been taken out of circulation. Do not use it; contact the brand.",
    )


def recall_message(lot: str, reason: str, instructions: str) -> str:
    """The message for a scan of a unit a recall reached: why, and what to do.

    >>> recall_message("L1", "Seal may leak.", "Return it to the pharmacy.")
    'This product (batch L1) has been recalled: Seal may leak. Return it to the pharmacy.'
    """
    return f"This product (batch {lot}) has been recalled: {reason.rstrip('.')}. {instructions}"


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


def counterfeit_message(reasons: Sequence[str]) -> str:
    """The message for a counterfeit answer, by its reasons."""
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
