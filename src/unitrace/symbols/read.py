"""Reading symbols back from a photo or a print file, as a scanner would transmit them.

A picture is any format Pillow opens (PNG, JPEG, …) or an SVG, such as those unitrace draws,
which is rasterised first (:mod:`unitrace.symbols.svg_raster`).

Each symbol zxing-cpp finds is turned into the text a scanner sends, symbology identifier
first (``]d2`` and element strings with FNC1 as GS; ``]Q1`` and a Digital Link URI), and that
text goes through :func:`unitrace.gs1.parse` like any other scan.

>>> from unitrace.gs1 import Gtin, UnitIdentity
>>> from unitrace.symbols.render import render_png
>>> unit = UnitIdentity(Gtin("09506000134352"), "X1", lot="ABC")
>>> [scan.identity() == unit for scan in read(render_png(unit))]
[True]
>>> from unitrace.symbols.render import render_svg
>>> [scan.hri() for scan in read(render_svg(unit).encode())]
['(01)09506000134352(10)ABC(21)X1']
>>> read(b"not an image")
Traceback (most recent call last):
...
unitrace.symbols.errors.UnreadableImage: image: not a picture format Pillow can open
"""

from __future__ import annotations

import io
import os

from PIL import Image, UnidentifiedImageError

from unitrace.gs1 import InvalidCode, Scan, parse
from unitrace.symbols._zxing import decode
from unitrace.symbols.errors import UnreadableImage
from unitrace.symbols.svg_raster import LARGEST_SVG, looks_like_svg, rasterise_svg

#: A picture: the path of an image file, or the bytes of one (PNG, JPEG, or any format
#: Pillow opens; or an SVG).
Picture = str | os.PathLike[str] | bytes


def read(picture: Picture) -> list[Scan]:
    """Every symbol in ``picture``, parsed and validated, in the order zxing-cpp found them.

    Raises :class:`UnreadableImage` for a file that is not an image (nor an SVG that can be
    drawn, and not too large to) or holds no barcode zxing-cpp can decode, :class:`FileNotFoundError` for a path with no file, and the
    :class:`~unitrace.gs1.InvalidCode` of the first symbol whose data breaks a GS1 rule.
    """
    name = "image" if isinstance(picture, bytes) else f"image {os.fspath(picture)!r}"
    image = _open(picture, name)
    found = decode(image)
    if not found:
        raise UnreadableImage(f"{name}: no barcode found")
    scans = []
    for number, symbol in enumerate(found, start=1):
        try:
            scans.append(parse(symbol.symbology_identifier + symbol.text))
        except InvalidCode as error:
            where = f"{name}, symbol {number} of {len(found)}" if len(found) > 1 else name
            raise type(error)(f"{where}: {error}") from None
    return scans


def _open(picture: Picture, name: str) -> Image.Image:
    svg = _svg(picture, name)
    if svg is not None:
        return rasterise_svg(svg, name)
    source = io.BytesIO(picture) if isinstance(picture, bytes) else picture
    try:
        image = Image.open(source)
        image.load()
    except FileNotFoundError:
        raise
    except UnidentifiedImageError:
        raise UnreadableImage(f"{name}: not a picture format Pillow can open") from None
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadableImage(f"{name}: cannot be decoded ({error})") from None
    if image.has_transparency_data:
        # Transparent pixels are usually black with no opacity; shown on white, as on paper,
        # they are the light modules they stand for.
        paper = Image.new("RGBA", image.size, "white")
        paper.alpha_composite(image.convert("RGBA"))
        return paper.convert("L")
    return image


def _svg(picture: Picture, name: str) -> bytes | None:
    """The bytes of ``picture`` if it is XML text, an SVG if anything; None for any other
    file, which is left to Pillow. Of a larger file than an SVG may be, no more is read than
    shows it is too large."""
    if isinstance(picture, bytes):
        return picture if looks_like_svg(picture[:1024]) else None
    try:
        with open(picture, "rb") as file:
            if not looks_like_svg(file.read(1024)):
                return None
            file.seek(0)
            return file.read(LARGEST_SVG + 1)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise UnreadableImage(f"{name}: cannot be decoded ({error})") from None
