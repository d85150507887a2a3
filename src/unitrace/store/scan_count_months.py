"""Closing a month of scan counts: once a month has ended, its month rows are summed from its
day rows in every count table, and the month is recorded as closed
(:data:`~unitrace.store.schema.scan_count_months`). Until then the figures read its day rows.

A month is closed an hour after its end at the earliest (:data:`GRACE`): the counting of
queued scans counts a scan of the month under way without looking at which months are closed,
and no counting lasts an hour. A scan of an ended month (made offline, uploaded later, or
still queued when its month closed) is counted in the month's rows too where the month is
closed: the counting looks under a lock the closing takes alone (see
:meth:`ScanCounts.count_queued <unitrace.store.scan_counts.ScanCounts.count_queued>`), so
that no scan is left out of a month's rows. Scans still queued are read with the month's rows
until they are counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    String,
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
    NO_PRODUCT,
    TABLES,
    next_month,
)
from unitrace.store.schema import products, scan_count_months, scan_counts

#: how long after its end a month is closed at the earliest
GRACE: Final = dt.timedelta(hours=1)


def months_to_close(connection: Connection, now: dt.datetime | None = None) -> list[dt.date]:
    """The months (their first days) that ended :data:`GRACE` before ``now`` (the clock's
    time) and have scans but are not closed, after the latest month closed: a month before it
    that had no scan when it was closed and has some now (uploaded late) is read from its day
    rows for good. Reads the day rows of the months since the latest closed alone."""
    now = now or dt.datetime.now(dt.UTC)
    # the months before this one ended GRACE ago or more
    open_from = (now - GRACE).astimezone(dt.UTC).date().replace(day=1)
    latest = connection.execute(select(func.max(scan_count_months.c.month))).scalar_one()
    after = dt.date.min if latest is None else next_month(latest)
    days = connection.execute(
        select(scan_counts.c.day)
        .distinct()
        .where(
            scan_counts.c.grain == DAY,
            scan_counts.c.day >= after,
            scan_counts.c.day < open_from,
        )
    ).scalars()
    return sorted({day.replace(day=1) for day in days})


def close_months(connection: Connection, now: dt.datetime | None = None) -> list[dt.date]:
    """Close the months :func:`months_to_close` names, under the lock a writer counting a
    scan of an ended month shares (PostgreSQL; on SQLite the transaction holds the database's
    write lock): the months closed, in order."""
    now = now or dt.datetime.now(dt.UTC)
    if not months_to_close(connection, now):
        return []
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MONTHS_LOCK})
    # again, under the lock: another closer may have closed them meanwhile
    months = months_to_close(connection, now)
    for month in months:
        close_month(connection, month, now)
    return months


def close_month(connection: Connection, month: dt.date, now: dt.datetime) -> None:
    """Sum month ``month``'s day rows into its month rows, in every table, and record it
    closed. An open month has no month rows. Each table is read down its key: every product
    (and none) where it leads with the product, every custodian the month's scans had where
    it leads with the custodian."""
    following = next_month(month)
    product_ids = [NO_PRODUCT, *connection.execute(select(products.c.id)).scalars()]
    custodians = list(
        connection.execute(
            select(scan_counts.c.custodian)
            .distinct()
            .where(
                scan_counts.c.grain == DAY,
                scan_counts.c.day >= month,
                scan_counts.c.day < following,
            )
        ).scalars()
    )
    for table in TABLES:
        dimensions = [table.c[name] for name in KEYS[table] if name not in ("grain", "day")]
        picked: dict[str, ColumnElement[Any]] = {
            "grain": literal(MONTH, String),
            "day": literal(month, Date),
            **{column.name: column for column in dimensions},
            "writer": literal(0, Integer),
        }
        names = [*KEYS[table], "writer"]
        leading = KEYS[table][0]
        down_the_key = (
            [table.c.product_id.in_(product_ids)]
            if leading == "product_id"
            else [table.c.custodian.in_(custodians)]
            if leading == "custodian"
            else []
        )
        connection.execute(
            insert(table).from_select(
                [*names, "scans", "first_scans"],
                select(
                    *(picked[name].label(name) for name in names),
                    func.sum(table.c.scans),
                    func.sum(table.c.first_scans),
                )
                .where(
                    *down_the_key,
                    table.c.grain == DAY,
                    table.c.day >= month,
                    table.c.day < following,
                )
                .group_by(*dimensions),
            )
        )
    connection.execute(insert(scan_count_months).values(month=month, closed_at=now))
