"""``unitrace coldchain``: products' storage conditions, data loggers' readings uploaded from a
file, and what a logger was attached to, calling the services ``PUT
/api/products/{gtin}/storage``, ``POST /api/sensor-readings`` and ``POST
/api/sensor-devices/{device}/attachments`` call (``--json`` prints the route's answer).

A bad row of an upload is refused naming it, and nothing of the file is stored (exit 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unitrace.cli.common import (
    EXIT_STATUSES,
    AsJson,
    bad_input_is_one_line,
    cli_actor,
    open_registry,
    printed_as_json,
    progress_bar,
    read_code_argument,
    say,
)

if TYPE_CHECKING:
    from unitrace.api.routers.storage_conditions import StorageOut
    from unitrace.services.cold_chain.breaches import LotJudged
    from unitrace.services.cold_chain.readings import Readings

coldchain_app = typer.Typer(
    help="Cold chain: storage conditions, data loggers' readings and attachments.",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)
conditions_app = typer.Typer(
    help="A product's storage conditions (USP <1079.2> defaults).",
    no_args_is_help=True,
    epilog=EXIT_STATUSES,
)
coldchain_app.add_typer(conditions_app, name="conditions")

Celsius = Annotated[float | None, typer.Option(help="Degrees Celsius.")]


@conditions_app.command("set")
def conditions_set(
    gtin: Annotated[str, typer.Argument(help="The product's GTIN.")],
    min_c: Annotated[float, typer.Option("--min-c", help="The band's bottom, °C.")],
    max_c: Annotated[float, typer.Option("--max-c", help="The band's top, °C.")],
    excursion_min_c: Celsius = None,
    excursion_max_c: Celsius = None,
    excursion_max_minutes: Annotated[
        int | None, typer.Option(help="Minutes out of the band allowed in all, 1-525600.")
    ] = None,
    mkt_max_c: Annotated[
        float | None, typer.Option(help="The MKT's limit, °C [default: --max-c].")
    ] = None,
    mkt_window: Annotated[
        str | None, typer.Option(help="24h or 30d [default: 24h when --max-c <= 8, else 30d].")
    ] = None,
    delta_h_over_r: Annotated[
        float | None, typer.Option(help="ΔH/R in kelvin [default: 10000].")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Set a product's storage conditions, as PUT /api/products/{gtin}/storage does."""
    from unitrace.api.routers.storage_conditions import StorageOut
    from unitrace.registry.errors import InvalidRequest
    from unitrace.services.cold_chain import conditions

    excursion_parts = {
        "min_c": excursion_min_c,
        "max_c": excursion_max_c,
        "max_minutes": excursion_max_minutes,
    }
    mkt_parts = {"max_c": mkt_max_c, "window": mkt_window, "delta_h_over_r": delta_h_over_r}
    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        given = [name for name, value in excursion_parts.items() if value is not None]
        if given and len(given) < len(excursion_parts):
            missing = [
                f"--excursion-{name.replace('_', '-')}"
                for name, value in excursion_parts.items()
                if value is None
            ]
            raise InvalidRequest(f"{', '.join(missing)}: an excursion needs all three parts")
        mkt = {name: value for name, value in mkt_parts.items() if value is not None}
        found = conditions.set_conditions(
            uow,
            gtin=gtin,
            min_c=min_c,
            max_c=max_c,
            excursion=excursion_parts if given else None,
            mkt=mkt or None,
            actor=cli_actor(),
        )
        uow.commit()
    _print_storage(StorageOut.of(found), as_json)


@conditions_app.command("show")
def conditions_show(
    gtin: Annotated[str, typer.Argument(help="The product's GTIN.")],
    as_json: AsJson = False,
) -> None:
    """A product's storage conditions, as GET /api/products/{gtin}/storage answers."""
    from unitrace.api.routers.storage_conditions import StorageOut
    from unitrace.services.cold_chain import conditions

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = conditions.product_conditions(uow, gtin)
    _print_storage(StorageOut.of(found), as_json)


def _print_storage(answer: StorageOut, as_json: bool) -> None:
    if printed_as_json(answer, as_json):
        return
    mkt = answer.mkt
    say(f"{answer.gtin}: {answer.in_words}")
    say(f"mean kinetic temperature at most {mkt.max_c:g} °C over {mkt.window}, "
        f"ΔH/R {mkt.delta_h_over_r:g} K")  # fmt: skip


@coldchain_app.command("attach")
def attach(
    device: Annotated[str, typer.Argument(help="The logger's ID.")],
    start: Annotated[str, typer.Option("--from", help="From when, ISO 8601 with its UTC offset.")],
    to: Annotated[
        str | None, typer.Option("--to", help="A container's or unit's code, any form.")
    ] = None,
    location: Annotated[str | None, typer.Option("--location", help="A GLN.")] = None,
    shipment: Annotated[
        str | None, typer.Option("--shipment", help="A shipping event's eventID.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--until", help="Until when [default: still attached].")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Say what a logger measured, as POST /api/sensor-devices/{device}/attachments does."""
    from unitrace.api.cold_chain_answers import LotJudgedOut
    from unitrace.api.routers.sensor_readings import AttachedOut, AttachmentOut
    from unitrace.services.cold_chain import attachments

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        made = attachments.attach(
            uow,
            device=device,
            to=None if to is None else read_code_argument(to),
            location=location,
            shipment=shipment,
            start=_time(start, "--from"),
            end=None if end is None else _time(end, "--until"),
            actor=cli_actor(),
        )
        uow.commit()
    answer = AttachedOut(
        **AttachmentOut.of(made.attachment).model_dump(by_alias=False),
        judged=[LotJudgedOut.of(lot) for lot in made.judged],
    )
    if printed_as_json(answer, as_json):
        return
    until = "" if answer.until is None else f" until {answer.until.isoformat()}"
    say(f"{device} attached to {answer.target_kind} {answer.target} from "
        f"{answer.from_.isoformat()}{until}")  # fmt: skip
    _say_judged(made.judged)


@coldchain_app.command("upload")
def upload(
    file: Annotated[
        Path, typer.Argument(help="CSV: device,time,value,uom (or time,value,uom with --device).")
    ],
    device: Annotated[
        str | None, typer.Option("--device", help="The logger all the file's readings are of.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Store a logger's readings from a CSV file, as POST /api/sensor-readings does: times
    ISO 8601 with their UTC offset, units CEL, FAH or KEL. One bad row refuses the whole
    file, naming it; a reading stored already (same device and time) is skipped."""
    from unitrace.coldchain.instants import instant
    from unitrace.services.cold_chain import readings

    database = open_registry()
    with bad_input_is_one_line():
        if device is not None:
            readings.check_device(device, "--device")
        parsed = _read(file, device)
        with (
            database.unit_of_work() as uow,
            progress_bar("storing readings", len(parsed)) as stored,
        ):
            landed = readings.ingest(uow, parsed, actor=cli_actor(), progress=stored)
            uow.commit()
    if as_json:
        # the route's answer model only when asked for: the web framework is a second's import
        from unitrace.api.routers.sensor_readings import UploadOut

        printed_as_json(UploadOut.of(landed), as_json)
        return
    say(f"stored {landed.stored:,} readings, skipped {landed.skipped:,} held already, of "
        f"{', '.join(landed.devices)} from {instant(landed.from_ms).isoformat()} "
        f"until {instant(landed.until_ms).isoformat()}")  # fmt: skip
    _say_judged(landed.judged)


@coldchain_app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="A unit, a container or a lot, any form.")],
    as_json: AsJson = False,
) -> None:
    """What a unit, container or lot went through and its verdict, as GET /api/cold-chain
    answers: the periods each logger measured, the gaps, the extremes, mean and mean kinetic
    temperature, the excursions; for a lot, its units counted by verdict."""
    from unitrace.api.cold_chain_answers import ExposureOut, LotExposureOut
    from unitrace.services.cold_chain.exposure import cold_chain_of
    from unitrace.services.cold_chain.view import LotExposure

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work(read_only=True) as uow:
        found = cold_chain_of(uow, code=read_code_argument(code), actor=cli_actor())
    if isinstance(found, LotExposure):
        lot = LotExposureOut.of(found)
        if printed_as_json(lot, as_json):
            return
        counted = ", ".join(f"{verdict} {count:,}" for verdict, count in lot.verdicts.items())
        say(f"lot {lot.lot} of {lot.gtin}: {lot.units:,} units: {counted}")
        return
    answer = ExposureOut.of(found)
    if printed_as_json(answer, as_json):
        return
    say(f"{answer.subject} {answer.epc}: {answer.verdict or 'not judged'}")
    for period in answer.periods:
        say(f"  {period.from_.isoformat()} to {period.until.isoformat()}  "
            f"{period.source.label} ({period.readings:,} readings)")  # fmt: skip
    for gap in answer.gaps:
        say(f"  {gap.from_.isoformat()} to {gap.until.isoformat()}  gap: {gap.reason}")
    if answer.max_c is not None:
        say(f"  min {answer.min_c:g} °C, max {answer.max_c:g} °C, mean {answer.mean_c:.2f} °C"
            + (f", MKT {answer.mkt_c:.2f} °C" if answer.mkt_c is not None else ""))  # fmt: skip
    for excursion in answer.excursions:
        allowed = "allowed" if excursion.allowed else "not allowed"
        say(f"  excursion {excursion.start.isoformat()} to {excursion.end.isoformat()}: peak "
            f"{excursion.peak_c:g} °C, {excursion.minutes:g} min, {allowed}")  # fmt: skip
    for reason in answer.reasons:
        say(f"  breach: {reason}")


@coldchain_app.command("judge")
def judge(
    code: Annotated[str, typer.Argument(help="A unit, a container or a lot, any form.")],
    as_json: AsJson = False,
) -> None:
    """Judge now the lots of a unit, container or lot, as POST /api/cold-chain/judgements
    does: a breach records its excursion, raises an alert and holds the units."""
    from unitrace.api.cold_chain_answers import LotJudgedOut
    from unitrace.services.cold_chain.breaches import judge_code

    database = open_registry()
    with bad_input_is_one_line(), database.unit_of_work() as uow:
        judged = judge_code(uow, code=read_code_argument(code), actor=cli_actor())
        uow.commit()
    if as_json:
        printed_as_json([LotJudgedOut.of(lot) for lot in judged], as_json)
        return
    _say_judged(judged, every=True)


def _say_judged(judged: Sequence[LotJudged], *, every: bool = False) -> None:
    """A line per lot judged (with ``every``, else only those whose judgement found
    something new)."""
    for lot in judged:
        if not (every or lot.excursions):
            continue
        counted = ", ".join(
            f"{verdict or 'none'} {count:,}" for verdict, count in lot.verdicts.items()
        )
        say(f"lot {lot.lot} of {lot.gtin}: {counted}; {lot.excursions} excursions recorded, "
            f"{lot.breaches} breaches, {lot.held:,} units put on hold")  # fmt: skip


def _read(file: Path, device: str | None) -> Readings:
    """The file's readings, with a progress bar over its lines."""
    from unitrace.registry.errors import InvalidRequest
    from unitrace.services.cold_chain import readings

    rows = max(_lines(file) - 1, 0)
    with (
        file.open(encoding="utf-8", newline="") as lines,
        progress_bar("reading readings", rows) as advance,
    ):
        try:
            return readings.read_csv(lines, device=device, progress=advance)
        except UnicodeDecodeError as error:
            raise InvalidRequest(f"{file}: not UTF-8 text (byte {error.start})") from None


def _lines(file: Path) -> int:
    count = 0
    with file.open("rb") as binary:
        while chunk := binary.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _time(text: str, option: str) -> dt.datetime:
    from unitrace.registry.errors import InvalidRequest

    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{option}: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise InvalidRequest(f"{option}: {text!r} has no UTC offset (add Z or +hh:mm)")
    return moment
