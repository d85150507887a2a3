"""Products' storage conditions: one row per product that has them, replaced whole when set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from unitrace.coldchain import ExcursionAllowance, MktWindow, StorageConditions
from unitrace.store.schema import storage_conditions
from unitrace.store.times import utc

#: Product keys per ``IN`` list, well inside every driver's limit on bound parameters.
_CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class StoredConditions:
    """A product's storage conditions, and when and by whom they were last set."""

    conditions: StorageConditions
    updated_at: dt.datetime
    updated_by: str | None


class StorageConditionsStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def put(self, product_id: int, conditions: StorageConditions, at: dt.datetime, by: str) -> None:
        """Set the product's conditions, replacing any it had."""
        excursion = conditions.excursion
        self.connection.execute(
            delete(storage_conditions).where(storage_conditions.c.product_id == product_id)
        )
        self.connection.execute(
            insert(storage_conditions).values(
                product_id=product_id,
                min_c=conditions.min_c,
                max_c=conditions.max_c,
                excursion_min_c=excursion.min_c if excursion else None,
                excursion_max_c=excursion.max_c if excursion else None,
                excursion_max_minutes=excursion.max_minutes if excursion else None,
                mkt_max_c=conditions.mkt.max_c,
                mkt_window=conditions.mkt.window.value,
                delta_h_over_r=conditions.mkt.delta_h_over_r,
                updated_at=at,
                updated_by=by,
            )
        )

    def of(self, product_ids: Iterable[int]) -> dict[int, StoredConditions]:
        """The conditions of those of ``product_ids`` that have them."""
        wanted = sorted(set(product_ids))
        found: dict[int, StoredConditions] = {}
        for start in range(0, len(wanted), _CHUNK):
            rows = self.connection.execute(
                select(storage_conditions).where(
                    storage_conditions.c.product_id.in_(wanted[start : start + _CHUNK])
                )
            )
            found.update((row.product_id, _stored(row)) for row in rows)
        return found


def _stored(row: Any) -> StoredConditions:
    excursion = (
        ExcursionAllowance(row.excursion_min_c, row.excursion_max_c, row.excursion_max_minutes)
        if row.excursion_max_minutes is not None
        else None
    )
    conditions = StorageConditions.of(
        row.min_c,
        row.max_c,
        excursion=excursion,
        mkt_max_c=row.mkt_max_c,
        mkt_window=MktWindow(row.mkt_window),
        delta_h_over_r=row.delta_h_over_r,
    )
    return StoredConditions(conditions, utc(row.updated_at), row.updated_by)
