"""Rendering: every unit in every symbology, as PNG and as SVG, reads back as the same unit.

SVG is read by rasterising it with the tests' own rasteriser (:mod:`.raster`), which fills
the path's rectangles with Pillow, and reading the PNG that gives.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree

import pytest
import zxingcpp
from PIL import Image

from unitrace.gs1 import ElementString, ScanForm, UnitIdentity
from unitrace.symbols import (
    Symbology,
    draw_png,
    draw_svg,
    encode_symbol,
    read,
    render_png,
    render_svg,
)

from .raster import svg_to_png
from .samples import ELEMENTS, LONGEST, UNITS

FORMS = {
    Symbology.DATAMATRIX: ScanForm.ELEMENT_STRING,
    Symbology.GS1_QR: ScanForm.ELEMENT_STRING,
    Symbology.GS1_128: ScanForm.ELEMENT_STRING,
    Symbology.DL_QR: ScanForm.DIGITAL_LINK,
}


def _scanned(picture: bytes) -> list[tuple[ScanForm, str | None, UnitIdentity]]:
    return [(scan.form, scan.symbology, scan.identity()) for scan in read(picture)]


@pytest.mark.parametrize("symbology", list(Symbology))
@pytest.mark.parametrize("name", sorted(UNITS))
def test_a_png_reads_back_as_the_same_unit(symbology: Symbology, name: str) -> None:
    unit = UNITS[name]
    png = render_png(unit, symbology, resolver_base="https://id.example.com")
    assert _scanned(png) == [(FORMS[symbology], symbology.symbology_identifier, unit)]


@pytest.mark.parametrize("symbology", list(Symbology))
@pytest.mark.parametrize("name", sorted(UNITS))
def test_an_svg_reads_back_as_the_same_unit(symbology: Symbology, name: str) -> None:
    unit = UNITS[name]
    svg = render_svg(unit, symbology, resolver_base="https://id.example.com")
    assert _scanned(svg_to_png(svg, 4)) == [
        (FORMS[symbology], symbology.symbology_identifier, unit)
    ]


@pytest.mark.parametrize("symbology", [Symbology.DATAMATRIX, Symbology.GS1_QR, Symbology.DL_QR])
def test_the_longest_unit_reads_back_from_the_matrix_symbologies(symbology: Symbology) -> None:
    assert _scanned(render_png(LONGEST, symbology)) == [
        (FORMS[symbology], symbology.symbology_identifier, LONGEST)
    ]


@pytest.mark.parametrize(
    ("name", "symbology"),
    [
        ("sscc of a pallet", Symbology.GS1_128),
        ("sscc of a pallet", Symbology.DATAMATRIX),
        ("net weight and best before", Symbology.GS1_128),
        ("net weight and best before", Symbology.GS1_QR),
    ],
)
def test_element_strings_read_back_as_the_same_element_strings(
    name: str, symbology: Symbology
) -> None:
    elements = ELEMENTS[name]
    scans = read(render_png(elements, symbology))
    assert [(scan.symbology, scan.elements) for scan in scans] == [
        (symbology.symbology_identifier, elements)
    ]


# zint's defaults: quiet zones of 1 module (DataMatrix), 4 (QR Code) and 10 (Code 128), and
# Code 128 bars 50 modules high
@pytest.mark.parametrize(
    ("symbology", "barcode_format", "options", "quiet_zone"),
    [
        (
            Symbology.DATAMATRIX,
            zxingcpp.BarcodeFormat.DataMatrix,
            {"gs1": True, "forceSquare": True},
            1,
        ),
        (Symbology.GS1_QR, zxingcpp.BarcodeFormat.QRCode, {"gs1": True, "ecLevel": "M"}, 4),
        (Symbology.DL_QR, zxingcpp.BarcodeFormat.QRCode, {"ecLevel": "M"}, 4),
        (Symbology.GS1_128, zxingcpp.BarcodeFormat.Code128, {"gs1": True}, 10),
    ],
)
def test_the_svg_shows_the_modules_zint_draws_itself(
    symbology: Symbology,
    barcode_format: zxingcpp.BarcodeFormat,
    options: dict[str, object],
    quiet_zone: int,
) -> None:
    """zint's own SVG is an independent drawing of the same symbol: both rasterised, they
    must match pixel for pixel."""
    symbol = encode_symbol(UNITS["pharma pack"], symbology)
    ours = svg_to_png(draw_svg(symbol, quiet_zone=quiet_zone, bar_height=50, hri=False), 1)
    bracketed = "".join(f"[{ai}]{value}" for ai, value in symbol.elements)
    content = symbol.data if symbology.carries_digital_link else bracketed
    theirs = svg_to_png(zxingcpp.create_barcode(content, barcode_format, **options).to_svg(), 1)
    assert Image.open(io.BytesIO(ours)).tobytes() == Image.open(io.BytesIO(theirs)).tobytes()


@pytest.mark.parametrize("symbology", list(Symbology))
@pytest.mark.parametrize(("module_size", "quiet_zone"), [(1, None), (3, 0), (2, 6)])
def test_the_svg_and_the_png_of_a_symbol_are_the_same_picture(
    symbology: Symbology, module_size: int, quiet_zone: int | None
) -> None:
    symbol = encode_symbol(UNITS["pharma pack"], symbology)
    png = draw_png(symbol, module_size=module_size, quiet_zone=quiet_zone, bar_height=20, hri=False)
    svg = draw_svg(
        symbol, module_size=module_size, unit="px", quiet_zone=quiet_zone, bar_height=20, hri=False
    )
    from_png = Image.open(io.BytesIO(png)).convert("L")
    from_svg = Image.open(io.BytesIO(svg_to_png(svg, module_size)))
    assert (from_png.size, from_png.tobytes()) == (from_svg.size, from_svg.tobytes())


# Symbols of the pharma pack, as zint sizes them: a 22 x 22 DataMatrix, a 29 x 29 GS1 QR Code,
# a 33 x 33 Digital Link QR Code, and a GS1-128 of 431 modules.
@pytest.mark.parametrize(
    ("symbology", "module_size", "quiet_zone", "size"),
    [
        (Symbology.DATAMATRIX, 4, None, (4 * 24, 4 * 24)),
        (Symbology.DATAMATRIX, 1, 0, (22, 22)),
        (Symbology.DATAMATRIX, 3, 5, (3 * 32, 3 * 32)),
        (Symbology.GS1_QR, 2, None, (2 * 37, 2 * 37)),
        (Symbology.DL_QR, 2, None, (2 * 41, 2 * 41)),
        (Symbology.GS1_128, 2, None, (2 * 451, 2 * 50)),
        (Symbology.GS1_128, 1, 0, (431, 50)),
    ],
)
def test_png_size_is_modules_and_quiet_zone_times_module_size(
    symbology: Symbology, module_size: int, quiet_zone: int | None, size: tuple[int, int]
) -> None:
    png = render_png(
        UNITS["pharma pack"], symbology, module_size=module_size, quiet_zone=quiet_zone, hri=False
    )
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.mode, image.size) == ("PNG", "1", size)


@pytest.mark.parametrize(
    ("options", "attributes"),
    [
        ({}, ("12mm", "12mm", "0 0 24 24")),
        ({"module_size": 0.254, "unit": "mm"}, ("6.096mm", "6.096mm", "0 0 24 24")),
        ({"module_size": 0.01, "unit": "in", "quiet_zone": 4}, ("0.3in", "0.3in", "0 0 30 30")),
        ({"module_size": 3, "unit": "px", "quiet_zone": 0}, ("66", "66", "0 0 22 22")),
        ({"module_size": 1, "unit": "pt"}, ("24pt", "24pt", "0 0 24 24")),
    ],
)
def test_svg_size_is_in_the_unit_asked_for(
    options: dict[str, object], attributes: tuple[str, str, str]
) -> None:
    svg = render_svg(UNITS["pharma pack"], **options)  # type: ignore[arg-type]
    root = ElementTree.fromstring(svg)
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == attributes


@pytest.mark.parametrize(
    ("source", "symbology", "title"),
    [
        (
            UNITS["cset 82 punctuation"],
            Symbology.DATAMATRIX,
            "(01)09506000134352(10)x_y(21)A!\"%&'\\()*+,-./:;<=>?",
        ),
        (
            UNITS["cset 82 punctuation"],
            Symbology.DL_QR,
            "https://id.gs1.org/01/09506000134352/10/x_y/21/"
            "A%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F",
        ),
        (ELEMENTS["sscc of a pallet"], Symbology.GS1_128, "(00)106141411234567897"),
    ],
)
def test_the_svg_is_well_formed_xml_titled_with_its_data(
    source: UnitIdentity | tuple[ElementString, ...], symbology: Symbology, title: str
) -> None:
    root = ElementTree.fromstring(render_svg(source, symbology))
    assert root.findtext("{http://www.w3.org/2000/svg}title") == title


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"quiet_zone": -1}, "quiet zone: -1 modules is less than 0"),
        ({"module_size": 0}, "module size: 0 is not greater than 0"),
        ({"module_size": 2.5}, "module size: 2.5 is not a whole number of pixels"),
        ({"bar_height": 0}, "bar height: 0 is not greater than 0"),
    ],
)
def test_png_options_out_of_range_are_refused(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        render_png(UNITS["pharma pack"], Symbology.GS1_128, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"quiet_zone": -2}, "quiet zone: -2 modules is less than 0"),
        ({"module_size": -0.5}, "module size: -0.5 is not greater than 0"),
    ],
)
def test_svg_options_out_of_range_are_refused(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        render_svg(UNITS["pharma pack"], **options)  # type: ignore[arg-type]
