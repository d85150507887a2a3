"""The judgement of a unit's stretches of readings, worked out the slow and plain way from the
rules unitrace documents (and USP <1079.2>'s mean kinetic temperature), as the yardstick the
tests hold :func:`unitrace.coldchain.judging.judge` to: loops over readings and segments, no
numpy, every window of the product's length tried one by one.

The rules, as written for this yardstick:

- a reading stands from its own time until the next reading of its series, for at most the
  series' reading span (three of the median intervals of its readings within the stretch, at
  least a minute; fifteen minutes when it has fewer than two there; or the span the stretch
  was given); a report over a range of time stands for its range
  (still no further than the next reading); what a stretch's readings do not stand for is a gap;
- the extremes are the lowest and highest readings that stand for some time (a range report's
  own low and high), the mean is weighted by the time each stands for;
- the mean kinetic temperature is ``(ΔH/R) / -ln(Σ tᵢ·e^(-ΔH/(R·Tᵢ)) / Σ tᵢ)`` in kelvin over
  the time readings stand for within a window of the product's length, the warmest of every
  such window from the first standing reading to the last counting; over all of it when that
  time spans no more than one window;
- an excursion is a run of out-of-band segments of one stretch, each starting where the one
  before it stopped; it is allowed when all of it stays within the excursion band;
- breach: an excursion not allowed, minutes out of band over the allowance, or the MKT over its
  limit; allowed_excursion: excursions and none of that; within: otherwise; no verdict when no
  reading stands for any time, or when there are no conditions.
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass

from unitrace.coldchain.conditions import StorageConditions
from unitrace.coldchain.exposure import Gap, Stretch

MINUTE = 60_000


@dataclass(frozen=True)
class Segment:
    """A reading's standing time within a stretch."""

    start: int
    end: int
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Run:
    """An excursion as the yardstick finds it."""

    start: int
    end: int
    peak: float
    minutes: float
    device: str
    allowed: bool


@dataclass(frozen=True)
class Expected:
    """What the yardstick says of a set of stretches."""

    readings: list[int]
    gaps: list[tuple[int, int, str]]
    low: float | None
    high: float | None
    mean: float | None
    mkt: float | None
    minutes_out: float
    runs: list[Run]
    verdict: str | None
    mkt_over: bool


def span_of(times: list[int]) -> int:
    if len(times) < 2:
        return 15 * MINUTE
    intervals = [later - earlier for earlier, later in itertools.pairwise(times)]
    return max(MINUTE, int(3 * statistics.median(intervals)))


def segments_of(stretch: Stretch) -> list[Segment]:
    series = stretch.series
    times = list(series.times_ms)
    # the span is the stretch's own readings' (or the one the stretch was given): a reading
    # standing at its start, maybe long before, tells nothing of the device's interval
    span = (
        stretch.span_ms
        if stretch.span_ms is not None
        else span_of([at for at in times if at >= stretch.start_ms])
    )
    found = []
    for i, at in enumerate(times):
        until = series.until_ms[i] if len(series.until_ms) else None
        stands_to = until if until is not None and until > at else at + span
        if i + 1 < len(times):
            stands_to = min(stands_to, times[i + 1])
        start = max(at, stretch.start_ms)
        end = min(stands_to, stretch.end_ms)
        if end > start:
            value = series.celsius[i]
            low = series.lows[i] if len(series.lows) else value
            high = series.highs[i] if len(series.highs) else value
            found.append(Segment(start, end, value, low, high))
    return found


def silences_of(stretch: Stretch, segments: list[Segment]) -> list[tuple[int, int, str]]:
    reason = f"no reading from {stretch.source.device}"
    found = []
    cursor = stretch.start_ms
    for segment in segments:
        if segment.start > cursor:
            found.append((cursor, segment.start, reason))
        cursor = max(cursor, segment.end)
    if stretch.end_ms > cursor:
        found.append((cursor, stretch.end_ms, reason))
    return found


def runs_of(segments: list[Segment], device: str, conditions: StorageConditions) -> list[Run]:
    groups: list[list[Segment]] = []
    for segment in segments:
        out = segment.high > conditions.max_c or segment.low < conditions.min_c
        if not out:
            groups.append([])
        elif groups and groups[-1] and groups[-1][-1].end == segment.start:
            groups[-1].append(segment)
        else:
            groups.append([segment])
    found = []
    for group in groups:
        if not group:
            continue
        warmest = max(segment.high for segment in group)
        coldest = min(segment.low for segment in group)
        peak = warmest if warmest - conditions.max_c >= conditions.min_c - coldest else coldest
        band = conditions.excursion
        allowed = band is not None and band.min_c <= coldest and warmest <= band.max_c
        minutes = sum(segment.end - segment.start for segment in group) / MINUTE
        found.append(Run(group[0].start, group[-1].end, peak, minutes, device, allowed))
    return found


def mkt_of(pieces: list[tuple[float, float]], delta_h_over_r: float) -> float:
    """USP <1079.2>'s time-weighted mean kinetic temperature of (minutes, °C) pieces, in °C."""
    total = sum(weight for weight, _ in pieces)
    summed = sum(weight * math.exp(-delta_h_over_r / (c + 273.15)) for weight, c in pieces)
    return delta_h_over_r / -math.log(summed / total) - 273.15


def warmest_mkt(segments: list[Segment], window: int, delta_h_over_r: float) -> float:
    """The warmest MKT over every window of ``window`` ms within the segments' time. As a
    window slides, what it holds changes only where one of its edges meets a segment's start or
    end, and between two such places its MKT only rises or only falls: the warmest is found at
    a window one of whose edges lies on one of those."""
    first = min(segment.start for segment in segments)
    last = max(segment.end for segment in segments)
    if last - first <= window:
        return mkt_of([(s.end - s.start, s.value) for s in segments], delta_h_over_r)
    closings = {at + shift for s in segments for at in (s.start, s.end) for shift in (0, window)}
    best = -math.inf
    for window_end in sorted(closings):
        window_start = window_end - window
        if window_start < first or window_end > last:
            continue
        pieces = [
            (min(s.end, window_end) - max(s.start, window_start), s.value)
            for s in segments
            if min(s.end, window_end) > max(s.start, window_start)
        ]
        if pieces:
            best = max(best, mkt_of(pieces, delta_h_over_r))
    return best


def expected(
    conditions: StorageConditions | None,
    stretches: list[Stretch],
    unmeasured: list[Gap] | None = None,
) -> Expected:
    readings = [
        sum(1 for at in stretch.series.times_ms if stretch.start_ms <= at < stretch.end_ms)
        for stretch in stretches
    ]
    gaps = [(gap.start_ms, gap.end_ms, gap.reason) for gap in unmeasured or []]
    segments: list[Segment] = []
    runs: list[Run] = []
    for stretch in stretches:
        own = segments_of(stretch)
        gaps.extend(silences_of(stretch, own))
        segments.extend(own)
        if conditions is not None:
            runs.extend(runs_of(own, stretch.source.device, conditions))
    gaps.sort()
    if not segments:
        return Expected(readings, gaps, None, None, None, None, 0.0, [], None, False)
    low = min(segment.low for segment in segments)
    high = max(segment.high for segment in segments)
    weight = sum(segment.end - segment.start for segment in segments)
    mean = sum((s.end - s.start) * s.value for s in segments) / weight
    if conditions is None:
        return Expected(readings, gaps, low, high, mean, None, 0.0, [], None, False)
    mkt = warmest_mkt(segments, conditions.mkt.window.milliseconds, conditions.mkt.delta_h_over_r)
    minutes_out = sum(run.minutes for run in runs)
    band = conditions.excursion
    mkt_over = mkt > conditions.mkt.max_c
    breach = (
        any(not run.allowed for run in runs)
        or (band is not None and minutes_out > band.max_minutes)
        or mkt_over
    )
    verdict = "breach" if breach else "allowed_excursion" if runs else "within"
    return Expected(readings, gaps, low, high, mean, mkt, minutes_out, runs, verdict, mkt_over)
