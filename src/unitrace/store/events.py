"""EPCIS events: the JSON-LD document plus indexed columns, and the index of every EPC each
event names.

The EPC index is where an event's EPC lists live: the stored document keeps ``epcList``,
``childEPCs``, ``inputEPCList`` and ``outputEPCList`` as empty placeholders, and
:meth:`EventRepository.document` fills them from the index. A commissioning event for a
million units is then one small row plus a million index rows, which the database builds
itself from the units table (:class:`UnitEpcs`) in one statement, instead of a 40 MB JSON value
written and parsed whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, String, func, insert, literal, select

from unitrace.epcis import EpcisEvent, EpcNaming
from unitrace.gs1 import Gtin
from unitrace.registry.model import UnitState
from unitrace.store.repositories import now
from unitrace.store.schema import epcis_events, event_epcs, products, units
from unitrace.store.units import UnitRepository, UnitSelection

#: The document's EPC lists and the role their EPCs have in the index.
LIST_ROLES = {
    "epcList": "epc",
    "childEPCs": "child",
    "inputEPCList": "input",
    "outputEPCList": "output",
}
PARENT_ROLE = "parent"


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event as stored: its indexed fields, who recorded it and the party it concerns."""

    event_id: str
    type: str
    action: str | None
    #: with the offset of the place it happened, as the event says
    event_time: dt.datetime
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    party_id: str | None
    recorded_by: str | None


@dataclass(frozen=True, slots=True)
class UnitEpcs:
    """The units of ``selection`` (only those in ``states``, where given), to be indexed with
    an event under ``role``; the database writes each unit's EPC from its product's
    :class:`~unitrace.epcis.SerialUriTemplate`."""

    selection: UnitSelection
    naming: EpcNaming
    role: str = "epc"
    states: frozenset[UnitState] | None = field(default=None)


class EventRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        event: EpcisEvent,
        *,
        party_id: str | None,
        recorded_by: str | None,
        units_named: Sequence[UnitEpcs] = (),
    ) -> EventRecord:
        """Store ``event`` with the EPCs it lists, and with the EPCs of ``units_named``
        added to its lists in the index."""
        document = event.document()
        epcs: list[tuple[str, str]] = []
        for key, role in LIST_ROLES.items():
            if key in document:
                epcs += [(role, epc) for epc in document[key]]
                document[key] = []
        if "parentID" in document:
            epcs.append((PARENT_ROLE, document["parentID"]))
        stored_time = event.event_time.astimezone(dt.UTC)
        event_pk = self.connection.execute(
            insert(epcis_events)
            .values(
                event_id=event.event_id,
                type=event.type,
                action=event.action.value,
                event_time=stored_time,
                event_time_zone_offset=document["eventTimeZoneOffset"],
                record_time=now(),
                biz_step=document.get("bizStep"),
                disposition=document.get("disposition"),
                read_point=event.read_point,
                biz_location=event.biz_location,
                document=document,
                party_id=party_id,
                recorded_by=recorded_by,
            )
            .returning(epcis_events.c.id)
        ).scalar_one()
        if epcs:
            self.connection.execute(
                insert(event_epcs),
                [{"event_pk": event_pk, "role": role, "epc": epc} for role, epc in epcs],
            )
        for named in units_named:
            self._index_units(event_pk, named)
        return EventRecord(
            event_id=event.event_id,
            type=event.type,
            action=event.action.value,
            event_time=event.event_time,
            biz_step=document.get("bizStep"),
            disposition=document.get("disposition"),
            read_point=event.read_point,
            biz_location=event.biz_location,
            party_id=party_id,
            recorded_by=recorded_by,
        )

    def _index_units(self, event_pk: int, named: UnitEpcs) -> None:
        repository = UnitRepository(self.connection)
        extra: list[ColumnElement[bool]] = []
        if named.states is not None:
            extra.append(units.c.state.in_(sorted(state.value for state in named.states)))
        product_ids = repository.product_ids(named.selection)
        if not product_ids:
            return
        rows = self.connection.execute(
            select(products.c.id, products.c.gtin, products.c.serial_alphabet).where(
                products.c.id.in_(product_ids)
            )
        )
        for product_id, gtin, alphabet in rows.all():
            template = named.naming.serial_template(Gtin(gtin), alphabet)
            epc: ColumnElement[str] = units.c.serial
            for character, escape in template.escapes:
                epc = func.replace(epc, character, escape)
            for condition in repository.conditions(named.selection):
                # in serial order, the EPC index grows at one place instead of all over: on
                # PostgreSQL a million rows go in ~40% faster; SQLite reads them so anyway
                chosen = (
                    select(
                        literal(event_pk),
                        literal(named.role, String),
                        literal(template.prefix, String) + epc,
                    )
                    .where(condition, units.c.product_id == product_id, *extra)
                    .order_by(units.c.serial)
                )
                self.connection.execute(
                    insert(event_epcs).from_select(["event_pk", "role", "epc"], chosen)
                )

    def get(self, event_id: str) -> EventRecord | None:
        row = self.connection.execute(
            select(epcis_events).where(epcis_events.c.event_id == event_id)
        ).first()
        return None if row is None else _record_from_row(row)

    def document(self, event_id: str) -> dict[str, Any] | None:
        """The event's JSON-LD, its EPC lists filled from the index (in EPC order: EPCIS
        gives them no order) and its ``recordTime`` added."""
        row = self.connection.execute(
            select(epcis_events.c.id, epcis_events.c.document, epcis_events.c.record_time).where(
                epcis_events.c.event_id == event_id
            )
        ).first()
        if row is None:
            return None
        document: dict[str, Any] = dict(row.document)
        for key, role in LIST_ROLES.items():
            if key in document:
                document[key] = list(
                    self.connection.execute(
                        select(event_epcs.c.epc)
                        .where(event_epcs.c.event_pk == row.id, event_epcs.c.role == role)
                        .order_by(event_epcs.c.epc)
                    ).scalars()
                )
        recorded = _utc(row.record_time)
        document["recordTime"] = recorded.isoformat(timespec="milliseconds")
        return document

    def naming(self, epcs: Iterable[str]) -> list[EventRecord]:
        """The events that name any of ``epcs`` in any role, oldest first (ties in the order
        they were recorded)."""
        wanted = sorted(set(epcs))
        if not wanted:
            return []
        pks = (
            select(event_epcs.c.event_pk).where(event_epcs.c.epc.in_(wanted)).distinct().subquery()
        )
        rows = self.connection.execute(
            select(epcis_events)
            .where(epcis_events.c.id.in_(select(pks.c.event_pk)))
            .order_by(epcis_events.c.event_time, epcis_events.c.id)
        )
        return [_record_from_row(row) for row in rows]

    def count(self) -> int:
        return int(
            self.connection.execute(select(func.count()).select_from(epcis_events)).scalar_one()
        )

    def epc_count(self, event_id: str) -> int:
        """How many EPCs the event names, in every role."""
        return int(
            self.connection.execute(
                select(func.count())
                .select_from(event_epcs)
                .join(epcis_events, epcis_events.c.id == event_epcs.c.event_pk)
                .where(epcis_events.c.event_id == event_id)
            ).scalar_one()
        )


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _offset(text: str) -> dt.timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text[1:].split(":")
    return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))


def _record_from_row(row: Row[Any]) -> EventRecord:
    return EventRecord(
        event_id=row.event_id,
        type=row.type,
        action=row.action,
        event_time=_utc(row.event_time).astimezone(_offset(row.event_time_zone_offset)),
        biz_step=row.biz_step,
        disposition=row.disposition,
        read_point=row.read_point,
        biz_location=row.biz_location,
        party_id=row.party_id,
        recorded_by=row.recorded_by,
    )
