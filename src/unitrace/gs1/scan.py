"""``parse``: whatever a scanner or phone produces, turned into the AIs it carries.

Accepted forms: a GS1 Digital Link URI on any domain, barcode data (element strings with FNC1
as GS) with or without a symbology identifier (``]d2``, ``]Q3``, ``]C1``, ``]e0``), the
human-readable ``(01)…(21)…`` string, an EPC pure-identity URI (``urn:epc:id:sgtin:…``), and a
bare GTIN as a retail barcode (EAN/UPC) carries it.

>>> scan = parse("https://example.com/01/09506000134352/10/ABC/21/X1?17=261231")
>>> scan.form, scan.gtin, scan.serial, scan.lot, scan.expiry
(<ScanForm.DIGITAL_LINK: 'digital_link'>, Gtin(value='09506000134352'), 'X1', 'ABC', Expiry(yymmdd='261231'))
>>> parse("]d201095060001343521726123110ABC\\x1d21X1").hri()
'(01)09506000134352(17)261231(10)ABC(21)X1'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from unitrace.gs1.digital_link import parse_digital_link
from unitrace.gs1.element_strings import encode_element_string, parse_element_string
from unitrace.gs1.elements import ElementString
from unitrace.gs1.epc import parse_epc_uri
from unitrace.gs1.errors import InvalidCode, UnrecognisedCode
from unitrace.gs1.hri import format_hri, parse_hri
from unitrace.gs1.identity import UnitIdentity
from unitrace.gs1.keys import Expiry, Gln, Gtin, Sscc


class ScanForm(StrEnum):
    """The form the scanned text arrived in."""

    DIGITAL_LINK = "digital_link"
    ELEMENT_STRING = "element_string"
    HRI = "hri"
    EPC_URI = "epc_uri"
    GTIN = "gtin"


@dataclass(frozen=True, slots=True)
class Scan:
    """The AIs found in one scanned code, in the order they were found, all validated."""

    form: ScanForm
    elements: tuple[ElementString, ...]
    #: The symbology identifier that preceded barcode data (``]d2``), where there was one.
    symbology: str | None = None
    #: For an EPC URI: the length of the GS1 company prefix, which the URI marks with a dot.
    company_prefix_length: int | None = None

    @property
    def ais(self) -> dict[str, str]:
        return dict(self.elements)

    def value(self, ai: str) -> str | None:
        for element in self.elements:
            if element.ai == ai:
                return element.value
        return None

    @property
    def gtin(self) -> Gtin | None:
        value = self.value("01")
        return Gtin(value) if value is not None else None

    @property
    def serial(self) -> str | None:
        return self.value("21")

    @property
    def lot(self) -> str | None:
        return self.value("10")

    @property
    def expiry(self) -> Expiry | None:
        value = self.value("17")
        return Expiry(value) if value is not None else None

    @property
    def sscc(self) -> Sscc | None:
        value = self.value("00")
        return Sscc(value) if value is not None else None

    @property
    def gln(self) -> Gln | None:
        value = self.value("414")
        return Gln(value) if value is not None else None

    def identity(self) -> UnitIdentity:
        """The unit this code names; :class:`InvalidCode` where it names no serialised unit."""
        return UnitIdentity.from_elements(self.elements)

    def hri(self) -> str:
        return format_hri(self.elements)

    def element_string(self) -> str:
        return encode_element_string(self.elements)


#: Symbology identifiers (ISO/IEC 15424) whose data are GS1 element strings.
GS1_SYMBOLOGY_IDENTIFIERS = frozenset({"]d2", "]Q3", "]C1", "]e0", "]J1"})
#: Symbology identifiers of EAN/UPC symbols, whose data are a bare GTIN.
RETAIL_SYMBOLOGY_IDENTIFIERS = frozenset({"]E0", "]E4"})


def parse(text: str) -> Scan:
    """Recognise the form of ``text`` and return the AIs it carries, fully validated.

    Raises :class:`InvalidCode` (a subclass naming the rule) for anything else.
    """
    code = text.strip("\r\n\t ")
    if not code:
        raise UnrecognisedCode("code: empty")
    symbology = None
    if code[0] == "]":
        symbology, code = code[:3], code[3:]
        if symbology in RETAIL_SYMBOLOGY_IDENTIFIERS:
            return _bare_gtin(code, symbology)
        if symbology in GS1_SYMBOLOGY_IDENTIFIERS:
            return Scan(ScanForm.ELEMENT_STRING, parse_element_string(code), symbology)
        # any other symbology carries plain text, such as a Digital Link URI in a QR Code
    first = code[:1]
    if code[:4].lower() == "http":
        return Scan(ScanForm.DIGITAL_LINK, parse_digital_link(code).elements, symbology)
    if first == "(":
        return Scan(ScanForm.HRI, parse_hri(code), symbology)
    if code[:4].lower() == "urn:":
        elements, prefix_length = parse_epc_uri(code)
        return Scan(ScanForm.EPC_URI, elements, symbology, prefix_length)
    if code.isdigit() and len(code) in (8, 12, 13):
        return _bare_gtin(code, symbology)
    if first.isdigit() or first == "\x1d":
        return Scan(ScanForm.ELEMENT_STRING, parse_element_string(code), symbology)
    raise UnrecognisedCode(
        f"code: not a GS1 Digital Link URI, element string, (01)… string or EPC URI: {code[:40]!r}"
    )


def _bare_gtin(code: str, symbology: str | None) -> Scan:
    try:
        gtin = Gtin.parse(code)
    except InvalidCode as error:
        raise type(error)(f"{error} (retail barcode)") from None
    return Scan(ScanForm.GTIN, (ElementString("01", gtin.value),), symbology)
