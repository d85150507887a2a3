"""The EPCIS extension-field and quantity query parameters' SQL: each :class:`FieldCondition`
is one parameter (``EQ_ILMD_{namespace}lotNumber``, ``GT_INNER_…``, ``EXISTS_SENSORREPORT_…``,
``GE_quantity_KGM`` …), met by an event with a row of ``event_fields`` of that area, nesting
and name whose value meets it, as EPCIS 2.0 section 8.2.7.1 words them ("events that have a
field named fieldname … whose value matches one of the specified values").

``EQ_`` values are OR-ed and each compares as what it reads as (a text, and also a number or
a time), one select per kind so that each is a seek of its index; ``GT_``, ``GE_``, ``LT_``
and ``LE_`` compare a number or a time, never a text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, CompoundSelect, Select, false, select, union_all

from unitrace.store.event_fields import text_key
from unitrace.store.schema import event_fields
from unitrace.store.times import utc

__all__ = ["FieldCondition", "field_condition"]

FieldOperator = Literal["exists", "eq", "gt", "ge", "lt", "le"]


@dataclass(frozen=True, slots=True)
class FieldCondition:
    """Rows of ``area`` (nested or not) named ``name`` (any name where None: a quantity of
    any unit) that exist, equal one of ``texts`` / ``numbers`` / ``times`` (``eq``), or
    compare with the one number or time given."""

    operator: FieldOperator
    area: str
    nested: bool
    name: str | None
    texts: tuple[str, ...] = ()
    numbers: tuple[float, ...] = ()
    times: tuple[dt.datetime, ...] = ()

    def __post_init__(self) -> None:
        if self.operator not in ("exists", "eq") and len(self.numbers) + len(self.times) != 1:
            raise ValueError(f"{self.operator} compares one number or one time")


def field_condition(condition: FieldCondition) -> Select[Any] | CompoundSelect[Any]:
    """The keys of the events with a row that meets ``condition``."""
    rows = event_fields.c
    chosen = select(rows.event_pk).where(rows.area == condition.area)
    if condition.name is not None:
        chosen = chosen.where(rows.name == condition.name, rows.nested == condition.nested)
    if condition.operator == "exists":
        return chosen
    if condition.operator == "eq":
        kinds: list[Select[Any]] = []
        if condition.texts:
            keys = sorted({text_key(text) for text in condition.texts})
            kinds.append(
                chosen.where(rows.text_key.in_(keys), rows.text_value.in_(sorted(condition.texts)))
            )
        if condition.numbers:
            kinds.append(chosen.where(rows.number_value.in_(sorted(set(condition.numbers)))))
        if condition.times:
            instants = sorted({utc(time) for time in condition.times})
            kinds.append(chosen.where(rows.time_value.in_(instants)))
        if not kinds:
            return chosen.where(false())
        return kinds[0] if len(kinds) == 1 else union_all(*kinds)
    column = rows.number_value if condition.numbers else rows.time_value
    bound: Any = condition.numbers[0] if condition.numbers else utc(condition.times[0])
    test: ColumnElement[bool]
    if condition.operator == "gt":
        test = column > bound
    elif condition.operator == "ge":
        test = column >= bound
    elif condition.operator == "lt":
        test = column < bound
    else:
        test = column <= bound
    return chosen.where(test)
