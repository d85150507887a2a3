"""PDF label sheets: a grid of labels per page, each a unit's symbol and its data in words.

Symbols are drawn as filled rectangles straight from their modules, not as embedded images,
so that a sheet of thousands of labels is small, sharp at any printer resolution, and quick
to write.

>>> layout = SheetLayout(page=PageSize.parse("a4"), label_width_mm=60, label_height_mm=30)
>>> layout.columns, layout.rows, layout.labels_per_page
(3, 8, 24)
>>> from unitrace.gs1 import Expiry, Gtin, UnitIdentity
>>> label_text(UnitIdentity(Gtin("09506000134352"), "X1", lot="ABC", expiry=Expiry("261200")))
('GTIN 09506000134352', 'LOT ABC', 'EXP 2026-12', 'SN X1')
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from unitrace import __version__
from unitrace.gs1 import DEFAULT_RESOLVER_BASE, Expiry, UnitIdentity
from unitrace.symbols.errors import InvalidSheetLayout
from unitrace.symbols.symbol import Symbol, encode_symbol
from unitrace.symbols.symbology import Symbology

_POINTS_PER_MM = 72 / 25.4
_FONT = "Helvetica"
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


class _Canvas(Protocol):
    """The part of reportlab's canvas a label sheet draws with."""

    def addLiteral(self, s: str, escaped: int = 1) -> None: ...  # noqa: N802 - reportlab's names
    def drawString(self, x: float, y: float, text: str) -> None: ...  # noqa: N802
    def drawCentredString(self, x: float, y: float, text: str) -> None: ...  # noqa: N802
    def setFont(self, name: str, size: float) -> None: ...  # noqa: N802
    def setLineWidth(self, width: float) -> None: ...  # noqa: N802
    def setStrokeGray(self, gray: float) -> None: ...  # noqa: N802
    def rect(
        self, x: float, y: float, width: float, height: float, stroke: int = 1, fill: int = 0
    ) -> None: ...
    def showPage(self) -> None: ...  # noqa: N802
    def save(self) -> None: ...
    def setTitle(self, title: str) -> None: ...  # noqa: N802
    def setAuthor(self, author: str) -> None: ...  # noqa: N802
    def setSubject(self, subject: str) -> None: ...  # noqa: N802
    def setCreator(self, creator: str) -> None: ...  # noqa: N802


def write_label_sheet(
    units: Iterable[UnitIdentity],
    out: str | os.PathLike[str] | BinaryIO,
    layout: SheetLayout | None = None,
    *,
    symbology: Symbology = Symbology.DATAMATRIX,
    resolver_base: str = DEFAULT_RESOLVER_BASE,
    progress: Callable[[int], None] | None = None,
    metadata: SheetMetadata | None = None,
) -> SheetSummary:
    """Write a PDF of one label per unit, in the order given, to a path or a binary file.

    ``metadata`` fills the PDF's document properties (:class:`SheetMetadata`). ``progress`` is
    called with the number of labels drawn so far after each label. Nothing
    is written unless every label could be drawn: a unit whose data does not fit
    ``symbology`` raises :class:`~unitrace.symbols.CapacityExceeded`, a symbol too big for
    its label :class:`InvalidSheetLayout`, and no units at all :class:`ValueError`.
    """
    layout = layout or SheetLayout()
    page_height = layout.page.height_mm * _POINTS_PER_MM
    canvas: _Canvas = Canvas(
        os.fspath(out) if isinstance(out, str | os.PathLike) else out,
        pagesize=(layout.page.width_mm * _POINTS_PER_MM, page_height),
        pageCompression=1,
    )
    metadata = metadata or SheetMetadata()
    canvas.setTitle(metadata.title or f"unitrace labels ({symbology})")
    canvas.setAuthor(metadata.author)
    canvas.setCreator(f"unitrace {__version__}")
    gtins: set[str] = set()
    lots: set[str | None] = set()
    label = _LabelFrame.of(layout)
    columns, per_page = layout.columns, layout.labels_per_page
    drawn = 0
    for unit in units:
        slot = drawn % per_page
        if slot == 0 and drawn:
            canvas.showPage()
        row, column = divmod(slot, columns)
        left = layout.margin_left_mm + column * (layout.label_width_mm + layout.column_gap_mm)
        top = layout.margin_top_mm + row * (layout.label_height_mm + layout.row_gap_mm)
        symbol = encode_symbol(unit, symbology, resolver_base=resolver_base)
        gtins.add(unit.gtin.value)
        lots.add(unit.lot)
        label.draw(
            canvas,
            left * _POINTS_PER_MM,
            page_height - top * _POINTS_PER_MM,
            symbol,
            label_text(unit),
        )
        drawn += 1
        if progress is not None:
            progress(drawn)
    if not drawn:
        raise ValueError("label sheet: no units given, nothing to print")
    canvas.setSubject(metadata.subject or sheet_subject(drawn, gtins, lots))
    canvas.save()
    return SheetSummary(drawn, layout.pages_for(drawn))


@dataclass(frozen=True, slots=True)
class _LabelFrame:
    """One label of a layout in points, which draws a unit's label from its top-left corner."""

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

    def draw(
        self, canvas: _Canvas, left: float, top: float, symbol: Symbol, lines: tuple[str, ...]
    ) -> None:
        if self.outlines:
            canvas.setLineWidth(0.25)
            canvas.setStrokeGray(0.6)
            canvas.rect(left, top - self.height, self.width, self.height)
        inner_width = self.width - 2 * self.padding
        inner_height = self.height - 2 * self.padding
        x, y = left + self.padding, top - self.padding
        if symbol.symbology.is_matrix:
            # symbol on the left, as tall as the label; the text in the rest of the width
            side = min(inner_height, inner_width / 2)
            drawn = self._draw_matrix(canvas, symbol, x, y, side, inner_height)
            gap = self.padding or 0.05 * inner_width
            text_left = x + drawn + gap
            _draw_lines(canvas, lines, text_left, y, x + inner_width - text_left, inner_height)
        else:
            # bars across the label, the HRI under them as GS1 asks of linear symbols,
            # then the data titles
            bars = 0.55 * inner_height
            self._draw_linear(canvas, symbol, x, y, inner_width, bars)
            text = (symbol.hri, "  ".join(lines))
            _draw_lines(canvas, text, x, y - bars, inner_width, inner_height - bars, centred=True)

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

    def _draw_matrix(
        self, canvas: _Canvas, symbol: Symbol, left: float, top: float, side: float, room: float
    ) -> float:
        """Draw ``symbol`` in a square of ``side`` at most, centred in the ``room`` below
        ``top``; return the side drawn."""
        quiet = symbol.symbology.minimum_quiet_zone
        modules = max(symbol.width, symbol.height) + 2 * quiet
        module = self._module(symbol, modules, side)
        drawn = modules * module
        # module units, rows running down the page from the symbol's top-left corner
        placement = (module, 0, 0, -module, left, top - (room - drawn) / 2)
        rectangles = [(x + quiet, y + quiet, w, h) for x, y, w, h in symbol.rectangles()]
        canvas.addLiteral(_filled(placement, rectangles))
        return drawn

    def _draw_linear(
        self, canvas: _Canvas, symbol: Symbol, left: float, top: float, width: float, bars: float
    ) -> None:
        quiet = symbol.symbology.minimum_quiet_zone
        modules = symbol.width + 2 * quiet
        module = self._module(symbol, modules, width)
        # x in modules, y in bar heights
        placement = (module, 0, 0, bars, left + (width - modules * module) / 2, top - bars)
        rectangles = [(x + quiet, 0, w, 1) for x, _, w, _ in symbol.rectangles()]
        canvas.addLiteral(_filled(placement, rectangles))


def _filled(
    placement: tuple[float, float, float, float, float, float],
    rectangles: list[tuple[int, int, int, int]],
) -> str:
    """PDF operators that fill ``rectangles``, given in module units, placed on the page by
    the matrix ``placement``.

    A symbol is written as one path of whole-number rectangles rather than through
    reportlab's path objects, whose formatting of every number is most of the time a label
    sheet takes.
    """
    matrix = " ".join(f"{value:.4f}" for value in placement)
    path = " ".join(f"{x} {y} {w} {h} re" for x, y, w, h in rectangles)
    return f"q 0 g {matrix} cm {path} f Q"


def _draw_lines(
    canvas: _Canvas,
    lines: tuple[str, ...],
    left: float,
    top: float,
    width: float,
    height: float,
    *,
    centred: bool = False,
) -> None:
    """Lines of text from ``top`` down, in the largest size up to 9 pt that fits the box."""
    size = min(_LARGEST_FONT, height / (len(lines) * _LINE_SPACING))
    widest = max(float(stringWidth(line, _FONT, size)) for line in lines)
    if widest > width:
        size *= width / widest
    canvas.setFont(_FONT, size)
    leading = size * _LINE_SPACING
    block = leading * len(lines)
    baseline = top - (height - block) / 2 - size  # the block centred in the box's height
    for line in lines:
        if centred:
            canvas.drawCentredString(left + width / 2, baseline, line)
        else:
            canvas.drawString(left, baseline, line)
        baseline -= leading
