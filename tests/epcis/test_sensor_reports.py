"""An event's sensor data as flat rows (unitrace.epcis.sensor_reports): the official examples'
reports and metadata field by field, measurement types in every spelling (a property over
every word of the vocabulary), and what is not sensor data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.epcis.cbv import MEASUREMENT_TYPE
from unitrace.epcis.sensor_reports import SensorRow, measurement_type, sensor_rows

UTC = dt.UTC


def example(conformance: Path, name: str) -> dict[str, Any]:
    path = conformance / "epcis" / "JSON" / "WithSensorData" / f"{name}.jsonld"
    document = json.loads(path.read_text())
    event: dict[str, Any] = document["epcisBody"]["eventList"][0]
    return event


def test_each_report_and_metadata_is_a_row_with_the_fields_it_carries(conformance: Path) -> None:
    rows = sensor_rows(example(conformance, "SensorDataExample7"))
    giai = "urn:epc:id:giai:4000001.11"
    assert rows == [
        SensorRow(0, 0, time=dt.datetime(2019, 7, 19, 13, 0, tzinfo=UTC)),
        SensorRow(0, 1, type="Temperature", device_id=giai + "1", uom="CEL", value=26.0),
        SensorRow(0, 2, type="example:Abc", device_id=giai + "2", string_value="111100001111000011110000"),
        SensorRow(0, 3, type="example:Def", device_id=giai + "3", boolean_value=True),
        SensorRow(0, 4, type="example:Ghi", device_id=giai + "4", string_value="SomeString"),
        SensorRow(0, 5, type="example:Jkl", device_id=giai + "5", hex_binary_value="F0F0F0"),
        SensorRow(0, 6, type="example:Mno", device_id=giai + "6", uri_value="https://example.org/example/someSectorSpecificValue"),
    ]  # fmt: skip


def test_statistics_ranges_and_substances_are_read(conformance: Path) -> None:
    rows = sensor_rows(example(conformance, "SensorDataExample8"))
    start = dt.datetime(2019, 4, 1, 14, 0, tzinfo=UTC)
    end = dt.datetime(2019, 4, 2, 13, 59, 59, 999000, tzinfo=UTC)
    assert [(row.element, row.position) for row in rows] == [
        (0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (2, 1), (2, 2)
    ]  # fmt: skip
    assert rows[0].data_processing_method == "https://example.com/253/4012345000054987"
    assert rows[0].biz_rules == "https://example.org/253/4012345000054987"
    assert rows[2].chemical_substance == (
        "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N"
    )
    assert rows[3].microorganism == "https://www.ncbi.nlm.nih.gov/taxonomy/1126011"
    assert (rows[4].start_time, rows[4].end_time) == (start, end)
    assert rows[5] == SensorRow(
        1, 1, type="Temperature", uom="CEL", min_value=12.4, max_value=13.8,
        mean_value=13.2, s_dev=0.41, perc_rank=50.0, perc_value=12.7,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("spelling", "namespaces", "expected"),
    [
        ("Temperature", {}, "Temperature"),
        ("gs1:Temperature", {}, "Temperature"),
        ("https://gs1.org/voc/Temperature", {}, "Temperature"),
        ("http://gs1.org/voc/Temperature", {}, "Temperature"),
        ("voc:Temperature", {"voc": "https://gs1.org/voc/"}, "Temperature"),
        ("voc:Temperature", {"voc": "https://example.com/voc/"}, "voc:Temperature"),
        ("example:Abc", {"example": "http://ns.example.com/epcis/"}, "example:Abc"),
        ("urn:example:type:abc", {}, "urn:example:type:abc"),
    ],
)
def test_measurement_types_in_any_spelling(
    spelling: str, namespaces: dict[str, str], expected: str
) -> None:
    assert measurement_type(spelling, namespaces) == expected


@given(
    st.sampled_from(sorted(MEASUREMENT_TYPE.words)), st.from_regex(r"[a-z]{1,8}", fullmatch=True)
)
def test_every_spelling_of_every_measurement_type_is_its_word(word: str, prefix: str) -> None:
    namespaces = {prefix: "https://gs1.org/voc/"}
    for spelling in (word, f"gs1:{word}", f"https://gs1.org/voc/{word}", f"{prefix}:{word}"):
        assert measurement_type(spelling, namespaces) == word


def test_a_type_spelled_with_the_events_own_prefix_is_read_with_its_context() -> None:
    event = {
        "@context": [{"g": "https://gs1.org/voc/"}],
        "sensorElementList": [{"sensorReport": [{"type": "g:Temperature", "value": 1}]}],
    }
    assert [row.type for row in sensor_rows(event)] == ["Temperature"]


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"sensorElementList": []},
        {"sensorElementList": "none"},
        {"sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": True}]}]},
        {"sensorElementList": [{"sensorReport": [{"type": "Temperature", "time": "noon"}]}]},
    ],
    ids=["no-list", "empty", "not-a-list", "boolean-value", "bad-time"],
)
def test_what_is_no_sensor_data_or_no_number_is_left_out(event: dict[str, Any]) -> None:
    rows = sensor_rows(event)
    assert all(row.value is None and row.time is None for row in rows)
    assert len(rows) == (1 if event.get("sensorElementList") not in (None, [], "none") else 0)
