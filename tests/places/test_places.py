"""Places: offline reverse geocoding to ISO 3166-2, codes sent by scanners, distances."""

from __future__ import annotations

import pytest

from unitrace.places import Place, great_circle_km, locate, region_code
from unitrace.registry.errors import InvalidRequest

KL = Place(3.139, 101.6869, "Kuala Lumpur", "MY-14", "MY")


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (3.139, 101.6869, KL),
        (5.4164, 100.3327, Place(5.4164, 100.3327, "George Town", "MY-07", "MY")),
        (3.07, 101.5, Place(3.07, 101.5, "Shah Alam", "MY-10", "MY")),
        (1.29, 103.85, Place(1.29, 103.85, "Singapore", None, "SG")),
        (40.7, -74.0, Place(40.7, -74.0, "Brooklyn Heights", "US-NY", "US")),
        (48.14, 11.58, Place(48.14, 11.58, "Munich", "DE-BY", "DE")),
    ],
)
def test_coordinates_are_reverse_geocoded(lat: float, lon: float, expected: Place) -> None:
    assert locate(lat=lat, lon=lon) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"country": "sg", "city": "Singapore"}, Place(None, None, "Singapore", None, "SG")),
        ({"region": "MY-10"}, Place(None, None, None, "MY-10", "MY")),
        ({"region": " my-14 ", "country": "MY"}, Place(None, None, None, "MY-14", "MY")),
        ({}, Place()),
        ({"city": "<b>Ipoh</b>\x00\n"}, Place(city="<b>Ipoh</b>")),
        ({"city": "x" * 500}, Place(city="x" * 100)),
        # measured coordinates win over typed codes
        (
            {"lat": 1.29, "lon": 103.85, "country": "MY"},
            Place(1.29, 103.85, "Singapore", None, "SG"),
        ),
    ],
)
def test_codes_sent_by_a_scanner(fields: dict[str, object], expected: Place) -> None:
    assert locate(**fields) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "XX"}, "country: 'XX' is not an ISO 3166-1 alpha-2 country"),
        ({"country": "'; DROP TABLE scans;--"}, 'country: "\'; DROP TABLE scans;--" is not an'),
        ({"region": "MY-99"}, "region: 'MY-99' is not an ISO 3166-2 subdivision"),
        ({"region": "MY-14", "country": "SG"}, "region: MY-14 is not in country SG"),
        ({"lat": 91.0, "lon": 0.0}, "lat: 91.0 is not between -90 and 90"),
        ({"lat": 0.0, "lon": -180.5}, "lon: -180.5 is not between -180 and 180"),
        ({"lat": float("nan"), "lon": 0.0}, "lat: nan is not between -90 and 90"),
        ({"lat": 3.1}, "lon: needed with lat"),
        ({"lon": 3.1}, "lat: needed with lon"),
    ],
)
def test_bad_place_fields_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        locate(**fields)  # type: ignore[arg-type]
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("country", "name", "code"),
    [
        ("MY", "Kuala Lumpur", "MY-14"),
        ("MY", "Penang", "MY-07"),
        ("MY", "Selangor", "MY-10"),
        ("MY", "Labuan", "MY-15"),
        ("US", "California", "US-CA"),
        ("TH", "Bangkok", "TH-10"),
        ("VN", "Long An Povince", "VN-41"),
        ("MY", "Atlantis", None),
        ("MY", None, None),
    ],
)
def test_region_names_map_to_iso_3166_2(country: str, name: str | None, code: str | None) -> None:
    assert region_code(country, name) == code


def test_labels_and_distances() -> None:
    singapore = Place(1.2897, 103.8501, "Singapore", None, "SG")
    assert (KL.label, singapore.label, Place().label) == (
        "Kuala Lumpur, MY-14, MY",
        "Singapore, SG",
        "unknown place",
    )
    distance = great_circle_km(KL, singapore)
    assert distance is not None
    assert 310 < distance < 320
    assert great_circle_km(KL, Place(country="SG")) is None
    assert great_circle_km(KL, KL) == 0
