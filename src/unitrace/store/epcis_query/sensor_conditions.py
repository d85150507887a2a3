"""The EPCIS sensor query parameters' SQL: each :class:`SensorCondition` is one parameter,
met by an event with a row of ``event_sensor_reports`` (a sensorMetadata or a sensorReport of
its sensor data) that meets it, as EPCIS 2.0 section 8.2.7.1 words them ("events that
accommodate a ``deviceID`` attribute equal to one of …"). Different parameters, like every
query parameter, may be met by different reports of the event.

A comparison with a unit (``GE_value_CEL``) looks only at rows in that unit: the index keeps
numbers in the unit queries compare in (temperatures in ``CEL``), and the service has turned
the parameter's bound into it, so that the comparison is one range of
``ix_event_sensor_reports_unit_value`` for ``value`` and a filter of the unit's rows for the
others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, select

from unitrace.store.schema import event_sensor_reports
from unitrace.store.times import utc

__all__ = ["SENSOR_COLUMNS", "SensorCondition", "sensor_condition"]

Operator = Literal["in", "eq", "gt", "ge", "lt", "le", "exists"]

#: The columns a condition may look at.
SENSOR_COLUMNS = frozenset(
    column.name
    for column in event_sensor_reports.c
    if column.name not in ("event_pk", "element", "position", "uom", "unit")
)


@dataclass(frozen=True, slots=True)
class SensorCondition:
    """Rows whose ``column`` is among ``values`` (``in``), compares with ``values[0]``, or
    any row at all (``exists``, ``EXISTS_sensorElementList``); with ``unit``, rows in that
    unit only."""

    operator: Operator
    column: str | None = None
    values: tuple[Any, ...] = ()
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.operator != "exists" and self.column not in SENSOR_COLUMNS:
            raise ValueError(f"{self.column!r} is no column of the sensor index")


def sensor_condition(condition: SensorCondition) -> Select[Any]:
    """The keys of the events with a row that meets ``condition``."""
    rows = event_sensor_reports.c
    chosen = select(rows.event_pk)
    if condition.operator == "exists" or condition.column is None:
        return chosen
    column = rows[condition.column]
    values = [_bound(value) for value in condition.values]
    test: ColumnElement[bool]
    if condition.operator == "in":
        test = column.in_(values)
    elif condition.operator == "eq":
        test = column == values[0]
    elif condition.operator == "gt":
        test = column > values[0]
    elif condition.operator == "ge":
        test = column >= values[0]
    elif condition.operator == "lt":
        test = column < values[0]
    else:
        test = column <= values[0]
    if condition.unit is not None:
        chosen = chosen.where(rows.unit == condition.unit)
    return chosen.where(test)


def _bound(value: Any) -> Any:
    return utc(value) if isinstance(value, dt.datetime) else value
