"""``unitrace products``, ``lots`` and ``parties``: the catalog, as ``/api/products``,
``/api/lots`` and ``/api/parties`` serve it (``--json`` prints the API's own answer), and a
lot's recall or withdrawal."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.common import (
    EXIT_STATUSES,
    AsJson,
    bad_input_is_one_line,
    cli_actor,
    identifier_column,
    open_registry,
    print_json,
    printed_as_json,
    prose_column,
    say,
    stdout,
    table,
)

if TYPE_CHECKING:
    from unitrace.api.answers import LotOut, PartyOut, ProductOut

products_app = typer.Typer(
    help="Products in the registry.", no_args_is_help=True, epilog=EXIT_STATUSES
)
lots_app = typer.Typer(
    help="Lots of a product: registered, listed, recalled or withdrawn.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)
parties_app = typer.Typer(
    help="Parties: distributors, pharmacies, the brand's own sites.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)

Gtin = Annotated[str, typer.Argument(help="The product's GTIN.", show_default=False)]
LotArgument = Annotated[str, typer.Argument(help="The lot.", show_default=False)]


def print_products(found: list[ProductOut]) -> None:
    shown = table(f"{len(found)} products")
    identifier_column(shown, "GTIN")
    prose_column(shown, "name")
    shown.add_column("serials", overflow="fold")
    shown.add_column("markets", overflow="fold")
    shown.add_column("issued", justify="right", no_wrap=True)
    for product in found:
        shown.add_row(
            product.gtin,
            product.name,
            f"{product.serial_length} of {len(product.serial_alphabet)}",
            " ".join(product.target_markets),
            f"{product.issued:,}",
        )
    stdout.print(shown)


@products_app.command("list")
def products_list(as_json: AsJson = False) -> None:
    """Every product, as GET /api/products lists them."""
    from unitrace.api.answers import ProductOut

    database = open_registry()
    with database.unit_of_work(read_only=True) as uow:
        found = [ProductOut.of(product) for product in uow.products.all()]
    if printed_as_json(found, as_json):
        return
    print_products(found)


@products_app.command("show")
def products_show(gtin: Gtin, as_json: AsJson = False) -> None:
    """One product, as GET /api/products/{gtin} answers."""
    from unitrace.api.answers import ProductOut
    from unitrace.services.catalog import get_product

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = ProductOut.of(get_product(uow, gtin))
    if printed_as_json(found, as_json):
        return
    print_products([found])


@products_app.command("create", hidden=True)
@products_app.command("register")
def products_register(
    gtin: Annotated[str, typer.Option(help="GTIN-8, -12, -13 or -14.")],
    name: Annotated[str, typer.Option(help="The product's name.")],
    company_prefix_length: Annotated[
        int | None, typer.Option(help="6-12; needed for EPC URIs.")
    ] = None,
    serial_length: Annotated[int, typer.Option(help="Characters in a serial.")] = 12,
    serial_alphabet: Annotated[
        str | None, typer.Option(help="The characters serials are drawn from.")
    ] = None,
    target_market: Annotated[
        list[str] | None,
        typer.Option(help="A country or region (ISO 3166) it is sold in; repeat for more."),
    ] = None,
    storage_conditions: Annotated[str | None, typer.Option(help="How it is kept.")] = None,
    as_json: AsJson = False,
) -> None:
    """Register a product, as POST /api/products does (alias: create)."""
    from unitrace.api.answers import ProductOut
    from unitrace.registry.model import UNAMBIGUOUS_ALPHABET
    from unitrace.services.catalog import register_product

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        product = register_product(
            uow,
            actor=cli_actor(),
            gtin=gtin,
            name=name,
            company_prefix_length=company_prefix_length,
            serial_length=serial_length,
            serial_alphabet=serial_alphabet or UNAMBIGUOUS_ALPHABET,
            target_markets=target_market or [],
            storage_conditions=storage_conditions,
            detection_rules=None,
        )
        uow.commit()
    answer = ProductOut.of(product)
    if printed_as_json(answer, as_json):
        return
    say(f"registered product {answer.gtin} ({answer.name})")


@products_app.command("rules")
def products_rules(
    gtin: Annotated[str, typer.Argument(help="The product's GTIN.")],
    max_clients: Annotated[
        int | None, typer.Option(help="Clone: more distinct clients than this.")
    ] = None,
    max_places: Annotated[
        int | None, typer.Option(help="Clone: more distinct regions (else countries).")
    ] = None,
    max_speed_kmh: Annotated[
        float | None, typer.Option(help="Clone: faster than this between two scans.")
    ] = None,
    min_travel_km: Annotated[
        float | None, typer.Option(help="Distances below this are never travel.")
    ] = None,
    before_shipping: Annotated[
        bool | None,
        typer.Option(
            "--before-shipping/--no-before-shipping",
            help="Grey market: a unit scanned before it was ever shipped.",
        ),
    ] = None,
    block_flagged_units: Annotated[
        bool | None,
        typer.Option(
            "--block-flagged-units/--no-block-flagged-units",
            help=(
                "A unit under an open clone or grey-market alert answers counterfeit, not "
                "suspicious, until the alert is closed."
            ),
        ),
    ] = None,
    reset: Annotated[
        bool, typer.Option(help="Forget the product's own rules first: back to the defaults.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Show a product's detection rules, or change them: the rules given change, the others
    stay; --reset starts again from the defaults."""
    from unitrace.services.catalog import effective_rules, get_product, set_detection_rules

    changes = {
        name: value
        for name, value in (
            ("max_clients", max_clients),
            ("max_places", max_places),
            ("max_speed_kmh", max_speed_kmh),
            ("min_travel_km", min_travel_km),
            ("before_shipping", before_shipping),
            ("block_flagged_units", block_flagged_units),
        )
        if value is not None
    }
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=not (changes or reset)) as uow:
        if changes or reset:
            product = set_detection_rules(
                uow, gtin=gtin, rules=changes, actor=cli_actor(), replace_all=reset
            )
            uow.commit()
        else:
            product = get_product(uow, gtin)
    rules = effective_rules(product)
    own = product.detection_rules.given
    if as_json:
        print_json({"gtin": product.gtin.value, "detection_rules": rules, "own": own})
        return
    say(f"detection rules of {product.gtin.value} ({product.name}):")
    width = max(len(name) for name in rules)
    for name, value in rules.items():
        shown = str(value).lower() if isinstance(value, bool) else f"{value:g}"
        say(f"  {name:<{width}} {shown:>8}  {'(product)' if name in own else '(default)'}")


def print_lots(found: list[LotOut]) -> None:
    shown = table(f"{len(found)} lots")
    identifier_column(shown, "GTIN")
    identifier_column(shown, "lot")
    shown.add_column("expiry", no_wrap=True)
    shown.add_column("status", no_wrap=True)
    prose_column(shown, "reason")
    shown.add_column("issued", justify="right", no_wrap=True)
    for lot in found:
        shown.add_row(
            lot.gtin,
            lot.lot,
            lot.expiry.isoformat(),
            lot.status,
            lot.status_reason or "",
            f"{lot.issued:,}",
        )
    stdout.print(shown)


@lots_app.command("list")
def lots_list(gtin: Gtin, as_json: AsJson = False) -> None:
    """A product's lots, as GET /api/lots/{gtin} lists them."""
    from unitrace.api.answers import LotOut
    from unitrace.services.catalog import parse_gtin

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = [LotOut.of(lot) for lot in uow.lots.of_product(parse_gtin(gtin))]
    if printed_as_json(found, as_json):
        return
    print_lots(found)


@lots_app.command("show")
def lots_show(gtin: Gtin, lot: LotArgument, as_json: AsJson = False) -> None:
    """One lot, as GET /api/lots/{gtin}/{lot} answers."""
    from unitrace.api.answers import LotOut
    from unitrace.registry.errors import NotFound
    from unitrace.services.catalog import parse_gtin

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = uow.lots.get(parse_gtin(gtin), lot)
        if found is None:
            raise NotFound(f"lot: {lot} of {gtin} is not registered")
    answer = LotOut.of(found)
    if printed_as_json(answer, as_json):
        return
    print_lots([answer])


Day = Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD.")]


@lots_app.command("create", hidden=True)
@lots_app.command("register")
def lots_register(
    gtin: Annotated[str, typer.Option(help="The product's GTIN.")],
    lot: Annotated[str, typer.Option(help="The lot number, as AI (10) takes it.")],
    expiry: Day,
    production_date: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD.")
    ] = None,
    site: Annotated[str | None, typer.Option(help="Where it was made.")] = None,
    as_json: AsJson = False,
) -> None:
    """Register a lot, as POST /api/lots does (alias: create)."""
    from unitrace.api.answers import LotOut
    from unitrace.services.catalog import register_lot

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        registered = register_lot(
            uow,
            actor=cli_actor(),
            gtin=gtin,
            lot=lot,
            expiry=expiry.date(),
            production_date=None if production_date is None else production_date.date(),
            site=site,
        )
        uow.commit()
    answer = LotOut.of(registered)
    if printed_as_json(answer, as_json):
        return
    say(f"registered lot {answer.lot} of {answer.gtin}, expiring {answer.expiry.isoformat()}")


Reason = Annotated[str, typer.Option(help="Why (required; it is recorded).")]


def set_lot_status(gtin: str, lot: str, status: str, reason: str, as_json: bool) -> None:
    """A lot recalled or withdrawn, as POST /api/lots/{gtin}/{lot}/status does."""
    from unitrace.api.answers import EventOut
    from unitrace.registry.errors import InvalidRequest
    from unitrace.services import lifecycle

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        if not reason.strip():
            raise InvalidRequest("reason: must say why")
        event = lifecycle.set_lot_status(
            uow, gtin=gtin, lot=lot, status=status, reason=reason, actor=cli_actor()
        )
        uow.commit()
    answer = EventOut.of(event)
    if printed_as_json(answer, as_json):
        return
    say(f"lot {lot} of {gtin} {status}: {reason} (event {answer.event_id})")


@lots_app.command("recall")
def lots_recall(gtin: Gtin, lot: LotArgument, reason: Reason, as_json: AsJson = False) -> None:
    """Recall a whole lot: every commissioned unit not yet terminal is recalled, for good."""
    set_lot_status(gtin, lot, "recalled", reason, as_json)


@lots_app.command("withdraw")
def lots_withdraw(gtin: Gtin, lot: LotArgument, reason: Reason, as_json: AsJson = False) -> None:
    """Withdraw a whole lot from the market, for good."""
    set_lot_status(gtin, lot, "withdrawn", reason, as_json)


def print_parties(found: list[PartyOut]) -> None:
    shown = table(f"{len(found)} parties")
    identifier_column(shown, "id")
    prose_column(shown, "name")
    shown.add_column("role", no_wrap=True)
    shown.add_column("territory", overflow="fold")
    identifier_column(shown, "GLN")
    for party in found:
        shown.add_row(party.id, party.name, party.role, " ".join(party.territory), party.gln or "")
    stdout.print(shown)


@parties_app.command("list")
def parties_list(as_json: AsJson = False) -> None:
    """Every party, as GET /api/parties lists them."""
    from unitrace.api.answers import PartyOut

    database = open_registry()
    with database.unit_of_work(read_only=True) as uow:
        found = [PartyOut.of(party) for party in uow.parties.all()]
    if printed_as_json(found, as_json):
        return
    print_parties(found)


@parties_app.command("create", hidden=True)
@parties_app.command("register")
def parties_register(
    id: Annotated[str, typer.Option("--id", help="A short name, e.g. dist-a.")],
    name: Annotated[str, typer.Option(help="The party's name.")],
    role: Annotated[str, typer.Option(help="distributor, pharmacy, brand, …")],
    territory: Annotated[
        list[str] | None,
        typer.Option(help="A country or region (ISO 3166) it serves; repeat for more."),
    ] = None,
    gln: Annotated[str | None, typer.Option(help="Its GLN.")] = None,
    as_json: AsJson = False,
) -> None:
    """Register a party, as POST /api/parties does (alias: create)."""
    from unitrace.api.answers import PartyOut
    from unitrace.services.catalog import register_party

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        party = register_party(
            uow, actor=cli_actor(), id=id, name=name, role=role, territory=territory or [], gln=gln
        )
        uow.commit()
    answer = PartyOut.of(party)
    if printed_as_json(answer, as_json):
        return
    say(f"registered party {answer.id} ({answer.name}, {answer.role})")
