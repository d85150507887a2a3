"""EPCIS 2.0 queries: the standard query parameters read and checked, run for a caller with
the view of the events that caller may have, answered as an EPCISQueryDocument a page at a
time; and the webhook subscriptions to named queries (kept by
:mod:`unitrace.services.epcis_named_queries`), delivered by :class:`SubscriptionDelivery`.

Who sees what: ``admin`` and ``line`` tokens (the brand owner's own) see every event; a
``distributor`` or ``verifier`` token sees the events that concern its party (``party_id``: a
shipment's destination, else the recorder's party) and the events naming a unit or container
in its party's custody now, and of their EPCs only those its party holds or held: the others
are withheld from each event it is shown (:mod:`unitrace.services.epcis_redaction`), and a
``MATCH_`` parameter on EPCs finds only those.

How values are read:

- a parameter's values are OR-ed, parameters are AND-ed; in a query string a list parameter
  takes comma-separated values (and may be repeated), in a named query a JSON array;
- ``EQ_bizStep``, ``EQ_disposition`` and ``EQ_persistentDisposition_*`` take a CBV word in any
  spelling (``shipping``, ``urn:epcglobal:cbv:bizstep:shipping``,
  ``https://ref.gs1.org/cbv/BizStep-shipping``) and match each spelling an event may hold;
  other URIs match as written. The ``<type>`` of ``EQ_bizTransaction_<type>``,
  ``EQ_source_<type>`` and ``EQ_destination_<type>`` matches every spelling of the type;
- ``MATCH_`` parameters take EPC URIs, ``urn:epc:idpat`` patterns with ``*`` and GS1 Digital
  Links; see :func:`epc_spellings`;
- ``EQ_readPoint`` / ``EQ_bizLocation`` take location URIs; a GLN's place matches as its SGLN
  URI and as its Digital Link on GS1's resolver, whichever is asked for;
- ``WD_readPoint`` / ``WD_bizLocation`` take location URIs and match each location and every
  location below it, directly or not, in the master data captured with documents (the
  ``children`` of ``urn:epcglobal:epcis:vtype:ReadPoint`` / ``…:BusinessLocation`` elements;
  see :mod:`unitrace.store.master_data`); a location no master data names matches itself;
- times need a zone (``Z`` or ``±hh:mm``); ``orderBy`` is ``eventTime`` or ``recordTime``, with
  ``orderDirection`` ``DESC`` by default as the standard has it; without ``orderBy`` events come
  in eventTime order, oldest first.

Anything else, and any value that cannot be read, is a :class:`QueryParameterException`
naming the parameter.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from unitrace.epcis import (
    EVENT_TYPES,
    GS1_RESOLVER,
    Action,
    BizStep,
    BizTransactionType,
    Disposition,
    SourceDestType,
    query_document,
)
from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.hashing import canonical_identifier
from unitrace.gs1 import ElementString, InvalidCode, build_digital_link
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.digital_link import parse_digital_link
from unitrace.gs1.epc import COMPANY_PREFIX_LENGTHS, epc_class_uri, epc_uri, parse_epc_uri
from unitrace.registry.errors import InvalidRequest, NotFound, Refused
from unitrace.registry.model import Actor, Role
from unitrace.services import webhooks
from unitrace.services.epcis_redaction import redacted
from unitrace.services.tokens import ACTOR_PREFIX, revocation_reason
from unitrace.services.webhooks import DestinationRefused, WebhookDestinations, WebhookTarget
from unitrace.store.database import is_busy
from unitrace.store.epcis_query import (
    EVERY_EVENT,
    MATCH_ROLES,
    CreatorStanding,
    EpcisQueries,
    EpcMatch,
    EventQuery,
    EventViewer,
    FoundEvent,
    PagePosition,
    Subscription,
    ValueMatch,
)
from unitrace.store.unit_of_work import Database, UnitOfWork

log = logging.getLogger(__name__)

#: The query name of an ad-hoc query's answer.
SIMPLE_EVENT_QUERY: Final = "SimpleEventQuery"
#: Events per page unless ``perPage`` says otherwise (the REST binding's default), and the most
#: a page holds whatever ``perPage`` asks: a page is built in memory.
PER_PAGE: Final = 30
MAX_PER_PAGE: Final = 1000
#: Roles that see every event.
SEE_ALL: Final = frozenset({Role.ADMIN, Role.LINE})


class QueryParameterException(Refused):
    """A query parameter this repository cannot read (the standard's
    ``QueryParameterException``); names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class QueryTooLargeException(Refused):
    """More events match than the query's ``maxEventCount`` allows."""


# --- reading the parameters -----------------------------------------------------------------

#: Parameters whose values are OR-ed lists.
_LIST_PARAMETERS: Final = frozenset(
    {
        "eventType",
        "EQ_action",
        "EQ_bizStep",
        "EQ_disposition",
        "EQ_readPoint",
        "WD_readPoint",
        "EQ_bizLocation",
        "WD_bizLocation",
        "EQ_transformationID",
        "EQ_eventID",
        "EQ_persistentDisposition_set",
        "EQ_persistentDisposition_unset",
        *MATCH_ROLES,
    }
)
_TIME_PARAMETERS: Final = {
    "GE_eventTime": "event_time_from",
    "LT_eventTime": "event_time_before",
    "GE_recordTime": "record_time_from",
    "LT_recordTime": "record_time_before",
    # EPCIS 2.0 section 8.2.7.1 spells it so; the REST binding's query schema with "_Time"
    "GE_errorDeclarationTime": "error_declared_from",
    "LT_errorDeclarationTime": "error_declared_before",
    "GE_errorDeclaration_Time": "error_declared_from",
    "LT_errorDeclaration_Time": "error_declared_before",
}
_SCALAR_PARAMETERS: Final = frozenset(
    {
        *_TIME_PARAMETERS,
        "orderBy",
        "orderDirection",
        "eventCountLimit",
        "maxEventCount",
        "EXISTS_errorDeclaration",
    }
)
#: ``EQ_<field>_<type>`` parameters: the event_values field, and the CBV vocabulary of types.
_TYPED_PARAMETERS: Final = {
    "EQ_bizTransaction_": ("bizTransaction", "btt", "BTT"),
    "EQ_source_": ("source", "sdt", "SDT"),
    "EQ_destination_": ("destination", "sdt", "SDT"),
}
_TYPE_WORD = re.compile(r"[a-z][a-zA-Z0-9_]+")
#: Page parameters: in a query string only, never part of a named query.
PAGE_PARAMETERS: Final = frozenset({"perPage", "nextPageToken"})

#: CBV vocabularies: (URN namespace, Web URI prefix) and their words.
_BIZ_STEPS: Final = ("bizstep", "BizStep", frozenset(step.value for step in BizStep))
_DISPOSITIONS: Final = ("disp", "Disp", frozenset(item.value for item in Disposition))
_ACTIONS: Final = frozenset(action.value for action in Action)
_KNOWN_TYPES: Final = {
    "btt": frozenset(item.value for item in BizTransactionType),
    "sdt": frozenset(item.value for item in SourceDestType),
}


@dataclass(frozen=True, slots=True)
class QueryDefinition:
    """A query as read: its conditions, the limits on its answer, and its parameters as
    given (the canonical form a named query is stored in and a page token is bound to)."""

    conditions: EventQuery
    parameters: Mapping[str, tuple[str, ...]]
    event_count_limit: int | None = None
    max_event_count: int | None = None

    def digest(self) -> str:
        canonical = json.dumps(
            {key: list(values) for key, values in sorted(self.parameters.items())},
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def stored(self) -> dict[str, Any]:
        """The definition as the REST binding's query schema writes it: lists as arrays,
        scalars as strings (``eventCountLimit`` and ``maxEventCount`` as integers)."""
        written: dict[str, Any] = {}
        for key, values in self.parameters.items():
            if key in ("eventCountLimit", "maxEventCount"):
                written[key] = int(values[0])
            elif key == "EXISTS_errorDeclaration":
                written[key] = None  # the query schema's "nullable integer": present, no value
            elif key in _SCALAR_PARAMETERS:
                written[key] = values[0]
            else:
                written[key] = list(values)
        return written


def query_string_parameters(
    pairs: Iterable[tuple[str, str]], *, page_parameters: bool = True
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """A query string's parameters as (query parameters, page parameters): list parameters
    split at commas and merged when repeated; a scalar given twice is refused."""
    parameters: dict[str, list[str]] = {}
    page: dict[str, str] = {}
    for key, value in pairs:
        if key in PAGE_PARAMETERS and page_parameters:
            if key in page:
                raise QueryParameterException(key, "given more than once")
            page[key] = value
            continue
        if _is_list_parameter(key):
            parameters.setdefault(key, []).extend(part.strip() for part in value.split(","))
        else:
            if key in parameters:
                raise QueryParameterException(key, "given more than once; it takes one value")
            parameters[key] = [value]
    return {key: tuple(values) for key, values in parameters.items()}, page


def json_parameters(query: Any) -> dict[str, tuple[str, ...]]:
    """A named query's definition (the REST binding's query schema: arrays for lists) in the
    form :func:`read_query` takes."""
    if not isinstance(query, Mapping):
        raise QueryParameterException("query", "must be a JSON object of query parameters")
    parameters: dict[str, tuple[str, ...]] = {}
    for key, value in query.items():
        if key in PAGE_PARAMETERS:
            raise QueryParameterException(key, "is a page parameter, not part of a query")
        if _is_list_parameter(key):
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise QueryParameterException(key, "must be an array of strings")
            parameters[key] = tuple(value)
        elif key == "EXISTS_errorDeclaration":
            if value not in (None, 1, True, "", "true", "1"):
                raise QueryParameterException(key, "takes no value (null)")
            parameters[key] = ("",)
        elif isinstance(value, bool) or not isinstance(value, str | int):
            raise QueryParameterException(key, "must be a string or an integer")
        else:
            parameters[key] = (str(value),)
    return parameters


def _is_list_parameter(key: str) -> bool:
    return key in _LIST_PARAMETERS or any(key.startswith(prefix) for prefix in _TYPED_PARAMETERS)


def read_query(parameters: Mapping[str, Sequence[str]]) -> QueryDefinition:
    """The query ``parameters`` ask for; :class:`QueryParameterException` names the first
    parameter that is unknown, unsupported or holds a value that cannot be read."""
    fields: dict[str, Any] = {}
    epc_matches: list[EpcMatch] = []
    value_matches: list[ValueMatch] = []
    limits: dict[str, int] = {}
    for key in sorted(parameters):
        values = tuple(parameters[key])
        if _is_list_parameter(key) and (not values or any(not value for value in values)):
            raise QueryParameterException(key, "has an empty value")
        if key == "eventType":
            unknown = [value for value in values if value not in EVENT_TYPES]
            if unknown:
                raise QueryParameterException(
                    key, f"{unknown[0]!r} is not an event type ({', '.join(EVENT_TYPES)})"
                )
            fields["event_types"] = frozenset(values)
        elif key in _TIME_PARAMETERS:
            fields[_TIME_PARAMETERS[key]] = _time(key, values[0])
        elif key == "EQ_action":
            unknown = [value for value in values if value not in _ACTIONS]
            if unknown:
                raise QueryParameterException(key, f"{unknown[0]!r} is not ADD, OBSERVE or DELETE")
            fields["actions"] = frozenset(values)
        elif key == "EQ_bizStep":
            fields["biz_steps"] = _cbv_spellings(key, values, *_BIZ_STEPS)
        elif key == "EQ_disposition":
            fields["dispositions"] = _cbv_spellings(key, values, *_DISPOSITIONS)
        elif key in ("EQ_readPoint", "EQ_bizLocation"):
            places = _place_spellings(key, values)
            fields["read_points" if key == "EQ_readPoint" else "biz_locations"] = places
        elif key in ("WD_readPoint", "WD_bizLocation"):
            # the hierarchy is walked when the query runs, with the master data of that moment
            within = "read_points_within" if key == "WD_readPoint" else "biz_locations_within"
            fields[within] = _place_spellings(key, values)
        elif key == "EQ_eventID":
            fields["event_ids"] = frozenset(values)
        elif key == "EQ_transformationID":
            for value in values:
                _uri(key, value)
            value_matches.append(ValueMatch("transformationID", frozenset(values)))
        elif key in ("EQ_persistentDisposition_set", "EQ_persistentDisposition_unset"):
            change = key.rsplit("_", 1)[1]
            spellings = _cbv_spellings(key, values, *_DISPOSITIONS)
            value_matches.append(ValueMatch(f"persistentDisposition.{change}", spellings))
        elif key in MATCH_ROLES:
            epc_matches.append(_epc_match(key, values))
        elif key == "EXISTS_errorDeclaration":
            if values[0] not in ("", "true", "1"):
                raise QueryParameterException(key, "takes no value (EXISTS_errorDeclaration=)")
            fields["error_declared"] = True
        elif key == "orderBy":
            if values[0] not in ("eventTime", "recordTime"):
                raise QueryParameterException(key, "orders by eventTime or recordTime")
            fields["order_by"] = values[0]
        elif key == "orderDirection":
            if values[0] not in ("ASC", "DESC"):
                raise QueryParameterException(key, "is ASC or DESC")
        elif key in ("eventCountLimit", "maxEventCount"):
            limits[key] = _positive(key, values[0])
        elif (typed := _typed(key)) is not None:
            field, vocabulary, web = typed
            word = key.removeprefix(next(p for p in _TYPED_PARAMETERS if key.startswith(p)))
            for value in values:
                _uri(key, value)
            value_matches.append(
                ValueMatch(field, frozenset(values), _type_spellings(word, vocabulary, web))
            )
        else:
            raise QueryParameterException(key, _unknown(key))
    if "orderBy" in parameters:
        # EPCIS 2.0 section 8.2.7.1: DESC unless orderDirection says otherwise
        direction = parameters.get("orderDirection", ("DESC",))[0]
        fields["descending"] = direction == "DESC"
    elif "orderDirection" in parameters:
        fields["descending"] = parameters["orderDirection"][0] == "DESC"
    if len(limits) == 2:
        raise QueryParameterException(
            "maxEventCount", "may not be given with eventCountLimit (EPCIS 2.0 section 8.2.7.1)"
        )
    return QueryDefinition(
        conditions=EventQuery(
            epc_matches=tuple(epc_matches), value_matches=tuple(value_matches), **fields
        ),
        parameters={key: tuple(parameters[key]) for key in sorted(parameters)},
        event_count_limit=limits.get("eventCountLimit"),
        max_event_count=limits.get("maxEventCount"),
    )


def _typed(key: str) -> tuple[str, str, str] | None:
    for prefix, typed in _TYPED_PARAMETERS.items():
        if key.startswith(prefix):
            word = key.removeprefix(prefix)
            if _TYPE_WORD.fullmatch(word) is None:
                raise QueryParameterException(key, f"{word!r} is not a type name")
            return typed
    return None


_UNSUPPORTED_PREFIXES = ("EQ_", "GT_", "GE_", "LT_", "LE_", "EXISTS_", "HASATTR_", "MATCH_")


def _unknown(key: str) -> str:
    if key.startswith(_UNSUPPORTED_PREFIXES):
        return (
            "is not a query parameter this repository supports (sensor, quantity, ILMD, "
            "extension-field and master-data parameters are not)"
        )
    return "is not an EPCIS query parameter"


def _time(key: str, value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise QueryParameterException(
            key, f"{value!r} is not a time (ISO 8601, e.g. 2026-01-31T12:00:00Z)"
        ) from None
    if parsed.tzinfo is None:
        raise QueryParameterException(key, f"{value!r} needs a time zone (Z or ±hh:mm)")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise QueryParameterException(
            key, f"{value!r} is out of range: in UTC it falls outside the years 1 to 9999"
        ) from None


#: The largest count a query parameter means as given: more events than any repository holds
#: (a larger number means the same, and must not reach the database, which would refuse it).
COUNT_CEILING: Final = 2**31 - 1


def _positive(key: str, value: str) -> int:
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise QueryParameterException(key, f"{value!r} is not a positive whole number")
    return min(int(value), COUNT_CEILING)


def _place_spellings(key: str, values: Sequence[str]) -> frozenset[str]:
    """Every spelling of the places ``values`` name: a GLN's SGLN URI and Digital Link alike
    (an event may write its place either way); any other URI as it is."""
    spellings: set[str] = set()
    for value in values:
        _uri(key, value)
        try:
            exact, _ = epc_spellings(value)
        except ValueError:
            exact = {value}
        spellings |= exact | {value}
    return frozenset(spellings)


def _uri(key: str, value: str) -> None:
    if ":" not in value or any(character.isspace() for character in value):
        raise QueryParameterException(key, f"{value!r} is not a URI")


def _cbv_spellings(
    key: str, values: Iterable[str], urn_namespace: str, web_name: str, words: frozenset[str]
) -> frozenset[str]:
    """Every spelling an event may hold each of ``values`` in: a CBV word bare, as a URN,
    as a Web URI and as a compact URI; any other URI as it is."""
    spellings: set[str] = set()
    for value in values:
        word = _cbv_word(value, urn_namespace, web_name)
        if word is None:
            _uri(key, value)
            spellings.add(value)
        elif word not in words:
            raise QueryParameterException(key, f"{value!r} is not a CBV {web_name} word")
        else:
            spellings.update(_spelled(word, urn_namespace, web_name))
    return frozenset(spellings)


def _cbv_word(value: str, urn_namespace: str, web_name: str) -> str | None:
    """The CBV word ``value`` spells, or ``None`` for a URI outside the CBV."""
    for prefix in _prefixes(urn_namespace, web_name):
        if value.startswith(prefix):
            return value.removeprefix(prefix)
    return None if ":" in value else value


def _prefixes(urn_namespace: str, web_name: str) -> tuple[str, ...]:
    return (
        f"urn:epcglobal:cbv:{urn_namespace}:",
        f"https://ref.gs1.org/cbv/{web_name}-",
        f"cbv:{web_name}-",
        f"gs1:{web_name}-",
    )


def _spelled(word: str, urn_namespace: str, web_name: str) -> set[str]:
    return {word, *(prefix + word for prefix in _prefixes(urn_namespace, web_name))}


def _type_spellings(word: str, urn_namespace: str, web_name: str) -> frozenset[str]:
    # a type outside the CBV (an extension's) can only be written as the bare word here
    return frozenset(_spelled(word, urn_namespace, web_name))


# --- EPCs -----------------------------------------------------------------------------------

_IDPAT = "urn:epc:idpat:"
_EPC_ID = "urn:epc:id:"
_CHECKED_SCHEMES = ("urn:epc:id:sgtin:", "urn:epc:id:sscc:", "urn:epc:id:sgln:")
_CLASS_PARAMETERS = frozenset(key for key in MATCH_ROLES if key.endswith("Class"))


def _epc_match(key: str, values: Sequence[str]) -> EpcMatch:
    exact: set[str] = set()
    prefixes: set[str] = set()
    for value in values:
        try:
            found_exact, found_prefixes = epc_spellings(value, classes=key in _CLASS_PARAMETERS)
        except ValueError as error:
            raise QueryParameterException(key, str(error)) from None
        exact |= found_exact
        prefixes |= found_prefixes
    return EpcMatch(MATCH_ROLES[key], frozenset(exact), frozenset(prefixes))


def epc_spellings(value: str, *, classes: bool = False) -> tuple[set[str], set[str]]:
    """What a ``MATCH_`` value matches: (exact EPCs, EPC prefixes). Every spelling of the
    object the value names is searched, because events hold EPCs as their sender wrote them:

    - an EPC URI matches itself and its Digital Link on GS1's resolver (``id.gs1.org``);
    - a GS1 Digital Link (any domain) matches itself, the same Digital Link on GS1's resolver,
      and the EPC URI with each company prefix length (the GTIN or SSCC is the same object
      whichever length a sender used);
    - an ``urn:epc:idpat`` pattern matches the EPC URIs it covers, and for an SGTIN pattern with
      its GTIN given the Digital Links on GS1's resolver too; for a class parameter it also
      matches the lots of that GTIN (``urn:epc:class:lgtin``) and the pattern itself;
    - any other URI matches as written.

    An EPC URI or Digital Link also matches as its constrained canonical Digital Link
    (:func:`~unitrace.epcis.hashing.canonical_identifier`): the spelling under which the
    repository indexes the Digital Links events hold on other domains or with a path stem
    (:mod:`unitrace.store.canonical_epcs`), so those are found too.

    >>> sorted(epc_spellings("urn:epc:idpat:sgtin:9506000.013435.*")[1])
    ['https://id.gs1.org/01/09506000134352/21/', 'urn:epc:id:sgtin:9506000.013435.']
    """
    if value.startswith(_IDPAT):
        return _pattern_spellings(value, classes=classes)
    if value.lower().startswith(("http://", "https://")):
        return _digital_link_spellings(value, classes=classes) | _canonical(value), set()
    if value.startswith((_EPC_ID, "urn:epc:class:lgtin:")):
        exact = {value, *_canonical(value)}
        try:
            elements, _ = parse_epc_uri(value)
        except InvalidCode as error:
            if value.startswith(_CHECKED_SCHEMES) or value.startswith("urn:epc:class:"):
                raise ValueError(str(error)) from None
            return exact, set()
        exact.add(build_digital_link(elements, GS1_RESOLVER))
        return exact, set()
    if ":" not in value or any(character.isspace() for character in value):
        raise ValueError(f"{value!r} is neither an EPC URI, a pattern nor a GS1 Digital Link")
    return {value}, set()


def _canonical(value: str) -> set[str]:
    try:
        return {canonical_identifier(value)}
    except ValueError:
        # an EPC URI the hash cannot read names nothing in canonical spelling; whether the
        # value is acceptable at all is for the caller's own checks
        return set()


def _pattern_spellings(value: str, *, classes: bool) -> tuple[set[str], set[str]]:
    scheme, _, body = value.removeprefix(_IDPAT).partition(":")
    fields = body.split(".")
    if not scheme or not body or any(not field for field in fields):
        raise ValueError(f"{value!r} is not an EPC pattern (urn:epc:idpat:scheme:fields)")
    fixed = list(fields)
    while fixed and fixed[-1] == "*":
        fixed.pop()
    if "*" in fixed:
        raise ValueError(f"{value!r}: only the last fields of an EPC pattern may be *")
    exact: set[str] = set()
    prefixes: set[str] = set()
    if len(fixed) == len(fields):
        # no wildcard: the pattern names one EPC
        return epc_spellings(f"{_EPC_ID}{scheme}:{body}", classes=classes)
    prefix = f"{_EPC_ID}{scheme}:" + "".join(field + "." for field in fixed)
    prefixes.add(prefix)
    if scheme == "sgtin" and len(fixed) == 2:
        company_prefix, item_reference = fixed
        if (
            not (company_prefix + item_reference).isdigit()
            or len(company_prefix + item_reference) != 13
        ):
            raise ValueError(f"{value!r}: company prefix and item reference make no GTIN")
        payload = item_reference[:1] + company_prefix + item_reference[1:]
        gtin = payload + gs1_check_digit(payload)
        prefixes.add(f"{GS1_RESOLVER}/01/{gtin}/21/")
        if classes:
            exact.add(value)
            exact.add(f"{GS1_RESOLVER}/01/{gtin}")
            prefixes.add(f"urn:epc:class:lgtin:{company_prefix}.{item_reference}.")
            prefixes.add(f"{GS1_RESOLVER}/01/{gtin}/10/")
    return exact, prefixes


def _digital_link_spellings(value: str, *, classes: bool) -> set[str]:
    try:
        link = parse_digital_link(value)
    except InvalidCode as error:
        raise ValueError(str(error)) from None
    values = dict(link.elements)
    identity_ais = ("01", "10") if classes else ("01", "21", "00", "414", "254")
    identity = [ElementString(ai, values[ai]) for ai in identity_ais if ai in values]
    spellings = {value}
    if not identity:
        return spellings
    spellings.add(build_digital_link(identity, GS1_RESOLVER))
    for length in COMPANY_PREFIX_LENGTHS:
        try:
            if classes and "10" in values:
                spellings.add(epc_class_uri(identity, length))
            elif classes:
                gtin = values["01"]
                spellings.add(
                    f"urn:epc:idpat:sgtin:{gtin[1 : 1 + length]}.{gtin[0]}{gtin[1 + length : 13]}.*"
                )
            else:
                spellings.add(epc_uri(identity, length))
        except (InvalidCode, KeyError):
            # no EPC URI with this company prefix length (or at all): the other spellings
            # still match
            continue
    return spellings


# --- running queries ------------------------------------------------------------------------


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
    return min(_positive("perPage", value), MAX_PER_PAGE)


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
    queries = EpcisQueries(uow.connection)
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
    return EpcisQueries(uow.connection).vocabulary(column, viewer=viewer_of(actor))


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


# --- subscriptions --------------------------------------------------------------------------

SCHEDULE_FIELDS: Final = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (1, 7),
}
_SCHEDULE_ELEMENT = re.compile(r"(\d{1,2})|\[?(\d{1,2})-(\d{1,2})\]?")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a scheduled subscription runs, in UTC, as the REST binding's cron-like fields
    say: each field a list of numbers and ranges (``"1,5,[10-20]"``). A field left out is
    any value when it is coarser than the finest field given, and its lowest value when it is
    finer (``{"hour": "1", "minute": "5"}`` runs at 01:05:00 every day, not every second
    of that minute).

    >>> Schedule.read({"hour": "1", "minute": "5"}).next_after(
    ...     dt.datetime(2026, 3, 1, 1, 5, tzinfo=dt.UTC))
    datetime.datetime(2026, 3, 2, 1, 5, tzinfo=datetime.timezone.utc)
    """

    values: Mapping[str, frozenset[int]]

    @classmethod
    def read(cls, schedule: Any) -> Schedule:
        if not isinstance(schedule, Mapping) or not schedule:
            raise InvalidRequest("schedule: an object with at least one of " + _schedule_names())
        values: dict[str, frozenset[int]] = {}
        for key, text in schedule.items():
            if key not in SCHEDULE_FIELDS:
                raise InvalidRequest(f"schedule.{key}: not a schedule field ({_schedule_names()})")
            if isinstance(text, int) and not isinstance(text, bool):
                text = str(text)
            if not isinstance(text, str):
                raise InvalidRequest(f'schedule.{key}: a string such as "5" or "1,[10-20]"')
            values[key] = _schedule_values(key, text)
        names = list(SCHEDULE_FIELDS)
        # the finest of second, minute and hour given; with none given, all three are finer
        given = [names.index(key) for key in values if names.index(key) < 3]
        finest = min(given) if given else 3
        for index, key in enumerate(names):
            if key not in values:
                low, high = SCHEDULE_FIELDS[key]
                finer = index < finest
                values[key] = frozenset([low]) if finer else frozenset(range(low, high + 1))
        return cls(values)

    def next_after(self, after: dt.datetime) -> dt.datetime:
        """The first time after ``after`` the schedule fires (within eight years, else a
        :class:`InvalidRequest`: a 31st of February never comes)."""
        start = after.astimezone(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
        day = start.date()
        for _ in range(366 * 8):
            if (
                day.month in self.values["month"]
                and day.day in self.values["dayOfMonth"]
                and day.isoweekday() in self.values["dayOfWeek"]
            ):
                for hour in sorted(self.values["hour"]):
                    for minute in sorted(self.values["minute"]):
                        for second in sorted(self.values["second"]):
                            at = dt.datetime(
                                day.year, day.month, day.day, hour, minute, second, tzinfo=dt.UTC
                            )
                            if at >= start:
                                return at
            day += dt.timedelta(days=1)
        raise InvalidRequest("schedule: names no time that ever comes")


def _schedule_names() -> str:
    return ", ".join(SCHEDULE_FIELDS)


def _schedule_values(key: str, text: str) -> frozenset[int]:
    low, high = SCHEDULE_FIELDS[key]
    found: set[int] = set()
    for element in text.split(","):
        matched = _SCHEDULE_ELEMENT.fullmatch(element.strip())
        if matched is None:
            raise InvalidRequest(f"schedule.{key}: {element!r} is not a number or [from-to] range")
        single, first, last = matched.groups()
        start, end = (int(single), int(single)) if single else (int(first), int(last))
        if not low <= start <= end <= high:
            raise InvalidRequest(f"schedule.{key}: {element!r} is outside {low} to {high}")
        found.update(range(start, end + 1))
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    """A subscription as the REST binding's body gives it."""

    dest: str
    signature_token: str | None
    stream: bool
    schedule: Schedule | None
    schedule_fields: dict[str, str] | None
    report_if_empty: bool
    initial_record_time: dt.datetime | None

    @classmethod
    def read(cls, body: Any) -> SubscriptionRequest:
        if not isinstance(body, Mapping):
            raise InvalidRequest("a subscription is a JSON object with dest and stream or schedule")
        known = {
            "dest",
            "signatureToken",
            "stream",
            "schedule",
            "reportIfEmpty",
            "initialRecordTime",
        }
        unknown = sorted(set(body) - known)
        if unknown:
            raise InvalidRequest(
                f"{unknown[0]}: not a subscription field ({', '.join(sorted(known))})"
            )
        dest = body.get("dest")
        if not isinstance(dest, str):
            raise InvalidRequest("dest: the subscriber's http:// or https:// URL")
        try:
            webhooks.parse_destination(dest)
        except DestinationRefused as error:
            raise InvalidRequest(f"dest: {error}") from None
        token = body.get("signatureToken")
        if token is not None and (not isinstance(token, str) or not token):
            raise InvalidRequest("signatureToken: a non-empty string")
        stream = body.get("stream", False)
        if stream not in (True, False):
            raise InvalidRequest("stream: true or false")
        report_if_empty = body.get("reportIfEmpty", False)
        if report_if_empty not in (True, False):
            raise InvalidRequest("reportIfEmpty: true or false")
        schedule_body = body.get("schedule")
        if stream and schedule_body is not None:
            raise InvalidRequest("schedule: give stream: true or a schedule, not both")
        if not stream and schedule_body is None:
            raise InvalidRequest(
                "stream: a subscription needs stream: true or a schedule (the REST binding "
                "will not stream events to a client that did not ask)"
            )
        schedule = None if schedule_body is None else Schedule.read(schedule_body)
        initial = body.get("initialRecordTime")
        initial_time = None
        if initial is not None:
            if not isinstance(initial, str):
                raise InvalidRequest("initialRecordTime: a time such as 2026-01-31T12:00:00Z")
            try:
                initial_time = _time("initialRecordTime", initial)
            except QueryParameterException as error:
                raise InvalidRequest(str(error)) from None
        return cls(
            dest=dest,
            signature_token=token,
            stream=bool(stream),
            schedule=schedule,
            schedule_fields=None
            if schedule_body is None
            else {k: str(v) for k, v in schedule_body.items()},
            report_if_empty=bool(report_if_empty),
            initial_record_time=initial_time,
        )


class SubscriptionControlsException(InvalidRequest):
    """A subscription this repository will not make (the standard's
    ``SubscriptionControlsException``): a destination it may not POST to, a schedule that
    cannot be read, …; the message starts with the field."""


@dataclass(frozen=True, slots=True)
class CheckedSubscription:
    """A subscription request whose ``dest`` passed the webhook destination rule."""

    request: SubscriptionRequest
    target: WebhookTarget


def read_subscription(
    body: Any, *, destinations: WebhookDestinations, at: dt.datetime | None = None
) -> CheckedSubscription:
    """``body`` read, and its ``dest`` checked against ``destinations`` (a DNS look-up: done
    before the unit of work, so that no transaction waits on it)."""
    try:
        request = SubscriptionRequest.read(body)
        if request.schedule is not None:
            request.schedule.next_after(at or dt.datetime.now(dt.UTC))
        target = destinations.check(request.dest)
    except DestinationRefused as error:
        raise SubscriptionControlsException(f"dest: {error}") from None
    except InvalidRequest as error:
        raise SubscriptionControlsException(str(error)) from None
    return CheckedSubscription(request, target)


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


# --- delivery -------------------------------------------------------------------------------


def signature(body: bytes, token: str) -> str:
    """The ``GS1-Signature`` of a delivery: ``sha256=`` and the lower-case hex HMAC-SHA256 of
    the exact request body bytes, keyed with the subscription's ``signatureToken`` (UTF-8).

    >>> signature(b"{}", "secret")
    'sha256=77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13'
    """
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


Post = Callable[[WebhookTarget, bytes, Mapping[str, str]], int]


def post_over_http(target: WebhookTarget, body: bytes, headers: Mapping[str, str]) -> int:
    """POST ``body`` to the checked ``target``, connecting to the address that was checked;
    the HTTP status (redirects are not followed; a connection failure is an ``OSError``)."""
    return webhooks.post(target, body, headers, timeout=DELIVERY_TIMEOUT)


DELIVERY_TIMEOUT: Final = 10.0


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How deliveries are paced: ``poll`` seconds between looks for new events of a stream;
    ``settle`` seconds an event must have been recorded before it is sent (a transaction that
    took its recordTime earlier may not have committed yet); at most ``batch`` events per POST;
    failed deliveries retried after ``backoff`` * 2^(attempt-1) seconds (at most
    ``max_backoff``), ``max_attempts`` times in a row before the subscription is suspended."""

    poll: float = 1.0
    settle: float = 2.0
    batch: int = 500
    backoff: float = 2.0
    max_backoff: float = 300.0
    max_attempts: int = 8
    lease: float = 120.0


class SubscriptionDelivery:
    """Delivers subscriptions in a background thread: ``start()`` when the service starts,
    ``stop()`` when it stops (it finishes the delivery under way). :meth:`deliver_due` is one
    pass, for tests and for the thread. Nothing here runs on a request's path.

    Before each POST the destination is checked again against ``destinations`` (a name may
    resolve elsewhere since the subscription was made) and the POST goes to the address
    checked; a refused destination is a failed delivery. A subscription whose creator's token
    was revoked, or whose party is gone, is suspended instead of delivered."""

    def __init__(
        self,
        database: Database,
        *,
        policy: DeliveryPolicy | None = None,
        destinations: WebhookDestinations | None = None,
        post: Post = post_over_http,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.database = database
        self.policy = policy or DeliveryPolicy()
        self.destinations = destinations or WebhookDestinations()
        self._post = post
        self._clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="epcis-subscriptions", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = DELIVERY_TIMEOUT + 5) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.wait(self.policy.poll):
            try:
                self.deliver_due()
            except Exception:  # the thread must outlive a database hiccup; logged, tried again
                log.exception("EPCIS subscription delivery pass failed")

    def deliver_due(self) -> int:
        """Deliver every subscription that is due; the number of POSTs made."""
        now = self._clock()
        with self.database.unit_of_work(read_only=True) as uow:
            due = EpcisQueries(uow.connection).due_subscriptions(now)
        posts = 0
        for found in due:
            if self._stopping.is_set() and self._thread is not None:
                break
            with self.database.unit_of_work() as uow:
                lease = now + dt.timedelta(seconds=self.policy.lease)
                claimed = EpcisQueries(uow.connection).claim(found.id, at=now, until=lease)
                uow.commit()
            if not claimed:
                continue
            try:
                posts += self._deliver(found, now)
            except Exception as error:
                if is_busy(error):
                    raise  # the database is busy for all: the pass ends, tried again later
                # one subscription's fault must not hold up the others; its lease keeps it
                # from being tried again at once
                log.exception("EPCIS subscription %s: delivery failed", found.subscription_id)
        return posts

    def _deliver(self, found: Subscription, now: dt.datetime) -> int:
        """Send what the subscription has not had yet, batch by batch; record the outcome."""
        definition = definition_of_subscription(found)
        viewer = viewer_of(
            Actor(found.created_by or "subscriber", Role(found.role), found.party_id)
        )
        settled = now - dt.timedelta(seconds=self.policy.settle)
        before = definition.conditions.record_time_before
        conditions = dataclasses.replace(
            definition.conditions,
            order_by="recordTime",
            descending=False,
            record_time_before=settled if before is None else min(before, settled),
        )
        watermark = found.watermark
        posts = 0
        while True:
            with self.database.unit_of_work(read_only=True) as uow:
                queries = EpcisQueries(uow.connection)
                lost = _lost_access(found, queries.creator_standing(found))
                if lost is None:
                    events = queries.events(
                        conditions, viewer=viewer, after=watermark, limit=self.policy.batch
                    )
            if lost is not None:
                self._suspend(found, lost)
                return posts
            if not events and (found.stream or posts or not found.report_if_empty):
                break
            body = json.dumps(
                answer_document(
                    events,
                    query_name=found.query_name,
                    created=now,
                    subscription_id=found.subscription_id,
                ),
                separators=(",", ":"),
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "GS1-EPCIS-Version": "2.0.0",
                "GS1-CBV-Version": "2.0.0",
            }
            if found.signature_token:
                headers["GS1-Signature"] = signature(body, found.signature_token)
            error = self._attempt(found.dest, body, headers)
            if error is not None:
                self._failed(found, now, error)
                return posts + 1
            posts += 1
            if events:
                watermark = events[-1].position
            # recorded after each batch, so that a failure later does not send these again
            self._delivered(found, watermark, now, notified=True, final=False)
            if len(events) < self.policy.batch:
                break
        self._delivered(found, watermark, now, notified=posts > 0, final=True)
        return posts

    def _attempt(self, dest: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        try:
            target = self.destinations.check(dest)
        except DestinationRefused as error:
            return f"{dest}: destination refused: {error}"
        try:
            status = self._post(target, body, headers)
        except (OSError, http.client.HTTPException) as error:
            return f"{dest}: {error or type(error).__name__}"
        if not 200 <= status < 300:
            return f"{dest} answered HTTP {status}"
        return None

    def _delivered(
        self,
        found: Subscription,
        watermark: PagePosition,
        now: dt.datetime,
        *,
        notified: bool,
        final: bool,
    ) -> None:
        if final:
            upcoming = (
                now + dt.timedelta(seconds=self.policy.poll)
                if found.schedule is None
                else Schedule.read(found.schedule).next_after(now)
            )
        else:
            upcoming = now
        with self.database.unit_of_work() as uow:
            EpcisQueries(uow.connection).delivered(
                found.id, watermark=watermark, at=now, next_attempt_at=upcoming, notified=notified
            )
            if not final:
                # keep the lease while the next batch is under way
                EpcisQueries(uow.connection).claim(
                    found.id, at=now, until=now + dt.timedelta(seconds=self.policy.lease)
                )
            uow.commit()

    def _failed(self, found: Subscription, now: dt.datetime, error: str) -> None:
        attempts = found.attempts + 1
        suspended = attempts >= self.policy.max_attempts
        delay = min(self.policy.backoff * 2 ** (attempts - 1), self.policy.max_backoff)
        log.warning("EPCIS subscription %s: delivery failed (%s)", found.subscription_id, error)
        with self.database.unit_of_work() as uow:
            EpcisQueries(uow.connection).failed(
                found.id,
                error=error,
                attempts=attempts,
                status="suspended" if suspended else "failing",
                next_attempt_at=now + dt.timedelta(seconds=delay),
                suspended_reason=f"{attempts} deliveries in a row failed" if suspended else None,
            )
            uow.commit()

    def _suspend(self, found: Subscription, reason: str) -> None:
        log.warning("EPCIS subscription %s suspended: %s", found.subscription_id, reason)
        with self.database.unit_of_work() as uow:
            EpcisQueries(uow.connection).suspend(found.id, reason=reason)
            uow.commit()


def _lost_access(found: Subscription, standing: CreatorStanding) -> str | None:
    """Why ``found`` may deliver no more: its creator's token or party is gone (None while
    they stand)."""
    if not standing.token_known:
        return f"the token that made it ({ACTOR_PREFIX}{found.token_id}) no longer exists"
    if standing.token_revoked_at is not None and found.token_id is not None:
        return revocation_reason(found.token_id, standing.token_revoked_at)
    if not standing.party_known:
        return f"its party {found.party_id!r}, whose view of the events it had, no longer exists"
    return None


def definition_of_subscription(found: Subscription) -> QueryDefinition:
    return read_query(json_parameters(found.query))
