"""A query's conditions and their SQL: an :class:`EventQuery` (the standard query parameters,
already read and checked by :mod:`unitrace.services.epcis_query`) becomes the conditions of
one SQLAlchemy Core select over ``epcis_events``, ``event_epcs`` and ``event_values``.

How the parameters become conditions (AND across parameters, OR within one):

- times compare in UTC, ``GE_`` inclusive and ``LT_`` exclusive;
- ``WD_readPoint`` / ``WD_bizLocation`` match the locations given and every location below
  them in the master data's hierarchy of read points / business locations, walked inside the
  query (:func:`~unitrace.store.master_data.descendants_of`), so that a named query or a
  subscription sees the hierarchy as it is when it runs;
- a ``MATCH_`` parameter is an :class:`EpcMatch`: exact EPCs (every spelling the service
  derived) and prefixes (from ``urn:epc:idpat`` wildcards), searched under the roles the
  standard gives the parameter in the EPC index and in the canonical Digital Links of EPCs
  captured as Digital Links spelled otherwise (``event_canonical_epcs``); a prefix is a range
  of the index (``prefix <= epc < the prefix's successor``), a seek rather than a scan;
- an LGTIN given to a class parameter (``MATCH_epcClass`` …) also names the lot's instances:
  an event whose ILMD says the lot (``cbvmda:lotNumber``) and that names an SGTIN of the
  GTIN in the roles the ILMD describes (:data:`LOT_INSTANCE_ROLES`, a :class:`LotInstances`),
  sought from the index of extension fields (a lot is few events) and checked in the EPC
  index event by event;
- ``EQ_bizTransaction_<type>``, ``EQ_source_<type>``, ``EQ_destination_<type>``,
  ``EQ_persistentDisposition_set`` / ``_unset`` and ``EQ_transformationID`` are
  :class:`ValueMatch` es on ``event_values``;
- the sensor parameters (``EQ_type``, ``EQ_deviceID``, ``GE_value_<uom>`` …) are
  :class:`~unitrace.store.epcis_query.sensor_conditions.SensorCondition` s on the index of
  events' sensor data;
- the extension-field parameters (``EQ_ILMD_…``, ``GT_INNER_…``, ``EXISTS_…``) and the
  quantity parameters (``GE_quantity_KGM`` …) are
  :class:`~unitrace.store.epcis_query.field_conditions.FieldCondition` s on the index of
  events' extension fields and quantities; ``EQ_errorReason`` and ``EQ_correctiveEventID``
  :class:`ValueMatch` es;
- ``HASATTR_`` and ``EQ_ATTR_`` are
  :class:`~unitrace.store.epcis_query.attribute_conditions.AttributeCondition` s on the index
  of master-data attributes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    or_,
    select,
    true,
    union_all,
)

from unitrace.store.epcis_query.attribute_conditions import (
    AttributeCondition,
    attribute_condition,
)
from unitrace.store.epcis_query.field_conditions import FieldCondition, field_conditions
from unitrace.store.epcis_query.sensor_conditions import SensorCondition, sensor_condition
from unitrace.store.event_fields import text_key
from unitrace.store.held_epcs import HeldEpcs
from unitrace.store.master_data import BUSINESS_LOCATION, READ_POINT, descendants_of
from unitrace.store.schema import (
    epcis_events,
    event_canonical_epcs,
    event_epcs,
    event_fields,
    event_values,
)
from unitrace.store.times import utc

#: The index roles each ``MATCH_`` parameter searches (EPCIS 2.0 section 8.2.7.1).
MATCH_ROLES: Mapping[str, tuple[str, ...]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("quantity", "child_quantity"),
    "MATCH_inputEPCClass": ("input_quantity",),
    "MATCH_outputEPCClass": ("output_quantity",),
    "MATCH_anyEPCClass": ("quantity", "child_quantity", "input_quantity", "output_quantity"),
}

#: The roles of EPC classes (quantity lists): no party's serials, so found for every viewer.
CLASS_ROLES = frozenset(MATCH_ROLES["MATCH_anyEPCClass"])

#: The roles in which an event's ILMD describes the objects it names, for each class parameter
#: an LGTIN's lot reaches its instances through: ILMD describes the objects an event brings
#: into being (EPCIS 2.0 section 7.3.6), an ObjectEvent's epcList and a TransformationEvent's
#: outputs, never a transformation's inputs, so ``MATCH_inputEPCClass`` keeps to quantities.
#: (``child`` as the standard's roles of ``MATCH_epcClass``: no AggregationEvent has ILMD.)
LOT_INSTANCE_ROLES: Mapping[str, tuple[str, ...]] = {
    "MATCH_epcClass": ("epc", "child"),
    "MATCH_outputEPCClass": ("output",),
    "MATCH_anyEPCClass": ("epc", "child", "output"),
}

#: The ILMD field that says an event's objects' lot, as the index of extension fields names it.
LOT_NUMBER = "{urn:epcglobal:cbv:mda}lotNumber"

OrderBy = Literal["eventTime", "recordTime"]


@dataclass(frozen=True, slots=True)
class EpcMatch:
    """EPCs that match one ``MATCH_`` parameter: any of ``exact``, or any EPC that starts with
    one of ``prefixes``, named in one of ``roles``."""

    roles: tuple[str, ...]
    exact: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    #: the lots of LGTINs given to a class parameter, whose instances are found too
    lots: tuple[LotInstances, ...] = ()
    #: the roles those instances are sought in (:data:`LOT_INSTANCE_ROLES`)
    lot_roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LotInstances:
    """The instances of one lot: an EPC starting with one of ``prefixes`` (the SGTINs of the
    lot's GTIN, every spelling) named by an event whose ILMD says ``lot``."""

    lot: str
    prefixes: frozenset[str]


@dataclass(frozen=True, slots=True)
class ValueMatch:
    """Events naming one of ``values`` under ``field`` of ``event_values``, with one of
    ``types`` where given (every spelling of the type)."""

    field: str
    values: frozenset[str]
    types: frozenset[str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventQuery:
    """A query's conditions, every value already spelled as stored (CBV words in each of
    their spellings). ``None`` does not restrict; an empty set matches nothing (two
    parameters on one field whose values have nothing in common)."""

    event_types: frozenset[str] | None = None
    event_time_from: dt.datetime | None = None
    event_time_before: dt.datetime | None = None
    record_time_from: dt.datetime | None = None
    record_time_before: dt.datetime | None = None
    actions: frozenset[str] | None = None
    biz_steps: frozenset[str] | None = None
    dispositions: frozenset[str] | None = None
    read_points: frozenset[str] | None = None
    biz_locations: frozenset[str] | None = None
    #: ``WD_``: these locations or any below them in the master data
    read_points_within: frozenset[str] | None = None
    biz_locations_within: frozenset[str] | None = None
    event_ids: frozenset[str] | None = None
    epc_matches: tuple[EpcMatch, ...] = ()
    value_matches: tuple[ValueMatch, ...] = ()
    sensor_conditions: tuple[SensorCondition, ...] = ()
    field_conditions: tuple[FieldCondition, ...] = ()
    attribute_conditions: tuple[AttributeCondition, ...] = ()
    error_declared: bool = False
    error_declared_from: dt.datetime | None = None
    error_declared_before: dt.datetime | None = None
    order_by: OrderBy = "eventTime"
    descending: bool = False


def conditions_of(query: EventQuery, held: HeldEpcs | None = None) -> list[ColumnElement[bool]]:
    """The conditions of ``query``; with ``held``, a ``MATCH_`` parameter on EPCs (not
    classes) finds only the EPCs the viewer's party holds or held."""
    events = epcis_events.c
    conditions: list[ColumnElement[bool]] = []
    for column, values in (
        (events.type, query.event_types),
        (events.action, query.actions),
        (events.biz_step, query.biz_steps),
        (events.disposition, query.dispositions),
        (events.read_point, query.read_points),
        (events.biz_location, query.biz_locations),
        (events.event_id, query.event_ids),
    ):
        if values is not None:
            conditions.append(column.in_(sorted(values)))
    for column, vocabulary_type, roots in (
        (events.read_point, READ_POINT, query.read_points_within),
        (events.biz_location, BUSINESS_LOCATION, query.biz_locations_within),
    ):
        if roots is not None:
            conditions.append(
                or_(column.in_(sorted(roots)), column.in_(descendants_of(vocabulary_type, roots)))
            )
    for column, start, end in (
        (events.event_time, query.event_time_from, query.event_time_before),
        (events.record_time, query.record_time_from, query.record_time_before),
        (events.error_declaration_time, query.error_declared_from, query.error_declared_before),
    ):
        if start is not None:
            conditions.append(column >= utc(start))
        if end is not None:
            conditions.append(column < utc(end))
    if query.error_declared:
        conditions.append(events.error_declaration_time.is_not(None))
    for match in query.epc_matches:
        instances = not set(match.roles) & CLASS_ROLES
        named = _epc_match(match, held if instances else None)
        # the lot's instances are a party's serials like any: a party finds them by those it
        # holds or held only
        named += [_lot_instances(lot, match.lot_roles, held) for lot in match.lots]
        if not named:
            named.append(select(event_epcs.c.event_pk).where(false()))
        conditions.append(events.id.in_(union_all(*named)))
    for wanted in query.value_matches:
        conditions.append(events.id.in_(_value_match(wanted)))
    for sensed in query.sensor_conditions:
        conditions.append(events.id.in_(sensor_condition(sensed)))
    conditions += field_conditions(query.field_conditions, events.id)
    for attributed in query.attribute_conditions:
        conditions.append(attribute_condition(attributed))
    return conditions


def _epc_match(match: EpcMatch, held: HeldEpcs | None) -> list[Select[Any]]:
    """The events naming an EPC ``match`` matches (one ``held`` covers, where given): one
    select per exact list and per prefix, in each index, so that every one is a seek of the
    EPC index on both databases (an OR of them is not always planned so)."""
    named: list[Select[Any]] = []
    # the EPCs asked for that the party holds or held are found at once; those a pattern
    # covers, row by row
    exact = match.exact if held is None else held.held_of(match.exact)
    for index in (event_epcs, event_canonical_epcs):
        epc = index.c.epc
        found = select(index.c.event_pk).where(index.c.role.in_(match.roles))
        if exact:
            named.append(found.where(epc.in_(sorted(exact))))
        if held is not None and match.prefixes:
            found = found.where(held.covers(epc))
        # a range rather than LIKE or substr: LIKE ignores case on SQLite (serials do not),
        # and neither is a seek of the index on both databases; the range is, in byte order
        for prefix in sorted(match.prefixes):
            named.append(found.where(epc >= prefix, epc < prefix_successor(prefix)))
    return named


def _lot_instances(lot: LotInstances, roles: tuple[str, ...], held: HeldEpcs | None) -> Select[Any]:
    """The events whose ILMD says ``lot.lot`` and that name, in ``roles``, an EPC of
    ``lot.prefixes`` (one ``held`` covers, where given): sought by the lot in the index of
    extension fields, then each such event's few EPCs read by its key, since a lot is a few
    events where its GTIN may be millions."""
    rows = event_fields.c
    named: list[ColumnElement[bool]] = []
    for index in (event_epcs, event_canonical_epcs):
        epc = index.c.epc
        tests = [
            index.c.event_pk == rows.event_pk,
            index.c.role.in_(roles),
            or_(*(and_(epc >= p, epc < prefix_successor(p)) for p in sorted(lot.prefixes))),
        ]
        if held is not None:
            tests.append(held.covers(epc))
        named.append(exists(select(1).select_from(index).where(*tests)))
    return select(rows.event_pk).where(
        rows.name == LOT_NUMBER,
        rows.area == "ilmd",
        rows.nested == false(),
        rows.text_key == text_key(lot.lot),
        rows.text_value == lot.lot,
        or_(*named),
    )


def prefix_successor(prefix: str) -> str:
    """The first text after every text that starts with ``prefix``, in code point order (the
    byte order of UTF-8): ``prefix <= text < prefix_successor(prefix)`` is ``text`` starting
    with ``prefix``.

    >>> prefix_successor("urn:epc:id:sgtin:9506000.013435.")
    'urn:epc:id:sgtin:9506000.013435/'
    """
    kept = prefix.rstrip(chr(0x10FFFF))
    if not kept:
        raise ValueError("an empty prefix is every text, not a range")
    # a surrogate is no character a database stores: step over them
    following = ord(kept[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        following = 0xE000
    return kept[:-1] + chr(following)


def _value_match(wanted: ValueMatch) -> Select[Any]:
    values = event_values.c
    type_condition = true() if wanted.types is None else values.type.in_(sorted(wanted.types))
    return select(values.event_pk).where(
        values.field == wanted.field, values.value.in_(sorted(wanted.values)), type_condition
    )
