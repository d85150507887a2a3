"""Captured events' sensor data: every sensorMetadata and sensorReport indexed, temperature
reports (CEL, FAH, KEL; instants and ranges) stored as cold chain readings under their device,
and the device attached to what the event names for the span of its readings; readings a
device has at that instant already kept; reports that are no reading left in the event; from
JSON-LD and from XML alike. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.services.issued_units import GTIN, LOT, build_registry, issue, serial_of
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.epcis.xml_read import document_from_xml
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_capture import ROLLBACK, capture
from unitrace.store import schema
from unitrace.store.sensor_series import series_of
from unitrace.store.unit_of_work import Database

PARTNER = Actor("partner-line", Role.LINE)
UNIT = "urn:epc:id:sgtin:0614141.107346.2018"
CASE = "urn:epc:id:sgtin:0614141.107346.CASE1"
SSCC = "urn:epc:id:sscc:0614141.1234567890"
SSCC_LINK = "https://id.gs1.org/00/106141412345678908"
DOCK = "urn:epc:id:sgln:0614141.00777.0"
LOGGER = "urn:epc:id:giai:0614141.LOGGER1"
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
MINUTE = 60_000


def event(name: str, *elements: dict[str, Any], **fields: Any) -> dict[str, Any]:
    made: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{name:0>12}",
        "eventTime": "2026-01-01T01:00:00.000+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "OBSERVE",
        "sensorElementList": list(elements),
    }
    made.update(fields)
    return made


def element(*reports: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    made: dict[str, Any] = {"sensorReport": list(reports)}
    if metadata:
        made["sensorMetadata"] = metadata
    return made


def document(*events: dict[str, Any]) -> dict[str, Any]:
    """The events in a document whose context spells the GS1 Web Vocabulary ``voc:``."""
    return {
        "@context": [EPCIS_CONTEXT, {"voc": "https://gs1.org/voc/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-02T00:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def captured(database: Database, sent: dict[str, Any], *, from_xml: bool = False) -> None:
    with database.unit_of_work() as uow:
        result = capture(uow, sent, actor=PARTNER, behaviour=ROLLBACK, from_xml=from_xml)
        assert result.problems == (), result.problems
        uow.commit()


def readings(database: Database) -> list[tuple[Any, ...]]:
    """(device, at_ms, celsius, until_ms, min_c, max_c, eventID) by device and time."""
    r, d, e = schema.sensor_readings.c, schema.sensor_devices.c, schema.epcis_events.c
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            select(d.device, r.at_ms, r.celsius, r.until_ms, r.min_c, r.max_c, e.event_id)
            .join_from(schema.sensor_readings, schema.sensor_devices, d.id == r.device_id)
            .join(schema.epcis_events, e.id == r.event_pk)
            .order_by(d.device, r.at_ms)
        )
        return [tuple(row) for row in rows]


def attachments(database: Database) -> list[tuple[Any, ...]]:
    """(device, kind, target, from_ms, until_ms, eventID, created_by), sorted."""
    a, d, e = schema.sensor_attachments.c, schema.sensor_devices.c, schema.epcis_events.c
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            select(
                d.device, a.target_kind, a.target, a.from_ms, a.until_ms, e.event_id, a.created_by
            )
            .join_from(schema.sensor_attachments, schema.sensor_devices, d.id == a.device_id)
            .join(schema.epcis_events, e.id == a.event_pk)
        )
        return sorted(tuple(row) for row in rows)


def count(database: Database, table: Any) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return int(uow.connection.execute(select(func.count()).select_from(table)).scalar_one())


def eid(name: str) -> str:
    return f"urn:uuid:00000000-0000-4000-8000-{name:0>12}"


IN_TRANSIT = event(
    "1",
    element(
        {
            "type": "Temperature",
            "minValue": 35.6,
            "maxValue": 46.4,
            "meanValue": 41.0,
            "uom": "FAH",
        },
        {"type": "RelativeHumidity", "value": 61.0, "uom": "P1"},
        deviceID=LOGGER,
        startTime="2026-01-01T00:00:00Z",
        endTime="2026-01-01T00:30:00Z",
    ),
    element(
        {"type": "gs1:Temperature", "value": 279.15, "uom": "KEL", "time": "2026-01-01T00:45:00Z"},
        deviceID=LOGGER,
    ),
    epcList=[UNIT, SSCC_LINK, CASE],
)
AT_THE_DOCK = event(
    "2",
    element({"type": "voc:Temperature", "value": 4.0, "uom": "CEL"}),
    epcList=[],
    bizLocation={"id": DOCK},
    readPoint={"id": "urn:epc:id:sgln:0614141.00777.1"},
)
PACKED = event(
    "3",
    element(
        {
            "type": "Temperature",
            "value": 5.0,
            "uom": "CEL",
            "time": "2026-01-01T00:45:00Z",
            "deviceID": LOGGER,
        }
    ),
    element(
        {
            "type": "Temperature",
            "value": 9.0,
            "uom": "CEL",
            "time": "2026-01-01T00:50:00Z",
            "deviceID": LOGGER,
        }
    ),
    type="AggregationEvent",
    action="ADD",
    parentID=SSCC,
    childEPCs=[UNIT],
)
NO_READING = event(
    "4",
    element(
        {"type": "Temperature", "value": 5.0, "uom": "DEG"},
        {"type": "Temperature", "exception": "ALARM_CONDITION", "booleanValue": True},
        {"type": "Illuminance", "value": 800.0, "uom": "LUX"},
    ),
    epcList=[UNIT],
)  # fmt: skip


def test_temperatures_become_readings_attached_to_what_the_event_names(
    database: Database,
) -> None:
    with database.unit_of_work() as uow:
        uow.units.add_container(
            CASE,
            "sgtin",
            custodian_id=None,
            location_gln=None,
            at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        uow.commit()
    captured(database, document(IN_TRANSIT, AT_THE_DOCK, PACKED, NO_READING))
    own = f"urn:unitrace:event-sensor:{eid('2')}"
    assert readings(database) == [
        (LOGGER, T0, 5.0, T0 + 30 * MINUTE, 2.0, 8.0, eid("1")),
        (LOGGER, T0 + 45 * MINUTE, 6.0, None, None, None, eid("1")),  # PACKED's 5.0 skipped
        (LOGGER, T0 + 50 * MINUTE, 9.0, None, None, None, eid("3")),
        (own, T0, 4.0, None, None, None, eid("2")),
    ]
    by = PARTNER.name
    assert attachments(database) == sorted([
        (LOGGER, "unit", UNIT, T0, T0 + 45 * MINUTE, eid("1"), by),
        (LOGGER, "container", SSCC_LINK, T0, T0 + 45 * MINUTE, eid("1"), by),
        (LOGGER, "container", CASE, T0, T0 + 45 * MINUTE, eid("1"), by),
        (own, "location", "0614141007776", T0, T0 + 1, eid("2"), by),  # its GLN
        (LOGGER, "container", SSCC, T0 + 45 * MINUTE, T0 + 50 * MINUTE, eid("3"), by),
        (LOGGER, "unit", UNIT, T0 + 45 * MINUTE, T0 + 50 * MINUTE, eid("3"), by),
    ])  # fmt: skip
    # every report and metadata is indexed, readings or not
    assert count(database, schema.event_sensor_reports) == 5 + 1 + 2 + 3
    assert count(database, schema.epcis_events) == 4
    # the logger reported a range: its series is read with its ranges and extremes
    with database.unit_of_work(read_only=True) as uow:
        logger, ranged = uow.connection.execute(
            select(schema.sensor_devices.c.id, schema.sensor_devices.c.ranged).where(
                schema.sensor_devices.c.device == LOGGER
            )
        ).one()
        series = series_of(uow.connection, logger, 0, 2**62)
    assert ranged
    assert (series.until_ms.tolist(), series.lows.tolist(), series.highs.tolist()) == (
        [T0 + 30 * MINUTE, -1, -1],
        [2.0, 6.0, 9.0],
        [8.0, 6.0, 9.0],
    )


def test_a_reading_stored_before_is_kept_and_a_new_device_once(database: Database) -> None:
    captured(database, document(PACKED))
    again = event(
        "5",
        element({"type": "Temperature", "value": 7.0, "uom": "CEL", "time": "2026-01-01T00:50:00Z"}),
        element({"type": "Temperature", "value": 8.0, "uom": "CEL", "time": "2026-01-01T00:55:00Z"}),
        epcList=[UNIT],
    )  # fmt: skip
    for item in again["sensorElementList"]:
        item["sensorMetadata"] = {"deviceID": LOGGER}
    captured(database, document(again))
    assert [row[1:3] + row[6:] for row in readings(database)] == [
        (T0 + 45 * MINUTE, 5.0, eid("3")),
        (T0 + 50 * MINUTE, 9.0, eid("3")),
        (T0 + 55 * MINUTE, 8.0, eid("5")),
    ]
    assert count(database, schema.sensor_devices) == 1


def test_an_event_applied_to_our_units_feeds_the_cold_chain_too(database: Database) -> None:
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 2)
        uow.commit()
    ours = [f"urn:epc:id:sgtin:9506000.013435.{serial_of(GTIN, seq)}" for seq in (1, 2)]
    commissioned = event(
        "6",
        element({"type": "Temperature", "value": 41.0, "uom": "FAH"}, deviceID=LOGGER),
        action="ADD",
        bizStep="commissioning",
        disposition="active",
        epcList=ours,
        ilmd={"cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "2030-12-31"},
    )
    captured(database, document(commissioned))
    assert readings(database) == [(LOGGER, T0, 5.0, None, None, None, eid("6"))]
    assert [row[1:5] for row in attachments(database)] == [
        ("unit", epc, T0, T0 + 1) for epc in sorted(ours)
    ]


def test_an_event_declared_in_error_is_indexed_but_feeds_no_readings(database: Database) -> None:
    declared = {**PACKED, "errorDeclaration": {"declarationTime": "2026-01-02T00:00:00Z"}}
    captured(database, document(declared))
    assert (readings(database), attachments(database)) == ([], [])
    assert count(database, schema.event_sensor_reports) == 2


def test_an_event_without_readings_is_captured_as_sent(database: Database) -> None:
    captured(database, document(NO_READING))
    assert (readings(database), attachments(database)) == ([], [])
    with database.unit_of_work(read_only=True) as uow:
        stored = uow.events.document(eid("4"))
    assert stored is not None
    assert stored["sensorElementList"] == NO_READING["sensorElementList"]


def test_the_official_xml_examples_feed_the_same_store(
    database: Database, conformance: Path
) -> None:
    path = conformance / "epcis" / "XML" / "WithSensorData" / "SensorDataExamples.xml"
    captured(database, document_from_xml(path.read_bytes()), from_xml=True)
    found = readings(database)
    giai = "urn:epc:id:giai:4000001.111"
    # the logger's readings of all its events, each instant once (the first event's)
    assert [row[:4] for row in found if row[0] == giai] == [
        (giai, 1_554_209_701_000, 26.1, 1_554_213_300_000),
        (giai, 1_554_210_300_000, 26.0, None),
        (giai, 1_554_210_900_000, 26.1, None),
        (giai, 1_554_211_500_000, 26.2, None),
        (giai, 1_554_212_100_000, 26.1, None),
        (giai, 1_554_212_700_000, 26.4, None),
        (giai, 1_554_213_300_000, 26.2, None),
        (giai, 1_563_541_200_000, 26.0, None),
    ]
    # the readings without a device belong to their own events, one device each (the fourth
    # such event is declared in error)
    assert sorted(row[2] for row in found if row[0] != giai) == [13.1, 13.2, 13.2]
    kinds = {row[1] for row in attachments(database)}
    assert kinds == {"unit", "container", "location"}


def test_a_device_registered_by_another_party_takes_none_of_its_readings(
    database: Database,
) -> None:
    """The logger is a distributor's: an event of the brand's line naming it is captured and
    indexed, but writes no reading of it and attaches it to nothing."""
    with database.unit_of_work() as uow:
        uow.connection.execute(
            schema.sensor_devices.insert().values(
                device=LOGGER, created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), party_id="dist-x"
            )
        )
        uow.commit()
    captured(database, document(PACKED))
    assert (readings(database), attachments(database)) == ([], [])
    assert count(database, schema.event_sensor_reports) > 0
