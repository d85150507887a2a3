"""The EPCIS 2.0 sensor query parameters on ``GET /epcis/events`` (section 8.2.7.1): each
parameter against the official sensor examples and events of our own (Fahrenheit, kelvin,
ranges with statistics, several elements), temperatures compared across units, parameters
met by different reports of one event, bad values as QueryParameterException naming the
parameter, a named query of sensor parameters as the query schema writes it, and the sensor
data answered in JSON-LD and XML as captured. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import Engine

from tests.api.epcis_captured_events import (
    Captured,
    assert_names_parameter,
    assert_valid_query,
    capture_documents,
    found,
)
from tests.services.test_epcis_capture_sensor_data import document
from unitrace.api.app import create_app

#: The official examples captured (Example 17 shares Example 13's eventID; 16 has no sensor data).
EXAMPLES = ("1", "1b", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15")
D1 = "urn:epc:id:giai:0614141.D1"
D2 = "urn:epc:id:giai:0614141.D2"
D3 = "urn:epc:id:giai:0614141.D3"
GIAI = "urn:epc:id:giai:4000001.111"
METHOD = "https://example.com/gdti/0614141000012"
RULES = "https://example.com/gdti/0614141000029"
UNIT = "urn:epc:id:sgtin:0614141.107346.2018"


def own(name: str, *elements: dict[str, Any]) -> dict[str, Any]:
    made: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": f"urn:example:event:{name}",
        "eventTime": "2026-01-01T06:00:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": [UNIT],
    }
    if elements:
        made["sensorElementList"] = list(elements)
    return made


OWN_EVENTS = [
    own("FAH", {
        "sensorMetadata": {"deviceID": D1, "time": "2026-01-01T01:00:00Z"},
        "sensorReport": [{"type": "Temperature", "value": 46.4, "uom": "FAH"}],
    }),
    own("KEL", {"sensorReport": [
        {"type": "Temperature", "value": 275.15, "uom": "KEL", "deviceID": D2, "time": "2026-01-01T02:00:00Z"},
        {"type": "RelativeHumidity", "value": 40, "uom": "P1"},
    ]}),
    own("RANGE", {
        "sensorMetadata": {"startTime": "2026-01-01T00:00:00Z", "endTime": "2026-01-01T06:00:00Z"},
        "sensorReport": [{
            "type": "Temperature", "minValue": 35.6, "maxValue": 48.2, "meanValue": 41.9,
            "sDev": 1.8, "percRank": 90, "percValue": 46.4, "uom": "FAH",
        }],
    }),
    own(
        "TWO",
        {
            "sensorMetadata": {"time": "2026-01-01T03:00:00Z"},
            "sensorReport": [{"type": "Temperature", "value": 12, "uom": "CEL", "deviceID": D1}],
        },
        {
            "sensorMetadata": {"deviceID": D3, "dataProcessingMethod": METHOD, "bizRules": RULES},
            "sensorReport": [{"type": "Mass", "value": 25, "uom": "KGM"}],
        },
    ),
    own("PLAIN"),
]  # fmt: skip


#: The events by the names tests use (X<example>, or our own event's).
Sensed = Captured


def load(engine: Engine, conformance: Path) -> Sensed:
    folder = conformance / "epcis" / "JSON" / "WithSensorData"
    documents = [
        (f"X{name}", json.loads((folder / f"SensorDataExample{name}.jsonld").read_text()))
        for name in EXAMPLES
    ]
    return capture_documents(
        engine,
        [*documents, ("", document(*OWN_EVENTS))],
        lambda name, event_id, _, __: name or event_id.rsplit(":", 1)[1],
    )


@pytest.fixture(scope="module")
def sensed_set(database_engine: Engine, conformance: Path) -> Sensed:
    return load(database_engine, conformance)


@pytest.fixture
def sensed(sensed_set: Sensed, database_engine: Engine, conformance: Path) -> Sensed:
    """The sensor events, captured again if a test that empties the database ran meanwhile."""
    return sensed_set if sensed_set.intact() else load(database_engine, conformance)


@pytest.fixture
def client(sensed: Sensed) -> TestClient:
    return TestClient(create_app(sensed.database))


TEMPERATURES = [
    "FAH",
    "KEL",
    "RANGE",
    "TWO",
    "X1",
    "X12",
    "X13",
    "X1b",
    "X2",
    "X3",
    "X4",
    "X5",
    "X6",
    "X7",
    "X8",
    "X9",
]
TEMPERATURES_WITH_VALUES = ["FAH", "KEL", "TWO", "X1", "X13", "X1b", "X4", "X5", "X7"]
QUERIES: list[tuple[dict[str, str], list[str]]] = [
    ({"EXISTS_sensorElementList": ""}, sorted({*TEMPERATURES, "X10", "X11", "X14", "X15"})),
    ({"EQ_type": "Temperature"}, TEMPERATURES),
    ({"EQ_type": "gs1:Temperature"}, TEMPERATURES),
    ({"EQ_type": "https://gs1.org/voc/Temperature"}, TEMPERATURES),
    ({"EQ_type": "Mass,DoseEquivalentRate"}, ["TWO", "X11"]),
    ({"EQ_type": "example:someSensorProperty"}, ["X12", "X6", "X8"]),
    ({"EQ_deviceID": GIAI}, ["X1", "X1b", "X2", "X4", "X5", "X7", "X8"]),
    ({"EQ_deviceID": f"{D2},{D3}"}, ["KEL", "TWO"]),
    # temperatures compare in any unit: 46.4 FAH is 8 CEL, 276.15 KEL is 3 CEL
    ({"GE_value_CEL": "26.3"}, ["X5"]),
    ({"GE_value_FAH": "46.4"}, ["FAH", "TWO", "X1", "X13", "X1b", "X4", "X5", "X7"]),
    ({"LT_value_KEL": "276.15"}, ["KEL"]),
    ({"EQ_value_CEL": "8"}, ["FAH"]),
    ({"EQ_value_FAH": "53.6"}, ["TWO"]),
    ({"GE_maxValue_CEL": "13.8"}, ["X12", "X2", "X3", "X6", "X8"]),
    ({"LE_minValue_FAH": "35.6"}, ["RANGE"]),
    ({"GT_meanValue_CEL": "13.2"}, ["X2"]),
    ({"LT_meanValue_KEL": "280"}, ["RANGE"]),
    ({"GE_sDev_FAH": "1.8"}, ["RANGE"]),
    ({"LT_sDev_CEL": "0.2"}, ["X2"]),
    ({"LT_percValue_CEL": "10"}, ["RANGE"]),
    ({"GE_percRank": "90"}, ["RANGE"]),
    ({"GE_percRank": "50"}, ["RANGE", "X12", "X6", "X8"]),
    ({"LT_percRank": "60"}, ["X12", "X6", "X8"]),
    # other quantities only in their own unit
    ({"GE_value_A93": "12.2"}, ["X1", "X1b"]),
    ({"GE_value_KMH": "160"}, ["X1", "X1b", "X4"]),
    ({"GE_value_P1": "40"}, ["KEL"]),
    ({"GE_value_KGM": "20"}, ["TWO"]),
    ({"GE_value_GRM": "20"}, []),
    ({"LT_value_KEL": "1e308"}, TEMPERATURES_WITH_VALUES),
    ({"GE_percRank": "-1e308"}, ["RANGE", "X12", "X6", "X8"]),
    ({"EQ_stringValue": "SomeString"}, ["X7"]),
    ({"EQ_stringValue": "someSensorOutput"}, ["X12", "X6", "X8"]),
    ({"EQ_booleanValue": "true"}, ["X7", "X9"]),
    ({"EQ_booleanValue": "false"}, []),
    ({"EQ_hexBinaryValue": "f0f0f0"}, ["X7"]),
    ({"EQ_uriValue": "https://example.com/ErrorCode-A827"}, ["X9"]),
    ({"EQ_microorganism": "https://www.ncbi.nlm.nih.gov/taxonomy/1126011"}, ["X8"]),
    ({"EQ_chemicalSubstance": "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N"}, ["X8"]),
    ({"EQ_dataProcessingMethod": METHOD}, ["TWO"]),
    ({"EQ_bizRules": RULES}, ["TWO"]),
    # times of the metadata or the report alike
    ({"GE_time": "2026-01-01T00:00:00Z"}, ["FAH", "KEL", "TWO"]),
    ({"GE_time": "2026-01-01T00:00:00Z", "LT_time": "2026-01-01T01:30:00+00:00"}, ["FAH"]),
    ({"GE_startTime": "2026-01-01T00:00:00Z"}, ["RANGE"]),
    ({"LT_startTime": "2019-04-02T00:00:00Z"}, ["X12", "X3", "X6", "X8"]),
    ({"GE_endTime": "2019-04-02T13:59:00Z", "LT_endTime": "2020-01-01T00:00:00Z"}, ["X12", "X3", "X6", "X8"]),
    # parameters are AND-ed over the event: different reports may meet them
    ({"EQ_type": "Mass", "GE_value_CEL": "10"}, ["TWO"]),
    ({"EQ_deviceID": D1, "GE_value_CEL": "10"}, ["TWO"]),
    ({"GE_value_CEL": "5", "LT_value_CEL": "3"}, []),
    ({"eventType": "AggregationEvent", "EQ_type": "Temperature"}, ["X8"]),
]  # fmt: skip


@pytest.mark.parametrize(("parameters", "expected"), QUERIES, ids=[str(q[0]) for q in QUERIES])
def test_sensor_parameters_find_the_events_the_standard_says(
    client: TestClient, sensed: Sensed, parameters: dict[str, str], expected: list[str]
) -> None:
    assert found(client, sensed, parameters) == expected


BAD = [
    ({"GE_value_CEL": "warm"}, "GE_value_CEL"),
    ({"GE_value_CEL": "nan"}, "GE_value_CEL"),
    ({"GE_value_CEL": ""}, "GE_value_CEL"),
    ({"GE_value_cel": "5"}, "GE_value_cel"),
    ({"GE_value_CELSIUS": "5"}, "GE_value_CELSIUS"),
    ({"GE_value_": "5"}, "GE_value_"),
    ({"GE_sDev_°C": "5"}, "GE_sDev_°C"),
    ({"GE_value_CEL": "1e309"}, "GE_value_CEL"),
    ({"LT_value_FAH": "-1.7e308"}, "LT_value_FAH"),
    ({"GE_time": "9999-12-31T23:59:59-12:00"}, "GE_time"),
    ({"GE_percRank": "high"}, "GE_percRank"),
    ({"EQ_booleanValue": "yes"}, "EQ_booleanValue"),
    ({"EQ_hexBinaryValue": "F0F"}, "EQ_hexBinaryValue"),
    ({"EQ_deviceID": "not a uri"}, "EQ_deviceID"),
    ({"EQ_microorganism": "mould"}, "EQ_microorganism"),
    ({"EQ_type": "Temperature,"}, "EQ_type"),
    ({"GE_time": "yesterday"}, "GE_time"),
    ({"LT_endTime": "2026-01-01T00:00:00"}, "LT_endTime"),
    ({"EXISTS_sensorElementList": "false"}, "EXISTS_sensorElementList"),
    ({"EQ_SENSORREPORT_example:cv": "123"}, "EQ_SENSORREPORT_example:cv"),
]


@pytest.mark.parametrize(("parameters", "named"), BAD, ids=[b[1] for b in BAD])
def test_a_bad_sensor_parameter_is_a_query_parameter_exception_naming_it(
    client: TestClient, sensed: Sensed, parameters: dict[str, str], named: str
) -> None:
    answer = client.get("/epcis/events", params=parameters, headers=sensed.token)
    assert_names_parameter(answer, named)


def test_a_value_parameter_given_twice_is_refused(client: TestClient, sensed: Sensed) -> None:
    answer = client.get("/epcis/events?GE_value_CEL=1&GE_value_CEL=2", headers=sensed.token)
    assert (answer.status_code, answer.json()["parameter"]) == (400, "GE_value_CEL")


def test_a_named_query_of_sensor_parameters_is_kept_as_the_query_schema_writes_it(
    client: TestClient, sensed: Sensed, conformance: Path
) -> None:
    definition = {
        "EQ_type": ["Temperature"],
        "GE_value_FAH": 46.4,
        "LT_value_CEL": 20,
        "EXISTS_sensorElementList": None,
        "EQ_booleanValue": False,
    }

    def valid(query: dict[str, Any]) -> None:
        assert_valid_query(conformance, query)

    valid(definition)
    created = client.post(
        "/epcis/queries", json={"name": "cold", "query": definition}, headers=sensed.token
    )
    assert created.status_code == 201, created.text
    kept = client.get("/epcis/queries/cold", headers=sensed.token).json()["query"]
    assert kept == definition
    valid(kept)
    del definition["EQ_booleanValue"]
    client.delete("/epcis/queries/cold", headers=sensed.token)
    client.post("/epcis/queries", json={"name": "cold", "query": definition}, headers=sensed.token)
    answer = client.get("/epcis/queries/cold/events", headers=sensed.token)
    events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert sorted(sensed.names[event["eventID"]] for event in events) == ["FAH", "TWO"]


def test_sensor_data_is_answered_as_captured_in_json_ld_and_xml(
    client: TestClient, sensed: Sensed
) -> None:
    asked = {"EQ_eventID": "urn:example:event:RANGE,urn:example:event:TWO"}
    answer = client.get("/epcis/events", params=asked, headers=sensed.token)
    events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    by_name = {event["eventID"].rsplit(":", 1)[1]: event for event in events}
    for sent in OWN_EVENTS[2:4]:
        name = sent["eventID"].rsplit(":", 1)[1]
        assert by_name[name]["sensorElementList"] == sent["sensorElementList"]
    xml = client.get(
        "/epcis/events", params=asked, headers={**sensed.token, "Accept": "application/xml"}
    )
    assert xml.status_code == 200, xml.text
    root = etree.fromstring(xml.content)
    reports = root.findall(".//sensorReport")
    assert sorted((r.get("type"), r.get("uom"), r.get("value") or r.get("meanValue")) for r in reports) == [
        ("gs1:Mass", "KGM", "25"),
        ("gs1:Temperature", "CEL", "12"),
        ("gs1:Temperature", "FAH", "41.9"),
    ]  # fmt: skip
