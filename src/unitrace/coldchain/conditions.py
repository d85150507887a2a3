"""A product's storage conditions: the band it is kept in, the excursion it may bear, and the
limit on its mean kinetic temperature, with the defaults of USP <1079.2>: ΔH/R = 10,000 K, a
24-hour window for controlled cold products (kept at or below 8 °C) and 30 days for the rest
(controlled room temperature), and the band's top as the MKT's limit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

#: USP <1079.2>: the activation energy over the gas constant, in kelvin (83.144 kJ/mol).
DEFAULT_DELTA_H_OVER_R: Final = 10_000.0

#: The warmest top of band that still makes a product a controlled cold one (USP <659>: 2 to 8 °C).
COLD_PRODUCT_MAX_C: Final = 8.0


class MktWindow(StrEnum):
    """How long a window the mean kinetic temperature is computed over."""

    DAY = "24h"
    THIRTY_DAYS = "30d"

    @property
    def milliseconds(self) -> int:
        return 24 * 3600 * 1000 if self is MktWindow.DAY else 30 * 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class ExcursionAllowance:
    """A wider band a product may leave its own for: at most ``max_minutes`` out of its band
    in all, and never outside ``min_c`` … ``max_c``."""

    min_c: float
    max_c: float
    max_minutes: int


@dataclass(frozen=True, slots=True)
class MktLimit:
    """The mean kinetic temperature's limit, the window it is computed over, and ΔH/R."""

    max_c: float
    window: MktWindow
    delta_h_over_r: float = DEFAULT_DELTA_H_OVER_R


@dataclass(frozen=True, slots=True)
class StorageConditions:
    """A product's storage conditions."""

    min_c: float
    max_c: float
    mkt: MktLimit
    excursion: ExcursionAllowance | None = None

    @classmethod
    def of(
        cls,
        min_c: float,
        max_c: float,
        *,
        excursion: ExcursionAllowance | None = None,
        mkt_max_c: float | None = None,
        mkt_window: MktWindow | None = None,
        delta_h_over_r: float | None = None,
    ) -> StorageConditions:
        """Conditions with USP <1079.2>'s defaults for what is not said.

        >>> StorageConditions.of(2, 8).mkt
        MktLimit(max_c=8, window=<MktWindow.DAY: '24h'>, delta_h_over_r=10000.0)
        >>> StorageConditions.of(15, 25).mkt.window.value
        '30d'
        """
        window = mkt_window or (
            MktWindow.DAY if max_c <= COLD_PRODUCT_MAX_C else MktWindow.THIRTY_DAYS
        )
        mkt = MktLimit(
            max_c if mkt_max_c is None else mkt_max_c,
            window,
            DEFAULT_DELTA_H_OVER_R if delta_h_over_r is None else delta_h_over_r,
        )
        return cls(min_c, max_c, mkt, excursion)
