"""The console map's geometry (``web/static/geo``, built by ``scripts/vendor_assets.py``) holds
every code the geocoder gives a scan's place: each region code and each country of places
all over the world has a shape (or, too small or too new for the source, a centroid), and a
place lies inside the shape of the region the geocoder puts it in. It stays a size fit for a
page."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from unitrace.places.geocoding import dataset_cities, locate
from unitrace.web.assets import ASSETS

Topology = dict[str, Any]
Ring = list[tuple[float, float]]


@cache
def countries() -> Topology:
    topology: Topology = json.loads(ASSETS["geo/countries.json"].body)
    return topology


@cache
def regions(country: str) -> Topology | None:
    found = ASSETS.get(f"geo/regions/{country}.json")
    return json.loads(found.body) if found else None


def country_codes() -> set[str]:
    return {
        g["properties"]["code"]
        for g in countries()["objects"]["countries"]["geometries"]
        if g.get("properties", {}).get("code")
    }


def region_shapes(code: str) -> list[dict[str, Any]]:
    topology = regions(code.split("-", 1)[0])
    if topology is None or "regions" not in topology["objects"]:
        return []
    return [
        geometry
        for geometry in topology["objects"]["regions"]["geometries"]
        if code in geometry["properties"]["codes"]
    ]


def drawn_as(code: str) -> str | None:
    """How the map draws ``code``: "shape", "centroid", "country" (a subdivision that is a
    country of its own), or None."""
    if "-" not in code:
        if code in country_codes():
            return "shape"
        return "centroid" if code in countries()["centroids"] else None
    topology = regions(code.split("-", 1)[0])
    if topology is None:
        return None
    if region_shapes(code):
        return "shape"
    if code in topology["centroids"]:
        return "centroid"
    return "country" if topology["countries"].get(code) in country_codes() else None


#: One GeoNames city in twenty, all over the world: the places scans come from.
SAMPLE = dataset_cities()[::20]


@cache
def sampled_places() -> list[tuple[str | None, str | None]]:
    places = [locate(lat=city["latitude"], lon=city["longitude"]) for city in SAMPLE]
    return [(place.country, place.region) for place in places]


def test_the_sample_is_of_places_all_over_the_world() -> None:
    assert len({country for country, _ in sampled_places()}) > 200
    assert len({region for _, region in sampled_places() if region}) > 800


def test_every_region_the_geocoder_gives_a_sampled_place_is_on_the_map() -> None:
    placed = {region: drawn_as(region) for _, region in sampled_places() if region}
    assert [region for region, how in sorted(placed.items()) if how is None] == []
    # nearly all as shapes: a centroid stands in only where the source has no shape
    assert sum(how == "shape" for how in placed.values()) / len(placed) > 0.97


def test_every_country_of_a_sampled_place_is_on_the_map() -> None:
    placed = {country: drawn_as(country) for country, _ in sampled_places() if country}
    assert [country for country, how in sorted(placed.items()) if how is None] == []
    assert sum(how == "shape" for how in placed.values()) / len(placed) > 0.95


@pytest.mark.parametrize(
    ("code", "how"),
    [
        # the codes of the console's own examples, and of a distributor's territory
        ("MY-14", "shape"),
        ("MY", "shape"),
        ("SG", "shape"),
        ("FR-IDF", "shape"),  # merged from its départements
        ("FR", "shape"),
        ("US-CA", "shape"),
        ("GB-ENG", "shape"),  # merged from its counties
        ("GB-WLS", "shape"),
        ("DE-BY", "shape"),
        ("CN-HK", "country"),
        ("HK", "shape"),
        ("MQ", "shape"),  # an overseas department of France, a country in ISO 3166-1
        ("GI", "centroid"),  # too small for the countries' 1:50m source
    ],
)
def test_known_codes_are_drawn_as_expected(code: str, how: str) -> None:
    assert drawn_as(code) == how


# --- a place lies inside its region's shape -------------------------------------------------


def rings(topology: Topology, geometry: dict[str, Any]) -> list[Ring]:
    """The rings of a TopoJSON polygon or multipolygon, in degrees (the arcs delta-encoded
    and quantized as the TopoJSON specification says)."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]

    def arc(index: int) -> Ring:
        points, x, y = [], 0, 0
        for dx, dy in topology["arcs"][index if index >= 0 else ~index]:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        return points if index >= 0 else points[::-1]

    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return [
        [point for index in ring for point in arc(index)]
        for polygon in polygons
        for ring in polygon
    ]


def inside(lon: float, lat: float, all_rings: list[Ring]) -> bool:
    """Even-odd rule over every ring: holes cut out, parts added."""
    crossings = 0
    for ring in all_rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


@pytest.mark.parametrize(
    ("place", "lat", "lon", "region"),
    [
        ("Kuala Lumpur", 3.139, 101.6869, "MY-14"),
        ("George Town", 5.4141, 100.3288, "MY-07"),
        ("Shah Alam", 3.0733, 101.5185, "MY-10"),
        ("Paris", 48.8566, 2.3522, "FR-IDF"),
        ("Lyon", 45.764, 4.8357, "FR-ARA"),
        ("Los Angeles", 34.0522, -118.2437, "US-CA"),
        ("Munich", 48.1351, 11.582, "DE-BY"),
        ("Manchester", 53.4808, -2.2426, "GB-ENG"),
        ("Cardiff", 51.4816, -3.1791, "GB-WLS"),
        ("Bangkok", 13.7563, 100.5018, "TH-10"),
        ("Jakarta", -6.2088, 106.8456, "ID-JK"),
        ("Lhasa", 29.65, 91.1, "CN-XZ"),
        ("Mumbai", 19.076, 72.8777, "IN-MH"),
        ("São Paulo", -23.5505, -46.6333, "BR-SP"),
        ("Toronto", 43.6532, -79.3832, "CA-ON"),
        ("Sydney", -33.8688, 151.2093, "AU-NSW"),
        ("Osaka", 34.6937, 135.5023, "JP-27"),
        ("Hanoi", 21.0278, 105.8342, "VN-HN"),
    ],
)
def test_a_place_lies_inside_the_shape_of_the_region_the_geocoder_gives_it(
    place: str, lat: float, lon: float, region: str
) -> None:
    assert locate(lat=lat, lon=lon).region == region
    topology = regions(region.split("-", 1)[0])
    assert topology is not None
    shapes = [ring for geometry in region_shapes(region) for ring in rings(topology, geometry)]
    assert shapes, f"{place}: no shape for {region}"
    assert inside(lon, lat, shapes), f"{place} is outside the shape of {region}"


def test_the_geometry_is_a_size_fit_for_a_page() -> None:
    geometry = [asset for name, asset in ASSETS.items() if name.startswith("geo/")]
    assert len(ASSETS["geo/countries.json"].body) < 500_000
    assert max(len(asset.body) for asset in geometry) < 400_000
    assert sum(len(asset.body) for asset in geometry) < 6_000_000
    # as sent to a browser that accepts gzip, a third of that or less
    assert sum(len(asset.gzipped or asset.body) for asset in geometry) < 2_000_000
