"""How far the units' standing has been written: the last EPCIS event, hold and audited
change. Every change of what a scan reads of its unit's standing leaves one of them behind
(a unit's state, custodian, lot or recall by an event; a hold placed by its row, released by
an inspection event; a product's rules or a party by the audit trail), and scans leave none,
so the mark changes when, and only when, a standing a scan read ahead may have changed."""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection, func, select

from unitrace.store.driver_statements import DriverStatement
from unitrace.store.hold_table import holds
from unitrace.store.schema import audit_trail, epcis_events

__all__ = ["standing_mark"]

#: Three reads of a primary key's last entry: an index's end each.
_MARK: Final = DriverStatement(
    select(
        select(func.max(epcis_events.c.id)).scalar_subquery().label("event"),
        select(func.max(holds.c.id)).scalar_subquery().label("hold"),
        select(func.max(audit_trail.c.id)).scalar_subquery().label("audit"),
    )
)


def standing_mark(connection: Connection) -> tuple[int | None, int | None, int | None]:
    """The last event, hold and audit entry ``connection``'s transaction sees."""
    row = _MARK.rows(connection, {})[0]
    return (row.event, row.hold, row.audit)
