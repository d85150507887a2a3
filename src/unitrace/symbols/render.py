"""Symbols as print files: SVG text in physical units, PNG bytes in whole pixels per module.

Both are drawn from the symbol's modules, so that module size and quiet zone are exactly
those asked for, in the same way for every symbology. A linear symbol (GS1-128) carries its
human-readable interpretation, ``(01)…(21)…``, under its bars, as GS1 asks of linear symbols:
in the PNG drawn with Bitstream Vera Sans, the font reportlab ships, so that no system font is
needed; in the SVG as text in a monospaced font of the viewer's.

>>> from unitrace.gs1 import Gtin, UnitIdentity
>>> unit = UnitIdentity(Gtin("09506000134352"), "X1")
>>> svg = render_svg(unit, module_size=0.4)
>>> svg.splitlines()[0]
'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="7.2mm" height="7.2mm" viewBox="0 0 18 18" shape-rendering="crispEdges">'
>>> render_png(unit, Symbology.GS1_128)[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

import reportlab
from PIL import Image, ImageDraw, ImageFont

from unitrace.gs1 import DEFAULT_RESOLVER_BASE
from unitrace.symbols.runs import svg_path
from unitrace.symbols.symbol import Symbol, SymbolSource, encode_symbol
from unitrace.symbols.symbology import Symbology

SvgUnit = Literal["mm", "in", "pt", "px"]

#: Bar height of a linear symbol, in modules, where none is asked for: zint's default, which
#: at a 0.5 mm module gives the 25 mm GS1-128 bars of a logistics label.
DEFAULT_BAR_HEIGHT = 50

#: The band under a linear symbol's bars that holds its human-readable text, in modules: a
#: gap of one module, then text of up to 7 modules (3.5 mm at a 0.5 mm module), with room
#: for its descenders.
HRI_BAND = 10
_HRI_GAP = 1
_HRI_FONT_SIZE = 7

_LIGHT_AND_DARK = bytes([255, 0]) + bytes(254)  # 0 (light) -> white, 1 (dark) -> black
_HRI_FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


def draw_svg(
    symbol: Symbol,
    *,
    module_size: float = 0.5,
    unit: SvgUnit = "mm",
    quiet_zone: int | None = None,
    bar_height: int = DEFAULT_BAR_HEIGHT,
    hri: bool = True,
) -> str:
    """An SVG document of ``symbol``, one user unit per module, ``module_size`` ``unit`` wide.

    ``quiet_zone`` is in modules, the symbology's minimum where not given; ``bar_height``, in
    modules, is for linear symbols only, whose quiet zone is left and right alone, and which
    carry their human-readable text under the bars in a band :data:`HRI_BAND` modules high
    unless ``hri`` is false.
    """
    margin = _quiet_zone(symbol, quiet_zone)
    _check_size("module size", module_size)
    _check_size("bar height", bar_height)
    if symbol.symbology.is_matrix:
        width, height = symbol.width + 2 * margin, symbol.height + 2 * margin
        path = svg_path(symbol, margin, margin)
    else:
        width, height = symbol.width + 2 * margin, bar_height
        path = svg_path(symbol, margin, 0, bar_height)
    text = ""
    if hri and not symbol.symbology.is_matrix:
        text = _svg_hri(symbol.hri, width, bar_height)
        height += HRI_BAND
    size = "" if unit == "px" else unit
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{_length(width * module_size)}{size}" '
        f'height="{_length(height * module_size)}{size}" '
        f'viewBox="0 0 {width} {height}" shape-rendering="crispEdges">\n'
        f"<title>{escape(_title(symbol))}</title>\n"
        f'<rect width="{width}" height="{height}" fill="#fff"/>\n'
        f'<path fill="#000" d="{path}"/>\n'
        f"{text}"
        "</svg>\n"
    )


def _svg_hri(hri: str, width: int, bar_height: int) -> str:
    """The text element of a linear symbol's HRI, centred under its bars; smaller than
    :data:`_HRI_FONT_SIZE` modules where a monospaced font's 0.6 em advance would not fit the
    symbol's width."""
    size = min(_HRI_FONT_SIZE, (width - 2) / (0.6 * len(hri)))
    baseline = bar_height + _HRI_GAP + 0.8 * _HRI_FONT_SIZE
    return (
        f'<text x="{_length(width / 2)}" y="{_length(baseline)}" font-family="OCR-B, '
        f'\'DejaVu Sans Mono\', monospace" font-size="{_length(size)}" text-anchor="middle" '
        f'fill="#000">{escape(hri)}</text>\n'
    )


def draw_png(
    symbol: Symbol,
    *,
    module_size: int = 4,
    quiet_zone: int | None = None,
    bar_height: int = DEFAULT_BAR_HEIGHT,
    hri: bool = True,
) -> bytes:
    """A black-and-white PNG of ``symbol``, ``module_size`` pixels per module.

    ``quiet_zone``, ``bar_height`` and ``hri`` are as for :func:`draw_svg`.
    """
    margin = _quiet_zone(symbol, quiet_zone)
    _check_size("module size", module_size)
    _check_size("bar height", bar_height)
    if module_size != int(module_size):
        raise ValueError(f"module size: {module_size} is not a whole number of pixels")
    image = Image.frombytes(
        "L", (symbol.width, symbol.height), symbol.modules.translate(_LIGHT_AND_DARK)
    )
    rows = symbol.height if symbol.symbology.is_matrix else bar_height
    image = image.resize((symbol.width * module_size, rows * module_size), Image.Resampling.NEAREST)
    border = margin * module_size
    vertical = border if symbol.symbology.is_matrix else 0
    shows_hri = hri and not symbol.symbology.is_matrix
    band = HRI_BAND * module_size if shows_hri else 0
    page = Image.new("1", (image.width + 2 * border, image.height + 2 * vertical + band), 255)
    page.paste(image.convert("1", dither=Image.Dither.NONE), (border, vertical))
    if shows_hri:
        _draw_hri(page, symbol.hri, module_size, top=image.height + _HRI_GAP * module_size)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    return buffer.getvalue()


def _draw_hri(page: Image.Image, hri: str, module_size: int, top: int) -> None:
    """Draw ``hri`` centred across ``page`` from ``top`` down, its font :data:`_HRI_FONT_SIZE`
    modules or as much less as it needs to fit the page's width with a module either side."""
    font = _font(_HRI_FONT_SIZE * module_size)
    room = page.width - 2 * module_size
    length = font.getlength(hri)
    if length > room:
        font = _font(max(1, int(font.size * room / length)))
    ImageDraw.Draw(page).text((page.width / 2, top), hri, fill=0, font=font, anchor="ma")


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_HRI_FONT), size)


def render_svg(
    source: SymbolSource,
    symbology: Symbology = Symbology.DATAMATRIX,
    *,
    resolver_base: str = DEFAULT_RESOLVER_BASE,
    module_size: float = 0.5,
    unit: SvgUnit = "mm",
    quiet_zone: int | None = None,
    bar_height: int = DEFAULT_BAR_HEIGHT,
    hri: bool = True,
) -> str:
    """The SVG of a unit or of element strings in ``symbology``; see :func:`encode_symbol`
    and :func:`draw_svg`."""
    symbol = encode_symbol(source, symbology, resolver_base=resolver_base)
    return draw_svg(
        symbol,
        module_size=module_size,
        unit=unit,
        quiet_zone=quiet_zone,
        bar_height=bar_height,
        hri=hri,
    )


def render_png(
    source: SymbolSource,
    symbology: Symbology = Symbology.DATAMATRIX,
    *,
    resolver_base: str = DEFAULT_RESOLVER_BASE,
    module_size: int = 4,
    quiet_zone: int | None = None,
    bar_height: int = DEFAULT_BAR_HEIGHT,
    hri: bool = True,
) -> bytes:
    """The PNG of a unit or of element strings in ``symbology``; see :func:`encode_symbol`
    and :func:`draw_png`."""
    symbol = encode_symbol(source, symbology, resolver_base=resolver_base)
    return draw_png(
        symbol, module_size=module_size, quiet_zone=quiet_zone, bar_height=bar_height, hri=hri
    )


def _quiet_zone(symbol: Symbol, quiet_zone: int | None) -> int:
    if quiet_zone is None:
        return symbol.symbology.minimum_quiet_zone
    if quiet_zone < 0:
        raise ValueError(f"quiet zone: {quiet_zone} modules is less than 0")
    return quiet_zone


def _check_size(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name}: {value} is not greater than 0")


def _length(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _title(symbol: Symbol) -> str:
    return symbol.data if symbol.symbology.carries_digital_link else symbol.hri
