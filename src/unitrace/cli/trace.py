"""``unitrace trace CODE [--back|--forward] [--json|--csv]``: what ``GET /api/trace`` answers,
from the same service: a tree in the terminal, the route's JSON with ``--json``, its CSV (one
row per unit reached) with ``--csv``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.common import (
    AsJson,
    bad_input_is_one_line,
    cli_actor,
    fail,
    open_registry,
    printed_as_json,
    read_code_argument,
    stdout,
)

if TYPE_CHECKING:
    from rich.tree import Tree

    from unitrace.api.trace_answers import BackOut, ForwardOut, GenealogyOut


def trace(
    code: Annotated[
        str,
        typer.Argument(
            help="A unit, case, pallet or lot: Digital Link, element string, HRI, SSCC, EPC URI "
            "or LGTIN class URI ('-' reads standard input)."
        ),
    ],
    back: Annotated[bool, typer.Option("--back", help="Back to where it came from.")] = False,
    forward: Annotated[
        bool, typer.Option("--forward", help="Forward to every unit reached.")
    ] = False,
    as_json: AsJson = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print one CSV row per unit reached forward.")
    ] = False,
) -> None:
    """Trace a unit, container or lot, as GET /api/trace does: forward from a lot or
    container (the default for them), back from a unit (its default)."""
    from unitrace.api.trace_answers import csv_lines, trace_out
    from unitrace.services import trace as tracing

    if back and forward:
        fail("--back and --forward: give one direction")
    if as_json and as_csv:
        fail("--json and --csv: give one format")
    if as_csv and back:
        fail("--csv lists the units reached forward: drop --back")
    direction = "back" if back else "forward" if forward else None
    text = read_code_argument(code)
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        if as_csv:
            rows = tracing.trace_rows(uow, code=text, actor=cli_actor())
            for part in csv_lines(rows):
                sys.stdout.write(part)
            return
        answer = trace_out(tracing.trace(uow, code=text, direction=direction, actor=cli_actor()))
    if printed_as_json(answer, as_json):
        return
    stdout.print(_tree(answer))


def _tree(answer: ForwardOut | BackOut) -> Tree:
    from rich.markup import escape
    from rich.tree import Tree

    from unitrace.api.trace_answers import ForwardOut

    subject = answer.subject
    root = Tree(f"[bold]{answer.direction}[/] from {subject.kind} {escape(subject.code)}")
    if isinstance(answer, ForwardOut):
        units = answer.units
        summary = root.add(f"units: {units.count:,}")
        for title, counts in (
            ("by state", units.by_state),
            ("by custodian", units.by_custodian),
            ("by region", units.by_region),
        ):
            branch = summary.add(title)
            for key, count in counts.items():
                branch.add(f"{escape(key)}: {count:,}")
        held = root.add(f"containers: {len(answer.containers):,}")
        branches: dict[str | None, Tree] = {None: held}
        for container in answer.containers:
            parent = branches.get(container.parent, held)
            line = f"{escape(container.code)} ({container.kind}): {container.units:,} units"
            branches[container.code] = parent.add(line)
        shipped = root.add(f"shipments: {len(answer.shipments):,}")
        for shipment in answer.shipments:
            at = shipment.at.isoformat(timespec="minutes")
            shipped.add(f"{at} to {escape(shipment.party or '?')}: {shipment.units:,} units")
        _genealogy(root.add("made into"), answer.made_into, "output")
        return root
    for lot in answer.lots:
        root.add(f"lot {escape(lot.lot)} of {lot.gtin}, expires {lot.expiry}, {lot.status}")
    if answer.unit is not None:
        unit = answer.unit
        where = f" at {unit.location}" if unit.location else ""
        root.add(f"now {unit.state}, held by {escape(unit.custodian)}{where}")
    held = root.add("containers")
    for holder in answer.containers:
        now = "holds it now" if holder.now else "held it once"
        held.add(f"{escape(holder.code)} ({holder.kind}): {now}")
    custody = root.add("custodians")
    for custodian in answer.custodians:
        since = f" since {custodian.since.isoformat(timespec='minutes')}" if custodian.since else ""
        custody.add(f"{escape(custodian.party)}{since}")
    timeline = root.add(f"timeline: {len(answer.timeline):,} events")
    for entry in answer.timeline:
        step = f" {entry.step}" if entry.step else ""
        place = f" at {escape(entry.place)}" if entry.place else ""
        timeline.add(f"{entry.at.isoformat(timespec='minutes')} {entry.what}{step}{place}")
    _genealogy(root.add("made from"), answer.made_from, "input")
    return root


def _genealogy(branch: Tree, genealogy: GenealogyOut, toward: str) -> None:
    """The genealogy as a tree from the subject, each object under what it came from (back)
    or went into (forward), with its inspections."""
    from rich.markup import escape

    nodes = {node.epc: node for node in genealogy.nodes}
    ahead: dict[str, list[str]] = {}
    for link in genealogy.links:
        start, end = (link.output, link.input) if toward == "input" else (link.input, link.output)
        ahead.setdefault(start, []).append(end)
    roots = [node.epc for node in genealogy.nodes if node.depth == 0]
    shown: set[str] = set()

    def add(parent: Tree, epc: str) -> None:
        node = nodes.get(epc)
        label = escape(node.code if node is not None else epc)
        if node is not None and node.depth > 0:
            label += f" ({node.kind})"
        for seen in node.inspections if node is not None else ():
            label += f"; inspected {seen.at.date()} {escape(seen.disposition or '')}".rstrip()
        here = parent.add(label) if node is None or node.depth > 0 else parent
        if epc in shown:
            return
        shown.add(epc)
        for next_epc in sorted(set(ahead.get(epc, []))):
            add(here, next_epc)

    for root in roots:
        add(branch, root)
    if genealogy.cut:
        branch.add("… (cut short)")
