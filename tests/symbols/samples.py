"""Units and element strings the symbol tests print and read back, named for what they
exercise."""

from __future__ import annotations

from unitrace.gs1 import ElementString, Expiry, Gtin, UnitIdentity

GTIN = Gtin("09506000134352")

#: Units by name; every one fits every symbology, GS1-128's 48 data characters included.
UNITS = {
    "gtin and serial only": UnitIdentity(GTIN, "1"),
    "pharma pack": UnitIdentity(GTIN, "X7KQ2M9P4R3T", lot="ABC123", expiry=Expiry("261231")),
    "expiry day 00": UnitIdentity(GTIN, "Q9", lot="L-7", expiry=Expiry("270600")),
    "gtin-8 padded": UnitIdentity(Gtin.parse("95050003"), "00042"),
    # every punctuation mark of GS1 character set 82, which XML and URIs must escape
    "cset 82 punctuation": UnitIdentity(GTIN, "A!\"%&'()*+,-./:;<=>?", lot="x_y"),
}

#: A unit with the longest lot and serial: 69 data characters, too many for GS1-128.
LONGEST = UnitIdentity(GTIN, "S" * 20, lot="L" * 20, expiry=Expiry("261231"))

#: Element strings that are not a serialised unit, by name.
ELEMENTS = {
    "sscc of a pallet": (ElementString("00", "106141411234567897"),),
    "net weight and best before": (
        ElementString("01", GTIN.value),
        ElementString("3103", "000750"),
        ElementString("15", "270101"),
    ),
}
