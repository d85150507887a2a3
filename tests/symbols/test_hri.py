"""The human-readable interpretation printed under a GS1-128 symbol's bars, in PNG and SVG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree

import pytest
from PIL import Image

from unitrace.gs1 import ElementString, UnitIdentity
from unitrace.symbols import DEFAULT_BAR_HEIGHT, Symbology, encode_symbol, read, render_png
from unitrace.symbols.render import HRI_BAND, draw_svg

from .samples import ELEMENTS, GTIN, UNITS

SVG = "{http://www.w3.org/2000/svg}"
#: 48 data characters, as many as GS1-128 holds: the longest HRI a symbol carries.
LONGEST_FITTING = UnitIdentity(GTIN, "S" * 17, lot="L" * 10)

SOURCES: dict[str, UnitIdentity | tuple[ElementString, ...]] = {
    **UNITS,
    **ELEMENTS,
    "longest that fits": LONGEST_FITTING,
}


def _picture(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("L")


def _dark_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box ``(left, top, right, bottom)`` of the dark pixels of ``image``."""
    return Image.eval(image, lambda v: 255 - v).getbbox()


@pytest.mark.parametrize("module_size", [2, 4])
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_gs1_128_png_shows_its_hri_under_the_bars_and_still_reads(
    name: str, module_size: int
) -> None:
    source = SOURCES[name]
    png = render_png(source, Symbology.GS1_128, module_size=module_size)
    bars_only = _picture(render_png(source, Symbology.GS1_128, module_size=module_size, hri=False))
    picture = _picture(png)
    bars = DEFAULT_BAR_HEIGHT * module_size
    assert picture.size == (bars_only.width, bars + HRI_BAND * module_size)
    # the bars are untouched, and the symbol reads as before
    assert picture.crop((0, 0, picture.width, bars)).tobytes() == bars_only.tobytes()
    assert [scan.elements for scan in read(png)] == [
        encode_symbol(source, Symbology.GS1_128).elements
    ]
    # below them, after a light gap, text within the width, a module clear of either edge
    text = _dark_box(picture.crop((0, bars, picture.width, picture.height)))
    assert text is not None, "the band under the bars is blank"
    left, top, right, bottom = text
    assert top >= module_size
    assert (left >= module_size, right <= picture.width - module_size) == (True, True)
    # centred, to within a few pixels of rounding
    assert abs((left + right) / 2 - picture.width / 2) <= module_size + 2
    # the text is taller than one module: letters, not a stray line
    assert bottom - top > 3 * module_size


def test_matrix_symbols_carry_no_text() -> None:
    unit = UNITS["pharma pack"]
    for symbology in (Symbology.DATAMATRIX, Symbology.GS1_QR, Symbology.DL_QR):
        assert render_png(unit, symbology) == render_png(unit, symbology, hri=False)


def test_different_data_shows_different_text() -> None:
    first, second = (
        _picture(render_png(UNITS[name], Symbology.GS1_128))
        for name in ("pharma pack", "expiry day 00")
    )
    bars = DEFAULT_BAR_HEIGHT * 4
    assert (
        first.crop((0, bars, first.width, first.height)).tobytes()
        != second.crop((0, bars, second.width, second.height)).tobytes()
    )


@pytest.mark.parametrize("name", ["cset 82 punctuation", "sscc of a pallet", "longest that fits"])
def test_a_gs1_128_svg_carries_its_hri_as_text_under_the_bars(name: str) -> None:
    symbol = encode_symbol(SOURCES[name], Symbology.GS1_128)
    root = ElementTree.fromstring(draw_svg(symbol, bar_height=30))
    text = root.find(f"{SVG}text")
    assert text is not None
    width = symbol.width + 2 * Symbology.GS1_128.minimum_quiet_zone
    assert (root.get("viewBox"), text.text, text.get("text-anchor"), text.get("x")) == (
        f"0 0 {width} {30 + HRI_BAND}",
        symbol.hri,
        "middle",
        f"{width / 2:g}",
    )
    assert 30 < float(text.get("y", 0)) <= 30 + HRI_BAND
    # monospaced at 0.6 em a character, the text fits the symbol's width
    assert 0.6 * float(text.get("font-size", 0)) * len(symbol.hri) <= width


def test_an_svg_without_hri_or_of_a_matrix_symbol_has_no_text() -> None:
    for symbology, hri in ((Symbology.GS1_128, False), (Symbology.DATAMATRIX, True)):
        svg = draw_svg(encode_symbol(UNITS["pharma pack"], symbology), hri=hri)
        assert ElementTree.fromstring(svg).find(f"{SVG}text") is None
