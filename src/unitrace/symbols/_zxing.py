"""The one place that talks to zxing-cpp, behind two functions in unitrace's own terms.

zxing-cpp 3.x writes through zint. GS1 mode (FNC1 in first position) is the ``gs1=True``
creator option, and it takes the data as bracketed AIs, ``[01]09506000134352[21]X1``; zint
then puts FNC1 after every variable-length value that is not last. Options travel as keyword
arguments that zxing-cpp turns into one option string and does not check: a misspelt
``options="gs1"`` is silently ignored and gives a plain, non-GS1 symbol. Hence this module,
and the check in :func:`create_modules` that the symbol carries exactly the data intended.
"""

from __future__ import annotations

from typing import NamedTuple

import zxingcpp
from PIL import Image

from unitrace.gs1 import InvalidCode
from unitrace.symbols.errors import CapacityExceeded
from unitrace.symbols.symbology import Symbology

_FORMATS = {
    Symbology.DATAMATRIX: zxingcpp.BarcodeFormat.DataMatrix,
    Symbology.GS1_QR: zxingcpp.BarcodeFormat.QRCode,
    Symbology.DL_QR: zxingcpp.BarcodeFormat.QRCode,
    Symbology.GS1_128: zxingcpp.BarcodeFormat.Code128,
}

# QR error correction level M (15 % of the symbol recoverable) rather than zint's L, for symbols
# that get scuffed on packs; zint raises the level by itself where the symbol has room to spare.
#
# DataMatrix in squares only: zint picks a rectangle where one is smaller, but pack artwork
# and label layouts reserve a square for the code, and its size should not vary with the data.
_OPTIONS: dict[Symbology, dict[str, object]] = {
    Symbology.DATAMATRIX: {"gs1": True, "forceSquare": True},
    Symbology.GS1_QR: {"gs1": True, "ecLevel": "M"},
    Symbology.DL_QR: {"ecLevel": "M"},
    Symbology.GS1_128: {"gs1": True},
}

# zint's return code for data longer than the symbology holds (ZINT_ERROR_TOO_LONG).
_TOO_LONG = "(retval: 5)"

# zxing-cpp images have black modules as 0 and white as 255; unitrace keeps dark as 1.
_DARK_AS_ONE = bytes([1]) + bytes(255)


class Modules(NamedTuple):
    """A symbol's modules, row by row, 1 for dark; a linear symbol has one row."""

    width: int
    height: int
    dark: bytes


class Decoded(NamedTuple):
    """One symbol found in an image: its symbology identifier and its data."""

    symbology_identifier: str
    text: str


def create_modules(content: str, symbology: Symbology, expected: str) -> Modules:
    """The modules of a ``symbology`` symbol of ``content``, which must come out as
    ``expected`` (the data a scanner will transmit)."""
    try:
        barcode = zxingcpp.create_barcode(content, _FORMATS[symbology], **_OPTIONS[symbology])
    except ValueError as error:
        if _TOO_LONG in str(error):
            raise CapacityExceeded(
                f"{symbology}: data too long for the symbology ({error})"
            ) from None
        raise InvalidCode(f"{symbology}: zxing-cpp refused the data ({error})") from None
    if barcode.bytes != expected.encode():
        raise RuntimeError(f"{symbology}: zxing-cpp encoded {barcode.bytes!r}, not {expected!r}")
    # the image's own buffer, one byte a module row by row (its stubs do not say it has one)
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]
    height, width = image.shape or (0, 0)
    pixels = image.tobytes()
    if not symbology.is_matrix:
        # zint draws bars several pixels high; every row of them is the same
        return Modules(width, 1, pixels[:width].translate(_DARK_AS_ONE))
    return Modules(width, height, pixels.translate(_DARK_AS_ONE))


def decode(image: Image.Image) -> list[Decoded]:
    """Every barcode zxing-cpp finds in ``image``, with its data as transmitted (FNC1 as GS)."""
    barcodes = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    return [Decoded(barcode.symbology_identifier, barcode.text) for barcode in barcodes]
