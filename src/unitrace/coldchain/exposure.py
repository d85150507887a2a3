"""What a unit went through, as readings in stretches of time each measured by one source (a
device attached to the unit, a container it was in, a shipment it travelled with or a place it
was kept), and the judgement of it against the product's storage conditions.

Times are whole milliseconds since the Unix epoch, UTC. A reading stands for the time until
the next reading of its series, but never longer than :func:`reading_span` allows: what is
left of a longer silence is a gap, reported, never filled in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

import numpy as np
import numpy.typing as npt


class Verdict(StrEnum):
    """How a unit's exposure stands against its product's conditions."""

    WITHIN = "within"
    ALLOWED_EXCURSION = "allowed_excursion"
    BREACH = "breach"


@dataclass(frozen=True, slots=True)
class Source:
    """What measured a stretch of a unit's time: ``device`` while attached to ``target`` of
    ``kind`` (``unit``, ``container``, ``shipment`` or ``location``)."""

    kind: str
    target: str
    device: str

    def label(self) -> str:
        """The source in words, for a chart and a table.

        >>> Source("container", "urn:epc:id:sscc:0614141.1234567890", "LOG-7").label()
        'LOG-7 on container urn:epc:id:sscc:0614141.1234567890'
        """
        preposition = "at" if self.kind == "location" else "on"
        return f"{self.device} {preposition} {self.kind} {self.target}"


Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
#: A range report's end where a reading is not one (``Series.until_ms``).
NO_END: Final = -1


@dataclass(frozen=True, slots=True)
class Series:
    """A device's readings, in time order, as arrays: the instant of each (``times_ms``), its
    value in degrees Celsius (a range report's mean), and, where some report spans a range of
    time, the end of each (``until_ms``, :data:`NO_END` for a reading at an instant) and the
    extremes of each (``lows``, ``highs``); empty where no reading has them. Sequences given
    are made arrays."""

    times_ms: Ints
    celsius: Floats
    until_ms: Ints = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    lows: Floats = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    highs: Floats = field(default_factory=lambda: np.empty(0, dtype=np.float64))

    def __post_init__(self) -> None:
        for name, kind in (
            ("times_ms", np.int64),
            ("celsius", np.float64),
            ("until_ms", np.int64),
            ("lows", np.float64),
            ("highs", np.float64),
        ):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.dtype != kind:
                if name == "until_ms":
                    value = [NO_END if end is None else end for end in value]
                object.__setattr__(self, name, np.asarray(value, dtype=kind))

    @classmethod
    def of(
        cls,
        times_ms: Sequence[int],
        celsius: Sequence[float],
        until_ms: Sequence[int | None] = (),
        lows: Sequence[float] = (),
        highs: Sequence[float] = (),
    ) -> Series:
        """A series of plain sequences."""
        return cls(
            np.asarray(times_ms, dtype=np.int64),
            np.asarray(celsius, dtype=np.float64),
            np.asarray([NO_END if end is None else end for end in until_ms], dtype=np.int64),
            np.asarray(lows, dtype=np.float64),
            np.asarray(highs, dtype=np.float64),
        )

    def __len__(self) -> int:
        return len(self.times_ms)

    def between(self, start_ms: int, end_ms: int) -> Series:
        """The readings from the one standing at ``start_ms`` (the latest at or before it) to
        ``end_ms`` (not included).

        >>> Series.of([0, 10, 20, 30], [1.0, 2.0, 3.0, 4.0]).between(15, 30).times_ms.tolist()
        [10, 20]
        """
        first = max(int(np.searchsorted(self.times_ms, start_ms, side="right")) - 1, 0)
        last = int(np.searchsorted(self.times_ms, end_ms, side="left"))
        cut = slice(first, max(first, last))

        def part(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return values[cut] if len(values) else values

        return Series(
            self.times_ms[cut],
            self.celsius[cut],
            part(self.until_ms),
            part(self.lows),
            part(self.highs),
        )


@dataclass(frozen=True, slots=True)
class Stretch:
    """A stretch of a unit's time measured by one source: ``start_ms`` to ``end_ms``, and the
    source's readings from just before it (the reading standing at its start) to its end;
    ``span_ms``, how long one of the device's readings stands for at most, where the device's
    whole series told it (else the stretch's own readings tell it)."""

    start_ms: int
    end_ms: int
    source: Source
    series: Series
    span_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch as the answer shows it: when, what measured it, how many readings fell in it."""

    start_ms: int
    end_ms: int
    source: Source
    readings: int


@dataclass(frozen=True, slots=True)
class Gap:
    """Time of the unit's with no reading standing for it, and why: no device measured where
    the unit was, or the device that did fell silent."""

    start_ms: int
    end_ms: int
    reason: str

    @property
    def minutes(self) -> float:
        return (self.end_ms - self.start_ms) / 60_000


@dataclass(frozen=True, slots=True)
class Excursion:
    """A run of readings out of the product's band: from the first out of it to the time the
    band was kept again (or measuring stopped), its peak (the warmest reading above the band,
    or the coldest below it), its length, the source that measured it, and whether it stayed
    within the excursion the product allows."""

    start_ms: int
    end_ms: int
    peak_c: float
    minutes: float
    source: Source
    allowed: bool


@dataclass(frozen=True, slots=True)
class Judgement:
    """A unit's exposure judged: extremes, time-weighted mean and mean kinetic temperature
    (the warmest over any window of the product's, in °C), minutes out of the band, excursions,
    the verdict and, for a breach, why. No reading at all: every figure ``None``, no verdict."""

    periods: tuple[Period, ...]
    gaps: tuple[Gap, ...]
    min_c: float | None
    max_c: float | None
    mean_c: float | None
    mkt_c: float | None
    minutes_out_of_range: float
    excursions: tuple[Excursion, ...]
    verdict: Verdict | None
    reasons: tuple[str, ...] = field(default=())
