"""``unitrace products links``: the links the resolver serves for a product or a lot, as
``/api/products/{gtin}/links`` lists, adds and removes them (``--json`` prints the API's own
answer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.common import (
    EXIT_STATUSES,
    AsJson,
    bad_input_is_one_line,
    cli_actor,
    identifier_column,
    open_registry,
    printed_as_json,
    prose_column,
    say,
    stdout,
    table,
)

if TYPE_CHECKING:
    from unitrace.api.answers import BrandLinkOut

links_app = typer.Typer(
    help="Links the resolver serves for a product or a lot (product page, instructions, "
    "recall notice, registration, certificates …).",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)

Gtin = Annotated[str, typer.Argument(help="The product's GTIN.", show_default=False)]
LotOption = Annotated[str | None, typer.Option(help="Only for this lot of the product.")]


def print_links(found: list[BrandLinkOut]) -> None:
    shown = table(f"{len(found)} links")
    identifier_column(shown, "id")
    identifier_column(shown, "lot")
    identifier_column(shown, "type")
    prose_column(shown, "title")
    identifier_column(shown, "href")
    shown.add_column("language, context", overflow="fold")
    shown.add_column("default", no_wrap=True)
    for link in found:
        shown.add_row(
            str(link.id),
            link.lot or "(product)",
            link.link_type,
            link.title,
            link.href,
            " ".join(part for part in (link.hreflang, link.context) if part),
            "yes" if link.default else "",
        )
    stdout.print(shown)


@links_app.command("list")
def links_list(gtin: Gtin, lot: LotOption = None, as_json: AsJson = False) -> None:
    """The product's links (with its lots'), or the product's own and one lot's."""
    from unitrace.api.answers import BrandLinkOut
    from unitrace.services.brand_links import list_links

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = [BrandLinkOut.of(link) for link in list_links(uow, gtin=gtin, lot=lot)]
    if printed_as_json(found, as_json):
        return
    print_links(found)


@links_app.command("add")
def links_add(
    gtin: Gtin,
    link_type: Annotated[
        str, typer.Option("--type", help="gs1:pip, gs1:instructions, gs1:recallStatus …")
    ],
    href: Annotated[str, typer.Option(help="The target: an absolute http(s) URL.")],
    title: Annotated[str, typer.Option(help="What a person sees of the link.")],
    lot: LotOption = None,
    language: Annotated[str | None, typer.Option(help="The target's language: en, en-GB.")] = None,
    context: Annotated[str | None, typer.Option(help="Where it applies, e.g. US.")] = None,
    media_type: Annotated[str | None, typer.Option(help="The target's media type.")] = None,
    default: Annotated[
        bool, typer.Option("--default", help="Redirect scans to it when no link type is asked.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Add a link, as POST /api/products/{gtin}/links does."""
    from unitrace.api.answers import BrandLinkOut
    from unitrace.services.brand_links import add_link

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        link = add_link(
            uow,
            gtin=gtin,
            link_type=link_type,
            href=href,
            title=title,
            actor=cli_actor(),
            lot=lot,
            hreflang=language,
            context=context,
            media_type=media_type,
            default=default,
        )
        uow.commit()
    answer = BrandLinkOut.of(link)
    if printed_as_json(answer, as_json):
        return
    say(f"added link {answer.id}: {answer.link_type} {answer.href}")


@links_app.command("remove")
def links_remove(
    gtin: Gtin, link_id: Annotated[int, typer.Argument(help="The link's id.", min=1)]
) -> None:
    """Remove a link, as DELETE /api/products/{gtin}/links/{id} does."""
    from unitrace.services.brand_links import remove_link

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        removed = remove_link(uow, gtin=gtin, link_id=link_id, actor=cli_actor())
        uow.commit()
    say(f"removed link {removed.id}: {removed.href}")
