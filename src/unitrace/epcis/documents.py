"""EPCIS 2.0 documents: the ``EPCISDocument`` in which events are exchanged and captured, and
the ``EPCISQueryDocument`` in which a repository answers a query (EPCIS 2.0 sections 9 and
12, the JSON-LD binding of section 10).

A document carries its ``@context`` (the EPCIS context and the namespaces of the extensions its
events use), the pseudo-SBDH header fields the JSON binding allows at the top (``sender``,
``receiver``, ``instanceIdentifier``), an ``epcisHeader`` with master data, and its events.
:meth:`EpcisDocument.document` writes it back as it was read.

>>> from unitrace.epcis import EPCIS_CONTEXT
>>> document = EpcisDocument(
...     context=[EPCIS_CONTEXT, {"example": "http://ns.example.com/epcis/"}],
...     events=(),
...     creation_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
... )
>>> document.namespaces
{'example': 'http://ns.example.com/epcis/'}
>>> document.document()["epcisBody"]
{'eventList': []}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from unitrace.epcis.events import Event
from unitrace.epcis.model import Extensions, JsonValue, copied, time_text

#: The two document types of EPCIS 2.0.
EPCIS_DOCUMENT = "EPCISDocument"
EPCIS_QUERY_DOCUMENT = "EPCISQueryDocument"


def namespaces_of(context: Any) -> dict[str, str]:
    """The ``{prefix: namespace URI}`` a JSON-LD ``@context`` declares: its object entries
    whose values are strings (the EPCIS context URL itself declares ``cbvmda``, ``gs1`` and
    the other standard prefixes, which a reader knows without fetching it).

    >>> namespaces_of(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ext1": "http://example.com/ext1/"}])
    {'ext1': 'http://example.com/ext1/'}
    """
    entries = context if isinstance(context, list) else [context]
    namespaces: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, dict):
            # a term bound to a keyword, an object or a compact IRI is no namespace
            namespaces.update(
                (prefix, uri)
                for prefix, uri in entry.items()
                if isinstance(uri, str)
                and not prefix.startswith("@")
                and not uri.startswith("@")
                and ":" not in prefix
            )
    return namespaces


@dataclass(frozen=True, slots=True)
class Attribute:
    """One attribute of a master-data vocabulary element: its ID (a URI) and its value (a
    number, a string or an object; None where the attribute is written without one)."""

    id: str
    value: JsonValue = None
    extensions: Extensions = field(default_factory=dict, hash=False)

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {"id": self.id}
        if self.value is not None:
            written["attribute"] = copied(self.value)
        written.update(copied(self.extensions))
        return written


@dataclass(frozen=True, slots=True)
class VocabularyElement:
    """A master-data element: a location, a party, a trade item… by its ID, with attributes
    and the IDs of the elements it contains (``children``)."""

    id: str
    attributes: tuple[Attribute, ...] | None = None
    children: tuple[str, ...] | None = None
    extensions: Extensions = field(default_factory=dict, hash=False)

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {"id": self.id}
        if self.attributes is not None:
            written["attributes"] = [attribute.document() for attribute in self.attributes]
        if self.children is not None:
            written["children"] = list(self.children)
        written.update(copied(self.extensions))
        return written


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The master data of one vocabulary type, such as ``urn:epcglobal:epcis:vtype:BusinessLocation``."""

    type: str
    elements: tuple[VocabularyElement, ...] | None = None
    extensions: Extensions = field(default_factory=dict, hash=False)

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {"type": self.type}
        if self.elements is not None:
            written["vocabularyElementList"] = [element.document() for element in self.elements]
        written.update(copied(self.extensions))
        return written


@dataclass(frozen=True, slots=True)
class MasterData:
    """The ``epcisMasterData`` of a header: vocabularies the events refer to."""

    vocabulary_list: tuple[Vocabulary, ...] | None = None
    extensions: Extensions = field(default_factory=dict, hash=False)

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {}
        if self.vocabulary_list is not None:
            written["vocabularyList"] = [
                vocabulary.document() for vocabulary in self.vocabulary_list
            ]
        written.update(copied(self.extensions))
        return written


@dataclass(frozen=True, slots=True)
class EpcisHeader:
    """The ``epcisHeader`` of an EPCISDocument: master data, and extension fields."""

    master_data: MasterData | None = None
    extensions: Extensions = field(default_factory=dict, hash=False)

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {}
        if self.master_data is not None:
            written["epcisMasterData"] = self.master_data.document()
        written.update(copied(self.extensions))
        return written


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryResults:
    """The ``queryResults`` of an EPCISQueryDocument, without its events (those are the
    document's): the query's name, the subscription that ran it, any master data."""

    query_name: str
    subscription_id: str | None = None
    vocabulary_list: tuple[Vocabulary, ...] | None = None
    extensions: Extensions = field(default_factory=dict, hash=False)
    body_extensions: Extensions = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class EpcisDocument:
    """An EPCISDocument, or (where ``query_results`` is given) an EPCISQueryDocument."""

    context: JsonValue
    events: tuple[Event, ...]
    id: str | None = None
    schema_version: str | None = "2.0"
    creation_date: dt.datetime | None = None
    #: the pseudo-SBDH fields of the JSON binding (EPCIS 2.0 section 10.4)
    sender: str | None = None
    receiver: str | None = None
    instance_identifier: str | None = None
    header: EpcisHeader | None = None
    query_results: QueryResults | None = None
    #: top-level extension fields, and those beside ``eventList`` in ``epcisBody``
    extensions: Extensions = field(default_factory=dict, hash=False)
    body_extensions: Extensions = field(default_factory=dict, hash=False)
    time_texts: Mapping[str, str] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def type(self) -> str:
        return EPCIS_DOCUMENT if self.query_results is None else EPCIS_QUERY_DOCUMENT

    @property
    def namespaces(self) -> dict[str, str]:
        """The ``{prefix: namespace URI}`` the document's ``@context`` declares."""
        return namespaces_of(self.context)

    def document(self) -> dict[str, Any]:
        written: dict[str, Any] = {"@context": copied(self.context), "type": self.type}
        if self.id is not None:
            written["id"] = self.id
        if self.schema_version is not None:
            written["schemaVersion"] = self.schema_version
        if self.creation_date is not None:
            written["creationDate"] = self.time_texts.get("creationDate") or time_text(
                self.creation_date
            )
        for key, value in (
            ("sender", self.sender),
            ("receiver", self.receiver),
            ("instanceIdentifier", self.instance_identifier),
        ):
            if value is not None:
                written[key] = value
        if self.header is not None:
            written["epcisHeader"] = self.header.document()
        events = [event.document() for event in self.events]
        results = self.query_results
        if results is None:
            written["epcisBody"] = {"eventList": events, **copied(self.body_extensions)}
        else:
            body: dict[str, Any] = {"eventList": events}
            if results.vocabulary_list is not None:
                body["vocabularyList"] = [
                    vocabulary.document() for vocabulary in results.vocabulary_list
                ]
            body.update(copied(results.body_extensions))
            query: dict[str, Any] = {"queryName": results.query_name}
            if results.subscription_id is not None:
                query["subscriptionID"] = results.subscription_id
            query["resultsBody"] = body
            query.update(copied(results.extensions))
            written["epcisBody"] = {"queryResults": query, **copied(self.body_extensions)}
        written.update(copied(self.extensions))
        return written
