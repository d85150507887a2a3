"""An EPCIS 2.0 event's sensor data (``sensorElementList``) as flat rows: one per
``sensorMetadata`` and one per ``sensorReport``, each with the fields the standard's sensor
query parameters look at (EPCIS 2.0 section 8.2.7.1: ``EQ_type``, ``EQ_deviceID``,
``GE_time``, ``GE_value_<uom>`` …).

A parameter is met by an event when one of its rows meets it: a ``deviceID`` or a ``time``
counts whether the element's metadata or one of its reports carries it, which is why the
metadata is a row of its own rather than copied onto each report.

Measurement types are kept as the GS1 Web Vocabulary's bare words (``Temperature``) however
the event spells them: bare (the JSON-LD context's vocabulary), ``gs1:Temperature``, the full
URI ``https://gs1.org/voc/Temperature``, or a CURIE whose prefix the event's ``@context`` binds
to the vocabulary; any other type (an extension's ``example:Abc``) as written.

>>> rows = sensor_rows({"sensorElementList": [{"sensorMetadata": {"deviceID": "urn:x:1"},
...     "sensorReport": [{"type": "gs1:Temperature", "value": 5, "uom": "CEL"}]}]})
>>> [(row.position, row.type, row.device_id, row.value) for row in rows]
[(0, None, 'urn:x:1', None), (1, 'Temperature', None, 5.0)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from unitrace.epcis.cbv import GS1_WEB_VOCABULARY
from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.model import SENSOR_REPORT_FIELDS

__all__ = ["METADATA", "SensorRow", "measurement_type", "sensor_rows"]

#: The position of an element's ``sensorMetadata`` row; its reports are 1, 2, … in order.
METADATA: Final = 0
#: Spellings of the GS1 Web Vocabulary's namespace.
_GS1_NAMESPACES: Final = (GS1_WEB_VOCABULARY, "http://gs1.org/voc/")
# the fields each row keeps, named as the event model names them
_NUMBERS: Final = {
    key: SENSOR_REPORT_FIELDS[key]
    for key in ("value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue")
}
_TEXTS: Final = {
    key: SENSOR_REPORT_FIELDS[key]
    for key in (
        "deviceID",
        "dataProcessingMethod",
        "bizRules",
        "microorganism",
        "chemicalSubstance",
        "stringValue",
        "uriValue",
        "uom",
    )
}
_TIMES: Final = {"time": "time", "startTime": "start_time", "endTime": "end_time"}


@dataclass(frozen=True, slots=True)
class SensorRow:
    """One ``sensorMetadata`` (``position`` 0) or ``sensorReport`` (``position`` n, the n-th)
    of the ``element``-th sensor element, with the fields it carries itself (None where it
    has none). Times are in UTC; numbers as the event gives them, in its ``uom``;
    ``hex_binary_value`` in upper case (the same bytes, however written)."""

    element: int
    position: int
    type: str | None = None
    exception: str | None = None
    device_id: str | None = None
    data_processing_method: str | None = None
    biz_rules: str | None = None
    microorganism: str | None = None
    chemical_substance: str | None = None
    string_value: str | None = None
    boolean_value: bool | None = None
    hex_binary_value: str | None = None
    uri_value: str | None = None
    time: dt.datetime | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    uom: str | None = None
    value: float | None = None
    min_value: float | None = None
    max_value: float | None = None
    mean_value: float | None = None
    s_dev: float | None = None
    perc_rank: float | None = None
    perc_value: float | None = None


def sensor_rows(event: Mapping[str, Any]) -> list[SensorRow]:
    """The rows of ``event``'s sensor data, in document order (none without any); measurement
    types read with the prefixes of the event's own ``@context``."""
    elements = event.get("sensorElementList")
    if not isinstance(elements, list):
        return []
    namespaces = namespaces_of(event.get("@context"))
    rows: list[SensorRow] = []
    for index, element in enumerate(elements):
        if not isinstance(element, Mapping):
            continue
        metadata = element.get("sensorMetadata")
        if isinstance(metadata, Mapping):
            rows.append(_row(index, METADATA, metadata, namespaces))
        reports = element.get("sensorReport")
        for position, report in enumerate(reports if isinstance(reports, list) else (), 1):
            if isinstance(report, Mapping):
                rows.append(_row(index, position, report, namespaces))
    return rows


def measurement_type(spelling: str, namespaces: Mapping[str, str]) -> str:
    """The bare word of a GS1 Web Vocabulary measurement type in any spelling; any other
    type as written.

    >>> measurement_type("https://gs1.org/voc/Temperature", {})
    'Temperature'
    >>> measurement_type("voc:Temperature", {"voc": "https://gs1.org/voc/"})
    'Temperature'
    >>> measurement_type("example:Abc", {"example": "https://example.com/"})
    'example:Abc'
    """
    for namespace in _GS1_NAMESPACES:
        if spelling.startswith(namespace):
            return spelling.removeprefix(namespace)
    prefix, colon, word = spelling.partition(":")
    if colon and (prefix == "gs1" or namespaces.get(prefix) in _GS1_NAMESPACES):
        return word
    return spelling


def _row(
    element: int, position: int, fields: Mapping[str, Any], namespaces: Mapping[str, str]
) -> SensorRow:
    values: dict[str, Any] = {}
    kind = fields.get("type")
    if isinstance(kind, str):
        values["type"] = measurement_type(kind, namespaces)
    exception = fields.get("exception")
    if isinstance(exception, str):
        values["exception"] = measurement_type(exception, namespaces)
    for key, column in _TEXTS.items():
        if isinstance(fields.get(key), str):
            values[column] = fields[key]
    hex_binary = fields.get("hexBinaryValue")
    if isinstance(hex_binary, str):
        values["hex_binary_value"] = hex_binary.upper()
    if isinstance(fields.get("booleanValue"), bool):
        values["boolean_value"] = fields["booleanValue"]
    for key, column in _NUMBERS.items():
        number = fields.get(key)
        if isinstance(number, int | float) and not isinstance(number, bool):
            values[column] = float(number)
    for key, column in _TIMES.items():
        values[column] = _time(fields.get(key))
    return SensorRow(element, position, **values)


def _time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo is not None else None
