"""The cold chain's rules, free of I/O: temperatures in UN/CEFACT units, a product's storage
conditions (USP <1079.2> defaults), and the judgement of a series of readings: its extremes,
time-weighted mean, mean kinetic temperature, excursions and verdict."""

from unitrace.coldchain.conditions import (
    DEFAULT_DELTA_H_OVER_R,
    ExcursionAllowance,
    MktLimit,
    MktWindow,
    StorageConditions,
)
from unitrace.coldchain.temperatures import (
    TEMPERATURE_UNITS,
    UnknownTemperatureUnit,
    to_celsius,
)

__all__ = [
    "DEFAULT_DELTA_H_OVER_R",
    "TEMPERATURE_UNITS",
    "ExcursionAllowance",
    "MktLimit",
    "MktWindow",
    "StorageConditions",
    "UnknownTemperatureUnit",
    "to_celsius",
]
