"""A product's storage conditions, with USP <1079.2>'s defaults for what is not said."""

from __future__ import annotations

import pytest

from unitrace.coldchain.conditions import (
    DEFAULT_DELTA_H_OVER_R,
    ExcursionAllowance,
    MktLimit,
    MktWindow,
    StorageConditions,
)

DAY = MktWindow.DAY
MONTH = MktWindow.THIRTY_DAYS
ALLOWANCE = ExcursionAllowance(0, 12, 60)

DEFAULTS = [
    # controlled cold (top of band at most 8 °C): a 24-hour window, the top as the MKT limit
    ((2, 8), {}, StorageConditions(2, 8, MktLimit(8, DAY, 10_000.0))),
    ((-25, -15), {}, StorageConditions(-25, -15, MktLimit(-15, DAY, 10_000.0))),
    ((2, 7.9), {}, StorageConditions(2, 7.9, MktLimit(7.9, DAY, 10_000.0))),
    # anything warmer is controlled room temperature: 30 days
    ((2, 8.1), {}, StorageConditions(2, 8.1, MktLimit(8.1, MONTH, 10_000.0))),
    ((15, 25), {}, StorageConditions(15, 25, MktLimit(25, MONTH, 10_000.0))),
    ((0, 18), {}, StorageConditions(0, 18, MktLimit(18, MONTH, 10_000.0))),
    # what is said wins
    ((15, 25), {"mkt_max_c": 25.0}, StorageConditions(15, 25, MktLimit(25.0, MONTH, 10_000.0))),
    ((2, 8), {"mkt_max_c": 0.0}, StorageConditions(2, 8, MktLimit(0.0, DAY, 10_000.0))),
    ((2, 8), {"mkt_window": MONTH}, StorageConditions(2, 8, MktLimit(8, MONTH, 10_000.0))),
    ((15, 25), {"mkt_window": DAY}, StorageConditions(15, 25, MktLimit(25, DAY, 10_000.0))),
    ((2, 8), {"delta_h_over_r": 12_000.0}, StorageConditions(2, 8, MktLimit(8, DAY, 12_000.0))),
    (
        (2, 8),
        {"excursion": ALLOWANCE},
        StorageConditions(2, 8, MktLimit(8, DAY, 10_000.0), ALLOWANCE),
    ),
]


@pytest.mark.parametrize(("band", "said", "conditions"), DEFAULTS)
def test_defaults(
    band: tuple[float, float], said: dict[str, object], conditions: StorageConditions
) -> None:
    assert StorageConditions.of(*band, **said) == conditions  # type: ignore[arg-type]


def test_the_default_activation_energy_is_usps() -> None:
    # ΔH = 83.144 kJ/mol over R = 8.3144 J/(mol·K)
    assert round(83_144 / 8.3144) == DEFAULT_DELTA_H_OVER_R


@pytest.mark.parametrize(("window", "milliseconds"), [(DAY, 86_400_000), (MONTH, 2_592_000_000)])
def test_windows(window: MktWindow, milliseconds: int) -> None:
    assert (window.milliseconds, MktWindow(window.value)) == (milliseconds, window)
