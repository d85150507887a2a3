"""The name of an extension field in a query parameter, in each of its spellings
(``prefix:localName`` with the prefix declared, ``namespace#localName``,
``{namespace}localName``), names the field a captured event's JSON-LD holds under that
namespace, with or without its trailing separator; and a named query of field parameters
reads back as it was written (property tests)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from unitrace.epcis.extension_fields import extension_rows
from unitrace.services.epcis_query import json_parameters, read_query

_WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_LOCAL = st.builds(
    lambda first, rest: first + rest, st.sampled_from("abcxyzAZ_"), st.text("abz09_.-", max_size=8)
)
namespaces = st.one_of(
    st.builds(lambda host, path, end: f"https://{host}.example/{path}{end}", _WORD, _WORD, st.sampled_from(["", "/", "#"])),
    st.builds(lambda nid, word, end: f"urn:{nid}:{word}{end}", _WORD, _WORD, st.sampled_from(["", ":"])),
)  # fmt: skip


def spellings(namespace: str, local: str) -> list[tuple[str, dict[str, tuple[str, ...]]]]:
    """Each spelling of the field, with the parameters that declare what it needs."""
    context = ("@context", (json.dumps([{"p": namespace}]),))
    bare = namespace.rstrip("#") if namespace.endswith("#") else namespace
    return [
        (f"p:{local}", dict([context])),
        (f"{bare}#{local}", {}),
        (f"{{{namespace}}}{local}", {}),
    ]


@given(namespaces, _LOCAL, st.sampled_from(["", "ILMD_", "INNER_", "SENSORREPORT_"]))
def test_every_spelling_names_the_field_the_event_holds(
    namespace: str, local: str, area: str
) -> None:
    event = {"@context": [{"q": namespace}], f"q:{local}": "v", "ilmd": {f"q:{local}": "v"}}
    held = {row.name for row in extension_rows(event)}
    named = set()
    for spelled, declared in spellings(namespace, local):
        definition = read_query({f"EQ_{area}{spelled}": ("v",), **declared})
        (condition,) = definition.conditions.field_conditions
        named.add(condition.name)
    assert len(named) == 1
    assert named <= held


numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(str), st.floats(-1e6, 1e6, allow_nan=False).map(repr)
)
comparable = st.one_of(numbers, st.sampled_from(["2026-01-01T00:00:00Z", "2028-01-31"]))
texts = st.one_of(comparable, st.sampled_from(["LOT-A", "x y", "ü"]))
parameters = st.fixed_dictionaries(
    {
        "EQ_ILMD_cbvmda:lotNumber": st.lists(texts, min_size=1, max_size=3),
        "EQ_INNER_p:a": st.lists(texts, min_size=1, max_size=3),
        "EQ_quantity_KGM": st.lists(numbers, min_size=1, max_size=3),
        "GE_p:a": st.tuples(comparable),
        "LT_ILMD_{urn:x}b": st.tuples(comparable),
        "GT_quantity": st.tuples(numbers),
    }
)


@given(parameters)
def test_a_named_query_reads_back_as_it_was_written(given_: dict[str, list[str]]) -> None:
    asked = {key: tuple(values) for key, values in given_.items()}
    asked["@context"] = (json.dumps([{"p": "https://p.example/"}]),)
    first = read_query(asked)
    again = read_query(json_parameters(json.loads(json.dumps(first.stored()))))
    assert again.conditions == first.conditions
