"""A unit's exposure drawn as an SVG chart a person reads at a glance: the temperature over
time of each stretch's readings, the product's band shaded (and the wider band of its allowed
excursion, lighter), each excursion marked over its time with its peak written, the time no
reading covered hatched and labelled "no reading", and what measured each period labelled
along the time axis.

The drawing is self-contained and static: no script, no reference outside itself, a
``<title>`` and a ``<desc>`` that say in words what it shows, text labels rather than colour
alone, and a ``viewBox`` so that it scales to whatever room a page gives it. Every text in it
is escaped. A stretch of more readings than the chart has columns is drawn from each column's
first, coldest, warmest and last reading (:mod:`.chart_columns`), so no peak is lost.

>>> from unitrace.coldchain.exposure import Judgement
>>> nothing = Judgement((), (), None, None, None, None, 0.0, (), None)
>>> svg = draw_exposure(title="Unit <1>", start_ms=0, end_ms=3_600_000, stretches=(),
...                     conditions=None, judgement=nothing)
>>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), "Unit &lt;1&gt;" in svg
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final
from xml.sax.saxutils import escape

import numpy as np

from unitrace.coldchain.chart_columns import column_extents, column_points
from unitrace.coldchain.chart_scales import (
    SHORTEST_SPAN_MS,
    CelsiusScale,
    TimeScale,
    celsius_ticks,
    time_ticks,
    utc_text,
)
from unitrace.coldchain.conditions import StorageConditions
from unitrace.coldchain.exposure import Excursion, Gap, Judgement, Period, Source, Stretch

#: The drawing's size in its own units (its viewBox), and the plot's place in it.
WIDTH: Final = 960
HEIGHT: Final = 420
PLOT_LEFT: Final = 64
PLOT_RIGHT: Final = WIDTH - 24
PLOT_TOP: Final = 60
PLOT_BOTTOM: Final = 300
#: The narrowest an excursion's mark is drawn, so that a short one is still seen.
NARROWEST_MARK: Final = 2.0
#: Roughly how wide a character of the chart's 11-unit labels is, to fit a label to its room.
CHARACTER_WIDTH: Final = 6.2
#: The most characters of the title written over the chart (its ``<title>`` keeps it whole).
HEADING_ROOM: Final = 100

_STYLE: Final = (
    "text{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:11px;"
    "fill:#1f2933}"
    ".heading{font-size:15px;font-weight:600}"
    ".band{fill:#cdebd3}.excursion-band{fill:#eef7e6}"
    ".grid{stroke:#d9dee3;stroke-width:1}"
    ".axis{stroke:#52606d;stroke-width:1;fill:none}"
    ".readings{fill:none;stroke:#1d4f91;stroke-width:1.5;stroke-linejoin:round}"
    ".range{fill:#1d4f91;fill-opacity:.18}"
    ".breach{fill:#c62828;fill-opacity:.22}.allowed{fill:#e08a00;fill-opacity:.22}"
    ".peak{stroke:#8e1b1b;stroke-width:1.5;stroke-dasharray:4 2}"
    ".gap{fill:url(#no-reading);stroke:#7b8794;stroke-width:.5}"
    ".period{stroke:#52606d;stroke-width:1;fill:none}"
    ".note{font-size:10px;fill:#52606d}"
)
#: A hatching of grey lines, for the time no reading covered.
_HATCHING: Final = (
    '<pattern id="no-reading" width="8" height="8" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="8" height="8" fill="#eceff1"/>'
    '<line x1="0" y1="0" x2="0" y2="8" stroke="#9aa5b1" stroke-width="3"/></pattern>'
)
#: Characters XML 1.0 does not allow in a document, dropped from every text drawn.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def draw_exposure(
    *,
    title: str,
    start_ms: int,
    end_ms: int,
    stretches: Sequence[Stretch],
    conditions: StorageConditions | None,
    judgement: Judgement,
) -> str:
    """The SVG chart of an exposure from ``start_ms`` to ``end_ms``: the readings of
    ``stretches``, the band of ``conditions`` (none drawn where the product has none), and
    the periods, gaps and excursions of ``judgement``."""
    times = TimeScale(
        *drawn_span(start_ms, end_ms, judgement.gaps), left=PLOT_LEFT, width=PLOT_RIGHT - PLOT_LEFT
    )
    celsius = CelsiusScale.around(
        _temperatures(stretches, conditions, judgement.excursions),
        top=PLOT_TOP,
        height=PLOT_BOTTOM - PLOT_TOP,
    )
    readings = sum(len(stretch.series) for stretch in stretches)
    whole = TimeScale(start_ms, end_ms, left=PLOT_LEFT, width=PLOT_RIGHT - PLOT_LEFT)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{_text(title)}</title>',
        f'<desc id="chart-desc">{_text(_described(whole, conditions, judgement, readings))}</desc>',
        f"<defs><style>{_STYLE}</style>{_HATCHING}</defs>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text class="heading" x="{PLOT_LEFT}" y="22">{_text(_cut(title, HEADING_ROOM))}</text>',
        *_legend(conditions, judgement),
        *_bands(conditions, celsius),
        *_celsius_axis(celsius),
        *_time_axis(times),
        *(_gap(gap, times) for gap in judgement.gaps),
        *(_excursion(excursion, times, celsius) for excursion in judgement.excursions),
        *(_stretch(stretch, times, celsius) for stretch in stretches),
        *_periods(judgement.periods, times),
    ]
    if readings == 0:
        parts.append(
            f'<text x="{(PLOT_LEFT + PLOT_RIGHT) / 2}" y="{(PLOT_TOP + PLOT_BOTTOM) / 2}" '
            f'text-anchor="middle" class="heading">no readings</text>'
        )
    parts.append("</svg>")
    return "\n".join(part for part in parts if part) + "\n"


def drawn_span(start_ms: int, end_ms: int, gaps: Sequence[Gap]) -> tuple[int, int]:
    """The time the chart spans: the exposure's, except that a gap at its start or its end
    longer than all the time between them is cut to a quarter of that time (a unit still on
    a shelf, months after its logger's last reading, would else squeeze its trip into a
    sliver). The cut gap is labelled with where it really ends.

    >>> hour = 3_600_000
    >>> drawn_span(0, 10 * hour, [Gap(6 * hour, 10 * hour, "")])
    (0, 36000000)
    >>> drawn_span(0, 1000 * hour, [Gap(0, 900 * hour, ""), Gap(904 * hour, 1000 * hour, "")])
    (3236400000, 3258000000)
    """
    leading = max((gap.end_ms for gap in gaps if gap.start_ms <= start_ms), default=start_ms)
    trailing = min((gap.start_ms for gap in gaps if gap.end_ms >= end_ms), default=end_ms)
    between = trailing - leading
    if between <= 0:
        return start_ms, end_ms
    kept = max(between // 4, SHORTEST_SPAN_MS)
    return (
        leading - kept if leading - start_ms > between + kept else start_ms,
        trailing + kept if end_ms - trailing > between + kept else end_ms,
    )


def source_label(source: Source, *, room: int | None = None) -> str:
    """A source in words with its target shortened (an EPC URI without its ``urn:epc:id:``
    prefix, a long identifier cut in its middle), and cut to ``room`` characters if given.

    >>> source_label(Source("container", "urn:epc:id:sscc:0614141.1234567890", "LOG-7"))
    'LOG-7 on container sscc:0614141.1234567890'
    >>> source_label(Source("shipment", "urn:uuid:6f1c2a52-9e1b-4c3e-8d55-0b6f3f1f2a77", "T-1"))
    'T-1 on shipment urn:uuid:6f1c2…0b6f3f1f2a77'
    >>> source_label(Source("location", "0614141000005", "ROOM-2"), room=12)
    'ROOM-2 at l…'
    """
    target = source.target.removeprefix("urn:epc:id:")
    if len(target) > 30:
        target = f"{target[:14]}…{target[-12:]}"
    shortened = Source(source.kind, target, source.device).label()
    return shortened if room is None else _cut(shortened, room)


def _cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` characters, an ellipsis saying it was cut; nothing where
    there is no room for more than the ellipsis.

    >>> _cut("LOG-7 on container", 8), _cut("LOG-7", 8), _cut("LOG-7", 1)
    ('LOG-7 o…', 'LOG-7', '')
    """
    if len(text) <= room:
        return text
    return text[: room - 1] + "…" if room > 1 else ""


def counted(count: int, noun: str) -> str:
    """A count with its noun, plural but for one.

    >>> counted(1, "gap"), counted(1200, "reading")
    ('1 gap', '1,200 readings')
    """
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _temperatures(
    stretches: Sequence[Stretch],
    conditions: StorageConditions | None,
    excursions: Sequence[Excursion],
) -> Iterable[float]:
    """Every temperature the chart must show: readings, bands and peaks."""
    for stretch in stretches:
        series = stretch.series
        if len(series):
            yield float(series.celsius.min())
            yield float(series.celsius.max())
        if len(series.lows) and len(series.highs):
            yield float(series.lows.min())
            yield float(series.highs.max())
    if conditions is not None:
        yield from (conditions.min_c, conditions.max_c)
        if conditions.excursion is not None:
            yield from (conditions.excursion.min_c, conditions.excursion.max_c)
    yield from (excursion.peak_c for excursion in excursions)


def _described(
    times: TimeScale,
    conditions: StorageConditions | None,
    judgement: Judgement,
    readings: int,
) -> str:
    """What the chart shows, in sentences, for a reader who does not see it."""
    sources = len({period.source for period in judgement.periods})
    said = [
        f"Temperature in degrees Celsius from {utc_text(times.start_ms)} to "
        f"{utc_text(times.end_ms)}: {counted(readings, 'reading')} from "
        f"{counted(sources, 'source')}."
    ]
    if conditions is None:
        said.append("No storage conditions set: nothing is judged.")
    else:
        said.append(f"Allowed band {_band(conditions.min_c, conditions.max_c)}.")
        if conditions.excursion is not None:
            allowance = conditions.excursion
            said.append(
                f"An excursion to {_band(allowance.min_c, allowance.max_c)} is allowed for up "
                f"to {allowance.max_minutes:,} minutes."
            )
    if judgement.min_c is not None and judgement.max_c is not None:
        said.append(f"Readings ranged {_band(judgement.min_c, judgement.max_c)}.")
    breaches = sum(not excursion.allowed for excursion in judgement.excursions)
    if judgement.excursions:
        said.append(
            f"{counted(len(judgement.excursions), 'excursion')} out of the band, {breaches:,} of them "
            f"beyond what is allowed."
        )
    if judgement.gaps:
        minutes = sum(gap.minutes for gap in judgement.gaps)
        said.append(
            f"{counted(len(judgement.gaps), 'gap')} with no reading, {minutes:,.0f} minutes in all."
        )
    if judgement.verdict is not None:
        said.append(f"Verdict: {judgement.verdict.value.replace('_', ' ')}.")
    return " ".join(said)


def _legend(conditions: StorageConditions | None, judgement: Judgement) -> list[str]:
    items: list[tuple[str, str]] = []
    if conditions is None:
        items.append(("", "no storage conditions set"))
    else:
        items.append(("band", f"allowed {_band(conditions.min_c, conditions.max_c)}"))
        if conditions.excursion is not None:
            allowance = conditions.excursion
            items.append(
                (
                    "excursion-band",
                    f"excursion {_band(allowance.min_c, allowance.max_c)} "
                    f"≤ {allowance.max_minutes:,} min",
                )
            )
    if any(excursion.allowed for excursion in judgement.excursions):
        items.append(("allowed", "allowed excursion"))
    if any(not excursion.allowed for excursion in judgement.excursions):
        items.append(("breach", "breach"))
    if judgement.gaps:
        items.append(("gap", "no reading"))
    drawn = ['<g class="legend">']
    x = float(PLOT_LEFT)
    for kind, label in items:
        if kind:
            drawn.append(f'<rect class="{kind}" x="{x:.0f}" y="34" width="14" height="10"/>')
            x += 18
        drawn.append(f'<text x="{x:.0f}" y="43">{_text(label)}</text>')
        x += len(label) * CHARACTER_WIDTH + 16
    return [*drawn, "</g>"]


def _bands(conditions: StorageConditions | None, celsius: CelsiusScale) -> list[str]:
    if conditions is None:
        return []
    drawn = []
    allowance = conditions.excursion
    if allowance is not None:
        for low, high in ((allowance.min_c, conditions.min_c), (conditions.max_c, allowance.max_c)):
            if high > low:
                drawn.append(_band_rect("excursion-band", low, high, celsius))
    drawn.append(_band_rect("band", conditions.min_c, conditions.max_c, celsius))
    return drawn


def _band_rect(kind: str, low_c: float, high_c: float, celsius: CelsiusScale) -> str:
    top, bottom = celsius.y(high_c), celsius.y(low_c)
    return (
        f'<rect class="{kind}" x="{PLOT_LEFT}" y="{top:.2f}" width="{PLOT_RIGHT - PLOT_LEFT}" '
        f'height="{bottom - top:.2f}"><title>{_text(_band(low_c, high_c))}</title></rect>'
    )


def _celsius_axis(celsius: CelsiusScale) -> list[str]:
    drawn = [f'<text x="{PLOT_LEFT - 8}" y="{PLOT_TOP - 6}" text-anchor="end">°C</text>']
    drawn += [
        f'<line class="grid" x1="{PLOT_LEFT}" x2="{PLOT_RIGHT}" y1="{tick.at:.2f}" '
        f'y2="{tick.at:.2f}"/><text class="celsius-tick" x="{PLOT_LEFT - 6}" '
        f'y="{tick.at + 4:.2f}" text-anchor="end" data-at="{tick.at:.4f}">'
        f"{_text(tick.label)}</text>"
        for tick in celsius_ticks(celsius)
    ]
    drawn.append(f'<path class="axis" d="M{PLOT_LEFT} {PLOT_TOP}V{PLOT_BOTTOM}H{PLOT_RIGHT}"/>')
    return drawn


def _time_axis(times: TimeScale) -> list[str]:
    drawn = [f'<text x="8" y="{PLOT_BOTTOM + 16}">UTC</text>']
    for tick in time_ticks(times):
        drawn.append(
            f'<line class="axis" x1="{tick.at:.2f}" x2="{tick.at:.2f}" y1="{PLOT_BOTTOM}" '
            f'y2="{PLOT_BOTTOM + 5}"/>'
        )
        drawn.append(
            f'<text class="time-tick" x="{tick.at:.2f}" y="{PLOT_BOTTOM + 17}" '
            f'text-anchor="middle">{_text(tick.label)}</text>'
        )
        if tick.note:
            # a date at the right end ends there rather than running off the drawing
            anchor = "end" if tick.at > WIDTH - len(tick.note) * CHARACTER_WIDTH else "middle"
            drawn.append(
                f'<text class="note" x="{tick.at:.2f}" y="{PLOT_BOTTOM + 30}" '
                f'text-anchor="{anchor}">{_text(tick.note)}</text>'
            )
    return drawn


def _gap(gap: Gap, times: TimeScale) -> str:
    left, right = times.x(gap.start_ms), times.x(gap.end_ms)
    said = (
        f"no reading from {utc_text(gap.start_ms)} to {utc_text(gap.end_ms)} "
        f"({gap.minutes:,.0f} min): {gap.reason}"
    )
    label = ""
    if right - left >= len("no reading") * CHARACTER_WIDTH + 4:
        middle = (left + right) / 2
        label = f'<text x="{middle:.2f}" y="{PLOT_TOP + 16}" text-anchor="middle">no reading</text>'
        # a gap cut short says where it really ends (or starts)
        beyond = ""
        if gap.end_ms > times.end_ms:
            beyond = f"until {utc_text(gap.end_ms)[:10]} →"
        elif gap.start_ms < times.start_ms:
            beyond = f"← since {utc_text(gap.start_ms)[:10]}"
        if beyond and right - left >= len(beyond) * CHARACTER_WIDTH + 4:
            label += (
                f'<text class="gap-cut" x="{middle:.2f}" y="{PLOT_TOP + 30}" '
                f'text-anchor="middle">{_text(beyond)}</text>'
            )
    return (
        f'<g class="gap-mark"><rect class="gap" x="{left:.2f}" y="{PLOT_TOP}" '
        f'width="{right - left:.2f}" height="{PLOT_BOTTOM - PLOT_TOP}"/>'
        f"<title>{_text(said)}</title>{label}</g>"
    )


def _excursion(excursion: Excursion, times: TimeScale, celsius: CelsiusScale) -> str:
    left, right = times.x(excursion.start_ms), times.x(excursion.end_ms)
    if right - left < NARROWEST_MARK:
        middle = min(max((left + right) / 2, PLOT_LEFT + 1), PLOT_RIGHT - 1)
        left, right = middle - NARROWEST_MARK / 2, middle + NARROWEST_MARK / 2
    kind = "allowed" if excursion.allowed else "breach"
    peak_y = celsius.y(excursion.peak_c)
    peak = f"peak {_degrees(excursion.peak_c)}"
    said = (
        f"{'allowed excursion' if excursion.allowed else 'breach'} from "
        f"{utc_text(excursion.start_ms)} to {utc_text(excursion.end_ms)}, "
        f"{excursion.minutes:,.0f} min, {peak}, measured by {excursion.source.label()}"
    )
    # the peak's words above its line, or below it where the line is near the plot's top
    text_y = peak_y - 5 if peak_y - PLOT_TOP > 16 else peak_y + 14
    half_text = len(peak) * CHARACTER_WIDTH / 2
    text_x = min(max((left + right) / 2, PLOT_LEFT + half_text), PLOT_RIGHT - half_text)
    return (
        f'<g class="excursion-mark" data-verdict="{kind}">'
        f'<rect class="{kind}" x="{left:.2f}" y="{PLOT_TOP}" width="{right - left:.2f}" '
        f'height="{PLOT_BOTTOM - PLOT_TOP}"/>'
        f'<line class="peak" x1="{left:.2f}" x2="{right:.2f}" y1="{peak_y:.2f}" '
        f'y2="{peak_y:.2f}"/>'
        f'<text class="peak-label" x="{text_x:.2f}" y="{text_y:.2f}" text-anchor="middle">'
        f"{_text(peak)}</text><title>{_text(said)}</title></g>"
    )


def _stretch(stretch: Stretch, times: TimeScale, celsius: CelsiusScale) -> str:
    series = stretch.series
    if not len(series):
        return ""
    columns = int(PLOT_RIGHT - PLOT_LEFT)
    first_ms = max(stretch.start_ms, times.start_ms)
    last_ms = min(max(stretch.end_ms, first_ms), times.end_ms)

    def kept(at_ms: int) -> int:
        return min(max(at_ms, first_ms), last_ms)

    # each reading's column: the reading standing at the stretch's start drawn at its start
    clamped = np.clip(series.times_ms, first_ms, last_ms)
    columns_of = np.minimum((clamped - times.start_ms) * columns // times.span_ms, columns - 1)
    drawn = column_points(columns_of, series.celsius, columns=columns)
    line = " ".join(
        f"{times.x(int(at)):.2f},{celsius.y(float(value)):.2f}"
        for at, value in zip(clamped[drawn], series.celsius[drawn], strict=True)
    )
    extents = column_extents(
        columns_of, series.times_ms, series.until_ms, series.lows, series.highs, columns=columns
    )
    ranges = "".join(
        f"M{times.x(kept(extent.at_ms)):.2f} {celsius.y(extent.high_c):.2f}"
        f"H{min(max(times.x(kept(extent.until_ms)), times.x(kept(extent.at_ms)) + 1), PLOT_RIGHT):.2f}"
        f"V{celsius.y(extent.low_c):.2f}H{times.x(kept(extent.at_ms)):.2f}Z"
        for extent in extents
    )
    said = (
        f"{len(series):,} readings of {stretch.source.label()} from "
        f"{utc_text(stretch.start_ms)} to {utc_text(stretch.end_ms)}"
    )
    return (
        f'<g class="stretch"><title>{_text(said)}</title>'
        + (f'<path class="range" d="{ranges}"/>' if ranges else "")
        + f'<polyline class="readings" points="{line}"/></g>'
    )


def _periods(periods: Sequence[Period], times: TimeScale) -> list[str]:
    """What measured each period, under the time axis: a bracket over its time and its
    source's label, in two lanes so that neighbours do not write over each other."""
    drawn = []
    for index, period in enumerate(periods):
        left, right = times.x(period.start_ms), times.x(period.end_ms)
        lane_y = PLOT_BOTTOM + 50 + 28 * (index % 2)
        room = int((right - left) / CHARACTER_WIDTH)
        label = source_label(period.source, room=room)
        said = (
            f"{period.source.label()}, {utc_text(period.start_ms)} to "
            f"{utc_text(period.end_ms)}: {period.readings:,} readings"
        )
        drawn.append(
            f'<g class="period-mark"><title>{_text(said)}</title>'
            f'<path class="period" d="M{left:.2f} {lane_y - 4}V{lane_y}H{right:.2f}'
            f'V{lane_y - 4}"/>'
            + (
                f'<text class="period-label" x="{left + 2:.2f}" y="{lane_y + 13}">'
                f"{_text(label)}</text>"
                if label
                else ""
            )
            + "</g>"
        )
    return drawn


def _band(low_c: float, high_c: float) -> str:
    return f"{_degrees(low_c, unit=False)} to {_degrees(high_c)}"


def _degrees(celsius: float, *, unit: bool = True) -> str:
    """Degrees to a tenth (as loggers report them), or to three figures beyond a million.

    >>> _degrees(8.0), _degrees(-0.04), _degrees(12.25, unit=False), _degrees(-3e300)
    ('8 °C', '0 °C', '12.2', '-3e+300 °C')
    """
    text = f"{celsius:.1f}" if abs(celsius) < 1e6 else f"{celsius:.3g}"
    text = text.removesuffix(".0")
    text = "0" if text == "-0" else text
    return f"{text} °C" if unit else text


def _text(text: str) -> str:
    """``text`` fit for an SVG's text or attribute: escaped, without what XML forbids."""
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})
