"""Data loggers' readings in: a CSV file (``device,time,value,uom``, or ``time,value,uom`` for
one device named apart) or a JSON document (``{"readings": [{device, time, value, uom}]}``),
read whole and checked before anything is stored, then stored set-wise.

A logger's whole trip comes in one upload, a million readings or more, so reading is
column-wise: each row becomes an integer (its instant in milliseconds since the Unix epoch,
UTC), a float (degrees Celsius) and the index of its device, and nothing else is made per row.
A device name or a unit of measure is checked once, however many rows repeat it.

One bad row refuses the whole upload, naming the row and the field: a time without its UTC
offset (a logger's local time is ambiguous twice a year and unknown across borders), a time the
calendar cannot tell in UTC, a unit that is not a UN/CEFACT temperature code, a value that is
not a finite number, is below absolute zero or hotter than any logger reads, an empty device.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from unitrace.coldchain.temperatures import ABSOLUTE_ZERO_C, HOTTEST_C, TEMPERATURE_UNITS
from unitrace.registry.errors import Forbidden, InvalidRequest
from unitrace.registry.model import Actor, Role
from unitrace.services.cold_chain.breaches import LotJudged, judge_devices
from unitrace.store.sensor_intake import SensorIntake
from unitrace.store.unit_of_work import UnitOfWork

#: The longest device ID stored.
MAX_DEVICE_LENGTH: Final = 128
#: The columns of an upload's CSV, and of one device's (the device named apart).
CSV_COLUMNS: Final = ("device", "time", "value", "uom")
ONE_DEVICE_COLUMNS: Final = ("time", "value", "uom")
#: The first and the last instant the calendar holds in UTC, in ms since the epoch: a time
#: beyond them (year 1 an hour east of Greenwich) could be stored but never told again.
FIRST_MS: Final = round(dt.datetime.min.replace(tzinfo=dt.UTC).timestamp() * 1000)
LAST_MS: Final = round(
    dt.datetime.max.replace(microsecond=999_000, tzinfo=dt.UTC).timestamp() * 1000
)
#: Rows read between two calls of a progress callback.
PROGRESS_EVERY: Final = 50_000

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Readings:
    """An upload's readings, read and checked: the devices it names (in order of first
    appearance) and, per reading, its device's index in them, its instant (ms since the
    epoch, UTC) and its value in degrees Celsius."""

    devices: tuple[str, ...]
    device_of: Sequence[int]
    times_ms: Sequence[int]
    celsius: Sequence[float]

    def __len__(self) -> int:
        return len(self.times_ms)


@dataclass(frozen=True, slots=True)
class Landed:
    """What an upload stored: how many readings were new and how many the store held
    already (same device, same instant), the devices by name and by key, and the time the
    upload spans (its earliest and latest reading, ms since the epoch, UTC)."""

    stored: int
    skipped: int
    devices: tuple[str, ...]
    device_ids: frozenset[int]
    from_ms: int
    until_ms: int
    #: the lots the readings concern, judged (:mod:`unitrace.services.cold_chain.breaches`)
    judged: tuple[LotJudged, ...] = ()


def read_csv(
    lines: Iterable[str],
    *,
    device: str | None = None,
    progress: Progress | None = None,
) -> Readings:
    """The readings of a CSV upload: a header naming ``device,time,value,uom`` (any order),
    or, with ``device`` given, ``time,value,uom``; then one reading per row. Rows are
    counted from 1 after the header.

    >>> read_csv(["device,time,value,uom", "LOG-7,2026-03-01T08:00:00+01:00,39.2,FAH"])
    Readings(devices=('LOG-7',), device_of=[0], times_ms=[1772348400000], celsius=[4.0])
    """
    rows = csv.reader(_without_bom(lines), strict=True)
    try:
        header = next(rows, None)
        if header is None:
            raise InvalidRequest("header: the file is empty; its first line names the columns")
        return _readings(rows, _csv_layout(header, device), progress)
    except csv.Error as error:
        raise InvalidRequest(f"row {rows.line_num - 1}: not CSV: {error}") from None


def read_json(document: Any) -> Readings:
    """The readings of a JSON upload ``{"readings": [{device, time, value, uom}, …]}``;
    readings are named by their index (``readings[0]`` is the first).

    >>> read_json({"readings": [
    ...     {"device": "LOG-7", "time": "2026-03-01T07:00:00Z", "value": 277.15, "uom": "KEL"}]})
    Readings(devices=('LOG-7',), device_of=[0], times_ms=[1772348400000], celsius=[4.0])
    """
    if not isinstance(document, Mapping) or set(document) != {"readings"}:
        raise InvalidRequest('readings: the body is {"readings": [{device, time, value, uom}]}')
    listed = document["readings"]
    if not isinstance(listed, list):
        raise InvalidRequest("readings: a list of {device, time, value, uom}")
    return _readings(_json_rows(listed), _JSON_LAYOUT, None)


def ingest(
    uow: UnitOfWork, readings: Readings, *, actor: Actor, progress: Progress | None = None
) -> Landed:
    """Store ``readings``: devices named for the first time are registered, and a reading
    the store holds already (same device, same instant) is skipped, as is a repeat within
    the upload; the upload is audited under the caller's name (and party).
    ``progress`` is told how many readings have been written so far."""
    if not readings.times_ms:
        raise InvalidRequest("readings: the upload holds no reading")
    intake = SensorIntake(uow.connection)
    # a device takes the readings of the party that registered it only: no party writes, or
    # first writes, what another's logger read
    party = actor.party_id if actor.role is Role.DISTRIBUTOR else None
    others = intake.others(readings.devices, party)
    if others:
        device, owner = others[0]
        whose = "the brand" if owner is None else f"party {owner}"
        raise Forbidden(
            f"device: {device} is a device of {whose}; only its readings are taken (name "
            "your own logger otherwise)"
        )
    keys = intake.device_ids(readings.devices, party)
    device_keys = [keys[name] for name in readings.devices]
    stored = intake.add_readings(
        [device_keys[index] for index in readings.device_of] if len(device_keys) > 1 else None,
        device_keys[0],
        readings.times_ms,
        readings.celsius,
        progress,
    )
    landed = Landed(
        stored=stored,
        skipped=len(readings) - stored,
        devices=readings.devices,
        device_ids=frozenset(device_keys),
        from_ms=min(readings.times_ms),
        until_ms=max(readings.times_ms),
    )
    uow.audit.record(
        actor.name,
        "sensor_readings.uploaded",
        readings.devices[0] if len(readings.devices) == 1 else f"{len(readings.devices)} devices",
        {
            "party": actor.party_id,
            "devices": list(landed.devices),
            "stored": landed.stored,
            "skipped": landed.skipped,
            "from_ms": landed.from_ms,
            "until_ms": landed.until_ms,
        },
    )
    # the lots whose units were where the devices measured, judged in the upload's
    # transaction: a breach holds them before anyone can ship them
    judged = judge_devices(
        uow, landed.device_ids, from_ms=landed.from_ms, until_ms=landed.until_ms, actor=actor
    )
    return replace(landed, judged=tuple(judged))


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a row holds a reading's fields (``device`` None: every row's device is
    ``fixed``),
    how many fields it has, and how a message names the row of an index."""

    device: int | None
    time: int
    value: int
    uom: int
    width: int
    fixed: str
    name: Callable[[int], str]


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    """``lines``, the first without the byte order mark a spreadsheet may write."""
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return
    yield first.removeprefix("\ufeff")
    yield from iterator


def _csv_layout(header: Sequence[str], device: str | None) -> _Layout:
    expected = ONE_DEVICE_COLUMNS if device is not None else CSV_COLUMNS
    named = [name.strip().lower() for name in header]
    missing = [name for name in expected if name not in named]
    unknown = [name for name in named if name not in expected]
    if missing or unknown or len(set(named)) != len(named):
        # a header of a million columns is said in its first few, not echoed whole
        written = ",".join(header)
        shown = written if len(written) <= _HEADER_SHOWN else written[:_HEADER_SHOWN] + "…"
        listed = ", ".join(unknown[:_UNKNOWN_SHOWN]) + (
            f" and {len(unknown) - _UNKNOWN_SHOWN:,} more" if len(unknown) > _UNKNOWN_SHOWN else ""
        )
        raise InvalidRequest(
            f"header: {shown!r} should name the columns {','.join(expected)}"
            + (f" (missing {', '.join(missing)})" if missing else "")
            + (f" (unknown {listed})" if unknown else "")
        )
    return _Layout(
        device=None if device is not None else named.index("device"),
        time=named.index("time"),
        value=named.index("value"),
        uom=named.index("uom"),
        width=len(named),
        fixed=device or "",
        name=lambda index: f"row {index + 1}",
    )


#: How much of a wrong header an error repeats: its first characters, its first unknown names.
_HEADER_SHOWN: Final = 120
_UNKNOWN_SHOWN: Final = 5

_JSON_LAYOUT = _Layout(0, 1, 2, 3, 4, "", lambda index: f"readings[{index}]")


def _json_rows(listed: list[Any]) -> Iterator[tuple[Any, Any, Any, Any]]:
    for index, reading in enumerate(listed):
        where = _JSON_LAYOUT.name(index)
        if not isinstance(reading, dict):
            raise InvalidRequest(f"{where}: an object {{device, time, value, uom}}")
        unknown = set(reading) - set(CSV_COLUMNS)
        if unknown:
            raise InvalidRequest(f"{where}.{sorted(unknown)[0]}: not a field of a reading")
        for name in CSV_COLUMNS:
            if name not in reading:
                raise InvalidRequest(f"{where}.{name}: missing")
        value = reading["value"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidRequest(f"{where}.value: {value!r} is not a number")
        for name in ("device", "time", "uom"):
            if not isinstance(reading[name], str):
                raise InvalidRequest(f"{where}.{name}: {reading[name]!r} is not text")
        yield reading["device"], reading["time"], value, reading["uom"]


def _readings(
    rows: Iterable[Sequence[Any]], layout: _Layout, progress: Progress | None
) -> Readings:
    """Every reading of ``rows`` checked and turned into the columns of :class:`Readings`.

    The loop is the upload's hot path: a device or a unit is looked up in a dict of those
    seen, a row makes two numbers and an index, and a row's name is made only for an error."""
    device_index: dict[str, int] = {}
    converters: dict[str, Callable[[float], float]] = {}
    device_of: list[int] = []
    times_ms: list[int] = []
    celsius: list[float] = []
    fromisoformat = dt.datetime.fromisoformat
    at_device, at_time, at_value, at_uom = layout.device, layout.time, layout.value, layout.uom
    width, fixed, name = layout.width, layout.fixed, layout.name
    number = -1
    for number, row in enumerate(rows):
        if len(row) != width:
            if not row:
                continue  # a blank line, as a file's last often is
            raise InvalidRequest(f"{name(number)}: {len(row)} fields, the header names {width}")
        device: str = fixed if at_device is None else row[at_device]
        index = device_index.get(device)
        if index is None:
            if at_device is not None:
                check_device(device, f"{name(number)}, device")
            index = device_index[device] = len(device_index)
        uom = row[at_uom]
        convert = converters.get(uom)
        if convert is None:
            convert = converters[uom] = _converter(uom, name(number))
        time = row[at_time]
        try:
            moment = fromisoformat(time)
            instant = round(moment.timestamp() * 1000)
        except (TypeError, ValueError, OverflowError):
            raise InvalidRequest(_bad_time(name(number), time)) from None
        if moment.tzinfo is None:
            raise InvalidRequest(
                f"{name(number)}, time: {time!r} has no UTC offset (add Z or +hh:mm, as the "
                "logger recorded it)"
            )
        if not FIRST_MS <= instant <= LAST_MS:
            raise InvalidRequest(f"{name(number)}, time: {time!r} falls off the calendar in UTC")
        value = row[at_value]
        try:
            degrees = round(convert(float(value)), 3) + 0.0
        except (TypeError, ValueError, OverflowError):
            raise InvalidRequest(f"{name(number)}, value: {value!r} is not a number") from None
        if not ABSOLUTE_ZERO_C <= degrees <= HOTTEST_C:
            raise InvalidRequest(_bad_value(name(number), value, uom, degrees))
        device_of.append(index)
        times_ms.append(instant)
        celsius.append(degrees)
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
    if progress is not None:
        progress(number + 1)
    return Readings(tuple(device_index), device_of, times_ms, celsius)


def _bad_time(where: str, time: Any) -> str:
    try:
        dt.datetime.fromisoformat(time)
    except (TypeError, ValueError):
        return f"{where}, time: {time!r} is not an ISO 8601 time"
    return f"{where}, time: {time!r} falls off the calendar in UTC"


def check_device(device: str, field: str) -> None:
    """A device's ID as given: not empty, printable, at most :data:`MAX_DEVICE_LENGTH`."""
    if not device.strip():
        raise InvalidRequest(f"{field}: empty; name the logger")
    if len(device) > MAX_DEVICE_LENGTH:
        raise InvalidRequest(f"{field}: {len(device)} characters, more than {MAX_DEVICE_LENGTH}")
    if not device.isprintable():
        raise InvalidRequest(f"{field}: {device!r} holds control characters")


def _converter(uom: str, where: str) -> Callable[[float], float]:
    convert = TEMPERATURE_UNITS.get(uom)
    if convert is None:
        known = ", ".join(TEMPERATURE_UNITS)
        raise InvalidRequest(
            f"{where}, uom: {uom!r} is not a temperature unit (UN/CEFACT codes: {known})"
        )
    return convert


def _bad_value(where: str, value: Any, uom: str, degrees: float) -> str:
    if math.isnan(degrees) or math.isinf(degrees):
        return f"{where}, value: {value!r} {uom} is not a finite temperature"
    if degrees > HOTTEST_C:
        return f"{where}, value: {value!r} {uom} is hotter than any logger reads ({HOTTEST_C:g} °C)"
    return f"{where}, value: {value!r} {uom} is below absolute zero ({ABSOLUTE_ZERO_C} °C)"


def readings_text(document: bytes) -> io.StringIO:
    """An upload's body as text, for :func:`read_csv` (UTF-8, or refused)."""
    try:
        return io.StringIO(document.decode("utf-8"), newline="")
    except UnicodeDecodeError as error:
        raise InvalidRequest(f"body: not UTF-8 text (byte {error.start})") from None
