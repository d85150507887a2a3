"""A series of readings as the points a chart draws of it: every reading where the chart has
room for them all, else, for each column of the drawing, the column's first and last reading
and its coldest and warmest, in time order. A line through those points looks as the line
through every reading would at that width, and no peak is lost however many readings a
column holds: a single warm reading among a hundred thousand still reaches its height.

>>> points = column_points([0, 1, 2, 3, 4, 5], [4.0, 9.0, 4.0, 4.0, 1.0, 4.0], columns=2,
...                        column_of=lambda at: at // 3)
>>> [(at, value) for at, value in points]
[(0, 4.0), (1, 9.0), (2, 4.0), (3, 4.0), (4, 1.0), (5, 4.0)]
>>> [(at, value) for at, value in column_points(
...     [0, 1, 2, 3], [5.0, 6.0, 7.0, 5.0], columns=1, column_of=lambda at: 0)]
[(0, 5.0), (2, 7.0), (3, 5.0)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Extent:
    """The coldest and warmest a range report (or the range reports of one column) saw over
    time ``at_ms`` … ``until_ms``."""

    at_ms: int
    until_ms: int
    low_c: float
    high_c: float


def column_points(
    times_ms: Sequence[int],
    celsius: Sequence[float],
    *,
    columns: int,
    column_of: Callable[[int], int],
) -> list[tuple[int, float]]:
    """The (time, °C) points to draw of a series of readings in time order: all of them when
    there are at most ``columns``, else the first, coldest, warmest and last of each column
    (``column_of`` tells a time's column; times in order give columns in order)."""
    if len(times_ms) <= columns:
        return list(zip(times_ms, celsius, strict=True))
    kept: list[int] = []
    column = None
    first = coldest = warmest = last = 0
    for index, at in enumerate(times_ms):
        here = column_of(at)
        if here != column:
            if column is not None:
                kept.extend(sorted({first, coldest, warmest, last}))
            column, first, coldest, warmest = here, index, index, index
        elif celsius[index] < celsius[coldest]:
            coldest = index
        elif celsius[index] > celsius[warmest]:
            warmest = index
        last = index
    if column is not None:
        kept.extend(sorted({first, coldest, warmest, last}))
    return [(times_ms[index], celsius[index]) for index in kept]


def column_extents(
    times_ms: Sequence[int],
    until_ms: Sequence[int | None],
    lows: Sequence[float],
    highs: Sequence[float],
    *,
    columns: int,
    column_of: Callable[[int], int],
) -> list[Extent]:
    """The extremes of a series' range reports (those whose low and high differ), one
    :class:`Extent` per report where there are at most ``columns`` of them, else one per
    column holding any, from its coldest low to its warmest high. A series without lows and
    highs for every reading has none."""
    if not (len(lows) == len(highs) == len(times_ms)):
        return []
    ends = until_ms if len(until_ms) == len(times_ms) else [None] * len(times_ms)
    reports = [
        Extent(at, end if end is not None else at, low, high)
        for at, end, low, high in zip(times_ms, ends, lows, highs, strict=True)
        if low < high
    ]
    if len(reports) <= columns:
        return reports
    merged: dict[int, Extent] = {}
    for report in reports:
        column = column_of(report.at_ms)
        seen = merged.get(column)
        merged[column] = (
            report
            if seen is None
            else Extent(
                seen.at_ms,
                max(seen.until_ms, report.until_ms),
                min(seen.low_c, report.low_c),
                max(seen.high_c, report.high_c),
            )
        )
    return list(merged.values())
