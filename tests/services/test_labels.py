"""Print files for a serial request: the PDF label sheet and the ZIP of SVG symbols, their
progress reports, and refusals that leave no file behind."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from unitrace import __version__
from unitrace.gs1 import Expiry, Gtin, UnitIdentity
from unitrace.registry.errors import InvalidRequest, NotFound, Refused
from unitrace.registry.model import Actor, Role, SerialFormat
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.labels import write_request_labels, write_request_symbols
from unitrace.services.serialization import SerialDraw, issue_serials
from unitrace.store.unit_of_work import Database
from unitrace.symbols import SheetLayout, SheetSummary, Symbology, read, render_svg

GTIN = Gtin("09506000134352")
LONG_LOT = "ABCDEFGHIJKLMNOPQRST"
ADMIN = Actor("ada", Role.ADMIN)
TODAY = dt.date(2026, 3, 2)
EXPIRY = Expiry("270630")
RESOLVER = "https://id.example.com"
# a file name cannot hold "/", and "%" is the escape: both are percent-encoded
SERIALS = [f"{'AB/%'[number % 4]}{number:04d}B/%AB" for number in range(12)]


def fixed(serials: Sequence[str]) -> SerialDraw:
    """A draw that hands out ``serials`` in order."""
    remaining = list(serials)

    def draw(serial_format: SerialFormat, count: int) -> Sequence[str]:
        drawn, remaining[:] = remaining[:count], remaining[count:]
        return drawn

    return draw


@pytest.fixture
def requests(database: Database) -> tuple[Database, int, int]:
    """A request for 12 units of lot L1, and one for 2 units of a lot whose name is too long
    for GS1-128; their ids."""
    with database.unit_of_work() as uow:
        register_product(
            uow,
            gtin=GTIN.value,
            name="Vitamin C",
            actor=ADMIN,
            serial_length=10,
            serial_alphabet="AB/%",
        )
        for lot in ("L1", LONG_LOT):
            register_lot(
                uow, gtin=GTIN.value, lot=lot, expiry=EXPIRY.date, actor=ADMIN, today=TODAY
            )
        twelve = issue_serials(
            uow, gtin=GTIN.value, lot="L1", count=12, actor=ADMIN, draw=fixed(SERIALS), today=TODAY
        )
        two = issue_serials(uow, gtin=GTIN.value, lot=LONG_LOT, count=2, actor=ADMIN, today=TODAY)
        uow.commit()
    return database, twelve.id, two.id


def unit(serial: str, lot: str = "L1") -> UnitIdentity:
    return UnitIdentity(GTIN, serial, lot=lot, expiry=EXPIRY)


def test_a_label_sheet_has_a_label_per_unit_in_seq_order(
    requests: tuple[Database, int, int],
) -> None:
    database, twelve, _ = requests
    out = io.BytesIO()
    done: list[int] = []
    with database.unit_of_work(read_only=True) as uow:
        summary = write_request_labels(
            uow, twelve, out, resolver_base=RESOLVER, progress=done.append
        )
    assert summary == SheetSummary(labels=12, pages=1)
    assert done == list(range(1, 13))
    text = PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
    printed = re.findall(r"SN (\S+)", text)
    assert printed == SERIALS


def test_a_symbol_archive_has_an_svg_per_unit_named_by_seq_and_serial(
    requests: tuple[Database, int, int], tmp_path: Path
) -> None:
    database, twelve, _ = requests
    path = tmp_path / "symbols.zip"
    done: list[int] = []
    with database.unit_of_work(read_only=True) as uow:
        written = write_request_symbols(
            uow,
            twelve,
            path,
            symbology=Symbology.GS1_QR,
            resolver_base=RESOLVER,
            progress=done.append,
        )
    assert written == 12
    assert done == list(range(1, 13))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names == [
            f"{seq:02d}-{serial.replace('%', '%25').replace('/', '%2F')}.svg"
            for seq, serial in enumerate(SERIALS, start=1)
        ]
        assert names[:2] == ["01-A0000B%2F%25AB.svg", "02-B0001B%2F%25AB.svg"]
        assert [archive.read(name).decode() for name in names] == [
            render_svg(unit(serial), Symbology.GS1_QR, resolver_base=RESOLVER) for serial in SERIALS
        ]
        assert [scan.identity() for name in names[:3] for scan in read(archive.read(name))] == [
            unit(serial) for serial in SERIALS[:3]
        ]
    assert [file.name for file in tmp_path.iterdir()] == ["symbols.zip"]


def test_a_label_sheet_is_written_to_a_path(
    requests: tuple[Database, int, int], tmp_path: Path
) -> None:
    database, twelve, _ = requests
    path = tmp_path / "labels.pdf"
    with database.unit_of_work(read_only=True) as uow:
        write_request_labels(uow, twelve, path)
    assert path.read_bytes().startswith(b"%PDF")
    assert [file.name for file in tmp_path.iterdir()] == ["labels.pdf"]


@pytest.mark.parametrize(
    ("which", "write", "options", "refusal", "message"),
    [
        ("unknown", "labels", {}, NotFound, "request: serial request 99 does not exist"),
        ("unknown", "symbols", {}, NotFound, "request: serial request 99 does not exist"),
        (
            "long lot",
            "labels",
            {"symbology": Symbology.GS1_128},
            InvalidRequest,
            "symbology: gs1-128: 59 data characters, at most 48 fit; use datamatrix or gs1-qr, or "
            "fewer or shorter AIs",
        ),
        (
            "long lot",
            "symbols",
            {"symbology": Symbology.GS1_128},
            InvalidRequest,
            "symbology: gs1-128: 59 data characters, at most 48 fit; use datamatrix or gs1-qr, or "
            "fewer or shorter AIs",
        ),
        (
            "twelve",
            "labels",
            {"layout": SheetLayout(module_size_mm=2.0)},
            InvalidRequest,
            "layout: label sheet: the datamatrix symbol of "
            "(01)09506000134352(17)270630(10)L1(21)A0000B/%AB needs 48.0 mm with its quiet zone, "
            "the label has 26.0 mm",
        ),
    ],
)
def test_refusals_leave_no_file(
    requests: tuple[Database, int, int],
    tmp_path: Path,
    which: str,
    write: str,
    options: dict[str, object],
    refusal: type[Refused],
    message: str,
) -> None:
    database, twelve, long_lot = requests
    request_id = {"unknown": 99, "twelve": twelve, "long lot": long_lot}[which]
    path = tmp_path / f"out.{write}"
    writer = {"labels": write_request_labels, "symbols": write_request_symbols}[write]
    with (
        database.unit_of_work(read_only=True) as uow,
        pytest.raises(refusal, match=f"^{re.escape(message)}$"),
    ):
        writer(uow, request_id, path, **options)  # type: ignore[operator]
    assert list(tmp_path.iterdir()) == []


def _properties(pdf: bytes) -> tuple[str | None, ...]:
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    return (info.title, info.author, info.subject, info.creator)


def test_a_label_sheet_names_its_product_lot_request_and_brand(
    requests: tuple[Database, int, int],
) -> None:
    database, twelve, _ = requests
    out = io.BytesIO()
    with database.unit_of_work(read_only=True) as uow:
        write_request_labels(uow, twelve, out)
    assert _properties(out.getvalue()) == (
        f"Labels — Vitamin C, lot L1, serial request {twelve}",
        "unitrace",  # no brand registered
        "12 labels: GTIN 09506000134352, lot L1",
        f"unitrace {__version__}",
    )
    with database.unit_of_work() as uow:
        register_party(uow, id="dist-a", name="Distributor A", role="distributor", actor=ADMIN)
        register_party(uow, id="acme", name="Acme Health", role="brand", actor=ADMIN)
        uow.commit()
    out = io.BytesIO()
    with database.unit_of_work(read_only=True) as uow:
        write_request_labels(uow, twelve, out)
    assert _properties(out.getvalue())[1] == "Acme Health"


PUNCTUATION = "!\"%&'()*+,-./:;<=>?_"  # GS1 character set 82's, "(" and ")" PDF's delimiters


def test_serials_of_every_cset_82_mark_name_their_symbols_and_print_as_they_are(
    database: Database,
) -> None:
    gtin = "09506000134369"
    serials = [PUNCTUATION[start:] + PUNCTUATION[:start] for start in range(len(PUNCTUATION))]
    with database.unit_of_work() as uow:
        register_product(
            uow,
            gtin=gtin,
            name="Punctuation (all) \\",
            actor=ADMIN,
            serial_length=len(PUNCTUATION),
            serial_alphabet=PUNCTUATION,
        )
        register_lot(uow, gtin=gtin, lot="L%&(1)", expiry=EXPIRY.date, actor=ADMIN, today=TODAY)
        request = issue_serials(
            uow, gtin=gtin, lot="L%&(1)", count=len(serials), actor=ADMIN,
            draw=fixed(serials), today=TODAY,
        )  # fmt: skip
        uow.commit()
    archive, sheet = io.BytesIO(), io.BytesIO()
    with database.unit_of_work(read_only=True) as uow:
        write_request_symbols(uow, request.id, archive, resolver_base=RESOLVER)
        write_request_labels(uow, request.id, sheet, resolver_base=RESOLVER)
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
    # a name of letters, digits and percent escapes only: safe in every file system and tool
    assert all(re.fullmatch(r"\d+-[A-Za-z0-9._~%-]+\.svg", name) for name in names)
    assert [unquote(name.partition("-")[2].removesuffix(".svg")) for name in names] == serials
    text = PdfReader(io.BytesIO(sheet.getvalue())).pages[0].extract_text()
    assert [line.removeprefix("SN ") for line in text.splitlines() if line.startswith("SN ")] == (
        serials
    )
    assert text.count("LOT L%&(1)") == len(serials)
