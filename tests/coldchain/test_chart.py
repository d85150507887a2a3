"""The exposure chart as a reader sees it: the SVG parsed and what it draws measured against
the axes it draws (the band's edges on the °C scale, an excursion's mark over its times, the
peak of a single warm reading among a hundred thousand, the span of a gap), its words, and
that any series at all gives a well-formed drawing with every point inside its viewBox."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from unitrace.coldchain import ExcursionAllowance, StorageConditions
from unitrace.coldchain.chart import HEIGHT, PLOT_LEFT, PLOT_RIGHT, WIDTH, draw_exposure
from unitrace.coldchain.chart_scales import TimeScale, time_ticks
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

SVG = "{http://www.w3.org/2000/svg}"
HOUR = 3_600_000
MINUTE = 60_000
#: 2026-01-01 00:00 UTC
T0 = 1_767_225_600_000
LOGGER = Source("container", "urn:epc:id:sscc:0614141.1234567890", "LOG-7")
TRUCK = Source("shipment", "urn:uuid:6f1c2a52-9e1b-4c3e-8d55-0b6f3f1f2a77", "TRUCK-3")
COLD = StorageConditions.of(2, 8, excursion=ExcursionAllowance(0, 15, 60))


def judged(
    *,
    periods: Sequence[Period] = (),
    gaps: Sequence[Gap] = (),
    excursions: Sequence[Excursion] = (),
    verdict: Verdict | None = Verdict.WITHIN,
) -> Judgement:
    return Judgement(
        tuple(periods), tuple(gaps), 2.0, 9.0, 5.0, 5.5, 0.0, tuple(excursions), verdict
    )


def steady(start: int, end: int, source: Source = LOGGER, every: int = 10 * MINUTE) -> Stretch:
    times = list(range(start, end + 1, every))
    return Stretch(start, end, source, Series(times, [5.0] * len(times)))


def drawn(
    stretches: Sequence[Stretch] = (),
    *,
    judgement: Judgement | None = None,
    conditions: StorageConditions | None = COLD,
    start: int = T0,
    end: int = T0 + 24 * HOUR,
    title: str = "Unit (01)09506000134352(21)ABC",
) -> etree._Element:
    svg = draw_exposure(
        title=title,
        start_ms=start,
        end_ms=end,
        stretches=tuple(stretches),
        conditions=conditions,
        judgement=judgement or judged(),
    )
    return etree.fromstring(svg.encode())


def celsius_axis(chart: etree._Element) -> tuple[float, float]:
    """The °C axis as drawn: (units per degree, where 0 °C is), from two of its ticks."""
    ticks = [
        (float(tick.text), float(tick.get("data-at")))
        for tick in chart.iter(f"{SVG}text")
        if tick.get("class") == "celsius-tick"
    ]
    (c1, y1), (c2, y2) = ticks[0], ticks[-1]
    slope = (y2 - y1) / (c2 - c1)
    return slope, y1 - slope * c1


def y_of(chart: etree._Element, celsius: float) -> float:
    slope, zero = celsius_axis(chart)
    return zero + slope * celsius


def x_of(at_ms: int, start: int = T0, end: int = T0 + 24 * HOUR) -> float:
    return PLOT_LEFT + (at_ms - start) * (PLOT_RIGHT - PLOT_LEFT) / (end - start)


def of_class(chart: etree._Element, tag: str, kind: str) -> list[etree._Element]:
    """The elements ``tag`` of class ``kind`` the chart draws (its legend's swatches aside)."""
    return [
        element
        for element in chart.iter(f"{SVG}{tag}")
        if kind in (element.get("class") or "").split()
        and not any(parent.get("class") == "legend" for parent in element.iterancestors())
    ]


def texts(chart: etree._Element) -> list[str]:
    return [text.text or "" for text in chart.iter(f"{SVG}text")]


def polyline(element: etree._Element) -> list[tuple[float, float]]:
    return [
        (float(x), float(y))
        for x, y in (pair.split(",") for pair in element.get("points", "").split())
    ]


def test_the_band_and_the_excursion_band_sit_on_the_celsius_axis() -> None:
    chart = drawn([steady(T0, T0 + 24 * HOUR)])
    (band,) = of_class(chart, "rect", "band")
    top, height = float(band.get("y")), float(band.get("height"))
    assert top == pytest.approx(y_of(chart, 8.0), abs=0.02)
    assert top + height == pytest.approx(y_of(chart, 2.0), abs=0.02)
    assert float(band.get("x")) == PLOT_LEFT
    assert float(band.get("width")) == PLOT_RIGHT - PLOT_LEFT
    spans = sorted(
        (
            round(float(rect.get("y")) + float(rect.get("height")), 1),
            round(float(rect.get("y")), 1),
        )
        for rect in of_class(chart, "rect", "excursion-band")
    )
    assert spans == sorted(
        [
            (round(y_of(chart, 0.0), 1), round(y_of(chart, 2.0), 1)),
            (round(y_of(chart, 8.0), 1), round(y_of(chart, 15.0), 1)),
        ]
    )
    assert "allowed 2 to 8 °C" in texts(chart)
    assert "excursion 0 to 15 °C ≤ 60 min" in texts(chart)


def test_no_band_is_drawn_where_the_product_has_no_conditions() -> None:
    chart = drawn([steady(T0, T0 + 24 * HOUR)], conditions=None, judgement=judged(verdict=None))
    assert of_class(chart, "rect", "band") == []
    assert "no storage conditions set" in texts(chart)
    assert "No storage conditions set" in chart.find(f"{SVG}desc").text


@pytest.mark.parametrize(
    ("allowed", "kind", "peak", "label"),
    [(False, "breach", 13.0, "peak 13 °C"), (True, "allowed", -1.5, "peak -1.5 °C")],
)
def test_an_excursion_is_marked_over_its_time_with_its_peak(
    allowed: bool, kind: str, peak: float, label: str
) -> None:
    start, end = T0 + 4 * HOUR + 30 * MINUTE, T0 + 5 * HOUR + 30 * MINUTE
    excursion = Excursion(start, end, peak, 60.0, LOGGER, allowed)
    chart = drawn([steady(T0, T0 + 24 * HOUR)], judgement=judged(excursions=[excursion]))
    (mark,) = of_class(chart, "g", "excursion-mark")
    assert mark.get("data-verdict") == kind
    (rect,) = of_class(mark, "rect", kind)
    left, width = float(rect.get("x")), float(rect.get("width"))
    assert (left, left + width) == pytest.approx((x_of(start), x_of(end)), abs=0.02)
    (line,) = of_class(mark, "line", "peak")
    assert float(line.get("y1")) == pytest.approx(y_of(chart, peak), abs=0.02)
    assert [t.text for t in of_class(mark, "text", "peak-label")] == [label]
    said = mark.find(f"{SVG}title").text
    assert said == (
        f"{'allowed excursion' if allowed else 'breach'} from 2026-01-01 04:30 UTC to "
        f"2026-01-01 05:30 UTC, 60 min, {label}, measured by {LOGGER.label()}"
    )
    assert ("breach" in texts(chart)) is not allowed


def test_a_single_spike_among_100000_readings_reaches_its_height() -> None:
    count = 100_000
    times = [T0 + index * 800 for index in range(count)]  # a reading every 0.8 s for 22 h
    celsius = [4.0 + 0.5 * math.sin(index / 3000) for index in range(count)]
    celsius[61_234] = 23.5
    celsius[7_001] = -3.25
    stretch = Stretch(T0, times[-1], LOGGER, Series(times, celsius))
    chart = drawn([stretch])
    (line,) = of_class(chart, "polyline", "readings")
    points = polyline(line)
    assert len(points) <= 4 * (PLOT_RIGHT - PLOT_LEFT)
    highest = min(points, key=lambda point: point[1])
    lowest = max(points, key=lambda point: point[1])
    assert highest[1] == pytest.approx(y_of(chart, 23.5), abs=0.02)
    assert highest[0] == pytest.approx(x_of(times[61_234]), abs=0.02)
    assert lowest[1] == pytest.approx(y_of(chart, -3.25), abs=0.02)
    # the points are in time order, so the line is the series' own shape
    assert [x for x, _ in points] == sorted(x for x, _ in points)


def test_every_reading_is_drawn_where_the_chart_has_room() -> None:
    times = [T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]
    stretch = Stretch(T0, T0 + 3 * HOUR, LOGGER, Series(times, [3.0, 7.5, 4.0]))
    chart = drawn([stretch])
    (line,) = of_class(chart, "polyline", "readings")
    assert polyline(line) == [
        pytest.approx((x_of(at), y_of(chart, value)), abs=0.02)
        for at, value in zip(times, [3.0, 7.5, 4.0], strict=True)
    ]


def test_a_range_report_shows_its_extremes() -> None:
    times = [T0 + HOUR, T0 + 2 * HOUR]
    series = Series(times, [5.0, 6.0], [T0 + 2 * HOUR, None], [4.0, 6.0], [11.0, 6.0])
    chart = drawn([Stretch(T0, T0 + 3 * HOUR, LOGGER, series)])
    (ranges,) = of_class(chart, "path", "range")
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", ranges.get("d"))]
    left, top, right, bottom = numbers[0], numbers[1], numbers[2], numbers[3]
    assert (left, right) == pytest.approx((x_of(T0 + HOUR), x_of(T0 + 2 * HOUR)), abs=0.02)
    assert (top, bottom) == pytest.approx((y_of(chart, 11.0), y_of(chart, 4.0)), abs=0.02)


def test_a_gap_is_hatched_over_its_span_and_says_no_reading() -> None:
    gap = Gap(T0 + 10 * HOUR, T0 + 14 * HOUR, "no device measured where the unit was")
    chart = drawn(
        [steady(T0, T0 + 10 * HOUR), steady(T0 + 14 * HOUR, T0 + 24 * HOUR, TRUCK)],
        judgement=judged(gaps=[gap]),
    )
    (mark,) = of_class(chart, "g", "gap-mark")
    (rect,) = of_class(mark, "rect", "gap")
    left, width = float(rect.get("x")), float(rect.get("width"))
    assert (left, left + width) == pytest.approx((x_of(gap.start_ms), x_of(gap.end_ms)), abs=0.02)
    assert [t.text for t in mark.iter(f"{SVG}text")] == ["no reading"]
    assert mark.find(f"{SVG}title").text == (
        "no reading from 2026-01-01 10:00 UTC to 2026-01-01 14:00 UTC (240 min): "
        "no device measured where the unit was"
    )
    assert "1 gap with no reading, 240 minutes in all." in chart.find(f"{SVG}desc").text


def test_periods_are_labelled_along_the_time_axis_shortened_to_their_room() -> None:
    periods = [
        Period(T0, T0 + 10 * HOUR, LOGGER, 61),
        Period(T0 + 14 * HOUR, T0 + 24 * HOUR, TRUCK, 61),
        Period(T0 + 10 * HOUR, T0 + 10 * HOUR + 45 * MINUTE, TRUCK, 3),
    ]
    chart = drawn([steady(T0, T0 + 24 * HOUR)], judgement=judged(periods=periods))
    marks = of_class(chart, "g", "period-mark")
    assert [[t.text for t in of_class(mark, "text", "period-label")] for mark in marks] == [
        ["LOG-7 on container sscc:0614141.1234567890"],
        ["TRUCK-3 on shipment urn:uuid:6f1c2…0b6f3f1f2a77"],
        ["TRU…"],
    ]
    assert [mark.find(f"{SVG}title").text for mark in marks][2] == (
        "TRUCK-3 on shipment urn:uuid:6f1c2a52-9e1b-4c3e-8d55-0b6f3f1f2a77, "
        "2026-01-01 10:00 UTC to 2026-01-01 10:45 UTC: 3 readings"
    )


@pytest.mark.parametrize(
    ("span", "labels", "notes"),
    [
        (HOUR, ["00:00", "00:10", "00:20", "00:30", "00:40", "00:50", "01:00"], ["2026-01-01"]),
        (
            24 * HOUR,
            ["00:00", "06:00", "12:00", "18:00", "00:00"],
            ["2026-01-01", "2026-01-02"],
        ),
        (
            10 * 24 * HOUR,
            ["2026-01-01", "2026-01-03", "2026-01-05", "2026-01-07", "2026-01-09", "2026-01-11"],
            [],
        ),
        (
            365 * 24 * HOUR,
            ["2026-01", "2026-03", "2026-05", "2026-07", "2026-09", "2026-11", "2027-01"],
            [],
        ),
        (0, ["00:00", "00:01"], ["2026-01-01"]),
    ],
)
def test_time_ticks_follow_the_span(span: int, labels: list[str], notes: list[str]) -> None:
    ticks = time_ticks(TimeScale(T0, T0 + span, left=PLOT_LEFT, width=PLOT_RIGHT - PLOT_LEFT))
    assert [tick.label for tick in ticks] == labels
    assert [tick.note for tick in ticks if tick.note] == notes
    assert all(PLOT_LEFT <= tick.at <= PLOT_RIGHT for tick in ticks)


def test_the_time_axis_carries_its_ticks_where_their_times_fall() -> None:
    chart = drawn([steady(T0, T0 + 24 * HOUR)])
    ticks = {t.text: float(t.get("x")) for t in of_class(chart, "text", "time-tick")}
    assert ticks["12:00"] == pytest.approx(x_of(T0 + 12 * HOUR), abs=0.02)
    assert ticks["06:00"] == pytest.approx(x_of(T0 + 6 * HOUR), abs=0.02)


def test_no_reading_at_all_is_said_plainly() -> None:
    chart = drawn([], judgement=judged(verdict=None))
    assert "no readings" in texts(chart)
    assert of_class(chart, "polyline", "readings") == []
    assert ": 0 readings from 0 sources." in chart.find(f"{SVG}desc").text


def test_the_chart_is_accessible_and_self_contained_and_escapes_every_text() -> None:
    hostile = Source("container", 'urn:epc:id:sscc:1"><script>alert(1)</script>', "L&\x00<b>")
    excursion = Excursion(T0 + HOUR, T0 + 2 * HOUR, 20.0, 60.0, hostile, False)
    svg = draw_exposure(
        title="Unit </title><script>alert('x')</script> & \x07co",
        start_ms=T0,
        end_ms=T0 + 24 * HOUR,
        stretches=(steady(T0, T0 + 24 * HOUR, hostile),),
        conditions=COLD,
        judgement=judged(
            periods=[Period(T0, T0 + 24 * HOUR, hostile, 145)], excursions=[excursion]
        ),
    )
    chart = etree.fromstring(svg.encode())
    assert chart.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    assert chart.get("role") == "img"
    assert chart.find(f"{SVG}title").text == "Unit </title><script>alert('x')</script> & co"
    assert chart.find(f"{SVG}desc").text.endswith("Verdict: within.")
    assert not list(chart.iter(f"{SVG}script"))
    assert "<script" not in svg
    for element in chart.iter():
        for name, value in element.attrib.items():
            assert "href" not in name, (element.tag, name)
            assert not name.startswith("on"), (element.tag, name)
            assert "url(" not in value or value.startswith("url(#"), (element.tag, value)
    assert re.findall(r"url\((?!#)", svg) == []
    assert 'L&<b> on container urn:epc:id:sscc:1"><script>alert(1)</script>' in "".join(
        chart.itertext()
    )


def _inside(chart: etree._Element) -> None:
    """Every point, line and box of the chart is within its viewBox."""
    numbers: list[tuple[str, float, float]] = []
    for element in chart.iter():
        tag = element.tag.removeprefix(SVG) if isinstance(element.tag, str) else ""
        if tag == "polyline":
            numbers += [("p", x, y) for x, y in polyline(element)]
        elif tag in ("rect", "line", "text") and element.getparent().tag != f"{SVG}pattern":
            for name in ("x", "x1", "x2"):
                if element.get(name) is not None:
                    numbers.append(("x", float(element.get(name)), 0.0))
            for name in ("y", "y1", "y2"):
                if element.get(name) is not None:
                    numbers.append(("y", 0.0, float(element.get(name))))
            if tag == "rect" and element.get("x") is not None:
                right = float(element.get("x")) + float(element.get("width"))
                bottom = float(element.get("y")) + float(element.get("height"))
                numbers += [("x", right, 0.0), ("y", 0.0, bottom)]
                assert float(element.get("width")) >= 0
                assert float(element.get("height")) >= 0
        elif tag == "path" and element.getparent().tag != f"{SVG}pattern":
            for value in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", element.get("d", "")):
                numbers.append(("v", float(value), float(value)))
    for kind, x, y in numbers:
        assert math.isfinite(x)
        assert math.isfinite(y)
        if kind in ("x", "p", "v"):
            assert 0 <= x <= WIDTH, (kind, x)
        if kind in ("y", "p"):
            assert 0 <= y <= HEIGHT, (kind, y)


finite = st.floats(allow_nan=False, allow_infinity=False)
#: times from 1970 to 2100, in milliseconds
instants = st.integers(min_value=0, max_value=4_102_444_800_000)


@st.composite
def series_in(draw: st.DrawFn) -> tuple[int, int, list[Stretch], StorageConditions | None]:
    start = draw(instants)
    end = draw(st.one_of(st.just(start), instants.filter(lambda at: at >= start)))
    kind = draw(st.sampled_from(["random", "single", "equal"]))
    count = {"random": draw(st.integers(0, 2_000)), "single": 1, "equal": draw(st.integers(2, 50))}
    size = count[kind]
    times = sorted(
        draw(st.lists(st.integers(start - HOUR, end + HOUR), min_size=size, max_size=size))
    )
    if kind == "equal":
        celsius = [draw(finite)] * size
    else:
        celsius = draw(st.lists(finite, min_size=size, max_size=size))
    ranged = draw(st.booleans())
    series = (
        Series(times, celsius, [None] * size, [v - abs(v) / 2 - 1 for v in celsius], celsius)
        if ranged
        else Series(times, celsius)
    )
    low = draw(st.floats(-300, 1e6, allow_nan=False))
    conditions = draw(
        st.one_of(
            st.none(),
            st.just(
                StorageConditions.of(
                    low,
                    low + draw(st.floats(0.1, 1e3)),
                    excursion=ExcursionAllowance(low - 5, low + 2e3, 30),
                )
            ),
        )
    )
    return start, end, [Stretch(start, end, LOGGER, series)], conditions


@settings(max_examples=60, deadline=None)
@given(drawn_series=series_in(), peak=finite)
def test_any_series_draws_a_well_formed_chart_inside_its_viewbox(
    drawn_series: tuple[int, int, list[Stretch], StorageConditions | None], peak: float
) -> None:
    start, end, stretches, conditions = drawn_series
    excursion = Excursion(start, end, peak, (end - start) / MINUTE, LOGGER, False)
    gap = Gap(start, end, "the device fell silent")
    svg = draw_exposure(
        title="any",
        start_ms=start,
        end_ms=end,
        stretches=stretches,
        conditions=conditions,
        judgement=judged(
            periods=[Period(start, end, LOGGER, len(stretches[0].series))],
            gaps=[gap],
            excursions=[excursion],
        ),
    )
    chart = etree.fromstring(svg.encode())
    _inside(chart)
    lines = of_class(chart, "polyline", "readings")
    assert len(lines) == (1 if len(stretches[0].series) else 0)
    if lines:
        assert 1 <= len(polyline(lines[0])) <= len(stretches[0].series)


def test_a_gap_longer_than_the_trip_is_cut_short_and_says_where_it_ends() -> None:
    """A unit on a shelf for 200 days after a 10-hour trip: the chart spans the trip and a
    quarter of it more, the gap hatched to the edge and labelled with its end."""
    end = T0 + 10 * HOUR + 200 * 24 * HOUR
    gap = Gap(T0 + 10 * HOUR, end, "no reading from WH-A")
    chart = drawn([steady(T0, T0 + 10 * HOUR)], judgement=judged(gaps=[gap]), end=end)
    (mark,) = of_class(chart, "g", "gap-mark")
    (rect,) = of_class(mark, "rect", "gap")
    drawn_end = T0 + 10 * HOUR + 150 * MINUTE
    left, width = float(rect.get("x")), float(rect.get("width"))
    assert (left, left + width) == pytest.approx(
        (x_of(T0 + 10 * HOUR, end=drawn_end), PLOT_RIGHT), abs=0.02
    )
    assert [t.text for t in mark.iter(f"{SVG}text")] == ["no reading", "until 2026-07-20 →"]
    assert "to 2026-07-20 10:00 UTC" in chart.find(f"{SVG}desc").text
    ticks = [t.text for t in of_class(chart, "text", "time-tick")]
    assert ticks == ["00:00", "02:00", "04:00", "06:00", "08:00", "10:00", "12:00"]


def test_a_long_title_is_cut_over_the_chart_and_kept_whole_in_its_title() -> None:
    title = "Temperature of unit (01)09506000134352(21)" + "X" * 120
    chart = drawn([steady(T0, T0 + HOUR)], title=title, end=T0 + HOUR)
    assert chart.find(f"{SVG}title").text == title
    (heading,) = of_class(chart, "text", "heading")
    assert heading.text == title[:99] + "…"
