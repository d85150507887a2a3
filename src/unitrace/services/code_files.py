"""Code files for the packaging line: a request's units as CSV or JSON rows ``seq, serial, hri,
element_string, digital_link``, written as they are read from the database.

A million units stream a fetch at a time, each fetch's rows built together: the units of a
request share their GTIN, lot and expiry, so each form is the lot's fixed text around the serial
(:class:`~unitrace.gs1.identity_template.IdentityTemplate`), and a row is the same text,
byte for byte, as :func:`~unitrace.services.serialization.code_file` makes of
:meth:`IssuedCode.row <unitrace.services.serialization.IssuedCode.row>`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass

from unitrace.gs1 import DEFAULT_RESOLVER_BASE, Expiry, Gtin
from unitrace.gs1.identity_template import FormTemplate, IdentityTemplate, serial_template
from unitrace.registry.errors import InvalidRequest
from unitrace.services.serialization import CODE_COLUMNS, get_request
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.symbols.whole_file import Destination, written_whole

#: The formats of a code file.
CODE_FILE_FORMATS = ("csv", "json")

Progress = Callable[[int], None]
#: One fetch of a request's units as rows of a code file, fields as :data:`CODE_COLUMNS`.
CodeRows = list[tuple[int, str, str, str, str]]

_CSV_ROW = "{},{},{},{},{}\n"
_CSV_COMMAS = _CSV_ROW.count(",")
_JSON_ROW = (
    '{{"seq": {}, "serial": "{}", "hri": "{}", "element_string": "{}", "digital_link": "{}"}}'
)


@dataclass(frozen=True, slots=True)
class CodeForms:
    """The fields of a lot's code rows, each the lot's text around a unit's serial; for a
    JSON file, escaped as the file has them."""

    serial: FormTemplate
    unit: IdentityTemplate

    @classmethod
    def of(
        cls,
        gtin: Gtin,
        lot: str,
        expiry: Expiry,
        resolver_base: str = DEFAULT_RESOLVER_BASE,
        *,
        file_format: str = "csv",
    ) -> CodeForms:
        unit = IdentityTemplate.of(gtin, lot, expiry, resolver_base)
        if file_format == "json":
            return cls(serial_template().as_json(), unit.as_json())
        return cls(serial_template(), unit)

    def rows(self, fetch: Sequence[tuple[int, str]]) -> CodeRows:
        """The code rows of units ``(seq, serial)``, in order."""
        serials = [serial for _, serial in fetch]
        held = set("".join(serials))
        return list(
            zip(
                [seq for seq, _ in fetch],
                self.serial.fill(serials, held),
                self.unit.hri.fill(serials, held),
                self.unit.element_string.fill(serials, held),
                self.unit.digital_link.fill(serials, held),
                strict=True,
            )
        )


def write_code_file(
    uow: UnitOfWork,
    request_id: int,
    out: Destination,
    file_format: str,
    *,
    resolver_base: str = DEFAULT_RESOLVER_BASE,
    progress: Progress | None = None,
) -> int:
    """Write the request's code file in ``file_format`` (``csv`` or ``json``) to ``out``, a
    path (written whole or not at all) or an open binary file; ``progress`` is called with
    the units written after each fetch. Returns the number of units."""
    if file_format not in CODE_FILE_FORMATS:
        raise InvalidRequest(f"format: {file_format!r} is not csv or json")
    batches = _batches(uow, request_id, resolver_base, file_format)
    texts = code_file_texts(batches, file_format)
    written = 0
    with closing(batches), written_whole(out) as binary:
        for text, count in texts:
            binary.write(text.encode())
            written += count
            if progress is not None and count:
                progress(written)
    return written


def _batches(
    uow: UnitOfWork, request_id: int, resolver_base: str, file_format: str
) -> Generator[CodeRows, None, None]:
    """The request's code rows a fetch at a time; an unknown request refused at once."""
    request = get_request(uow, request_id)
    registered = uow.lots.get(request.gtin, request.lot)
    assert registered is not None, "a serial request's lot is never deleted"
    record = uow.issuance.request(request_id)
    assert record is not None, "get_request found it"
    forms = CodeForms.of(
        request.gtin,
        request.lot,
        Expiry.from_date(registered.expiry),
        resolver_base,
        file_format=file_format,
    )
    fetches = uow.issuance.code_batches(record.lot_id, record.seq_from, record.seq_to)
    return _rows(fetches, forms)


def _rows(
    fetches: Generator[Sequence[tuple[int, str]], None, None], forms: CodeForms
) -> Generator[CodeRows, None, None]:
    with closing(fetches):
        for fetch in fetches:
            yield forms.rows(fetch)


def code_file_texts(batches: Iterable[CodeRows], file_format: str) -> Iterator[tuple[str, int]]:
    """The text of a code file of ``batches`` of rows (:meth:`CodeForms.rows` in that
    format), in parts, each with the number of rows it holds."""
    return _json_texts(batches) if file_format == "json" else _csv_texts(batches)


def _csv_texts(batches: Iterable[CodeRows]) -> Iterator[tuple[str, int]]:
    """The CSV file in parts, each with the rows it holds: the header, then a part a fetch.

    A fetch whose fields hold no comma, quote or line break (the usual one) is joined as it
    is, which is what the csv module writes of such fields; any other goes through it."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CODE_COLUMNS)
    yield text.getvalue(), 0
    for rows in batches:
        plain = "".join([_CSV_ROW.format(*row) for row in rows])
        if (
            plain.count(",") == _CSV_COMMAS * len(rows)
            and plain.count("\n") == len(rows)
            and '"' not in plain
            and "\r" not in plain
        ):
            yield plain, len(rows)
            continue
        text.seek(0)
        text.truncate()
        writer.writerows(rows)
        yield text.getvalue(), len(rows)


def _json_texts(batches: Iterable[CodeRows]) -> Iterator[tuple[str, int]]:
    """The JSON array in parts, each with the rows it holds; the rows' fields are escaped
    for JSON already."""
    opening = "["
    for rows in batches:
        if rows:
            yield opening + ", ".join(_JSON_ROW.format(*row) for row in rows), len(rows)
            opening = ", "
    yield ("[" if opening == "[" else "") + "]\n", 0
