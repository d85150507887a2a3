"""Rasterising the SVG and PDF that unitrace writes, without any system library, so that
tests can read the symbols back with zxing-cpp exactly as they would be read from print.

Both rasterisers understand only what symbols are drawn with: axis-aligned rectangles.
For SVG, path subpaths ``M x y h w v h h -w z`` (unitrace's and zint's own form) on a
white ``rect``; for PDF, ``x y w h re`` rectangles filled with ``f`` under a ``cm`` matrix
without rotation. Anything else in a path fails the test rather than being guessed at.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree

from PIL import Image, ImageDraw
from pypdf import PageObject
from pypdf.generic import ContentStream

_SVG = "{http://www.w3.org/2000/svg}"
_PATH_COMMAND = re.compile(r"([MmHhVvZz])([^MmHhVvZz]*)")


def svg_to_png(svg: str, pixels_per_unit: int) -> bytes:
    """The PNG of an SVG made of rectangles, ``pixels_per_unit`` pixels per user unit."""
    root = ElementTree.fromstring(svg)
    if "viewBox" in root.attrib:
        _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    else:
        width, height = float(root.attrib["width"]), float(root.attrib["height"])
    image = Image.new("L", (round(width * pixels_per_unit), round(height * pixels_per_unit)), 255)
    draw = ImageDraw.Draw(image)
    for element in root.iter():
        if element.tag == _SVG + "rect":
            x, y = float(element.get("x", 0)), float(element.get("y", 0))
            w, h = float(element.attrib["width"]), float(element.attrib["height"])
            _fill(draw, (x, y, x + w, y + h), _grey(element.get("fill", "#000")), pixels_per_unit)
        elif element.tag == _SVG + "path":
            fill = element.get("fill") or _inherited_fill(root, element)
            for box in _rectangles(element.attrib["d"]):
                _fill(draw, box, _grey(fill), pixels_per_unit)
    return _png(image)


def _inherited_fill(root: ElementTree.Element, element: ElementTree.Element) -> str:
    for group in root.iter(_SVG + "g"):
        if element in list(group):
            return group.get("fill", "#000")
    return "#000"


def _rectangles(d: str) -> list[tuple[float, float, float, float]]:
    """The boxes ``(left, top, right, bottom)`` of a path whose subpaths are rectangles."""
    boxes = []
    points: list[tuple[float, float]] = []
    x = y = 0.0
    for command, arguments in _PATH_COMMAND.findall(d):
        numbers = [float(n) for n in arguments.replace(",", " ").split()]
        if command == "M":
            x, y = numbers
            points = [(x, y)]
        elif command in "hH":
            (n,) = numbers
            x = x + n if command == "h" else n
            points.append((x, y))
        elif command in "vV":
            (n,) = numbers
            y = y + n if command == "v" else n
            points.append((x, y))
        elif command in "zZ":
            xs, ys = {p[0] for p in points}, {p[1] for p in points}
            if len(points) != 4 or len(xs) != 2 or len(ys) != 2:
                raise AssertionError(f"not a rectangle: {points}")
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
        else:
            raise AssertionError(f"path command {command!r} is not drawn by this rasteriser")
    return boxes


def pdf_page_to_png(page: PageObject, pixels_per_point: int) -> bytes:
    """The filled rectangles of a PDF page, black on white, ``pixels_per_point`` per point."""
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    image = Image.new("L", (round(width * pixels_per_point), round(height * pixels_per_point)), 255)
    draw = ImageDraw.Draw(image)
    content = ContentStream(page.get_contents(), page.pdf)
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    matrix, saved = identity, []
    pending: list[tuple[float, float, float, float]] = []
    for operands, operator in content.operations:
        if operator == b"q":
            saved.append(matrix)
        elif operator == b"Q":
            matrix = saved.pop()
        elif operator == b"cm":
            matrix = _multiply(tuple(float(o) for o in operands), matrix)
        elif operator == b"re":
            pending.append(tuple(float(o) for o in operands))  # type: ignore[arg-type]
        elif operator == b"f":
            a, b, c, d, e, f = matrix
            if b != 0 or c != 0:
                raise AssertionError("rotated symbols are not drawn by this rasteriser")
            for x, y, w, h in pending:
                xs = (a * x + e, a * (x + w) + e)
                ys = (d * y + f, d * (y + h) + f)
                box = (min(xs), height - max(ys), max(xs), height - min(ys))
                _fill(draw, box, 0, pixels_per_point)
            pending = []
        elif operator in (b"S", b"n"):
            pending = []  # outlines and clipping paths are not symbol modules
    return _png(image)


def _multiply(
    first: tuple[float, ...], second: tuple[float, float, float, float, float, float]
) -> tuple[float, float, float, float, float, float]:
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _fill(
    draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], grey: int, scale: float
) -> None:
    left, top, right, bottom = (round(v * scale) for v in box)
    if right > left and bottom > top:
        draw.rectangle((left, top, right - 1, bottom - 1), fill=grey)


def _grey(colour: str) -> int:
    named = {"#000": 0, "#000000": 0, "black": 0, "#fff": 255, "#ffffff": 255, "white": 255}
    return named[colour.lower()]


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
