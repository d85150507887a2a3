"""A unit's stretches of readings judged against its product's storage conditions.

Each reading stands for the time until the next one of its series, for at most
:func:`reading_span` (a report over a range of time stands for its range); the rest of a
longer silence is a gap. Over the time the readings stand for:

- the extremes are the lowest and highest readings (a range report's own extremes);
- the mean is weighted by the time each reading stands for;
- the mean kinetic temperature is USP <1079.2>'s, time-weighted:
  ``MKT = (ΔH/R) / -ln(Σ wᵢ·exp(-ΔH/(R·Tᵢ)) / Σ wᵢ)`` in kelvin, over every window of the
  product's length (24 hours or 30 days) that the readings span, the warmest window being the
  one judged; over all of it when they span less than one window;
- an excursion is a run of readings out of the band, back to back in one stretch; it is
  allowed when every reading of it stays within the product's excursion band.

The verdict is ``breach`` when an excursion is not allowed, when the minutes out of the band
add up to more than the allowance, or when the mean kinetic temperature is over its limit;
``allowed_excursion`` when there were excursions and none of that; ``within`` otherwise; and
no verdict when no reading stands for any of the unit's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from unitrace.coldchain.conditions import StorageConditions
from unitrace.coldchain.exposure import (
    Excursion,
    Floats,
    Gap,
    Ints,
    Judgement,
    Period,
    Source,
    Stretch,
    Verdict,
)
from unitrace.coldchain.temperatures import ABSOLUTE_ZERO_C

#: How long one reading stands for when its series has too few readings to tell its interval.
DEFAULT_SPAN_MS: Final = 15 * 60_000
#: A reading stands for at most this many of its series' usual (median) intervals...
SPAN_INTERVALS: Final = 3
#: ...and never less than this: a logger that reads every second misses no minute.
MIN_SPAN_MS: Final = 60_000

#: The kelvin the mean kinetic temperature's exponentials are taken relative to (25 °C), so
#: that a sum of a hundred thousand of them stays near 1 instead of near 1e-16.
_REFERENCE_K: Final = 298.15


NO_DEVICE: Final = "no device measured where the unit was"


def reading_span(times_ms: Sequence[int] | Ints) -> int:
    """How long a reading of a series stands for at most: three of its median intervals, at
    least a minute; 15 minutes for a series of fewer than two readings.

    >>> reading_span([0, 300_000, 600_000, 900_000])
    900000
    >>> reading_span([0])
    900000
    """
    times = np.asarray(times_ms, dtype=np.int64)
    if len(times) < 2:
        return DEFAULT_SPAN_MS
    median = float(np.median(np.diff(times)))
    return max(MIN_SPAN_MS, int(SPAN_INTERVALS * median))


@dataclass(frozen=True, slots=True)
class _Covered:
    """The time a stretch's readings stand for: a segment per reading that stands for some of
    it (start, end, value, low, high), in time order, and the stretch it came from."""

    starts: Ints
    ends: Ints
    values: Floats
    lows: Floats
    highs: Floats
    readings: int


def _covered(stretch: Stretch) -> _Covered:
    series = stretch.series
    times, values = series.times_ms, series.celsius
    lows = series.lows if len(series.lows) else values
    highs = series.highs if len(series.highs) else values
    # the reading standing at the start, maybe days old, tells nothing of the interval
    span = (
        stretch.span_ms
        if stretch.span_ms is not None
        else reading_span(times[times >= stretch.start_ms])
    )
    stands = np.full(len(times), span, dtype=np.int64)
    if len(series.until_ms):
        until = series.until_ms
        ranged = until > times
        stands[ranged] = until[ranged] - times[ranged]
    following = np.append(times[1:], np.int64(stretch.end_ms))
    ends = np.minimum(np.minimum(times + stands, following), stretch.end_ms)
    starts = np.maximum(times, stretch.start_ms)
    keep = ends > starts
    return _Covered(
        starts[keep],
        ends[keep],
        values[keep],
        lows[keep],
        highs[keep],
        int(np.count_nonzero((times >= stretch.start_ms) & (times < stretch.end_ms))),
    )


def _silences(covered: _Covered, stretch: Stretch) -> list[Gap]:
    """The stretch's time no reading stands for."""
    reason = f"no reading from {stretch.source.device}"
    if len(covered.starts) == 0:
        return [Gap(stretch.start_ms, stretch.end_ms, reason)]
    edges_from = np.append(np.int64(stretch.start_ms), covered.ends)
    edges_to = np.append(covered.starts, np.int64(stretch.end_ms))
    open_ = np.nonzero(edges_to > edges_from)[0]
    return [Gap(int(edges_from[i]), int(edges_to[i]), reason) for i in open_]


def _excursions(
    covered: _Covered, source: Source, conditions: StorageConditions
) -> list[Excursion]:
    out = (covered.highs > conditions.max_c) | (covered.lows < conditions.min_c)
    if not out.any():
        return []
    allowance = conditions.excursion
    found: list[Excursion] = []
    indices = np.nonzero(out)[0]
    # runs of out-of-band segments, back to back in time
    breaks = np.nonzero(
        (np.diff(indices) != 1) | (covered.starts[indices[1:]] != covered.ends[indices[:-1]])
    )[0]
    firsts = np.append(indices[0], indices[breaks + 1])
    lasts = np.append(indices[breaks], indices[-1])
    for first, last in zip(firsts, lasts, strict=True):
        run = slice(int(first), int(last) + 1)
        warmest = float(covered.highs[run].max())
        coldest = float(covered.lows[run].min())
        above = warmest - conditions.max_c
        below = conditions.min_c - coldest
        peak = warmest if above >= below else coldest
        minutes = float((covered.ends[run] - covered.starts[run]).sum()) / 60_000
        allowed = (
            allowance is not None and coldest >= allowance.min_c and warmest <= allowance.max_c
        )
        found.append(
            Excursion(
                int(covered.starts[first]),
                int(covered.ends[last]),
                peak,
                minutes,
                source,
                allowed,
            )
        )
    return found


def mean_kinetic_temperature(
    starts: Ints, ends: Ints, celsius: Floats, *, window_ms: int, delta_h_over_r: float
) -> float:
    """The warmest time-weighted mean kinetic temperature (°C) over any window of
    ``window_ms`` the segments span (over all of them when they span less).

    >>> segments = np.array([0, 3_600_000]), np.array([3_600_000, 7_200_000])
    >>> round(mean_kinetic_temperature(*segments, np.array([20.0, 30.0]),
    ...     window_ms=86_400_000, delta_h_over_r=10_000.0), 2)
    26.26
    """
    weights = (ends - starts).astype(np.float64)
    kelvin = celsius + (-ABSOLUTE_ZERO_C)
    terms = np.exp(-delta_h_over_r * (1.0 / kelvin - 1.0 / _REFERENCE_K))
    if int(ends[-1] - starts[0]) <= window_ms:
        mean = float(np.dot(weights, terms) / weights.sum())
    else:
        # as a window slides, what it holds changes only where one of its edges meets a
        # segment's start or end, and in between its MKT only rises or only falls: the
        # warmest window has an edge on one of those places (a window that only ended where a
        # segment ends would miss a warm start followed by a silence). The places: where a
        # segment starts after a silence and where each ends; the segment each is in, and the
        # time of that segment before it
        weighted = np.concatenate(([0.0], np.cumsum(weights)))
        summed = np.concatenate(([0.0], np.cumsum(weights * terms)))
        after_silence = np.concatenate(([True], starts[1:] != ends[:-1]))
        places = np.concatenate((starts[after_silence], ends))
        segment = np.concatenate((np.nonzero(after_silence)[0], np.arange(len(ends))))
        into = np.concatenate((np.zeros(int(after_silence.sum())), weights))
        weight_to = weighted[segment] + into
        terms_to = summed[segment] + into * terms[segment]
        ending = places - window_ms >= starts[0]  # windows ending at a place
        starting = places + window_ms <= ends[-1]  # and starting at one
        first, before = _last_segment(places[ending] - window_ms, starts, ends)
        last, inside = _last_segment(places[starting] + window_ms, starts, ends)
        in_weight = np.concatenate(
            (
                weight_to[ending] - weighted[first] - before,
                weighted[last] + inside - weight_to[starting],
            )
        )
        in_terms = np.concatenate(
            (
                terms_to[ending] - summed[first] - before * terms[first],
                summed[last] + inside * terms[last] - terms_to[starting],
            )
        )
        held = in_weight > 0
        mean = float(np.max(in_terms[held] / in_weight[held]))
    kelvin_mkt = 1.0 / (1.0 / _REFERENCE_K - np.log(mean) / delta_h_over_r)
    # a mean kinetic temperature lies between the coldest and the warmest reading it is taken
    # over; the sums' rounding can put a constant temperature's a hair above it (a frozen
    # product at -15 °C for two days came out 6e-14 °C warmer), which breached a limit of
    # -15 °C that every reading kept
    return float(np.clip(float(kelvin_mkt) + ABSOLUTE_ZERO_C, celsius.min(), celsius.max()))


def _last_segment(moments: Ints, starts: Ints, ends: Ints) -> tuple[Ints, Floats]:
    """For each of ``moments`` (none before the first segment), the last segment to start at
    or before it, and how much of that segment's time is before it."""
    last = np.searchsorted(starts, moments, side="right") - 1
    inside = np.clip(moments - starts[last], 0, ends[last] - starts[last]).astype(np.float64)
    return last, inside


def judge(
    conditions: StorageConditions | None,
    stretches: Sequence[Stretch],
    unmeasured: Sequence[Gap] = (),
) -> Judgement:
    """Judge ``stretches`` (in time order, not overlapping) against ``conditions``;
    ``unmeasured`` is the unit's time no device measured, reported among the gaps. With no
    conditions, only the extremes and the mean are told: no excursion, no MKT, no verdict."""
    periods: list[Period] = []
    gaps: list[Gap] = list(unmeasured)
    excursions: list[Excursion] = []
    parts: list[_Covered] = []
    for stretch in stretches:
        covered = _covered(stretch)
        periods.append(Period(stretch.start_ms, stretch.end_ms, stretch.source, covered.readings))
        gaps.extend(_silences(covered, stretch))
        if len(covered.starts):
            parts.append(covered)
            if conditions is not None:
                excursions.extend(_excursions(covered, stretch.source, conditions))
    gaps.sort(key=lambda gap: gap.start_ms)
    if not parts:
        return Judgement(tuple(periods), tuple(gaps), None, None, None, None, 0.0, (), None)
    starts = np.concatenate([part.starts for part in parts])
    ends = np.concatenate([part.ends for part in parts])
    values = np.concatenate([part.values for part in parts])
    weights = (ends - starts).astype(np.float64)
    low = float(min(part.lows.min() for part in parts))
    high = float(max(part.highs.max() for part in parts))
    mean = float(np.dot(weights, values) / weights.sum())
    if conditions is None:
        return Judgement(tuple(periods), tuple(gaps), low, high, mean, None, 0.0, (), None)
    mkt = mean_kinetic_temperature(
        starts,
        ends,
        values,
        window_ms=conditions.mkt.window.milliseconds,
        delta_h_over_r=conditions.mkt.delta_h_over_r,
    )
    minutes_out = sum(excursion.minutes for excursion in excursions)
    reasons = _breaches(conditions, excursions, minutes_out, mkt)
    verdict = (
        Verdict.BREACH if reasons else Verdict.ALLOWED_EXCURSION if excursions else Verdict.WITHIN
    )
    return Judgement(
        tuple(periods),
        tuple(gaps),
        low,
        high,
        mean,
        mkt,
        minutes_out,
        tuple(excursions),
        verdict,
        tuple(reasons),
    )


def _breaches(
    conditions: StorageConditions,
    excursions: Sequence[Excursion],
    minutes_out: float,
    mkt_c: float,
) -> list[str]:
    """Why the exposure breaches the conditions, in words; none if it does not."""
    reasons: list[str] = []
    allowance = conditions.excursion
    for excursion in excursions:
        if not excursion.allowed:
            beyond = (
                "no excursion is allowed"
                if allowance is None
                else f"beyond the allowed {allowance.min_c:g} to {allowance.max_c:g} °C"
            )
            reasons.append(
                f"{excursion.peak_c:g} °C, out of {conditions.min_c:g} to {conditions.max_c:g} °C "
                f"for {excursion.minutes:.0f} min ({excursion.source.label()}): {beyond}"
            )
    if allowance is not None and minutes_out > allowance.max_minutes:
        reasons.append(
            f"{minutes_out:.0f} minutes out of range in all, more than the "
            f"{allowance.max_minutes} allowed"
        )
    if mkt_c > conditions.mkt.max_c:
        reasons.append(
            f"mean kinetic temperature {mkt_c:.2f} °C over {conditions.mkt.window.value}, above "
            f"its limit of {conditions.mkt.max_c:g} °C"
        )
    return reasons
