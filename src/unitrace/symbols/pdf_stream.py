"""A PDF written page by page: each page's objects go to the file as soon as the page is laid
out, and only the cross-reference table waits for the end.

A label sheet for a million units is some forty thousand pages. A PDF library that builds the
whole document before saving it holds every page in memory until then (hundreds of megabytes
per hundred thousand labels) and writes nothing while it lays them out. A label sheet needs
little of PDF: pages of one size, content streams of filled rectangles and text in one of the
standard 14 fonts, and the document's properties. This writer knows exactly that, and keeps per
page only the eight bytes of two object offsets.

Object numbers are fixed in advance, so that a page can name its parent before the page tree
is written: 1 the catalog, 2 the page tree, 3 the font, 4 the document information, then each
page's content stream and page object.

>>> import io
>>> out = io.BytesIO()
>>> pdf = PdfPages(out, (100.0, 50.0))
>>> pdf.add_page(b"0 0 10 10 re f")
>>> pdf.finish({"Title": "Labels"})
>>> out.getvalue()[:8], out.getvalue().rstrip()[-5:]
(b'%PDF-1.4', b'%%EOF')
"""

from __future__ import annotations

import datetime as dt
import zlib
from array import array
from typing import BinaryIO

#: The font of every label's text, by the name its content streams use.
FONT_RESOURCE = "F1"

_CATALOG, _PAGES, _FONT, _INFO = 1, 2, 3, 4
_FIRST_PAGE_OBJECT = 5
# Level 3 writes a page of labels five times faster than zlib's default 6, for a file a
# quarter larger: the time is the user's, the extra bytes cost nothing at a printer.
_COMPRESSION = 3
_XREF_CHUNK = 4096
#: Characters of a document property kept: PDF readers may refuse a string of more than
#: 32,767 bytes (PDF's implementation limit), and a property is UTF-16, up to four bytes a
#: character. Names come from the registry, which bounds none.
LONGEST_PROPERTY = 4000


class PdfPages:
    """Writes a PDF of pages of one size to ``out``, a binary file open for writing."""

    def __init__(self, out: BinaryIO, page_size: tuple[float, float]) -> None:
        self._out = out
        self._position = 0
        # offsets of objects 1.. by number; 0 until written
        self._offsets = array("Q", bytes(8 * (_FIRST_PAGE_OBJECT - 1)))
        self._pages = 0
        width, height = page_size
        self._page_dictionary = (
            f"<< /Type /Page /Parent {_PAGES} 0 R /MediaBox [0 0 {width:.4f} {height:.4f}] "
            f"/Resources << /Font << /{FONT_RESOURCE} {_FONT} 0 R >> /ProcSet [/PDF /Text] >> "
            "/Contents {contents} 0 R >>"
        )
        # the binary comment tells transfer programs that the file is not text
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    @property
    def pages(self) -> int:
        return self._pages

    def add_page(self, content: bytes) -> None:
        """Write a page whose content stream is ``content``, compressed."""
        packed = zlib.compress(content, _COMPRESSION)
        contents = self._next_object()
        self._write(
            b"%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % (contents, len(packed))
            + packed
            + b"\nendstream\nendobj\n"
        )
        page = self._next_object()
        dictionary = self._page_dictionary.format(contents=contents)
        self._write(b"%d 0 obj\n%s\nendobj\n" % (page, dictionary.encode()))
        self._pages += 1

    def finish(self, properties: dict[str, str]) -> None:
        """Write the font, the document's ``properties`` (``Title``, ``Author``, …), the
        catalog, the page tree and the cross-reference table: the PDF is complete."""
        self._object(
            _FONT,
            b"<< /Type /Font /Subtype /Type1 /Name /%s /BaseFont /Helvetica "
            b"/Encoding /WinAnsiEncoding >>" % FONT_RESOURCE.encode(),
        )
        created = dt.datetime.now(dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
        entries = {**properties, "CreationDate": created, "ModDate": created}
        info = " ".join(
            f"/{name} {text_string(_shortened(value))}" for name, value in entries.items()
        )
        self._object(_INFO, f"<< {info} >>".encode())
        self._object(_CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % _PAGES)
        kids = " ".join(f"{_FIRST_PAGE_OBJECT + 2 * page + 1} 0 R" for page in range(self._pages))
        self._object(_PAGES, f"<< /Type /Pages /Count {self._pages} /Kids [{kids}] >>".encode())
        self._write_cross_references()

    def _next_object(self) -> int:
        self._offsets.append(self._position)
        return len(self._offsets)

    def _object(self, number: int, body: bytes) -> None:
        self._offsets[number - 1] = self._position
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def _write_cross_references(self) -> None:
        start = self._position
        count = len(self._offsets) + 1
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
        for first in range(0, len(self._offsets), _XREF_CHUNK):
            chunk = self._offsets[first : first + _XREF_CHUNK]
            self._write(b"".join(b"%010d 00000 n \n" % offset for offset in chunk))
        self._write(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (count, _CATALOG, _INFO, start)
        )

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)


def _shortened(text: str) -> str:
    if len(text) <= LONGEST_PROPERTY:
        return text
    return text[: LONGEST_PROPERTY - 1] + "…"


_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})


def text_string(text: str) -> str:
    """``text`` as a PDF text string: a literal where it is printable ASCII, otherwise
    UTF-16BE with its byte order mark, which every reader decodes.

    >>> text_string("Lot (A)"), text_string("Labels — A")
    ('(Lot \\\\(A\\\\))', '<FEFF004C006100620065006C00730020201400200041>')
    """
    if text.isascii() and text.isprintable():
        return f"({text.translate(_LITERAL_ESCAPES)})"
    return f"<FEFF{text.encode('utf-16-be').hex().upper()}>"


def literal(text: str) -> str:
    r"""Label text as a PDF literal string to show in the standard font's encoding; label text
    is printable ASCII (GS1 character set 82 and the data titles).

    >>> literal("SN A(1)")
    '(SN A\\(1\\))'
    """
    return f"({text.translate(_LITERAL_ESCAPES)})"
