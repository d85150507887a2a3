"""The temperatures an EPCIS 2.0 event's sensor data reports, as cold chain readings: each
``sensorReport`` of type ``Temperature`` (any spelling, see
:func:`~unitrace.epcis.sensor_reports.measurement_type`) in ``CEL``, ``FAH`` or ``KEL`` with a
value to read. A partner's EPCIS events then feed the same store as the data loggers do.

For each report:

- the device is the report's ``deviceID``, else its element's metadata's, else one named
  after the event (:func:`event_device`), so that readings without a device still belong to
  the event's objects;
- the time is the report's own (``time``, or ``startTime``/``endTime`` for a range), else the
  metadata's, else the event's ``eventTime``; a range is read at its start, until its end;
- the temperature is ``value``, else ``meanValue``, else the midpoint of ``minValue`` and
  ``maxValue``; a report with none of them (an alarm, an exception) is no reading.

Reports in any other unit of measure are no readings either, nor are reports of temperatures
no reading may say (below absolute zero, hotter than
:data:`~unitrace.coldchain.temperatures.HOTTEST_C`, or beyond what a float holds): the event
stays as the partner sent it, and its reports can still be queried.

Also here: sensor values in the one unit of their quantity that queries compare in
(:func:`comparable`): temperatures in degrees Celsius, anything else in its own unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, overload

from unitrace.coldchain.instants import epoch_ms
from unitrace.coldchain.temperatures import (
    ABSOLUTE_ZERO_C,
    HOTTEST_C,
    TEMPERATURE_UNITS,
    to_celsius,
)
from unitrace.epcis.sensor_reports import METADATA, SensorRow, sensor_rows

__all__ = [
    "EVENT_DEVICE_PREFIX",
    "TEMPERATURE",
    "TemperatureReport",
    "comparable",
    "comparable_spread",
    "event_device",
    "temperature_reports",
]

#: The measurement type of temperatures, as :func:`sensor_rows` spells it.
TEMPERATURE: Final = "Temperature"
#: Devices named after the event whose reports name none.
EVENT_DEVICE_PREFIX: Final = "urn:unitrace:event-sensor:"
#: How a spread (a standard deviation) of each temperature unit becomes degrees Celsius.
_SPREAD_SCALE: Final = {"CEL": 1.0, "FAH": 5.0 / 9.0, "KEL": 1.0}


@dataclass(frozen=True, slots=True)
class TemperatureReport:
    """One temperature an event reports: by ``device`` at ``at_ms`` (UTC epoch milliseconds;
    over a range until ``until_ms``), in degrees Celsius, with the range's extremes where
    the report gives them."""

    device: str
    at_ms: int
    celsius: float
    until_ms: int | None = None
    min_c: float | None = None
    max_c: float | None = None


def event_device(event_id: str) -> str:
    """The device of an event's reports that name none.

    >>> event_device("urn:uuid:1")
    'urn:unitrace:event-sensor:urn:uuid:1'
    """
    return EVENT_DEVICE_PREFIX + event_id


def temperature_reports(
    event: Mapping[str, Any], rows: Sequence[SensorRow] | None = None
) -> list[TemperatureReport]:
    """The temperature readings of ``event`` (an event dict of an EPCISDocument, with its
    ``eventID`` and ``eventTime``), in document order; from its ``rows`` where read already
    (:func:`~unitrace.epcis.sensor_reports.sensor_rows`)."""
    if rows is None:
        rows = sensor_rows(event)
    metadata = {row.element: row for row in rows if row.position == METADATA}
    event_time = dt.datetime.fromisoformat(event["eventTime"])
    reports: list[TemperatureReport] = []
    for row in rows:
        if row.position == METADATA or row.type != TEMPERATURE:
            continue
        uom = row.uom
        if uom is None or uom not in TEMPERATURE_UNITS:
            continue
        reading = _celsius(row, uom)
        if reading is None:
            continue
        min_c = None if row.min_value is None else to_celsius(row.min_value, uom)
        max_c = None if row.max_value is None else to_celsius(row.max_value, uom)
        if not all(_possible(found) for found in (reading, min_c, max_c) if found is not None):
            # a sensor's fault, not a temperature: judged, it would make a trip's mean or
            # MKT infinite or meaningless (below absolute zero the MKT's kelvin turn negative)
            continue
        meta = metadata.get(row.element, SensorRow(row.element, METADATA))
        at, until = _when(row) or _when(meta) or (event_time, None)
        reports.append(
            TemperatureReport(
                device=row.device_id or meta.device_id or event_device(str(event["eventID"])),
                at_ms=epoch_ms(at),
                celsius=reading,
                until_ms=None if until is None else epoch_ms(until),
                min_c=min_c,
                max_c=max_c,
            )
        )
    return reports


def comparable(value: float | None, uom: str | None) -> tuple[str | None, float | None]:
    """``value`` in ``uom`` as queries compare it: a temperature in degrees Celsius (unit
    ``CEL``), anything else as it is.

    >>> comparable(98.6, "FAH"), comparable(12.1, "A93")
    (('CEL', 37.0), ('A93', 12.1))
    """
    if uom is not None and uom in TEMPERATURE_UNITS:
        return "CEL", None if value is None else to_celsius(value, uom)
    return uom, value


@overload
def comparable_spread(spread: float, uom: str | None) -> float: ...
@overload
def comparable_spread(spread: None, uom: str | None) -> None: ...
@overload
def comparable_spread(spread: float | None, uom: str | None) -> float | None: ...
def comparable_spread(spread: float | None, uom: str | None) -> float | None:
    """A standard deviation in ``uom`` as :func:`comparable` compares it: a temperature's
    scaled to degrees Celsius (a spread has no offset).

    >>> comparable_spread(1.8, "FAH")
    1.0
    """
    if spread is None or uom not in _SPREAD_SCALE:
        return spread
    return round(spread * _SPREAD_SCALE[uom], 9) + 0.0


def _celsius(row: SensorRow, uom: str) -> float | None:
    if row.value is not None:
        return to_celsius(row.value, uom)
    if row.mean_value is not None:
        return to_celsius(row.mean_value, uom)
    if row.min_value is not None and row.max_value is not None:
        return to_celsius((row.min_value + row.max_value) / 2.0, uom)
    return None


def _possible(celsius: float) -> bool:
    """Whether ``celsius`` is a temperature a reading may say (as an upload's are checked)."""
    return ABSOLUTE_ZERO_C <= celsius <= HOTTEST_C


def _when(row: SensorRow) -> tuple[dt.datetime, dt.datetime | None] | None:
    if row.time is not None:
        return row.time, None
    if row.start_time is not None and row.end_time is not None:
        return row.start_time, row.end_time
    return None
