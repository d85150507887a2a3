"""Alerts the detectors raise, and their workflow state.

At most one alert per type and subject is open (new or investigating): the partial unique
index ``uq_alerts_open`` holds it even when two scans race to raise the same alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Required, TypedDict, Unpack

from sqlalchemy import (
    ColumnElement,
    Connection,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from unitrace.store.driver_statements import DriverStatement
from unitrace.store.schema import alerts
from unitrace.store.times import utc

# Statements on the verification hot path, built once (so is their cache key).
_INSERT = insert(alerts)
#: The open alert of a type about a subject, locked: ``'closed'`` written into the SQL, as
#: the predicate of the partial unique index ``uq_alerts_open`` says it, so that SQLite reads
#: that index (with the word bound, it cannot know the index holds every row asked for, and
#: read the whole table of alerts on every scan that raises one).
_OPEN_FOR = DriverStatement(
    select(alerts)
    .where(
        alerts.c.type == bindparam("type"),
        alerts.c.subject == bindparam("subject"),
        alerts.c.status != literal_column("'closed'"),
    )
    .with_for_update()
)
_NEW_ALERT_COLUMNS: Final = (
    "type",
    "status",
    "subject",
    "product_id",
    "gtin",
    "serial",
    "lot",
    "party_id",
    "client",
    "evidence",
    "created_at",
    "updated_at",
)


def _insert_if_none_open(dialect_insert: Any) -> DriverStatement:
    """A new open alert, unless one of its type and subject is open already (the partial
    unique index ``uq_alerts_open`` finds it, a racing scan's too): its id, or no row. One
    statement, with no savepoint to undo a refused insert."""
    return DriverStatement(
        dialect_insert(alerts)
        .values({name: bindparam(name) for name in _NEW_ALERT_COLUMNS})
        .on_conflict_do_nothing(
            index_elements=[alerts.c.type, alerts.c.subject],
            index_where=alerts.c.status != literal_column("'closed'"),
        )
        .returning(alerts.c.id)
    )


_INSERT_IF_NONE_OPEN: Final = {
    "sqlite": _insert_if_none_open(sqlite_insert),
    "postgresql": _insert_if_none_open(postgresql_insert),
}

#: A scan's evidence added to an open alert, with (or without) the unit's custodian.
_SET_EVIDENCE = {
    with_party: DriverStatement(
        update(alerts)
        .where(alerts.c.id == bindparam("alert_id"))
        .values(
            evidence=bindparam("evidence"),
            updated_at=bindparam("updated_at"),
            **({"party_id": bindparam("party_id")} if with_party else {}),
        )
    )
    for with_party in (False, True)
}

#: Which types of alert are open about a subject, by the types asked of (on every scan of a
#: unit): run on the driver's cursor, the constants written into the SQL, so that both
#: databases see the predicate of the partial unique index ``uq_alerts_open`` (type, subject)
#: of the open alerts and read it alone.
_OPEN_TYPES: dict[tuple[str, ...], DriverStatement] = {}


def _open_types_statement(types: tuple[str, ...]) -> DriverStatement:
    # alert types are unitrace's own words, never a caller's: checked, then written in
    if not all(kind.isidentifier() for kind in types):
        raise ValueError(f"alert types: {types!r} are not all plain words")
    return DriverStatement(
        select(alerts.c.type, alerts.c.status, alerts.c.evidence).where(
            alerts.c.subject == bindparam("subject"),
            alerts.c.type.in_([literal_column(f"'{kind}'") for kind in types]),
            alerts.c.status != literal_column("'closed'"),
        )
    )


@dataclass(frozen=True, slots=True)
class OpenAlert:
    """An open alert as a scan reads it: its type, status and evidence."""

    type: str
    status: str
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Alert:
    """An anomaly, the unit (or client) it concerns, its evidence, and where it stands."""

    id: int
    type: str
    status: str
    #: the unit's code as people read it, ``(01)…(10)…(21)…``; None for a client's guessing
    code: str | None
    gtin: str | None
    serial: str | None
    lot: str | None
    party: str | None
    client: str | None
    #: what the detectors saw: the last scans, counters, the party's territory, …
    evidence: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_reason: str | None
    #: what the alert is about: ``gtin/serial``, or ``client:…``
    subject: str

    @property
    def details(self) -> dict[str, Any]:
        """The evidence, by the name the HTTP contract gives it."""
        return self.evidence


@dataclass(frozen=True, slots=True)
class AlertFilter:
    type: str | None = None
    status: str | None = None
    gtin: str | None = None
    party: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


class NewAlert(TypedDict, total=False):
    """An alert as it is raised: its type, subject, time and evidence, and what it is about."""

    type: Required[str]
    subject: Required[str]
    at: Required[dt.datetime]
    evidence: Required[dict[str, Any]]
    product_id: int | None
    gtin: str | None
    serial: str | None
    lot: str | None
    party_id: str | None
    client: str | None


def _new_row(alert: NewAlert) -> dict[str, Any]:
    at = alert["at"].astimezone(dt.UTC)
    row: dict[str, Any] = {name: alert.get(name) for name in _NEW_ALERT_COLUMNS}
    return {**row, "status": "new", "created_at": at, "updated_at": at}


class AlertRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, **alert: Unpack[NewAlert]) -> int:
        result = self.connection.execute(_INSERT, _new_row(alert))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def add_unless_open(self, **alert: Unpack[NewAlert]) -> int | None:
        """A new alert, as :meth:`add` raises it, unless an alert of its type about its
        subject is open (raised meanwhile by another transaction, which this one waited for
        on PostgreSQL): the new alert's id, else None."""
        statement = _INSERT_IF_NONE_OPEN[self.connection.dialect.name]
        rows = statement.rows(self.connection, _new_row(alert))
        return int(rows[0].id) if rows else None

    def open_for(self, type: str, subject: str) -> Alert | None:
        """The open alert of ``type`` about ``subject``, locked for the rest of the
        transaction on PostgreSQL (SQLite's writer already holds the whole database)."""
        rows = _OPEN_FOR.rows(self.connection, {"type": type, "subject": subject})
        return _alert(rows[0]) if rows else None

    def open_on(self, subject: str, types: Sequence[str]) -> list[OpenAlert]:
        """The open alerts of ``types`` about ``subject``; read, not locked."""
        key = tuple(sorted(set(types)))
        query = _OPEN_TYPES.get(key)
        if query is None:
            query = _OPEN_TYPES[key] = _open_types_statement(key)
        return [
            OpenAlert(row.type, row.status, row.evidence or {})
            for row in query.rows(self.connection, {"subject": subject})
        ]

    def open_by_type(self, *, party: str | None = None) -> dict[str, int]:
        """How many alerts of each type are open (new or investigating); with ``party``, only
        those concerning that party."""
        query = (
            select(alerts.c.type, func.count())
            .where(alerts.c.status != "closed")
            .group_by(alerts.c.type)
        )
        if party is not None:
            query = query.where(alerts.c.party_id == party)
        return {kind: int(count) for kind, count in self.connection.execute(query)}

    def get(self, alert_id: int, *, for_update: bool = False) -> Alert | None:
        query = select(alerts).where(alerts.c.id == alert_id)
        if for_update:
            query = query.with_for_update()
        row = self.connection.execute(query).first()
        return None if row is None else _alert(row)

    def set_evidence(
        self, alert_id: int, evidence: dict[str, Any], at: dt.datetime, party_id: str | None
    ) -> None:
        values: dict[str, Any] = {
            "alert_id": alert_id,
            "evidence": evidence,
            "updated_at": at.astimezone(dt.UTC),
        }
        if party_id is not None:
            values["party_id"] = party_id
        _SET_EVIDENCE[party_id is not None].rows(self.connection, values)

    def set_status(self, alert_id: int, status: str, reason: str | None, at: dt.datetime) -> None:
        self.connection.execute(
            update(alerts)
            .where(alerts.c.id == alert_id)
            .values(status=status, closed_reason=reason, updated_at=at.astimezone(dt.UTC))
        )

    def find(self, where: AlertFilter, *, limit: int | None = None, offset: int = 0) -> list[Alert]:
        """The alerts ``where`` selects, newest first; ``limit`` of them from ``offset`` on
        where a page of them is asked for."""
        query = (
            select(alerts)
            .where(*_conditions(where))
            .order_by(alerts.c.created_at.desc(), alerts.c.id.desc())
        )
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return [_alert(row) for row in self.connection.execute(query)]

    def counts(self, where: AlertFilter) -> dict[tuple[str, str], int]:
        """How many alerts ``where`` selects, by type and status."""
        rows = self.connection.execute(
            select(alerts.c.type, alerts.c.status, func.count())
            .where(*_conditions(where))
            .group_by(alerts.c.type, alerts.c.status)
        )
        return {(row[0], row[1]): int(row[2]) for row in rows}


def _conditions(where: AlertFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.type is not None:
        conditions.append(alerts.c.type == where.type)
    if where.status is not None:
        conditions.append(alerts.c.status == where.status)
    if where.gtin is not None:
        conditions.append(alerts.c.gtin == where.gtin)
    if where.party is not None:
        conditions.append(alerts.c.party_id == where.party)
    if where.since is not None:
        conditions.append(alerts.c.created_at >= where.since.astimezone(dt.UTC))
    if where.until is not None:
        conditions.append(alerts.c.created_at < where.until.astimezone(dt.UTC))
    return conditions


def _alert(row: Any) -> Alert:
    code = None
    if row.gtin is not None and row.serial is not None:
        lot = f"(10){row.lot}" if row.lot else ""
        code = f"(01){row.gtin}{lot}(21){row.serial}"
    return Alert(
        id=row.id,
        type=row.type,
        status=row.status,
        code=code,
        gtin=row.gtin,
        serial=row.serial,
        lot=row.lot,
        party=row.party_id,
        client=row.client,
        evidence=dict(row.evidence),
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        closed_reason=row.closed_reason,
        subject=row.subject,
    )
