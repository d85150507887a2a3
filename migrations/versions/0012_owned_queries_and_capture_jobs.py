"""Named queries and capture jobs belong to an owner: the brand or a distributor's party

A named query's name is unique per owner instead of across the repository, so that one party's
names tell nothing of another's and two owners may each have a query called "x". The brand's
admin and line tokens share one owner, kept as no party: the queries and capture jobs such a
token made while bound to a party are moved to the brand.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: Each table and the column naming the token that made a row ("token:<id>").
_MADE_BY = (("epcis_queries", "created_by"), ("capture_jobs", "recorded_by"))


def upgrade() -> None:
    for table, column in _MADE_BY:
        op.execute(
            f"""
            UPDATE {table} SET party_id = NULL
            WHERE party_id IS NOT NULL
              AND {column} IN (
                SELECT 'token:' || CAST(id AS VARCHAR(20)) FROM api_tokens
                WHERE role IN ('admin', 'line')
              )
            """
        )
    with _subscriptions_set_aside(), op.batch_alter_table("epcis_queries") as queries:
        queries.drop_constraint("uq_epcis_queries_name", type_="unique")
    brand, party = sa.text("party_id IS NULL"), sa.text("party_id IS NOT NULL")
    op.create_index(
        "uq_epcis_queries_brand_name",
        "epcis_queries",
        ["name"],
        unique=True,
        sqlite_where=brand,
        postgresql_where=brand,
    )
    op.create_index(
        "uq_epcis_queries_party_name",
        "epcis_queries",
        ["party_id", "name"],
        unique=True,
        sqlite_where=party,
        postgresql_where=party,
    )


def downgrade() -> None:
    # fails where two owners took one name since: rename one of them first
    op.drop_index("uq_epcis_queries_party_name", table_name="epcis_queries")
    op.drop_index("uq_epcis_queries_brand_name", table_name="epcis_queries")
    with _subscriptions_set_aside(), op.batch_alter_table("epcis_queries") as queries:
        queries.create_unique_constraint("uq_epcis_queries_name", ["name"])


@contextlib.contextmanager
def _subscriptions_set_aside() -> Iterator[None]:
    """On SQLite the queries' table is copied, dropped and renamed back (a constraint of its
    own cannot be dropped otherwise), which the subscriptions' foreign keys would refuse: they
    are set aside meanwhile and put back once every query is there again."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    op.execute("CREATE TEMPORARY TABLE subscriptions_aside AS SELECT * FROM epcis_subscriptions")
    op.execute("DELETE FROM epcis_subscriptions")
    yield
    op.execute("INSERT INTO epcis_subscriptions SELECT * FROM subscriptions_aside")
    op.execute("DROP TABLE subscriptions_aside")
