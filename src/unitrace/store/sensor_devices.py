"""Sensor devices as their pages show them: a device by name, what it was attached to, and
a summary of its readings; and the attachments written, and the places and shipments an
attachment may name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, or_, select

from unitrace.store.schema import (
    epcis_events,
    locations,
    parties,
    sensor_attachments,
    sensor_devices,
    sensor_readings,
)
from unitrace.store.times import now, utc


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    id: int
    device: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    """What a device measured from ``from_ms`` until ``until_ms`` (None: still)."""

    id: int
    target_kind: str
    target: str
    from_ms: int
    until_ms: int | None
    event_pk: int | None
    created_at: dt.datetime
    created_by: str | None


@dataclass(frozen=True, slots=True)
class ReadingsSummary:
    """How many readings a device has, and the instants of its first and last (ms)."""

    count: int
    first_ms: int | None
    last_ms: int | None


class SensorDevices:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, device: str) -> DeviceRecord | None:
        row = self.connection.execute(
            select(sensor_devices).where(sensor_devices.c.device == device)
        ).one_or_none()
        return None if row is None else DeviceRecord(row.id, row.device, utc(row.created_at))

    def attach(
        self,
        device_id: int,
        target_kind: str,
        target: str,
        from_ms: int,
        until_ms: int | None,
        by: str,
    ) -> AttachmentRecord:
        at = now()
        attachment_id = self.connection.execute(
            insert(sensor_attachments)
            .values(
                device_id=device_id,
                target_kind=target_kind,
                target=target,
                from_ms=from_ms,
                until_ms=until_ms,
                created_at=at,
                created_by=by,
            )
            .returning(sensor_attachments.c.id)
        ).scalar_one()
        return AttachmentRecord(attachment_id, target_kind, target, from_ms, until_ms, None, at, by)

    def attachments(self, device_id: int) -> list[AttachmentRecord]:
        """The device's attachments, earliest first."""
        rows = self.connection.execute(
            select(sensor_attachments)
            .where(sensor_attachments.c.device_id == device_id)
            .order_by(sensor_attachments.c.from_ms, sensor_attachments.c.id)
        )
        return [
            AttachmentRecord(
                row.id,
                row.target_kind,
                row.target,
                row.from_ms,
                row.until_ms,
                row.event_pk,
                utc(row.created_at),
                row.created_by,
            )
            for row in rows
        ]

    def readings_summary(self, device_id: int) -> ReadingsSummary:
        row = self.connection.execute(
            select(
                func.count(), func.min(sensor_readings.c.at_ms), func.max(sensor_readings.c.at_ms)
            ).where(sensor_readings.c.device_id == device_id)
        ).one()
        return ReadingsSummary(int(row[0]), row[1], row[2])

    def place_is_known(self, gln: str, spellings: Collection[str]) -> bool:
        """Whether the registry knows the GLN as a place: a party's, a location's of the
        master data, or one an event names as its read point or business location (in any of
        ``spellings``, the forms an event may give it)."""
        for query in (
            select(parties.c.id).where(parties.c.gln == gln),
            select(locations.c.gln).where(locations.c.gln == gln),
            select(epcis_events.c.id).where(
                or_(
                    epcis_events.c.read_point.in_(list(spellings)),
                    epcis_events.c.biz_location.in_(list(spellings)),
                )
            ),
        ):
            if self.connection.execute(query.limit(1)).first() is not None:
                return True
        return False
