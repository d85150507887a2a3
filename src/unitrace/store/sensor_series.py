"""What the cold chain reads of its devices: the attachments of devices to what held a unit,
a device's readings over a span of time (into arrays, on the driver's cursor), and the units
a device was attached to itself."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from sqlalchemy import Connection, func, or_, select

from unitrace.coldchain.exposure import Series
from unitrace.store.schema import sensor_attachments, sensor_devices, sensor_readings

#: How many targets one statement asks for.
_AT_ONCE: Final = 500
#: How long after its last reading a device attached still measures (and how long before
#: an attachment's start a reading stands at it).
STANDS_MS: Final = 60 * 60_000


@dataclass(frozen=True, slots=True)
class Attachment:
    """A device attached to ``target`` (of ``kind``) from ``from_ms`` until ``until_ms``
    (open: None)."""

    device_id: int
    device: str
    kind: str
    target: str
    from_ms: int
    until_ms: int | None


def attachments_to(connection: Connection, targets: Iterable[tuple[str, str]]) -> list[Attachment]:
    """The attachments of devices to any of ``targets`` (kind, target), by the index of
    targets, a few hundred at once; each cut to the time its device was reading: from its
    first reading (or from the attachment's start, where a reading stood then) to an hour after
    its last, and left out where the device read nothing while attached. A logger attached
    but silent, or dead, then measures nothing, and what held the unit around it (its pallet's
    logger, the warehouse's) is read instead of a gap."""
    wanted = set(targets)
    names = sorted({target for _, target in wanted})
    found: list[Attachment] = []
    readings = sensor_readings.alias("readings")
    while_attached = (
        readings.c.device_id == sensor_attachments.c.device_id,
        readings.c.at_ms >= sensor_attachments.c.from_ms - STANDS_MS,
        or_(
            sensor_attachments.c.until_ms.is_(None),
            readings.c.at_ms < sensor_attachments.c.until_ms,
        ),
    )
    # each bound one seek down the readings' key, not a scan of the trip's readings
    first = select(func.min(readings.c.at_ms)).where(*while_attached).scalar_subquery()
    last = select(func.max(readings.c.at_ms)).where(*while_attached).scalar_subquery()
    for start in range(0, len(names), _AT_ONCE):
        rows = connection.execute(
            select(
                sensor_attachments.c.device_id,
                sensor_devices.c.device,
                sensor_attachments.c.target_kind,
                sensor_attachments.c.target,
                sensor_attachments.c.from_ms,
                sensor_attachments.c.until_ms,
                first.label("first"),
                last.label("last"),
            )
            .select_from(
                sensor_attachments.join(
                    sensor_devices, sensor_devices.c.id == sensor_attachments.c.device_id
                )
            )
            .where(sensor_attachments.c.target.in_(names[start : start + _AT_ONCE]))
        )
        for row in rows:
            if (row.target_kind, row.target) not in wanted or row.first is None:
                continue
            reading_from = max(row.from_ms, row.first)
            reading_until = row.last + STANDS_MS
            if row.until_ms is not None:
                reading_until = min(reading_until, row.until_ms)
            if reading_until > reading_from:
                found.append(
                    Attachment(
                        row.device_id,
                        row.device,
                        row.target_kind,
                        row.target,
                        reading_from,
                        reading_until,
                    )
                )
    found.sort(key=lambda attachment: (attachment.from_ms, attachment.device_id))
    return found


def _placeholder(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def series_of(connection: Connection, device_id: int, from_ms: int, until_ms: int) -> Series:
    """The readings of ``device_id`` from the one standing at ``from_ms`` (the latest at or
    before it) to ``until_ms`` (not included), read on the driver's cursor into arrays: a
    trip's hundred thousand readings are plain numbers, which SQLAlchemy's rows would wrap one
    by one. The columns only range reports fill are read only where some reading has them."""
    mark = _placeholder(connection)
    table = sensor_readings.name
    driver: Any = connection.connection.driver_connection
    # PostgreSQL's binary format: numbers as they are, not as text to parse (40 % faster)
    cursor: Any = driver.cursor(binary=True) if mark == "%s" else driver.cursor()
    try:
        cursor.execute(
            f"SELECT max(at_ms) FROM {table} WHERE device_id = {mark} AND at_ms <= {mark}",
            (device_id, from_ms),
        )
        standing = cursor.fetchone()[0]
        bounds = (device_id, from_ms if standing is None else standing, until_ms)
        where = f"WHERE device_id = {mark} AND at_ms >= {mark} AND at_ms < {mark}"
        cursor.execute(f"SELECT ranged FROM {sensor_devices.name} WHERE id = {mark}", (device_id,))
        found = cursor.fetchone()
        ranged = bool(found[0]) if found is not None else False
        columns = "at_ms, celsius, until_ms, min_c, max_c" if ranged else "at_ms, celsius"
        cursor.execute(f"SELECT {columns} FROM {table} {where} ORDER BY at_ms", bounds)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    if not ranged:
        flat = np.fromiter(
            itertools.chain.from_iterable(rows), dtype=np.float64, count=2 * len(rows)
        ).reshape(-1, 2)
        return Series(flat[:, 0].astype(np.int64), flat[:, 1].copy())
    times, celsius, until, lows, highs = (list(column) for column in zip(*rows, strict=True))
    return Series.of(
        times,
        celsius,
        until,
        [value if low is None else low for value, low in zip(celsius, lows, strict=True)],
        [value if high is None else high for value, high in zip(celsius, highs, strict=True)],
    )


def attached_units(connection: Connection, uri_prefix: str) -> set[str]:
    """The EPCs of the units (of the product whose EPCs start with ``uri_prefix``) that a
    device was ever attached to."""
    return set(
        connection.execute(
            select(sensor_attachments.c.target)
            .where(
                sensor_attachments.c.target_kind == "unit",
                sensor_attachments.c.target >= uri_prefix,
                sensor_attachments.c.target < uri_prefix + "\uffff",
            )
            .distinct()
        ).scalars()
    )


def times_around(connection: Connection, device_id: int, at_ms: int, count: int = 50) -> list[int]:
    """The times of ``device_id``'s ``count`` readings before ``at_ms`` and ``count`` from it
    on, in order: enough to tell the device's usual interval, read by two seeks."""
    at = sensor_readings.c.at_ms
    mine = sensor_readings.c.device_id == device_id
    before = connection.execute(
        select(at).where(mine, at < at_ms).order_by(at.desc()).limit(count)
    ).scalars()
    after = connection.execute(
        select(at).where(mine, at >= at_ms).order_by(at).limit(count)
    ).scalars()
    return [*sorted(int(found) for found in before), *(int(found) for found in after)]
