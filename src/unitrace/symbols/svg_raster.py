"""SVG drawings as pixels, so that the symbols in them can be read as from a print.

unitrace draws its SVG symbols one user unit per module (:func:`unitrace.symbols.draw_svg`),
so an SVG is rasterised at :data:`PIXELS_PER_UNIT` pixels per unit of its ``viewBox``
whatever its printed size, which gives zxing-cpp whole, sharp modules. An SVG without a
``viewBox`` is measured by its ``width`` and ``height`` in CSS pixels.

The drawing is done by resvg (the ``resvg-py`` wheel: a Rust SVG renderer with no system
library), without the system's fonts, since text is never part of a symbol. An SVG too big
to draw at one pixel per unit within :data:`LARGEST_SIDE` pixels, or of more than
:data:`LARGEST_SVG` bytes, is refused rather than drawn.

>>> from unitrace.gs1 import Gtin, UnitIdentity
>>> from unitrace.symbols.render import render_svg
>>> svg = render_svg(UnitIdentity(Gtin("09506000134352"), "X1"), module_size=0.4).encode()
>>> rasterise_svg(svg, "image").size  # 18 modules with the quiet zone, 4 pixels each
(72, 72)
>>> rasterise_svg(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9000 10"/>', "image")
Traceback (most recent call last):
...
unitrace.symbols.errors.UnreadableImage: image: an SVG of 9000 x 10 units is too large to read (at most 4096 units a side)
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree

import resvg_py
from PIL import Image

from unitrace.symbols.errors import UnreadableImage

#: Pixels per SVG user unit: per module, for the SVGs unitrace draws.
PIXELS_PER_UNIT = 4
#: The largest raster drawn, in pixels a side; an SVG is drawn smaller to fit, down to one
#: pixel per unit.
LARGEST_SIDE = 4096
#: The largest SVG read, in bytes (unitrace's own are tens of kilobytes).
LARGEST_SVG = 8 * 1024 * 1024

_SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
# CSS pixels per unit of length, as resvg reads them at 96 dots per inch.
_CSS_PIXELS = {"": 1.0, "px": 1.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
_CSS_PIXELS |= {"pt": 96 / 72, "pc": 16.0}
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|in|cm|mm|pt|pc)?\s*")


def looks_like_svg(head: bytes) -> bool:
    """Whether a file starting with ``head`` is XML text (an SVG, if anything) rather than a
    picture format: those all start with a binary signature, never with ``<``."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def rasterise_svg(svg: bytes, name: str) -> Image.Image:
    """The greyscale picture of the SVG document ``svg``, on white as on paper.

    Raises :class:`UnreadableImage`, led by ``name``, for XML that is not an SVG, an SVG that
    cannot be drawn, and one too large to read.
    """
    if len(svg) > LARGEST_SVG:
        raise UnreadableImage(
            f"{name}: an SVG of {len(svg):,} bytes is too large to read "
            f"(at most {LARGEST_SVG:,} bytes)"
        )
    try:
        text = svg.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableImage(f"{name}: an SVG must be UTF-8 text ({error.reason})") from None
    width, height = _size_in_units(_root(text, name), name)
    pixels_per_unit = min(PIXELS_PER_UNIT, LARGEST_SIDE / max(width, height))
    if pixels_per_unit < 1:
        raise UnreadableImage(
            f"{name}: an SVG of {width:g} x {height:g} units is too large to read "
            f"(at most {LARGEST_SIDE} units a side)"
        )
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=text,
            width=max(1, round(width * pixels_per_unit)),
            background="white",
            dpi=96.0,
            skip_system_fonts=True,
        )
    except ValueError as error:
        raise UnreadableImage(f"{name}: an SVG that cannot be drawn ({error})") from None
    return Image.open(io.BytesIO(png)).convert("L")


def _root(text: str, name: str) -> ElementTree.Element:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise UnreadableImage(f"{name}: neither a picture nor well-formed SVG ({error})") from None
    if root.tag != _SVG_ROOT:
        raise UnreadableImage(
            f"{name}: XML, but not an SVG: its root element is <{root.tag}>, not <svg> in the "
            "SVG namespace"
        )
    return root


def _size_in_units(root: ElementTree.Element, name: str) -> tuple[float, float]:
    """The SVG's width and height in user units: its ``viewBox``, else its ``width`` and
    ``height`` in CSS pixels."""
    view_box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(view_box) == 4:
        try:
            width, height = float(view_box[2]), float(view_box[3])
        except ValueError:
            pass
        else:
            if width > 0 and height > 0:
                return width, height
    width_match = _LENGTH.fullmatch(root.get("width") or "")
    height_match = _LENGTH.fullmatch(root.get("height") or "")
    if width_match and height_match:
        width, height = (float(m[1]) * _CSS_PIXELS[m[2] or ""] for m in (width_match, height_match))
        if width > 0 and height > 0:
            return width, height
    raise UnreadableImage(
        f"{name}: an SVG without a size: neither a viewBox nor a width and height in "
        "px, in, cm, mm, pt or pc"
    )
