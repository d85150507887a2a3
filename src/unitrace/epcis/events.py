"""EPCIS 2.0 events, built as typed values and written as JSON-LD.

An event answers what (the EPCs), when (``eventTime`` with the offset of the place it happened),
where (``readPoint``, ``bizLocation``) and why (``bizStep``, ``disposition``, sources and
destinations). :meth:`ObjectEvent.document` and :meth:`AggregationEvent.document` give the event
as the JSON-LD binding of EPCIS 2.0 writes it, with its ``@context``, ready to validate against
the official JSON schema or to send to a trading partner.

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from unitrace.epcis.vocabulary import Action, BizStep, Disposition, SourceDestType

#: The JSON-LD context every EPCIS 2.0 document names (EPCIS 2.0 section 10.2).
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


class InvalidEvent(ValueError):
    """An event EPCIS 2.0 does not allow, such as ILMD on an event that creates nothing."""


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
    return _aware(at).isoformat(timespec="milliseconds")


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


@dataclass(frozen=True, slots=True)
class SourceDest:
    """One entry of a ``sourceList`` or ``destinationList``: a party (PGLN) or a place (SGLN)."""

    type: SourceDestType
    id: str


@dataclass(frozen=True, slots=True)
class Ilmd:
    """Instance/lot master data given when objects are commissioned: their lot and expiry, in
    the CBV master-data attributes (CBV 2.0 section 8.3)."""

    lot: str | None = None
    expiry: dt.date | None = None

    def as_json(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        if self.lot is not None:
            fields["cbvmda:lotNumber"] = self.lot
        if self.expiry is not None:
            fields["cbvmda:itemExpirationDate"] = self.expiry.isoformat()
        return fields


@dataclass(frozen=True, slots=True, kw_only=True)
class _Event:
    """What every event has: when, why and where, and its ID."""

    event_time: dt.datetime
    action: Action
    biz_step: BizStep | None = None
    disposition: Disposition | None = None
    read_point: str | None = None
    biz_location: str | None = None
    source_list: tuple[SourceDest, ...] = ()
    destination_list: tuple[SourceDest, ...] = ()
    event_id: str = field(default_factory=new_event_id)

    def __post_init__(self) -> None:
        if self.event_time.tzinfo is None or self.event_time.utcoffset() is None:
            raise InvalidEvent("eventTime: needs a UTC offset (EPCIS records where in the world)")

    def _when(self, type_: str) -> dict[str, Any]:
        return {
            "@context": EPCIS_CONTEXT,
            "type": type_,
            "eventID": self.event_id,
            "eventTime": event_time_text(self.event_time),
            "eventTimeZoneOffset": time_zone_offset(self.event_time),
            "action": self.action.value,
        }

    def _why_where(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if self.biz_step is not None:
            fields["bizStep"] = self.biz_step.value
        if self.disposition is not None:
            fields["disposition"] = self.disposition.value
        if self.read_point is not None:
            fields["readPoint"] = {"id": self.read_point}
        if self.biz_location is not None:
            fields["bizLocation"] = {"id": self.biz_location}
        if self.source_list:
            fields["sourceList"] = [
                {"type": entry.type.value, "source": entry.id} for entry in self.source_list
            ]
        if self.destination_list:
            fields["destinationList"] = [
                {"type": entry.type.value, "destination": entry.id}
                for entry in self.destination_list
            ]
        return fields


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectEvent(_Event):
    """Something happened to the objects in ``epc_list``: commissioned (ADD, with ILMD),
    shipped, received, sold, destroyed (OBSERVE or DELETE)."""

    epc_list: tuple[str, ...] = ()
    ilmd: Ilmd | None = None

    def __post_init__(self) -> None:
        _Event.__post_init__(self)
        if self.ilmd is not None and self.action is not Action.ADD:
            raise InvalidEvent(
                f"ilmd: only an ADD event, which creates the objects, carries ILMD; this one is "
                f"{self.action.value}"
            )
        _unique("epcList", self.epc_list)

    @property
    def type(self) -> str:
        return "ObjectEvent"

    def document(self) -> dict[str, Any]:
        document = self._when(self.type)
        document["epcList"] = list(self.epc_list)
        document.update(self._why_where())
        if self.ilmd is not None:
            document["ilmd"] = self.ilmd.as_json()
        return document


@dataclass(frozen=True, slots=True, kw_only=True)
class AggregationEvent(_Event):
    """The objects in ``child_epcs`` were packed into (ADD) or unpacked from (DELETE) the
    container ``parent_id``: a case SGTIN or a pallet SSCC."""

    parent_id: str
    child_epcs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _Event.__post_init__(self)
        # EPCIS 2.0 section 7.4.3: only a DELETE may leave the children out, meaning all of them
        if not self.child_epcs and self.action is not Action.DELETE:
            raise InvalidEvent(f"childEPCs: an {self.action.value} aggregation names its children")
        if self.parent_id in self.child_epcs:
            raise InvalidEvent(f"childEPCs: {self.parent_id} cannot be a child of itself")
        _unique("childEPCs", self.child_epcs)

    @property
    def type(self) -> str:
        return "AggregationEvent"

    def document(self) -> dict[str, Any]:
        document = self._when(self.type)
        document["parentID"] = self.parent_id
        document["childEPCs"] = list(self.child_epcs)
        document.update(self._why_where())
        return document


EpcisEvent = ObjectEvent | AggregationEvent


def epcis_document(
    events: Iterable[Mapping[str, Any]], *, created: dt.datetime, document_id: str | None = None
) -> dict[str, Any]:
    """An ``EPCISDocument`` carrying ``events`` (their JSON-LD, as :meth:`ObjectEvent.document`
    gives it), the form in which events are exchanged and captured.

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


def _unique(field_name: str, epcs: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for epc in epcs:
        if epc in seen:
            raise InvalidEvent(f"{field_name}: {epc} is named twice")
        seen.add(epc)
