"""Migration 0024: the index of events' sensor data as the schema has it, filled from the
documents of the events stored before it (so that sensor queries find old events as they find
new ones), and its downgrade; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_query import read_query, run_query
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SENSED = {
    "type": "ObjectEvent",
    "epcList": [],
    "sensorElementList": [
        {
            "sensorMetadata": {"deviceID": "urn:epc:id:giai:4000001.111"},
            "sensorReport": [
                {"type": "Temperature", "value": 46.4, "uom": "FAH"},
                {"type": "gs1:RelativeHumidity", "value": 61.0, "uom": "P1"},
            ],
        }
    ],
}


def test_the_migrated_index_matches_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "event_sensor_reports" in repr(d)] == []


def test_events_stored_before_are_indexed_and_downgrade_drops_the_index(
    blank_engine: Engine,
) -> None:
    migrate(blank_engine, "0023")
    with blank_engine.begin() as connection:
        for pk, document in ((1, SENSED), (2, {"type": "ObjectEvent", "epcList": []})):
            connection.execute(
                text(
                    "INSERT INTO epcis_events (id, event_id, type, action, event_time, "
                    "event_time_zone_offset, record_time, document) VALUES (:pk, :name, "
                    "'ObjectEvent', 'OBSERVE', :at, '+00:00', :at, :document)"
                ),
                {"pk": pk, "name": f"urn:uuid:e{pk}", "at": AT, "document": json.dumps(document)},
            )
    migrate(blank_engine, "0024")
    with blank_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT event_pk, element, position, type, device_id, uom, unit, value "
                "FROM event_sensor_reports ORDER BY event_pk, element, position"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        (1, 0, 0, None, "urn:epc:id:giai:4000001.111", None, None, None),
        (1, 0, 1, "Temperature", None, "FAH", "CEL", 8.0),
        (1, 0, 2, "RelativeHumidity", None, "P1", "P1", 61.0),
    ]
    database = Database(blank_engine)
    for parameters, expected in (
        ({"GE_value_CEL": ("7.5",)}, ["urn:uuid:e1"]),
        ({"EQ_deviceID": ("urn:epc:id:giai:4000001.111",)}, ["urn:uuid:e1"]),
        ({"EXISTS_sensorElementList": ("",)}, ["urn:uuid:e1"]),
        ({"GE_value_CEL": ("8.5",)}, []),
    ):
        with database.unit_of_work(read_only=True) as uow:
            page = run_query(uow, read_query(parameters), actor=Actor("admin", Role.ADMIN))
        assert [event.event_id for event in page.events] == expected, parameters
    migrate(blank_engine, "0023", down=True)
    assert "event_sensor_reports" not in set(inspect(blank_engine).get_table_names())
