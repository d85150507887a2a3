"""The named queries of the REST binding (``/epcis/queries``), each owned by the brand or by a
party: a name is unique per owner, and deleting a query ends its subscriptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, insert, select

from unitrace.store.schema import epcis_queries, epcis_subscriptions
from unitrace.store.times import utc


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedQuery:
    """A stored query: its definition as the REST binding's query schema writes it, and its
    owner (``party_id``; None: the brand)."""

    id: int
    name: str
    query: dict[str, Any]
    party_id: str | None
    created_by: str | None
    created_at: dt.datetime


class NamedQueryRepository:
    """The named queries, on one connection (a unit of work's)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_query(
        self,
        name: str,
        query: Mapping[str, Any],
        *,
        party_id: str | None,
        created_by: str | None,
        at: dt.datetime,
    ) -> NamedQuery:
        pk = self.connection.execute(
            insert(epcis_queries).returning(epcis_queries.c.id),
            {
                "name": name,
                "query": dict(query),
                "party_id": party_id,
                "created_by": created_by,
                "created_at": at,
            },
        ).scalar_one()
        return NamedQuery(
            id=pk,
            name=name,
            query=dict(query),
            party_id=party_id,
            created_by=created_by,
            created_at=at,
        )

    def query_named(self, name: str, *, party_id: str | None) -> NamedQuery | None:
        """The query ``name`` of the owner ``party_id`` (None: the brand's)."""
        row = self.connection.execute(
            select(epcis_queries).where(
                epcis_queries.c.name == name, _same_party(epcis_queries.c.party_id, party_id)
            )
        ).first()
        return None if row is None else _named_query(row)

    def named_queries(self, *, party_id: str | None) -> list[NamedQuery]:
        """The queries of the owner ``party_id`` (None: the brand's), by name."""
        statement = (
            select(epcis_queries)
            .where(_same_party(epcis_queries.c.party_id, party_id))
            .order_by(epcis_queries.c.name)
        )
        return [_named_query(row) for row in self.connection.execute(statement)]

    def remove_query(self, query_id: int) -> list[str]:
        """The query and its subscriptions (the REST binding: deleting a query unsubscribes
        every subscriber); the subscriptionIDs it had."""
        ended = self.connection.execute(
            delete(epcis_subscriptions)
            .where(epcis_subscriptions.c.query_id == query_id)
            .returning(epcis_subscriptions.c.subscription_id)
        ).scalars()
        subscription_ids = sorted(ended)
        self.connection.execute(delete(epcis_queries).where(epcis_queries.c.id == query_id))
        return subscription_ids


def _same_party(column: ColumnElement[Any], party_id: str | None) -> ColumnElement[bool]:
    return column.is_(None) if party_id is None else column == party_id


def _named_query(row: Any) -> NamedQuery:
    return NamedQuery(
        id=row.id,
        name=row.name,
        query=dict(row.query),
        party_id=row.party_id,
        created_by=row.created_by,
        created_at=utc(row.created_at),
    )
