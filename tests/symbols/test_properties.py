"""Properties over many generated units and module patterns."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from unitrace.gs1 import Expiry, Gtin, UnitIdentity
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.symbols import Symbol, Symbology, read, render_png
from unitrace.symbols.runs import dark_runs

# GS1 AI encodable character set 82, written out rather than taken from the code under test
CSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@st.composite
def gtins(draw: st.DrawFn) -> Gtin:
    payload = draw(st.text("0123456789", min_size=13, max_size=13))
    return Gtin(payload + gs1_check_digit(payload))


@st.composite
def expiries(draw: st.DrawFn) -> Expiry:
    day = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2049, 12, 31)))
    # day 00 stands for "any day of the month" and is valid in every month
    yymmdd = day.strftime("%y%m") + ("00" if draw(st.booleans()) else day.strftime("%d"))
    return Expiry(yymmdd)


cset_82_values = st.text(CSET_82, min_size=1, max_size=20)

units = st.builds(
    UnitIdentity,
    gtin=gtins(),
    serial=cset_82_values,
    lot=st.none() | cset_82_values,
    expiry=st.none() | expiries(),
)


@settings(max_examples=300, deadline=None)
@given(unit=units)
def test_any_unit_reads_back_from_its_datamatrix_png(unit: UnitIdentity) -> None:
    scans = read(render_png(unit, Symbology.DATAMATRIX, module_size=3))
    assert [(scan.symbology, scan.identity()) for scan in scans] == [("]d2", unit)]


@st.composite
def patterns(draw: st.DrawFn) -> Symbol:
    """A symbol of any size up to 12 x 12 modules, each dark or light at random."""
    width, height = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    noise = draw(st.binary(min_size=width * height, max_size=width * height))
    return Symbol(Symbology.DATAMATRIX, (), "", width, height, bytes(b & 1 for b in noise))


@settings(max_examples=200, deadline=None)
@given(symbol=patterns())
def test_rectangles_of_any_pattern_cover_its_dark_modules_exactly_once(symbol: Symbol) -> None:
    drawn = bytearray(symbol.width * symbol.height)
    for x, y, w, h in symbol.rectangles():
        for row in range(y, y + h):
            for column in range(x, x + w):
                drawn[row * symbol.width + column] += 1
    assert bytes(drawn) == symbol.modules


@settings(max_examples=200, deadline=None)
@given(symbol=patterns())
def test_dark_runs_of_any_pattern_cover_its_dark_modules_once_each_as_long_as_they_go(
    symbol: Symbol,
) -> None:
    width, modules = symbol.width, symbol.modules
    drawn = bytearray(width * symbol.height)
    for x, y, w in dark_runs(symbol).tolist():
        for column in range(x, x + w):
            drawn[y * width + column] += 1
        # a run is maximal: light modules (or the symbol's edge) either side
        assert x == 0 or modules[y * width + x - 1] == 0
        assert x + w == width or modules[y * width + x + w] == 0
    assert bytes(drawn) == modules
