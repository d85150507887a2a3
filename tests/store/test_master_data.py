"""Master data: vocabulary elements kept as the latest document gives their attributes, with
every child any document named; the descendants of locations walked however deep, a
hierarchy that loops back on itself included; WD_readPoint and WD_bizLocation in the query
select; and the migrated tables as the schema has them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.epcis_known_events import L1, L2, L3, KnownSet, known, known_set, name_of
from tests.store.test_unit_codes_index_migration import built_here
from unitrace.epcis import Attribute, Vocabulary, VocabularyElement
from unitrace.services.epcis_query import read_query
from unitrace.store.epcis_query import EVERY_EVENT, EpcisQueries
from unitrace.store.master_data import BUSINESS_LOCATION, READ_POINT, MasterDataElement
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

__all__ = ["known", "known_set"]  # fixtures

SITE = "urn:epc:id:sgln:9506000.00010.0"
HALL = "urn:epc:id:sgln:9506000.00010.1"
DOCK = "urn:epc:id:sgln:9506000.00010.2"
BAY = "urn:epc:id:sgln:9506000.00010.3"
YARD = "urn:epc:id:sgln:9506000.00010.4"
NAME = "urn:epcglobal:cbv:mda:name"


def element(identifier: str, *children: str, name: str | None = None) -> VocabularyElement:
    return VocabularyElement(
        identifier,
        None if name is None else (Attribute(NAME, name),),
        children or None,
    )


def locations(*elements: VocabularyElement, kind: str = BUSINESS_LOCATION) -> Vocabulary:
    return Vocabulary(kind, elements)


#: Three levels below the site, and the bay leading back up to the hall: SITE → HALL → DOCK →
#: BAY → HALL …; the yard is a read point only, below the site.
HIERARCHY = [
    locations(element(SITE, HALL), element(HALL, DOCK), element(DOCK, BAY), element(BAY, HALL)),
    locations(element(SITE, YARD), kind=READ_POINT),
]


@pytest.fixture
def hierarchy(database: Database) -> Database:
    with database.unit_of_work() as uow:
        uow.master_data.record(HIERARCHY)
        uow.commit()
    return database


@pytest.mark.parametrize(
    ("kind", "roots", "expected"),
    [
        (BUSINESS_LOCATION, [SITE], {HALL, DOCK, BAY}),
        # the loop leads back to the hall: it is below itself, and the walk ends
        (BUSINESS_LOCATION, [HALL], {HALL, DOCK, BAY}),
        (BUSINESS_LOCATION, [DOCK], {BAY, HALL, DOCK}),
        (BUSINESS_LOCATION, [SITE, DOCK], {HALL, DOCK, BAY}),
        (BUSINESS_LOCATION, [YARD], set()),
        (BUSINESS_LOCATION, ["urn:epc:id:sgln:9506000.00099.0"], set()),
        (BUSINESS_LOCATION, [], set()),
        # each vocabulary type has its own hierarchy
        (READ_POINT, [SITE], {YARD}),
        (READ_POINT, [HALL], set()),
    ],
)
def test_descendants_are_walked_however_deep_and_loops_end(
    hierarchy: Database, kind: str, roots: list[str], expected: set[str]
) -> None:
    with hierarchy.unit_of_work(read_only=True) as uow:
        assert uow.master_data.descendants(kind, roots) == expected


def test_later_attributes_replace_earlier_and_children_add_up(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.master_data.record([locations(element(SITE, HALL, name="Old site"))])
        uow.master_data.record(
            [
                locations(element(SITE, DOCK, name="New site")),
                # listed without attributes: keeps what it has, and is known from now on
                locations(element(SITE, BAY), element(HALL)),
            ]
        )
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        assert uow.master_data.element(BUSINESS_LOCATION, SITE) == MasterDataElement(
            BUSINESS_LOCATION,
            SITE,
            [{"id": NAME, "attribute": "New site"}],
            tuple(sorted([HALL, DOCK, BAY])),
        )
        assert uow.master_data.element(BUSINESS_LOCATION, HALL) == MasterDataElement(
            BUSINESS_LOCATION, HALL, [], ()
        )
        assert uow.master_data.element(READ_POINT, SITE) is None


def test_an_element_twice_in_one_document_is_kept_once_the_last_attributes_winning(
    database: Database,
) -> None:
    with database.unit_of_work() as uow:
        uow.master_data.record(
            [
                locations(element(SITE, HALL, name="First"), element(SITE, DOCK, name="Second")),
                locations(element(SITE, BAY)),
            ]
        )
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        found = uow.master_data.element(BUSINESS_LOCATION, SITE)
    assert found is not None
    assert (found.attributes, found.children) == (
        [{"id": NAME, "attribute": "Second"}],
        tuple(sorted([HALL, DOCK, BAY])),
    )


def test_nothing_recorded_is_kept_when_the_unit_of_work_is_not_committed(
    database: Database,
) -> None:
    with database.unit_of_work() as uow:
        uow.master_data.record(HIERARCHY)
    with database.unit_of_work(read_only=True) as uow:
        assert uow.master_data.descendants(BUSINESS_LOCATION, [SITE]) == set()
        assert uow.master_data.element(BUSINESS_LOCATION, SITE) is None


# --- WD_ in the query select, on the known events (L1, L2, L3 read points and locations) ----


def _found(known: KnownSet, parameters: dict[str, str]) -> list[str]:
    definition = read_query({key: tuple(value.split(",")) for key, value in parameters.items()})
    with known.database.unit_of_work(read_only=True) as uow:
        events = EpcisQueries(uow.connection).events(definition.conditions, viewer=EVERY_EVENT)
    return [name_of(event.event_id) for event in events]


@pytest.fixture
def known_hierarchy(known: KnownSet) -> Iterator[KnownSet]:
    """The known events, L1 above L2 above L3 as business locations and L1 above L3 as read
    points, L3 leading back to L1 among the business locations; master data emptied after."""
    with known.database.unit_of_work() as uow:
        uow.master_data.record(
            [
                locations(element(L1, L2), element(L2, L3), element(L3, L1)),
                locations(element(L1, L3), kind=READ_POINT),
            ]
        )
        uow.commit()
    yield known
    with known.database.unit_of_work() as uow:
        for table in ("vocabulary_children", "vocabulary_elements"):
            uow.connection.execute(metadata.tables[table].delete())
        uow.commit()


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        # bizLocation: E01 E03 at L1, E04 at L2, E08 at L3
        ({"WD_bizLocation": L1}, "E01 E03 E04 E08"),
        ({"WD_bizLocation": L2}, "E01 E03 E04 E08"),  # L3 leads back to L1
        ({"EQ_bizLocation": L1}, "E01 E03"),
        # readPoint: E06 E01 E02 E03 at L1, E04 E12 at L2, E09 at L3
        ({"WD_readPoint": L1}, "E06 E01 E02 E03 E09"),
        ({"WD_readPoint": L2}, "E04 E12"),
        ({"WD_readPoint": L3}, "E09"),
        ({"WD_readPoint": f"{L2},{L3}"}, "E04 E09 E12"),
        # AND with EQ_ on the same field, and with the other field
        ({"WD_readPoint": L1, "EQ_readPoint": L3}, "E09"),
        ({"WD_readPoint": L1, "WD_bizLocation": L2}, "E01 E03"),
        ({"WD_bizLocation": "https://example.com/places/nowhere"}, ""),
    ],
)
def test_wd_matches_a_location_and_every_location_below_it(
    known_hierarchy: KnownSet, parameters: dict[str, str], expected: str
) -> None:
    assert _found(known_hierarchy, parameters) == expected.split()


def test_the_migrated_master_data_and_canonical_epc_tables_match_the_schema(
    database: Database,
) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    ours = (
        "vocabulary_elements",
        "vocabulary_children",
        "event_canonical_epcs",
        "event_epcs",
        "epcis_events",
        "containers",
        "units",
    )
    found = [d for d in differences if any(table in repr(d) for table in ours)]
    assert built_here(found, database.engine) == []


def test_the_epcs_a_distributors_view_joins_compare_alike(database: Database) -> None:
    """The event index and the containers compare EPCs in one collation on PostgreSQL (byte
    order), so that joining them by EPC seeks the containers' unique index."""
    if database.dialect != "postgresql":
        pytest.skip("collations are PostgreSQL's")
    with database.engine.connect() as connection:
        collations = dict(
            connection.exec_driver_sql(
                "SELECT table_name, collation_name FROM information_schema.columns "
                "WHERE column_name = 'epc' AND table_schema = current_schema()"
            ).all()
        )
        connection.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(
            connection.exec_driver_sql(
                "EXPLAIN SELECT 1 FROM event_epcs JOIN containers "
                "ON containers.epc = event_epcs.epc WHERE event_epcs.event_pk = 1"
            ).scalars()
        )
    assert collations == {
        "containers": "C",
        "event_epcs": "C",
        "event_canonical_epcs": "C",
        # a recall's units, joined with the event index by EPC to count their recovery
        "recall_units": "C",
    }
    assert "uq_containers_epc" in plan, plan
