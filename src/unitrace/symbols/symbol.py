"""A symbol: a unit's data laid out as the dark and light modules of one symbology.

The data is validated by :mod:`unitrace.gs1` before zxing-cpp sees it, because zxing-cpp
writes whatever it is given, check digits, dates and all.

>>> from unitrace.gs1 import Expiry, Gtin, UnitIdentity
>>> unit = UnitIdentity(Gtin("09506000134352"), "X1", lot="ABC", expiry=Expiry("261231"))
>>> symbol = encode_symbol(unit)
>>> symbol.scanned_text
']d201095060001343521726123110ABC\\x1d21X1'
>>> symbol.width, symbol.height
(20, 20)
>>> encode_symbol(unit, Symbology.DL_QR, resolver_base="https://id.example.com").data
'https://id.example.com/01/09506000134352/10/ABC/21/X1?17=261231'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from unitrace.gs1 import (
    DEFAULT_RESOLVER_BASE,
    ElementString,
    InvalidElementString,
    UnitIdentity,
    build_digital_link,
    encode_element_string,
    format_hri,
)
from unitrace.symbols._zxing import create_modules
from unitrace.symbols.errors import CapacityExceeded
from unitrace.symbols.symbology import Symbology

#: What a symbol can be made of: a unit, or any combination of element strings.
SymbolSource = UnitIdentity | Sequence[ElementString]

_DARK_RUN = re.compile(b"\x01+")


@dataclass(frozen=True, slots=True)
class Symbol:
    """The modules of one symbol, without quiet zone, and the data it carries."""

    symbology: Symbology
    elements: tuple[ElementString, ...]
    #: What a scanner transmits after the symbology identifier: element strings with FNC1 as
    #: GS, or the Digital Link URI.
    data: str
    #: Modules across, and rows of modules; a linear symbol has one row of bars.
    width: int
    height: int
    #: Row after row, one byte per module, 1 for a dark module.
    modules: bytes

    @property
    def scanned_text(self) -> str:
        """What a scanner configured to send symbology identifiers transmits."""
        return self.symbology.symbology_identifier + self.data

    @property
    def hri(self) -> str:
        """The human-readable interpretation, ``(01)…(21)…``."""
        return format_hri(self.elements)

    def is_dark(self, x: int, y: int) -> bool:
        return self.modules[y * self.width + x] == 1

    def rectangles(self) -> list[tuple[int, int, int, int]]:
        """The dark modules as ``(x, y, width, height)`` rectangles in module units.

        Runs of dark modules along a row are joined, and a run repeated in the rows below it
        grows downwards, so that drawing takes a few rectangles rather than one per module.

        >>> rows = bytes([1, 1, 0,
        ...               1, 1, 0,
        ...               0, 1, 1])
        >>> Symbol(Symbology.DATAMATRIX, (), "", 3, 3, rows).rectangles()
        [(0, 0, 2, 2), (1, 2, 2, 1)]
        """
        width, modules, find_runs = self.width, self.modules, _DARK_RUN.finditer
        finished: list[tuple[int, int, int, int]] = []
        growing: dict[tuple[int, int], int] = {}  # (x, run width) -> first row
        for y in range(self.height):
            offset = y * width
            continued: dict[tuple[int, int], int] = {}
            for match in find_runs(modules, offset, offset + width):
                start = match.start()
                run = (start - offset, match.end() - start)
                continued[run] = growing.pop(run, y)
            finished.extend((x, top, w, y - top) for (x, w), top in growing.items())
            growing = continued
        finished.extend((x, top, w, self.height - top) for (x, w), top in growing.items())
        return finished


def encode_symbol(
    source: SymbolSource,
    symbology: Symbology = Symbology.DATAMATRIX,
    *,
    resolver_base: str = DEFAULT_RESOLVER_BASE,
) -> Symbol:
    """The symbol of a unit or of element strings, checked against the GS1 rules first.

    ``resolver_base`` is the domain of the Digital Link URI, for :attr:`Symbology.DL_QR` only.
    Raises :class:`~unitrace.gs1.InvalidCode` for data that breaks a GS1 rule and
    :class:`CapacityExceeded` for data that does not fit the symbology:

    >>> from unitrace.gs1 import ElementString as E
    >>> encode_symbol([E("01", "09506000134353"), E("21", "X1")])
    Traceback (most recent call last):
    ...
    unitrace.gs1.errors.InvalidCheckDigit: AI (01): check digit 2 expected, got 3
    >>> encode_symbol([E("01", "09506000134352"), E("10", "L" * 20), E("21", "S" * 20)],
    ...     Symbology.GS1_128)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    unitrace.symbols.errors.CapacityExceeded: gs1-128: 61 data characters, at most 48 fit; ...
    """
    elements = source.elements if isinstance(source, UnitIdentity) else tuple(source)
    if not elements:
        raise InvalidElementString(f"{symbology}: no element strings to encode")
    if symbology.carries_digital_link:
        data = build_digital_link(elements, resolver_base)
        content = data
    else:
        data = encode_element_string(elements)
        limit = symbology.maximum_data_characters
        if limit is not None and len(data) > limit:
            raise CapacityExceeded(
                f"{symbology}: {len(data)} data characters, at most {limit} fit; "
                "use datamatrix or gs1-qr, or fewer or shorter AIs"
            )
        # Square brackets cannot occur in any GS1 value, so they cannot be misread as an AI.
        content = "".join(f"[{ai}]{value}" for ai, value in elements)
    width, height, modules = create_modules(content, symbology, data)
    return Symbol(symbology, elements, data, width, height, modules)
