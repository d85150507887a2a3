"""EPCIS discovery: what a client may ask the repository about, as the EPCIS 2.0 REST binding's
top-level resources lay it out.

``GET /epcis`` lists the top-level resources; ``GET /epcis/epcs`` pages through the EPCs the
caller's events name; ``GET /epcis/{resource}/{value}`` lists what may be asked of one value
(its ``events``), once the caller may see an event with it; ``OPTIONS`` on any of them says
which methods it takes and which EPCIS and CBV versions it speaks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from unitrace.epcis import EVENT_TYPES
from unitrace.registry.errors import NotFound
from unitrace.registry.model import Actor
from unitrace.services.epcis_query import (
    MAX_PER_PAGE,
    QueryParameterException,
    read_query,
    run_query,
    token_bytes,
    token_text,
    viewer_of,
)
from unitrace.store.epcis_query import EpcisQueries
from unitrace.store.unit_of_work import UnitOfWork

#: The top-level resources, in the order the REST binding lists them.
TOP_LEVEL: Final = (
    "queries",
    "capture",
    "events",
    "eventTypes",
    "epcs",
    "readPoints",
    "bizLocations",
    "dispositions",
    "bizSteps",
)
#: The query parameter a value of each value-keyed resource stands for.
PARAMETER_OF: Final[Mapping[str, str]] = {
    "eventTypes": "eventType",
    "epcs": "MATCH_anyEPC",
    "bizSteps": "EQ_bizStep",
    "bizLocations": "EQ_bizLocation",
    "readPoints": "EQ_readPoint",
    "dispositions": "EQ_disposition",
}
#: What may be asked of one value of those resources.
SUB_RESOURCES: Final = ("events",)

#: The methods of every EPCIS resource, by the pattern of its path below ``/epcis``; the
#: answer to ``OPTIONS`` (``Allow``). ``OPTIONS /epcis/capture`` answers for itself, with the
#: capture limits.
METHODS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), methods)
    for pattern, methods in (
        (r"", "OPTIONS, GET"),
        (r"/capture", "OPTIONS, GET, POST"),
        (r"/capture/[^/]+", "OPTIONS, GET"),
        (r"/events", "OPTIONS, GET, POST"),
        (r"/events/.+", "OPTIONS, GET"),
        (r"/(eventTypes|epcs|bizSteps|bizLocations|readPoints|dispositions)", "OPTIONS, GET"),
        (r"/(eventTypes|epcs|bizSteps|bizLocations|readPoints|dispositions)/.+", "OPTIONS, GET"),
        (r"/queries", "OPTIONS, GET, POST"),
        (r"/queries/[^/]+", "OPTIONS, GET, DELETE"),
        (r"/queries/[^/]+/events", "OPTIONS, GET"),
        (r"/queries/[^/]+/subscriptions", "OPTIONS, GET, POST"),
        (r"/queries/[^/]+/subscriptions/[^/]+", "OPTIONS, GET, DELETE"),
    )
)


def methods_of(path: str) -> str | None:
    """The methods the EPCIS resource at ``path`` (below ``/epcis``) takes; None where there
    is no such resource.

    >>> methods_of("/queries/recalls/subscriptions")
    'OPTIONS, GET, POST'
    >>> methods_of("/epcs/urn:epc:id:sgtin:9506000.013435.S1") == methods_of("/epcs")
    True
    >>> methods_of("/nowhere") is None
    True
    """
    path = path.rstrip("/")
    for pattern, methods in METHODS:
        if pattern.fullmatch(path):
            return methods
    return None


@dataclass(frozen=True, slots=True)
class EpcPage:
    """One page of the EPCs a caller's events name, and the token of the next page."""

    epcs: tuple[str, ...]
    next_page_token: str | None


def known_epcs(
    uow: UnitOfWork, *, actor: Actor, per_page: int, page_token: str | None = None
) -> EpcPage:
    """A page of the EPCs named by the events ``actor`` may see, in code order."""
    per_page = min(per_page, MAX_PER_PAGE)
    after = _read_token(page_token) if page_token else None
    found = EpcisQueries(uow.connection).known_epcs(
        viewer=viewer_of(actor), after=after, limit=per_page + 1
    )
    more = len(found) > per_page
    found = found[:per_page]
    return EpcPage(tuple(found), _token(found[-1]) if more and found else None)


def sub_resources(uow: UnitOfWork, resource: str, value: str, *, actor: Actor) -> list[str]:
    """What may be asked of ``value`` of ``resource`` (an event type, an EPC, a bizStep …):
    :class:`NotFound` unless ``actor`` may see an event with it (or, for an event type, it
    is one); :class:`QueryParameterException` for a value that cannot be one."""
    parameter = PARAMETER_OF.get(resource)
    if parameter is None:
        raise NotFound(f"/epcis/{resource}: no such resource")
    if resource == "eventTypes":
        if value not in EVENT_TYPES:
            raise NotFound(f"eventTypes: {value!r} is not an EPCIS event type")
        return list(SUB_RESOURCES)
    definition = read_query({parameter: (value,)})  # an unreadable value: 400, naming it
    if not run_query(uow, definition, actor=actor, per_page=1).events:
        raise NotFound(f"{resource}: no event this token may see names {value!r}")
    return list(SUB_RESOURCES)


def _token(last: str) -> str:
    # only a position in code order: every page is filtered by the caller's view again
    return token_text(last.encode())


def _read_token(token: str) -> str:
    try:
        return token_bytes(token).decode()
    except UnicodeDecodeError:
        raise QueryParameterException(
            "nextPageToken", "is not a page token this repository gave"
        ) from None
