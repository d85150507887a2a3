"""The FSMA 204 spreadsheet as files: CSV (formula-safe, as the trace CSV) and XLSX (every
text a text cell, never a formula). The route and the command line write the same bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Final

from unitrace.api.trace_answers import inert_cell
from unitrace.services.exports.fsma204 import COLUMNS, Fsma204Row

MEDIA_TYPES: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHEET_TITLE: Final = "FSMA 204"


def csv_text(rows: Iterable[Fsma204Row]) -> str:
    """The CSV, header first; a value a spreadsheet would read as a formula is written
    inert (:func:`~unitrace.api.trace_answers.inert_cell`)."""
    out = io.StringIO()
    # RFC 4180's CRLF: a text holding a lone carriage return is then quoted, not a row's end
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [inert_cell(value) if isinstance(value, str) else value for value in row.values()]
        )
    return out.getvalue()


def xlsx_bytes(rows: Iterable[Fsma204Row]) -> bytes:
    """The workbook: one sheet, the header row frozen and filtered (sortable), quantities as
    numbers, every text a string cell (``=…`` stays text)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    sheet.append(list(COLUMNS))
    count = 0
    for row in rows:
        cells: list[object] = []
        for value in row.values():
            if isinstance(value, str):
                # a workbook holds no control character: a captured text's are left out
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if isinstance(value, str) and value.startswith("="):
                # openpyxl writes a text starting with "=" as a formula unless told it is text
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{_column_letter(len(COLUMNS))}{count + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_parts(rows: Iterable[Fsma204Row], format: str) -> Iterator[bytes]:
    """The file in ``format`` (csv or xlsx), as bytes."""
    if format == "xlsx":
        yield xlsx_bytes(rows)
    else:
        yield csv_text(rows).encode()


def _column_letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))
