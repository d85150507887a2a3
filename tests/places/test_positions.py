"""Positions of places for the travel check: exact for coordinates, approximate for codes,
and never closer together than the true places are."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unitrace.places import Place, Position, least_travel_km, locate, position_of, region_code
from unitrace.places.geocoding import dataset_cities
from unitrace.places.place import arc_km
from unitrace.places.positions import city_reach_km


@pytest.mark.parametrize(
    ("place", "near", "uncertainty"),
    [
        # measured: where it was measured, exactly
        (Place(3.139, 101.6869, "Kuala Lumpur", "MY-14", "MY"), (3.139, 101.6869), (0, 0)),
        # a city the dataset knows in the region sent: its point, with the city's reach
        (Place(city="Kuala Lumpur", region="MY-14", country="MY"), (3.14, 101.69), (120, 125)),
        (Place(city="paris", country="FR"), (48.85, 2.35), (140, 150)),
        # a name shared by towns all over the country: a wide circle round them all
        (Place(city="Paris", country="US"), None, (1000, 3000)),
        # a city not known there: the area sent
        (Place(city="Atlantis", region="MY-14", country="MY"), (3.14, 101.69), (120, 125)),
        (Place(city="Kuala Lumpur", region="MY-07", country="MY"), (5.35, 100.3), (40, 200)),
        (Place(region="MY-12", country="MY"), (5.1, 117.0), (150, 400)),
        (Place(country="SG"), (1.3, 103.85), (100, 300)),
        (Place(country="MY"), None, (900, 1500)),
    ],
)
def test_a_place_gets_a_position(
    place: Place, near: tuple[float, float] | None, uncertainty: tuple[float, float]
) -> None:
    found = position_of(place)
    assert found is not None
    if near is not None:
        assert arc_km(found.latitude, found.longitude, *near) < 30
    assert uncertainty[0] <= found.uncertainty_km <= uncertainty[1]
    assert found.is_approximate is (uncertainty[1] > 0)


@pytest.mark.parametrize(
    "place",
    [Place(), Place(city="Ipoh"), Place(country="AQ"), Place(region="AQ", country=None)],
)
def test_places_nothing_puts_on_the_map_have_no_position(place: Place) -> None:
    assert position_of(place) is None


@pytest.mark.parametrize(
    ("a", "b", "least"),
    [
        (Position(0.0, 0.0), Position(0.0, 1.0), 111.2),
        (Position(0.0, 0.0, 50.0), Position(0.0, 1.0, 11.2), 50.0),
        (Position(0.0, 0.0, 500.0), Position(0.0, 1.0, 500.0), 0.0),
    ],
)
def test_least_travel_takes_both_uncertainties_off(a: Position, b: Position, least: float) -> None:
    assert least_travel_km(a, b) == pytest.approx(least, abs=0.1)


def test_a_citys_reach_grows_with_its_people() -> None:
    assert [city_reach_km(n) for n in (0, 1_000, 62_500, 1_000_000, 9_000_000)] == [
        25.0, 25.0, 25.0, 100.0, 300.0
    ]  # fmt: skip


# --- never closer than the truth ----------------------------------------------------------------

CITIES = dataset_cities()


def placed_by_code(number: int, detail: str) -> tuple[Place, tuple[float, float]]:
    """Dataset city ``number`` as a partner's scanner would send it, and where it truly is."""
    city = CITIES[number]
    country = city["country_code"]
    region = region_code(country, city.get("state"))
    codes = {
        "city in region": {"city": city["city"], "region": region, "country": country},
        "city in country": {"city": city["city"], "country": country},
        "region": {"region": region, "country": country},
        "country": {"country": country},
    }[detail]
    return locate(**codes), (city["latitude"], city["longitude"])


DETAIL = st.sampled_from(["city in region", "city in country", "region", "country"])
CITY = st.integers(0, len(CITIES) - 1)


@settings(max_examples=300, deadline=None)
@given(CITY, DETAIL, CITY, DETAIL)
def test_the_least_travel_never_exceeds_the_true_distance(
    first: int, first_detail: str, second: int, second_detail: str
) -> None:
    a, a_truth = placed_by_code(first, first_detail)
    b, b_truth = placed_by_code(second, second_detail)
    a_position, b_position = position_of(a), position_of(b)
    assert a_position is not None
    assert b_position is not None
    for position, truth in ((a_position, a_truth), (b_position, b_truth)):
        assert arc_km(position.latitude, position.longitude, *truth) <= position.uncertainty_km
    true_km = arc_km(*a_truth, *b_truth)
    assert least_travel_km(a_position, b_position) <= true_km + 1e-6
    # and with the truth on one side, measured
    measured = Position(*a_truth)
    assert least_travel_km(measured, b_position) <= true_km + 1e-6
    assert math.isfinite(least_travel_km(a_position, b_position))
