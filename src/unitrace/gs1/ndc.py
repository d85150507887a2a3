"""The US National Drug Code inside a GTIN (GS1 US: a 10-digit NDC is carried in a GTIN-12 as
``3`` + NDC + check digit, which a GTIN-14 writes as ``[indicator]03`` + NDC + check digit).

The 10 digits do not say where the NDC's hyphens go (4-4-2, 5-3-2 or 5-4-1), so they are
given as printed digits alone; the 11-digit HIPAA form needs that configuration and is not
guessed.

>>> ndc_of("00363323003203")
'6332300320'
>>> ndc_of("10363323003200")
'6332300320'
>>> ndc_of("09506000134352") is None  # not a US drug's GTIN
True
"""

from __future__ import annotations

from typing import Final

#: The GTIN-14 digits (after the indicator) that mark an embedded NDC.
NDC_PREFIX: Final = "03"


def ndc_of(gtin: str) -> str | None:
    """The 10-digit NDC a GTIN-14 (14 digits) carries, or None where it carries none."""
    if len(gtin) != 14 or not gtin.isdigit() or gtin[1:3] != NDC_PREFIX:
        return None
    return gtin[3:13]
