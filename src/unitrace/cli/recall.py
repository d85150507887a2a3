"""``unitrace recall create|show|list|respond|close|units|report``: recalls from the command
line, calling the services ``/api/recalls`` calls (``--json`` prints the route's answer).

A scope reaching no unit, an unknown lot or code, numbers exceeding what a party held: one
line on stderr, exit 2. Creating a recall sends no notices to parties' endpoints from here:
the service does that when a recall is opened over HTTP; ``create`` says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.common import (
    EXIT_STATUSES,
    AsJson,
    bad_input_is_one_line,
    cli_actor,
    fail,
    open_registry,
    printed_as_json,
    say,
    stdout,
)

if TYPE_CHECKING:
    from unitrace.api.recall_answers import RecallOut

recall_app = typer.Typer(
    help="Recalls: scope to block, parties' answers, recovery, closing, the report.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)

RecallId = Annotated[int, typer.Argument(help="The recall's number.")]


def _lot(text: str, option: str) -> dict[str, str]:
    gtin, separator, lot = text.partition(":")
    if not separator or not gtin or not lot:
        fail(f"{option}: {text!r} is not GTIN:LOT")
    return {"gtin": gtin, "lot": lot}


@recall_app.command("create")
def create(
    reason: Annotated[str, typer.Option("--reason", help="Why the recall is made.")],
    instructions: Annotated[
        str, typer.Option("--instructions", help="What parties and consumers must do.")
    ],
    lot: Annotated[
        list[str] | None, typer.Option("--lot", help="A lot of ours, GTIN:LOT (repeatable).")
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", help="A unit, case or pallet code, any spelling (repeatable)."),
    ] = None,
    component_lot: Annotated[
        list[str] | None,
        typer.Option("--component-lot", help="A component lot, GTIN:LOT (repeatable)."),
    ] = None,
    classification: Annotated[str | None, typer.Option("--class", help="I, II or III.")] = None,
    market: Annotated[
        list[str] | None, typer.Option("--market", help="An ISO 3166 code (repeatable).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Open a recall: every affected unit not terminal becomes recalled, at once."""
    from unitrace.services import recall

    scope = {
        "lots": [_lot(text, "--lot") for text in lot or []],
        "units": list(unit or []),
        "component_lots": [_lot(text, "--component-lot") for text in component_lot or []],
    }
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        recall_id = recall.open_recall(
            uow,
            scope=scope,
            reason=reason,
            instructions=instructions,
            classification=classification,
            markets=market or [],
            actor=cli_actor(),
        )
        uow.commit()
        answer = _out(recall.recall_progress(uow, recall_id, cli_actor()))
    if not printed_as_json(answer, as_json):
        _show(answer)


@recall_app.command("show")
def show(recall_id: RecallId, as_json: AsJson = False) -> None:
    """A recall: what it affects, each party's answer, how much is recovered."""
    from unitrace.services import recall

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        answer = _out(recall.recall_progress(uow, recall_id, cli_actor()))
    if not printed_as_json(answer, as_json):
        _show(answer)


@recall_app.command("list")
def list_recalls(as_json: AsJson = False) -> None:
    """Every recall, newest first."""
    from rich.table import Table

    from unitrace.services import recall

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        answers = [_out(found) for found in recall.list_recalls(uow, cli_actor())]
    if printed_as_json(answers, as_json):
        return
    table = Table("id", "status", "opened", "reason", "affected", "recovered")
    for found in answers:
        table.add_row(
            str(found.id),
            found.status,
            found.created_at.isoformat(timespec="minutes"),
            found.reason,
            f"{found.affected.units:,}",
            f"{found.recovered.units:,} ({found.recovered.percent:.1f} %)",
        )
    stdout.print(table)


@recall_app.command("respond")
def respond(
    recall_id: RecallId,
    party: Annotated[str, typer.Option("--party", help="The party answering for its line.")],
    acknowledged: Annotated[bool, typer.Option("--acknowledged/--not-acknowledged")] = True,
    on_hand: Annotated[int, typer.Option("--on-hand", min=0)] = 0,
    returned: Annotated[int, typer.Option("--returned", min=0)] = 0,
    destroyed: Annotated[int, typer.Option("--destroyed", min=0)] = 0,
    completed: Annotated[bool, typer.Option("--completed/--not-completed")] = False,
    note: Annotated[str | None, typer.Option("--note")] = None,
    as_json: AsJson = False,
) -> None:
    """Record a party's answer for its own line, as its token would over HTTP."""
    from unitrace.registry.model import Actor, Role
    from unitrace.services import recall

    actor = Actor(f"cli:{party}", Role.DISTRIBUTOR, party)
    answer_given = {
        "acknowledged": acknowledged,
        "on_hand": on_hand,
        "returned": returned,
        "destroyed": destroyed,
        "completed": completed,
        "note": note,
    }
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        recall.answer_recall(uow, recall_id, answer_given, actor=actor)
        uow.commit()
        answer = _out(recall.recall_progress(uow, recall_id, cli_actor()))
    if not printed_as_json(answer, as_json):
        _show(answer)


@recall_app.command("close")
def close(
    recall_id: RecallId,
    reason: Annotated[str, typer.Option("--reason", help="Why it is closed.")],
    as_json: AsJson = False,
) -> None:
    """Close a recall (refused when closed already); its units stay recalled."""
    from unitrace.services import recall

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        recall.close_recall(uow, recall_id, reason=reason, actor=cli_actor())
        uow.commit()
        answer = _out(recall.recall_progress(uow, recall_id, cli_actor()))
    if not printed_as_json(answer, as_json):
        _show(answer)


@recall_app.command("units")
def units(recall_id: RecallId) -> None:
    """Every affected unit as CSV: state, holder at the recall, custodian, last place,
    recovered."""
    import sys

    from unitrace.api.recall_answers import csv_lines
    from unitrace.services import recall

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        for part in csv_lines(recall.recall_rows(uow, recall_id, cli_actor())):
            sys.stdout.write(part)


@recall_app.command("report")
def report(
    recall_id: RecallId,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the PDF.")],
) -> None:
    """Write the recall report (PDF) for the regulator's file."""
    from unitrace.services.recall.report import recall_report

    database = open_registry()
    with bad_input_is_one_line():
        with database.unit_of_work(read_only=True) as uow:
            pdf = recall_report(uow, recall_id, cli_actor())
        output.write_bytes(pdf)
    say(f"wrote {output}")


def _out(found: object) -> RecallOut:
    from unitrace.api.recall_answers import RecallOut
    from unitrace.services.recall import RecallProgress

    assert isinstance(found, RecallProgress)
    return RecallOut.of(found)


def _show(answer: RecallOut) -> None:
    from rich.markup import escape
    from rich.table import Table

    say(f"recall {answer.id} ({answer.status}): {answer.reason}")
    say(
        f"affected {answer.affected.units:,}; recovered {answer.recovered.units:,} "
        f"({answer.recovered.percent:.1f} %: returned {answer.recovered.returned:,}, "
        f"destroyed {answer.recovered.destroyed:,}, consumed {answer.recovered.consumed:,})"
    )
    table = Table(
        "party", "units", "ack.", "on hand", "returned", "destroyed", "done", "recovered", "overdue"
    )
    for line in answer.affected.by_custodian:
        table.add_row(
            escape(line.party),
            f"{line.units:,}",
            "yes" if line.acknowledged else "no",
            f"{line.on_hand:,}",
            f"{line.returned:,}",
            f"{line.destroyed:,}",
            "yes" if line.completed else "no",
            f"{line.recovered:,}",
            "[red]yes[/]" if line.overdue else "no",
        )
    stdout.print(table)
