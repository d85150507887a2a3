"""What ``GET /api/cold-chain`` answers, the chart draws and the console shows: the exposure of
a unit or a container, judged, or the verdicts of a lot's units, counted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from unitrace.coldchain import StorageConditions
from unitrace.coldchain.exposure import Judgement, Stretch


@dataclass(frozen=True, slots=True)
class Exposure:
    """A unit's or a container's exposure: ``subject`` is ``unit`` or ``container``, ``epc``
    its EPC; from ``start_ms`` (commissioning, or the container's first event) to ``end_ms``
    (the unit's leaving the chain, or now); the stretches its readings came from, in time order
    (for the chart), and their judgement against ``conditions`` (None: the product has none,
    and nothing is judged)."""

    subject: str
    epc: str
    gtin: str | None
    lot: str | None
    start_ms: int
    end_ms: int
    conditions: StorageConditions | None
    stretches: tuple[Stretch, ...]
    judgement: Judgement


@dataclass(frozen=True, slots=True)
class LotExposure:
    """A lot's units judged: how many of each verdict (``None``: no reading covered them, or
    the product has no conditions), and the exposures the units shared, one per group of units
    that went through the same stretches (with how many units each)."""

    gtin: str
    lot: str
    conditions: StorageConditions | None
    units: int
    verdicts: Mapping[str | None, int]
    groups: tuple[tuple[Exposure, int], ...]
