"""The text a label sheet carries, whatever its characters: the labels' data (GS1 character
set 82, whose parentheses are PDF's string delimiters) and the document properties (product
and brand names as they were registered: any Unicode, line breaks, NUL, any length) read
back as written, and the file passes ``qpdf --check`` where qpdf is installed."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from unitrace.gs1 import Expiry, UnitIdentity
from unitrace.symbols import SheetMetadata, Symbology, write_label_sheet

from .samples import GTIN

#: Serials and lots of character set 82 that a PDF string or a text extractor could garble.
AWKWARD_UNITS = [
    UnitIdentity(GTIN, "A(1)B", lot="L%&(1)", expiry=Expiry("270630")),
    UnitIdentity(GTIN, "X)Y(", lot="L%&(1)", expiry=Expiry("270630")),
    UnitIdentity(GTIN, "%&'\"*+,:;<=>?_!", lot="))", expiry=Expiry("270600")),
]

NAMES = {
    "parentheses and backslashes": "Brand (A) ) ( \\ x\\",
    "line breaks": "Brand\r\nLine\rTwo\nThree",
    "beyond latin-1": "株式会社 Ωmega €uro 🙂",
    "nul": "a\x00b",
    "a backslash at the end": "endswith\\",
    "percent and hash": "100% #1 /Name <x> [y] {z}",
}


def sheet(units: list[UnitIdentity], metadata: SheetMetadata, symbology: Symbology) -> bytes:
    out = io.BytesIO()
    write_label_sheet(units, out, symbology=symbology, metadata=metadata)
    return out.getvalue()


def qpdf_check(pdf: bytes, tmp_path: Path) -> None:
    if shutil.which("qpdf") is None:
        return
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_names_in_the_document_properties_read_back(name: str, tmp_path: Path) -> None:
    metadata = SheetMetadata(title=f"Labels — {name}", author=name, subject=name)
    pdf = sheet(AWKWARD_UNITS[:1], metadata, Symbology.DATAMATRIX)
    properties = PdfReader(io.BytesIO(pdf)).metadata
    assert properties is not None
    assert (properties.title, properties.author, properties.subject) == (
        f"Labels — {name}",
        name,
        name,
    )
    qpdf_check(pdf, tmp_path)


def test_a_very_long_name_is_cut_to_what_every_reader_takes(tmp_path: Path) -> None:
    name = "Vitamin (C) \\ " * 10_000
    pdf = sheet(AWKWARD_UNITS[:1], SheetMetadata(title=name, author=name), Symbology.DATAMATRIX)
    properties = PdfReader(io.BytesIO(pdf)).metadata
    assert properties is not None
    for value in (properties.title, properties.author):
        assert value is not None
        # PDF's implementation limit on a string is 32,767 bytes
        assert len(value.encode("utf-16-be")) + 2 <= 32_767
        assert value.endswith("…")
        assert name.startswith(value[:-1])
    qpdf_check(pdf, tmp_path)


@pytest.mark.parametrize("symbology", [Symbology.DATAMATRIX, Symbology.GS1_128])
def test_label_text_with_pdf_delimiters_reads_back(symbology: Symbology, tmp_path: Path) -> None:
    pdf = sheet(AWKWARD_UNITS, SheetMetadata(), symbology)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for unit in AWKWARD_UNITS:
        assert f"SN {unit.serial}" in text
        assert f"LOT {unit.lot}" in text
    qpdf_check(pdf, tmp_path)
    if shutil.which("pdftotext") is not None:
        path = tmp_path / "sheet.pdf"
        extracted = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert all(unit.serial in extracted for unit in AWKWARD_UNITS)
