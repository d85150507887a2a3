"""Closing a month of scan counts: once a month has ended, its month rows are summed from its
day rows in every count table, and the month is recorded as closed
(:data:`~unitrace.store.schema.scan_count_months`). Until then the figures read its day rows.

A month is closed an hour after its end at the earliest (:data:`GRACE`): the scan intake's
writers count a scan of the month under way without looking at which months are closed, and
no transaction of theirs lasts an hour. A scan of an ended month (made offline, uploaded
later) is counted in the month's rows too where the month is closed: the writer looks under a
lock the closing takes alone (see :meth:`ScanCounts.write
<unitrace.store.scan_counts.ScanCounts.write>`), so that no scan is left out of a month's rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    String,
    delete,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from unitrace.store.scan_counts import (
    DAY,
    KEYS,
    MONTH,
    MONTHS_LOCK,
    TABLES,
    closed_months,
    next_month,
)
from unitrace.store.schema import scan_count_months, scan_counts

#: how long after its end a month is closed at the earliest
GRACE: Final = dt.timedelta(hours=1)


def close_months(connection: Connection, now: dt.datetime | None = None) -> list[dt.date]:
    """Close every month with scans that ended :data:`GRACE` before ``now`` (the clock's
    time) and is not closed; the months closed (their first days), in order."""
    now = now or dt.datetime.now(dt.UTC)
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MONTHS_LOCK})
    # the months before this one ended GRACE ago or more
    open_from = (now - GRACE).astimezone(dt.UTC).date().replace(day=1)
    days = connection.execute(
        select(scan_counts.c.day)
        .distinct()
        .where(scan_counts.c.grain == DAY, scan_counts.c.day < open_from)
    ).scalars()
    months = sorted({day.replace(day=1) for day in days} - closed_months(connection))
    for month in months:
        close_month(connection, month, now)
    return months


def close_month(connection: Connection, month: dt.date, now: dt.datetime) -> None:
    """Sum month ``month``'s day rows into its month rows, in every table (its month rows
    before replaced), and record it closed."""
    following = next_month(month)
    for table in TABLES:
        dimensions = [table.c[name] for name in KEYS[table] if name not in ("grain", "day")]
        picked: dict[str, ColumnElement[Any]] = {
            "grain": literal(MONTH, String),
            "day": literal(month, Date),
            **{column.name: column for column in dimensions},
            "writer": literal(0, Integer),
        }
        names = [*KEYS[table], "writer"]
        connection.execute(delete(table).where(table.c.grain == MONTH, table.c.day == month))
        connection.execute(
            insert(table).from_select(
                [*names, "scans", "first_scans"],
                select(
                    *(picked[name].label(name) for name in names),
                    func.sum(table.c.scans),
                    func.sum(table.c.first_scans),
                )
                .where(table.c.grain == DAY, table.c.day >= month, table.c.day < following)
                .group_by(*dimensions),
            )
        )
    connection.execute(insert(scan_count_months).values(month=month, closed_at=now))
