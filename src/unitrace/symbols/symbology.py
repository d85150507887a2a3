"""The barcode symbologies unitrace prints a unit in, named as on the command line.

>>> Symbology("gs1-128").symbology_identifier
']C1'
>>> [s.value for s in Symbology if s.is_matrix]
['datamatrix', 'gs1-qr', 'dl-qr']
>>> Symbology.DL_QR.carries_digital_link, Symbology.DATAMATRIX.minimum_quiet_zone
(True, 1)
"""

from __future__ import annotations

from enum import StrEnum


class Symbology(StrEnum):
    """A barcode symbology together with the way a unit's data goes into it."""

    #: GS1 DataMatrix: FNC1 in first position, element strings; the pharma pack default.
    DATAMATRIX = "datamatrix"
    #: GS1 QR Code: FNC1 in first position, element strings.
    GS1_QR = "gs1-qr"
    #: A plain QR Code holding the unit's GS1 Digital Link URI, for consumers' phones.
    DL_QR = "dl-qr"
    #: GS1-128: Code 128 with FNC1 in first position; a linear symbol for cases and logistics.
    GS1_128 = "gs1-128"

    @property
    def symbology_identifier(self) -> str:
        """The ISO/IEC 15424 prefix a scanner sends before the data of this symbol."""
        return _SYMBOLOGY_IDENTIFIERS[self]

    @property
    def carries_digital_link(self) -> bool:
        """Whether the symbol holds a Digital Link URI rather than GS1 element strings."""
        return self is Symbology.DL_QR

    @property
    def is_matrix(self) -> bool:
        """Whether the symbol is two-dimensional (square modules) rather than bars."""
        return self is not Symbology.GS1_128

    @property
    def minimum_quiet_zone(self) -> int:
        """The light margin, in modules, each symbology's specification requires around it."""
        return _MINIMUM_QUIET_ZONES[self]

    @property
    def maximum_data_characters(self) -> int | None:
        """A limit of the GS1 specification stricter than the symbology's own capacity.

        GS1 General Specifications 5.4.1: a GS1-128 symbol holds at most 48 data characters,
        counting the AIs and the FNC1 separators but not the leading FNC1.
        """
        return 48 if self is Symbology.GS1_128 else None


_SYMBOLOGY_IDENTIFIERS = {
    Symbology.DATAMATRIX: "]d2",
    Symbology.GS1_QR: "]Q3",
    # ]Q1: a QR Code in its default mode, as a Digital Link must be for phones to open it.
    Symbology.DL_QR: "]Q1",
    Symbology.GS1_128: "]C1",
}

# ISO/IEC 16022 (DataMatrix) 1 module, ISO/IEC 18004 (QR) 4, ISO/IEC 15417 (Code 128) 10.
_MINIMUM_QUIET_ZONES = {
    Symbology.DATAMATRIX: 1,
    Symbology.GS1_QR: 4,
    Symbology.DL_QR: 4,
    Symbology.GS1_128: 10,
}
