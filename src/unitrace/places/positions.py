"""Where on Earth a place is, and how sure we are: a :class:`Position` with an uncertainty
radius, for the travel check between scans.

Measured coordinates are exact. A place sent as codes gets an approximate position from the
same offline GeoNames cities the reverse geocoder uses: the city where it is named and known
in the region (or country) sent, else the region's or the country's centre, each with a
radius that holds every city of that area, however far out it lies. Every
:class:`Position` promises that the true place lies within ``uncertainty_km`` of it, so
:func:`least_travel_km` (the distance minus both radii) never exceeds the true distance and a
coarse place never makes a genuine unit look cloned.

>>> round(least_travel_km(position_of(Place(country="MY")), position_of(Place(country="SG"))))
0
>>> kl = position_of(Place(city="Kuala Lumpur", region="MY-14", country="MY"))
>>> kl.is_approximate, round(kl.uncertainty_km)
(True, 121)
>>> round(least_travel_km(kl, position_of(Place(city="Paris", country="FR")))) > 10_000
True
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Final, NamedTuple

from unitrace.places.geocoding import dataset_cities, region_code
from unitrace.places.place import EARTH_RADIUS_KM, Place, arc_km

#: The least a named city reaches from its GeoNames point: the point is the centre, a scan
#: may come from its edge or its suburbs.
CITY_REACH_MIN_KM: Final = 25.0


def city_reach_km(population: int) -> float:
    """How far a city of ``population`` may reach from its centre: the radius of a disc
    holding its people at 32 per km², a density far below any city's, so a generous bound
    (100 km for a million people), and never less than :data:`CITY_REACH_MIN_KM`.

    >>> city_reach_km(1_000_000), city_reach_km(2_000)
    (100.0, 25.0)
    """
    return max(CITY_REACH_MIN_KM, math.sqrt(max(population, 0)) / 10)


@dataclass(frozen=True, slots=True)
class Position:
    """A point, and how far from it the true place may be (0 for measured coordinates)."""

    latitude: float
    longitude: float
    uncertainty_km: float = 0.0

    @property
    def is_approximate(self) -> bool:
        return self.uncertainty_km > 0


def least_travel_km(a: Position, b: Position) -> float:
    """The least distance between the true places behind two positions: the great-circle
    distance minus both uncertainties, never below 0.

    >>> least_travel_km(Position(0.0, 0.0, 100.0), Position(0.0, 1.0, 10.0)) < 2
    True
    """
    km = arc_km(a.latitude, a.longitude, b.latitude, b.longitude)
    return max(0.0, km - a.uncertainty_km - b.uncertainty_km)


def position_of(place: Place) -> Position | None:
    """Where ``place`` is: its coordinates where measured; else the city sent where the
    dataset knows it in the region or country sent, or the region's or country's centre,
    whichever is surer; None where nothing places it (no country, or one without cities).

    >>> position_of(Place(3.139, 101.6869, "Kuala Lumpur", "MY-14", "MY"))
    Position(latitude=3.139, longitude=101.6869, uncertainty_km=0.0)
    >>> position_of(Place(city="Ipoh")) is None
    True
    """
    if place.latitude is not None and place.longitude is not None:
        return Position(place.latitude, place.longitude)
    if place.country is None:
        return None
    return _sent(place.country, place.region, place.city)


@lru_cache(maxsize=8192)
def _sent(country: str, region: str | None, city: str | None) -> Position | None:
    # the scans of a unit name the same few places over and over: placed once each
    return _placed(country, region, city_key(city)[:100] if city else "")


def city_key(name: str) -> str:
    """A city name as compared: accents, case and punctuation dropped.

    >>> city_key("  São-Paulo ")
    'sao paulo'
    """
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(_NOT_ALPHANUMERIC.sub(" ", name.lower()).split())


_NOT_ALPHANUMERIC: Final = re.compile(r"[^a-z0-9]+")


# --- the dataset, indexed once ------------------------------------------------------------------


class _City(NamedTuple):
    latitude: float
    longitude: float
    #: the point on the unit sphere, for centres
    x: float
    y: float
    z: float
    reach_km: float
    region: str | None


_index_lock = threading.Lock()
_by_country: dict[str, list[dict[str, Any]]] | None = None


def _dataset_by_country() -> dict[str, list[dict[str, Any]]]:
    # one pass over 150,000 cities, once per process; the rest is built country by country
    global _by_country
    if _by_country is None:
        with _index_lock:
            if _by_country is None:
                grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for entry in dataset_cities():
                    if entry.get("country_code"):
                        grouped[entry["country_code"]].append(entry)
                _by_country = dict(grouped)
    return _by_country


@dataclass(frozen=True, slots=True)
class _Country:
    """One country's cities, by region and by name."""

    cities: list[_City]
    by_region: dict[str, list[_City]]
    by_name: dict[str, list[_City]]


@cache
def _country(code: str) -> _Country:
    # built on the first scan placed in the country (a quarter of a second for the largest),
    # then kept: a few hundred countries at most
    cities: list[_City] = []
    by_region: dict[str, list[_City]] = defaultdict(list)
    by_name: dict[str, list[_City]] = defaultdict(list)
    regions: dict[str | None, str | None] = {}
    for entry in _dataset_by_country().get(code, []):
        state = entry.get("state")
        if state not in regions:
            regions[state] = region_code(code, state)
        latitude, longitude = float(entry["latitude"]), float(entry["longitude"])
        phi, lam = math.radians(latitude), math.radians(longitude)
        city = _City(
            latitude,
            longitude,
            math.cos(phi) * math.cos(lam),
            math.cos(phi) * math.sin(lam),
            math.sin(phi),
            city_reach_km(int(entry.get("population") or 0)),
            regions[state],
        )
        cities.append(city)
        if city.region is not None:
            by_region[city.region].append(city)
        by_name[city_key(str(entry.get("city") or ""))].append(city)
    return _Country(cities, dict(by_region), dict(by_name))


@lru_cache(maxsize=8192)
def _placed(country: str, region: str | None, city: str) -> Position | None:
    area = _area(region) if region is not None else None
    if area is None:
        area = _area(country)
    if not city:
        return area
    named = _country(country).by_name.get(city, [])
    if region is not None:
        named = [candidate for candidate in named if candidate.region == region]
    if not named:
        # a city the dataset does not know there (a small place, another spelling, a typo):
        # the area sent is all that is known
        return area
    around = _enclosing(named)
    if area is not None and area.uncertainty_km < around.uncertainty_km:
        return area  # a name shared by towns far apart says less than the area
    return around


@cache
def _area(code: str) -> Position | None:
    """The centre and radius of a country or region (a few thousand codes: all kept)."""
    country = _country(code.split("-", 1)[0])
    members = country.by_region.get(code) if "-" in code else country.cities
    if not members:
        return None
    return _enclosing(members)


#: Steps of the centre towards the farthest city; the best centre seen is kept.
_CENTRE_STEPS: Final = 24


def _enclosing(cities: Sequence[_City]) -> Position:
    """A centre of ``cities`` and the radius that holds each of them with its reach. Any
    centre is correct, as the radius is measured from it; a better one gives a smaller
    radius, so the mean point is moved towards the farthest city in shrinking steps
    (Bădoiu and Clarkson's approximation of the smallest enclosing circle)."""
    x = sum(city.x for city in cities)
    y = sum(city.y for city in cities)
    z = sum(city.z for city in cities)
    if math.hypot(x, y, z) < 1e-9:
        # cities all round the globe cancel out: start from one of them
        x, y, z = cities[0].x, cities[0].y, cities[0].z
    best: tuple[float, float, float, float] | None = None
    for step in range(_CENTRE_STEPS + 1):
        norm = math.hypot(x, y, z)
        x, y, z = x / norm, y / norm, z / norm
        radius, farthest = _radius(x, y, z, cities)
        if best is None or radius < best[0]:
            best = (radius, x, y, z)
        if step < _CENTRE_STEPS and len(cities) > 1:
            share = 1 / (step + 2)
            x += (farthest.x - x) * share
            y += (farthest.y - y) * share
            z += (farthest.z - z) * share
    assert best is not None
    radius, x, y, z = best
    latitude = math.degrees(math.asin(max(-1.0, min(1.0, z))))
    longitude = math.degrees(math.atan2(y, x))
    # the centre is rounded for people: the radius grows by what rounding may have moved it
    return Position(round(latitude, 4), round(longitude, 4), math.ceil(radius + 0.1))


def _radius(x: float, y: float, z: float, cities: Sequence[_City]) -> tuple[float, _City]:
    """The farthest any city (with its reach) lies from the centre, and that city."""
    radius, farthest = -1.0, cities[0]
    for city in cities:
        angle = math.acos(max(-1.0, min(1.0, x * city.x + y * city.y + z * city.z)))
        km = angle * EARTH_RADIUS_KM + city.reach_km
        if km > radius:
            radius, farthest = km, city
    return radius, farthest
