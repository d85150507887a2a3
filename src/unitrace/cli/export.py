"""``unitrace export …``: the documents regulators and trading partners ask for."""

from __future__ import annotations

import typer

from unitrace.cli.common import EXIT_STATUSES
from unitrace.cli.export_dscsa import dscsa

export_app = typer.Typer(
    help="Documents for regulators and trading partners.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)
export_app.command("dscsa")(dscsa)
