"""A query's parameters read and checked into a :class:`QueryDefinition`: from a query string
(:func:`query_string_parameters`) or a named query's JSON (:func:`json_parameters`), then
:func:`read_query`.

How values are read:

- a parameter's values are OR-ed, parameters are AND-ed; in a query string a list parameter
  takes comma-separated values (and may be repeated), in a named query a JSON array;
- ``EQ_bizStep``, ``EQ_disposition`` and ``EQ_persistentDisposition_*`` take a CBV word in any
  spelling (``shipping``, ``urn:epcglobal:cbv:bizstep:shipping``,
  ``https://ref.gs1.org/cbv/BizStep-shipping``) and match each spelling an event may hold;
  other URIs match as written. The ``<type>`` of ``EQ_bizTransaction_<type>``,
  ``EQ_source_<type>`` and ``EQ_destination_<type>`` matches every spelling of the type;
- ``MATCH_`` parameters take EPC URIs, ``urn:epc:idpat`` patterns with ``*`` and GS1 Digital
  Links; see :func:`~unitrace.services.epcis_query.spellings.epc_spellings`;
- ``EQ_readPoint`` / ``EQ_bizLocation`` take location URIs; a GLN's place matches as its SGLN
  URI and as its Digital Link on GS1's resolver, whichever is asked for;
- ``WD_readPoint`` / ``WD_bizLocation`` take location URIs and match each location and every
  location below it, directly or not, in the master data captured with documents (the
  ``children`` of ``urn:epcglobal:epcis:vtype:ReadPoint`` / ``…:BusinessLocation`` elements;
  see :mod:`unitrace.store.master_data`); a location no master data names matches itself;
- the sensor parameters (``EQ_type``, ``EQ_deviceID``, ``GE_value_<uom>`` …) are read by
  :mod:`~unitrace.services.epcis_query.sensor_parameters`; the extension-field and quantity
  parameters (``EQ_ILMD_cbvmda:lotNumber``, ``GT_INNER_…``, ``EXISTS_SENSORREPORT_…``,
  ``GE_quantity_KGM`` …) by :mod:`~unitrace.services.epcis_query.field_parameters`, with the
  prefixes of the query's ``@context`` (a query string's comes from its ``GS1-Extensions``
  header); ``HASATTR_`` and ``EQ_ATTR_`` by
  :mod:`~unitrace.services.epcis_query.attribute_parameters`;
- ``EQ_errorReason`` takes error reasons as ``EQ_bizStep`` takes bizSteps;
  ``EQ_correctiveEventID`` event IDs;
- times need a zone (``Z`` or ``±hh:mm``); ``orderBy`` is ``eventTime`` or ``recordTime``, with
  ``orderDirection`` ``DESC`` by default as the standard has it; without ``orderBy`` events come
  in eventTime order, oldest first.

Anything else, and any value that cannot be read, is a
:class:`~unitrace.services.epcis_query.values.QueryParameterException` naming the parameter.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from unitrace.epcis import EVENT_TYPES, Action, cbv
from unitrace.services.epcis_query.attribute_parameters import (
    attribute_condition_of,
    is_attribute_parameter,
)
from unitrace.services.epcis_query.field_parameters import (
    CONTEXT,
    field_condition_of,
    is_field_list,
    is_field_parameter,
    is_field_presence,
    query_namespaces,
    stored_field_value,
)
from unitrace.services.epcis_query.sensor_parameters import (
    SENSOR_LIST_PARAMETERS,
    is_sensor_number,
    sensor_condition_of,
    stored_sensor_value,
)
from unitrace.services.epcis_query.spellings import (
    biz_step_spellings,
    disposition_spellings,
    epc_match,
    error_reason_spellings,
    place_spellings,
    type_spellings,
)
from unitrace.services.epcis_query.values import (
    QueryParameterException,
    check_uri,
    read_positive,
    read_time,
)
from unitrace.store.epcis_query.attribute_conditions import AttributeCondition
from unitrace.store.epcis_query.conditions import MATCH_ROLES, EpcMatch, EventQuery, ValueMatch
from unitrace.store.epcis_query.field_conditions import FieldCondition
from unitrace.store.epcis_query.sensor_conditions import SensorCondition

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
        "EQ_errorReason",
        "EQ_correctiveEventID",
        "EQ_persistentDisposition_set",
        "EQ_persistentDisposition_unset",
        *MATCH_ROLES,
        *SENSOR_LIST_PARAMETERS,
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
        "EXISTS_sensorElementList",
        "EQ_booleanValue",
        "GE_time",
        "LT_time",
        "GE_startTime",
        "LT_startTime",
        "GE_endTime",
        "LT_endTime",
    }
)
#: Parameters that take no value (the query schema's "nullable integer").
_PRESENCE_PARAMETERS: Final = frozenset({"EXISTS_errorDeclaration", "EXISTS_sensorElementList"})
#: ``EQ_<field>_<type>`` parameters: the event_values field, and the CBV vocabulary of types.
_TYPED_PARAMETERS: Final = {
    "EQ_bizTransaction_": ("bizTransaction", cbv.BIZ_TRANSACTION_TYPE),
    "EQ_source_": ("source", cbv.SOURCE_DEST_TYPE),
    "EQ_destination_": ("destination", cbv.SOURCE_DEST_TYPE),
}
_TYPE_WORD = re.compile(r"[a-z][a-zA-Z0-9_]+")
#: Page parameters: in a query string only, never part of a named query.
PAGE_PARAMETERS: Final = frozenset({"perPage", "nextPageToken"})
#: The parameters one query takes at most (its @context aside): the standard's fixed ones
#: are some forty; the rest name extension fields, attributes and types.
MOST_PARAMETERS: Final = 100

_ACTIONS: Final = frozenset(action.value for action in Action)


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
            elif key == CONTEXT:
                written[key] = json.loads(values[0])
            elif key in _PRESENCE_PARAMETERS or is_field_presence(key):
                written[key] = None  # the query schema's "nullable integer": present, no value
            elif (sensed := stored_sensor_value(key, values[0])) is not None:
                written[key] = sensed
            elif is_field_parameter(key):
                written[key] = stored_field_value(key, values)
            elif key in _SCALAR_PARAMETERS or is_sensor_number(key):
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
        if key == CONTEXT:
            # kept as JSON text, read with the query (and written back as it came)
            parameters[key] = (json.dumps(value, separators=(",", ":")),)
        elif is_field_list(key) or is_attribute_parameter(key):
            parameters[key] = _field_values(key, value)
        elif _is_list_parameter(key):
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise QueryParameterException(key, "must be an array of strings")
            parameters[key] = tuple(value)
        elif key in _PRESENCE_PARAMETERS or is_field_presence(key):
            if value not in (None, 1, True, "", "true", "1"):
                raise QueryParameterException(key, "takes no value (null)")
            parameters[key] = ("",)
        elif key == "EQ_booleanValue" and isinstance(value, bool):
            parameters[key] = ("true" if value else "false",)
        elif (is_sensor_number(key) or is_field_parameter(key)) and isinstance(value, float):
            parameters[key] = (repr(value),)
        elif isinstance(value, bool) or not isinstance(value, str | int):
            raise QueryParameterException(key, "must be a string or an integer")
        else:
            parameters[key] = (str(value),)
    return parameters


def _field_values(key: str, value: Any) -> tuple[str, ...]:
    """An ``EQ_`` field or quantity parameter's values in a named query: an array of strings
    or numbers, or one string or number (the query schema allows both)."""
    members = value if isinstance(value, list) else [value]
    if not members or any(
        isinstance(member, bool) or not isinstance(member, str | int | float) for member in members
    ):
        raise QueryParameterException(key, "must be an array of strings or numbers")
    return tuple(member if isinstance(member, str) else repr(member) for member in members)


def _is_list_parameter(key: str) -> bool:
    return (
        key in _LIST_PARAMETERS
        or any(key.startswith(prefix) for prefix in _TYPED_PARAMETERS)
        or is_field_list(key)
        or is_attribute_parameter(key)
    )


def read_query(parameters: Mapping[str, Sequence[str]]) -> QueryDefinition:
    """The query ``parameters`` ask for; :class:`QueryParameterException` names the first
    parameter that is unknown, unsupported or holds a value that cannot be read."""
    fields: dict[str, Any] = {}
    epc_matches: list[EpcMatch] = []
    value_matches: list[ValueMatch] = []
    sensor_conditions: list[SensorCondition] = []
    field_conditions: list[FieldCondition] = []
    attribute_conditions: list[AttributeCondition] = []
    limits: dict[str, int] = {}
    asked = sorted(key for key in parameters if key != CONTEXT)
    if len(asked) > MOST_PARAMETERS:
        # each is a condition of its own (field and attribute names are open-ended): a query
        # of thousands would be a statement the database refuses or takes long to plan
        raise QueryParameterException(
            asked[MOST_PARAMETERS], f"a query takes at most {MOST_PARAMETERS} parameters"
        )
    context = parameters.get(CONTEXT)
    namespaces = query_namespaces(CONTEXT, context[0] if context else None)
    for key in sorted(parameters):
        values = tuple(parameters[key])
        if key == CONTEXT:
            continue
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
            fields[_TIME_PARAMETERS[key]] = read_time(key, values[0])
        elif key == "EQ_action":
            unknown = [value for value in values if value not in _ACTIONS]
            if unknown:
                raise QueryParameterException(key, f"{unknown[0]!r} is not ADD, OBSERVE or DELETE")
            fields["actions"] = frozenset(values)
        elif key == "EQ_bizStep":
            fields["biz_steps"] = biz_step_spellings(key, values)
        elif key == "EQ_disposition":
            fields["dispositions"] = disposition_spellings(key, values)
        elif key in ("EQ_readPoint", "EQ_bizLocation"):
            places = place_spellings(key, values)
            fields["read_points" if key == "EQ_readPoint" else "biz_locations"] = places
        elif key in ("WD_readPoint", "WD_bizLocation"):
            # the hierarchy is walked when the query runs, with the master data of that moment
            within = "read_points_within" if key == "WD_readPoint" else "biz_locations_within"
            fields[within] = place_spellings(key, values)
        elif key == "EQ_eventID":
            fields["event_ids"] = frozenset(values)
        elif key == "EQ_errorReason":
            value_matches.append(ValueMatch("errorReason", error_reason_spellings(key, values)))
        elif key == "EQ_correctiveEventID":
            for value in values:
                check_uri(key, value)
            value_matches.append(ValueMatch("correctiveEventID", frozenset(values)))
        elif key == "EQ_transformationID":
            for value in values:
                check_uri(key, value)
            value_matches.append(ValueMatch("transformationID", frozenset(values)))
        elif key in ("EQ_persistentDisposition_set", "EQ_persistentDisposition_unset"):
            change = key.rsplit("_", 1)[1]
            spellings = disposition_spellings(key, values)
            value_matches.append(ValueMatch(f"persistentDisposition.{change}", spellings))
        elif key in MATCH_ROLES:
            epc_matches.append(epc_match(key, values))
        elif key == "EXISTS_errorDeclaration":
            if values[0] not in ("", "true", "1"):
                raise QueryParameterException(key, "takes no value (EXISTS_errorDeclaration=)")
            fields["error_declared"] = True
        elif key == "orderBy":
            if values[0] not in ("eventTime", "recordTime"):
                raise QueryParameterException(key, _unordered(values[0]))
            fields["order_by"] = values[0]
        elif key == "orderDirection":
            if values[0] not in ("ASC", "DESC"):
                raise QueryParameterException(key, "is ASC or DESC")
        elif key in ("eventCountLimit", "maxEventCount"):
            limits[key] = read_positive(key, values[0])
        elif (typed := _typed(key)) is not None:
            field, kind = typed
            word = key.removeprefix(next(p for p in _TYPED_PARAMETERS if key.startswith(p)))
            for value in values:
                check_uri(key, value)
            value_matches.append(ValueMatch(field, frozenset(values), type_spellings(word, kind)))
        elif (sensed := sensor_condition_of(key, values)) is not None:
            sensor_conditions.append(sensed)
        elif (fielded := field_condition_of(key, values, namespaces)) is not None:
            field_conditions.append(fielded)
        elif (attributed := attribute_condition_of(key, values, namespaces)) is not None:
            attribute_conditions.append(attributed)
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
            epc_matches=tuple(epc_matches),
            value_matches=tuple(value_matches),
            sensor_conditions=tuple(sensor_conditions),
            field_conditions=tuple(field_conditions),
            attribute_conditions=tuple(attribute_conditions),
            **fields,
        ),
        parameters={key: tuple(parameters[key]) for key in sorted(parameters)},
        event_count_limit=limits.get("eventCountLimit"),
        max_event_count=limits.get("maxEventCount"),
    )


def _typed(key: str) -> tuple[str, cbv.CbvKind] | None:
    for prefix, typed in _TYPED_PARAMETERS.items():
        if key.startswith(prefix):
            word = key.removeprefix(prefix)
            if _TYPE_WORD.fullmatch(word) is None:
                raise QueryParameterException(key, f"{word!r} is not a type name")
            return typed
    return None


def _unordered(value: str) -> str:
    """Why ``orderBy`` may not be ``value``: an extension field (which EPCIS 2.0 allows) is
    refused by name, since unitrace's pages are keyset pages in event or record time order."""
    if any(mark in value for mark in (":", "#", "}")):
        return (
            f"{value!r}: ordering by an extension field is not supported here; order by "
            "eventTime or recordTime (this repository pages in time order) and filter by the "
            "field (EQ_, GE_, LT_ …)"
        )
    return "orders by eventTime or recordTime"


_FAMILIES = ("EQ_", "GT_", "GE_", "LT_", "LE_", "EXISTS_", "MATCH_", "WD_")


def _unknown(key: str) -> str:
    if key.startswith(_FAMILIES):
        return (
            "is not an EPCIS query parameter: an extension field is named prefix:localName or "
            "namespace#localName (EQ_ILMD_cbvmda:lotNumber), a quantity's unit is a UN/CEFACT "
            "code (GE_quantity_KGM)"
        )
    return "is not an EPCIS query parameter"
