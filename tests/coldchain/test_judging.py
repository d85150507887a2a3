"""The judgement of a unit's readings held to a yardstick written apart from it
(tests/coldchain/reference.py: plain loops from the documented rules and USP <1079.2>) on random
series, and to worked examples whose whole judgement is known."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.coldchain.reference import MINUTE, expected, mkt_of
from unitrace.coldchain.conditions import (
    ExcursionAllowance,
    MktWindow,
    StorageConditions,
)
from unitrace.coldchain.exposure import (
    Excursion,
    Gap,
    Judgement,
    Period,
    Series,
    Source,
    Stretch,
    Verdict,
)
from unitrace.coldchain.judging import NO_DEVICE, judge, mean_kinetic_temperature, reading_span

HOUR = 60 * MINUTE
DAY = 24 * HOUR
T0 = 1_767_225_600_000  # 2026-01-01T00:00Z


def source(n: int) -> Source:
    return Source("container", f"urn:epc:id:sscc:0614141.{n:010d}", f"LOG-{n}")


# --- random series against the yardstick ------------------------------------------------------


@st.composite
def series_for(draw: st.DrawFn, start: int, length: int) -> Series:
    """A logger's readings around a stretch from ``start`` for ``length`` ms: a usual interval
    with some far longer silences, the first reading before or after the stretch starts, some
    range reports (reaching past the next reading or not), temperatures -40 … 60 °C."""
    count = draw(st.integers(0, 300))
    usual = draw(st.sampled_from([MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR]))
    first = start + draw(st.integers(-3 * HOUR, length))
    intervals = draw(
        st.lists(
            st.one_of(
                st.integers(usual // 2, usual * 2),
                st.integers(usual * 3, usual * 12),  # a silence longer than the span
            ),
            min_size=max(0, count - 1),
            max_size=max(0, count - 1),
        )
    )
    times = [first]
    for interval in intervals:
        times.append(times[-1] + max(1, interval))
    times = times[:count]
    celsius = [draw(st.integers(-400, 600)) / 10 for _ in times]
    if not times or not draw(st.booleans()):
        return Series(tuple(times), tuple(celsius))
    until: list[int | None] = []
    lows: list[float] = []
    highs: list[float] = []
    for at, value in zip(times, celsius, strict=True):
        if draw(st.integers(0, 4)) == 0:
            until.append(at + draw(st.integers(1, 4 * usual)))
            lows.append(value - draw(st.integers(0, 50)) / 10)
            highs.append(value + draw(st.integers(0, 50)) / 10)
        else:
            until.append(None)
            lows.append(value)
            highs.append(value)
    return Series(tuple(times), tuple(celsius), tuple(until), tuple(lows), tuple(highs))


@st.composite
def stretches(draw: st.DrawFn) -> tuple[list[Stretch], list[Gap]]:
    """One to four stretches in time order, not overlapping, with unmeasured time between some
    of them, each measured by its own logger."""
    found: list[Stretch] = []
    unmeasured: list[Gap] = []
    at = T0
    for n in range(draw(st.integers(1, 4))):
        pause = draw(st.sampled_from([0, 0, 10 * MINUTE, 5 * HOUR]))
        if pause:
            unmeasured.append(Gap(at, at + pause, NO_DEVICE))
            at += pause
        length = draw(st.integers(MINUTE, 3 * DAY))
        found.append(Stretch(at, at + length, source(n), draw(series_for(at, length))))
        at += length
    return found, unmeasured


@st.composite
def conditions(draw: st.DrawFn) -> StorageConditions | None:
    if draw(st.integers(0, 5)) == 0:
        return None
    low = draw(st.integers(-300, 200)) / 10
    high = low + draw(st.integers(10, 300)) / 10
    excursion = None
    if draw(st.booleans()):
        excursion = ExcursionAllowance(
            low - draw(st.integers(0, 100)) / 10,
            high + draw(st.integers(0, 200)) / 10,
            draw(st.integers(0, 24 * 60)),
        )
    return StorageConditions.of(
        low,
        high,
        excursion=excursion,
        mkt_max_c=draw(st.one_of(st.none(), st.integers(-300, 500).map(lambda c: c / 10))),
        mkt_window=draw(st.one_of(st.none(), st.sampled_from(MktWindow))),
        delta_h_over_r=draw(st.sampled_from([None, 5_000.0, 10_000.0, 12_000.0])),
    )


def close(found: float | None, wanted: float | None) -> bool:
    if found is None or wanted is None:
        return found is wanted
    return math.isclose(found, wanted, rel_tol=1e-6, abs_tol=1e-6)


@settings(max_examples=150, deadline=None)
@given(stretches(), conditions())
def test_judge_agrees_with_the_yardstick(
    drawn: tuple[list[Stretch], list[Gap]], storage: StorageConditions | None
) -> None:
    found_stretches, unmeasured = drawn
    want = expected(storage, found_stretches, unmeasured)
    # a mean kinetic temperature a hair from its limit may fall either side by rounding
    assume(
        want.mkt is None
        or storage is None
        or not math.isclose(want.mkt, storage.mkt.max_c, abs_tol=1e-6)
    )
    got = judge(storage, found_stretches, unmeasured)
    assert [(p.start_ms, p.end_ms, p.source, p.readings) for p in got.periods] == [
        (s.start_ms, s.end_ms, s.source, n)
        for s, n in zip(found_stretches, want.readings, strict=True)
    ]
    assert [(g.start_ms, g.end_ms, g.reason) for g in got.gaps] == want.gaps
    assert (got.min_c, got.max_c) == (want.low, want.high)
    assert close(got.mean_c, want.mean)
    assert close(got.mkt_c, want.mkt)
    assert close(got.minutes_out_of_range, want.minutes_out)
    assert [
        (e.start_ms, e.end_ms, e.peak_c, e.source.device, e.allowed) for e in got.excursions
    ] == [(run.start, run.end, run.peak, run.device, run.allowed) for run in want.runs]
    for excursion, run in zip(got.excursions, want.runs, strict=True):
        assert close(excursion.minutes, run.minutes)
    assert (got.verdict.value if got.verdict else None) == want.verdict
    assert bool(got.reasons) == (want.verdict == "breach")
    assert any("mean kinetic" in reason for reason in got.reasons) == want.mkt_over


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 10 * DAY), min_size=0, max_size=60, unique=True))
def test_reading_span_is_three_median_intervals(times: list[int]) -> None:
    times.sort()
    if len(times) < 2:
        assert reading_span(times) == 15 * MINUTE
        return
    intervals = sorted(b - a for a, b in itertools.pairwise(times))
    middle = len(intervals) // 2
    median = (
        intervals[middle] if len(intervals) % 2 else (intervals[middle - 1] + intervals[middle]) / 2
    )
    assert reading_span(times) == max(MINUTE, int(3 * median))


# --- worked examples --------------------------------------------------------------------------

COLD = StorageConditions.of(2, 8)
COLD_WITH_EXCURSION = StorageConditions.of(2, 8, excursion=ExcursionAllowance(0, 12, 60))
ONE = source(1)
LABEL = "LOG-1 on container urn:epc:id:sscc:0614141.0000000001"


def every(start: int, step: int, values: list[float]) -> Series:
    """Readings of ``values`` from ``start``, one each ``step`` ms."""
    return Series(tuple(start + i * step for i in range(len(values))), tuple(values))


def spiked(peak: float, spikes: list[range], count: int) -> list[float]:
    """``count`` five-minute readings at 5 °C, at ``peak`` for the readings in ``spikes``."""
    return [peak if any(i in spike for spike in spikes) else 5.0 for i in range(count)]


def one_stretch(length: int, series: Series) -> list[Stretch]:
    return [Stretch(T0, T0 + length, ONE, series)]


def rounded(judgement: Judgement) -> Judgement:
    """The judgement with its computed figures to 1/100 (the worked examples' precision)."""

    def r(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return dataclasses.replace(
        judgement,
        mean_c=r(judgement.mean_c),
        mkt_c=r(judgement.mkt_c),
        minutes_out_of_range=round(judgement.minutes_out_of_range, 2),
        excursions=tuple(
            dataclasses.replace(excursion, minutes=round(excursion.minutes, 2))
            for excursion in judgement.excursions
        ),
    )


def within(
    periods: tuple[Period, ...], low: float, high: float, mean: float, mkt: float
) -> Judgement:
    return Judgement(periods, (), low, high, mean, mkt, 0.0, (), Verdict.WITHIN)


def spike(
    storage: StorageConditions,
    peak: float,
    mean: float,
    mkt: float,
    *,
    allowed: bool,
    why: str | None = None,
) -> tuple[StorageConditions, list[Stretch], Judgement]:
    """Two hours of five-minute readings at 5 °C but for 20 minutes at ``peak`` from the first
    hour: the conditions, the stretch and its judgement."""
    return (
        storage,
        one_stretch(2 * HOUR, every(T0, 5 * MINUTE, spiked(peak, [range(12, 16)], 24))),
        Judgement(
            (Period(T0, T0 + 2 * HOUR, ONE, 24),),
            (),
            5.0,
            peak,
            mean,
            mkt,
            20.0,
            (Excursion(T0 + HOUR, T0 + 80 * MINUTE, peak, 20.0, ONE, allowed),),
            Verdict.BREACH if why else Verdict.ALLOWED_EXCURSION,
            (why,) if why else (),
        ),
    )


WORKED = {
    # a constant temperature: its mean kinetic temperature is that temperature
    "constant 5 °C": (
        COLD,
        one_stretch(6 * HOUR, every(T0, 15 * MINUTE, [5.0] * 24)),
        within((Period(T0, T0 + 6 * HOUR, ONE, 24),), 5.0, 5.0, 5.0, 5.0),
    ),
    # a frozen product kept all along at the very top of its band (-25 to -15 °C, so a
    # 24-hour window): within, whatever the rounding of the sums over its windows
    "constant at the band's top, 50 hours": (
        StorageConditions.of(-25, -15),
        one_stretch(50 * HOUR, every(T0, 15 * MINUTE, [-15.0] * 200)),
        within((Period(T0, T0 + 50 * HOUR, ONE, 200),), -15.0, -15.0, -15.0, -15.0),
    ),
    # equal times at 20 and 30 °C: MKT 26.26 °C, above the 25 °C arithmetic mean
    "halves at 20 and 30 °C": (
        StorageConditions.of(15, 30),
        one_stretch(6 * HOUR, every(T0, 15 * MINUTE, [20.0] * 12 + [30.0] * 12)),
        within((Period(T0, T0 + 6 * HOUR, ONE, 24),), 20.0, 30.0, 25.0, 26.26),
    ),
    # Isopharm's worked example (systems.isopharm.co.uk/mean-kinetic-temperature/, ΔH/R
    # 10,000 K): 2 h at 20 °C, 4 h at 2 °C, 1 h at 25 °C is "thermally equivalent to storing
    # them at 15.7 °C for 7 hours"
    "2 h at 20, 4 h at 2, 1 h at 25 °C": (
        StorageConditions.of(2, 25),
        [
            Stretch(
                T0,
                T0 + 7 * HOUR,
                ONE,
                Series((T0, T0 + 2 * HOUR, T0 + 6 * HOUR), (20.0, 2.0, 25.0)),
            )
        ],
        within((Period(T0, T0 + 7 * HOUR, ONE, 3),), 2.0, 25.0, 10.43, 15.68),
    ),
    # a day at 25 °C then two at 10 °C: over 24 hours the warmest window is the first day...
    "a warm day, judged over 24 hours": (
        StorageConditions.of(0, 30, mkt_max_c=20, mkt_window=MktWindow.DAY),
        one_stretch(3 * DAY, every(T0, HOUR, [25.0] * 24 + [10.0] * 48)),
        Judgement(
            (Period(T0, T0 + 3 * DAY, ONE, 72),),
            (),
            10.0,
            25.0,
            15.0,
            25.0,
            0.0,
            (),
            Verdict.BREACH,
            ("mean kinetic temperature 25.00 °C over 24h, above its limit of 20 °C",),
        ),
    ),
    # ...over 30 days, the three days together
    "a warm day, judged over 30 days": (
        StorageConditions.of(0, 30, mkt_max_c=20, mkt_window=MktWindow.THIRTY_DAYS),
        one_stretch(3 * DAY, every(T0, HOUR, [25.0] * 24 + [10.0] * 48)),
        within((Period(T0, T0 + 3 * DAY, ONE, 72),), 10.0, 25.0, 15.0, 17.99),
    ),
    # two and a half hours at 20 °C (an allowed excursion), then the logger silent until 30 h:
    # the day from the first reading holds the warm hours and nothing else, though no window
    # ending where a reading stops standing does
    "a warm start, then a silence": (
        StorageConditions.of(2, 8, excursion=ExcursionAllowance(0, 25, 180)),
        [
            Stretch(
                T0,
                T0 + 60 * HOUR,
                ONE,
                Series(
                    tuple(T0 + m * 15 * MINUTE for m in [*range(8), *range(120, 240)]),
                    (20.0,) * 8 + (5.0,) * 120,
                ),
            )
        ],
        Judgement(
            (Period(T0, T0 + 60 * HOUR, ONE, 128),),
            (Gap(T0 + 150 * MINUTE, T0 + 30 * HOUR, "no reading from LOG-1"),),
            5.0,
            20.0,
            6.15,
            20.0,
            150.0,
            (Excursion(T0, T0 + 150 * MINUTE, 20.0, 150.0, ONE, True),),
            Verdict.BREACH,
            ("mean kinetic temperature 20.00 °C over 24h, above its limit of 8 °C",),
        ),
    ),
    "a 20-minute spike within the excursion band": spike(
        COLD_WITH_EXCURSION, 11.0, 6.0, 6.35, allowed=True
    ),
    "a 20-minute spike beyond the excursion band": spike(
        COLD_WITH_EXCURSION,
        15.0,
        6.67,
        7.70,
        allowed=False,
        why=f"15 °C, out of 2 to 8 °C for 20 min ({LABEL}): beyond the allowed 0 to 12 °C",
    ),
    "a spike with no excursion allowed": spike(
        COLD,
        11.0,
        6.0,
        6.35,
        allowed=False,
        why=f"11 °C, out of 2 to 8 °C for 20 min ({LABEL}): no excursion is allowed",
    ),
    "a cold dip within the excursion band": (
        COLD_WITH_EXCURSION,
        one_stretch(2 * HOUR, every(T0, 5 * MINUTE, spiked(0.5, [range(3)], 24))),
        Judgement(
            (Period(T0, T0 + 2 * HOUR, ONE, 24),),
            (),
            0.5,
            5.0,
            4.44,
            4.56,
            15.0,
            (Excursion(T0, T0 + 15 * MINUTE, 0.5, 15.0, ONE, True),),
            Verdict.ALLOWED_EXCURSION,
        ),
    ),
    # each of two 40-minute spikes is allowed; 80 minutes in all are not
    "allowed excursions adding up to more than the allowance": (
        COLD_WITH_EXCURSION,
        one_stretch(
            4 * HOUR, every(T0, 5 * MINUTE, spiked(10.0, [range(6, 14), range(30, 38)], 48))
        ),
        Judgement(
            (Period(T0, T0 + 4 * HOUR, ONE, 48),),
            (),
            5.0,
            10.0,
            6.67,
            7.02,
            80.0,
            (
                Excursion(T0 + 30 * MINUTE, T0 + 70 * MINUTE, 10.0, 40.0, ONE, True),
                Excursion(T0 + 150 * MINUTE, T0 + 190 * MINUTE, 10.0, 40.0, ONE, True),
            ),
            Verdict.BREACH,
            ("80 minutes out of range in all, more than the 60 allowed",),
        ),
    ),
    "mean kinetic temperature over its limit, no excursion": (
        StorageConditions.of(2, 8, mkt_max_c=6),
        one_stretch(6 * HOUR, every(T0, 15 * MINUTE, [7.0] * 24)),
        Judgement(
            (Period(T0, T0 + 6 * HOUR, ONE, 24),),
            (),
            7.0,
            7.0,
            7.0,
            7.0,
            0.0,
            (),
            Verdict.BREACH,
            ("mean kinetic temperature 7.00 °C over 24h, above its limit of 6 °C",),
        ),
    ),
    # a silence longer than three intervals is a gap; a range report stands for its range; the
    # next logger's reading standing at its stretch's start counts for it, not among its readings
    "a silence, a range report, and a second logger": (
        COLD,
        [
            Stretch(
                T0,
                T0 + 6 * HOUR,
                ONE,
                Series(
                    tuple(T0 + m * MINUTE for m in (0, 15, 30, 240, 255, 270)),
                    (5.0,) * 6,
                    (None,) * 5 + (T0 + 6 * HOUR,),
                    (5.0,) * 5 + (4.5,),
                    (5.0,) * 5 + (5.5,),
                ),
            ),
            Stretch(
                T0 + 6 * HOUR,
                T0 + 8 * HOUR,
                source(2),
                Series(
                    tuple(T0 + m * MINUTE for m in range(350, 480, 20)),
                    (4.0,) + (5.0,) * 6,
                ),
            ),
        ],
        Judgement(
            (Period(T0, T0 + 6 * HOUR, ONE, 6), Period(T0 + 6 * HOUR, T0 + 8 * HOUR, source(2), 6)),
            (Gap(T0 + 75 * MINUTE, T0 + 4 * HOUR, "no reading from LOG-1"),),
            4.0,
            5.5,
            4.97,
            4.97,
            0.0,
            (),
            Verdict.WITHIN,
        ),
    ),
    "no reading at all": (
        COLD,
        one_stretch(6 * HOUR, Series((), ())),
        Judgement(
            (Period(T0, T0 + 6 * HOUR, ONE, 0),),
            (Gap(T0, T0 + 6 * HOUR, "no reading from LOG-1"),),
            None,
            None,
            None,
            None,
            0.0,
            (),
            None,
        ),
    ),
    "no storage conditions: figures, no verdict": (
        None,
        one_stretch(2 * HOUR, every(T0, 5 * MINUTE, spiked(15.0, [range(12, 16)], 24))),
        Judgement((Period(T0, T0 + 2 * HOUR, ONE, 24),), (), 5.0, 15.0, 6.67, None, 0.0, (), None),
    ),
}


@pytest.mark.parametrize(("storage", "found", "judgement"), WORKED.values(), ids=WORKED.keys())
def test_worked_examples(
    storage: StorageConditions | None, found: list[Stretch], judgement: Judgement
) -> None:
    assert rounded(judge(storage, found)) == judgement


def test_unmeasured_time_is_among_the_gaps_in_time_order() -> None:
    before = Gap(T0 - HOUR, T0, NO_DEVICE)
    after = Gap(T0 + 3 * HOUR, T0 + 4 * HOUR, NO_DEVICE)
    found = judge(
        COLD,
        [Stretch(T0, T0 + 3 * HOUR, ONE, Series((T0 + HOUR,), (5.0,)))],
        [after, before],
    )
    assert found.gaps == (
        before,
        Gap(T0, T0 + HOUR, "no reading from LOG-1"),
        Gap(T0 + 75 * MINUTE, T0 + 3 * HOUR, "no reading from LOG-1"),
        after,
    )


@st.composite
def segments_on_minutes(draw: st.DrawFn) -> tuple[list[int], list[int], list[float]]:
    """Segments in time order, not overlapping, each starting and ending on a whole minute."""
    starts: list[int] = []
    ends: list[int] = []
    at = 0
    for _ in range(draw(st.integers(1, 30))):
        at += draw(st.sampled_from([0, 0, 0, 1, 30, 600, 1500])) * MINUTE
        starts.append(at)
        at += draw(st.integers(1, 600)) * MINUTE
        ends.append(at)
    return starts, ends, [draw(st.integers(-400, 600)) / 10 for _ in starts]


@settings(max_examples=60, deadline=None)
@given(segments_on_minutes())
def test_the_warmest_window_is_the_warmest_of_every_window(
    drawn: tuple[list[int], list[int], list[float]],
) -> None:
    # every window of a day that starts on a whole minute, tried one by one
    starts, ends, celsius = drawn
    pieces_of = [(end - start, c) for start, end, c in zip(starts, ends, celsius, strict=True)]
    if ends[-1] - starts[0] <= DAY:
        warmest = mkt_of(pieces_of, 10_000.0)
    else:
        warmest = -math.inf
        for window_start in range(starts[0], ends[-1] - DAY + 1, MINUTE):
            window_end = window_start + DAY
            pieces = [
                (min(end, window_end) - max(start, window_start), c)
                for start, end, c in zip(starts, ends, celsius, strict=True)
                if min(end, window_end) > max(start, window_start)
            ]
            if pieces:
                warmest = max(warmest, mkt_of(pieces, 10_000.0))
    found = mean_kinetic_temperature(
        np.array(starts),
        np.array(ends),
        np.array(celsius),
        window_ms=DAY,
        delta_h_over_r=10_000.0,
    )
    assert close(found, warmest)
