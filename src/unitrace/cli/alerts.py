"""``unitrace alerts``: the alerts verification raises, listed, shown and closed."""

from __future__ import annotations

from typing import Annotated

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
    say,
    stdout,
    table,
)

alerts_app = typer.Typer(
    help="Alerts raised by verification.", no_args_is_help=True, epilog=EXIT_STATUSES
)


@alerts_app.command("list")
def alerts_list(
    type: Annotated[
        str | None, typer.Option(help="clone, grey_market, counterfeit_probe, guessing, lifecycle.")
    ] = None,
    status: Annotated[str | None, typer.Option(help="new, investigating or closed.")] = None,
    as_json: AsJson = False,
) -> None:
    """The alerts, newest first."""
    from unitrace.api.answers import AlertOut
    from unitrace.services.alert_workflow import list_alerts

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = [
            AlertOut.of(a) for a in list_alerts(uow, actor=cli_actor(), type=type, status=status)
        ]
    if printed_as_json(found, as_json):
        return
    shown = table(f"{len(found)} alerts")
    for column in ("id", "type", "status"):
        shown.add_column(column, no_wrap=True)
    identifier_column(shown, "code")
    shown.add_column("party", overflow="fold")
    shown.add_column("created", no_wrap=False, overflow="fold", min_width=10)
    for alert in found:
        shown.add_row(
            str(alert.id), alert.type, alert.status, alert.code or "", alert.party or "",
            alert.created_at.strftime("%Y-%m-%d %H:%M"),
        )  # fmt: skip
    stdout.print(shown)


@alerts_app.command("show")
def alerts_show(alert_id: Annotated[int, typer.Argument(help="The alert's id.")]) -> None:
    """One alert with its evidence, as JSON."""
    from unitrace.api.answers import AlertOut
    from unitrace.services.alert_workflow import get_alert

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = AlertOut.of(get_alert(uow, alert_id, cli_actor()))
    print_json(found.model_dump(mode="json"))


@alerts_app.command("close")
def alerts_close(
    alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
    reason: Annotated[str, typer.Option(help="Why it is closed (required).")],
) -> None:
    """Close an alert with a reason."""
    from unitrace.services.alert_workflow import update_alert

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        update_alert(uow, alert_id, status="closed", reason=reason, actor=cli_actor())
        uow.commit()
    say(f"alert {alert_id} closed: {reason}")
