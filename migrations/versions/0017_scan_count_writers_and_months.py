"""Scan counts: each writer of the scan intake counts in rows of its own (a ``writer`` column
ending every count table's key, 0 for the rows counted so far), and month rows are kept only
for closed months (``scan_count_months``): the months before this one are recorded closed, as
their month rows are whole; the month rows of this month on are dropped (its day rows answer
for it until it is closed).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 21:30:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# each table's key, in its primary key's order, before this revision
_TABLES = {
    "scan_counts": ("grain", "day", "custodian", "verdict"),
    "scan_counts_by_lot": ("product_id", "grain", "day", "lot", "custodian", "verdict"),
    "scan_counts_by_area": ("grain", "day", "country", "region", "verdict"),
    "scan_counts_by_custodian_area": ("custodian", "grain", "day", "country", "region", "verdict"),
    "scan_counts_by_lot_area": (
        "product_id",
        "grain",
        "day",
        "lot",
        "custodian",
        "country",
        "region",
        "verdict",
    ),
}


def _key_text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


_KINDS = {
    "grain": _key_text(5),
    "day": sa.Date(),
    "custodian": _key_text(64),
    "verdict": _key_text(16),
    "product_id": sa.Integer(),
    "lot": _key_text(20),
    "country": _key_text(2),
    "region": _key_text(6),
    "writer": sa.SmallInteger(),
}


def upgrade() -> None:
    bind = op.get_bind()
    this_month = dt.datetime.now(dt.UTC).date().replace(day=1)
    op.create_table(
        "scan_count_months",
        sa.Column("month", sa.Date(), nullable=False, autoincrement=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_scan_count_months")),
    )
    months = sa.table(
        "scan_count_months",
        sa.column("month", sa.Date),
        sa.column("closed_at", sa.DateTime(timezone=True)),
    )
    counts = sa.table("scan_counts", sa.column("grain"), sa.column("day", sa.Date))
    closed = bind.execute(
        sa.select(counts.c.day)
        .distinct()
        .where(counts.c.grain == "month", counts.c.day < this_month)
    ).scalars()
    now = dt.datetime.now(dt.UTC)
    rows = [{"month": month, "closed_at": now} for month in sorted(closed)]
    if rows:
        bind.execute(sa.insert(months), rows)
    for name, keys in _TABLES.items():
        _key_ends_with_the_writer(name, keys)
        table = sa.table(name, sa.column("grain"), sa.column("day", sa.Date))
        bind.execute(sa.delete(table).where(table.c.grain == "month", table.c.day >= this_month))


def _key_ends_with_the_writer(name: str, keys: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE {name} DROP CONSTRAINT pk_{name}, "
            "ADD COLUMN writer SMALLINT NOT NULL DEFAULT 0, "
            f"ADD CONSTRAINT pk_{name} PRIMARY KEY ({', '.join(keys)}, writer)"
        )
        op.execute(f"ALTER TABLE {name} ALTER COLUMN writer DROP DEFAULT")
        return
    # SQLite: a WITHOUT ROWID table's key is changed by building the table anew
    _count_table(f"{name}_new", (*keys, "writer"), pk_name=f"pk_{name}")
    columns = ", ".join((*keys, "scans", "first_scans"))
    op.execute(f"INSERT INTO {name}_new ({columns}, writer) SELECT {columns}, 0 FROM {name}")
    op.drop_table(name)
    op.rename_table(f"{name}_new", name)


def _count_table(name: str, keys: tuple[str, ...], pk_name: str | None = None) -> None:
    op.create_table(
        name,
        *(sa.Column(key, _KINDS[key], nullable=False, autoincrement=False) for key in keys),
        sa.Column("scans", sa.BigInteger(), nullable=False),
        sa.Column("first_scans", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name=op.f(pk_name or f"pk_{name}")),
        sqlite_with_rowid=False,
    )


_MONTH_OF = {
    "sqlite": "substr(day, 1, 7) || '-01'",
    "postgresql": "date_trunc('month', day)::date",
}


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    postgres = dialect == "postgresql"
    for name, keys in _TABLES.items():
        # the writers' rows summed into one, and month rows for every month again
        _count_table(f"{name}_old", keys, pk_name=None if postgres else f"pk_{name}")
        listed = ", ".join(keys)
        op.execute(
            f"INSERT INTO {name}_old ({listed}, scans, first_scans) "
            f"SELECT {listed}, sum(scans), sum(first_scans) FROM {name} GROUP BY {listed}"
        )
        picked = [
            _MONTH_OF[dialect] if key == "day" else "'month'" if key == "grain" else key
            for key in keys
        ]
        op.execute(
            f"INSERT INTO {name}_old ({listed}, scans, first_scans) "
            f"SELECT {', '.join(picked)}, sum(scans), sum(first_scans) FROM {name} "
            f"WHERE grain = 'day' AND {_MONTH_OF[dialect]} NOT IN "
            "(SELECT month FROM scan_count_months) "
            f"GROUP BY {', '.join(str(n) for n in range(1, len(keys) + 1))}"
        )
        op.drop_table(name)
        op.rename_table(f"{name}_old", name)
        if postgres:
            op.execute(f"ALTER TABLE {name} RENAME CONSTRAINT pk_{name}_old TO pk_{name}")
    op.drop_table("scan_count_months")
