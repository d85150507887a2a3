from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from unitrace import __version__
from unitrace.gs1 import Expiry, Gtin, UnitIdentity
from unitrace.symbols import (
    A4,
    LETTER,
    CapacityExceeded,
    InvalidSheetLayout,
    PageSize,
    SheetLayout,
    SheetMetadata,
    SheetSummary,
    Symbology,
    label_text,
    read,
    write_label_sheet,
)

from .raster import pdf_page_to_png
from .samples import GTIN, LONGEST, UNITS

POINTS_PER_MM = 72 / 25.4


def batch(count: int) -> list[UnitIdentity]:
    """A lot's worth of units, each serial different so that each label can be told apart."""
    return [
        UnitIdentity(GTIN, f"S{number:07d}", lot="LOT42", expiry=Expiry("271130"))
        for number in range(1, count + 1)
    ]


def sheet(
    units: list[UnitIdentity], layout: SheetLayout | None = None, **options: object
) -> PdfReader:
    out = io.BytesIO()
    write_label_sheet(units, out, layout, **options)  # type: ignore[arg-type]
    return PdfReader(io.BytesIO(out.getvalue()))


@pytest.mark.parametrize(
    ("text", "page"),
    [
        ("a4", A4),
        (" A4 ", A4),
        ("letter", LETTER),
        ("LETTER", PageSize(215.9, 279.4)),
        ("100x150", PageSize(100, 150)),
        ("100 x 150 mm", PageSize(100, 150)),
        ("101.6x152.4", PageSize(101.6, 152.4)),
    ],
)
def test_page_sizes_by_name_or_in_millimetres(text: str, page: PageSize) -> None:
    assert PageSize.parse(text) == page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a5", "page size: 'a5' is neither a4, letter nor WIDTHxHEIGHT in mm (100x150)"),
        ("100", "page size: '100' is neither a4, letter nor WIDTHxHEIGHT in mm (100x150)"),
        ("100x-5", "page size: '100x-5' is neither a4, letter nor WIDTHxHEIGHT in mm (100x150)"),
        ("0x100", "page size: 0.0 x 100.0 mm is not a page"),
    ],
)
def test_a_page_size_that_is_not_one_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidSheetLayout) as raised:
        PageSize.parse(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("layout", "grid"),
    [
        (SheetLayout(), (3, 8, 24)),
        (SheetLayout(page=LETTER), (3, 8, 24)),
        # Avery 3474 and its kin: 70 x 37 mm, edge to edge
        (
            SheetLayout(
                label_width_mm=70,
                label_height_mm=37,
                margin_top_mm=0,
                margin_right_mm=0,
                margin_bottom_mm=0,
                margin_left_mm=0,
                column_gap_mm=0,
                row_gap_mm=0,
            ),
            (3, 8, 24),
        ),
        # labels that fill the page exactly, to the hundredth of a millimetre
        (
            SheetLayout(
                page=PageSize(100.2, 150.3),
                label_width_mm=33.4,
                label_height_mm=50.1,
                margin_top_mm=0,
                margin_right_mm=0,
                margin_bottom_mm=0,
                margin_left_mm=0,
                column_gap_mm=0,
                row_gap_mm=0,
            ),
            (3, 3, 9),
        ),
        # one gap fewer than labels: 2 x 48 + 4 = 100 fits, the third label does not
        (
            SheetLayout(
                page=PageSize(100, 100),
                label_width_mm=48,
                label_height_mm=30,
                margin_top_mm=5,
                margin_right_mm=0,
                margin_bottom_mm=5,
                margin_left_mm=0,
                column_gap_mm=4,
                row_gap_mm=5,
            ),
            (2, 2, 4),
        ),
        (SheetLayout(page=PageSize(80, 40), label_width_mm=60, label_height_mm=20), (1, 1, 1)),
    ],
)
def test_labels_per_page_from_the_layout(layout: SheetLayout, grid: tuple[int, int, int]) -> None:
    assert (layout.columns, layout.rows, layout.labels_per_page) == grid


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"label_width_mm": 250},
            "label sheet: a 250 x 30.0 mm label does not fit on a 210.0 x 297.0 mm page "
            "within its margins",
        ),
        (
            {"page": PageSize(80, 40), "label_height_mm": 25},
            "label sheet: a 60.0 x 25 mm label does not fit on a 80 x 40 mm page within its "
            "margins",
        ),
        ({"label_height_mm": 0}, "label sheet: a 60.0 x 0 mm label has no area"),
        ({"margin_left_mm": -1}, "label sheet: a margin may not be negative"),
        ({"row_gap_mm": -0.5}, "label sheet: a gap may not be negative"),
        (
            {"padding_mm": 15},
            "label sheet: a padding of 15 mm leaves nothing of a 60.0 x 30.0 mm label",
        ),
        ({"module_size_mm": 0}, "label sheet: the module size must be greater than 0"),
    ],
)
def test_a_layout_that_cannot_be_printed_is_refused(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidSheetLayout) as raised:
        SheetLayout(**options)  # type: ignore[arg-type]
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("unit", "lines"),
    [
        (
            UNITS["pharma pack"],
            ("GTIN 09506000134352", "LOT ABC123", "EXP 2026-12-31", "SN X7KQ2M9P4R3T"),
        ),
        (UNITS["expiry day 00"], ("GTIN 09506000134352", "LOT L-7", "EXP 2027-06", "SN Q9")),
        (UNITS["gtin and serial only"], ("GTIN 09506000134352", "SN 1")),
        (UNITS["gtin-8 padded"], ("GTIN 00000095050003", "SN 00042")),
    ],
)
def test_label_text_gives_each_field_its_data_title(
    unit: UnitIdentity, lines: tuple[str, ...]
) -> None:
    assert label_text(unit) == lines


# 2 x 2 labels of 60 x 30 mm, with 10 mm margins and 2.5 mm gaps
SMALL_PAGE = SheetLayout(page=PageSize(145, 85))


@pytest.mark.parametrize(
    ("labels", "layout", "pages"),
    [
        (1, SheetLayout(), 1),
        (24, SheetLayout(), 1),
        (25, SheetLayout(), 2),
        (1000, SheetLayout(), 42),
        (4, SMALL_PAGE, 1),
        (5, SMALL_PAGE, 2),
        (9, SMALL_PAGE, 3),
        # one column of four 100 x 50 mm labels
        (30, SheetLayout(page=LETTER, label_width_mm=100, label_height_mm=50), 8),
    ],
)
def test_page_count_for_labels_and_layout(labels: int, layout: SheetLayout, pages: int) -> None:
    out = io.BytesIO()
    summary = write_label_sheet(batch(labels), out, layout)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert (summary, len(reader.pages), layout.pages_for(labels)) == (
        SheetSummary(labels, pages),
        pages,
        pages,
    )


def test_the_first_and_last_labels_carry_their_text() -> None:
    reader = sheet(batch(50))
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert (first.splitlines()[:4], last.splitlines()[-4:]) == (
        ["GTIN 09506000134352", "LOT LOT42", "EXP 2027-11-30", "SN S0000001"],
        ["GTIN 09506000134352", "LOT LOT42", "EXP 2027-11-30", "SN S0000050"],
    )


def test_each_page_carries_the_text_of_its_labels_in_order() -> None:
    units = batch(30)
    reader = sheet(units, SMALL_PAGE)
    pages = [page.extract_text().splitlines() for page in reader.pages]
    expected = [
        [line for unit in units[start : start + 4] for line in label_text(unit)]
        for start in range(0, 30, 4)
    ]
    assert pages == expected


def test_a_linear_label_carries_the_hri_under_its_bars() -> None:
    reader = sheet(batch(2), symbology=Symbology.GS1_128)
    assert reader.pages[0].extract_text().splitlines() == [
        "(01)09506000134352(17)271130(10)LOT42(21)S0000001",
        "GTIN 09506000134352  LOT LOT42  EXP 2027-11-30  SN S0000001",
        "(01)09506000134352(17)271130(10)LOT42(21)S0000002",
        "GTIN 09506000134352  LOT LOT42  EXP 2027-11-30  SN S0000002",
    ]


# GS1-128 bars of a 60 mm label are about 0.3 mm wide: finer rasters for them
@pytest.mark.parametrize(
    ("symbology", "pixels_per_point"),
    [
        (Symbology.DATAMATRIX, 3),
        (Symbology.GS1_QR, 3),
        (Symbology.DL_QR, 3),
        (Symbology.GS1_128, 6),
    ],
)
def test_the_symbols_on_every_page_read_back_as_its_units(
    symbology: Symbology, pixels_per_point: int
) -> None:
    units = batch(6)
    reader = sheet(units, SMALL_PAGE, symbology=symbology)
    on_pages = [
        {scan.identity() for scan in read(pdf_page_to_png(page, pixels_per_point))}
        for page in reader.pages
    ]
    assert on_pages == [set(units[:4]), set(units[4:])]


def _symbol_placements(reader: PdfReader) -> Iterator[list[float]]:
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            # reportlab starts each page with an identity matrix of its own
            if operator == b"cm" and [float(o) for o in operands] != [1, 0, 0, 1, 0, 0]:
                yield [float(operand) for operand in operands]


def test_a_fixed_module_size_is_the_size_of_every_module() -> None:
    layout = SheetLayout(module_size_mm=0.5)
    module = 0.5 * POINTS_PER_MM
    placements = list(_symbol_placements(sheet(batch(30), layout)))
    assert [(round(a, 3), b, c, round(d, 3)) for a, b, c, d, _, _ in placements] == [
        (round(module, 3), 0, 0, round(-module, 3))
    ] * 30


def test_a_symbol_bigger_than_its_label_is_refused_and_nothing_written(tmp_path: Path) -> None:
    out = tmp_path / "labels.pdf"
    layout = SheetLayout(module_size_mm=2)
    with pytest.raises(InvalidSheetLayout) as raised:
        write_label_sheet(batch(3), out, layout)
    assert (str(raised.value), out.exists()) == (
        "label sheet: the datamatrix symbol of (01)09506000134352(17)271130(10)LOT42"
        "(21)S0000001 needs 48.0 mm with its quiet zone, the label has 26.0 mm",
        False,
    )


def test_a_unit_too_long_for_gs1_128_is_refused_and_nothing_written(tmp_path: Path) -> None:
    out = tmp_path / "labels.pdf"
    with pytest.raises(CapacityExceeded) as raised:
        write_label_sheet([*batch(3), LONGEST], out, symbology=Symbology.GS1_128)
    assert (str(raised.value), out.exists()) == (
        "gs1-128: 69 data characters, at most 48 fit; "
        "use datamatrix or gs1-qr, or fewer or shorter AIs",
        False,
    )


def test_no_units_is_refused_and_nothing_written(tmp_path: Path) -> None:
    out = tmp_path / "labels.pdf"
    with pytest.raises(ValueError, match=r"^label sheet: no units given, nothing to print$"):
        write_label_sheet(iter([]), out)
    assert not out.exists()


def test_a_sheet_is_written_to_a_path_from_a_stream_of_units(tmp_path: Path) -> None:
    out = tmp_path / "labels.pdf"
    summary = write_label_sheet((unit for unit in batch(25)), out, symbology=Symbology.DL_QR)
    reader = PdfReader(out)
    assert (summary, len(reader.pages), reader.metadata.title if reader.metadata else None) == (
        SheetSummary(25, 2),
        2,
        "unitrace labels (dl-qr)",
    )


def test_progress_is_reported_label_by_label() -> None:
    reported: list[int] = []
    write_label_sheet(batch(30), io.BytesIO(), progress=reported.append)
    assert reported == list(range(1, 31))


def test_outlines_are_drawn_only_when_asked_for() -> None:
    def outlines(reader: PdfReader) -> list[int]:
        counts = []
        for page in reader.pages:
            operators = [op for _, op in ContentStream(page.get_contents(), reader).operations]
            counts.append(sum(1 for a, b in pairwise(operators) if (a, b) == (b"re", b"S")))
        return counts

    units = batch(30)
    assert (outlines(sheet(units, SheetLayout(outlines=True))), outlines(sheet(units))) == (
        [24, 6],
        [0, 0],
    )


def _properties(reader: PdfReader) -> tuple[str | None, ...]:
    info = reader.metadata
    assert info is not None
    return (info.title, info.author, info.subject, info.creator)


def test_a_sheet_says_what_it_holds_in_its_document_properties() -> None:
    metadata = SheetMetadata(title="Labels — Vitamin C", author="Acme Health", subject="mine")
    assert _properties(sheet(batch(3), metadata=metadata)) == (
        "Labels — Vitamin C",
        "Acme Health",
        "mine",
        f"unitrace {__version__}",
    )


def test_a_sheet_without_metadata_is_unitrace_s_and_counts_its_labels_gtins_and_lots() -> None:
    other = UnitIdentity(Gtin("09506000134369"), "Z1")
    assert _properties(sheet(batch(2))) == (
        "unitrace labels (datamatrix)",
        "unitrace",
        "2 labels: GTIN 09506000134352, lot LOT42",
        f"unitrace {__version__}",
    )
    assert _properties(sheet([*batch(1), other], symbology=Symbology.GS1_128))[::2] == (
        "unitrace labels (gs1-128)",
        "2 labels: 2 GTINs, 2 lots",
    )


def test_a_sheet_of_hundreds_of_labels_reads_back_on_sampled_pages() -> None:
    units = batch(300)  # 13 pages of 24, the last of 12
    out = io.BytesIO()
    summary = write_label_sheet(units, out, metadata=SheetMetadata(title="Labels — Ω 300"))
    reader = PdfReader(io.BytesIO(out.getvalue()), strict=True)
    assert (summary, len(reader.pages), _properties(reader)[:2]) == (
        SheetSummary(300, 13),
        13,
        ("Labels — Ω 300", "unitrace"),
    )
    for number in (0, 6, 12):
        scanned = [scan.identity() for scan in read(pdf_page_to_png(reader.pages[number], 3))]
        assert (
            sorted(scanned, key=lambda unit: unit.serial) == units[24 * number : 24 * number + 24]
        )


class _Recorder(io.BytesIO):
    """An output that counts the pages written to it so far."""

    def pages(self) -> int:
        return self.getvalue().count(b"/Type /Page ")


def test_pages_are_written_as_they_are_laid_out() -> None:
    out = _Recorder()
    written_when_drawing: list[int] = []

    def units() -> Iterator[UnitIdentity]:
        for number, unit in enumerate(batch(100)):
            if number % 24 == 1:  # the second label of each page is asked for
                written_when_drawing.append(out.pages())
            yield unit

    write_label_sheet(units(), out)
    assert (written_when_drawing, out.pages()) == ([0, 1, 2, 3, 4], 5)


def test_a_failure_after_pages_were_written_leaves_no_file_nor_the_one_before(
    tmp_path: Path,
) -> None:
    out = tmp_path / "labels.pdf"
    out.write_bytes(b"%PDF the sheet printed yesterday")
    with pytest.raises(CapacityExceeded):
        write_label_sheet([*batch(60), LONGEST], out, symbology=Symbology.GS1_128)
    assert [(file.name, file.read_bytes()) for file in tmp_path.iterdir()] == [
        ("labels.pdf", b"%PDF the sheet printed yesterday")
    ]
