"""SVG drawings as pixels, so that the symbols in them can be read as from a print.

unitrace draws its SVG symbols one user unit per module (:func:`unitrace.symbols.draw_svg`),
so an SVG is rasterised at :data:`PIXELS_PER_UNIT` pixels per unit of its ``viewBox``
whatever its printed size, which gives zxing-cpp whole, sharp modules. An SVG without a
``viewBox`` is measured by its ``width`` and ``height`` in CSS pixels.

The drawing is done by resvg (the ``resvg-py`` wheel: a Rust SVG renderer with no system
library), without the system's fonts, since text is never part of a symbol. Only what a
symbol is drawn with is read: shapes, groups and text (:data:`DRAWN_WITH`), no reference to
anything else (no ``href``, no ``url(…)``: resvg would open any file an ``<image>`` names,
a device or a pipe included), at most :data:`DEEPEST` elements deep and :data:`MOST_ELEMENTS`
in all. An SVG too big to draw at one pixel per unit within :data:`LARGEST_SIDE` pixels, or
of more than :data:`LARGEST_SVG` bytes, is refused rather than drawn; and it is drawn at its
``viewBox``'s size (whatever its ``width`` and ``height`` say), in a child process given
:data:`DRAWING_TIME` seconds and :data:`DRAWING_MEMORY` bytes, so that no SVG can hold or
crash the command that reads it.

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
import resource
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

from PIL import Image

from unitrace.symbols.errors import UnreadableImage

#: Pixels per SVG user unit: per module, for the SVGs unitrace draws.
PIXELS_PER_UNIT = 4
#: The largest raster drawn, in pixels a side; an SVG is drawn smaller to fit, down to one
#: pixel per unit.
LARGEST_SIDE = 4096
#: The largest SVG read, in bytes (unitrace's own are tens of kilobytes).
LARGEST_SVG = 8 * 1024 * 1024

#: The elements a symbol is drawn with (unitrace's own use ``svg``, ``title``, ``rect``,
#: ``path`` and ``text``); any other is refused.
DRAWN_WITH = frozenset(
    {"svg", "g", "title", "desc", "metadata", "rect", "path", "line", "polyline", "polygon"}
    | {"circle", "ellipse", "text", "tspan"}
)
#: How deep elements may nest, and how many an SVG may hold.
DEEPEST = 32
MOST_ELEMENTS = 20_000
#: What the child process drawing an SVG may take.
DRAWING_TIME = 20.0
DRAWING_MEMORY = 2 * 1024 * 1024 * 1024

_SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
_SVG_ROOT = _SVG_NAMESPACE + "svg"
# an SVG written back for drawing keeps SVG as its default namespace, not ns0:
ElementTree.register_namespace("", _SVG_NAMESPACE[1:-1])
#: The child that draws: the SVG on its standard input, the PNG on its output.
_DRAW = (
    "import sys, resvg_py; w, h = map(int, sys.argv[1:3]); "
    "sys.stdout.buffer.write(resvg_py.svg_to_bytes(svg_string=sys.stdin.read(), width=w, "
    "height=h, background='white', dpi=96.0, skip_system_fonts=True))"
)
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
    root = _root(text, name)
    width, height = _size_in_units(root, name)
    pixels_per_unit = min(PIXELS_PER_UNIT, LARGEST_SIDE / max(width, height))
    if pixels_per_unit < 1:
        raise UnreadableImage(
            f"{name}: an SVG of {width:g} x {height:g} units is too large to read "
            f"(at most {LARGEST_SIDE} units a side)"
        )
    _only_shapes(root, name)
    # drawn at its viewBox's size: the width and height it says are not what is read
    root.set("width", f"{width:g}")
    root.set("height", f"{height:g}")
    return _drawn(
        ElementTree.tostring(root, encoding="unicode"),
        max(1, round(width * pixels_per_unit)),
        max(1, round(height * pixels_per_unit)),
        name,
    )


def _drawn(svg: str, width: int, height: int, name: str) -> Image.Image:
    """``svg`` drawn ``width`` x ``height`` pixels by resvg in a child process, within its
    time and memory."""

    def limited() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (DRAWING_MEMORY, DRAWING_MEMORY))

    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _DRAW, str(width), str(height)],
            input=svg.encode(),
            capture_output=True,
            timeout=DRAWING_TIME,
            preexec_fn=limited,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UnreadableImage(
            f"{name}: an SVG that takes more than {DRAWING_TIME:g} s to draw is not read"
        ) from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        reason = said[-1] if said else f"the drawing stopped (status {done.returncode})"
        raise UnreadableImage(f"{name}: an SVG that cannot be drawn ({reason})")
    return Image.open(io.BytesIO(done.stdout)).convert("L")


def _only_shapes(root: ElementTree.Element, name: str) -> None:
    """Refuses an SVG that holds anything but shapes, or refers to anything outside itself,
    or nests or holds too many elements."""
    count = 0
    around: list[tuple[ElementTree.Element, int]] = [(root, 1)]
    while around:
        element, depth = around.pop()
        count += 1
        if depth > DEEPEST or count > MOST_ELEMENTS:
            raise UnreadableImage(
                f"{name}: an SVG nesting more than {DEEPEST} elements deep or holding more "
                f"than {MOST_ELEMENTS:,} is not read"
            )
        tag = str(element.tag)
        local = tag.removeprefix(_SVG_NAMESPACE)
        if local == tag or local not in DRAWN_WITH:
            raise UnreadableImage(
                f"{name}: an SVG with <{local}> is not read: only shapes and text, as symbols "
                "are drawn with"
            )
        for attribute, value in element.attrib.items():
            if attribute.rsplit("}", 1)[-1] == "href" or "url(" in value.replace(" ", ""):
                raise UnreadableImage(
                    f"{name}: an SVG referring to anything outside itself ({attribute}) is not read"
                )
        around.extend((child, depth + 1) for child in element)


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
