"""The EPCIS 2.0 sensor query parameters (section 8.2.7.1) read into
:class:`~unitrace.store.epcis_query.SensorCondition` s, each met by an event one of whose
sensorMetadata or sensorReports meets it:

- ``EQ_type`` takes measurement types: bare words of the GS1 Web Vocabulary as the standard
  asks (``Temperature``), or ``gs1:Temperature`` / ``https://gs1.org/voc/Temperature``, all
  three matching however the event spelled it; other types (an extension's) as written;
- ``EQ_deviceID``, ``EQ_dataProcessingMethod``, ``EQ_microorganism``,
  ``EQ_chemicalSubstance``, ``EQ_bizRules`` and ``EQ_uriValue`` take URIs, ``EQ_stringValue``
  strings, ``EQ_hexBinaryValue`` hexadecimal (in either case), all lists;
  ``EQ_booleanValue`` is ``true`` or ``false``;
- ``GE_``/``LT_`` ``time``, ``startTime`` and ``endTime`` take times with a zone;
- ``EQ_``, ``GT_``, ``GE_``, ``LT_``, ``LE_`` of ``value``, ``minValue``, ``maxValue``,
  ``meanValue``, ``sDev`` and ``percValue`` end in a UN/CEFACT unit code
  (``GE_value_CEL``) and take a number: a temperature compares in any temperature unit
  (``CEL``, ``FAH``, ``KEL``: ``GE_value_FAH=46.4`` finds a report of 8 ``CEL``), any other
  quantity only in the unit it was reported in;
- ``GT_``, ``GE_``, ``LT_``, ``LE_percRank`` take a number;
- ``EXISTS_sensorElementList`` takes no value.

The extension-field forms (``EQ_SENSORREPORT_<field>`` …) are not read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from unitrace.coldchain.epcis_reports import comparable_spread
from unitrace.coldchain.temperatures import TEMPERATURE_UNITS, to_celsius
from unitrace.epcis.model import SENSOR_REPORT_FIELDS
from unitrace.epcis.sensor_reports import measurement_type
from unitrace.services.epcis_query.values import QueryParameterException, check_uri, read_time
from unitrace.store.epcis_query import SensorCondition
from unitrace.store.epcis_query.sensor_conditions import Operator

__all__ = [
    "SENSOR_LIST_PARAMETERS",
    "is_sensor_number",
    "sensor_condition_of",
    "stored_sensor_value",
]

#: List parameters: the index column each matches, and whether its values are URIs.
_LISTS: Final = {
    "EQ_type": ("type", False),
    "EQ_deviceID": ("device_id", True),
    "EQ_dataProcessingMethod": ("data_processing_method", True),
    "EQ_microorganism": ("microorganism", True),
    "EQ_chemicalSubstance": ("chemical_substance", True),
    "EQ_bizRules": ("biz_rules", True),
    "EQ_uriValue": ("uri_value", True),
    "EQ_stringValue": ("string_value", False),
    "EQ_hexBinaryValue": ("hex_binary_value", False),
}
SENSOR_LIST_PARAMETERS: Final = frozenset(_LISTS)
_TIMES: Final = {"time": "time", "startTime": "start_time", "endTime": "end_time"}
_MEASURES: Final = {
    key: SENSOR_REPORT_FIELDS[key]
    for key in ("value", "minValue", "maxValue", "meanValue", "sDev", "percValue")
}
_OPERATORS: Final[Mapping[str, Operator]] = {
    "EQ": "eq",
    "GT": "gt",
    "GE": "ge",
    "LT": "lt",
    "LE": "le",
}
_MEASURE: Final = re.compile(
    r"(EQ|GT|GE|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue)_(.*)"
)
_PERC_RANK: Final = re.compile(r"(GT|GE|LT|LE)_percRank")
_TIME: Final = re.compile(r"(GE|LT)_(time|startTime|endTime)")
#: A unit of measure's code (UN/CEFACT Recommendation 20), as the query schema has it.
_UOM: Final = re.compile(r"[A-Z0-9]{2,4}")
_HEX: Final = re.compile(r"(?:[0-9A-Fa-f]{2})*")
_BOOLEANS: Final = {"true": True, "false": False}


def is_sensor_number(key: str) -> bool:
    """Whether ``key`` is a sensor parameter whose value is a number."""
    return _MEASURE.fullmatch(key) is not None or _PERC_RANK.fullmatch(key) is not None


def sensor_condition_of(key: str, values: Sequence[str]) -> SensorCondition | None:
    """The condition of the sensor parameter ``key``; None where ``key`` is none;
    :class:`QueryParameterException` for a value it cannot read."""
    if key in _LISTS:
        column, uris = _LISTS[key]
        if uris:
            for value in values:
                check_uri(key, value)
        if key == "EQ_type":
            values = [measurement_type(value, {}) for value in values]
        elif key == "EQ_hexBinaryValue":
            values = [_hex(key, value) for value in values]
        return SensorCondition("in", column, tuple(sorted(set(values))))
    if key == "EQ_booleanValue":
        if values[0] not in _BOOLEANS:
            raise QueryParameterException(key, f"{values[0]!r} is not true or false")
        return SensorCondition("eq", "boolean_value", (_BOOLEANS[values[0]],))
    if key == "EXISTS_sensorElementList":
        if values[0] not in ("", "true", "1"):
            raise QueryParameterException(key, "takes no value (EXISTS_sensorElementList=)")
        return SensorCondition("exists")
    if (timed := _TIME.fullmatch(key)) is not None:
        operator, field = timed.groups()
        moment = read_time(key, values[0])
        return SensorCondition(_OPERATORS[operator], _TIMES[field], (moment,))
    if (ranked := _PERC_RANK.fullmatch(key)) is not None:
        return SensorCondition(_OPERATORS[ranked.group(1)], "perc_rank", (_number(key, values[0]),))
    if (measured := _MEASURE.fullmatch(key)) is not None:
        operator, field, uom = measured.groups()
        if _UOM.fullmatch(uom) is None:
            raise QueryParameterException(
                key, f"{uom!r} is not a unit of measure (a UN/CEFACT code: CEL, FAH, KGM …)"
            )
        bound = _number(key, values[0])
        unit = uom
        if uom in TEMPERATURE_UNITS:
            unit = "CEL"
            # a spread has no offset: 1.8 FAH apart is 1 CEL apart
            bound = comparable_spread(bound, uom) if field == "sDev" else to_celsius(bound, uom)
        if not math.isfinite(bound):
            raise QueryParameterException(key, f"{values[0]!r} is out of range in {unit}")
        return SensorCondition(_OPERATORS[operator], _MEASURES[field], (bound,), unit)
    return None


def stored_sensor_value(key: str, value: str) -> Any:
    """A scalar sensor parameter's value as the REST binding's query schema writes it in a
    named query: numbers as numbers, ``EQ_booleanValue`` a boolean; None for any other
    parameter (written as a string or a list)."""
    if is_sensor_number(key):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if key == "EQ_booleanValue":
        return _BOOLEANS[value]
    return None


def _number(key: str, text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise QueryParameterException(key, f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise QueryParameterException(key, f"{text!r} is not a finite number")
    return number


def _hex(key: str, text: str) -> str:
    if _HEX.fullmatch(text) is None:
        raise QueryParameterException(key, f"{text!r} is not hexadecimal bytes (hexBinary)")
    return text.upper()
