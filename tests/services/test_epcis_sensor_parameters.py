"""Reading the EPCIS sensor query parameters (unitrace.services.epcis_query.sensor_parameters):
a bound in any temperature unit becomes the same bound in CEL, other units stay as given, and
no value of any sensor parameter raises anything but a QueryParameterException (properties)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.coldchain.temperatures import to_celsius
from unitrace.services.epcis_query import QueryParameterException, read_query
from unitrace.store.epcis_query import SensorCondition

FIELDS = ("value", "minValue", "maxValue", "meanValue", "percValue")
COLUMNS = dict(
    zip(FIELDS, ("value", "min_value", "max_value", "mean_value", "perc_value"), strict=True)
)
OPERATORS = {"EQ": "eq", "GT": "gt", "GE": "ge", "LT": "lt", "LE": "le"}
SENSOR_KEYS = [
    "EQ_type", "EQ_deviceID", "EQ_stringValue", "EQ_hexBinaryValue", "EQ_booleanValue",
    "EQ_uriValue", "GE_time", "LT_endTime", "GE_percRank", "LE_percRank", "GE_value_CEL",
    "LT_sDev_FAH", "EQ_meanValue_KEL", "GT_percValue_KGM", "GE_value_x", "EXISTS_sensorElementList",
]  # fmt: skip


def only_condition(parameters: dict[str, tuple[str, ...]]) -> SensorCondition:
    (condition,) = read_query(parameters).conditions.sensor_conditions
    return condition


@given(
    st.sampled_from(sorted(OPERATORS)),
    st.sampled_from(FIELDS),
    st.sampled_from(["CEL", "FAH", "KEL"]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
def test_a_temperature_bound_in_any_unit_compares_in_celsius(
    operator: str, field: str, uom: str, bound: float
) -> None:
    condition = only_condition({f"{operator}_{field}_{uom}": (repr(bound),)})
    assert condition == SensorCondition(
        OPERATORS[operator], COLUMNS[field], (to_celsius(bound, uom),), "CEL"
    )


@given(
    st.from_regex(r"[A-Z0-9]{2,4}", fullmatch=True).filter(
        lambda u: u not in ("CEL", "FAH", "KEL")
    ),
    st.floats(allow_nan=False, allow_infinity=False),
)
def test_any_other_unit_compares_as_given(uom: str, bound: float) -> None:
    condition = only_condition({f"GE_value_{uom}": (repr(bound),)})
    assert condition == SensorCondition("ge", "value", (bound,), uom)


@given(st.sampled_from(SENSOR_KEYS), st.text(max_size=30))
def test_no_value_raises_anything_but_a_query_parameter_exception(key: str, value: str) -> None:
    try:
        definition = read_query({key: (value,)})
    except QueryParameterException as refused:
        refusal: QueryParameterException | None = refused
    else:
        refusal = None
    if refusal is not None:
        assert refusal.parameter == key
        return
    (condition,) = definition.conditions.sensor_conditions
    assert all(not isinstance(bound, float) or math.isfinite(bound) for bound in condition.values)


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"EQ_type": ("gs1:Temperature", "Temperature", "example:Abc")}, SensorCondition("in", "type", ("Temperature", "example:Abc"))),
        ({"EQ_hexBinaryValue": ("f0a1",)}, SensorCondition("in", "hex_binary_value", ("F0A1",))),
        ({"EQ_booleanValue": ("false",)}, SensorCondition("eq", "boolean_value", (False,))),
        ({"GE_sDev_FAH": ("1.8",)}, SensorCondition("ge", "s_dev", (1.0,), "CEL")),
        ({"LT_sDev_KEL": ("0.5",)}, SensorCondition("lt", "s_dev", (0.5,), "CEL")),
        ({"GT_percRank": ("90",)}, SensorCondition("gt", "perc_rank", (90.0,))),
        ({"EXISTS_sensorElementList": ("",)}, SensorCondition("exists")),
    ],
)  # fmt: skip
def test_each_kind_of_sensor_parameter(
    parameters: dict[str, tuple[str, ...]], expected: SensorCondition
) -> None:
    assert only_condition(parameters) == expected
