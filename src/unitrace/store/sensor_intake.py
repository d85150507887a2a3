"""Writing sensor readings in bulk: the devices an upload names, and its readings, set-wise.

A logger's trip is a million readings, and goes in as few statements as the database allows:
on PostgreSQL one ``COPY`` straight into ``sensor_readings`` when none of the upload's devices
has a stored reading within the upload's time span (a logger's new trip), else through a
staging table whose ``INSERT … ON CONFLICT DO NOTHING`` skips the readings held already; on
SQLite an ``executemany`` of ``INSERT … ON CONFLICT DO NOTHING``, which skips them at the
same cost. A reading is held already when its device and instant are: the table's key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice, repeat
from typing import Any, Final

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from unitrace.store.schema import sensor_devices, sensor_readings
from unitrace.store.times import now

#: Readings per write (a COPY's buffer, an executemany): progress is told after each.
ROWS_PER_WRITE: Final = 100_000

_INSERT_SQLITE = (
    "INSERT INTO sensor_readings (device_id, at_ms, celsius) VALUES (?, ?, ?) "
    "ON CONFLICT (device_id, at_ms) DO NOTHING"
)
_COPY_READINGS = "COPY sensor_readings (device_id, at_ms, celsius) FROM STDIN"
_STAGE = (
    "CREATE TEMPORARY TABLE uploaded_readings "
    "(device_id integer, at_ms bigint, celsius double precision) ON COMMIT DROP"
)
_COPY_STAGE = "COPY uploaded_readings (device_id, at_ms, celsius) FROM STDIN"
_INSERT_FROM_STAGE = (
    "INSERT INTO sensor_readings (device_id, at_ms, celsius) "
    "SELECT device_id, at_ms, celsius FROM uploaded_readings "
    "ON CONFLICT (device_id, at_ms) DO NOTHING"
)

Written = Callable[[int], None]


class SensorIntake:
    """The devices and readings an upload writes, in the unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def device_ids(self, devices: Sequence[str], party_id: str | None = None) -> dict[str, int]:
        """The key of each device, registering those named for the first time as
        ``party_id``'s (None: the brand's; a device registered meanwhile by another upload is
        found, not registered twice)."""
        wanted = list(dict.fromkeys(devices))
        found = self.known(wanted)
        missing = [name for name in wanted if name not in found]
        if missing:
            dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
            at = now()
            self.connection.execute(
                dialect.insert(sensor_devices).on_conflict_do_nothing(
                    index_elements=[sensor_devices.c.device]
                ),
                [{"device": name, "created_at": at, "party_id": party_id} for name in missing],
            )
            found.update(self.known(missing))
        return found

    def others(self, devices: Sequence[str], party_id: str | None) -> list[tuple[str, str | None]]:
        """Those of ``devices`` registered by another party than ``party_id`` (None: the
        brand), with whose they are."""
        found: list[tuple[str, str | None]] = []
        wanted = list(dict.fromkeys(devices))
        for start in range(0, len(wanted), 1_000):
            rows = self.connection.execute(
                select(sensor_devices.c.device, sensor_devices.c.party_id).where(
                    sensor_devices.c.device.in_(wanted[start : start + 1_000]),
                    sensor_devices.c.party_id.is_distinct_from(party_id),
                )
            )
            found.extend((row.device, row.party_id) for row in rows)
        return sorted(found)

    def known(self, devices: Sequence[str]) -> dict[str, int]:
        """The keys of those of ``devices`` registered."""
        found: dict[str, int] = {}
        for start in range(0, len(devices), 1_000):
            chunk = devices[start : start + 1_000]
            rows = self.connection.execute(
                select(sensor_devices.c.device, sensor_devices.c.id).where(
                    sensor_devices.c.device.in_(chunk)
                )
            )
            found.update({row.device: row.id for row in rows})
        return found

    def add_readings(
        self,
        device_of: Sequence[int] | None,
        device_id: int,
        times_ms: Sequence[int],
        celsius: Sequence[float],
        written: Written | None = None,
    ) -> int:
        """Insert readings (the device of each in ``device_of``, or ``device_id`` for all),
        skipping those whose device and instant are stored already, or repeated. Returns how
        many were inserted; ``written`` is told how many have been written so far."""

        def rows() -> Iterator[tuple[int, int, float]]:
            devices: Iterable[int] = repeat(device_id) if device_of is None else device_of
            return zip(devices, times_ms, celsius, strict=False)

        if self.connection.dialect.name != "postgresql":
            return self._insert(rows(), written)
        span = (min(times_ms), max(times_ms))
        keys = {device_id} if device_of is None else set(device_of)
        if not self._overlaps(keys, *span):
            inserted = self._copy_new(rows(), len(times_ms), written)
            if inserted is not None:
                return inserted
        return self._copy_staged(rows(), written)

    def _insert(self, rows: Iterator[tuple[int, int, float]], written: Written | None) -> int:
        driver = self.connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        inserted = done = 0
        try:
            while chunk := list(islice(rows, ROWS_PER_WRITE)):
                cursor.executemany(_INSERT_SQLITE, chunk)
                inserted += cursor.rowcount
                done += len(chunk)
                if written is not None:
                    written(done)
        finally:
            cursor.close()
        return inserted

    def _overlaps(self, device_ids: Iterable[int], low: int, high: int) -> bool:
        """Whether any of the devices has a stored reading from ``low`` to ``high``."""
        found = self.connection.execute(
            select(func.count()).select_from(
                select(sensor_readings.c.device_id)
                .where(
                    sensor_readings.c.device_id.in_(list(device_ids)),
                    sensor_readings.c.at_ms.between(low, high),
                )
                .limit(1)
                .subquery()
            )
        ).scalar_one()
        return bool(found)

    def _copy_new(
        self, rows: Iterator[tuple[int, int, float]], count: int, written: Written | None
    ) -> int | None:
        """COPY straight into the readings; None if the upload repeats a reading of its own
        (the key refuses the whole COPY, and nothing of it is kept)."""
        import psycopg.errors  # PostgreSQL's path: its dialect has imported the driver

        driver = self.connection.connection.driver_connection
        assert driver is not None
        savepoint = self.connection.begin_nested()
        try:
            with driver.cursor() as cursor, cursor.copy(_COPY_READINGS) as copy:
                _copy_rows(copy, rows, written)
        except psycopg.errors.UniqueViolation:
            savepoint.rollback()
            return None
        savepoint.commit()
        return count

    def _copy_staged(self, rows: Iterator[tuple[int, int, float]], written: Written | None) -> int:
        driver = self.connection.connection.driver_connection
        assert driver is not None
        self.connection.exec_driver_sql(_STAGE)
        with driver.cursor() as cursor, cursor.copy(_COPY_STAGE) as copy:
            _copy_rows(copy, rows, written)
        inserted = self.connection.exec_driver_sql(_INSERT_FROM_STAGE).rowcount
        self.connection.exec_driver_sql("DROP TABLE uploaded_readings")
        return int(inserted)


def _copy_rows(copy: Any, rows: Iterator[tuple[int, int, float]], written: Written | None) -> None:
    """Write readings to a COPY in its text format, a batch of rows per write (numbers only:
    nothing to escape; ``repr`` keeps every bit of a float)."""
    done = 0
    while chunk := list(islice(rows, ROWS_PER_WRITE)):
        copy.write("".join([f"{device}\t{at}\t{degrees!r}\n" for device, at, degrees in chunk]))
        done += len(chunk)
        if written is not None:
            written(done)
