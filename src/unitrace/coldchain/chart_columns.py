"""A series of readings as the points a chart draws of it: every reading where the chart has
room for them all, else, for each column of the drawing, the column's first and last reading
and its coldest and warmest, in time order. A line through those points looks as the line
through every reading would at that width, and no peak is lost however many readings a
column holds: a single warm reading among a hundred thousand still reaches its height.

Readings come as the arrays of :class:`~unitrace.coldchain.exposure.Series`, each with its
column (in time order, so columns never go back); the work is the array library's, not a loop
over a trip's hundred thousand readings.

>>> import numpy as np
>>> celsius = np.array([4.0, 9.0, 4.0, 4.0, 1.0, 4.0, 5.0])
>>> column_points(np.array([0, 0, 0, 0, 1, 1, 1]), celsius, columns=2).tolist()
[0, 1, 3, 4, 6]
>>> column_points(np.array([0, 0, 1]), celsius[:3], columns=3).tolist()
[0, 1, 2]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unitrace.coldchain.exposure import NO_END, Floats, Ints


@dataclass(frozen=True, slots=True)
class Extent:
    """The coldest and warmest a range report (or the range reports of one column) saw over
    time ``at_ms`` … ``until_ms``."""

    at_ms: int
    until_ms: int
    low_c: float
    high_c: float


def column_points(columns_of: Ints, celsius: Floats, *, columns: int) -> Ints:
    """The indices of the readings to draw, in time order: all of them when there are at most
    ``columns``, else the first, coldest, warmest and last of each column (``columns_of``:
    each reading's column)."""
    count = len(columns_of)
    if count <= columns:
        return np.arange(count)
    starts, ends = _runs(columns_of)
    # within each column's run, the readings by temperature: the run's first is its coldest
    by_warmth = np.lexsort((celsius, columns_of))
    kept = np.concatenate((starts, ends, by_warmth[starts], by_warmth[ends]))
    return np.unique(kept)


def column_extents(
    columns_of: Ints,
    times_ms: Ints,
    until_ms: Ints,
    lows: Floats,
    highs: Floats,
    *,
    columns: int,
) -> list[Extent]:
    """The extremes of a series' range reports (those whose low and high differ), one
    :class:`Extent` per report where there are at most ``columns`` of them, else one per
    column holding any, from its coldest low to its warmest high. A series without lows and
    highs for every reading has none.

    >>> import numpy as np
    >>> column_extents(np.array([0, 0, 1]), np.array([10, 20, 30]), np.array([15, -1, -1]),
    ...                np.array([1.0, 5.0, 2.0]), np.array([3.0, 5.0, 9.0]), columns=1)
    [Extent(at_ms=10, until_ms=15, low_c=1.0, high_c=3.0), Extent(at_ms=30, until_ms=30, low_c=2.0, high_c=9.0)]
    """
    count = len(times_ms)
    if not (len(lows) == len(highs) == count) or count == 0:
        return []
    ends = until_ms if len(until_ms) == count else np.full(count, NO_END, dtype=np.int64)
    ends = np.where(ends == NO_END, times_ms, np.maximum(ends, times_ms))
    ranged = np.flatnonzero(lows < highs)
    if len(ranged) > columns:
        starts, _ = _runs(columns_of[ranged])
        at, low = times_ms[ranged][starts], np.minimum.reduceat(lows[ranged], starts)
        until, high = (
            np.maximum.reduceat(ends[ranged], starts),
            np.maximum.reduceat(highs[ranged], starts),
        )
    else:
        at, until, low, high = times_ms[ranged], ends[ranged], lows[ranged], highs[ranged]
    return [
        Extent(int(a), int(u), float(lo), float(hi))
        for a, u, lo, hi in zip(at, until, low, high, strict=True)
    ]


def _runs(columns_of: Ints) -> tuple[Ints, Ints]:
    """Where each column's run of readings starts and ends (inclusive)."""
    changes = np.flatnonzero(columns_of[1:] != columns_of[:-1]) + 1
    starts = np.concatenate(([0], changes))
    ends = np.concatenate((changes - 1, [len(columns_of) - 1]))
    return starts, ends
