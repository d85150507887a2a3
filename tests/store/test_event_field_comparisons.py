"""Several comparisons of one extension field (``GE_x=a&LT_x=b``), given one range of the
index, find exactly the events each comparison finds on its own, whatever values (one or
several) the events hold (a property test, on SQLite)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.pool import StaticPool

from unitrace.store.epcis_query.conditions import EventQuery, conditions_of
from unitrace.store.epcis_query.field_conditions import FieldCondition, FieldOperator
from unitrace.store.event_fields import field_index_rows
from unitrace.store.schema import epcis_events, event_fields, metadata

ENGINE = create_engine("sqlite://", poolclass=StaticPool)
metadata.create_all(ENGINE)
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
OPERATORS: dict[FieldOperator, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
small = st.integers(0, 6).map(float)
events = st.lists(st.lists(small, max_size=3), min_size=1, max_size=8)
bounds = st.lists(st.tuples(st.sampled_from(sorted(OPERATORS)), small), min_size=1, max_size=3)


@settings(max_examples=150, deadline=None)
@given(events, bounds)
def test_comparisons_of_one_field_find_what_each_finds_alone(
    held: list[list[float]], compared: list[tuple[FieldOperator, float]]
) -> None:
    with ENGINE.begin() as connection:
        connection.execute(delete(event_fields))
        connection.execute(delete(epcis_events))
        for pk, values in enumerate(held, start=1):
            connection.execute(
                insert(epcis_events).values(
                    id=pk, event_id=f"urn:uuid:{pk}", type="ObjectEvent", event_time=AT,
                    event_time_zone_offset="+00:00", record_time=AT, document={},
                )
            )  # fmt: skip
            document = {"@context": [{"ex": "https://ex.example/"}], "ex:x": values}
            rows = field_index_rows(pk, document)
            if rows:
                connection.execute(insert(event_fields), rows)
        query = EventQuery(
            field_conditions=tuple(
                FieldCondition(op, "event", False, "{https://ex.example}x", numbers=(bound,))
                for op, bound in compared
            )
        )
        found = set(
            connection.execute(select(epcis_events.c.id).where(*conditions_of(query))).scalars()
        )
    expected = {
        pk
        for pk, values in enumerate(held, start=1)
        if all(any(OPERATORS[op](value, bound) for value in values) for op, bound in compared)
    }
    assert found == expected
