"""JSON-LD ``@context`` scoping within an EPCIS document: the prefixes the document's
``@context`` declares hold everywhere in it; an event's own ``@context`` adds to them (or
rebinds one) for that event and what is inside it; an object deeper in an event (an
extension's value) may declare its own, for itself and what is inside it (JSON-LD 1.1,
section 4.1 "Advanced Context Usage": embedded contexts are scoped to the node object they
appear in).

unitrace stores each event with one ``@context`` of its own: :func:`folded` gives the event
with the contexts declared inside it folded into that one, the keys of an inner scope that
rebinds a prefix renamed to a prefix of the same namespace, so that every key expands to the
IRI it expanded to where it was written.

>>> event = {"type": "ObjectEvent", "@context": [{"ext2": "http://ext2.example/"}],
...          "ext2:a": {"@context": {"ext2": "http://other.example/"}, "ext2:b": "1"}}
>>> folded(event, {"ext1": "http://ext1.example/"})
({'type': 'ObjectEvent', 'ext2:a': {'ext2-2:b': '1'}}, {'ext1': 'http://ext1.example/', 'ext2': 'http://ext2.example/', 'ext2-2': 'http://other.example/'})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unitrace.epcis.documents import namespaces_of

__all__ = ["CONTEXT", "event_namespaces", "folded", "within"]

#: The JSON-LD keyword that declares a scope's prefixes.
CONTEXT = "@context"


def event_namespaces(document_namespaces: Mapping[str, str], event: Any) -> dict[str, str]:
    """The ``{prefix: URI}`` in force at the top of ``event``: the document's, with the
    event's own ``@context`` over them."""
    return within(document_namespaces, event)


def within(outer: Mapping[str, str], node: Any) -> dict[str, str]:
    """The prefixes in force inside ``node``: ``outer``, with those of the node's own
    ``@context`` (where it is an object that has one) over them."""
    if isinstance(node, Mapping) and CONTEXT in node:
        return {**outer, **namespaces_of(node[CONTEXT])}
    return dict(outer)


def folded(
    event: Mapping[str, Any], document_namespaces: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """``event`` without any ``@context`` of its own or inside it, and the one ``{prefix:
    URI}`` under which its keys expand as they did where they were written (see the module's
    description)."""
    top = event_namespaces(document_namespaces, event)
    if not any(_declares_context(value) for value in event.values()):
        # nothing inside declares a scope (the rule in a partner's documents): every key
        # expands as it is written, and the event's values are taken as they are
        return {key: value for key, value in event.items() if key != CONTEXT}, top
    merged = dict(top)

    def rename(key: str, scope: Mapping[str, str], taken: set[str]) -> str:
        prefix, colon, rest = key.partition(":")
        if not colon or rest.startswith("//") or prefix not in scope:
            return key
        namespace = scope[prefix]
        if merged.get(prefix, namespace) == namespace:
            merged[prefix] = namespace
            return key
        for known, uri in merged.items():
            # never onto another key of the object: one of its values would be lost
            if uri == namespace and f"{known}:{rest}" not in taken:
                taken.add(f"{known}:{rest}")
                return f"{known}:{rest}"
        # a hyphen, not an underscore: the key stays a URI (a scheme takes letters, digits,
        # "+", "-" and "."), as the JSON Schema holds an extension's key to be, so that the
        # event written back is valid where it is sent on
        number = 2
        while f"{prefix}-{number}" in merged:
            number += 1
        merged[f"{prefix}-{number}"] = namespace
        taken.add(f"{prefix}-{number}:{rest}")
        return f"{prefix}-{number}:{rest}"

    def fold(value: Any, scope: Mapping[str, str]) -> Any:
        if isinstance(value, list):
            return [fold(item, scope) for item in value]
        if not isinstance(value, Mapping):
            return value
        inner = within(scope, value)
        if CONTEXT in value:
            # the scope's own prefix names, where no other namespace holds them yet
            for prefix, namespace in namespaces_of(value[CONTEXT]).items():
                merged.setdefault(prefix, namespace)
        taken = set(value)
        return {
            rename(key, inner, taken): fold(item, inner)
            for key, item in value.items()
            if key != CONTEXT
        }

    body = {key: fold(item, top) for key, item in event.items() if key != CONTEXT}
    return body, merged


def _declares_context(value: Any) -> bool:
    """Whether an object within ``value`` (or ``value`` itself) has an ``@context``."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, Mapping):
            if CONTEXT in item:
                return True
            pending.extend(item.values())
    return False
