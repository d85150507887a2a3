"""The excursions judged (``cold_chain_excursions``): which are known already, recording a new
one and the alert it raised; and the devices and targets judging starts from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, insert, or_, select, update

from unitrace.store.schema import (
    cold_chain_excursions,
    lots,
    products,
    sensor_attachments,
)

_AT_ONCE = 500


class ExcursionKey(NamedTuple):
    """What makes an excursion the same one judged again."""

    product_id: int
    lot_id: int
    device_id: int
    target_kind: str
    target: str
    start_ms: int


class ExcursionRecords:
    """The excursions judged, on one connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def known(self, keys: Sequence[ExcursionKey]) -> dict[ExcursionKey, str]:
        """Those of ``keys`` recorded already, with the verdict each was recorded with."""
        table = cold_chain_excursions
        columns = _key_columns()
        found: dict[ExcursionKey, str] = {}
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), _AT_ONCE):
            chunk = wanted[start : start + _AT_ONCE]
            rows = self.connection.execute(
                select(*columns, table.c.verdict).where(
                    or_(
                        *(
                            and_(*(c == v for c, v in zip(columns, key, strict=True)))
                            for key in chunk
                        )
                    )
                )
            )
            found.update((ExcursionKey(*row[:-1]), str(row[-1])) for row in rows)
        return found

    def add(
        self,
        key: ExcursionKey,
        *,
        end_ms: int,
        peak_c: float,
        minutes: float,
        verdict: str,
        units: int,
        held: bool,
        details: dict[str, Any],
        at: dt.datetime,
        recorded: bool = False,
    ) -> int:
        """Record an excursion judged (``recorded``: judged anew, in place of its record); its
        id."""
        table = cold_chain_excursions
        values = {
            "end_ms": end_ms,
            "peak_c": peak_c,
            "minutes": minutes,
            "verdict": verdict,
            "units": units,
            "held": held,
            "details": details,
            "judged_at": at,
        }
        statement = (
            update(table)
            .where(*(c == v for c, v in zip(_key_columns(), key, strict=True)))
            .values(**values)
            if recorded
            else insert(table).values(**key._asdict(), **values)
        )
        return int(self.connection.execute(statement.returning(table.c.id)).scalar_one())

    def set_alert(self, excursion_id: int, alert_id: int) -> None:
        self.connection.execute(
            update(cold_chain_excursions)
            .where(cold_chain_excursions.c.id == excursion_id)
            .values(alert_id=alert_id)
        )

    def targets_of(
        self, device_ids: Iterable[int], *, from_ms: int, until_ms: int
    ) -> list[tuple[str, str]]:
        """What ``device_ids`` were attached to at any time from ``from_ms`` to ``until_ms``."""
        rows = self.connection.execute(
            select(sensor_attachments.c.target_kind, sensor_attachments.c.target)
            .where(
                sensor_attachments.c.device_id.in_(sorted(set(device_ids))),
                sensor_attachments.c.from_ms <= until_ms,
                or_(
                    sensor_attachments.c.until_ms.is_(None),
                    sensor_attachments.c.until_ms > from_ms,
                ),
            )
            .distinct()
        )
        return sorted((kind, target) for kind, target in rows)

    def targets_of_events(self, event_pks: Collection[int]) -> list[tuple[str, str]]:
        """What the sensor data of the events ``event_pks`` attached devices to."""
        wanted = sorted(set(event_pks))
        targets: set[tuple[str, str]] = set()
        for start in range(0, len(wanted), _AT_ONCE):
            rows = self.connection.execute(
                select(sensor_attachments.c.target_kind, sensor_attachments.c.target).where(
                    sensor_attachments.c.event_pk.in_(wanted[start : start + _AT_ONCE])
                )
            )
            targets.update((kind, target) for kind, target in rows)
        return sorted(targets)


def lot_key(connection: Connection, lot_id: int) -> tuple[str, str]:
    """The GTIN and the lot number of lot ``lot_id``."""
    row = connection.execute(
        select(products.c.gtin, lots.c.lot)
        .select_from(lots.join(products, products.c.id == lots.c.product_id))
        .where(lots.c.id == lot_id)
    ).one()
    return str(row.gtin), str(row.lot)


def _key_columns() -> tuple[Any, ...]:
    """The columns of an :class:`ExcursionKey`, in its order."""
    table = cold_chain_excursions
    return tuple(table.c[name] for name in ExcursionKey._fields)
