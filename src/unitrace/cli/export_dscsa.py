"""``unitrace export dscsa EVENT_ID [--version 1.2|2.0] [--out FILE]``: the DSCSA exchange for
a shipment, as ``GET /api/exports/dscsa/{event id}`` answers it, from the same service."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from unitrace.cli.common import bad_input_is_one_line, cli_actor, open_registry, stdout


def dscsa(
    event_id: Annotated[str, typer.Argument(help="The eventID of the shipping event.")],
    version: Annotated[
        str, typer.Option("--version", help="1.2 (XML, GS1 US's DSCSA guideline) or 2.0 (JSON-LD).")
    ] = "1.2",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")
    ] = None,
) -> None:
    """Write the EPCIS document a US trading partner receives with a shipment: its
    commissioning, aggregation and shipping events, master data and SBDH."""
    from unitrace.services.exports.dscsa import dscsa_document

    database = open_registry()
    with bad_input_is_one_line():
        with database.unit_of_work(read_only=True) as uow:
            found = dscsa_document(uow, event_id, actor=cli_actor(), version=version)
        if out is None:
            sys.stdout.buffer.write(found.content)
            sys.stdout.buffer.flush()
            return
        out.write_bytes(found.content)
    stdout.print(f"{out}: {len(found.content):,} bytes, {found.media_type}")
