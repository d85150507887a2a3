"""The cold chain's intake over HTTP: a product's storage conditions (``PUT``/``GET
/api/products/{gtin}/storage``, and the verify page saying them), loggers' readings uploaded
in bulk (``POST /api/sensor-readings``), and what a logger was attached to
(``/api/sensor-devices/{device}``). Bad input is refused naming the field (and the row), and
changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.api.quality_world import CASE_1, build_quality_world, code, epc
from tests.services.issued_units import DIST_A_GLN, GTIN, OTHER_GTIN
from tests.test_cli_api import sscc
from unitrace.api.request_bodies import READINGS_MAX_BYTES, RequestBodies
from unitrace.config import Settings
from unitrace.store import schema
from unitrace.store.unit_of_work import Database

Headers = dict[str, str]
STORAGE = f"/api/products/{GTIN.value}/storage"
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def world(database: Database) -> Database:
    build_quality_world(database)
    return database


def counts(database: Database) -> tuple[int, ...]:
    """What an intake writes: conditions, devices, readings, attachments, audit lines."""
    with database.unit_of_work(read_only=True) as uow:
        return tuple(
            uow.connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (
                schema.storage_conditions,
                schema.sensor_devices,
                schema.sensor_readings,
                schema.sensor_attachments,
                schema.audit_trail,
            )
        )


# --- storage conditions ---------------------------------------------------------------------

MKT_DEFAULT_COLD = {"max_c": 8.0, "window": "24h", "delta_h_over_r": 10000.0}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"min_c": 2, "max_c": 8},
            {"min_c": 2.0, "max_c": 8.0, "excursion": None, "mkt": MKT_DEFAULT_COLD,
             "in_words": "Store at 2 °C to 8 °C."},
        ),
        (
            {"min_c": 15, "max_c": 25.5,
             "excursion": {"min_c": 10, "max_c": 30, "max_minutes": 1440}},
            {"min_c": 15.0, "max_c": 25.5,
             "excursion": {"min_c": 10.0, "max_c": 30.0, "max_minutes": 1440},
             "mkt": {"max_c": 25.5, "window": "30d", "delta_h_over_r": 10000.0},
             "in_words": "Store at 15 °C to 25.5 °C. Down to 10 °C and up to 30 °C is allowed "
                         "for 24 hours at most."},
        ),
        (
            {"min_c": 2, "max_c": 8, "mkt": {"max_c": 7.5, "window": "30d",
                                              "delta_h_over_r": 8314}},
            {"min_c": 2.0, "max_c": 8.0, "excursion": None,
             "mkt": {"max_c": 7.5, "window": "30d", "delta_h_over_r": 8314.0},
             "in_words": "Store at 2 °C to 8 °C."},
        ),
        (
            {"min_c": -25, "max_c": -15, "mkt": {"delta_h_over_r": 12000}},
            {"min_c": -25.0, "max_c": -15.0, "excursion": None,
             "mkt": {"max_c": -15.0, "window": "24h", "delta_h_over_r": 12000.0},
             "in_words": "Store at -25 °C to -15 °C."},
        ),
    ],
)  # fmt: skip
def test_storage_conditions_are_answered_with_their_defaults_filled_in(
    world: Database,
    client: TestClient,
    admin: Headers,
    token_for: Callable[..., Headers],
    body: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    answer = client.put(STORAGE, json=body, headers=admin)
    assert answer.status_code == 200, answer.text
    made = answer.json()
    assert made.pop("updated_at")
    assert made.pop("updated_by").startswith("token:")
    assert made == {"gtin": GTIN.value, **expected}
    read = client.get(STORAGE, headers=token_for("distributor", "dist-a")).json()
    assert {key: read[key] for key in made} == made


def test_setting_conditions_again_replaces_them_and_is_audited(
    world: Database, client: TestClient, admin: Headers
) -> None:
    client.put(STORAGE, json={"min_c": 2, "max_c": 8}, headers=admin)
    client.put(STORAGE, json={"min_c": 15, "max_c": 25}, headers=admin)
    assert client.get(STORAGE, headers=admin).json()["mkt"]["window"] == "30d"
    with world.unit_of_work(read_only=True) as uow:
        lines = uow.audit.of(GTIN.value)
    changes = [line.details for line in lines if line.action == "product.storage_conditions_set"]
    assert [
        (change["storage"]["max_c"], (change["before"] or {}).get("max_c")) for change in changes
    ] == [
        (8.0, None),
        (25.0, 8.0),
    ]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"min_c": 8, "max_c": 2}, "max_c: 2 is not above min_c 8"),
        ({"min_c": 8, "max_c": 8}, "max_c: 8 is not above min_c 8"),
        ({"min_c": -300, "max_c": 8}, "min_c: -300 is below absolute zero (-273.15 °C)"),
        ({"min_c": 2, "max_c": 8, "excursion": {"min_c": 3, "max_c": 25, "max_minutes": 60}},
         "excursion.min_c: 3.0 is above min_c 2; the excursion band holds the storage band"),
        ({"min_c": 2, "max_c": 8, "excursion": {"min_c": 0, "max_c": 7, "max_minutes": 60}},
         "excursion.max_c: 7.0 is below max_c 8; the excursion band holds the storage band"),
        ({"min_c": 2, "max_c": 8, "excursion": {"min_c": 0, "max_c": 25, "max_minutes": 0}},
         "excursion.max_minutes: 0 is not within 1-525,600 (a year)"),
        ({"min_c": 2, "max_c": 8, "excursion": {"min_c": 0, "max_c": 25,
                                                "max_minutes": 525601}},
         "excursion.max_minutes: 525601 is not within 1-525,600 (a year)"),
        ({"min_c": 2, "max_c": 8, "mkt": {"delta_h_over_r": 0}},
         "mkt.delta_h_over_r: 0 K is not within 1,000-100,000 K (USP <1079.2>: 10,000 K)"),
        ({"min_c": 2, "max_c": 8, "mkt": {"delta_h_over_r": 1e6}},
         "mkt.delta_h_over_r: 1000000.0 K is not within 1,000-100,000 K (USP <1079.2>: "
         "10,000 K)"),
        ({"min_c": 2, "max_c": 8, "mkt": {"max_c": -274}},
         "mkt.max_c: -274 is below absolute zero (-273.15 °C)"),
    ],
)  # fmt: skip
def test_bad_storage_conditions_are_refused_naming_the_field(
    world: Database, client: TestClient, admin: Headers, body: dict[str, Any], detail: str
) -> None:
    before = counts(world)
    answer = client.put(STORAGE, json=body, headers=admin)
    assert (answer.status_code, answer.json()["detail"]) == (422, detail)
    assert counts(world) == before


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"min_c": NaN, "max_c": 8}', "min_c"),
        (b'{"min_c": 2, "max_c": Infinity}', "max_c"),
        (b'{"min_c": "2", "max_c": 8}', "min_c"),
        (b'{"min_c": 2, "max_c": 8, "mkt": {"window": "7d"}}', "window"),
        (b'{"min_c": 2, "max_c": 8, "colour": "blue"}', "colour"),
    ],
)
def test_a_body_that_is_not_numbers_is_refused_naming_the_field(
    world: Database, client: TestClient, admin: Headers, raw: bytes, field: str
) -> None:
    answer = client.put(STORAGE, content=raw, headers={**admin, "Content-Type": "application/json"})
    assert answer.status_code == 422
    assert field in answer.text
    assert counts(world)[0] == 0


def test_storage_conditions_are_an_admins_to_set_and_any_tokens_to_read(
    world: Database, client: TestClient, admin: Headers, token_for: Callable[..., Headers]
) -> None:
    body = {"min_c": 2, "max_c": 8}
    line, distributor = token_for("line"), token_for("distributor", "dist-a")
    assert [
        client.put(STORAGE, json=body, headers=headers).status_code
        for headers in (line, distributor, {})
    ] == [403, 403, 401]
    assert client.get(STORAGE, headers=line).status_code == 404
    assert client.put(STORAGE, json=body, headers=admin).status_code == 200
    assert [
        client.get(STORAGE, headers=headers).status_code
        for headers in (line, distributor, token_for("verifier"), {})
    ] == [200, 200, 200, 401]


def test_an_unknown_product_or_one_without_conditions_is_not_found(
    world: Database, client: TestClient, admin: Headers
) -> None:
    unknown = client.put(
        "/api/products/09506000134369/storage", json={"min_c": 2, "max_c": 8}, headers=admin
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404,
        "gtin: 09506000134369 is not a registered product",
    )
    none = client.get(f"/api/products/{OTHER_GTIN.value}/storage", headers=admin)
    assert (none.status_code, none.json()["detail"]) == (
        404,
        f"gtin: {OTHER_GTIN.value} has no storage conditions set",
    )


def test_the_verify_page_says_the_storage_conditions_once_they_are_set(
    world: Database, client: TestClient, admin: Headers
) -> None:
    page = f"/01/{GTIN.value}/21/S00001"
    html = {"Accept": "text/html"}
    assert "Storage" not in client.get(page, headers=html).text
    client.put(
        STORAGE,
        json={"min_c": 2, "max_c": 8, "excursion": {"min_c": 0, "max_c": 25, "max_minutes": 30}},
        headers=admin,
    )
    shown = client.get(page, headers=html).text
    assert (
        '<dt>Storage</dt><dd id="storage">Store at 2 °C to 8 °C. Down to 0 °C and up to '
        "25 °C is allowed for 30 minutes at most.</dd>"
    ) in shown
    assert "Storage" not in client.get(page, headers={"Accept": "application/json"}).text


# --- readings -------------------------------------------------------------------------------

TRIP = (
    "device,time,value,uom\n"
    "LOG-7,2026-03-01T08:00:00+01:00,4.2,CEL\n"
    "LOG-7,2026-03-01T07:10:00Z,39.2,FAH\n"
    "LOG-8,2026-03-01T07:00:00.250Z,278.15,KEL\n"
)


def test_a_csv_upload_stores_its_readings_in_celsius_and_a_second_skips_them(
    world: Database, client: TestClient, admin: Headers
) -> None:
    first = client.post("/api/sensor-readings", content=TRIP, headers={**admin, **CSV})
    assert first.status_code == 201, first.text
    assert first.json() == {
        "stored": 3,
        "skipped": 0,
        "devices": ["LOG-7", "LOG-8"],
        "from": "2026-03-01T07:00:00Z",
        "until": "2026-03-01T07:10:00Z",
        "judged": [],  # the loggers were attached to nothing
    }
    with world.unit_of_work(read_only=True) as uow:
        stored = uow.connection.execute(
            select(schema.sensor_devices.c.device, schema.sensor_readings.c.at_ms,
                   schema.sensor_readings.c.celsius)
            .join(schema.sensor_devices,
                  schema.sensor_devices.c.id == schema.sensor_readings.c.device_id)
            .order_by(schema.sensor_devices.c.device, schema.sensor_readings.c.at_ms)
        ).all()  # fmt: skip
    assert [tuple(row) for row in stored] == [
        ("LOG-7", 1772348400000, 4.2),
        ("LOG-7", 1772349000000, 4.0),
        ("LOG-8", 1772348400250, 5.0),
    ]
    more = TRIP + "LOG-7,2026-03-01T07:20:00Z,4.4,CEL\n"
    again = client.post("/api/sensor-readings", content=more, headers={**admin, **CSV})
    assert (again.status_code, again.json()["stored"], again.json()["skipped"]) == (201, 1, 3)
    device = client.get("/api/sensor-devices/LOG-7", headers=admin).json()
    assert device["readings"] == {
        "count": 3,
        "first": "2026-03-01T07:00:00Z",
        "last": "2026-03-01T07:20:00Z",
    }
    assert device["attachments"] == []


def test_a_json_upload_stores_as_the_csv_does(
    world: Database, client: TestClient, admin: Headers
) -> None:
    body = {
        "readings": [
            {"device": "LOG-9", "time": "2026-03-01T07:00:00Z", "value": 41, "uom": "FAH"},
            {"device": "LOG-9", "time": "2026-03-01T07:01:00Z", "value": 5.5, "uom": "CEL"},
            {"device": "LOG-9", "time": "2026-03-01T08:01:00+01:00", "value": 6, "uom": "CEL"},
        ]
    }
    answer = client.post("/api/sensor-readings", json=body, headers=admin)
    assert answer.json() == {
        "stored": 2,
        "skipped": 1,
        "devices": ["LOG-9"],
        "from": "2026-03-01T07:00:00Z",
        "until": "2026-03-01T07:01:00Z",
        "judged": [],
    }
    assert client.get("/api/sensor-devices/LOG-9", headers=admin).json()["readings"]["count"] == 2


@pytest.mark.parametrize(
    ("rows", "detail"),
    [
        ("LOG-7,2026-03-01T07:00:00,4.2,CEL",
         "row 2, time: '2026-03-01T07:00:00' has no UTC offset (add Z or +hh:mm, as the logger "
         "recorded it)"),
        ("LOG-7,yesterday,4.2,CEL", "row 2, time: 'yesterday' is not an ISO 8601 time"),
        ("LOG-7,2026-03-01T07:00:00Z,4.2,DEG",
         "row 2, uom: 'DEG' is not a temperature unit (UN/CEFACT codes: CEL, FAH, KEL)"),
        ("LOG-7,2026-03-01T07:00:00Z,warm,CEL", "row 2, value: 'warm' is not a number"),
        ("LOG-7,2026-03-01T07:00:00Z,nan,CEL",
         "row 2, value: 'nan' CEL is not a finite temperature"),
        ("LOG-7,2026-03-01T07:00:00Z,inf,CEL",
         "row 2, value: 'inf' CEL is not a finite temperature"),
        ("LOG-7,2026-03-01T07:00:00Z,1e308,FAH",
         "row 2, value: '1e308' FAH is not a finite temperature"),
        ("LOG-7,2026-03-01T07:00:00Z,-1,KEL",
         "row 2, value: '-1' KEL is below absolute zero (-273.15 °C)"),
        # infinite sums and means no JSON answer holds, ever after
        ("LOG-7,2026-03-01T07:00:00Z,1e308,CEL",
         "row 2, value: '1e308' CEL is hotter than any logger reads (10000 °C)"),
        ("LOG-7,2026-03-01T07:00:00Z,1.7e308,KEL",
         "row 2, value: '1.7e308' KEL is hotter than any logger reads (10000 °C)"),
        # instants the store could hold but no answer could tell in UTC
        ("LOG-7,0001-01-01T00:00:00+01:00,4,CEL",
         "row 2, time: '0001-01-01T00:00:00+01:00' falls off the calendar in UTC"),
        ("LOG-7,9999-12-31T23:59:59-01:00,4,CEL",
         "row 2, time: '9999-12-31T23:59:59-01:00' falls off the calendar in UTC"),
        ("LOG-7,9999-12-31T23:59:59.9999Z,4,CEL",
         "row 2, time: '9999-12-31T23:59:59.9999Z' falls off the calendar in UTC"),
        (",2026-03-01T07:00:00Z,4,CEL", "row 2, device: empty; name the logger"),
        (f"{'L' * 129},2026-03-01T07:00:00Z,4,CEL",
         "row 2, device: 129 characters, more than 128"),
        ("LOG-7,2026-03-01T07:00:00Z,4", "row 2: 3 fields, the header names 4"),
    ],
)  # fmt: skip
def test_one_bad_row_refuses_the_whole_upload_naming_the_row_and_field(
    world: Database, client: TestClient, admin: Headers, rows: str, detail: str
) -> None:
    before = counts(world)
    body = f"device,time,value,uom\nLOG-7,2026-03-01T06:00:00Z,4.0,CEL\n{rows}\n"
    answer = client.post("/api/sensor-readings", content=body, headers={**admin, **CSV})
    assert (answer.status_code, answer.json()["detail"]) == (422, detail)
    assert counts(world) == before


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"readings": [{"device": "L", "time": "2026-03-01T07:00:00Z", "value": "4",
                        "uom": "CEL"}]}, "readings[0].value: '4' is not a number"),
        ({"readings": [{"device": "L", "time": "2026-03-01T07:00:00Z", "value": True,
                        "uom": "CEL"}]}, "readings[0].value: True is not a number"),
        ({"readings": [{"device": "L", "time": "2026-03-01T07:00:00Z", "uom": "CEL"}]},
         "readings[0].value: missing"),
        ({"readings": [{"device": "L", "time": "2026-03-01T07:00:00Z", "value": 4,
                        "uom": "CEL", "note": "x"}]}, "readings[0].note: not a field of a "
         "reading"),
        ({"readings": [{"device": "L", "time": "2026-03-01T07:00:00Z", "value": 4,
                        "uom": "CEL"}, {"device": "L", "time": "2026-03-01T07:01:00",
                                        "value": 4, "uom": "CEL"}]},
         "readings[1], time: '2026-03-01T07:01:00' has no UTC offset (add Z or +hh:mm, as the "
         "logger recorded it)"),
        ({"readings": [{"device": "L", "time": "2026-03-01T07:00:00Z", "value": 10**400,
                        "uom": "CEL"}]}, "is not a number"),
        ({"readings": [{"device": "L", "time": "0001-01-01T00:00:00+01:00", "value": 4,
                        "uom": "CEL"}]}, "readings[0], time: '0001-01-01T00:00:00+01:00' falls "
         "off the calendar in UTC"),
        ({"readings": [{"device": "L", "time": "2026-03-01T07:00:00Z", "value": 1e308,
                        "uom": "CEL"}]}, "readings[0], value: 1e+308 CEL is hotter than any "
         "logger reads (10000 °C)"),
        ({"readings": []}, "readings: the upload holds no reading"),
        ({"reading": []}, 'readings: the body is {"readings": [{device, time, value, uom}]}'),
        ([], 'readings: the body is {"readings": [{device, time, value, uom}]}'),
    ],
)  # fmt: skip
def test_a_bad_json_upload_is_refused_naming_the_reading_and_field(
    world: Database, client: TestClient, admin: Headers, body: Any, detail: str
) -> None:
    before = counts(world)
    answer = client.post("/api/sensor-readings", json=body, headers=admin)
    assert answer.status_code == 422
    assert detail in answer.json()["detail"]
    assert counts(world) == before


@pytest.mark.parametrize(
    ("content", "kind", "detail"),
    [
        (b"device,time\n", "text/csv",
         "header: 'device,time' should name the columns device,time,value,uom (missing value, "
         "uom)"),
        (b"", "text/csv", "header: the file is empty; its first line names the columns"),
        # a million columns are said in their first few, not echoed whole
        (b"device,time,value,uom" + b",x" * 1_000_000 + b"\n", "text/csv",
         f"header: '{'device,time,value,uom' + ',x' * 49},…' should name the columns "
         "device,time,value,uom (unknown x, x, x, x, x and 999,995 more)"),
        (b"device,time,value,uom\n", "text/csv", "readings: the upload holds no reading"),
        (b"device,time,value,uom\n\xff\n", "text/csv", "body: not UTF-8 text (byte 22)"),
        (b"<readings/>", "application/xml",
         "content-type: application/xml; send text/csv or application/json"),
        (b"{", "application/json", "body: not JSON"),
    ],
)  # fmt: skip
def test_a_body_that_is_no_upload_is_refused(
    world: Database, client: TestClient, admin: Headers, content: bytes, kind: str, detail: str
) -> None:
    answer = client.post(
        "/api/sensor-readings", content=content, headers={**admin, "Content-Type": kind}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(detail)


def test_an_upload_may_be_a_whole_trip_but_no_more_than_64_mib(
    world: Database, client: TestClient, admin: Headers
) -> None:
    bodies = RequestBodies(lambda *_: None, Settings())  # type: ignore[arg-type]
    assert bodies.limit("/api/sensor-readings") == READINGS_MAX_BYTES == 64 * 1024 * 1024
    # a trip of 50,000 readings is over any other route's 1 MiB
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    trip = "device,time,value,uom\n" + "".join(
        f"LOG-7,{(start + dt.timedelta(seconds=10 * n)).isoformat()},{n % 9}.25,CEL\n"
        for n in range(50_000)
    )
    assert len(trip) > Settings().body_max_bytes
    answer = client.post("/api/sensor-readings", content=trip, headers={**admin, **CSV})
    assert (answer.status_code, answer.json()["stored"]) == (201, 50_000)
    before = counts(world)
    mebibyte = ("LOG-7,2026-03-01T00:00:00Z,4,CEL\n" * 32_768).encode()[: 1 << 20]
    over = client.post(
        "/api/sensor-readings",
        content=iter([mebibyte] * 65),  # sent chunked: counted as it arrives
        headers={**admin, **CSV},
    )
    assert (over.status_code, over.json()["detail"]) == (
        413,
        "the body is over the limit of 67,108,864 bytes for /api/sensor-readings; split the "
        "readings into several uploads",
    )
    assert counts(world) == before


def test_a_repeat_within_an_upload_is_skipped_as_one_stored_already(
    world: Database, client: TestClient, admin: Headers
) -> None:
    body = (
        "time,device,uom,value\n"
        "2026-03-01T07:00:00Z,LOG-7,CEL,4\n"
        "2026-03-01T09:00:00+02:00,LOG-7,CEL,4\n"
        "2026-03-01T07:01:00Z,LOG-7,CEL,5\n"
    )
    answer = client.post("/api/sensor-readings", content=body, headers={**admin, **CSV})
    assert (answer.json()["stored"], answer.json()["skipped"]) == (2, 1)


def test_uploads_are_admins_lines_and_distributors_and_say_who_sent_them(
    world: Database, client: TestClient, token_for: Callable[..., Headers]
) -> None:
    distributor = token_for("distributor", "dist-a")
    statuses = [
        client.post("/api/sensor-readings", content=TRIP, headers={**headers, **CSV}).status_code
        for headers in (token_for("verifier"), {}, distributor)
    ]
    assert statuses == [403, 401, 201]
    with world.unit_of_work(read_only=True) as uow:
        (line,) = uow.audit.of("2 devices")
    assert (line.action, line.details["party"], line.details["stored"]) == (
        "sensor_readings.uploaded",
        "dist-a",
        3,
    )


# --- attachments ----------------------------------------------------------------------------


def shipping_event_id(database: Database) -> str:
    with database.unit_of_work(read_only=True) as uow:
        found: str = uow.connection.execute(
            select(schema.epcis_events.c.event_id).where(
                schema.epcis_events.c.biz_step.like("%shipping")
            )
        ).scalar_one()
    return found


def other_event_id(database: Database) -> str:
    with database.unit_of_work(read_only=True) as uow:
        found: str = uow.connection.execute(
            select(schema.epcis_events.c.event_id)
            .where(schema.epcis_events.c.biz_step.like("%commissioning"))
            .limit(1)
        ).scalar_one()
    return found


def test_a_device_is_attached_to_a_container_a_unit_a_place_and_a_shipment(
    world: Database, client: TestClient, admin: Headers, token_for: Callable[..., Headers]
) -> None:
    shipment = shipping_event_id(world)
    made = [
        client.post("/api/sensor-devices/LOG-7/attachments", json=body, headers=admin)
        for body in (
            {"to": CASE_1, "from": "2026-03-01T08:00:00+01:00", "until": "2026-03-02T07:00:00Z"},
            {"to": code(6), "from": "2026-03-02T07:00:00Z"},
            {"location": DIST_A_GLN, "from": "2026-03-03T07:00:00Z"},
            {"shipment": shipment, "from": "2026-03-04T07:00:00Z"},
        )
    ]
    assert [answer.status_code for answer in made] == [201] * 4, made[-1].text
    device = client.get("/api/sensor-devices/LOG-7", headers=token_for("line")).json()
    assert device["device"] == "LOG-7"
    assert [
        {key: value for key, value in attachment.items() if key not in ("id", "created_by")}
        for attachment in device["attachments"]
    ] == [
        {"target_kind": "container", "target": "urn:epc:id:sgtin:9506000.113435.C1",
         "from": "2026-03-01T07:00:00Z", "until": "2026-03-02T07:00:00Z"},
        {"target_kind": "unit", "target": epc(6), "from": "2026-03-02T07:00:00Z",
         "until": None},
        {"target_kind": "location", "target": DIST_A_GLN, "from": "2026-03-03T07:00:00Z",
         "until": None},
        {"target_kind": "shipment", "target": shipment, "from": "2026-03-04T07:00:00Z",
         "until": None},
    ]  # fmt: skip
    assert {key: value for key, value in made[0].json().items() if key != "judged"} == (
        device["attachments"][0]
    )
    # the lot of the unit the device went on is judged: no readings yet, nothing to hold
    assert [(lot["lot"], lot["breaches"], lot["held"]) for lot in made[0].json()["judged"]] == [
        ("L1", 0, 0)
    ]
    assert device["readings"] == {"count": 0, "first": None, "last": None}


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"from": "2026-03-01T07:00:00Z"}, 422,
         "to, location, shipment: give exactly one (a container or unit code, a GLN, or a "
         "shipping event's eventID); none given"),
        ({"to": CASE_1, "location": DIST_A_GLN, "from": "2026-03-01T07:00:00Z"}, 422,
         "to, location, shipment: give exactly one (a container or unit code, a GLN, or a "
         "shipping event's eventID); to and location given"),
        ({"to": sscc(1), "from": "2026-03-01T07:00:00Z"}, 404,
         "to[0]: container urn:epc:id:sscc:9506000.0000000001 is not registered"),
        ({"to": f"(01){GTIN.value}(21)NOPE", "from": "2026-03-01T07:00:00Z"}, 404,
         f"to[0]: unit (01){GTIN.value}(21)NOPE is not registered"),
        ({"location": "9506000000016", "from": "2026-03-01T07:00:00Z"}, 422,
         "location: "),
        ({"location": "9506000000992", "from": "2026-03-01T07:00:00Z"}, 404,
         "location: GLN 9506000000992 is neither a registered party's, nor in the master "
         "data, nor named by any event"),
        ({"shipment": "urn:uuid:00000000-0000-4000-8000-000000000000",
          "from": "2026-03-01T07:00:00Z"}, 404,
         "shipment: no event has the eventID 'urn:uuid:00000000-0000-4000-8000-000000000000'"),
        ({"to": CASE_1, "from": "2026-03-01T07:00:00Z", "until": "2026-03-01T08:00:00+01:00"},
         422, "until: 2026-03-01T08:00:00+01:00 is not after from"),
        ({"to": CASE_1, "from": "2026-03-01T07:00:00"}, 422, "from"),
    ],
)  # fmt: skip
def test_an_attachment_to_nothing_known_is_refused_naming_the_field(
    world: Database,
    client: TestClient,
    admin: Headers,
    body: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    before = counts(world)
    answer = client.post("/api/sensor-devices/LOG-7/attachments", json=body, headers=admin)
    assert answer.status_code == status
    assert detail in answer.text
    assert counts(world) == before


def test_a_shipment_must_be_a_shipping_event(
    world: Database, client: TestClient, admin: Headers
) -> None:
    event_id = other_event_id(world)
    answer = client.post(
        "/api/sensor-devices/LOG-7/attachments",
        json={"shipment": event_id, "from": "2026-03-01T07:00:00Z"},
        headers=admin,
    )
    assert (answer.status_code, answer.json()["detail"]) == (
        422,
        f"shipment: event {event_id} is a commissioning ObjectEvent, not a shipping event",
    )


def test_attaching_is_an_admins_or_lines_and_an_unknown_device_is_not_found(
    world: Database, client: TestClient, admin: Headers, token_for: Callable[..., Headers]
) -> None:
    body = {"to": CASE_1, "from": "2026-03-01T07:00:00Z"}
    path = "/api/sensor-devices/LOG-7/attachments"
    assert [
        client.post(path, json=body, headers=headers).status_code
        for headers in (token_for("distributor", "dist-a"), token_for("verifier"), {})
    ] == [403, 403, 401]
    missing = client.get("/api/sensor-devices/LOG-7", headers=admin)
    assert (missing.status_code, missing.json()["detail"]) == (
        404,
        "device: 'LOG-7' is not a registered sensor device",
    )
    assert client.post(path, json=body, headers=token_for("line")).status_code == 201
    assert client.get("/api/sensor-devices/LOG-7", headers=admin).status_code == 200
