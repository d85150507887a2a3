"""EPCIS 2.0 events, built as typed values and written as the JSON-LD binding has them.

An event answers what (EPCs, quantities, inputs and outputs), when (``eventTime`` with the
offset of the place it happened), where (``readPoint``, ``bizLocation``, sources and
destinations), why (``bizStep``, ``disposition``, business transactions, ILMD) and how (sensor
readings). The five event types of EPCIS 2.0 section 7.4 are the five classes here;
:meth:`~ObjectEvent.document` gives the event dict an ``EPCISDocument`` carries in its
``eventList``, and :func:`unitrace.epcis.read_event` reads one back, so that
``read_event(d, namespaces).document() == d`` for every event EPCIS allows.

Built events get a fresh ``urn:uuid:`` event ID; an event read from a partner keeps the one
it came with, or none. ``bizStep``, ``disposition`` and the other CBV fields take the
vocabularies of :mod:`unitrace.epcis.vocabulary` or any ``str``, so a partner's own URIs fit.

>>> from unitrace.epcis import BizStep, Disposition
>>> at = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
>>> event = ObjectEvent(
...     event_id="urn:uuid:0f8e4a38-7b4c-4c55-9a55-2b6d8c1f1c11",
...     event_time=at,
...     action=Action.ADD,
...     epc_list=("urn:epc:id:sgtin:9506000.013435.X1",),
...     biz_step=BizStep.COMMISSIONING,
...     disposition=Disposition.ACTIVE,
...     ilmd=Ilmd(lot="L1", expiry=dt.date(2027, 12, 31)),
... )
>>> document = event.document()
>>> document["eventTime"], document["eventTimeZoneOffset"]
('2026-05-04T09:30:00.000+08:00', '+08:00')
>>> document["ilmd"]
{'cbvmda:lotNumber': 'L1', 'cbvmda:itemExpirationDate': '2027-12-31'}
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from unitrace.epcis.model import (
    BizTransaction,
    ErrorDeclaration,
    Extensions,
    Ilmd,
    InvalidEvent,
    JsonValue,
    PersistentDisposition,
    QuantityElement,
    SensorElement,
    SourceDest,
    copied,
    time_text,
)
from unitrace.epcis.vocabulary import Action

__all__ = [
    "EPCIS_CONTEXT",
    "AggregationEvent",
    "AssociationEvent",
    "EpcisEvent",
    "Event",
    "InvalidEvent",
    "ObjectEvent",
    "TransactionEvent",
    "TransformationEvent",
    "epcis_document",
    "event_time_text",
    "new_event_id",
    "time_zone_offset",
]

#: The JSON-LD context every EPCIS 2.0 document names (EPCIS 2.0 section 10.2).
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def new_event_id() -> str:
    """A fresh event ID as a UUID URN, ``urn:uuid:…`` (EPCIS 2.0 section 7.4.1 allows it where
    the CBV 2.0 event hash is not used).

    >>> new_event_id().startswith("urn:uuid:")
    True
    """
    return uuid.uuid4().urn


def event_time_text(at: dt.datetime) -> str:
    """``at`` as EPCIS writes a time: ISO 8601 to the millisecond, with its UTC offset.

    >>> event_time_text(dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC))
    '2026-01-02T03:04:05.678+00:00'
    """
    return time_text(at)


def time_zone_offset(at: dt.datetime) -> str:
    """The ``eventTimeZoneOffset`` of ``at``, ``±HH:MM``.

    >>> time_zone_offset(dt.datetime(2026, 1, 1, tzinfo=dt.timezone(-dt.timedelta(hours=5))))
    '-05:00'
    """
    offset = _aware(at).utcoffset()
    assert offset is not None  # _aware made sure
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Event:
    """What every event may have: when, where, why and how, its ID, and extensions."""

    type: ClassVar[str]

    event_time: dt.datetime
    #: ``±HH:MM``; by default the offset of ``event_time``, but EPCIS lets the two differ
    #: (an ``eventTime`` in UTC, the offset of the place where it happened)
    event_time_zone_offset: str | None = None
    record_time: dt.datetime | None = None
    #: None where the event was read without one (EPCIS 2.0 makes it optional)
    event_id: str | None = field(default_factory=new_event_id)
    certification_info: str | tuple[str, ...] | None = None
    error_declaration: ErrorDeclaration | None = None
    biz_step: str | None = None
    disposition: str | None = None
    read_point: str | None = None
    read_point_extensions: Extensions = field(default_factory=dict, hash=False)
    biz_location: str | None = None
    biz_location_extensions: Extensions = field(default_factory=dict, hash=False)
    biz_transaction_list: tuple[BizTransaction, ...] | None = None
    source_list: tuple[SourceDest, ...] | None = None
    destination_list: tuple[SourceDest, ...] | None = None
    sensor_element_list: tuple[SensorElement, ...] | None = None
    #: user extension fields of the event itself, ``prefix:name`` to value
    extensions: Extensions = field(default_factory=dict, hash=False)
    #: the event's own ``@context``: a built event names the EPCIS context, so that it stands
    #: alone as the schema wants; one read from a document has none unless it came with one
    #: (the document's context covers its events)
    context: JsonValue = field(default=EPCIS_CONTEXT, hash=False)
    #: the times as they were written, where the event was read (see :mod:`.model`)
    time_texts: Mapping[str, str] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        _aware(self.event_time)
        if self.event_time_zone_offset is None:
            # frozen: the offset is settled once, so that a built event equals its read-back
            object.__setattr__(self, "event_time_zone_offset", time_zone_offset(self.event_time))
        if self.record_time is not None and self.record_time.utcoffset() is None:
            raise InvalidEvent("recordTime: needs a UTC offset")

    def _head(self) -> dict[str, Any]:
        written: dict[str, Any] = {}
        if self.context is not None:
            written["@context"] = copied(self.context)
        written["type"] = self.type
        if self.event_id is not None:
            written["eventID"] = self.event_id
        texts = self.time_texts
        written["eventTime"] = texts.get("eventTime") or time_text(self.event_time)
        written["eventTimeZoneOffset"] = self.event_time_zone_offset
        if self.record_time is not None:
            written["recordTime"] = texts.get("recordTime") or time_text(self.record_time)
        if self.certification_info is not None:
            info = self.certification_info
            written["certificationInfo"] = info if isinstance(info, str) else list(info)
        if self.error_declaration is not None:
            written["errorDeclaration"] = self.error_declaration.document()
        return written

    def _tail(self, written: dict[str, Any]) -> dict[str, Any]:
        """Adds the why, where and how every type shares, then the extensions."""
        if self.biz_step is not None:
            written["bizStep"] = str(self.biz_step)
        if self.disposition is not None:
            written["disposition"] = str(self.disposition)
        persistent: PersistentDisposition | None = getattr(self, "persistent_disposition", None)
        if persistent is not None:
            written["persistentDisposition"] = persistent.document()
        if self.read_point is not None:
            written["readPoint"] = {"id": self.read_point, **copied(self.read_point_extensions)}
        if self.biz_location is not None:
            written["bizLocation"] = {
                "id": self.biz_location,
                **copied(self.biz_location_extensions),
            }
        if self.biz_transaction_list is not None:
            written["bizTransactionList"] = [
                transaction.document() for transaction in self.biz_transaction_list
            ]
        if self.source_list is not None:
            written["sourceList"] = [source.document("source") for source in self.source_list]
        if self.destination_list is not None:
            written["destinationList"] = [
                destination.document("destination") for destination in self.destination_list
            ]
        if self.sensor_element_list is not None:
            written["sensorElementList"] = [
                element.document() for element in self.sensor_element_list
            ]
        ilmd: Ilmd | None = getattr(self, "ilmd", None)
        if ilmd is not None:
            written["ilmd"] = ilmd.document()
        if self.extensions:
            written.update(copied(self.extensions))
        return written


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectEvent(_Event):
    """Something happened to the objects in ``epc_list`` or ``quantity_list``: commissioned
    (ADD, with ILMD), shipped, received, sold, destroyed (OBSERVE or DELETE)."""

    type: ClassVar[str] = "ObjectEvent"

    action: Action
    #: None: the event names no ``epcList`` (quantities or sensor readings only)
    epc_list: tuple[str, ...] | None = ()
    quantity_list: tuple[QuantityElement, ...] | None = None
    persistent_disposition: PersistentDisposition | None = None
    ilmd: Ilmd | None = None

    def __post_init__(self) -> None:
        _Event.__post_init__(self)
        if self.ilmd is not None and self.action is not Action.ADD:
            raise InvalidEvent(
                f"ilmd: only an ADD event, which creates the objects, carries ILMD; this one is "
                f"{self.action.value}"
            )
        _unique("epcList", self.epc_list)

    def document(self) -> dict[str, Any]:
        written = self._head()
        if self.epc_list is not None:
            written["epcList"] = list(self.epc_list)
        if self.quantity_list is not None:
            written["quantityList"] = [quantity.document() for quantity in self.quantity_list]
        written["action"] = self.action.value
        return self._tail(written)


@dataclass(frozen=True, slots=True, kw_only=True)
class AggregationEvent(_Event):
    """The objects in ``child_epcs`` (and ``child_quantity_list``) were packed into (ADD),
    seen in (OBSERVE) or unpacked from (DELETE) the container ``parent_id``: a case SGTIN or
    a pallet SSCC."""

    type: ClassVar[str] = "AggregationEvent"

    action: Action
    parent_id: str | None
    child_epcs: tuple[str, ...] | None = ()
    child_quantity_list: tuple[QuantityElement, ...] | None = None

    def __post_init__(self) -> None:
        _Event.__post_init__(self)
        _check_children(self.action, self.parent_id, self.child_epcs, self.child_quantity_list)

    def document(self) -> dict[str, Any]:
        written = self._head()
        if self.parent_id is not None:
            written["parentID"] = self.parent_id
        _write_children(written, self.child_epcs, self.child_quantity_list)
        written["action"] = self.action.value
        return self._tail(written)


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionEvent(_Event):
    """The objects in ``epc_list`` (and ``quantity_list``) were tied to (ADD), confirmed in
    (OBSERVE) or released from (DELETE) the business transactions of
    ``biz_transaction_list``: a purchase order, an invoice."""

    type: ClassVar[str] = "TransactionEvent"

    action: Action
    parent_id: str | None = None
    epc_list: tuple[str, ...] | None = ()
    quantity_list: tuple[QuantityElement, ...] | None = None

    def __post_init__(self) -> None:
        _Event.__post_init__(self)
        if not self.biz_transaction_list:
            raise InvalidEvent("bizTransactionList: a TransactionEvent names its transactions")

    def document(self) -> dict[str, Any]:
        written = self._head()
        if self.parent_id is not None:
            written["parentID"] = self.parent_id
        if self.epc_list is not None:
            written["epcList"] = list(self.epc_list)
        if self.quantity_list is not None:
            written["quantityList"] = [quantity.document() for quantity in self.quantity_list]
        written["action"] = self.action.value
        return self._tail(written)


@dataclass(frozen=True, slots=True, kw_only=True)
class TransformationEvent(_Event):
    """Inputs were consumed and outputs produced (EPCIS 2.0 section 7.4.6): raw-material lots
    made into a finished lot. It has no action; its outputs may carry ILMD, as they are
    created here. Events of one long transformation share a ``transformation_id``."""

    type: ClassVar[str] = "TransformationEvent"

    input_epc_list: tuple[str, ...] | None = None
    input_quantity_list: tuple[QuantityElement, ...] | None = None
    output_epc_list: tuple[str, ...] | None = None
    output_quantity_list: tuple[QuantityElement, ...] | None = None
    transformation_id: str | None = None
    persistent_disposition: PersistentDisposition | None = None
    ilmd: Ilmd | None = None

    def __post_init__(self) -> None:
        _Event.__post_init__(self)
        inputs = bool(self.input_epc_list) or bool(self.input_quantity_list)
        outputs = bool(self.output_epc_list) or bool(self.output_quantity_list)
        if not (inputs and outputs) and not (
            (inputs or outputs) and self.transformation_id is not None
        ):
            raise InvalidEvent(
                "inputEPCList: a TransformationEvent names inputs and outputs, or one of them "
                "and a transformationID"
            )
        if self.ilmd is not None and not outputs:
            raise InvalidEvent("ilmd: only outputs, which the transformation creates, get ILMD")
        _unique("inputEPCList", self.input_epc_list)
        _unique("outputEPCList", self.output_epc_list)

    def document(self) -> dict[str, Any]:
        written = self._head()
        for key, epcs in (
            ("inputEPCList", self.input_epc_list),
            ("outputEPCList", self.output_epc_list),
        ):
            if epcs is not None:
                written[key] = list(epcs)
        for key, quantities in (
            ("inputQuantityList", self.input_quantity_list),
            ("outputQuantityList", self.output_quantity_list),
        ):
            if quantities is not None:
                written[key] = [quantity.document() for quantity in quantities]
        if self.transformation_id is not None:
            written["transformationID"] = self.transformation_id
        return self._tail(written)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssociationEvent(_Event):
    """The objects in ``child_epcs`` were fitted to (ADD), seen on (OBSERVE) or taken off
    (DELETE) ``parent_id``, which is no container but a thing they belong with: a sensor on
    a pallet, a tag on a returnable asset (EPCIS 2.0 section 7.4.7)."""

    type: ClassVar[str] = "AssociationEvent"

    action: Action
    parent_id: str
    child_epcs: tuple[str, ...] | None = ()
    child_quantity_list: tuple[QuantityElement, ...] | None = None

    def __post_init__(self) -> None:
        _Event.__post_init__(self)
        _check_children(self.action, self.parent_id, self.child_epcs, self.child_quantity_list)

    def document(self) -> dict[str, Any]:
        written = self._head()
        written["parentID"] = self.parent_id
        _write_children(written, self.child_epcs, self.child_quantity_list)
        written["action"] = self.action.value
        return self._tail(written)


#: Any EPCIS 2.0 event.
Event = ObjectEvent | AggregationEvent | TransactionEvent | TransformationEvent | AssociationEvent

#: The events unitrace's own lifecycle records.
EpcisEvent = ObjectEvent | AggregationEvent | TransformationEvent


def epcis_document(
    events: Iterable[Mapping[str, Any]], *, created: dt.datetime, document_id: str | None = None
) -> dict[str, Any]:
    """An ``EPCISDocument`` carrying ``events`` (their event dicts, as
    :meth:`ObjectEvent.document` gives them), the form in which events are exchanged and
    captured. A ``@context`` an event dict carries is left out: the document's covers it.

    >>> at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> sent = epcis_document([ObjectEvent(event_time=at, action=Action.OBSERVE).document()],
    ...                       created=at)
    >>> sent["type"], len(sent["epcisBody"]["eventList"]), "@context" in sent["epcisBody"]["eventList"][0]
    ('EPCISDocument', 1, False)
    """
    body = [{key: value for key, value in event.items() if key != "@context"} for event in events]
    document: dict[str, Any] = {"@context": EPCIS_CONTEXT, "type": "EPCISDocument"}
    if document_id is not None:
        document["id"] = document_id
    document.update(
        {
            "schemaVersion": "2.0",
            "creationDate": event_time_text(created),
            "epcisBody": {"eventList": body},
        }
    )
    return document


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidEvent("eventTime: needs a UTC offset (EPCIS records where in the world)")
    return at


def _unique(field_name: str, epcs: Sequence[str] | None) -> None:
    if epcs is None or len(set(epcs)) == len(epcs):
        return
    seen: set[str] = set()
    for epc in epcs:
        if epc in seen:
            raise InvalidEvent(f"{field_name}: {epc} is named twice")
        seen.add(epc)


def _check_children(
    action: Action,
    parent_id: str | None,
    child_epcs: tuple[str, ...] | None,
    child_quantities: tuple[QuantityElement, ...] | None,
) -> None:
    # EPCIS 2.0 sections 7.4.3 and 7.4.7: only a DELETE may leave the children out, meaning
    # all of them
    if not child_epcs and not child_quantities and action is not Action.DELETE:
        raise InvalidEvent(f"childEPCs: an {action.value} aggregation names its children")
    if child_epcs:
        if parent_id is not None and parent_id in child_epcs:
            raise InvalidEvent(f"childEPCs: {parent_id} cannot be a child of itself")
        _unique("childEPCs", child_epcs)


def _write_children(
    written: dict[str, Any],
    child_epcs: tuple[str, ...] | None,
    child_quantities: tuple[QuantityElement, ...] | None,
) -> None:
    if child_epcs is not None:
        written["childEPCs"] = list(child_epcs)
    if child_quantities is not None:
        written["childQuantityList"] = [quantity.document() for quantity in child_quantities]
