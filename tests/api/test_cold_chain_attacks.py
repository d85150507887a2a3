"""The cold chain under attack: times and temperatures at the edges of what can be written,
loggers that measured nothing, device names a path cannot carry, and sensor reports whose
numbers add up to infinity. Each is refused naming the field and changes nothing, or is
answered; none is a 500, and no breach is hidden."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.cold_chain_pictures import registered, steady_trip
from tests.api.test_cold_chain import scene
from tests.api.test_cold_chain_intake import counts
from tests.services.cold_chain.scene import MINUTE, RECEIVED, every, logged, set_conditions
from tests.services.cold_chain.test_exposure import COLD
from tests.services.issued_units import T0
from tests.services.lifecycle.scenes import HOUR, PALLET, PALLET_EPC, code, epc
from tests.services.test_epcis_capture_sensor_data import document
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_capture import capture
from unitrace.store.unit_of_work import Database
from unitrace.store.units.selections import LotRange

Headers = dict[str, str]
CSV = {"Content-Type": "text/csv"}
#: the cold chain tests' trip, PAL-1 reading 11 °C on the pallet for 20 minutes: a breach
__all__ = ["scene"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"to": PALLET, "from": "0001-01-01T00:00:00+01:00"},
         "from: 0001-01-01T00:00:00+01:00 falls off the calendar in UTC"),
        ({"to": PALLET, "from": "2026-03-02T00:00:00Z", "until": "9999-12-31T23:59:59-01:00"},
         "until: 9999-12-31T23:59:59-01:00 falls off the calendar in UTC"),
        ({"to": PALLET, "from": "2026-03-02T00:00:00Z", "until": "9999-12-31T23:59:59.999900Z"},
         "until: 9999-12-31T23:59:59.999900+00:00 falls off the calendar in UTC"),
    ],
)  # fmt: skip
def test_an_attachment_beyond_the_calendar_is_refused_naming_the_field(
    scene: Database, client: TestClient, admin: Headers, body: dict[str, str], detail: str
) -> None:
    before = counts(scene)
    answer = client.post("/api/sensor-devices/NEW-1/attachments", json=body, headers=admin)
    assert (answer.status_code, answer.json()["detail"]) == (422, detail)
    assert counts(scene) == before
    assert client.get("/api/sensor-devices/PAL-1", headers=admin).status_code == 200


def verdict(client: TestClient, headers: Headers, code_: str) -> Any:
    answer = client.get("/api/cold-chain", params={"code": code_}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["verdict"]


def test_a_silent_logger_on_the_unit_hides_no_breach_its_pallet_logger_read(
    scene: Database, client: TestClient, admin: Headers
) -> None:
    assert verdict(client, admin, code(1)) == "breach"
    attached = client.post(
        "/api/sensor-devices/DEAD-1/attachments",
        json={"to": code(1), "from": "2026-03-02T00:00:00Z"},
        headers=admin,
    )
    assert attached.status_code == 201, attached.text
    assert verdict(client, admin, code(1)) == "breach"


def test_a_second_logger_on_the_pallet_hides_no_breach_the_first_read(
    scene: Database, client: TestClient, admin: Headers
) -> None:
    logged(
        scene,
        "A-1",
        kind="container",
        target=PALLET_EPC,
        attached=(T0 + HOUR, RECEIVED),
        readings=every(T0 + HOUR, RECEIVED, 5 * MINUTE, lambda _: 5.0),
    )
    assert verdict(client, admin, PALLET) == "breach"


def test_a_device_named_with_a_slash_can_be_attached_and_read(
    scene: Database, client: TestClient, admin: Headers
) -> None:
    device = "truck/7"
    body = f"device,time,value,uom\n{device},2026-03-02T05:00:00Z,4,CEL\n"
    uploaded = client.post("/api/sensor-readings", content=body, headers={**admin, **CSV})
    assert uploaded.status_code == 201, uploaded.text
    attached = client.post(
        "/api/sensor-devices/truck%2F7/attachments",
        json={"to": PALLET, "from": "2026-03-02T04:00:00Z", "until": "2026-03-02T06:00:00Z"},
        headers=admin,
    )
    assert attached.status_code == 201, attached.text
    found = client.get("/api/sensor-devices/truck%2F7", headers=admin)
    assert found.json()["readings"]["count"] == 1


def test_a_captured_report_adding_up_to_infinity_leaves_the_cold_chain_answered(
    scene: Database, client: TestClient, admin: Headers
) -> None:
    report = {"type": "Temperature", "minValue": 1.7e308, "maxValue": 1.7e308, "uom": "CEL",
              "time": "2026-03-02T05:30:00Z"}  # fmt: skip
    event = {
        "type": "ObjectEvent",
        "eventID": "urn:example:event:hot",
        "eventTime": "2026-03-02T05:30:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": [epc(1)],
        "sensorElementList": [{"sensorReport": [report]}],
    }
    with scene.unit_of_work() as uow:
        capture(uow, document(event), actor=Actor("partner", Role.ADMIN))
        uow.commit()
    # the impossible report is no reading: unit 1's figures are its loggers' alone
    answer = client.get("/api/cold-chain", params={"code": code(1)}, headers=admin)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert (found["verdict"], found["min_c"], found["max_c"]) == ("breach", 4.0, 11.0)


def test_an_upload_at_the_calendar_edges_leaves_the_device_readable(
    scene: Database, client: TestClient, admin: Headers
) -> None:
    """The first and last milliseconds the calendar holds in UTC are stored and told."""
    body = (
        "device,time,value,uom\n"
        "EDGE-1,0001-01-01T00:00:00Z,4,CEL\n"
        "EDGE-1,9999-12-31T23:59:59.999Z,4,CEL\n"
    )
    uploaded = client.post("/api/sensor-readings", content=body, headers={**admin, **CSV})
    assert uploaded.status_code == 201, uploaded.text
    assert (uploaded.json()["from"], uploaded.json()["until"]) == (
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999000Z",
    )
    found = client.get("/api/sensor-devices/EDGE-1", headers=admin).json()["readings"]
    assert found == {
        "count": 2,
        "first": "0001-01-01T00:00:00Z",
        "last": "9999-12-31T23:59:59.999000Z",
    }
    assert dt.datetime.fromisoformat(found["last"]).year == 9999


def test_a_distributor_uploads_no_readings_for_a_logger_on_goods_it_never_held(
    database: Database, client: TestClient, token_for: Callable[..., Headers], admin: Headers
) -> None:
    steady_trip(database, conditions=True, loggers=True)
    dist_b = token_for("distributor", "dist-b")
    before = counts(database)
    body = "device,time,value,uom\nPAL-1,2026-03-02T03:02:30Z,30,CEL\n"
    answer = client.post("/api/sensor-readings", content=body, headers={**dist_b, **CSV})
    assert answer.status_code == 403, answer.text
    assert counts(database) == before
    assert verdict(client, admin, PALLET) == "within"


def test_readings_sent_first_by_another_party_keep_no_logger_reading_out(
    database: Database, client: TestClient, token_for: Callable[..., Headers], admin: Headers
) -> None:
    steady_trip(database, conditions=True, loggers=False)
    line = token_for("line")
    attached = client.post(
        "/api/sensor-devices/TRUCK-9/attachments",
        json={"to": PALLET, "from": "2026-03-02T02:00:00Z", "until": "2026-03-02T11:00:00Z"},
        headers=line,
    )
    assert attached.status_code == 201, attached.text

    def trip(degrees: float) -> str:
        return "device,time,value,uom\n" + "".join(
            f"TRUCK-9,2026-03-02T{hour:02d}:{minute:02d}:00Z,{degrees},CEL\n"
            for hour in range(2, 11)
            for minute in range(0, 60, 5)
        )

    dist_b = token_for("distributor", "dist-b")
    client.post("/api/sensor-readings", content=trip(5.0), headers={**dist_b, **CSV})
    logger = client.post("/api/sensor-readings", content=trip(30.0), headers={**line, **CSV})
    assert logger.status_code == 201, logger.text
    assert verdict(client, admin, PALLET) == "breach"


def test_an_excursion_carried_past_its_allowance_by_the_next_upload_holds_its_units(
    database: Database, client: TestClient, token_for: Callable[..., Headers], admin: Headers
) -> None:
    registered(database)
    set_conditions(database, COLD)  # 2 to 8 °C; 0 to 10 °C allowed for 60 minutes
    logged(database, "TRUCK-9", kind="container", target=PALLET_EPC,
           attached=(T0 + HOUR, RECEIVED), readings=[])  # fmt: skip
    line = token_for("line")

    def part(start: dt.datetime, end: dt.datetime, warm: tuple[dt.datetime, dt.datetime]) -> str:
        """Every 5 minutes from ``start`` to ``end``: 9 °C within ``warm``, else 5 °C."""
        return "device,time,value,uom\n" + "".join(
            f"TRUCK-9,{at.isoformat()},{9 if warm[0] <= at < warm[1] else 5},CEL\n"
            for at, _ in every(start, end, 5 * MINUTE, lambda _: 0.0)
        )

    warm = (T0 + 3 * HOUR, T0 + 4 * HOUR + 15 * MINUTE)  # 75 minutes at 9 °C
    cut = T0 + 3 * HOUR + 35 * MINUTE  # the first upload ends 35 minutes into it
    first = client.post(
        "/api/sensor-readings", content=part(T0 + HOUR, cut, warm), headers={**line, **CSV}
    )
    assert [lot["verdicts"] for lot in first.json()["judged"]] == [{"allowed_excursion": 10}]
    second = client.post(
        "/api/sensor-readings", content=part(cut, RECEIVED, warm), headers={**line, **CSV}
    )
    assert second.status_code == 201, second.text
    assert verdict(client, admin, PALLET) == "breach"
    with database.unit_of_work(read_only=True) as uow:
        held = uow.holds.held(LotRange(1, 1, 1, 10))
    assert held is not None
    assert held.count == 10


@pytest.mark.parametrize(
    "named",
    [
        "https://id.gs1.org/01/09506000134352/21/S00001",
        "https://id.gs1.org/00/195060000000000012",
    ],
)
def test_sensor_reports_of_an_event_naming_its_objects_by_digital_link_are_judged(
    database: Database, client: TestClient, admin: Headers, named: str
) -> None:
    steady_trip(database, conditions=True, loggers=False)
    hot = [
        {"type": "Temperature", "time": f"2026-03-02T05:{minute:02d}:00Z", "value": 30,
         "uom": "CEL"}
        for minute in range(0, 60, 5)
    ]  # fmt: skip
    event = {
        "type": "ObjectEvent",
        "eventID": "urn:example:event:hot-hour",
        "eventTime": "2026-03-02T06:00:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": [named],
        "sensorElementList": [
            {"sensorMetadata": {"deviceID": "urn:epc:id:giai:0614141.D1"}, "sensorReport": hot}
        ],
    }
    with database.unit_of_work() as uow:
        assert capture(uow, document(event), actor=Actor("partner", Role.ADMIN)).problems == ()
        uow.commit()
    assert verdict(client, admin, code(1)) == "breach"
