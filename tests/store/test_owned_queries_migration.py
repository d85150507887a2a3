"""Migration 0012: named queries and capture jobs belong to an owner (the brand, kept as no
party, or a distributor's party); a query's name is unique per owner; the queries and jobs a
brand's token made while bound to a party move to the brand, their subscriptions kept; on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture

AT = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_the_migrated_queries_and_jobs_match_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    ours = [d for d in differences if "epcis_queries" in repr(d) or "capture_jobs" in repr(d)]
    assert ours == []


def test_queries_and_jobs_of_brand_tokens_move_to_the_brand(blank_engine: Engine) -> None:
    migrate(blank_engine, "0011")
    with blank_engine.begin() as connection:
        for party in ("plant", "dist-a"):
            connection.execute(
                text(
                    "INSERT INTO parties (id, name, role, territory, created_at) "
                    "VALUES (:id, :name, 'distributor', '[]', :at)"
                ),
                {"id": party, "name": party.title(), "at": AT},
            )
        for token_id, role, party in ((1, "line", "plant"), (2, "distributor", "dist-a")):
            connection.execute(
                text(
                    "INSERT INTO api_tokens (id, token_hash, role, party_id, created_at) "
                    "VALUES (:id, :hash, :role, :party, :at)"
                ),
                {
                    "id": token_id,
                    "hash": f"{token_id:064d}",
                    "role": role,
                    "party": party,
                    "at": AT,
                },
            )
        for query_id, name, party, made_by in (
            (1, "by-line", "plant", "token:1"),
            (2, "by-distributor", "dist-a", "token:2"),
            (3, "by-cli", None, "cli"),
            (4, "by-hand", "dist-a", "token:1x"),
        ):
            connection.execute(
                text(
                    "INSERT INTO epcis_queries (id, name, query, party_id, created_by, created_at) "
                    "VALUES (:id, :name, '{}', :party, :by, :at)"
                ),
                {"id": query_id, "name": name, "party": party, "by": made_by, "at": AT},
            )
        connection.execute(
            text(
                "INSERT INTO epcis_subscriptions (subscription_id, query_id, dest, stream, "
                "report_if_empty, role, party_id, created_by, created_at, initial_record_time, "
                "watermark_time, watermark_pk, status, next_attempt_at, attempts) VALUES "
                "('s-1', 1, 'https://hooks.example/', true, false, 'line', 'plant', 'token:1', "
                ":at, :at, :at, 0, 'active', :at, 0)"
            ),
            {"at": AT},
        )
        for job_id, party, made_by in ((1, "plant", "token:1"), (2, "dist-a", "token:2")):
            connection.execute(
                text(
                    "INSERT INTO capture_jobs (id, status, error_behaviour, events, captured, "
                    "errors, recorded_by, party_id, created_at) "
                    "VALUES (:id, 'success', 'rollback', 1, 1, '[]', :by, :party, :at)"
                ),
                {"id": job_id, "party": party, "by": made_by, "at": AT},
            )
    migrate(blank_engine, "0012")
    with blank_engine.begin() as connection:
        queries = connection.execute(
            text("SELECT name, party_id FROM epcis_queries ORDER BY id")
        ).all()
        subscriptions = connection.execute(
            text("SELECT subscription_id, query_id, party_id FROM epcis_subscriptions")
        ).all()
        jobs = connection.execute(text("SELECT id, party_id FROM capture_jobs ORDER BY id")).all()
    assert [tuple(row) for row in queries] == [
        ("by-line", None),
        ("by-distributor", "dist-a"),
        ("by-cli", None),
        ("by-hand", "dist-a"),
    ]
    # the subscription keeps its query, and the view of the token that made it
    assert [tuple(row) for row in subscriptions] == [("s-1", 1, "plant")]
    assert [tuple(row) for row in jobs] == [(1, None), (2, "dist-a")]
    # down and up again, the subscription still there
    migrate(blank_engine, "0011", down=True)
    migrate(blank_engine, "0012")
    with blank_engine.begin() as connection:
        kept = connection.execute(text("SELECT query_id FROM epcis_subscriptions")).scalars()
        assert list(kept) == [1]
    # ids given, as above: PostgreSQL's sequence knows nothing of those
    insert = text(
        "INSERT INTO epcis_queries (id, name, query, party_id, created_at) "
        "VALUES (:id, :name, '{}', :party, :at)"
    )
    with blank_engine.begin() as connection:
        # another owner may take a name; the same owner may not
        connection.execute(insert, {"id": 5, "name": "by-line", "party": "dist-a", "at": AT})
        connection.execute(insert, {"id": 6, "name": "by-distributor", "party": None, "at": AT})
    for query_id, name, party in ((7, "by-line", None), (8, "by-hand", "dist-a")):
        with pytest.raises(IntegrityError), blank_engine.begin() as connection:
            connection.execute(insert, {"id": query_id, "name": name, "party": party, "at": AT})
