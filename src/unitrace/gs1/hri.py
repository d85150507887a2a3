"""The human-readable interpretation (HRI) printed under a barcode: ``(01)…(17)…(10)…(21)…``.

>>> parse_hri("(01)09506000134352(17)261231(10)ABC(21)X1")
(ElementString(ai='01', value='09506000134352'), ElementString(ai='17', value='261231'), ElementString(ai='10', value='ABC'), ElementString(ai='21', value='X1'))
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from unitrace.gs1.elements import ElementString, validate_elements
from unitrace.gs1.errors import InvalidCode

# An AI in brackets; a bracket inside a value (CSET 82 allows them) is written as "\(".
_BRACKETED_AI = re.compile(r"(?<!\\)\((\d{2,4})\)")


def parse_hri(text: str) -> tuple[ElementString, ...]:
    """Split an HRI string into element strings and check each one and their combination.

    Spaces between the bracketed AIs and their values, as printed on labels, are ignored.
    """
    stripped = text.strip()
    if not stripped.startswith("("):
        raise InvalidCode("HRI: must start with a bracketed AI such as (01)")
    tokens = _BRACKETED_AI.split(stripped)
    if tokens[0]:
        raise InvalidCode(f"HRI: {tokens[0]!r} before the first bracketed AI")
    elements = [
        ElementString(ai, value.strip().replace("\\(", "("))
        for ai, value in zip(tokens[1::2], tokens[2::2], strict=True)
    ]
    if not elements:
        raise InvalidCode("HRI: no bracketed AI such as (01) found")
    validate_elements(elements)
    return tuple(elements)


def format_hri(elements: Iterable[ElementString]) -> str:
    """The HRI string for ``elements`` in the order given."""
    return "".join(f"({ai}){value.replace('(', _ESCAPED_BRACKET)}" for ai, value in elements)


_ESCAPED_BRACKET = "\\("
