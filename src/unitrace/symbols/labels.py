"""PDF label sheets: a grid of labels per page, each a unit's symbol and its data in words.

Symbols are drawn as filled rectangles straight from their modules, not as embedded images,
so that a sheet of thousands of labels is small, sharp at any printer resolution, and quick
to write. Pages go to the file as they are laid out (:mod:`unitrace.symbols.pdf_stream`), so
that a sheet of a million labels takes no more memory than one of a hundred.

>>> layout = SheetLayout(page=PageSize.parse("a4"), label_width_mm=60, label_height_mm=30)
>>> layout.columns, layout.rows, layout.labels_per_page
(3, 8, 24)
>>> from unitrace.gs1 import Expiry, Gtin, UnitIdentity
>>> label_text(UnitIdentity(Gtin("09506000134352"), "X1", lot="ABC", expiry=Expiry("261200")))
('GTIN 09506000134352', 'LOT ABC', 'EXP 2026-12', 'SN X1')
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import getFont

from unitrace import __version__
from unitrace.gs1 import DEFAULT_RESOLVER_BASE, Expiry, UnitIdentity
from unitrace.symbols.errors import InvalidSheetLayout
from unitrace.symbols.pdf_stream import FONT_RESOURCE, PdfPages, literal
from unitrace.symbols.runs import pdf_path
from unitrace.symbols.symbol import Symbol, encode_symbol
from unitrace.symbols.symbology import Symbology
from unitrace.symbols.whole_file import Destination, written_whole

_POINTS_PER_MM = 72 / 25.4
# Helvetica's advance widths in thousandths of an em, by byte of its WinAnsi encoding: the
# standard font every PDF reader has, so nothing is embedded.
_WIDTHS: list[int] = getFont("Helvetica").widths
_LARGEST_FONT = 9.0  # points
_LINE_SPACING = 1.2
# Lengths that come out of sums of millimetres, compared as what fits on a page.
_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class PageSize:
    """The size of a sheet of labels, in millimetres, portrait."""

    width_mm: float
    height_mm: float

    def __post_init__(self) -> None:
        if not (self.width_mm > 0 and self.height_mm > 0):
            raise InvalidSheetLayout(
                f"page size: {self.width_mm} x {self.height_mm} mm is not a page"
            )

    @classmethod
    def parse(cls, text: str) -> PageSize:
        """A page named as on the command line: ``a4``, ``letter``, or ``WIDTHxHEIGHT`` in
        millimetres.

        >>> PageSize.parse("Letter"), PageSize.parse("100 x 150")
        (PageSize(width_mm=215.9, height_mm=279.4), PageSize(width_mm=100.0, height_mm=150.0))
        """
        name = text.strip().lower()
        if name in _NAMED_PAGES:
            return _NAMED_PAGES[name]
        match = _CUSTOM_PAGE.fullmatch(name)
        if match is None:
            raise InvalidSheetLayout(
                f"page size: {text!r} is neither a4, letter nor WIDTHxHEIGHT in mm (100x150)"
            )
        return cls(float(match[1]), float(match[2]))


A4 = PageSize(210.0, 297.0)
LETTER = PageSize(215.9, 279.4)
_NAMED_PAGES = {"a4": A4, "letter": LETTER}
_CUSTOM_PAGE = re.compile(r"(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)(?:\s*mm)?")


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """Where labels go on a page, all lengths in millimetres.

    Labels fill the page from its top-left corner inside the margins, row after row, with
    the gaps between them. ``padding_mm`` is the blank border inside each label.
    ``module_size_mm`` fixes the size of a symbol's modules (its X-dimension); where it is
    not given, each symbol is drawn as large as its label allows.
    """

    page: PageSize = A4
    label_width_mm: float = 60.0
    label_height_mm: float = 30.0
    margin_top_mm: float = 10.0
    margin_right_mm: float = 10.0
    margin_bottom_mm: float = 10.0
    margin_left_mm: float = 10.0
    column_gap_mm: float = 2.5
    row_gap_mm: float = 2.5
    padding_mm: float = 2.0
    module_size_mm: float | None = None
    #: Draw a thin outline around each label, for proofs on plain paper.
    outlines: bool = False

    def __post_init__(self) -> None:
        if not (self.label_width_mm > 0 and self.label_height_mm > 0):
            raise InvalidSheetLayout(
                f"label sheet: a {self.label_width_mm} x {self.label_height_mm} mm label "
                "has no area"
            )
        lengths = {
            "margin": (
                self.margin_top_mm,
                self.margin_right_mm,
                self.margin_bottom_mm,
                self.margin_left_mm,
            ),
            "gap": (self.column_gap_mm, self.row_gap_mm),
            "padding": (self.padding_mm,),
        }
        for name, values in lengths.items():
            if any(value < 0 for value in values):
                raise InvalidSheetLayout(f"label sheet: a {name} may not be negative")
        if 2 * self.padding_mm >= min(self.label_width_mm, self.label_height_mm):
            raise InvalidSheetLayout(
                f"label sheet: a padding of {self.padding_mm} mm leaves nothing of a "
                f"{self.label_width_mm} x {self.label_height_mm} mm label"
            )
        if self.module_size_mm is not None and not self.module_size_mm > 0:
            raise InvalidSheetLayout("label sheet: the module size must be greater than 0")
        if self.columns < 1 or self.rows < 1:
            raise InvalidSheetLayout(
                f"label sheet: a {self.label_width_mm} x {self.label_height_mm} mm label does "
                f"not fit on a {self.page.width_mm} x {self.page.height_mm} mm page within "
                "its margins"
            )

    @property
    def columns(self) -> int:
        usable = self.page.width_mm - self.margin_left_mm - self.margin_right_mm
        return _count(usable, self.label_width_mm, self.column_gap_mm)

    @property
    def rows(self) -> int:
        usable = self.page.height_mm - self.margin_top_mm - self.margin_bottom_mm
        return _count(usable, self.label_height_mm, self.row_gap_mm)

    @property
    def labels_per_page(self) -> int:
        return self.columns * self.rows

    def pages_for(self, labels: int) -> int:
        """How many pages ``labels`` labels take."""
        return math.ceil(labels / self.labels_per_page)


def _count(usable: float, size: float, gap: float) -> int:
    return max(0, math.floor((usable + gap) / (size + gap) + _TOLERANCE))


@dataclass(frozen=True, slots=True)
class SheetSummary:
    """What a label sheet holds, for the person who sends it to the printer."""

    labels: int
    pages: int


@dataclass(frozen=True, slots=True)
class SheetMetadata:
    """What a label sheet's PDF says about itself in its document properties.

    Where not given, ``title`` is "unitrace labels" and the symbology, and ``subject`` how
    many labels of which GTINs and lots the sheet holds (:func:`sheet_subject`); the creator
    is always unitrace and its version.
    """

    title: str | None = None
    #: Whose labels these are: the brand, where it is known.
    author: str = "unitrace"
    subject: str | None = None


def sheet_subject(labels: int, gtins: Iterable[str], lots: Iterable[str | None]) -> str:
    """What a sheet holds, in words: its labels, and their GTIN and lot, or how many of each.

    >>> sheet_subject(12, ["09506000134352"], ["L1"])
    '12 labels: GTIN 09506000134352, lot L1'
    >>> sheet_subject(1, ["09506000134352", "09506000134369"], ["L1", None])
    '1 label: 2 GTINs, 2 lots'
    """
    distinct_gtins, distinct_lots = sorted(set(gtins)), set(lots)
    named_lots = sorted(lot for lot in distinct_lots if lot is not None)
    count = "1 label" if labels == 1 else f"{labels:,} labels"
    if len(distinct_gtins) == 1:
        gtin = f"GTIN {distinct_gtins[0]}"
    else:
        gtin = f"{len(distinct_gtins):,} GTINs"
    if len(distinct_lots) == 1 and named_lots:
        lot = f", lot {named_lots[0]}"
    elif len(distinct_lots) > 1:
        lot = f", {len(distinct_lots):,} lots"
    else:
        lot = ""
    return f"{count}: {gtin}{lot}"


def label_text(unit: UnitIdentity) -> tuple[str, ...]:
    """The lines printed beside a unit's symbol, each led by its GS1 data title.

    The expiry is printed as a date, and as a month alone where the day is ``00``, which GS1
    defines as "no particular day of the month".
    """
    lines = [f"GTIN {unit.gtin.value}"]
    if unit.lot is not None:
        lines.append(f"LOT {unit.lot}")
    if unit.expiry is not None:
        lines.append(f"EXP {_expiry_text(unit.expiry)}")
    lines.append(f"SN {unit.serial}")
    return tuple(lines)


def _expiry_text(expiry: Expiry) -> str:
    day = expiry.date
    if expiry.yymmdd.endswith("00"):
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def write_label_sheet(
    units: Iterable[UnitIdentity],
    out: Destination,
    layout: SheetLayout | None = None,
    *,
    symbology: Symbology = Symbology.DATAMATRIX,
    resolver_base: str = DEFAULT_RESOLVER_BASE,
    progress: Callable[[int], None] | None = None,
    metadata: SheetMetadata | None = None,
) -> SheetSummary:
    """Write a PDF of one label per unit, in the order given, to a path or a binary file.

    Each page is written as soon as its labels are laid out. ``metadata`` fills the PDF's
    document properties (:class:`SheetMetadata`). ``progress`` is called with the number of
    labels drawn so far after each label. Nothing is left at a path unless every label could
    be drawn: a unit whose data does not fit ``symbology`` raises
    :class:`~unitrace.symbols.CapacityExceeded`, a symbol too big for its label
    :class:`InvalidSheetLayout`, and no units at all :class:`ValueError`.
    """
    layout = layout or SheetLayout()
    metadata = metadata or SheetMetadata()
    page_height = layout.page.height_mm * _POINTS_PER_MM
    label = _LabelFrame.of(layout)
    columns, per_page = layout.columns, layout.labels_per_page
    corners = [
        (
            (layout.margin_left_mm + column * (layout.label_width_mm + layout.column_gap_mm))
            * _POINTS_PER_MM,
            page_height
            - (layout.margin_top_mm + row * (layout.label_height_mm + layout.row_gap_mm))
            * _POINTS_PER_MM,
        )
        for row, column in (divmod(slot, columns) for slot in range(per_page))
    ]
    gtins: set[str] = set()
    lots: set[str | None] = set()
    drawn = 0
    with written_whole(out) as file:
        pdf = PdfPages(file, (layout.page.width_mm * _POINTS_PER_MM, page_height))
        page: list[str] = []
        for unit in units:
            slot = drawn % per_page
            if slot == 0 and drawn:
                pdf.add_page(_page_content(page))
                page.clear()
            symbol = encode_symbol(unit, symbology, resolver_base=resolver_base)
            gtins.add(unit.gtin.value)
            lots.add(unit.lot)
            left, top = corners[slot]
            page.append(label.draw(left, top, symbol, label_text(unit)))
            drawn += 1
            if progress is not None:
                progress(drawn)
        if not drawn:
            raise ValueError("label sheet: no units given, nothing to print")
        pdf.add_page(_page_content(page))
        pdf.finish(
            {
                "Title": metadata.title or f"unitrace labels ({symbology})",
                "Author": metadata.author,
                "Subject": metadata.subject or sheet_subject(drawn, gtins, lots),
                "Creator": f"unitrace {__version__}",
                "Producer": f"unitrace {__version__}",
            }
        )
    return SheetSummary(drawn, pdf.pages)


def _page_content(labels: list[str]) -> bytes:
    # label text is GS1 character set 82 and data titles, all within Helvetica's encoding
    return "".join(labels).encode("cp1252")


@dataclass(frozen=True, slots=True)
class _LabelFrame:
    """One label of a layout in points, which lays out a unit's label from its top-left
    corner as PDF content."""

    width: float
    height: float
    padding: float
    module: float | None
    outlines: bool

    @classmethod
    def of(cls, layout: SheetLayout) -> _LabelFrame:
        module = layout.module_size_mm
        return cls(
            layout.label_width_mm * _POINTS_PER_MM,
            layout.label_height_mm * _POINTS_PER_MM,
            layout.padding_mm * _POINTS_PER_MM,
            module * _POINTS_PER_MM if module is not None else None,
            layout.outlines,
        )

    def draw(self, left: float, top: float, symbol: Symbol, lines: tuple[str, ...]) -> str:
        content = []
        if self.outlines:
            content.append(
                f"q 0.25 w 0.6 G {left:.2f} {top - self.height:.2f} "
                f"{self.width:.2f} {self.height:.2f} re S Q\n"
            )
        inner_width = self.width - 2 * self.padding
        inner_height = self.height - 2 * self.padding
        x, y = left + self.padding, top - self.padding
        if symbol.symbology.is_matrix:
            # symbol on the left, as tall as the label; the text in the rest of the width
            side = min(inner_height, inner_width / 2)
            drawn, bars = self._matrix(symbol, x, y, side, inner_height)
            gap = self.padding or 0.05 * inner_width
            text_left = x + drawn + gap
            content += (
                bars,
                _lines(lines, text_left, y, x + inner_width - text_left, inner_height),
            )
        else:
            # bars across the label, the HRI under them as GS1 asks of linear symbols,
            # then the data titles
            height = 0.55 * inner_height
            text = (symbol.hri, "  ".join(lines))
            content += (
                self._linear(symbol, x, y, inner_width, height),
                _lines(text, x, y - height, inner_width, inner_height - height, centred=True),
            )
        return "".join(content)

    def _module(self, symbol: Symbol, modules: int, room: float) -> float:
        if self.module is None:
            return room / modules
        if self.module * modules > room + _TOLERANCE:
            needed = self.module * modules / _POINTS_PER_MM
            raise InvalidSheetLayout(
                f"label sheet: the {symbol.symbology} symbol of {symbol.hri} needs "
                f"{needed:.1f} mm with its quiet zone, the label has "
                f"{room / _POINTS_PER_MM:.1f} mm"
            )
        return self.module

    def _matrix(
        self, symbol: Symbol, left: float, top: float, side: float, room: float
    ) -> tuple[float, str]:
        """``symbol`` in a square of ``side`` at most, centred in the ``room`` below ``top``:
        the side drawn, and its content."""
        quiet = symbol.symbology.minimum_quiet_zone
        modules = max(symbol.width, symbol.height) + 2 * quiet
        module = self._module(symbol, modules, side)
        drawn = modules * module
        # module units, rows running down the page from the symbol's top-left corner
        placement = (module, 0, 0, -module, left, top - (room - drawn) / 2)
        return drawn, _filled(placement, pdf_path(symbol, quiet, quiet))

    def _linear(self, symbol: Symbol, left: float, top: float, width: float, bars: float) -> str:
        quiet = symbol.symbology.minimum_quiet_zone
        modules = symbol.width + 2 * quiet
        module = self._module(symbol, modules, width)
        # x in modules, y in bar heights
        placement = (module, 0, 0, bars, left + (width - modules * module) / 2, top - bars)
        return _filled(placement, pdf_path(symbol, quiet, 0))


def _filled(placement: tuple[float, float, float, float, float, float], path: str) -> str:
    """PDF content that fills ``path``, given in module units, placed on the page by the
    matrix ``placement``."""
    a, b, c, d, e, f = placement
    return f"q 0 g {a:.4f} {b} {c} {d:.4f} {e:.4f} {f:.4f} cm\n{path}f Q\n"


def _lines(
    lines: tuple[str, ...],
    left: float,
    top: float,
    width: float,
    height: float,
    *,
    centred: bool = False,
) -> str:
    """Lines of text from ``top`` down, in the largest size up to 9 pt that fits the box."""
    size = min(_LARGEST_FONT, height / (len(lines) * _LINE_SPACING))
    widths = [_width(line) for line in lines]  # in thousandths of an em
    widest = max(widths) * size / 1000
    if widest > width:
        size *= width / widest
    leading = size * _LINE_SPACING
    block = leading * len(lines)
    baseline = top - (height - block) / 2 - size  # the block centred in the box's height
    text = [f"BT /{FONT_RESOURCE} {size:.3f} Tf\n"]
    for line, advance in zip(lines, widths, strict=True):
        x = left + (width - advance * size / 1000) / 2 if centred else left
        text.append(f"1 0 0 1 {x:.2f} {baseline:.2f} Tm {literal(line)} Tj\n")
        baseline -= leading
    text.append("ET\n")
    return "".join(text)


def _width(line: str) -> int:
    return sum(map(_WIDTHS.__getitem__, line.encode("cp1252")))
