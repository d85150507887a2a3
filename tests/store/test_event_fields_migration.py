"""Migration 0027: the index of events' extension fields and quantities as the schema has it,
filled from the documents of the events stored before it (with their error declarations'
reasons and corrective events), so that extension-field queries find old events as they find
new ones; and its downgrade; on SQLite and PostgreSQL."""

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
LOT = {
    "type": "ObjectEvent",
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://ex.example/"}],
    "epcList": [],
    "ilmd": {"cbvmda:lotNumber": "L1", "ex:filled": "2026-01-01T05:00:00+01:00"},
    "ex:size": {"ex:mm": 12},
    "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.L1", "quantity": 5, "uom": "KGM"}],
    "errorDeclaration": {
        "declarationTime": "2026-01-02T00:00:00Z",
        "reason": "incorrect_data",
        "correctiveEventIDs": ["urn:uuid:c1"],
    },
}  # fmt: skip


def test_the_migrated_index_matches_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "event_fields" in repr(d)] == []


def test_events_stored_before_are_indexed_and_downgrade_drops_the_index(
    blank_engine: Engine,
) -> None:
    migrate(blank_engine, "0024")
    with blank_engine.begin() as connection:
        for pk, document in ((1, LOT), (2, {"type": "ObjectEvent", "epcList": []})):
            connection.execute(
                text(
                    "INSERT INTO epcis_events (id, event_id, type, action, event_time, "
                    "event_time_zone_offset, record_time, document) VALUES (:pk, :name, "
                    "'ObjectEvent', 'ADD', :at, '+00:00', :at, :document)"
                ),
                {"pk": pk, "name": f"urn:uuid:e{pk}", "at": AT, "document": json.dumps(document)},
            )
    migrate(blank_engine, "0027")
    with blank_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT event_pk, area, nested, name, text_value, number_value FROM event_fields "
                "ORDER BY area, nested, name"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        (1, "event", False, "{https://ex.example}size", None, None),
        (1, "event", True, "{https://ex.example}mm", "12", 12.0),
        (1, "ilmd", False, "{https://ex.example}filled", "2026-01-01T05:00:00+01:00", None),
        (1, "ilmd", False, "{urn:epcglobal:cbv:mda}lotNumber", "L1", None),
        (1, "quantity", False, "KGM", None, 5.0),
    ]
    database = Database(blank_engine)
    for parameters, expected in (
        ({"EQ_ILMD_cbvmda:lotNumber": ("L1",)}, ["urn:uuid:e1"]),
        ({"LT_ILMD_https://ex.example/#filled": ("2026-01-01T04:30:00Z",)}, ["urn:uuid:e1"]),
        ({"GE_INNER_{https://ex.example}mm": ("12",)}, ["urn:uuid:e1"]),
        ({"EQ_quantity_KGM": ("5",)}, ["urn:uuid:e1"]),
        ({"EQ_errorReason": ("incorrect_data",)}, ["urn:uuid:e1"]),
        ({"EQ_correctiveEventID": ("urn:uuid:c1",)}, ["urn:uuid:e1"]),
        ({"EQ_ILMD_cbvmda:lotNumber": ("L2",)}, []),
    ):
        with database.unit_of_work(read_only=True) as uow:
            page = run_query(uow, read_query(parameters), actor=Actor("admin", Role.ADMIN))
        assert [event.event_id for event in page.events] == expected, parameters
    migrate(blank_engine, "0024", down=True)
    assert "event_fields" not in inspect(blank_engine).get_table_names()
    with blank_engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM event_values")).scalar_one()
    assert left == 0
