"""Barcode symbols of units: GS1 DataMatrix, GS1 QR Code, Digital Link QR Code and GS1-128,
rendered as SVG, PNG and PDF label sheets, and read back from images and SVGs.

>>> from unitrace.gs1 import Expiry, Gtin, UnitIdentity
>>> unit = UnitIdentity(Gtin("09506000134352"), "X1", lot="ABC", expiry=Expiry("261231"))
>>> png = render_png(unit, Symbology.GS1_QR)
>>> [(scan.symbology, scan.hri()) for scan in read(png)]
[(']Q3', '(01)09506000134352(17)261231(10)ABC(21)X1')]
"""

from unitrace.symbols.errors import CapacityExceeded, InvalidSheetLayout, UnreadableImage
from unitrace.symbols.labels import (
    A4,
    LETTER,
    PageSize,
    SheetLayout,
    SheetMetadata,
    SheetSummary,
    label_text,
    write_label_sheet,
)
from unitrace.symbols.read import Picture, read
from unitrace.symbols.render import (
    DEFAULT_BAR_HEIGHT,
    SvgUnit,
    draw_png,
    draw_svg,
    render_png,
    render_svg,
)
from unitrace.symbols.symbol import Symbol, SymbolSource, encode_symbol
from unitrace.symbols.symbology import Symbology

__all__ = [
    "A4",
    "DEFAULT_BAR_HEIGHT",
    "LETTER",
    "CapacityExceeded",
    "InvalidSheetLayout",
    "PageSize",
    "Picture",
    "SheetLayout",
    "SheetMetadata",
    "SheetSummary",
    "SvgUnit",
    "Symbol",
    "SymbolSource",
    "Symbology",
    "UnreadableImage",
    "draw_png",
    "draw_svg",
    "encode_symbol",
    "label_text",
    "read",
    "render_png",
    "render_svg",
    "write_label_sheet",
]
