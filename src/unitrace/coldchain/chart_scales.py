"""The scales of a temperature chart: time (UTC epoch milliseconds) across, degrees Celsius up,
each mapped onto a span of the drawing's own units, with ticks a person reads at a glance:
whole minutes, hours, days or months of UTC chosen by how long the chart's span is, and
round numbers of degrees (1, 2 or 5 times a power of ten).

>>> scale = TimeScale(0, 3_600_000, left=0.0, width=600.0)
>>> scale.x(1_800_000)
300.0
>>> [tick.label for tick in time_ticks(scale)][:3]
['00:00', '00:10', '00:20']
>>> celsius = CelsiusScale.around([2.0, 8.0], top=0.0, height=100.0)
>>> [tick.label for tick in celsius_ticks(celsius)]
['2', '3', '4', '5', '6', '7', '8']
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from unitrace.coldchain.instants import epoch_ms, instant

MINUTE_MS: Final = 60_000
HOUR_MS: Final = 60 * MINUTE_MS
DAY_MS: Final = 24 * HOUR_MS

#: Fixed tick steps, shortest first: each divides a UTC day or is a whole number of days.
_FIXED_STEPS_MS: Final = (
    MINUTE_MS,
    2 * MINUTE_MS,
    5 * MINUTE_MS,
    10 * MINUTE_MS,
    15 * MINUTE_MS,
    30 * MINUTE_MS,
    HOUR_MS,
    2 * HOUR_MS,
    3 * HOUR_MS,
    6 * HOUR_MS,
    12 * HOUR_MS,
    DAY_MS,
    2 * DAY_MS,
    7 * DAY_MS,
    14 * DAY_MS,
)
#: Beyond a fortnight, ticks fall on the first of a month, every so many months.
_MONTH_STEPS: Final = (1, 2, 3, 6, 12)
#: The most ticks an axis carries.
MOST_TICKS: Final = 8
#: The shortest span a chart covers: a chart of one instant shows the minute around it.
SHORTEST_SPAN_MS: Final = MINUTE_MS
#: Readings beyond these are no temperature any device reports; they are drawn at the edge
#: of this range, which keeps every figure of the drawing finite.
FARTHEST_C: Final = 1e12


@dataclass(frozen=True, slots=True)
class Tick:
    """A mark on an axis: where (in the drawing's units) and its label; ``note`` is a second
    line under a time's label (the date, where the day changes)."""

    at: float
    label: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class TimeScale:
    """Time from ``start_ms`` to ``end_ms`` across ``width`` units from ``left``; a span
    shorter than :data:`SHORTEST_SPAN_MS` is widened to it."""

    start_ms: int
    end_ms: int
    left: float
    width: float

    def __post_init__(self) -> None:
        if self.end_ms - self.start_ms < SHORTEST_SPAN_MS:
            object.__setattr__(self, "end_ms", self.start_ms + SHORTEST_SPAN_MS)

    @property
    def span_ms(self) -> int:
        return self.end_ms - self.start_ms

    def clamped(self, at_ms: int) -> int:
        """``at_ms`` kept within the scale's span."""
        return min(max(at_ms, self.start_ms), self.end_ms)

    def x(self, at_ms: int) -> float:
        """Where ``at_ms`` falls across; a time outside the span at its nearer end."""
        return self.left + (self.clamped(at_ms) - self.start_ms) * self.width / self.span_ms


@dataclass(frozen=True, slots=True)
class CelsiusScale:
    """Degrees from ``low_c`` (at the bottom) to ``high_c`` (at ``top``), ``height`` units."""

    low_c: float
    high_c: float
    top: float
    height: float

    @classmethod
    def around(cls, values: Iterable[float], *, top: float, height: float) -> CelsiusScale:
        """A scale that shows every one of ``values`` (within :data:`FARTHEST_C`) with a
        little room above and below; two degrees around a single value, or around 0 °C for
        none."""
        kept = [_within_reach(value) for value in values]
        low, high = (min(kept), max(kept)) if kept else (0.0, 0.0)
        # readings a millionth of a degree apart are one temperature to a reader
        room = (high - low) * 0.06 if high - low > 1e-6 else 1.0
        return cls(low - room, high + room, top, height)

    def y(self, celsius: float) -> float:
        """Where ``celsius`` falls up the chart; a value off the scale at its nearer edge."""
        share = (_within_reach(celsius) - self.low_c) / (self.high_c - self.low_c)
        return self.top + self.height * (1.0 - min(max(share, 0.0), 1.0))


def celsius_ticks(scale: CelsiusScale) -> list[Tick]:
    """Round degrees within the scale, at most :data:`MOST_TICKS` of them."""
    step = _round_step((scale.high_c - scale.low_c) / (MOST_TICKS - 1))
    first = math.ceil(scale.low_c / step)
    last = math.floor(scale.high_c / step)
    return [Tick(scale.y(n * step), _degrees(n * step)) for n in range(first, last + 1)]


def time_ticks(scale: TimeScale) -> list[Tick]:
    """Whole minutes, hours, days or months of UTC within the scale, at most
    :data:`MOST_TICKS`: a day's hours labelled ``HH:MM`` with the date under the first of each
    day, days ``YYYY-MM-DD``, months ``YYYY-MM``. None for a span no calendar reaches."""
    try:
        _moment(scale.start_ms), _moment(scale.end_ms)
    except OverflowError:
        return []
    for step in _FIXED_STEPS_MS:
        if scale.span_ms / step < MOST_TICKS:
            return _fixed_ticks(scale, step)
    span_months = scale.span_ms / (30 * DAY_MS)
    for months in _MONTH_STEPS:
        if span_months / months < MOST_TICKS - 1:
            return _month_ticks(scale, months)
    return _month_ticks(scale, 12 * math.ceil(span_months / 12 / (MOST_TICKS - 2)))


def utc_text(at_ms: int) -> str:
    """A time as the chart writes it in words.

    >>> utc_text(1_767_225_600_000)
    '2026-01-01 00:00 UTC'
    """
    try:
        return _moment(at_ms).strftime("%Y-%m-%d %H:%M UTC")
    except OverflowError:
        return f"{at_ms} ms since 1970 UTC"


def _fixed_ticks(scale: TimeScale, step: int) -> list[Tick]:
    ticks = []
    day_before = None
    at = -(-scale.start_ms // step) * step
    while at <= scale.end_ms:
        moment = _moment(at)
        if step >= DAY_MS:
            ticks.append(Tick(scale.x(at), moment.strftime("%Y-%m-%d")))
        else:
            day = moment.date()
            note = day.isoformat() if day != day_before else ""
            ticks.append(Tick(scale.x(at), moment.strftime("%H:%M"), note))
            day_before = day
        at += step
    return ticks


def _month_ticks(scale: TimeScale, months: int) -> list[Tick]:
    start = _moment(scale.start_ms)
    index = start.year * 12 + start.month - 1
    index = -(-index // months) * months
    if _month_start_ms(index) < scale.start_ms:
        index += months
    ticks = []
    while (at := _month_start_ms(index)) <= scale.end_ms:
        ticks.append(Tick(scale.x(at), f"{index // 12:04d}-{index % 12 + 1:02d}"))
        index += months
    return ticks


def _month_start_ms(index: int) -> int:
    """The first instant of month ``index`` (counted from January of year 0), in ms."""
    year, month = divmod(index, 12)
    if year > dt.MAXYEAR:
        return 2**62
    first = dt.datetime(max(year, 1), month + 1, 1, tzinfo=dt.UTC)
    return epoch_ms(first)


def _moment(at_ms: int) -> dt.datetime:
    try:
        return instant(at_ms)
    except (OverflowError, ValueError):
        raise OverflowError(at_ms) from None


def _round_step(rough: float) -> float:
    """The round number (1, 2 or 5 times a power of ten) at or above ``rough``."""
    power = 10.0 ** math.floor(math.log10(rough))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if rough <= factor * power * (1 + 1e-9):
            return factor * power
    return 10.0 * power


def _degrees(celsius: float) -> str:
    """A tick's degrees: as few digits as tell it (``-0`` is ``0``)."""
    text = f"{celsius:.6g}"
    return "0" if text in ("-0", "0") else text


def _within_reach(celsius: float) -> float:
    return min(max(celsius, -FARTHEST_C), FARTHEST_C)
