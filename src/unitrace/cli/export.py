"""``unitrace export …``: the documents regulators and trading partners ask for, written by
the services the ``/api/exports/…`` routes call. ``export fsma204`` writes the FSMA 204
electronic sortable spreadsheet as ``GET /api/exports/fsma204`` does; ``export dscsa`` the
EPCIS document of a shipment as ``GET /api/exports/dscsa/{event id}`` does."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from unitrace.cli.common import (
    EXIT_STATUSES,
    bad_input_is_one_line,
    cli_actor,
    fail,
    open_registry,
    say,
    write_bytes,
)
from unitrace.cli.export_dscsa import dscsa

export_app = typer.Typer(
    help="Export what regulators and trading partners ask for.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)
export_app.command("dscsa")(dscsa)


@export_app.command("fsma204")
def fsma204(
    gtin: Annotated[str, typer.Option("--gtin", help="The food's GTIN (14 digits).")],
    lot: Annotated[
        str | None,
        typer.Option("--lot", help="Its traceability lot code; every registered lot if left out."),
    ] = None,
    first: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD, inclusive.")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD, inclusive.")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "csv",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write (standard output if left out; CSV only)."),
    ] = None,
) -> None:
    """The FSMA 204 electronic sortable spreadsheet of a food's traceability lots: one row
    per critical tracking event, with its key data elements (as GET /api/exports/fsma204)."""
    from unitrace.api.fsma204_sheets import csv_text, xlsx_bytes
    from unitrace.services.exports import fsma204 as export

    with bad_input_is_one_line():
        request = export.read_request(gtin=gtin, lot=lot, first=first, last=last)
        export.check_format(format)
    if format == "xlsx" and out is None:
        fail("--format xlsx: give --out FILE.xlsx; a workbook is not written to a terminal")
    database = open_registry()
    with bad_input_is_one_line():
        with database.unit_of_work(read_only=True) as uow:
            rows = export.fsma204_rows(uow, request, actor=cli_actor())
        data = xlsx_bytes(rows) if format == "xlsx" else csv_text(rows).encode()
        if out is None:
            sys.stdout.write(data.decode())
            return
        write_bytes(out, data)
    say(f"{len(rows):,} critical tracking events written to {out}")
