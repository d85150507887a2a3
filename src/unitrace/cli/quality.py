"""``unitrace assemblies`` and ``unitrace inspections``: components recorded into a device,
and inspections whose failure puts units on hold, calling the services ``POST
/api/assemblies`` and ``POST /api/inspections`` call (``--json`` prints the route's answer).

A component already consumed, or a held unit shipped or dispensed, is refused naming the
rule (exit 2); a change the state table refuses exits 3."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.common import EXIT_STATUSES, AsJson, cli_actor, read_code_argument
from unitrace.cli.units import LocationGln, codes_of, recorded

if TYPE_CHECKING:
    from unitrace.services.lifecycle import Certification, LotComponent

assemblies_app = typer.Typer(
    help="Assemblies: components (units, or lots by quantity) into a serialized device.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)
inspections_app = typer.Typer(
    help="Inspections: a failure holds the units covered, a pass releases them.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)

At = Annotated[
    str | None,
    typer.Option("--at", help="When, ISO 8601 with its UTC offset (default: now)."),
]


def _time(at: str | None) -> dt.datetime | None:
    from unitrace.registry.errors import InvalidRequest

    if at is None:
        return None
    try:
        return dt.datetime.fromisoformat(at)
    except ValueError:
        raise InvalidRequest(f"--at: {at!r} is not an ISO 8601 time") from None


def _lot_component(text: str) -> LotComponent:
    """``GTIN:LOT:QUANTITY`` (the lot may hold ``:``: the GTIN is digits, the quantity a
    number)."""
    from unitrace.registry.errors import InvalidRequest
    from unitrace.services.lifecycle import LotComponent

    gtin, _, rest = text.partition(":")
    lot, _, quantity = rest.rpartition(":")
    try:
        return LotComponent(gtin, lot, float(quantity))
    except ValueError:
        raise InvalidRequest(f"--lot: {text!r} is not GTIN:LOT:QUANTITY") from None


@assemblies_app.command("record")
def assemblies_record(
    device: Annotated[str, typer.Option(help="The serialized device's code, any form.")],
    components: Annotated[
        list[str] | None, typer.Argument(help="Serialized components' codes, any form.")
    ] = None,
    lots: Annotated[
        list[str] | None,
        typer.Option("--lot", help="A component known by lot: GTIN:LOT:QUANTITY (repeatable)."),
    ] = None,
    location_gln: LocationGln = None,
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Record that components went into a device, as POST /api/assemblies does."""
    from unitrace.api.routers.assemblies import AssemblyOut
    from unitrace.services import lifecycle
    from unitrace.store.unit_of_work import UnitOfWork

    def assemble(uow: UnitOfWork) -> AssemblyOut:
        parts: list[str | LotComponent] = [*codes_of(components or [])]
        parts += [_lot_component(text) for text in lots or ()]
        made = lifecycle.assemble(
            uow,
            device=read_code_argument(device),
            components=parts,
            actor=cli_actor(),
            location_gln=location_gln,
            at=_time(at),
        )
        return AssemblyOut.of_assembly(made)

    count = len(components or ()) + len(lots or ())
    recorded(assemble, as_json, f"{count} component(s) into {device}")


@inspections_app.command("record")
def inspections_record(
    target: Annotated[str, typer.Argument(help="A unit, a container or a lot (GTIN + lot).")],
    result: Annotated[str, typer.Option(help="pass or fail.")],
    agency: Annotated[str | None, typer.Option(help="The certifying agency.")] = None,
    standard: Annotated[str | None, typer.Option(help="The standard certified against.")] = None,
    value: Annotated[str | None, typer.Option(help="The certificate's value.")] = None,
    identification: Annotated[
        str | None, typer.Option(help="The certificate's number, or its URI.")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="What the inspector noted.")] = None,
    location_gln: LocationGln = None,
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Record an inspection, as POST /api/inspections does: a fail holds the units covered,
    a pass releases them."""
    from unitrace.api.routers.inspections import InspectionOut
    from unitrace.services import lifecycle
    from unitrace.store.unit_of_work import UnitOfWork

    def inspect(uow: UnitOfWork) -> InspectionOut:
        made = lifecycle.inspect(
            uow,
            targets=[read_code_argument(target)],
            result=result,
            certification=_certification(agency, standard, value, identification),
            notes=notes,
            actor=cli_actor(),
            location_gln=location_gln,
            at=_time(at),
        )
        return InspectionOut.of_inspection(made)

    recorded(inspect, as_json, f"inspection of {target}: {result}")


def _certification(
    agency: str | None, standard: str | None, value: str | None, identification: str | None
) -> Certification | None:
    from unitrace.registry.errors import InvalidRequest
    from unitrace.services.lifecycle import Certification

    given = {
        "agency": agency,
        "standard": standard,
        "value": value,
        "identification": identification,
    }
    if all(part is None for part in given.values()):
        return None
    missing = [f"--{name}" for name, part in given.items() if part is None]
    if missing:
        raise InvalidRequest(f"{', '.join(missing)}: a certification needs all four parts")
    return Certification(
        agency=agency or "",
        standard=standard or "",
        value=value or "",
        identification=identification or "",
    )
