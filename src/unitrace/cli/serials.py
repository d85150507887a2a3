"""``unitrace serials`` and ``unitrace labels``: serial numbers issued for a lot, and the files
the packaging line prints from them (code files, PDF label sheets, ZIPs of symbols)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.code import LabelOption, PageOption, sheet_layout
from unitrace.cli.common import (
    EXIT_STATUSES,
    SymbologyName,
    SymbologyOption,
    bad_input_is_one_line,
    cli_actor,
    fail,
    open_registry,
    progress_bar,
    readable,
    say,
)

if TYPE_CHECKING:
    from unitrace.store.unit_of_work import Database

serials_app = typer.Typer(
    help="Issue serial numbers and get their codes.", no_args_is_help=True, epilog=EXIT_STATUSES
)
labels_app = typer.Typer(
    help="Print files for the packaging line.", no_args_is_help=True, epilog=EXIT_STATUSES
)


@serials_app.command("request")
def serials_request(
    gtin: Annotated[str, typer.Option(help="The product's GTIN.")],
    lot: Annotated[str, typer.Option(help="The lot, registered already.")],
    count: Annotated[int, typer.Option(help="How many serials.")],
    commission: Annotated[bool, typer.Option(help="Commission the units at once.")] = False,
    out: Annotated[
        Path | None, typer.Option(help="Also write the codes to a .csv or .json file.")
    ] = None,
) -> None:
    """Issue unique, unguessable serials for a lot; print the request's figures."""
    from unitrace.services.serialization import issue_serials

    if out is not None and out.suffix.lower() not in (".csv", ".json"):
        fail(f"--out: {out.name} must end in .csv or .json")
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        request = issue_serials(
            uow, gtin=gtin, lot=lot, count=count, commission=commission, actor=cli_actor()
        )
        uow.commit()
    say(
        f"serial request {request.id}: {request.count:,} serials of {request.gtin} lot "
        f"{request.lot}, seq {request.seq_from}-{request.seq_to}"
        + (", commissioned" if request.commissioned else "")
    )
    say(f"guess probability for {request.gtin}: 1 in {1 / request.guess_probability:,.0f}")
    if out is not None:
        write_codes(database, request.id, out)


@serials_app.command("codes")
def serials_codes(
    request_id: Annotated[int, typer.Argument(help="The serial request's id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="A .csv or .json file.")],
) -> None:
    """Write a request's codes: seq, serial, hri, element_string, digital_link."""
    if out.suffix.lower() not in (".csv", ".json"):
        fail(f"--out: {out.name} must end in .csv or .json")
    write_codes(open_registry(), request_id, out)


def write_codes(database: Database, request_id: int, out: Path) -> None:
    from unitrace.config import Settings
    from unitrace.services.code_files import write_code_file
    from unitrace.services.serialization import get_request

    base = Settings.from_environment().resolver_base
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        request = get_request(uow, request_id)
        with progress_bar("codes", request.count) as advance:
            written = write_code_file(
                uow,
                request_id,
                out,
                out.suffix.lower().lstrip("."),
                resolver_base=base,
                progress=advance,
            )
        readable(out)
    say(f"wrote {out}: {written:,} codes")


@labels_app.command("pdf")
def labels_pdf(
    request_id: Annotated[int, typer.Argument(help="The serial request's id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="PDF file to write.")],
    symbology: SymbologyOption = SymbologyName.DATAMATRIX,
    page: PageOption = "a4",
    label: LabelOption = "60x30",
) -> None:
    """A PDF sheet with one label per unit of a serial request."""
    from unitrace.config import Settings
    from unitrace.services.labels import write_request_labels
    from unitrace.services.serialization import get_request
    from unitrace.symbols import Symbology

    database = open_registry()
    base = Settings.from_environment().resolver_base
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        layout = sheet_layout(page, label, outlines=False)
        request = get_request(uow, request_id)
        began = time.perf_counter()
        with progress_bar("labels", request.count) as advance:
            summary = write_request_labels(
                uow, request_id, out, layout=layout, symbology=Symbology(symbology.value),
                resolver_base=base, progress=advance,
            )  # fmt: skip
        readable(out)
    pages = "1 page" if summary.pages == 1 else f"{summary.pages:,} pages"
    say(f"wrote {out}: {summary.labels:,} labels on {pages}, {_rate(summary.labels, began)}")


@labels_app.command("svg")
def labels_svg(
    request_id: Annotated[int, typer.Argument(help="The serial request's id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="ZIP file to write.")],
    symbology: SymbologyOption = SymbologyName.DATAMATRIX,
) -> None:
    """A ZIP with one SVG symbol per unit of a serial request, named <seq>-<serial>.svg."""
    from unitrace.config import Settings
    from unitrace.services.labels import write_request_symbols
    from unitrace.services.serialization import get_request
    from unitrace.symbols import Symbology

    database = open_registry()
    base = Settings.from_environment().resolver_base
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        request = get_request(uow, request_id)
        began = time.perf_counter()
        with progress_bar("symbols", request.count) as advance:
            written = write_request_symbols(
                uow,
                request_id,
                out,
                symbology=Symbology(symbology.value),
                resolver_base=base,
                progress=advance,
            )
        readable(out)
    say(f"wrote {out}: {written:,} symbols, {_rate(written, began, 'symbols')}")


def _rate(count: int, began: float, what: str = "labels") -> str:
    """How long writing ``count`` took since ``began``, and how many a second: the figure to
    plan a packaging line's print runs by."""
    seconds = time.perf_counter() - began
    return f"{seconds:.1f} s, {count / max(seconds, 1e-9):,.0f} {what}/s"
