"""A query run for a caller, a page at a time, with the view of the events that caller may
have; and the tokens of the pages that follow.

Who sees what: ``admin`` and ``line`` tokens (the brand owner's own) see every event; a
``distributor`` or ``verifier`` token sees the events that concern its party (``party_id``: a
shipment's destination, else the recorder's party) and the events naming a unit or container
in its party's custody now, and of their EPCs only those its party holds or held: the others
are withheld from each event it is shown (:mod:`unitrace.services.epcis_redaction`), and a
``MATCH_`` parameter on EPCs finds only those.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Final

from unitrace.registry.errors import NotFound, Refused
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_query.answers import answer_document
from unitrace.services.epcis_query.parameters import QueryDefinition, read_query
from unitrace.services.epcis_query.values import QueryParameterException, read_positive
from unitrace.store.epcis_query.event_reads import (
    EVERY_EVENT,
    EventReads,
    EventViewer,
    FoundEvent,
    PagePosition,
)
from unitrace.store.unit_of_work import UnitOfWork

#: The query name of an ad-hoc query's answer.
SIMPLE_EVENT_QUERY: Final = "SimpleEventQuery"
#: Events per page unless ``perPage`` says otherwise (the REST binding's default), and the most
#: a page holds whatever ``perPage`` asks: a page is built in memory.
PER_PAGE: Final = 30
MAX_PER_PAGE: Final = 1000
#: Roles that see every event.
SEE_ALL: Final = frozenset({Role.ADMIN, Role.LINE})


class QueryTooLargeException(Refused):
    """More events match than the query's ``maxEventCount`` allows."""


def viewer_of(actor: Actor) -> EventViewer:
    """The view of the events ``actor`` may have (see the module's documentation)."""
    if actor.role in SEE_ALL:
        return EVERY_EVENT
    return EventViewer(everything=False, party_id=actor.party_id)


@dataclass(frozen=True, slots=True)
class QueryPage:
    """One page of a query's answer: the EPCISQueryDocument and, when more events match,
    the token of the next page."""

    document: dict[str, Any]
    events: tuple[FoundEvent, ...]
    next_page_token: str | None


def read_page_size(value: str | None) -> int:
    """``perPage``: 30 unless given, at most :data:`MAX_PER_PAGE` (a larger value is read as
    the most, which the REST binding allows)."""
    if value is None:
        return PER_PAGE
    return min(read_positive("perPage", value), MAX_PER_PAGE)


def run_query(
    uow: UnitOfWork,
    definition: QueryDefinition,
    *,
    actor: Actor,
    per_page: int = PER_PAGE,
    page_token: str | None = None,
    query_name: str = SIMPLE_EVENT_QUERY,
    now: dt.datetime | None = None,
) -> QueryPage:
    """One page of the events ``definition`` matches that ``actor`` may see."""
    queries = EventReads(uow.connection)
    viewer = viewer_of(actor)
    after, delivered = _read_token(page_token, definition) if page_token else (None, 0)
    if definition.max_event_count is not None and page_token is None:
        # the standard's QueryTooLargeException: counted once, on the first page
        over = queries.events(
            definition.conditions, viewer=viewer, limit=definition.max_event_count + 1
        )
        if len(over) > definition.max_event_count:
            raise QueryTooLargeException(
                f"maxEventCount: more than {definition.max_event_count} events match"
            )
    wanted = per_page
    if definition.event_count_limit is not None:
        wanted = min(wanted, definition.event_count_limit - delivered)
    found = queries.events(definition.conditions, viewer=viewer, after=after, limit=wanted + 1)
    more = len(found) > wanted
    found = found[:wanted]
    if definition.event_count_limit is not None:
        more = more and delivered + len(found) < definition.event_count_limit
    token = None
    if more and found:
        token = _token(definition, found[-1].position, delivered + len(found))
    document = answer_document(found, query_name=query_name, created=now or dt.datetime.now(dt.UTC))
    return QueryPage(document, tuple(found), token)


def find_event(uow: UnitOfWork, event_id: str, *, actor: Actor) -> QueryPage:
    """The one event ``event_id`` names, if ``actor`` may see it; else :class:`NotFound`
    (whether it exists or not, so that a distributor learns nothing of others' events)."""
    definition = read_query({"EQ_eventID": (event_id,)})
    page = run_query(uow, definition, actor=actor, per_page=1)
    if not page.events:
        raise NotFound(f"no event {event_id!r} is stored that this token may see")
    return page


def vocabulary(uow: UnitOfWork, column: str, *, actor: Actor) -> list[str]:
    """The event types, bizSteps, bizLocations, readPoints or dispositions of the events
    ``actor`` may see."""
    return EventReads(uow.connection).vocabulary(column, viewer=viewer_of(actor))


# Page tokens: opaque to the client, bound to the query they continue (its digest), holding
# where the next page starts and how many events came before (for eventCountLimit). They
# carry no rights: the caller's own view of the events applies to every page.


def _token(definition: QueryDefinition, position: PagePosition, delivered: int) -> str:
    payload = {
        "q": definition.digest(),
        "t": position.time.isoformat(),
        "k": position.pk,
        "n": delivered,
    }
    return token_text(json.dumps(payload, separators=(",", ":")).encode())


def token_text(raw: bytes) -> str:
    """A page token's bytes as the text a URL carries (URL-safe Base64, unpadded)."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def token_bytes(token: str) -> bytes:
    """The bytes of a page token :func:`token_text` wrote; :class:`QueryParameterException`
    for any other text."""
    try:
        return base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise QueryParameterException(
            "nextPageToken", "is not a page token this repository gave"
        ) from None


def _read_token(token: str, definition: QueryDefinition) -> tuple[PagePosition, int]:
    raw = token_bytes(token)
    try:
        payload = json.loads(raw)
        position = PagePosition(dt.datetime.fromisoformat(payload["t"]), int(payload["k"]))
        delivered = int(payload["n"])
        digest = payload["q"]
        limit = definition.event_count_limit
        if (
            position.time.tzinfo is None
            or not 0 <= position.pk < 2**63
            or not 0 <= delivered <= (limit if limit is not None else delivered)
        ):
            raise ValueError("out of range")
    except (ValueError, KeyError, TypeError):
        raise QueryParameterException(
            "nextPageToken", "is not a page token this repository gave"
        ) from None
    if digest != definition.digest():
        raise QueryParameterException(
            "nextPageToken", "belongs to another query: repeat the query's parameters with it"
        )
    return position, delivered
