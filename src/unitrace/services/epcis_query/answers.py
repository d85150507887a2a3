"""What the query interface answers with: the EPCISQueryDocument of the events a query found,
each showing the EPCs its viewer may see; and a subscription as the REST binding shows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from unitrace.epcis import query_document
from unitrace.epcis.documents import namespaces_of
from unitrace.services.epcis_redaction import redacted
from unitrace.store.epcis_query.event_reads import FoundEvent
from unitrace.store.epcis_query.subscriptions import Subscription


def answer_document(
    events: Sequence[FoundEvent],
    *,
    query_name: str,
    created: dt.datetime,
    subscription_id: str | None = None,
) -> dict[str, Any]:
    """The EPCISQueryDocument with ``events``, each showing the EPCs its viewer may see
    (:mod:`~unitrace.services.epcis_redaction`): each event's own extension namespaces are
    declared once, in the document's ``@context``, as the official schema expects; an event
    whose prefix means something else than another event's keeps its own ``@context``."""
    namespaces: dict[str, str] = {}
    written = []
    for found in events:
        event = (
            dict(found.document) if found.shown is None else redacted(found.document, found.shown)
        )
        context = event.get("@context")
        if context is not None:
            own = namespaces_of(context)
            if all(namespaces.get(prefix, uri) == uri for prefix, uri in own.items()):
                namespaces.update(own)
                del event["@context"]
        written.append(event)
    document = query_document(
        [],
        query_name=query_name,
        created=created,
        subscription_id=subscription_id,
        namespaces=dict(sorted(namespaces.items())),
    )
    document["epcisBody"]["queryResults"]["resultsBody"]["eventList"] = written
    return document


def subscription_json(found: Subscription) -> dict[str, Any]:
    """A subscription as the REST binding answers with it: never its signature token."""
    written: dict[str, Any] = {
        "subscriptionID": found.subscription_id,
        "queryName": found.query_name,
        "dest": found.dest,
        "createdAt": _time_text(found.created_at),
        "initialRecordTime": _time_text(found.initial_record_time),
        "minRecordTime": _time_text(found.watermark.time),
    }
    if found.stream:
        written["stream"] = True
    else:
        written["schedule"] = found.schedule
        written["reportIfEmpty"] = found.report_if_empty
    if found.last_notified_at is not None:
        written["lastNotifiedAt"] = _time_text(found.last_notified_at)
    written["deliveryStatus"] = found.status
    if found.suspended_reason is not None:
        written["suspendedReason"] = found.suspended_reason
    if found.attempts:
        written["failedAttempts"] = found.attempts
        written["nextAttemptAt"] = _time_text(found.next_attempt_at)
        written["lastError"] = found.last_error
    return written


def _time_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
