"""WD_readPoint and WD_bizLocation over master data captured with documents: the official
examples' location hierarchy (an EPCISMasterDataDocument in XML, an EPCISDocument whose
header carries master data) and one added by a later document; a refused capture records no
master data; bad values name the parameter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from unitrace.epcis import EPCIS_CONTEXT
from unitrace.epcis.xml_read import document_from_xml
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_capture import capture
from unitrace.services.epcis_query import QueryParameterException, read_query, run_query
from unitrace.store.master_data import BUSINESS_LOCATION, READ_POINT
from unitrace.store.unit_of_work import Database

PARTNER = Actor("partner", Role.ADMIN)
SITE = "urn:epc:id:sgln:0037000.00729.0"
ROOM_1, ROOM_2, ROOM_3 = (f"urn:epc:id:sgln:0037000.00729.820{n}" for n in (1, 2, 3))
#: The official AggregationEvent with every field: read point and business location ROOM_2.
AGGREGATION = "JSON/WithFullCombinationOfFields/aggregation_event_all_possible_fields.jsonld"
#: Business locations: SITE above ROOM_1, ROOM_2 and ROOM_3, ROOM_2 above ROOM_3; read
#: points: no hierarchy.
MIMASU = "XML/Mimasu/Example-masterData.xml"
#: SITE above ROOM_1, as a business location and as a read point.
ALL_FIELDS = "XML/WithFullCombinationOfFields/masterdata_all_possible_fields.xml"


def captured(database: Database, document: dict[str, Any], *, from_xml: bool = False) -> None:
    """Capture as the capture job does, committed; the document is one without problems."""
    with database.unit_of_work() as uow:
        result = capture(uow, document, actor=PARTNER, from_xml=from_xml)
        assert result.problems == (), result.problems
        uow.commit()


def read_points_below(room: str, *children: str) -> dict[str, Any]:
    """An EPCISDocument without events whose header puts ``children`` below ``room``."""
    return {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00Z",
        "epcisHeader": {
            "epcisMasterData": {
                "vocabularyList": [
                    {
                        "type": READ_POINT,
                        "vocabularyElementList": [{"id": room, "children": list(children)}],
                    }
                ]
            }
        },
        "epcisBody": {"eventList": []},
    }


def found(database: Database, **parameters: str) -> int:
    definition = read_query({key: tuple(value.split(",")) for key, value in parameters.items()})
    with database.unit_of_work(read_only=True) as uow:
        return len(run_query(uow, definition, actor=PARTNER).events)


@pytest.fixture
def official_world(conformance: Path, database: Database) -> Database:
    for name in (MIMASU, ALL_FIELDS):
        body = (conformance / "epcis" / name).read_bytes()
        captured(database, document_from_xml(body), from_xml=True)
    captured(database, json.loads((conformance / "epcis" / AGGREGATION).read_bytes()))
    return database


def test_the_official_master_data_is_kept(official_world: Database) -> None:
    with official_world.unit_of_work(read_only=True) as uow:
        assert uow.master_data.descendants(BUSINESS_LOCATION, [SITE]) == {ROOM_1, ROOM_2, ROOM_3}
        assert uow.master_data.descendants(READ_POINT, [SITE]) == {ROOM_1}
        room_3 = uow.master_data.element(BUSINESS_LOCATION, ROOM_3)
    assert room_3 is not None
    assert room_3.attributes == [
        {"id": "urn:epcglobal:cbv:mda:sst", "attribute": "202"},
        {"id": "urn:epcglobal:cbv:mda:ssa", "attribute": "402"},
    ]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"WD_bizLocation": SITE}, 1),
        ({"WD_bizLocation": ROOM_2}, 1),
        ({"WD_bizLocation": ROOM_3}, 0),
        ({"WD_bizLocation": f"{ROOM_1},{ROOM_3}"}, 0),
        ({"EQ_bizLocation": SITE}, 0),
        # the read point hierarchy is the read points' own: SITE is above ROOM_1 only
        ({"WD_readPoint": SITE}, 0),
        ({"WD_readPoint": ROOM_2}, 1),
        ({"WD_readPoint": ROOM_2, "WD_bizLocation": SITE}, 1),
    ],
)
def test_wd_follows_the_official_hierarchy(
    official_world: Database, parameters: dict[str, str], expected: int
) -> None:
    assert found(official_world, **parameters) == expected


def test_a_later_document_extends_the_hierarchy_three_levels_down(
    official_world: Database,
) -> None:
    assert found(official_world, WD_readPoint=SITE) == 0
    captured(official_world, read_points_below(ROOM_1, ROOM_2))
    # SITE → ROOM_1 (the official document) → ROOM_2 (this one)
    assert found(official_world, WD_readPoint=SITE) == 1
    with official_world.unit_of_work(read_only=True) as uow:
        assert uow.master_data.descendants(READ_POINT, [SITE]) == {ROOM_1, ROOM_2}


def test_a_refused_document_records_no_master_data(database: Database) -> None:
    document = read_points_below(SITE, ROOM_1)
    document["epcisBody"]["eventList"] = [
        {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "eventTime": "2026-03-01T00:00:00Z",
            "eventTimeZoneOffset": "+00:00",
            "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
            "bizStep": "no_such_step",
        }
    ]
    with database.unit_of_work() as uow:
        result = capture(uow, document, actor=PARTNER)
        assert result.captured == ()
        assert result.problems
        # the capture job commits only what was captured
    with database.unit_of_work(read_only=True) as uow:
        assert uow.master_data.descendants(READ_POINT, [SITE]) == set()
        assert uow.master_data.element(READ_POINT, SITE) is None


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"WD_readPoint": ("not a uri",)}, "WD_readPoint: 'not a uri' is not a URI"),
        ({"WD_bizLocation": ("nowhere",)}, "WD_bizLocation: 'nowhere' is not a URI"),
        ({"WD_bizLocation": (SITE, "")}, "WD_bizLocation: has an empty value"),
    ],
)
def test_a_bad_location_names_the_parameter(
    parameters: dict[str, tuple[str, ...]], message: str
) -> None:
    with pytest.raises(QueryParameterException) as refused:
        read_query(parameters)
    assert str(refused.value) == message
    assert refused.value.parameter == next(iter(parameters))
