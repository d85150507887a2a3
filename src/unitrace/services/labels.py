"""Print files for a serial request: a PDF label sheet, and a ZIP of one SVG symbol per unit.

The label sheet's document properties say whose labels they are (the brand: the registered
party of role ``brand``, or unitrace where there is none) and which product, lot and request.

Both stream the request's codes from the database in seq order, call ``progress`` with the
number of units done after each one (the CLI draws its progress bar from it), and leave no
file behind at a path when a unit cannot be drawn.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from urllib.parse import quote

from unitrace.gs1 import DEFAULT_RESOLVER_BASE
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import PartyRole
from unitrace.services.serialization import get_request, request_codes
from unitrace.services.whole_files import Destination
from unitrace.services.whole_files import written_whole as _written_whole
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.symbols import (
    CapacityExceeded,
    InvalidSheetLayout,
    SheetLayout,
    SheetMetadata,
    SheetSummary,
    Symbology,
    render_svg,
    write_label_sheet,
)

Progress = Callable[[int], None]


def write_request_labels(
    uow: UnitOfWork,
    request_id: int,
    out: Destination,
    *,
    layout: SheetLayout | None = None,
    symbology: Symbology = Symbology.DATAMATRIX,
    resolver_base: str = DEFAULT_RESOLVER_BASE,
    progress: Progress | None = None,
) -> SheetSummary:
    """Write a PDF with one label per unit of the request, in seq order."""
    metadata = sheet_metadata(uow, request_id)
    codes = request_codes(uow, request_id)
    with closing(codes), _refusing_what_cannot_print(), _written_whole(out) as target:
        return write_label_sheet(
            (code.identity for code in codes),
            target,
            layout,
            symbology=symbology,
            resolver_base=resolver_base,
            progress=progress,
            metadata=metadata,
        )


def sheet_metadata(uow: UnitOfWork, request_id: int) -> SheetMetadata:
    """The document properties of a request's label sheet: its product, lot and request as
    the title, the brand as the author."""
    request = get_request(uow, request_id)
    product = uow.products.get(request.gtin)
    what = product.name if product is not None else f"GTIN {request.gtin.value}"
    return SheetMetadata(
        title=f"Labels — {what}, lot {request.lot}, serial request {request.id}",
        author=brand_name(uow),
    )


def brand_name(uow: UnitOfWork) -> str:
    """The name of the brand whose registry this is: its party of role ``brand`` (the first by
    id, should there be several), or unitrace where none is registered."""
    brands = [party.name for party in uow.parties.all() if party.role is PartyRole.BRAND]
    return brands[0] if brands else "unitrace"


def write_request_symbols(
    uow: UnitOfWork,
    request_id: int,
    out: Destination,
    *,
    symbology: Symbology = Symbology.DATAMATRIX,
    resolver_base: str = DEFAULT_RESOLVER_BASE,
    module_size_mm: float = 0.5,
    progress: Progress | None = None,
) -> int:
    """Write a ZIP of one SVG symbol per unit of the request, named ``<seq>-<serial>.svg``
    (seq zero-padded so that the files sort in seq order; serial characters a file name
    cannot hold percent-encoded). Returns the number of symbols."""
    width = len(str(get_request(uow, request_id).seq_to))
    codes = request_codes(uow, request_id)
    written = 0
    with (
        closing(codes),
        _refusing_what_cannot_print(),
        _written_whole(out) as target,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for code in codes:
            svg = render_svg(
                code.identity, symbology, resolver_base=resolver_base, module_size=module_size_mm
            )
            archive.writestr(f"{code.seq:0{width}d}-{quote(code.serial, safe='')}.svg", svg)
            written += 1
            if progress is not None:
                progress(written)
    return written


@contextmanager
def _refusing_what_cannot_print() -> Iterator[None]:
    try:
        yield
    except CapacityExceeded as error:
        raise InvalidRequest(f"symbology: {error}") from None
    except InvalidSheetLayout as error:
        raise InvalidRequest(f"layout: {error}") from None
