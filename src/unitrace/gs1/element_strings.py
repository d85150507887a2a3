"""The data in a GS1 barcode: AIs and values one after the other, each variable-length value
ended by FNC1 (transmitted by scanners as the GS character, ASCII 29) unless it is the last.

>>> data = encode_element_string([ElementString("01", "09506000134352"),
...     ElementString("10", "ABC"), ElementString("21", "X1")])
>>> data
'010950600013435210ABC\\x1d21X1'
>>> parse_element_string(data)
(ElementString(ai='01', value='09506000134352'), ElementString(ai='10', value='ABC'), ElementString(ai='21', value='X1'))
"""

from __future__ import annotations

from collections.abc import Iterable

from unitrace.gs1.elements import ElementString, validate_elements
from unitrace.gs1.errors import InvalidElementString
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY

#: FNC1 as scanners transmit it: the ASCII group separator.
GROUP_SEPARATOR = "\x1d"


def parse_element_string(data: str) -> tuple[ElementString, ...]:
    """Split barcode data into element strings and check each one and their combination.

    A leading FNC1 (some scanners send the symbol's first FNC1 as GS) is ignored.
    """
    elements = split_element_string(data)
    validate_elements(elements)
    return elements


def split_element_string(data: str) -> tuple[ElementString, ...]:
    """Split barcode data into element strings by the AIs' lengths and FNC1 separators,
    without checking the values."""
    if data.startswith(GROUP_SEPARATOR):
        data = data[1:]
    if not data:
        raise InvalidElementString("element string: no data")
    elements: list[ElementString] = []
    position = 0
    end = len(data)
    while position < end:
        entry = SYNTAX_DICTIONARY.ai_at(data, position)
        if entry is None:
            raise InvalidElementString(
                f"element string: no GS1 Application Identifier at position {position + 1} "
                f"({data[position : position + 4]!r})"
            )
        start = position + len(entry.ai)
        length = entry.fixed_length if entry.predefined_length else None
        if length is not None:
            value = data[start : start + length]
            position = start + length
            if data.startswith(GROUP_SEPARATOR, position):
                position += 1  # a redundant separator after a predefined-length value
        else:
            separator = data.find(GROUP_SEPARATOR, start)
            stop = end if separator == -1 else separator
            value = data[start:stop]
            position = stop + 1 if separator != -1 else end
        elements.append(ElementString(entry.ai, value))
    return tuple(elements)


def encode_element_string(elements: Iterable[ElementString]) -> str:
    """Barcode data for ``elements`` in the order given, with FNC1 (as GS) after each value
    whose AI has no predefined length, except the last."""
    items = list(elements)
    validate_elements(items)
    parts: list[str] = []
    for index, (ai, value) in enumerate(items):
        parts.append(ai + value)
        if index < len(items) - 1 and not SYNTAX_DICTIONARY[ai].predefined_length:
            parts.append(GROUP_SEPARATOR)
    return "".join(parts)
