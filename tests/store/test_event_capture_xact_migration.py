"""Migration 0028: each event's capturing transaction (``epcis_events.capture_xact``), filled by
a column default on PostgreSQL and left empty on SQLite; events stored before it count as
captured before any look but the first; and its downgrade."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, inspect, select, text

from tests.api.test_epcis_query import object_event
from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.epcis_query.event_feed import BEGINNING, between, take_mark, visible_at
from unitrace.store.events import EventRepository, StoredEvent
from unitrace.store.schema import epcis_events

__all__ = ["blank_engine"]  # fixture

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_old_events_are_seen_once_and_new_ones_carry_their_transaction(
    blank_engine: Engine,
) -> None:
    migrate(blank_engine, "0024")
    with blank_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO epcis_events (event_id, type, action, event_time, "
                "event_time_zone_offset, record_time, document) VALUES ('urn:uuid:old', "
                "'ObjectEvent', 'OBSERVE', :at, '+00:00', :at, :document)"
            ),
            {"at": AT, "document": json.dumps({"type": "ObjectEvent", "epcList": []})},
        )
    migrate(blank_engine, "0028")
    postgresql = blank_engine.dialect.name == "postgresql"
    with blank_engine.begin() as connection:
        first = take_mark(connection)
        EventRepository(connection).add_documents([StoredEvent(object_event("urn:uuid:new"))])
        if postgresql:
            own = connection.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar()
    with blank_engine.connect() as connection:
        later = take_mark(connection)
        kept = dict(
            connection.execute(select(epcis_events.c.event_id, epcis_events.c.capture_xact)).all()
        )
        seen = {
            name: sorted(
                connection.execute(select(epcis_events.c.event_id).where(condition)).scalars()
            )
            for name, condition in (
                ("at the first look", visible_at(connection, first)),
                ("between the looks", between(connection, first, later)),
                ("from the beginning", between(connection, BEGINNING, later)),
            )
        }
    assert kept == {"urn:uuid:old": None, "urn:uuid:new": own if postgresql else None}
    assert seen == {
        "at the first look": ["urn:uuid:old"],
        "between the looks": ["urn:uuid:new"],
        "from the beginning": ["urn:uuid:new", "urn:uuid:old"],
    }
    migrate(blank_engine, "0024", down=True)
    columns = {column["name"] for column in inspect(blank_engine).get_columns("epcis_events")}
    assert "capture_xact" not in columns


def test_the_capture_xact_index_holds_only_the_events_that_have_one(
    blank_engine: Engine,
) -> None:
    """The events stored before 0028 (millions, on a long-running service) and every event on
    SQLite have none: the index leaves them out, so that the migration writes an empty index
    instead of one entry per event while captures wait, and SQLite never writes to it."""
    migrate(blank_engine, "0028")
    with blank_engine.connect() as connection:
        if blank_engine.dialect.name == "postgresql":
            definition = connection.execute(
                text(
                    "SELECT indexdef FROM pg_indexes "
                    "WHERE indexname = :name AND schemaname = current_schema()"
                ),
                {"name": "ix_epcis_events_capture_xact"},
            ).scalar_one()
        else:
            definition = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = :name"),
                {"name": "ix_epcis_events_capture_xact"},
            ).scalar_one()
    assert (
        str(definition).replace("(", "").replace(")", "").endswith("WHERE capture_xact IS NOT NULL")
    )
