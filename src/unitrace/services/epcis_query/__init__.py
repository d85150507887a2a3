"""EPCIS 2.0 queries: the standard query parameters read and checked, run for a caller with
the view of the events that caller may have, answered as an EPCISQueryDocument a page at a
time; and the webhook subscriptions to named queries (kept by
:mod:`unitrace.services.epcis_named_queries`), delivered by :class:`SubscriptionDelivery`.

Its rooms, from the bottom up:

- :mod:`~unitrace.services.epcis_query.values`: one parameter's value (a time, a count, a
  URI) and the :class:`QueryParameterException` naming a parameter that cannot be read;
- :mod:`~unitrace.services.epcis_query.spellings`: every spelling a value may be stored in
  (CBV words, places, EPCs, patterns and Digital Links);
- :mod:`~unitrace.services.epcis_query.sensor_parameters` and
  :mod:`~unitrace.services.epcis_query.field_parameters`: the sensor, extension-field and
  quantity parameters;
- :mod:`~unitrace.services.epcis_query.parameters`: a query's parameters, from a query string
  or a named query's JSON, read into a :class:`QueryDefinition`, and how values are read;
- :mod:`~unitrace.services.epcis_query.answers`: the EPCISQueryDocument of the events found,
  and a subscription as the REST binding shows it;
- :mod:`~unitrace.services.epcis_query.pages`: a query run for a caller a page at a time
  (``perPage``, ``nextPageToken``, ``eventCountLimit``, ``maxEventCount``), and who sees what;
- :mod:`~unitrace.services.epcis_query.subscriptions`: a subscription request read and its
  destination checked, and its :class:`Schedule`;
- :mod:`~unitrace.services.epcis_query.delivery`: the subscriptions delivered in the
  background, signed, retried and suspended.
"""

from __future__ import annotations

from unitrace.services.epcis_query.answers import answer_document, subscription_json
from unitrace.services.epcis_query.delivery import (
    DELIVERY_TIMEOUT,
    DeliveryPolicy,
    Post,
    SubscriptionDelivery,
    definition_of_subscription,
    post_over_http,
    signature,
)
from unitrace.services.epcis_query.field_parameters import CONTEXT, extensions_context
from unitrace.services.epcis_query.pages import (
    MAX_PER_PAGE,
    PER_PAGE,
    SEE_ALL,
    SIMPLE_EVENT_QUERY,
    QueryPage,
    QueryTooLargeException,
    find_event,
    read_page_size,
    run_query,
    token_bytes,
    token_text,
    viewer_of,
    vocabulary,
)
from unitrace.services.epcis_query.parameters import (
    PAGE_PARAMETERS,
    QueryDefinition,
    json_parameters,
    query_string_parameters,
    read_query,
)
from unitrace.services.epcis_query.spellings import epc_spellings
from unitrace.services.epcis_query.subscriptions import (
    SCHEDULE_FIELDS,
    CheckedSubscription,
    Schedule,
    SubscriptionControlsException,
    SubscriptionRequest,
    read_subscription,
)
from unitrace.services.epcis_query.values import COUNT_CEILING, QueryParameterException

__all__ = [
    "CONTEXT",
    "COUNT_CEILING",
    "DELIVERY_TIMEOUT",
    "MAX_PER_PAGE",
    "PAGE_PARAMETERS",
    "PER_PAGE",
    "SCHEDULE_FIELDS",
    "SEE_ALL",
    "SIMPLE_EVENT_QUERY",
    "CheckedSubscription",
    "DeliveryPolicy",
    "Post",
    "QueryDefinition",
    "QueryPage",
    "QueryParameterException",
    "QueryTooLargeException",
    "Schedule",
    "SubscriptionControlsException",
    "SubscriptionDelivery",
    "SubscriptionRequest",
    "answer_document",
    "definition_of_subscription",
    "epc_spellings",
    "extensions_context",
    "find_event",
    "json_parameters",
    "post_over_http",
    "query_string_parameters",
    "read_page_size",
    "read_query",
    "read_subscription",
    "run_query",
    "signature",
    "subscription_json",
    "token_bytes",
    "token_text",
    "viewer_of",
    "vocabulary",
]
