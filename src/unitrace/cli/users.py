"""``unitrace users``: the console's people, made with a password read from standard input,
listed and disabled."""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.common import (
    EXIT_STATUSES,
    AsJson,
    bad_input_is_one_line,
    cli_actor,
    fail,
    identifier_column,
    open_registry,
    printed_as_json,
    prose_column,
    say,
    stdout,
    table,
)

if TYPE_CHECKING:
    import datetime as dt

users_app = typer.Typer(
    help="People who sign in to the console (/console).", no_args_is_help=True, epilog=EXIT_STATUSES
)


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="The address the person signs in with.")],
    role: Annotated[str, typer.Option(help="admin, line, distributor or verifier.")],
    party: Annotated[
        str | None, typer.Option(help="The party a distributor's user acts for.")
    ] = None,
) -> None:
    """Create a console user. The password is read from standard input (its first line; asked
    for twice at a terminal); the user's id is printed alone on stdout."""
    from unitrace.services.console_users import create_user

    password = _password()
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        user = create_user(
            uow, email=email, password=password, role=role, party=party, actor=cli_actor()
        )
        uow.commit()
    sys.stdout.write(f"{user.id}\n")


@users_app.command("list")
def users_list(as_json: AsJson = False) -> None:
    """Every console user, enabled or disabled: id, email, role, party, when made, last signed
    in and disabled; never a password or its hash."""
    from unitrace.api.answers import ConsoleUserListed
    from unitrace.services.console_users import list_users

    database = open_registry()
    with database.unit_of_work(read_only=True) as uow:
        found = [ConsoleUserListed.model_validate(user) for user in list_users(uow)]
    if printed_as_json(found, as_json):
        return
    enabled = sum(user.disabled_at is None for user in found)
    shown = table(f"{len(found)} user{'' if len(found) == 1 else 's'}, {enabled} enabled")
    shown.add_column("id", no_wrap=True)
    identifier_column(shown, "email")
    shown.add_column("role", no_wrap=True)
    prose_column(shown, "party")
    for column in ("created", "last sign-in", "disabled"):
        shown.add_column(column, no_wrap=True)

    def minute(at: dt.datetime | None) -> str:
        return "" if at is None else at.strftime("%Y-%m-%d %H:%M")

    def day(at: dt.datetime | None) -> str:
        return "" if at is None else at.strftime("%Y-%m-%d")

    for user in found:
        shown.add_row(
            str(user.id), user.email, user.role, user.party or "", day(user.created_at),
            minute(user.last_sign_in_at) or "never", day(user.disabled_at),
        )  # fmt: skip
    stdout.print(shown)


@users_app.command("disable")
def users_disable(
    user: Annotated[str, typer.Argument(help="The user's id or email.")],
) -> None:
    """Disable a console user for good: its sessions end, and it can no longer sign in."""
    from unitrace.services.console_users import disable_user

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        disabled = disable_user(uow, user, actor=cli_actor())
        uow.commit()
    say(f"user {disabled.id} ({disabled.email}) disabled")


@users_app.command("password")
def users_password(
    user: Annotated[str, typer.Argument(help="The user's id or email.")],
) -> None:
    """Give a console user a new password, read from standard input as for create; the user's
    sessions end."""
    from unitrace.services.console_users import set_password

    password = _password()
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        changed = set_password(uow, user, password, actor=cli_actor())
        uow.commit()
    say(f"user {changed.id} ({changed.email}): new password set, its sessions ended")


def _password() -> str:
    """The password from standard input: asked for twice at a terminal, else its first line
    (without the line's end)."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            fail("password: the two entries differ; nothing was created")
        return first
    line = sys.stdin.readline()
    if not line:
        fail("password: give it on standard input (echo … | unitrace users create …)")
    return line.removesuffix("\n").removesuffix("\r")
