"""One unit's identity, GTIN + serial with its lot and expiry, in every form unitrace prints.

>>> unit = UnitIdentity(Gtin("09506000134352"), "X1", lot="ABC", expiry=Expiry("261231"))
>>> unit.hri()
'(01)09506000134352(17)261231(10)ABC(21)X1'
>>> unit.element_string()
'01095060001343521726123110ABC\\x1d21X1'
>>> unit.digital_link("https://id.example.com")
'https://id.example.com/01/09506000134352/10/ABC/21/X1?17=261231'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from unitrace.gs1.digital_link import DEFAULT_RESOLVER_BASE, build_digital_link
from unitrace.gs1.element_strings import encode_element_string
from unitrace.gs1.elements import ElementString, validate_element
from unitrace.gs1.errors import InvalidCode
from unitrace.gs1.hri import format_hri
from unitrace.gs1.keys import Expiry, Gtin


@dataclass(frozen=True, slots=True)
class UnitIdentity:
    """A serialised unit: the GTIN of its product, its serial, and the lot and expiry
    printed beside them."""

    gtin: Gtin
    serial: str
    lot: str | None = None
    expiry: Expiry | None = None

    def __post_init__(self) -> None:
        validate_element("21", self.serial)
        if self.lot is not None:
            validate_element("10", self.lot)

    @classmethod
    def from_elements(cls, elements: Sequence[ElementString]) -> UnitIdentity:
        """The identity in already-validated element strings; AIs other than (01), (10),
        (17) and (21) are left aside."""
        ais = dict(elements)
        if "01" not in ais or "21" not in ais:
            raise InvalidCode("unit identity: needs a GTIN (01) and a serial (21)")
        expiry = ais.get("17")
        return cls(
            Gtin(ais["01"]),
            ais["21"],
            lot=ais.get("10"),
            expiry=Expiry(expiry) if expiry is not None else None,
        )

    @property
    def elements(self) -> tuple[ElementString, ...]:
        """The element strings in barcode order: predefined-length AIs first, so that the
        symbol needs as few FNC1 separators as possible."""
        elements = [ElementString("01", self.gtin.value)]
        if self.expiry is not None:
            elements.append(ElementString("17", self.expiry.yymmdd))
        if self.lot is not None:
            elements.append(ElementString("10", self.lot))
        elements.append(ElementString("21", self.serial))
        return tuple(elements)

    def hri(self) -> str:
        return format_hri(self.elements)

    def element_string(self) -> str:
        """The data a GS1 DataMatrix or GS1 QR Code of this unit encodes, FNC1 as GS."""
        return encode_element_string(self.elements)

    def digital_link(self, base: str = DEFAULT_RESOLVER_BASE) -> str:
        return build_digital_link(self.elements, base)
