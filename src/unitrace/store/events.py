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
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    String,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    update,
)

from unitrace.epcis import EpcisEvent, EpcNaming
from unitrace.epcis.extension_fields import FieldRow
from unitrace.gs1 import Gtin
from unitrace.registry.model import UnitState
from unitrace.store.canonical_epcs import index_canonical_epcs
from unitrace.store.driver_statements import DriverStatement
from unitrace.store.event_fields import record_fields
from unitrace.store.event_sensor_data import record_sensor_data
from unitrace.store.schema import (
    epcis_events,
    event_epcs,
    event_fields,
    event_values,
    products,
    units,
)
from unitrace.store.times import now, utc
from unitrace.store.units import UnitRepository, UnitSelection

#: The document's EPC lists and the role their EPCs have in the index.
LIST_ROLES = {
    "epcList": "epc",
    "childEPCs": "child",
    "inputEPCList": "input",
    "outputEPCList": "output",
}
PARENT_ROLE = "parent"
#: Units a captured event moved without naming them: inside a case or pallet it names.
CONTAINED_ROLE = "contained"


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
        stored = StoredEvent(event.document(), party_id=party_id, recorded_by=recorded_by)
        return self.add_stored(stored, units_named=units_named)

    def add_stored(
        self, stored: StoredEvent, *, units_named: Sequence[UnitEpcs] = ()
    ) -> EventRecord:
        """Store one event given as its JSON-LD, with the EPCs of ``units_named`` indexed
        with it (under their own role)."""
        ((pk, record),) = self._insert([stored])
        for named in units_named:
            self._index_units(pk, named)
        return record

    def add_documents(self, events: Sequence[StoredEvent]) -> list[EventRecord]:
        """Store events given as their JSON-LD (event dicts of an EPCISDocument, with an
        ``eventID``), in set-based inserts however many they are: the events, the EPCs
        they name by role, and the values queries look for (their extension fields and
        quantities: :mod:`~unitrace.store.event_fields`; their sensor data:
        :mod:`~unitrace.store.event_sensor_data`). ``recordTime`` is now."""
        return [record for _, record in self._insert(events)]

    def _insert(self, events: Sequence[StoredEvent]) -> list[tuple[int, EventRecord]]:
        if not events:
            return []
        recorded = now()
        rows: list[dict[str, Any]] = []
        records: list[EventRecord] = []
        for stored in events:
            row, record = _event_row(stored, recorded)
            rows.append(row)
            records.append(record)
        pks = self._new_ids(len(rows))
        for pk, row in zip(pks, rows, strict=True):
            row["id"] = pk
        _INSERT_EVENTS.execute_many(self.connection, rows)
        epcs: list[dict[str, Any]] = []
        values: list[dict[str, Any]] = []
        for pk, stored in zip(pks, events, strict=True):
            for role, epc in _epcs(stored.document):
                epcs.append({"event_pk": pk, "role": role, "epc": epc})
            for field_name, kind, value in event_values_of(stored.document):
                values.append({"event_pk": pk, "field": field_name, "type": kind, "value": value})
        _INSERT_EPCS.execute_many(self.connection, epcs)
        index_canonical_epcs(self.connection, epcs)
        _INSERT_VALUES.execute_many(self.connection, values)
        record_fields(
            self.connection,
            [
                (pk, stored.document, stored.field_rows)
                for pk, stored in zip(pks, events, strict=True)
            ],
        )
        record_sensor_data(
            self.connection,
            [
                (pk, stored.document, stored.recorded_by, stored.party_id)
                for pk, stored in zip(pks, events, strict=True)
            ],
        )
        return list(zip(pks, records, strict=True))

    def _new_ids(self, count: int) -> list[int]:
        """Ids for ``count`` new events, known before they are inserted so that their EPCs can
        go in with them in one bulk insert each: from the table's sequence on PostgreSQL; on
        SQLite after the largest so far (a writing transaction holds the database's write lock
        from its start, so no other writer can take the same)."""
        if self.connection.dialect.name == "postgresql":
            return list(
                self.connection.execute(
                    select(
                        func.nextval(func.pg_get_serial_sequence("epcis_events", "id"))
                    ).select_from(func.generate_series(1, count))
                ).scalars()
            )
        largest = self.connection.execute(select(func.max(epcis_events.c.id))).scalar_one()
        first = (largest or 0) + 1
        return list(range(first, first + count))

    def exists(self, event_ids: Iterable[str]) -> set[str]:
        """Which of ``event_ids`` are stored already."""
        wanted = sorted(set(event_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            found.update(
                self.connection.execute(
                    select(epcis_events.c.event_id).where(
                        epcis_events.c.event_id.in_(wanted[start : start + 500])
                    )
                ).scalars()
            )
        return found

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
        return None if row is None else record_from_row(row)

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
        recorded = utc(row.record_time)
        document["recordTime"] = recorded.isoformat(timespec="milliseconds")
        return document

    def take_turns(self, event_ids: Iterable[str]) -> None:
        """Hold, until the transaction ends, the turn of each of ``event_ids``: a capture
        naming an eventID another capture is storing waits for it to end, and then finds the
        event stored (a partner's retry sent while its first send is captured, an error
        declaration beside its event), rather than failing on the eventID stored meanwhile.
        On PostgreSQL an advisory lock per bucket of eventIDs (so that a document of
        thousands of events holds a few dozen locks, not thousands), taken in one order;
        SQLite's writing transactions already run one at a time."""
        if self.connection.dialect.name != "postgresql":
            return
        buckets = sorted({zlib.crc32(event_id.encode()) % _TURN_BUCKETS for event_id in event_ids})
        if buckets:
            # unnest gives the buckets in the array's order: every capture takes them so
            self.connection.execute(_TAKE_TURNS, {"buckets": buckets})

    def documents(self, event_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The JSON-LD of each of ``event_ids`` stored, as :meth:`document` gives it, read a
        few hundred at a time (a document sent again finds thousands captured already)."""
        wanted = sorted(set(event_ids))
        found: dict[str, dict[str, Any]] = {}
        roles = {role: key for key, role in LIST_ROLES.items()}
        for start in range(0, len(wanted), 500):
            rows = self.connection.execute(
                select(
                    epcis_events.c.id,
                    epcis_events.c.event_id,
                    epcis_events.c.document,
                    epcis_events.c.record_time,
                ).where(epcis_events.c.event_id.in_(wanted[start : start + 500]))
            ).all()
            by_pk: dict[int, dict[str, Any]] = {}
            for row in rows:
                document = dict(row.document)
                for key in LIST_ROLES:
                    if key in document:
                        document[key] = []
                document["recordTime"] = utc(row.record_time).isoformat(timespec="milliseconds")
                by_pk[row.id] = found[row.event_id] = document
            if not by_pk:
                continue
            listed = self.connection.execute(
                select(event_epcs.c.event_pk, event_epcs.c.role, event_epcs.c.epc)
                .where(
                    event_epcs.c.event_pk.in_(sorted(by_pk)),
                    event_epcs.c.role.in_(sorted(roles)),
                )
                .order_by(event_epcs.c.event_pk, event_epcs.c.role, event_epcs.c.epc)
            )
            for event_pk, role, epc in listed:
                document = by_pk[event_pk]
                if roles[role] in document:
                    document[roles[role]].append(epc)
        return found

    def declare_error(self, event_id: str, declaration: Mapping[str, Any]) -> None:
        """Declare the stored event ``event_id`` in error (EPCIS 2.0 section 7.4.1.2): its
        document takes the ``errorDeclaration``, and the event its declaration time."""
        row = self.connection.execute(
            select(epcis_events.c.id, epcis_events.c.document).where(
                epcis_events.c.event_id == event_id
            )
        ).one()
        declared = declaration.get("declarationTime")
        document = {**row.document, "errorDeclaration": dict(declaration)}
        self.connection.execute(
            update(epcis_events)
            .where(epcis_events.c.id == row.id)
            .values(
                document=document,
                error_declaration_time=(
                    dt.datetime.fromisoformat(declared).astimezone(dt.UTC) if declared else None
                ),
            )
        )
        # the query index learns the declaration as it would have at capture: its reason,
        # corrective events and extension fields (EQ_errorReason, EQ_ERROR_DECLARATION_…)
        self.connection.execute(delete(event_values).where(event_values.c.event_pk == row.id))
        _INSERT_VALUES.execute_many(
            self.connection,
            [
                {"event_pk": row.id, "field": field_name, "type": kind, "value": value}
                for field_name, kind, value in event_values_of(document)
            ],
        )
        self.connection.execute(delete(event_fields).where(event_fields.c.event_pk == row.id))
        record_fields(self.connection, [(row.id, document, None)])

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
        return [record_from_row(row) for row in rows]

    def earliest(self, epc: str, biz_steps: Sequence[str]) -> dt.datetime | None:
        """When the earliest event of one of ``biz_steps`` (spelled as stored) naming ``epc``
        happened, in UTC; events declared in error do not count. None where there is none."""
        found = self.connection.execute(
            select(func.min(epcis_events.c.event_time))
            .select_from(event_epcs.join(epcis_events, epcis_events.c.id == event_epcs.c.event_pk))
            .where(
                event_epcs.c.epc == epc,
                epcis_events.c.biz_step.in_(biz_steps),
                epcis_events.c.error_declaration_time.is_(None),
            )
        ).scalar()
        return None if found is None else utc(found)

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


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event to store: its JSON-LD as an EPCISDocument's event list holds it (with its
    ``eventID``; an ``@context`` of its own where it uses extension namespaces), who recorded
    it, the party it concerns, and the capture job it came with."""

    document: Mapping[str, Any]
    party_id: str | None = None
    recorded_by: str | None = None
    capture_job_id: int | None = None
    #: its extension fields as :func:`~unitrace.epcis.extension_fields.extension_rows` reads
    #: them, where the caller has read them already (a capture, to hold it to its limits)
    field_rows: Sequence[FieldRow] | None = None


#: The document's quantity lists and the role their classes have in the index.
QUANTITY_ROLES = {
    "quantityList": "quantity",
    "childQuantityList": "child_quantity",
    "inputQuantityList": "input_quantity",
    "outputQuantityList": "output_quantity",
}


# The bulk inserts of stored events, run on the driver's executemany (COPY on PostgreSQL).
_INSERT_EVENTS = DriverStatement(
    insert(epcis_events).values(
        {
            column.name: bindparam(column.name)
            for column in epcis_events.c
            # filled by its column default (PostgreSQL's transaction id): see the schema
            if column.name != "capture_xact"
        }
    ),
    copied=True,
)
#: How many turns eventIDs share (:meth:`EventRepository.take_turns`), and the advisory
#: locks' first key, which tells them from other advisory locks.
_TURN_BUCKETS = 64
_TURN_SPACE = 0x45504353  # "EPCS"
_TAKE_TURNS = text(
    f"SELECT pg_advisory_xact_lock({_TURN_SPACE}, bucket) "
    "FROM unnest(CAST(:buckets AS integer[])) AS bucket"
)
_INSERT_EPCS = DriverStatement(
    insert(event_epcs).values({column.name: bindparam(column.name) for column in event_epcs.c}),
    copied=True,
)
_INSERT_VALUES = DriverStatement(
    insert(event_values).values({column.name: bindparam(column.name) for column in event_values.c}),
    copied=True,
)


def _event_row(stored: StoredEvent, recorded: dt.datetime) -> tuple[dict[str, Any], EventRecord]:
    source = stored.document
    # the EPC lists live in the index; the stored document keeps them as empty placeholders
    document = {
        key: ([] if key in LIST_ROLES else value)
        for key, value in source.items()
        if key != "recordTime"
    }
    event_time = dt.datetime.fromisoformat(source["eventTime"])
    offset = source["eventTimeZoneOffset"]
    declared = (source.get("errorDeclaration") or {}).get("declarationTime")
    row = {
        "event_id": source["eventID"],
        "type": source["type"],
        "action": source.get("action"),
        "event_time": event_time.astimezone(dt.UTC),
        "event_time_zone_offset": offset,
        "record_time": recorded,
        "biz_step": source.get("bizStep"),
        "disposition": source.get("disposition"),
        "read_point": (source.get("readPoint") or {}).get("id"),
        "biz_location": (source.get("bizLocation") or {}).get("id"),
        "document": document,
        "party_id": stored.party_id,
        "recorded_by": stored.recorded_by,
        "error_declaration_time": (
            dt.datetime.fromisoformat(declared).astimezone(dt.UTC) if declared else None
        ),
        "capture_job_id": stored.capture_job_id,
    }
    record = EventRecord(
        event_id=row["event_id"],
        type=row["type"],
        action=row["action"],
        event_time=event_time.astimezone(_offset(offset)),
        biz_step=row["biz_step"],
        disposition=row["disposition"],
        read_point=row["read_point"],
        biz_location=row["biz_location"],
        party_id=stored.party_id,
        recorded_by=stored.recorded_by,
    )
    return row, record


def _epcs(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for key, role in LIST_ROLES.items():
        for epc in document.get(key) or ():
            yield role, epc
    if document.get("parentID"):
        yield PARENT_ROLE, document["parentID"]
    for key, role in QUANTITY_ROLES.items():
        for element in document.get(key) or ():
            yield role, element["epcClass"]


def event_values_of(document: Mapping[str, Any]) -> Iterator[tuple[str, str | None, str]]:
    """The ``event_values`` rows of one event: (field, type, value)."""
    for entry in document.get("sourceList") or ():
        yield "source", entry.get("type"), entry["source"]
    for entry in document.get("destinationList") or ():
        yield "destination", entry.get("type"), entry["destination"]
    for entry in document.get("bizTransactionList") or ():
        yield "bizTransaction", entry.get("type"), entry["bizTransaction"]
    persistent = document.get("persistentDisposition") or {}
    for change in ("set", "unset"):
        for word in persistent.get(change) or ():
            yield f"persistentDisposition.{change}", None, word
    if document.get("transformationID"):
        yield "transformationID", None, document["transformationID"]
    declaration = document.get("errorDeclaration") or {}
    if declaration.get("reason"):
        yield "errorReason", None, declaration["reason"]
    for corrective in declaration.get("correctiveEventIDs") or ():
        yield "correctiveEventID", None, corrective


def _offset(text: str) -> dt.timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text[1:].split(":")
    return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))


def record_from_row(row: Row[Any]) -> EventRecord:
    return EventRecord(
        event_id=row.event_id,
        type=row.type,
        action=row.action,
        event_time=utc(row.event_time).astimezone(_offset(row.event_time_zone_offset)),
        biz_step=row.biz_step,
        disposition=row.disposition,
        read_point=row.read_point,
        biz_location=row.biz_location,
        party_id=row.party_id,
        recorded_by=row.recorded_by,
    )
