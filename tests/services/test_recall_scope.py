"""Reading a recall's scope from a request's JSON: whole results for the shapes that are
accepted and refused, and for any JSON value at all, a scope or a refusal naming a field —
never another error."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.registry.errors import InvalidRequest
from unitrace.services.recall.scope import LotKey, Scope, read_scope

LOT = {"gtin": "09506000134352", "lot": "L1"}


@pytest.mark.parametrize(
    ("value", "scope"),
    [
        ({"lots": [LOT]}, Scope(lots=(LotKey("09506000134352", "L1"),))),
        ({"lots": [LOT, LOT]}, Scope(lots=(LotKey("09506000134352", "L1"),))),
        ({"units": [" (01)1(21)A ", "x"]}, Scope(units=("(01)1(21)A", "x"))),
        (
            {"component_lots": [LOT], "units": []},
            Scope(component_lots=(LotKey("09506000134352", "L1"),)),
        ),
    ],
)
def test_accepted_scopes(value: Any, scope: Scope) -> None:
    assert read_scope(value) == scope


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "scope: must be an object with lots, units or component_lots"),
        ({}, "scope: names no lot, unit or component lot"),
        ({"lots": [], "units": []}, "scope: names no lot, unit or component lot"),
        ({"pallets": []}, "scope.pallets: not a part of a scope (lots, units, component_lots)"),
        ({"lots": "L1"}, "scope.lots: must be a list of {gtin, lot}"),
        ({"lots": ["L1"]}, "scope.lots[0]: must be an object {gtin, lot}"),
        (
            {"lots": [{"gtin": 9506000134352, "lot": "L1"}]},
            "scope.lots[0].gtin: needed, as a string",
        ),
        ({"lots": [{"gtin": "09506000134352"}]}, "scope.lots[0].lot: needed, as a string"),
        ({"units": [""]}, "scope.units[0]: must be a code, as a string"),
        ({"units": "x"}, "scope.units: must be a list of codes"),
        ({"component_lots": [{}]}, "scope.component_lots[0].gtin: needed, as a string"),
        ({"units": [f"c{n}" for n in range(1_001)]}, "scope: lists more than 1000 entries"),
    ],
)
def test_refused_scopes(value: Any, message: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        read_scope(value)
    assert str(refused.value) == message


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["lots", "units", "component_lots", "gtin", "lot", "x"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@given(JSON)
def test_any_json_is_a_scope_or_a_refusal_naming_the_scope(value: Any) -> None:
    said: str | None = None
    scope: Scope | None = None
    try:
        scope = read_scope(value)
    except InvalidRequest as refusal:
        said = str(refusal)
    if scope is None:
        assert said is not None
        assert said.startswith("scope")
    else:
        assert not scope.empty
        assert all(isinstance(code, str) and code for code in scope.units)
