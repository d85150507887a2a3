"""When a scan is an anomaly: the detection rules verification judges scans by, and a
product's own values for them.

The service holds one complete set (:class:`DetectionRules`); a product may replace any of
the rules that are about its units (:data:`PRODUCT_RULES`) with :class:`ProductRules`. The
guessing rules stay service-wide: they judge a client sending unknown codes, before any
product is known.

>>> slow_boat = ProductRules(max_speed_kmh=60.0, before_shipping=False)
>>> rules = slow_boat.applied_to(DetectionRules())
>>> rules.max_speed_kmh, rules.before_shipping, rules.max_clients
(60.0, False, 5)
>>> slow_boat.given
{'max_speed_kmh': 60.0, 'before_shipping': False}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class DetectionRules:
    """When a scan is an anomaly: the service's rules, or a product's once applied."""

    #: clone: more distinct clients than this have scanned the code
    max_clients: int = 5
    #: clone: the code was scanned in more distinct areas (regions, else countries)
    max_places: int = 3
    #: clone: faster than this between two scans, on the least distance their places allow
    max_speed_kmh: float = 900.0
    #: distances below this are GPS noise and a shop's neighbours, never travel
    min_travel_km: float = 50.0
    #: how many of a unit's last scans the detectors look at
    history: int = 50
    #: grey market: an active unit still in the brand's hands is scanned by the public
    before_shipping: bool = True
    #: guessing: this many counterfeit answers to one client within ``guess_window``
    guess_limit: int = 10
    guess_window: dt.timedelta = dt.timedelta(minutes=10)
    #: scans an alert's evidence keeps (the newest)
    evidence_scans: int = 50
    #: a unit under an open clone or grey-market alert answers counterfeit, not suspicious,
    #: until the alert is closed
    block_flagged_units: bool = False


DEFAULT_RULES: Final = DetectionRules()


@dataclass(frozen=True, slots=True)
class ProductRules:
    """A product's own detection rules: each value given replaces the service's; None keeps
    the service's, so that a product follows the defaults in everything it does not set."""

    max_clients: int | None = None
    max_places: int | None = None
    max_speed_kmh: float | None = None
    min_travel_km: float | None = None
    history: int | None = None
    before_shipping: bool | None = None
    evidence_scans: int | None = None
    block_flagged_units: bool | None = None

    @property
    def given(self) -> dict[str, Any]:
        """The rules the product sets, by name (what is stored)."""
        found = ((name, getattr(self, name)) for name in PRODUCT_RULES)
        return {name: value for name, value in found if value is not None}

    def applied_to(self, defaults: DetectionRules) -> DetectionRules:
        """The complete rules a scan of the product is judged by."""
        return _applied(self, defaults)


#: The rules a product may set, in the order people read them.
PRODUCT_RULES: Final = tuple(part.name for part in fields(ProductRules))
#: The rules only the service sets.
SERVICE_RULES: Final = tuple(
    part.name for part in fields(DetectionRules) if part.name not in PRODUCT_RULES
)
#: A product that sets nothing.
NO_PRODUCT_RULES: Final = ProductRules()


@lru_cache(maxsize=1024)
def _applied(own: ProductRules, defaults: DetectionRules) -> DetectionRules:
    # a product is read afresh for every scan: products share a few rule sets, so the merged
    # rules are built once per set instead of once per scan
    given = own.given
    return replace(defaults, **given) if given else defaults
