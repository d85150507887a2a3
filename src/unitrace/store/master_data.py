"""EPCIS master data: the vocabulary elements captured documents carry in their header (a
business location's name and address, a read point's site…) and the hierarchy their
``children`` make, which ``WD_readPoint`` and ``WD_bizLocation`` walk (EPCIS 2.0 section
8.2.7.1: a location matches, or any location below it, as master data has it).

A later document's attributes of an element replace the earlier ones; children are only ever
added, since a document names the children it knows of, not every child there is.

>>> from unitrace.epcis import Vocabulary, VocabularyElement
>>> from unitrace.store.database import open_database
>>> from unitrace.store.migrations import upgrade
>>> from unitrace.store.unit_of_work import Database
>>> database = Database(open_database("sqlite://"))
>>> upgrade(database.engine)
>>> site, dock, door = (f"urn:epc:id:sgln:9506000.00001.{n}" for n in (0, 1, 2))
>>> with database.unit_of_work() as uow:
...     uow.master_data.record([Vocabulary(BUSINESS_LOCATION, (
...         VocabularyElement(site, children=(dock,)), VocabularyElement(dock, children=(door,))
...     ))])
...     sorted(uow.master_data.descendants(BUSINESS_LOCATION, [site]))
['urn:epc:id:sgln:9506000.00001.1', 'urn:epc:id:sgln:9506000.00001.2']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Select, select
from sqlalchemy.dialects import postgresql, sqlite

from unitrace.epcis import Vocabulary
from unitrace.epcis.jsonld import header_vocabularies
from unitrace.store.schema import vocabulary_children, vocabulary_elements
from unitrace.store.vocabulary_attributes import replace_attributes

#: The vocabulary types of the two location fields of an event (EPCIS 2.0 section 7.3.4).
READ_POINT: Final = "urn:epcglobal:epcis:vtype:ReadPoint"
BUSINESS_LOCATION: Final = "urn:epcglobal:epcis:vtype:BusinessLocation"


@dataclass(frozen=True, slots=True)
class MasterDataElement:
    """A vocabulary element as stored: its attributes as the latest document gave them (the
    JSON-LD ``attributes`` list) and every child any document named."""

    type: str
    id: str
    attributes: list[Any]
    children: tuple[str, ...]


class MasterDataRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def record(self, vocabularies: Iterable[Vocabulary]) -> None:
        """Keep the elements of ``vocabularies``: an element's attributes replace those
        stored before where the element lists attributes (an element listed without any keeps
        the ones it had); its children are added to those stored before."""
        elements: dict[tuple[str, str], list[Any] | None] = {}
        children: set[tuple[str, str, str]] = set()
        for vocabulary in vocabularies:
            for element in vocabulary.elements or ():
                key = (vocabulary.type, element.id)
                if element.attributes is not None:
                    elements[key] = [attribute.document() for attribute in element.attributes]
                else:
                    elements.setdefault(key, None)
                children.update(
                    (vocabulary.type, element.id, child) for child in element.children or ()
                )
        if elements:
            # one row per element: PostgreSQL refuses to update a row twice in one statement
            self._upsert_elements(elements)
        if children:
            rows = [
                {"type": kind, "parent_id": parent, "child_id": child}
                for kind, parent, child in sorted(children)
            ]
            self.connection.execute(
                self._insert(vocabulary_children).on_conflict_do_nothing(), rows
            )

    def record_header(self, document: Mapping[str, Any]) -> None:
        """Keep the master data in the header of ``document``, an EPCIS document that has
        passed validation (see :func:`~unitrace.epcis.jsonld.header_vocabularies`)."""
        self.record(header_vocabularies(document))

    def _upsert_elements(self, elements: Mapping[tuple[str, str], list[Any] | None]) -> None:
        replacing = [
            {"type": kind, "id": identifier, "attributes": attributes}
            for (kind, identifier), attributes in sorted(elements.items())
            if attributes is not None
        ]
        keeping = [
            {"type": kind, "id": identifier, "attributes": []}
            for (kind, identifier), attributes in sorted(elements.items())
            if attributes is None
        ]
        if replacing:
            replace_attributes(
                self.connection,
                {key: attributes for key, attributes in elements.items() if attributes is not None},
            )
            statement = self._insert(vocabulary_elements)
            self.connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[vocabulary_elements.c.type, vocabulary_elements.c.id],
                    set_={"attributes": statement.excluded.attributes},
                ),
                replacing,
            )
        if keeping:
            self.connection.execute(
                self._insert(vocabulary_elements).on_conflict_do_nothing(), keeping
            )

    def _insert(self, table: Any) -> Any:
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def element(self, vocabulary_type: str, element_id: str) -> MasterDataElement | None:
        attributes = self.connection.execute(
            select(vocabulary_elements.c.attributes).where(
                vocabulary_elements.c.type == vocabulary_type,
                vocabulary_elements.c.id == element_id,
            )
        ).scalar_one_or_none()
        if attributes is None:
            return None
        children = self.connection.execute(
            select(vocabulary_children.c.child_id)
            .where(
                vocabulary_children.c.type == vocabulary_type,
                vocabulary_children.c.parent_id == element_id,
            )
            .order_by(vocabulary_children.c.child_id)
        ).scalars()
        return MasterDataElement(vocabulary_type, element_id, list(attributes), tuple(children))

    def descendants(self, vocabulary_type: str, element_ids: Iterable[str]) -> set[str]:
        """Every element below any of ``element_ids`` in the hierarchy of
        ``vocabulary_type``, however deep (an element of ``element_ids`` too, where the
        hierarchy leads back to it)."""
        return set(self.connection.execute(descendants_of(vocabulary_type, element_ids)).scalars())


def descendants_of(vocabulary_type: str, element_ids: Iterable[str]) -> Select[Any]:
    """The IDs of every element below any of ``element_ids`` in the hierarchy of
    ``vocabulary_type``: one recursive select, to run alone or inside a query. Its ``UNION``
    (not ``UNION ALL``) drops a row found before, so a hierarchy that loops back on itself
    ends the walk instead of repeating it."""
    children = vocabulary_children.c
    below = (
        select(children.child_id.label("id"))
        .where(children.type == vocabulary_type, children.parent_id.in_(sorted(element_ids)))
        .cte(f"below_{_name(vocabulary_type)}", recursive=True)
    )
    below = below.union(
        select(children.child_id).where(
            children.type == vocabulary_type, children.parent_id == below.c.id
        )
    )
    return select(below.c.id)


def _name(vocabulary_type: str) -> str:
    """A name for the walk of one vocabulary type, so that two walks in one query differ."""
    return "".join(
        character for character in vocabulary_type.rsplit(":", 1)[-1] if character.isalnum()
    ).lower()
