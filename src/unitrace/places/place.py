"""Where a scan happened: coordinates, and the city, ISO 3166-2 region and ISO 3166-1 country
they fall in (or that a partner's scanner sent).

>>> kl = Place(3.139, 101.6869, "Kuala Lumpur", "MY-14", "MY")
>>> kl.label
'Kuala Lumpur, MY-14, MY'
>>> round(great_circle_km(kl, Place(1.2897, 103.8501, "Singapore", None, "SG")))
316
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

#: The mean Earth radius (IUGG), the usual sphere for great-circle distances.
EARTH_RADIUS_KM: Final = 6371.0088


@dataclass(frozen=True, slots=True)
class Place:
    """A place as far as it is known; every field may be missing."""

    latitude: float | None = None
    longitude: float | None = None
    city: str | None = None
    #: ISO 3166-2 subdivision, e.g. ``MY-14``
    region: str | None = None
    #: ISO 3166-1 alpha-2 country, e.g. ``MY``
    country: str | None = None

    @property
    def label(self) -> str:
        """The place for people: ``Kuala Lumpur, MY-14, MY``; ``unknown place`` when nothing
        is known.

        >>> Place(country="SG").label
        'SG'
        """
        parts = [part for part in (self.city, self.region, self.country) if part]
        return ", ".join(parts) if parts else "unknown place"

    @property
    def area(self) -> str | None:
        """The coarsest place the detectors compare: the region where it is known, else the
        country.

        >>> Place(city="Ipoh", region="MY-08", country="MY").area
        'MY-08'
        """
        return self.region or self.country

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_known(self) -> bool:
        return self.has_coordinates or self.area is not None


#: Nowhere known.
UNKNOWN_PLACE: Final = Place()


def great_circle_km(a: Place, b: Place) -> float | None:
    """The great-circle (haversine) distance between two places in kilometres; None unless
    both have coordinates.

    >>> great_circle_km(Place(0.0, 0.0), Place(0.0, 180.0)) == math.pi * EARTH_RADIUS_KM
    True
    """
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return arc_km(a.latitude, a.longitude, b.latitude, b.longitude)


def arc_km(latitude1: float, longitude1: float, latitude2: float, longitude2: float) -> float:
    """The great-circle (haversine) distance between two points in degrees, in kilometres.

    >>> round(arc_km(3.139, 101.6869, 48.8534, 2.3488))
    10424
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (latitude1, longitude1, latitude2, longitude2))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
