"""The temperatures of an EPCIS event's sensor data as cold chain readings
(unitrace.coldchain.epcis_reports): each unit converted, devices and times as the report, its
metadata or the event give them, ranges, values from the statistics, and the reports that are
no reading; the official examples' readings; the units queries compare in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from unitrace.coldchain.epcis_reports import (
    TemperatureReport,
    comparable,
    comparable_spread,
    event_device,
    temperature_reports,
)

EVENT_ID = "urn:uuid:7a1f0c2e-0000-4000-8000-000000000001"
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
HOUR = 3_600_000


def event(*elements: dict[str, Any]) -> dict[str, Any]:
    return {
        "eventID": EVENT_ID,
        "eventTime": "2026-01-01T01:00:00.000+01:00",
        "eventTimeZoneOffset": "+01:00",
        "sensorElementList": list(elements),
    }


def reports(*items: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    element: dict[str, Any] = {"sensorReport": list(items)}
    if metadata:
        element["sensorMetadata"] = metadata
    return element


OWN = event_device(EVENT_ID)
CASES = [
    (
        "no thermometer reads below absolute zero, nor a value that is not a number",
        event(reports(
            {"type": "Temperature", "value": -10, "uom": "KEL"},
            {"type": "Temperature", "value": float("nan"), "uom": "CEL"},
            {"type": "Temperature", "value": 5, "minValue": -500, "uom": "CEL"},
            {"type": "Temperature", "value": 1e300, "uom": "FAH"},
            {"type": "Temperature", "value": 4.0, "uom": "CEL", "time": "2026-01-01T01:00:00Z"},
        )),
        [TemperatureReport(OWN, T0 + HOUR, 4.0)],
    ),
    (
        "celsius at the event's time, the event's device",
        event(reports({"type": "Temperature", "value": 5.5, "uom": "CEL"})),
        [TemperatureReport(OWN, T0, 5.5)],
    ),
    (
        "fahrenheit and kelvin converted",
        event(reports(
            {"type": "gs1:Temperature", "value": 46.4, "uom": "FAH", "time": "2026-01-01T01:00:00Z"},
            {"type": "https://gs1.org/voc/Temperature", "value": 281.15, "uom": "KEL", "time": "2026-01-01T02:00:00Z"},
        )),
        [TemperatureReport(OWN, T0 + HOUR, 8.0), TemperatureReport(OWN, T0 + 2 * HOUR, 8.0)],
    ),
    (
        "the metadata's device and time; the report's own win",
        event(reports(
            {"type": "Temperature", "value": 4, "uom": "CEL"},
            {"type": "Temperature", "value": 6, "uom": "CEL", "deviceID": "urn:x:b", "time": "2026-01-01T00:30:00Z"},
            deviceID="urn:x:a", time="2026-01-01T00:15:00Z",
        )),
        [
            TemperatureReport("urn:x:a", T0 + HOUR // 4, 4.0),
            TemperatureReport("urn:x:b", T0 + HOUR // 2, 6.0),
        ],
    ),
    (
        "a range of the metadata: the mean, extremes in celsius",
        event(reports(
            {"type": "Temperature", "minValue": 35.6, "maxValue": 46.4, "meanValue": 41, "uom": "FAH"},
            startTime="2026-01-01T00:00:00Z", endTime="2026-01-01T06:00:00Z",
        )),
        [TemperatureReport(OWN, T0, 5.0, T0 + 6 * HOUR, 2.0, 8.0)],
    ),
    (
        "a range of the report's own, no mean: the midpoint",
        event(reports({
            "type": "Temperature", "minValue": 2, "maxValue": 7, "uom": "CEL",
            "startTime": "2026-01-01T01:00:00Z", "endTime": "2026-01-01T02:00:00Z",
        })),
        [TemperatureReport(OWN, T0 + HOUR, 4.5, T0 + 2 * HOUR, 2.0, 7.0)],
    ),
    (
        "several elements in document order",
        event(
            reports({"type": "Temperature", "value": 3, "uom": "CEL"}, deviceID="urn:x:a"),
            reports({"type": "Temperature", "value": 4, "uom": "CEL"}, deviceID="urn:x:b"),
        ),
        [TemperatureReport("urn:x:a", T0, 3.0), TemperatureReport("urn:x:b", T0, 4.0)],
    ),
    (
        "no reading: other types, unknown units, no value, an alarm",
        event(reports(
            {"type": "RelativeHumidity", "value": 60, "uom": "P1"},
            {"type": "Temperature", "value": 5, "uom": "XYZ"},
            {"type": "Temperature", "value": 5},
            {"type": "Temperature", "minValue": 5, "uom": "CEL"},
            {"type": "Temperature", "exception": "ALARM_CONDITION", "booleanValue": True},
        )),
        [],
    ),
    (
        "no reading: temperatures no sensor reads, or adding up to infinity; the sound one kept",
        event(reports(
            {"type": "Temperature", "value": 1e308, "uom": "CEL"},
            {"type": "Temperature", "value": 1e308, "uom": "FAH"},
            {"type": "Temperature", "value": -1e308, "uom": "CEL"},
            {"type": "Temperature", "value": -5, "uom": "KEL"},
            {"type": "Temperature", "minValue": 1.7e308, "maxValue": 1.7e308, "uom": "CEL"},
            {"type": "Temperature", "meanValue": 5, "minValue": -1e308, "maxValue": 1e308,
             "uom": "CEL"},
            {"type": "Temperature", "value": 10_000, "uom": "CEL"},
            {"type": "Temperature", "value": 0, "uom": "KEL"},
        )),
        [TemperatureReport(OWN, T0, 10_000.0), TemperatureReport(OWN, T0, -273.15)],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "given", "expected"), CASES, ids=[case[0] for case in CASES])
def test_temperature_reports(name: str, given: dict[str, Any], expected: list[Any]) -> None:
    assert temperature_reports(given) == expected


def test_the_official_examples_readings(conformance: Path) -> None:
    folder = conformance / "epcis" / "JSON" / "WithSensorData"
    found: dict[str, list[tuple[str, int, float, int | None]]] = {}
    for name in ("SensorDataExample2", "SensorDataExample5", "SensorDataExample9"):
        document = json.loads((folder / f"{name}.jsonld").read_text())
        (only,) = document["epcisBody"]["eventList"]
        found[name] = [
            (report.device, report.at_ms, report.celsius, report.until_ms)
            for report in temperature_reports(only)
        ]
    giai = "urn:epc:id:giai:4000001.111"
    start = 1_554_209_701_000  # 2019-04-02T13:55:01+01:00
    assert found == {
        "SensorDataExample2": [(giai, start, 26.1, start + 3_599_000)],
        "SensorDataExample5": [
            (giai, start - 1_000 + 600_000 * step + 600_000, 26.0 + step / 10, None)
            for step in range(6)
        ],
        "SensorDataExample9": [],
    }


@pytest.mark.parametrize(
    ("value", "uom", "expected"),
    [
        (98.6, "FAH", ("CEL", 37.0)),
        (273.15, "KEL", ("CEL", 0.0)),
        (-40.0, "CEL", ("CEL", -40.0)),
        (12.1, "A93", ("A93", 12.1)),
        (None, "FAH", ("CEL", None)),
        (3.0, None, (None, 3.0)),
    ],
)
def test_comparable(value: float | None, uom: str | None, expected: Any) -> None:
    assert comparable(value, uom) == expected


@pytest.mark.parametrize(
    ("spread", "uom", "expected"),
    [
        (1.8, "FAH", 1.0),
        (0.5, "KEL", 0.5),
        (0.5, "CEL", 0.5),
        (2.0, "KMH", 2.0),
        (None, "FAH", None),
    ],
)
def test_a_spread_scales_without_an_offset(
    spread: float | None, uom: str, expected: float | None
) -> None:
    assert comparable_spread(spread, uom) == expected
