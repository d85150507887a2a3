"""The canonical spelling of EPCs captured as GS1 Digital Links.

A partner may name a unit ``urn:epc:id:sgtin:9506000.013435.ABC``,
``https://id.gs1.org/01/09506000134352/21/ABC`` or
``https://brand.example/shop/01/09506000134352/21/ABC``: one object, three spellings. The EPC index keeps each as sent, since it is the event's EPC
list; a Digital Link in any spelling but the constrained canonical one (CBV 2.0 section 8.9,
:func:`~unitrace.epcis.hashing.canonical_identifier`) is indexed once more in
``event_canonical_epcs`` under that spelling, which a query derives from whatever it is asked.
EPC URIs need no second row: a query asked for a Digital Link derives them itself.

>>> canonical_rows([
...     {"event_pk": 1, "role": "epc", "epc": "https://brand.example/shop/01/09506000134352/21/ABC"},
...     {"event_pk": 1, "role": "epc", "epc": "https://id.gs1.org/01/09506000134352/21/XYZ"},
...     {"event_pk": 1, "role": "epc", "epc": "urn:epc:id:sgtin:9506000.013435.S1"},
... ])
[{'event_pk': 1, 'role': 'epc', 'epc': 'https://id.gs1.org/01/09506000134352/21/ABC'}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, insert

from unitrace.epcis.hashing import canonical_identifier
from unitrace.store.schema import event_canonical_epcs

_SCHEME_STARTS = frozenset("hH")


def canonical_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``event_canonical_epcs`` rows of EPC index rows (``event_pk``, ``role``, ``epc``):
    one for each EPC written as a Digital Link other than canonically."""
    found = []
    for row in rows:
        epc = row["epc"]
        # most EPCs are EPC URIs: told apart by their first character, before any other work
        if epc[:1] not in _SCHEME_STARTS or epc[:4].lower() != "http":
            continue
        canonical = canonical_identifier(epc)
        if canonical != epc:
            found.append({"event_pk": row["event_pk"], "role": row["role"], "epc": canonical})
    return found


def index_canonical_epcs(connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Index the canonical spelling of the Digital Links among EPC index rows just written."""
    found = canonical_rows(rows)
    if found:
        connection.execute(insert(event_canonical_epcs), found)
