"""Temperatures in the UN/CEFACT units sensors report them in, to and from degrees Celsius."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unitrace.coldchain.temperatures import (
    TEMPERATURE_UNITS,
    UnknownTemperatureUnit,
    from_celsius,
    to_celsius,
)

KNOWN = [
    (32.0, "FAH", 0.0),
    (212.0, "FAH", 100.0),
    (98.6, "FAH", 37.0),
    (-40.0, "FAH", -40.0),
    (46.4, "FAH", 8.0),
    (35.6, "FAH", 2.0),
    (-459.67, "FAH", -273.15),
    (0.0, "KEL", -273.15),
    (273.15, "KEL", 0.0),
    (281.15, "KEL", 8.0),
    (5.0, "CEL", 5.0),
    (-18.5, "CEL", -18.5),
    # to a thousandth of a degree, never a negative zero
    (1.23456, "CEL", 1.235),
    (-0.0001, "CEL", 0.0),
    (32.0001, "FAH", 0.0),
]


@pytest.mark.parametrize(("value", "uom", "celsius"), KNOWN)
def test_known_values(value: float, uom: str, celsius: float) -> None:
    found = to_celsius(value, uom)
    assert (found, str(found)) == (celsius, str(celsius))


BACK = [
    (0.0, "FAH", 32.0),
    (100.0, "FAH", 212.0),
    (37.0, "FAH", 98.6),
    (8.0, "FAH", 46.4),
    (-273.15, "KEL", 0.0),
    (25.0, "KEL", 298.15),
    (2.5, "CEL", 2.5),
]


@pytest.mark.parametrize(("celsius", "uom", "value"), BACK)
def test_from_celsius_known_values(celsius: float, uom: str, value: float) -> None:
    assert from_celsius(celsius, uom) == value


@pytest.mark.parametrize("uom", ["cel", "C", "°C", "", "DEG", "K", "FAHR"])
def test_an_unknown_unit_is_refused_by_name(uom: str) -> None:
    message = f"{uom!r} is not a temperature unit (UN/CEFACT codes: CEL, FAH, KEL)"
    with pytest.raises(UnknownTemperatureUnit) as to:
        to_celsius(5.0, uom)
    with pytest.raises(UnknownTemperatureUnit) as back:
        from_celsius(5.0, uom)
    assert (str(to.value), str(back.value)) == (message, message)
    assert isinstance(to.value, ValueError)


# a thousandth of a degree from absolute zero to 1,000 °C
thousandths = st.integers(-273_150, 1_000_000).map(lambda n: n / 1000)


@settings(max_examples=200, deadline=None)
@given(thousandths, st.sampled_from(sorted(TEMPERATURE_UNITS)))
def test_celsius_there_and_back_is_unchanged(celsius: float, uom: str) -> None:
    assert to_celsius(from_celsius(celsius, uom), uom) == celsius


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-500, 2000, allow_nan=False, allow_infinity=False),
    st.sampled_from(sorted(TEMPERATURE_UNITS)),
)
def test_a_value_there_and_back_moves_at_most_the_rounding(value: float, uom: str) -> None:
    # to_celsius keeps a thousandth of a degree Celsius: half of it either way, in uom
    half = 0.0005 * (9 / 5 if uom == "FAH" else 1)
    assert abs(from_celsius(to_celsius(value, uom), uom) - value) <= half + 1e-9


@settings(max_examples=100, deadline=None)
@given(thousandths, thousandths)
def test_order_is_kept_in_every_unit(a: float, b: float) -> None:
    for uom in TEMPERATURE_UNITS:
        assert (from_celsius(a, uom) < from_celsius(b, uom)) == (a < b)
