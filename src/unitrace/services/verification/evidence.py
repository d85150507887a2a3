"""The evidence a scan of a known unit is judged on: the unit as the registry holds it, its
product and custodian, its latest scans, and the scan itself (when, where, by whose hand),
with the rules it is judged by. The verdict gathers it from the store; the detectors
(:mod:`.lifecycle`, :mod:`.clone`, :mod:`.grey_market`) are pure functions of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from unitrace.places import Place
from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.registry.model import Party, Product
from unitrace.store.scans import ScanRecord
from unitrace.store.units import UnitRecord

__all__ = ["Evidence", "hand_of"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One scan of a known unit, with what the detectors read about it."""

    unit: UnitRecord
    #: when the scan was made
    at: dt.datetime
    #: where it was made, as far as it is known
    place: Place
    #: the service's rules with the product's own applied over them
    rules: DetectionRules = DEFAULT_RULES
    product: Product | None = None
    #: the party holding the unit, None while the brand does
    custodian: Party | None = None
    #: the unit's latest scans (up to ``rules.history``), newest first, counterfeit answers
    #: left out
    history: Sequence[ScanRecord] = ()
    #: the hand that made this scan: its hashed address, else its client id
    source: str | None = None
    #: why the unit is on hold (a failed inspection …), None when it is not
    hold: str | None = None


def hand_of(scan: ScanRecord) -> str | None:
    """The hand that made a logged scan: its hashed address, else its client id (so one
    caller sending many client ids is one hand)."""
    return scan.address or scan.client
