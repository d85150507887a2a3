"""Barcode symbols of units: GS1 DataMatrix, GS1 QR Code, Digital Link QR Code and GS1-128,
rendered as SVG, PNG and PDF label sheets, and read back from images and SVGs.

>>> from unitrace.gs1 import Expiry, Gtin, UnitIdentity
>>> from unitrace.symbols import Symbology, read, render_png
>>> unit = UnitIdentity(Gtin("09506000134352"), "X1", lot="ABC", expiry=Expiry("261231"))
>>> png = render_png(unit, Symbology.GS1_QR)
>>> [(scan.symbology, scan.hri()) for scan in read(png)]
[(']Q3', '(01)09506000134352(17)261231(10)ABC(21)X1')]

Its names are imported when first used, so that what needs one part (a code file written
whole by :mod:`unitrace.symbols.whole_file`) does not load the renderers and their imaging
libraries, some half a second of a command's start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: where each name lives
_HOMES = {
    "A4": "unitrace.symbols.labels",
    "CapacityExceeded": "unitrace.symbols.errors",
    "DEFAULT_BAR_HEIGHT": "unitrace.symbols.render",
    "InvalidSheetLayout": "unitrace.symbols.errors",
    "LETTER": "unitrace.symbols.labels",
    "PageSize": "unitrace.symbols.labels",
    "Picture": "unitrace.symbols.read",
    "SheetLayout": "unitrace.symbols.labels",
    "SheetMetadata": "unitrace.symbols.labels",
    "SheetSummary": "unitrace.symbols.labels",
    "SvgUnit": "unitrace.symbols.render",
    "Symbol": "unitrace.symbols.symbol",
    "SymbolSource": "unitrace.symbols.symbol",
    "Symbology": "unitrace.symbols.symbology",
    "UnreadableImage": "unitrace.symbols.errors",
    "draw_png": "unitrace.symbols.render",
    "draw_svg": "unitrace.symbols.render",
    "encode_symbol": "unitrace.symbols.symbol",
    "label_text": "unitrace.symbols.labels",
    "read": "unitrace.symbols.read",
    "render_png": "unitrace.symbols.render",
    "render_svg": "unitrace.symbols.render",
    "write_label_sheet": "unitrace.symbols.labels",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
