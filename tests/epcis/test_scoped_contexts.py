"""JSON-LD @context scoping in an EPCIS document: the document's prefixes hold in every event,
an event's own @context adds to them (or rebinds one) for that event alone, an object inside
an extension may declare its own for itself and what it holds; the validator checks each
prefix against the scope it is written in, and capture folds the scopes into one @context per
event under which every key expands to the IRI it did where it was written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.epcis.scoped_contexts import folded
from unitrace.epcis.validation import document_problems, event_problems, is_uri

NOT_IN_SCOPE = (
    "is not declared in the @context in scope (the document's, the event's or an enclosing "
    "object's)"
)


def observed(**fields: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": "2026-01-11T12:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "epcList": ["urn:epc:id:sgtin:4012345.011111.9876"],
        "action": "OBSERVE",
        **fields,
    }


EXT2 = {"ext2": "http://www.ext2.net/"}


@pytest.mark.parametrize(
    ("name", "document_namespaces", "event", "problems"),
    [
        (
            "a prefix the event's own @context declares",
            {},
            observed(**{"@context": [EXT2], "ext2:address": "Cologne"}),
            [],
        ),
        (
            "the event's @context as one object, not a list",
            {},
            observed(**{"@context": EXT2, "ext2:address": "Cologne"}),
            [],
        ),
        (
            "a prefix the document declares, used beside the event's own",
            {"ext1": "https://ns.ext.de/epcis/"},
            observed(**{"@context": [EXT2], "ext2:a": "1", "ext1:b": "2"}),
            [],
        ),
        (
            "a prefix an extension's object declares, inside it",
            {},
            observed(
                **{
                    "@context": [EXT2],
                    "ext2:address": {"@context": {"ext4": "http://e4/"}, "ext4:city": "Bangalore"},
                }
            ),
            [],
        ),
        (
            "a prefix an extension's object declares, used outside it",
            {},
            observed(
                **{
                    "ext4:outside": "1",
                    "urn:x:holder": {"@context": {"ext4": "http://e4/"}, "ext4:in": "2"},
                }
            ),
            [f'ext4:outside: prefix "ext4" {NOT_IN_SCOPE}'],
        ),
        (
            "a prefix declared nowhere, deep inside an extension",
            {},
            observed(**{"@context": [EXT2], "ext2:a": {"ext2:b": [{"ext9:c": "1"}]}}),
            [f'ext2:a.ext2:b.ext9:c: prefix "ext9" {NOT_IN_SCOPE}'],
        ),
        (
            "an embedded @context that is neither a URI nor an object",
            {},
            observed(**{"@context": [EXT2], "ext2:a": {"@context": 7, "ext2:b": "1"}}),
            ["ext2:a.@context: must be a URI, an object or an array of them, not 7"],
        ),
    ],
)
def test_prefixes_are_checked_in_the_scope_they_are_written_in(
    name: str, document_namespaces: dict[str, str], event: dict[str, Any], problems: list[str]
) -> None:
    assert [str(problem) for problem in event_problems(event, document_namespaces)] == problems


def test_an_events_context_declares_nothing_for_the_next_event() -> None:
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-11T12:00:00+01:00",
        "epcisBody": {
            "eventList": [
                observed(**{"@context": [EXT2], "ext2:a": "1"}),
                observed(**{"ext2:a": "1"}),
            ]
        },
    }
    assert [str(problem) for problem in document_problems(document)] == [
        f'event 1: ext2:a: prefix "ext2" {NOT_IN_SCOPE}'
    ]


AGGREGATION = {
    "type": "AggregationEvent",
    "eventTime": "2020-06-08T18:11:16Z",
    "eventTimeZoneOffset": "+02:00",
    "parentID": "urn:epc:id:sscc:4012345.0111111111",
    "childEPCs": [],
    "action": "DELETE",
    "persistentDisposition": {"set": ["completeness_verified"]},
}


@pytest.mark.parametrize("from_xml", [False, True])
def test_an_aggregations_persistent_disposition_is_taken_in_either_binding(
    from_xml: bool,
) -> None:
    """The XSD gives it to every event type; the JSON Schema to ObjectEvent and
    TransformationEvent, after an advisory table (GS1 EPCIS issue 440): one rule for both."""
    wrong = {**AGGREGATION, "persistentDisposition": {"set": ["no_such_disposition"]}}
    assert [str(problem) for problem in event_problems(AGGREGATION, {}, from_xml=from_xml)] == []
    assert [p.field for p in event_problems(wrong, {}, from_xml=from_xml)] == [
        "persistentDisposition.set[0]"
    ]


@pytest.mark.parametrize(
    ("event", "document_namespaces", "body", "namespaces"),
    [
        (
            {"type": "ObjectEvent", "@context": [EXT2], "ext2:a": "1"},
            {"ext1": "http://e1/"},
            {"type": "ObjectEvent", "ext2:a": "1"},
            {"ext1": "http://e1/", **EXT2},
        ),
        (  # the event rebinds a prefix of the document's: the event's holds in it
            {"type": "ObjectEvent", "@context": {"ext1": "http://mine/"}, "ext1:a": "1"},
            {"ext1": "http://e1/"},
            {"type": "ObjectEvent", "ext1:a": "1"},
            {"ext1": "http://mine/"},
        ),
        (  # an inner scope rebinds a prefix: its keys take another prefix of its namespace
            {
                "type": "ObjectEvent",
                "ext1:a": {
                    "@context": {"ext1": "http://inner/", "in": "http://inner/"},
                    "ext1:b": "1",
                },
                "ext1:c": "2",
            },
            {"ext1": "http://e1/"},
            {"type": "ObjectEvent", "ext1:a": {"in:b": "1"}, "ext1:c": "2"},
            {"ext1": "http://e1/", "in": "http://inner/"},
        ),
        (  # two sibling scopes bind one new prefix to two namespaces
            {
                "type": "ObjectEvent",
                "urn:x:a": {"@context": {"p": "http://one/"}, "p:v": "1"},
                "urn:x:b": {"@context": {"p": "http://two/"}, "p:v": "2"},
            },
            {},
            {"type": "ObjectEvent", "urn:x:a": {"p:v": "1"}, "urn:x:b": {"p-2:v": "2"}},
            {"p": "http://one/", "p-2": "http://two/"},
        ),
        (  # a rebound key's other prefix is taken by a key beside it: a prefix of its own,
            # so that neither value is lost (the IRI, named twice, holds both)
            {
                "type": "ObjectEvent",
                "urn:x:a": {"@context": {"p": "http://two/"}, "q:v": "1", "p:v": "2"},
            },
            {"p": "http://one/", "q": "http://two/"},
            {"type": "ObjectEvent", "urn:x:a": {"q:v": "1", "p-2:v": "2"}},
            {"p": "http://one/", "q": "http://two/", "p-2": "http://two/"},
        ),
    ],
)
def test_scopes_fold_into_one_context_per_event(
    event: dict[str, Any],
    document_namespaces: dict[str, str],
    body: dict[str, Any],
    namespaces: dict[str, str],
) -> None:
    assert folded(event, document_namespaces) == (body, namespaces)
    # every key the fold writes is still an extension's key as the JSON Schema has it: a URI
    assert [key for key in _keys(body) if not is_uri(key)] == []


def _keys(value: Any) -> list[str]:
    if isinstance(value, list):
        return [key for item in value for key in _keys(item)]
    if not isinstance(value, dict):
        return []
    written = [key for key in value if key != "type"]
    return written + [key for item in value.values() for key in _keys(item)]


# --- folding keeps what every key means ------------------------------------------------------


def expanded(value: Any, scope: Mapping[str, str]) -> Any:
    """``value`` with every prefixed key written as the IRI it stands for where it is."""
    if isinstance(value, list):
        return [expanded(item, scope) for item in value]
    if not isinstance(value, dict):
        return value
    if "@context" in value:
        context = value["@context"]
        entries = context if isinstance(context, list) else [context]
        scope = {**scope, **{k: v for entry in entries for k, v in entry.items()}}
    written = {}
    for key, item in value.items():
        if key == "@context":
            continue
        prefix, _, rest = key.partition(":")
        written[scope[prefix] + rest if prefix in scope else key] = expanded(item, scope)
    return written


PREFIXES = st.sampled_from(["p", "q", "r"])
NAMESPACES = st.sampled_from(["http://one/", "http://two/", "http://three/"])
CONTEXTS = st.dictionaries(PREFIXES, NAMESPACES, max_size=2)
KEYS = st.builds(lambda prefix, name: f"{prefix}:{name}", PREFIXES, st.sampled_from("abc"))


def nodes(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    plain = st.dictionaries(KEYS, children, max_size=3)
    return st.one_of(
        plain, st.builds(lambda context, node: {"@context": context, **node}, CONTEXTS, plain)
    )


VALUES = st.recursive(st.text(max_size=2), nodes, max_leaves=8)


@given(document=CONTEXTS, event=nodes(VALUES))
def test_every_key_means_after_folding_what_it_meant_before(
    document: dict[str, str], event: dict[str, Any]
) -> None:
    # every prefix is declared somewhere above its key: the validator refuses the rest
    top = {"p": "http://one/", "q": "http://two/", "r": "http://three/", **document}
    body, namespaces = folded(event, top)
    assert expanded(body, namespaces) == expanded(event, top)
    assert "@context" not in repr(body)


PROTECTED = "is a term the EPCIS context defines and protects: it is not redefined"


@pytest.mark.parametrize(
    ("context", "problems"),
    [
        ({"ext1": "http://e1/"}, []),
        # GS1's TransformationEvent example binds cbvmda elsewhere: its keys expand there
        ({"cbvmda": "http://example.com/cbvmda/"}, []),
        ({"type": "http://evil.example/type"}, [f"@context.type: {PROTECTED}"]),
        (
            [{"eventID": {"@id": "http://evil.example/id"}}, {"epcList": "@id"}],
            [f"@context[0].eventID: {PROTECTED}", f"@context[1].epcList: {PROTECTED}"],
        ),
        (
            {"ext1": "not a namespace"},
            ['@context.ext1: "not a namespace" is not a namespace URI (a prefix names one)'],
        ),
        ({"ext1": "http://e1/", "@vocab": "http://e1/"}, []),
    ],
)
def test_a_scoped_context_redefines_no_term_of_the_epcis_context(
    context: Any, problems: list[str]
) -> None:
    # JSON-LD 1.1 section 4.1.11: the EPCIS context's terms are protected; redefining one is
    # an error, so that "type" and "eventID" mean in every event what the standard says
    top = event_problems(observed(**{"@context": context}), {})
    assert [f"{problem.field}: {problem.message}" for problem in top] == problems
    inner = observed(**{"urn:x:ext": {"@context": context, "urn:x:v": "1"}})
    assert [f"{problem.field}: {problem.message}" for problem in event_problems(inner, {})] == [
        f"urn:x:ext.{problem}" for problem in problems
    ]
