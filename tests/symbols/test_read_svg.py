"""Reading the SVGs unitrace draws, and refusing SVGs that cannot be read, with one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unitrace.gs1 import UnitIdentity, encode_element_string
from unitrace.symbols import Symbology, UnreadableImage, read, render_svg, svg_raster
from unitrace.symbols.svg_raster import LARGEST_SVG

from ..gs1.strategies import identities
from .samples import ELEMENTS, UNITS

RESOLVER = "https://id.example.com"

units = identities
#: Units whose data fits GS1-128's 48 characters.
short_units = units.filter(lambda unit: len(encode_element_string(unit.elements)) <= 48)


def _scanned(svg: str | bytes) -> list[tuple[str | None, UnitIdentity]]:
    data = svg.encode() if isinstance(svg, str) else svg
    return [(scan.symbology, scan.identity()) for scan in read(data)]


@pytest.mark.parametrize("symbology", list(Symbology))
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_any_unit_reads_back_from_its_svg(symbology: Symbology, data: st.DataObject) -> None:
    unit = data.draw(short_units if symbology is Symbology.GS1_128 else units)
    svg = render_svg(unit, symbology, resolver_base=RESOLVER)
    assert _scanned(svg) == [(symbology.symbology_identifier, unit)]


@pytest.mark.parametrize(
    "options",
    [
        {"module_size": 0.254, "unit": "mm"},
        {"module_size": 0.01, "unit": "in", "quiet_zone": 4},
        {"module_size": 1, "unit": "px"},
        {"module_size": 2, "unit": "pt", "quiet_zone": 0},
    ],
)
@pytest.mark.parametrize("symbology", list(Symbology))
def test_an_svg_reads_back_whatever_its_printed_size(
    symbology: Symbology, options: dict[str, object]
) -> None:
    unit = UNITS["pharma pack"]
    svg = render_svg(unit, symbology, **options)  # type: ignore[arg-type]
    assert _scanned(svg) == [(symbology.symbology_identifier, unit)]


def test_element_strings_read_back_from_a_gs1_128_svg() -> None:
    elements = ELEMENTS["sscc of a pallet"]
    (scan,) = read(render_svg(elements, Symbology.GS1_128).encode())
    assert scan.elements == elements


def test_an_svg_file_reads_as_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "unit.svg"
    # with an XML declaration and a byte order mark, as editors save it
    path.write_text(
        "\ufeff<?xml version='1.0' encoding='UTF-8'?>\n" + render_svg(UNITS["pharma pack"])
    )
    assert [scan.identity() for scan in read(path)] == [UNITS["pharma pack"]]


SVG = '<svg xmlns="http://www.w3.org/2000/svg" {}>{}</svg>'


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        (b"<html><body>a label</body></html>",
         "image: XML, but not an SVG: its root element is <html>, not <svg> in the SVG namespace"),
        (b"<svg><rect width='3'", "image: neither a picture nor well-formed SVG (unclosed token: line 1, column 5)"),
        (SVG.format('width="30mm" height="30mm"', '<rect width="10" height="10"/>').encode(),
         "image: no barcode found"),
        (SVG.format("", "").encode(),
         "image: an SVG without a size: neither a viewBox nor a width and height in px, in, cm, "
         "mm, pt or pc"),
        (SVG.format('viewBox="0 0 100000 100000"', "").encode(),
         "image: an SVG of 100000 x 100000 units is too large to read (at most 4096 units a side)"),
        (SVG.format('width="2m" height="2m"', "").encode(),
         "image: an SVG without a size: neither a viewBox nor a width and height in px, in, cm, "
         "mm, pt or pc"),
        (SVG.format('viewBox="0 0 10 10"', "").encode("utf-16"), "image: not a picture format Pillow can open"),
        (SVG.format('viewBox="0 0 10 10"', "<title>\xe9</title>").encode("latin-1"),
         "image: an SVG must be UTF-8 text (invalid continuation byte)"),
    ],
)  # fmt: skip
def test_an_svg_that_cannot_be_read_is_refused(picture: bytes, message: str) -> None:
    with pytest.raises(UnreadableImage) as raised:
        read(picture)
    assert str(raised.value) == message


def test_a_huge_svg_file_is_refused_by_its_size_alone(tmp_path: Path) -> None:
    path = tmp_path / "huge.svg"
    with path.open("w") as file:
        file.write('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">')
        file.write("<!--" + "x" * LARGEST_SVG + "-->")
        file.write("</svg>")
    with pytest.raises(UnreadableImage) as raised:
        read(path)
    assert str(raised.value) == (
        f"image {str(path)!r}: an SVG of {LARGEST_SVG + 1:,} bytes is too large to read "
        f"(at most {LARGEST_SVG:,} bytes)"
    )


SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
SQUARE = f'{SVG_OPEN} viewBox="0 0 100 100">'


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        # resvg would open any file an image names: a device, a pipe, a huge file, a photo
        (f'{SQUARE}<image href="/dev/zero" width="100" height="100"/></svg>', "with <image>"),
        (f'{SQUARE}<g><image xlink:href="x.png"/></g></svg>', "with <image>"),
        (
            f'{SQUARE}<filter id="f"><feImage href="/dev/stdin"/></filter></svg>',
            "with <filter>",
        ),
        (f'{SQUARE}<rect width="9" height="9" href="/etc/passwd"/></svg>', "outside itself"),
        (f'{SQUARE}<rect width="9" height="9" fill="url(#g)"/></svg>', "outside itself"),
        (f"{SQUARE}<foreignObject/></svg>", "with <foreignObject>"),
        (f'{SQUARE}<use href="#a"/></svg>', "with <use>"),
        (f"{SQUARE}<style>rect {{ fill: red }}</style></svg>", "with <style>"),
        (f'{SQUARE}<x:thing xmlns:x="urn:x"/></svg>', "with <{urn:x}thing>"),
        # nesting a renderer's stack cannot hold, and more elements than a symbol has
        (SQUARE + "<g>" * 10_000 + "</g>" * 10_000 + "</svg>", "more than 32 elements deep"),
        (SQUARE + "<rect/>" * 20_001 + "</svg>", "holding more than 20,000"),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) and len(value) > 40 else value,
)
def test_an_svg_holding_anything_but_shapes_is_refused_before_it_is_drawn(
    svg: str, message: str
) -> None:
    with pytest.raises(UnreadableImage) as refused:
        read(svg.encode())
    assert message in str(refused.value)


def test_an_svg_is_drawn_at_its_viewbox_whatever_size_it_says() -> None:
    """A width and height far from the viewBox's shape would have the renderer allocate
    terabytes: the drawing is made at the viewBox's size, and found empty."""
    svg = f'{SVG_OPEN} viewBox="0 0 100 100" width="1" height="1000000"><rect/></svg>'
    with pytest.raises(UnreadableImage) as refused:
        read(svg.encode())
    assert "no barcode" in str(refused.value)


def test_an_svg_taking_too_long_to_draw_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svg_raster, "DRAWING_TIME", 0.001)
    with pytest.raises(UnreadableImage) as refused:
        read(render_svg(UNITS["pharma pack"]).encode())
    assert "takes more than 0.001 s to draw" in str(refused.value)
