"""The EPCIS extension-field and quantity query parameters' SQL: each :class:`FieldCondition`
is one parameter (``EQ_ILMD_{namespace}lotNumber``, ``GT_INNER_…``, ``EXISTS_SENSORREPORT_…``,
``GE_quantity_KGM`` …), met by an event with a row of ``event_fields`` of that area, nesting
and name whose value meets it, as EPCIS 2.0 section 8.2.7.1 words them ("events that have a
field named fieldname … whose value matches one of the specified values").

``EQ_`` values are OR-ed and each compares as what it reads as (a text, and also a number or
a time), one select per kind so that each is a seek of its index; ``GT_``, ``GE_``, ``LT_``
and ``LE_`` compare a number or a time, never a text.

Each parameter is met on its own, as every query parameter is: ``GE_x=4&LT_x=5`` finds an
event with one ``x`` of 7 and another of 3. Asked so, each bound alone would select half of
the field's rows; :func:`field_conditions` gives several comparisons of one field one range
of the index instead, exactly: an event with one row of the field (``repeated`` false) meets
them all by that row, in the range; an event with several is looked for among the repeated
rows only, each bound on its own, which are few.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    false,
    select,
    union_all,
)

from unitrace.store.event_fields import text_key
from unitrace.store.schema import event_fields
from unitrace.store.times import utc

__all__ = ["FieldCondition", "field_condition", "field_conditions"]

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


def field_conditions(
    conditions: Sequence[FieldCondition], key: ColumnElement[Any]
) -> list[ColumnElement[bool]]:
    """The conditions on the event ``key`` of ``conditions``: one per ``EQ_`` or ``EXISTS_``
    parameter and per field compared once, one per field compared several times."""
    compared: dict[tuple[str, bool, str], list[FieldCondition]] = {}
    found: list[ColumnElement[bool]] = []
    for condition in conditions:
        if condition.operator in ("eq", "exists") or condition.name is None:
            found.append(key.in_(field_condition(condition)))
        else:
            field = (condition.area, condition.nested, condition.name)
            compared.setdefault(field, []).append(condition)
    for (area, nested, name), comparisons in compared.items():
        if len(comparisons) == 1:
            found.append(key.in_(field_condition(comparisons[0])))
            continue
        rows = event_fields.c
        of_field = select(rows.event_pk).where(
            rows.name == name, rows.area == area, rows.nested == nested
        )
        tests = [_comparison(condition) for condition in comparisons]
        once = of_field.where(rows.repeated.is_(False), *tests)
        repeated = of_field.where(rows.repeated.is_(True), tests[0])
        for test in tests[1:]:
            repeated = repeated.where(
                rows.event_pk.in_(of_field.where(rows.repeated.is_(True), test))
            )
        # one list of keys, so that the events are joined to it rather than scanned for it
        found.append(key.in_(union_all(once, repeated)))
    return found


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
    return chosen.where(_comparison(condition))


def _comparison(condition: FieldCondition) -> ColumnElement[bool]:
    rows = event_fields.c
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
    return test
