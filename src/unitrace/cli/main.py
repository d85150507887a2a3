"""The ``unitrace`` command: every group and command put together under one Typer app."""

from __future__ import annotations

from typing import Annotated

import typer

from unitrace import __version__
from unitrace.cli import service
from unitrace.cli.alerts import alerts_app
from unitrace.cli.catalog import lots_app, parties_app, products_app
from unitrace.cli.code import code_app
from unitrace.cli.coldchain import coldchain_app
from unitrace.cli.common import EXIT_STATUSES, stdout
from unitrace.cli.epcis import epcis_app
from unitrace.cli.export import export_app
from unitrace.cli.product_links import links_app
from unitrace.cli.quality import assemblies_app, inspections_app
from unitrace.cli.recall import recall_app
from unitrace.cli.scan import SCAN_EPILOG, scan
from unitrace.cli.serials import labels_app, serials_app
from unitrace.cli.tokens import tokens_app
from unitrace.cli.trace import trace
from unitrace.cli.units import containers_app, units_app
from unitrace.cli.users import users_app

app = typer.Typer(
    name="unitrace",
    help="Unit-level serialization and traceability on GS1 standards.",
    no_args_is_help=True,
    add_completion=False,
    epilog=EXIT_STATUSES,
)
app.add_typer(code_app, name="code")
app.command("init")(service.init)
app.command("serve")(service.serve)
app.add_typer(tokens_app, name="tokens")
app.add_typer(users_app, name="users")
app.command("demo")(service.demo)
app.add_typer(serials_app, name="serials")
app.add_typer(labels_app, name="labels")
app.command("scan", epilog=SCAN_EPILOG)(scan)
products_app.add_typer(links_app, name="links")
app.add_typer(products_app, name="products")
app.add_typer(lots_app, name="lots")
app.add_typer(parties_app, name="parties")
app.add_typer(units_app, name="units")
app.add_typer(containers_app, name="containers")
app.add_typer(assemblies_app, name="assemblies")
app.add_typer(inspections_app, name="inspections")
app.add_typer(coldchain_app, name="coldchain")
app.add_typer(recall_app, name="recall")
app.command("trace")(trace)
app.add_typer(alerts_app, name="alerts")
app.add_typer(epcis_app, name="epcis")
app.add_typer(export_app, name="export")


def version_callback(value: bool) -> None:
    if value:
        stdout.print(f"unitrace {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """unitrace: give every unit its own code, follow it, verify it, trace and recall it."""
