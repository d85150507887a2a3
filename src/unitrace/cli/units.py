"""``unitrace units`` and ``unitrace containers``: units commissioned, packed and unpacked,
shipped, allocated, received and decommissioned, and a unit or container looked up with its
history, calling the service each ``/api`` route calls (``--json`` prints the route's answer).

A change the registry's state table refuses names the unit, its state and the rule, and
exits 3."""

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
    read_code_argument,
    say,
    stdout,
    table,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from unitrace.api.answers import EventOut
    from unitrace.store.unit_of_work import UnitOfWork

units_app = typer.Typer(
    help="Units: commission, pack, ship, receive, change state; show one with its history.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)
containers_app = typer.Typer(
    help="Cases and pallets: show one with what it holds.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)

Codes = Annotated[
    list[str],
    typer.Argument(help="Unit, case or pallet codes, any form (SSCC, Digital Link, HRI, EPC)."),
]
LocationGln = Annotated[str | None, typer.Option(help="The GLN of where it happens.")]


def recorded(change: Callable[[UnitOfWork], EventOut], as_json: bool, done: str) -> None:
    """Run ``change`` in a unit of work, commit, and print the event it recorded (the route's
    answer with ``--json``, else one line saying what was done)."""
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        answer = change(uow)
        uow.commit()
    if printed_as_json(answer, as_json):
        return
    say(f"{done}: event {answer.event_id}")


def codes_of(codes: list[str]) -> list[str]:
    return [read_code_argument(code) for code in codes]


@units_app.command("commission")
def units_commission(
    gtin: Annotated[str, typer.Option(help="The product's GTIN.")],
    lot: Annotated[str, typer.Option(help="The lot.")],
    seq_from: Annotated[int, typer.Option(help="First seq of the issued serials.")],
    seq_to: Annotated[int, typer.Option(help="Last seq of the issued serials.")],
    location_gln: LocationGln = None,
    as_json: AsJson = False,
) -> None:
    """Commission issued units, as POST /api/commissions does: their codes are on the packs."""
    from unitrace.api.answers import EventOut
    from unitrace.services import lifecycle
    from unitrace.services.catalog import parse_gtin

    recorded(
        lambda uow: EventOut.of(
            lifecycle.commission(
                uow, gtin=parse_gtin(gtin), lot=lot, seq_from=seq_from, seq_to=seq_to,
                location_gln=location_gln, actor=cli_actor(),
            )
        ),
        as_json,
        f"commissioned seq {seq_from}-{seq_to} of {gtin} lot {lot}",
    )  # fmt: skip


@units_app.command("pack")
def units_pack(
    parent: Annotated[str, typer.Argument(help="An SSCC (pallet) or GTIN + serial (case).")],
    children: Codes,
    as_json: AsJson = False,
) -> None:
    """Pack units into a case, or cases onto a pallet, as POST /api/aggregations does."""
    from unitrace.api.answers import EventOut
    from unitrace.services import lifecycle

    recorded(
        lambda uow: EventOut.of(
            lifecycle.aggregate(
                uow, parent=read_code_argument(parent), children=codes_of(children),
                actor=cli_actor(),
            )
        ),
        as_json,
        f"packed {len(children)} into {parent}",
    )  # fmt: skip


@units_app.command("unpack")
def units_unpack(
    parent: Annotated[str, typer.Argument(help="The case or pallet.")],
    children: Annotated[
        list[str] | None, typer.Argument(help="What to take out [default: everything].")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Unpack a case or pallet, as POST /api/disaggregations does."""
    from unitrace.api.answers import EventOut
    from unitrace.services import lifecycle

    recorded(
        lambda uow: EventOut.of(
            lifecycle.disaggregate(
                uow, parent=read_code_argument(parent),
                children=None if not children else codes_of(children), actor=cli_actor(),
            )
        ),
        as_json,
        f"unpacked {parent}",
    )  # fmt: skip


def print_shipment(answer: object, as_json: bool) -> None:
    from unitrace.api.answers import ShipmentOut

    assert isinstance(answer, ShipmentOut)
    if printed_as_json(answer, as_json):
        return
    say(
        f"shipped {answer.units:,} units to {answer.party}"
        + (
            f" in {len(answer.containers):,} container{'s' if len(answer.containers) > 1 else ''}"
            if answer.containers
            else ""
        )
        + f": event {answer.event.event_id}"
    )


@units_app.command("ship")
def units_ship(
    codes: Codes,
    party: Annotated[str, typer.Option(help="The party it goes to.")],
    as_json: AsJson = False,
) -> None:
    """Ship units, cases or pallets to a party, as POST /api/shipments does; everything inside
    goes with them."""
    from unitrace.api.answers import ShipmentOut
    from unitrace.services import lifecycle

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        answer = ShipmentOut.of(
            lifecycle.ship(uow, codes=codes_of(codes), party=party, actor=cli_actor())
        )
        uow.commit()
    print_shipment(answer, as_json)


@units_app.command("allocate")
def units_allocate(
    party: Annotated[str, typer.Option(help="The party it goes to.")],
    gtin: Annotated[str | None, typer.Option(help="The product, with --lot and the seqs.")] = None,
    lot: Annotated[str | None, typer.Option(help="The lot.")] = None,
    seq_from: Annotated[int | None, typer.Option(help="First seq.")] = None,
    seq_to: Annotated[int | None, typer.Option(help="Last seq.")] = None,
    codes: Annotated[
        list[str] | None, typer.Argument(help="Or the unit or container codes.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Ship a seq range of a lot ("Distributor A receives 1-10,000") or a list of codes, as
    POST /api/allocations does."""
    from unitrace.api.answers import ShipmentOut
    from unitrace.cli.common import fail
    from unitrace.services import lifecycle

    by_range = (gtin, lot, seq_from, seq_to)
    if not codes and None in by_range:
        fail("give either codes, or --gtin, --lot, --seq-from and --seq-to")
    if codes and any(value is not None for value in by_range):
        fail("give either codes, or --gtin, --lot, --seq-from and --seq-to, not both")
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        answer = ShipmentOut.of(
            lifecycle.allocate(
                uow, actor=cli_actor(), party=party, gtin=gtin, lot=lot, seq_from=seq_from,
                seq_to=seq_to, codes=codes_of(codes) if codes else None,
            )
        )  # fmt: skip
        uow.commit()
    print_shipment(answer, as_json)


@units_app.command("receive")
def units_receive(codes: Codes, location_gln: LocationGln = None, as_json: AsJson = False) -> None:
    """Receive units, cases or pallets, as POST /api/receipts does."""
    from unitrace.api.answers import EventOut
    from unitrace.services import lifecycle

    recorded(
        lambda uow: EventOut.of(
            lifecycle.receive(
                uow, codes=codes_of(codes), location_gln=location_gln, actor=cli_actor()
            )
        ),
        as_json,
        f"received {len(codes)} code(s)",
    )


STATES = (
    "supplied, destroyed, stolen, sample, free_sample, exported, locked, checked_out, "
    "active (undo), …"
)


@units_app.command("state")
def units_state(
    codes: Codes,
    to: Annotated[str, typer.Option("--to", help=f"The new state: {STATES}")],
    location_gln: LocationGln = None,
    as_json: AsJson = False,
) -> None:
    """Decommission units (supplied, destroyed, stolen, sample, …) or undo within the rules, as
    POST /api/state-changes does; a container stands for every unit in it."""
    from unitrace.api.answers import EventOut
    from unitrace.registry.errors import InvalidRequest
    from unitrace.registry.model import UnitState
    from unitrace.services import lifecycle

    def change(uow: UnitOfWork) -> EventOut:
        try:
            state = UnitState(to)
        except ValueError:
            names = ", ".join(UnitState)
            raise InvalidRequest(f"--to: {to!r} is not a unit state ({names})") from None
        return EventOut.of(
            lifecycle.change_state(
                uow, codes=codes_of(codes), to=state, location_gln=location_gln, actor=cli_actor()
            )
        )

    recorded(change, as_json, f"{len(codes)} code(s) now {to}")


@units_app.command("show")
def units_show(
    gtin_or_code: Annotated[str, typer.Argument(help="The GTIN, or the unit's code, any form.")],
    serial: Annotated[str | None, typer.Argument(help="The serial, after a GTIN.")] = None,
    as_json: AsJson = False,
) -> None:
    """A unit's state, lot, seq, container, custodian and history, as GET
    /api/units/{gtin}/{serial} answers."""
    from unitrace.api.answers import UnitOut
    from unitrace.gs1 import InvalidCode, parse
    from unitrace.services import lifecycle

    with bad_input_is_one_line():
        if serial is None:
            scan = parse(read_code_argument(gtin_or_code))
            if scan.gtin is None or scan.serial is None:
                raise InvalidCode(f"{gtin_or_code}: not a unit's code (a GTIN and a serial)")
            gtin, serial = scan.gtin.value, scan.serial
        else:
            gtin = gtin_or_code
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        unit = UnitOut.of(lifecycle.unit_view(uow, gtin=gtin, serial=serial, actor=cli_actor()))
    if printed_as_json(unit, as_json):
        return
    say(f"unit {unit.epc}: {unit.state}")
    facts = [
        ("lot", f"{unit.lot} (seq {unit.seq}, expires {unit.expiry.isoformat()})"),
        ("container", unit.container),
        ("custodian", unit.custodian),
        ("location", unit.location),
        ("since", None if unit.state_since is None else unit.state_since.isoformat()),
    ]
    for label, fact in facts:
        if fact:
            say(f"  {label:>9}  {fact}")
    print_history(unit.history)


def print_history(history: list[EventOut]) -> None:
    shown = table(f"{len(history)} events")
    identifier_column(shown, "time")
    shown.add_column("type", overflow="fold")
    shown.add_column("bizStep", overflow="fold")
    shown.add_column("disposition", overflow="fold")
    identifier_column(shown, "party")
    for event in history:
        shown.add_row(
            event.event_time.strftime("%Y-%m-%d %H:%M:%S"),
            event.type.removesuffix("Event") + (f" {event.action}" if event.action else ""),
            (event.biz_step or "").rsplit(":", 1)[-1],
            (event.disposition or "").rsplit(":", 1)[-1],
            event.party or "",
        )
    stdout.print(shown)


@containers_app.command("show")
def containers_show(
    code: Annotated[str, typer.Argument(help="An SSCC, GTIN + serial, or EPC URI.")],
    as_json: AsJson = False,
) -> None:
    """A case or pallet with what it holds, as GET /api/containers/{code} answers."""
    from unitrace.api.answers import ContainerOut
    from unitrace.services import lifecycle

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = ContainerOut.of(
            lifecycle.container_view(uow, code=read_code_argument(code), actor=cli_actor())
        )
    if printed_as_json(found, as_json):
        return
    say(f"{found.kind} {found.epc}: {found.unit_count:,} units inside")
    for label, fact in (("in", found.parent), ("custodian", found.custodian)):
        if fact:
            say(f"  {label:>9}  {fact}")
    for inside in [*found.containers, *found.units]:
        say(f"  {inside}")
