"""Temperatures as sensors report them, in the UN/CEFACT Recommendation 20 codes EPCIS 2.0
uses for ``uom`` (``CEL`` degree Celsius, ``FAH`` degree Fahrenheit, ``KEL`` kelvin), and in
degrees Celsius, the one unit unitrace keeps.

>>> to_celsius(98.6, "FAH")
37.0
>>> to_celsius(273.15, "KEL")
0.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

#: Absolute zero in degrees Celsius: no temperature is below it.
ABSOLUTE_ZERO_C: Final = -273.15
#: The hottest temperature a reading may say, in degrees Celsius: far above what any logger
#: survives, and low enough that a trip's sums, means and mean kinetic temperature stay
#: finite numbers (a reading of 1e308 °C would make them infinite, which no JSON answer holds).
HOTTEST_C: Final = 10_000.0


class UnknownTemperatureUnit(ValueError):
    """A unit of measure that is not one of :data:`TEMPERATURE_UNITS`."""


#: UN/CEFACT codes of temperature units, and how a value in each becomes degrees Celsius.
TEMPERATURE_UNITS: Final[Mapping[str, Callable[[float], float]]] = {
    "CEL": lambda value: value,
    "FAH": lambda value: (value - 32.0) * 5.0 / 9.0,
    "KEL": lambda value: value + ABSOLUTE_ZERO_C,
}


def to_celsius(value: float, uom: str) -> float:
    """``value`` in ``uom`` (a UN/CEFACT code) in degrees Celsius, rounded to 1/1000 degree
    (far finer than any logger; it keeps ``98.6 FAH`` at exactly 37)."""
    try:
        convert = TEMPERATURE_UNITS[uom]
    except KeyError:
        known = ", ".join(TEMPERATURE_UNITS)
        raise UnknownTemperatureUnit(
            f"{uom!r} is not a temperature unit (UN/CEFACT codes: {known})"
        ) from None
    return round(convert(value), 3) + 0.0


def from_celsius(celsius: float, uom: str) -> float:
    """``celsius`` in ``uom``: the inverse of :func:`to_celsius`, for a query's bound.

    >>> from_celsius(37.0, "FAH")
    98.6
    """
    if uom == "CEL":
        return celsius
    if uom == "FAH":
        return round(celsius * 9.0 / 5.0 + 32.0, 9)
    if uom == "KEL":
        return round(celsius - ABSOLUTE_ZERO_C, 9)
    to_celsius(celsius, uom)  # names the unknown unit
    raise AssertionError(uom)
