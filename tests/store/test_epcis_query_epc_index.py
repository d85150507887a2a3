"""The EPC index in queries: a pattern's prefix is a range of the index that finds exactly the
EPCs starting with it (byte order on both databases, whatever the database's own collation),
the database seeks the index for it rather than scanning, and Digital Links spelled otherwise
than canonically are indexed under their canonical spelling too."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

from unitrace.services.epcis_query import read_query
from unitrace.store.epcis_query import EVERY_EVENT, EpcisQueries
from unitrace.store.epcis_query.conditions import EpcMatch, EventQuery, prefix_successor
from unitrace.store.events import StoredEvent
from unitrace.store.schema import event_canonical_epcs
from unitrace.store.unit_of_work import Database

SGTIN = "urn:epc:id:sgtin:9506000.013435."
DL = "https://id.gs1.org/01/09506000134352/21/"
#: EPCs on both sides of the prefixes below: case, the characters next to "." and "/", a
#: longer item reference, letters outside ASCII, the last code point there is.
EPCS = [
    f"{SGTIN}S1",
    f"{SGTIN}s1",
    f"{SGTIN}",
    f"{SGTIN}%2F",
    f"{SGTIN}\u00e9t\u00e9",
    f"{SGTIN}\U0010ffff",
    f"{SGTIN}\U0010ffffZ",
    "urn:epc:id:sgtin:9506000.013435/S1",
    "urn:epc:id:sgtin:9506000.013435-S1",
    "urn:epc:id:sgtin:9506000.0134350.S1",
    "urn:epc:id:sgtin:9506000.013434.S1",
    "URN:EPC:ID:SGTIN:9506000.013435.S1",
    "urn:epc:id:sgtin:9506001.013435.S1",
    f"{DL}S1",
    f"{DL}",
    "https://id.gs1.org/01/09506000134352/210",
    "https://id.gs1.org/01/09506000134352/10/L1",
]


def _event(number: int, epcs: list[str]) -> StoredEvent:
    return StoredEvent(
        {
            "type": "ObjectEvent",
            "eventID": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
            "action": "OBSERVE",
            "eventTime": "2026-03-01T00:00:00.000Z",
            "eventTimeZoneOffset": "+00:00",
            "epcList": epcs,
        }
    )


@pytest.fixture
def one_epc_per_event(database: Database) -> Database:
    with database.unit_of_work() as uow:
        uow.events.add_documents([_event(n, [epc]) for n, epc in enumerate(EPCS)])
        uow.commit()
    return database


def _epcs_found(database: Database, query: EventQuery) -> set[str]:
    with database.unit_of_work(read_only=True) as uow:
        found = EpcisQueries(uow.connection).events(query, viewer=EVERY_EVENT)
    return {epc for event in found for epc in event.document["epcList"]}


@pytest.mark.parametrize(
    "prefix",
    [
        SGTIN,
        "urn:epc:id:sgtin:9506000.",
        "urn:epc:id:sgtin:9506000.013435",
        f"{SGTIN}\u00e9",
        f"{SGTIN}\U0010ffff",
        DL,
        "https://id.gs1.org/01/09506000134352/",
        "urn:epc:id:sscc:",
    ],
)
def test_a_prefix_finds_exactly_the_epcs_starting_with_it(
    one_epc_per_event: Database, prefix: str
) -> None:
    query = EventQuery(epc_matches=(EpcMatch(("epc",), prefixes=frozenset({prefix})),))
    assert _epcs_found(one_epc_per_event, query) == {epc for epc in EPCS if epc.startswith(prefix)}


@pytest.mark.parametrize(
    ("prefix", "successor"),
    [
        (SGTIN, "urn:epc:id:sgtin:9506000.013435/"),
        (DL, "https://id.gs1.org/01/09506000134352/210"),
        ("a\U0010ffff", "b"),
        ("a\ud7ff", "a\ue000"),
    ],
)
def test_the_successor_of_a_prefix_ends_its_range(prefix: str, successor: str) -> None:
    assert prefix_successor(prefix) == successor


def test_an_empty_prefix_is_no_range() -> None:
    with pytest.raises(ValueError, match="empty prefix"):
        prefix_successor("\U0010ffff")


def _plan(connection: Connection, statement: str) -> str:
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}").all()
        return "\n".join(str(row[-1]) for row in rows)
    # the test tables are small enough for a scan to look cheaper: what matters is whether
    # the planner can seek the index for the condition at all
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}"))


@pytest.mark.parametrize(
    ("parameter", "pattern"),
    [
        ("MATCH_epc", "urn:epc:idpat:sgtin:9506000.013435.*"),
        ("MATCH_anyEPC", "urn:epc:idpat:sgtin:9506000.*.*"),
        ("MATCH_parentID", "urn:epc:idpat:sscc:9506000.*"),
        # exact spellings and prefixes together
        ("MATCH_epcClass", "urn:epc:idpat:sgtin:9506000.013435.*"),
    ],
)
def test_a_wildcard_seeks_the_epc_index(
    one_epc_per_event: Database, parameter: str, pattern: str
) -> None:
    definition = read_query({parameter: (pattern,)})
    with one_epc_per_event.unit_of_work(read_only=True) as uow:
        statement = EpcisQueries(uow.connection).select_events(
            definition.conditions, viewer=EVERY_EVENT, limit=30
        )
        compiled = str(statement.compile(uow.connection, compile_kwargs={"literal_binds": True}))
        plan = _plan(uow.connection, compiled)
    if one_epc_per_event.dialect == "sqlite":
        assert "SEARCH event_epcs USING INDEX ix_event_epcs_epc (epc>? AND epc<?)" in plan, plan
        assert "SCAN event_epcs" not in plan, plan
    else:
        assert "Index Cond: ((epc >= " in plan, plan
        assert "Seq Scan on event_epcs" not in plan, plan
    assert "substr" not in compiled.lower()


# --- Digital Links spelled otherwise ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "canonical"),
    [
        ("https://brand.example/01/09506000134352/21/ABC", f"{DL}ABC"),
        ("https://brand.example/shop/en/01/09506000134352/21/A!1", f"{DL}A%211"),
        ("https://id.gs1.org/01/09506000134352/10/L1/21/ABC?17=280131", f"{DL}ABC"),
        ("HTTPS://brand.example/00/095060000000000015", "https://id.gs1.org/00/095060000000000015"),
        ("https://brand.example/8004/9506000ABC", "https://id.gs1.org/8004/9506000ABC"),
        # already canonical, an EPC URI, a URL that is no Digital Link: nothing more to index
        (f"{DL}ABC", None),
        (f"{SGTIN}ABC", None),
        ("https://brand.example/assets/ABC", None),
    ],
)
def test_a_digital_link_is_indexed_under_its_canonical_spelling_too(
    database: Database, sent: str, canonical: str | None
) -> None:
    with database.unit_of_work() as uow:
        uow.events.add_documents([_event(1, [sent])])
        rows = uow.connection.execute(
            event_canonical_epcs.select().with_only_columns(
                event_canonical_epcs.c.role, event_canonical_epcs.c.epc
            )
        ).all()
        document = uow.events.document(_event(1, []).document["eventID"])
    assert [tuple(row) for row in rows] == ([] if canonical is None else [("epc", canonical)])
    assert document is not None
    assert document["epcList"] == [sent]


@pytest.mark.parametrize(
    ("parameter", "index"),
    [
        ("EQ_bizLocation", "ix_epcis_events_biz_location"),
        ("EQ_readPoint", "ix_epcis_events_read_point"),
    ],
)
def test_the_events_at_a_place_are_sought_by_it(
    one_epc_per_event: Database, parameter: str, index: str
) -> None:
    definition = read_query({parameter: ("urn:epc:id:sgln:9506000.00001.0",)})
    with one_epc_per_event.unit_of_work(read_only=True) as uow:
        statement = EpcisQueries(uow.connection).select_events(
            definition.conditions, viewer=EVERY_EVENT, limit=30
        )
        compiled = str(statement.compile(uow.connection, compile_kwargs={"literal_binds": True}))
        plan = _plan(uow.connection, compiled)
    assert index in plan, plan
