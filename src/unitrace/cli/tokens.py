"""``unitrace tokens``: the HTTP service's API tokens, made, listed and revoked."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.common import (
    EXIT_STATUSES,
    AsJson,
    bad_input_is_one_line,
    cli_actor,
    open_registry,
    printed_as_json,
    prose_column,
    say,
    stdout,
    table,
)

if TYPE_CHECKING:
    import datetime as dt

tokens_app = typer.Typer(
    help="API tokens for the HTTP service.", no_args_is_help=True, epilog=EXIT_STATUSES
)


@tokens_app.command("create")
def tokens_create(
    role: Annotated[str, typer.Option(help="admin, line, distributor or verifier.")],
    party: Annotated[
        str | None, typer.Option(help="The party a distributor token acts for.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="A note on who the token is for.")] = None,
) -> None:
    """Create an API token; it is printed alone on stdout, and only its hash is kept."""
    from unitrace.services.tokens import create_token

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        token = create_token(uow, role=role, party=party, label=label, actor=cli_actor())
        uow.commit()
    sys.stdout.write(token + "\n")


@tokens_app.command("list")
def tokens_list(as_json: AsJson = False) -> None:
    """Every token, live or revoked: its id, role, party, label, when it was made and last
    used (to within five minutes); never its secret."""
    from unitrace.api.answers import TokenListed
    from unitrace.services.tokens import list_tokens

    database = open_registry()
    with database.unit_of_work(read_only=True) as uow:
        found = [TokenListed.model_validate(record) for record in list_tokens(uow)]
    if printed_as_json(found, as_json):
        return
    live = sum(token.revoked_at is None for token in found)
    shown = table(f"{len(found)} tokens, {live} live")
    # the times never wrap (the label and party do): made and revoked to the day, the last
    # use to the minute, as precise as it is kept
    shown.add_column("id", no_wrap=True)
    shown.add_column("role", no_wrap=True)
    prose_column(shown, "party")
    prose_column(shown, "label")
    for column in ("created", "last used", "revoked"):
        shown.add_column(column, no_wrap=True)

    def day(at: dt.datetime | None) -> str:
        return "" if at is None else at.strftime("%Y-%m-%d")

    for token in found:
        used = (
            "never" if token.last_used_at is None else token.last_used_at.strftime("%Y-%m-%d %H:%M")
        )
        shown.add_row(
            str(token.id), token.role, token.party or "", token.label or "",
            day(token.created_at), used, day(token.revoked_at),
        )  # fmt: skip
    stdout.print(shown)


@tokens_app.command("revoke")
def tokens_revoke(
    token: Annotated[str, typer.Argument(help="The token (ut_…) or its id.")],
) -> None:
    """Revoke an API token for good; the EPCIS subscriptions it made are suspended."""
    from unitrace.services.tokens import live_token_id, revoke_token

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        token_id = int(token) if token.isascii() and token.isdigit() else live_token_id(uow, token)
        revoke_token(uow, token_id, actor=cli_actor())
        uow.commit()
    say(f"token {token_id} revoked")
