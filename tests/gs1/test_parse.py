"""``parse``: every form a scanner or phone produces, with the whole result compared."""

from __future__ import annotations

import pytest

from unitrace.gs1 import (
    Expiry,
    Gtin,
    InvalidCharacter,
    InvalidCheckDigit,
    InvalidCode,
    InvalidCombination,
    InvalidDate,
    InvalidDigitalLink,
    InvalidElementString,
    InvalidLength,
    ScanForm,
    UnitIdentity,
    UnrecognisedCode,
    parse,
)

GS = "\x1d"

VALID = [
    # Digital Link on any domain, with and without a path stem
    ("https://example.com/01/09506000134352/10/ABC/21/X1?17=261231", ScanForm.DIGITAL_LINK, None, "(01)09506000134352(10)ABC(21)X1(17)261231"),
    ("https://brand.example/products/01/09506000134352/21/X1", ScanForm.DIGITAL_LINK, None, "(01)09506000134352(21)X1"),
    ("https://id.gs1.org/gtin/09506000134352/lot/ABC/ser/X1?exp=261231", ScanForm.DIGITAL_LINK, None, "(01)09506000134352(10)ABC(21)X1(17)261231"),
    ("https://example.com/01/09506000134352/21/A%2FB", ScanForm.DIGITAL_LINK, None, "(01)09506000134352(21)A/B"),
    ("https://example.com/00/106141412345678908?02=00614141123452&37=25", ScanForm.DIGITAL_LINK, None, "(00)106141412345678908(02)00614141123452(37)25"),
    # a Digital Link read from a plain QR Code keeps its symbology identifier
    ("]Q1https://example.com/01/09506000134352/21/X1", ScanForm.DIGITAL_LINK, "]Q1", "(01)09506000134352(21)X1"),
    # element strings, with and without symbology identifiers and leading FNC1
    ("]d201095060001343521726123110ABC" + GS + "21X1", ScanForm.ELEMENT_STRING, "]d2", "(01)09506000134352(17)261231(10)ABC(21)X1"),
    ("]Q3010950600013435221X1", ScanForm.ELEMENT_STRING, "]Q3", "(01)09506000134352(21)X1"),
    ("]C100106141412345678908", ScanForm.ELEMENT_STRING, "]C1", "(00)106141412345678908"),
    ("01095060001343521726123110ABC" + GS + "21X1", ScanForm.ELEMENT_STRING, None, "(01)09506000134352(17)261231(10)ABC(21)X1"),
    (GS + "0109506000134352" + GS + "21X1", ScanForm.ELEMENT_STRING, None, "(01)09506000134352(21)X1"),
    ("010950600013435210ABC" + GS + "17261231" + GS + "21X1", ScanForm.ELEMENT_STRING, None, "(01)09506000134352(10)ABC(17)261231(21)X1"),
    ("0109506000134352310300019521X1", ScanForm.ELEMENT_STRING, None, "(01)09506000134352(3103)000195(21)X1"),
    # human-readable text as printed, spaces and all
    ("(01)09506000134352(17)261231(10)ABC(21)X1", ScanForm.HRI, None, "(01)09506000134352(17)261231(10)ABC(21)X1"),
    ("(01) 09506000134352 (21) X1", ScanForm.HRI, None, "(01)09506000134352(21)X1"),
    ("(01)09506000134352(21)A\\(1)", ScanForm.HRI, None, "(01)09506000134352(21)A\\(1)"),
    # EPC pure identity URIs
    ("urn:epc:id:sgtin:0614141.812345.6789", ScanForm.EPC_URI, None, "(01)80614141123458(21)6789"),
    ("urn:epc:id:sscc:0614141.1234567890", ScanForm.EPC_URI, None, "(00)106141412345678908"),
    # retail barcodes: a bare GTIN
    ("9506000134352", ScanForm.GTIN, None, "(01)09506000134352"),
    ("]E09506000134352", ScanForm.GTIN, "]E0", "(01)09506000134352"),
    ("614141123452", ScanForm.GTIN, None, "(01)00614141123452"),
    ("96385074", ScanForm.GTIN, None, "(01)00000096385074"),
    ("  https://example.com/01/09506000134352/21/X1\r\n", ScanForm.DIGITAL_LINK, None, "(01)09506000134352(21)X1"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "form", "symbology", "hri"), VALID)
def test_every_input_form_gives_its_ais(
    text: str, form: ScanForm, symbology: str | None, hri: str
) -> None:
    scan = parse(text)
    assert (scan.form, scan.symbology, scan.hri()) == (form, symbology, hri)


def test_typed_accessors_give_the_unit() -> None:
    scan = parse("https://example.com/01/09506000134352/10/ABC/21/X1?17=261200")
    assert (scan.gtin, scan.serial, scan.lot, scan.expiry, scan.sscc, scan.gln) == (
        Gtin("09506000134352"),
        "X1",
        "ABC",
        Expiry("261200"),
        None,
        None,
    )
    assert scan.identity() == UnitIdentity(
        Gtin("09506000134352"), "X1", lot="ABC", expiry=Expiry("261200")
    )
    assert scan.ais == {"01": "09506000134352", "10": "ABC", "21": "X1", "17": "261200"}


INVALID = [
    ("", UnrecognisedCode, "code: empty"),
    ("hello world", UnrecognisedCode, "not a GS1 Digital Link URI"),
    ("https://example.com/01/09506000134353/21/X1", InvalidCheckDigit, "AI (01): check digit 2 expected, got 3"),
    ("https://example.com/01/09506000134352/21/X1?17=261331", InvalidDate, "AI (17): month 13"),
    ("https://example.com/01/09506000134352/21/X1/10/ABC", InvalidDigitalLink, "Digital Link: qualifier (21) must come after (10)"),
    ("https://example.com/01/09506000134352/21/" + "X" * 21, InvalidLength, "AI (21): 21 characters given, at most 20"),
    ("(01)09506000134352(17)260230", InvalidDate, "AI (17): day 30 does not exist in month 02"),
    ("(01)09506000134352(21)", InvalidLength, "AI (21): empty value"),
    ("(21)X1", InvalidCombination, "AI (21) requires (01), (03) or (8006)"),
    ("(01)09506000134352(01)09506000134352", InvalidCombination, "AI (01) appears more than once"),
    ("(01)09506000134352(255)0614141123452", InvalidCombination, "may not be combined"),
    ("(01)09506000134352(21)A B", InvalidCharacter, "AI (21): ' ' at position 2 is not in GS1 character set 82"),
    ("(01)09506000134352(21)Aé", InvalidCharacter, "AI (21): 'é' at position 2"),
    ("(1)09506000134352", InvalidCode, "HRI:"),
    ("(01)09506000134352x(21)X1", InvalidLength, "AI (01)"),
    ("]d20109506000134352211" + GS + "89X", InvalidElementString, "no GS1 Application Identifier at position"),
    ("]d2010950600013435", InvalidLength, "AI (01): 13 characters given, exactly 14 expected"),
    ("]d2" + "0109506000134352" + "17261399", InvalidDate, "AI (17): month 13"),
    ("9506000134353", InvalidCheckDigit, "AI (01): check digit 2 expected, got 3 (retail barcode)"),
    ("]E095060001343", InvalidLength, "AI (01): a GTIN has 8, 12, 13 or 14 digits"),
    ("urn:epc:id:sgtin:0614141.812345", InvalidCode, "EPC"),
    ("urn:isbn:9780306406157", InvalidCode, "EPC"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "error", "message"), INVALID)
def test_bad_codes_are_refused_naming_the_part_and_the_rule(
    text: str, error: type[InvalidCode], message: str
) -> None:
    with pytest.raises(error) as raised:
        parse(text)
    assert message in str(raised.value)
