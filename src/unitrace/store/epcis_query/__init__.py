"""The EPCIS query side in the database, in rooms:

- :mod:`~unitrace.store.epcis_query.conditions`: a query's conditions (:class:`EventQuery`,
  with its :class:`EpcMatch` es and :class:`ValueMatch` es) as SQL over the event index;
- :mod:`~unitrace.store.epcis_query.event_reads`: the events a query finds for a viewer, a
  keyset page at a time, with their EPC lists; the values and EPCs the visible events name;
- :mod:`~unitrace.store.epcis_query.named_queries`: the REST binding's named queries;
- :mod:`~unitrace.store.epcis_query.subscriptions`: the webhook subscriptions to them, with
  their delivery state.

:class:`EpcisQueries` is all of these on one connection (a unit of work's).
"""

from __future__ import annotations

from sqlalchemy import Connection

from unitrace.store.epcis_query.conditions import (
    CLASS_ROLES,
    MATCH_ROLES,
    EpcMatch,
    EventQuery,
    OrderBy,
    ValueMatch,
    prefix_successor,
)
from unitrace.store.epcis_query.event_reads import (
    EVERY_EVENT,
    EventReads,
    EventViewer,
    FoundEvent,
    PagePosition,
)
from unitrace.store.epcis_query.field_conditions import FieldCondition
from unitrace.store.epcis_query.named_queries import NamedQuery, NamedQueryRepository
from unitrace.store.epcis_query.sensor_conditions import SensorCondition
from unitrace.store.epcis_query.subscriptions import (
    CreatorStanding,
    NewSubscription,
    Subscription,
    SubscriptionRepository,
)

__all__ = [
    "CLASS_ROLES",
    "EVERY_EVENT",
    "MATCH_ROLES",
    "CreatorStanding",
    "EpcMatch",
    "EpcisQueries",
    "EventQuery",
    "EventReads",
    "EventViewer",
    "FieldCondition",
    "FoundEvent",
    "NamedQuery",
    "NamedQueryRepository",
    "NewSubscription",
    "OrderBy",
    "PagePosition",
    "SensorCondition",
    "Subscription",
    "SubscriptionRepository",
    "ValueMatch",
    "prefix_successor",
]


class EpcisQueries(EventReads, NamedQueryRepository, SubscriptionRepository):
    """The EPCIS query side's reads and writes, on one connection (a unit of work's)."""

    def __init__(self, connection: Connection) -> None:
        EventReads.__init__(self, connection)
