"""Scan counts for the console, kept as scans are logged: five count tables, filled from the
scans already logged; and the scan log's index by time, for the latest scans on the map.

The scans logged before this revision are counted with the custodian their unit has now (the
custodian at scan time was not logged).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# each table's key, in its primary key's order (unitrace.store.scan_counts tells why)
_TABLES = {
    "scan_counts": ("grain", "day", "custodian", "verdict"),
    "scan_counts_by_lot": ("product_id", "grain", "day", "lot", "custodian", "verdict"),
    "scan_counts_by_area": ("grain", "day", "country", "region", "verdict"),
    "scan_counts_by_custodian_area": (
        "custodian",
        "grain",
        "day",
        "country",
        "region",
        "verdict",
    ),
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
    # compared byte by byte on PostgreSQL, as on SQLite (unitrace.store.schema tells why)
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
}


def upgrade() -> None:
    op.create_index("ix_scans_at", "scans", ["at"])
    for name, keys in _TABLES.items():
        op.create_table(
            name,
            *(sa.Column(key, _KINDS[key], nullable=False, autoincrement=False) for key in keys),
            sa.Column("scans", sa.BigInteger(), nullable=False),
            sa.Column("first_scans", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint(*keys, name=op.f(f"pk_{name}")),
            sqlite_with_rowid=False,
        )
    _count_the_scans_logged(op.get_bind())


def downgrade() -> None:
    for name in reversed(_TABLES):
        op.drop_table(name)
    op.drop_index("ix_scans_at", table_name="scans")


# --- the back-fill, as this revision's tables have it (not the package's recount, which follows
# the tables as later revisions change them) ----------------------------------------------------

_DAY_OF = {
    "sqlite": "substr(s.at, 1, 10)",
    "postgresql": "(s.at AT TIME ZONE 'UTC')::date",
}
_MONTH_OF = {
    "sqlite": "substr(day, 1, 7) || '-01'",
    "postgresql": "date_trunc('month', day)::date",
}
_FIRSTS = "first_scans_of_units"


def _count_the_scans_logged(connection: sa.Connection) -> None:
    """The finest table's day and month rows from the log (each scan's first: its unit's
    earliest scan not answered counterfeit), every other table's rows from those."""
    dialect = connection.dialect.name
    run = connection.exec_driver_sql
    if dialect == "postgresql":
        run("SET LOCAL work_mem = '256MB'")
    run(f"CREATE TEMPORARY TABLE {_FIRSTS} (id BIGINT PRIMARY KEY)")
    serial = 'u.serial COLLATE "default"' if dialect == "postgresql" else "u.serial"
    run(
        f"INSERT INTO {_FIRSTS} (id) SELECT id FROM ("
        "  SELECT (SELECT s.id FROM scans s WHERE s.product_id = u.product_id"
        f"   AND s.serial = {serial} AND s.verdict <> 'counterfeit'"
        "   ORDER BY s.at, s.id LIMIT 1) AS id FROM units u"
        ") firsts WHERE id IS NOT NULL"
    )
    run(
        "INSERT INTO scan_counts_by_lot_area (product_id, grain, day, lot, custodian, country, "
        "region, verdict, scans, first_scans) SELECT product_id, 'day', day, lot, custodian, "
        "country, region, verdict, count(*), sum(first) FROM ("
        f"  SELECT {_DAY_OF[dialect]} AS day, coalesce(s.product_id, 0) AS product_id,"
        "   coalesce(l.lot, s.lot, '') AS lot, coalesce(u.custodian_id, '') AS custodian,"
        "   coalesce(s.country, '') AS country, coalesce(s.region, '') AS region, s.verdict,"
        "   CASE WHEN f.id IS NULL THEN 0 ELSE 1 END AS first"
        "  FROM scans s"
        "  LEFT JOIN units u ON s.known AND u.product_id = s.product_id AND u.serial = s.serial"
        "  LEFT JOIN lots l ON l.id = u.lot_id"
        f"  LEFT JOIN {_FIRSTS} f ON f.id = s.id"
        ") counted GROUP BY product_id, day, lot, custodian, country, region, verdict"
    )
    run(f"DROP TABLE {_FIRSTS}")
    finest = "scan_counts_by_lot_area"
    for table, source in (
        (finest, finest),
        ("scan_counts_by_lot", finest),
        ("scan_counts_by_custodian_area", finest),
        ("scan_counts_by_area", "scan_counts_by_custodian_area"),
        ("scan_counts", "scan_counts_by_lot"),
    ):
        month = table == source
        names = _TABLES[table]
        picked = [
            _MONTH_OF[dialect]
            if month and n == "day"
            else "'month'"
            if month and n == "grain"
            else n
            for n in names
        ]
        run(
            f"INSERT INTO {table} ({', '.join(names)}, scans, first_scans) "
            f"SELECT {', '.join(picked)}, sum(scans), sum(first_scans) FROM {source} "
            + ("WHERE grain = 'day' " if month else "")
            + f"GROUP BY {', '.join(str(n) for n in range(1, len(names) + 1))}"
        )
