"""Migration 0006: the master data tables, EPCs in byte order on PostgreSQL, and the canonical
Digital Links of the EPCs stored before it, so that queries find old events as they find new
ones; and its downgrade; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, inspect, text

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_query import read_query, run_query
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixtures

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
OTHER_DOMAIN = "https://brand.example/shop/01/09506000134352/21/ABC"
UPPER_CASE = "HTTPS://ID.GS1.ORG/01/09506000134352/21/DEF"
EPC_URI = "urn:epc:id:sgtin:9506000.013435.GHI"


def test_epcs_stored_before_are_found_in_every_spelling_and_downgrade_drops_the_tables(
    blank_engine: Engine,
) -> None:
    migrate(blank_engine, "0005")
    with blank_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO epcis_events (id, event_id, type, action, event_time, "
                "event_time_zone_offset, record_time, document) VALUES (1, 'urn:uuid:e1', "
                "'ObjectEvent', 'OBSERVE', :at, '+00:00', :at, :document)"
            ),
            {"at": AT, "document": '{"type": "ObjectEvent", "epcList": []}'},
        )
        for epc in (OTHER_DOMAIN, UPPER_CASE, EPC_URI):
            connection.execute(
                text("INSERT INTO event_epcs (event_pk, role, epc) VALUES (1, 'epc', :epc)"),
                {"epc": epc},
            )
    migrate(blank_engine, "0006")
    with blank_engine.connect() as connection:
        canonical = connection.execute(
            text("SELECT event_pk, role, epc FROM event_canonical_epcs ORDER BY epc")
        ).all()
    assert [tuple(row) for row in canonical] == [
        (1, "epc", "https://id.gs1.org/01/09506000134352/21/ABC"),
        (1, "epc", "https://id.gs1.org/01/09506000134352/21/DEF"),
    ]
    database = Database(blank_engine)
    for asked in (
        "urn:epc:id:sgtin:9506000.013435.ABC",
        "https://elsewhere.example/01/09506000134352/21/DEF",
        "urn:epc:idpat:sgtin:9506000.013435.*",
    ):
        with database.unit_of_work(read_only=True) as uow:
            page = run_query(
                uow, read_query({"MATCH_epc": (asked,)}), actor=Actor("admin", Role.ADMIN)
            )
        assert [event.event_id for event in page.events] == ["urn:uuid:e1"], asked
    migrate(blank_engine, "0005", down=True)
    tables = set(inspect(blank_engine).get_table_names())
    assert not tables & {"event_canonical_epcs", "vocabulary_elements", "vocabulary_children"}
    with blank_engine.connect() as connection:
        kept = connection.execute(text("SELECT epc FROM event_epcs ORDER BY epc")).scalars()
        assert sorted(kept) == sorted([OTHER_DOMAIN, UPPER_CASE, EPC_URI])
