"""``unitrace coldchain``: storage conditions set and shown, a logger's file uploaded and a
logger attached print, with ``--json``, what the routes answer; bad input exits 2 naming the
option, or the file's row and field, and stores nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.api.conftest import admin, client, token_for
from tests.test_cli_api import GTIN, api, brand, cli, codes, runner
from unitrace.cli import app
from unitrace.store import schema
from unitrace.store.unit_of_work import Database

__all__ = ["admin", "brand", "client", "token_for"]  # the fixtures, used here

Headers = dict[str, str]


def readings_count(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return int(
            uow.connection.execute(
                select(func.count()).select_from(schema.sensor_readings)
            ).scalar_one()
        )


def test_conditions_set_and_show_print_the_routes_answer(brand: TestClient, admin: Headers) -> None:
    made = cli(
        "coldchain", "conditions", "set", GTIN, "--min-c", "-25", "--max-c", "-15",
        "--excursion-min-c", "-30", "--excursion-max-c", "-10", "--excursion-max-minutes", "90",
        "--delta-h-over-r", "12000",
    )  # fmt: skip
    read = api(brand, admin, "GET", f"/api/products/{GTIN}/storage")
    assert made == read == cli("coldchain", "conditions", "show", GTIN)
    assert (made["mkt"], made["in_words"]) == (
        {"max_c": -15.0, "window": "24h", "delta_h_over_r": 12000.0},
        "Store at -25 °C to -15 °C. Down to -30 °C and up to -10 °C is allowed for 90 "
        "minutes at most.",
    )
    shown = runner.invoke(app, ["coldchain", "conditions", "show", GTIN])
    assert shown.stdout == (
        f"{GTIN}: {made['in_words']}\n"
        "mean kinetic temperature at most -15 °C over 24h, ΔH/R 12000 K\n"
    )


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["conditions", "set", GTIN, "--min-c", "8", "--max-c", "2"],
         "error: max_c: 2.0 is not above min_c 8.0\n"),
        (["conditions", "set", GTIN, "--min-c", "2", "--max-c", "8", "--excursion-max-c", "25"],
         "error: --excursion-min-c, --excursion-max-minutes: an excursion needs all three "
         "parts\n"),
        (["conditions", "set", GTIN, "--min-c", "2", "--max-c", "8", "--mkt-window", "1y"],
         "error: mkt.window: '1y' is not one of 24h, 30d\n"),
        (["conditions", "set", GTIN, "--min-c", "nan", "--max-c", "8"],
         "error: min_c: nan is not a finite temperature\n"),
        (["conditions", "set", "09506000134369", "--min-c", "2", "--max-c", "8"],
         "error: gtin: 09506000134369 is not a registered product\n"),
        (["conditions", "show", GTIN], f"error: gtin: {GTIN} has no storage conditions set\n"),
        (["attach", "LOG-1", "--from", "2026-03-01T07:00:00"],
         "error: --from: '2026-03-01T07:00:00' has no UTC offset (add Z or +hh:mm)\n"),
        (["attach", "LOG-1", "--from", "2026-03-01T07:00:00Z"],
         "error: to, location, shipment: give exactly one (a container or unit code, a GLN, "
         "or a shipping event's eventID); none given\n"),
        (["attach", "LOG-1", "--location", "9506000000992", "--from", "2026-03-01T07:00:00Z"],
         "error: location: GLN 9506000000992 is neither a registered party's, nor in the "
         "master data, nor named by any event\n"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_option(
    brand: TestClient, arguments: list[str], line: str
) -> None:
    result = runner.invoke(app, ["coldchain", *arguments])
    assert (result.exit_code, result.stderr) == (2, line)


def test_an_upload_of_one_loggers_file_prints_what_it_stored(
    brand: TestClient, admin: Headers, database: Database, tmp_path: Path
) -> None:
    trip = tmp_path / "trip.csv"
    trip.write_text(
        "time,value,uom\n2026-03-01T07:00:00Z,4.5,CEL\n2026-03-01T07:10:00Z,41,FAH\n",
        encoding="utf-8",
    )
    assert cli("coldchain", "upload", str(trip), "--device", "LOG-1") == {
        "stored": 2,
        "skipped": 0,
        "devices": ["LOG-1"],
        "from": "2026-03-01T07:00:00Z",
        "until": "2026-03-01T07:10:00Z",
        "judged": [],
    }
    again = runner.invoke(app, ["coldchain", "upload", str(trip), "--device", "LOG-1"])
    assert (again.exit_code, again.stdout) == (
        0,
        "stored 0 readings, skipped 2 held already, of LOG-1 from 2026-03-01T07:00:00+00:00 "
        "until 2026-03-01T07:10:00+00:00\n",
    )
    assert api(brand, admin, "GET", "/api/sensor-devices/LOG-1")["readings"]["count"] == 2


def test_an_upload_of_many_loggers_file_stores_each(
    brand: TestClient, database: Database, tmp_path: Path
) -> None:
    trip = tmp_path / "trip.csv"
    trip.write_text(
        "\ufeffdevice,time,value,uom\r\nA,2026-03-01T07:00:00Z,4,CEL\r\n"
        "B,2026-03-01T07:00:00Z,277.15,KEL\r\n",
        encoding="utf-8",
    )
    landed = cli("coldchain", "upload", str(trip))
    assert (landed["stored"], landed["devices"]) == (2, ["A", "B"])
    assert readings_count(database) == 2


@pytest.mark.parametrize(
    ("content", "device", "line"),
    [
        ("time,value,uom\n2026-03-01T07:00:00Z,4,CEL\n2026-03-01T07:01:00Z,4,C\n", "LOG-1",
         "error: row 2, uom: 'C' is not a temperature unit (UN/CEFACT codes: CEL, FAH, KEL)\n"),
        ("device,time,value,uom\nA,2026-03-01T07:00:00Z,4,CEL\n", "LOG-1",
         "error: header: 'device,time,value,uom' should name the columns time,value,uom "
         "(unknown device)\n"),
        ("time,value,uom\n2026-03-01T07:00:00Z,4,CEL\n", " ",
         "error: --device: empty; name the logger\n"),
    ],
)  # fmt: skip
def test_a_bad_file_exits_2_naming_the_row_and_stores_nothing(
    brand: TestClient,
    database: Database,
    tmp_path: Path,
    content: str,
    device: str,
    line: str,
) -> None:
    trip = tmp_path / "trip.csv"
    trip.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["coldchain", "upload", str(trip), "--device", device])
    assert (result.exit_code, result.stderr) == (2, line)
    assert readings_count(database) == 0


def test_a_missing_or_binary_file_exits_2(brand: TestClient, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["coldchain", "upload", str(tmp_path / "none.csv")])
    assert (missing.exit_code, missing.stderr) == (
        2,
        f"error: {tmp_path / 'none.csv'}: No such file or directory\n",
    )
    binary = tmp_path / "trip.csv"
    binary.write_bytes(b"time,value,uom\n\xff\xfe\n")
    refused = runner.invoke(app, ["coldchain", "upload", str(binary), "--device", "L"])
    assert (refused.exit_code, refused.stderr) == (
        2,
        f"error: {binary}: not UTF-8 text (byte 15)\n",
    )


def test_attach_prints_the_routes_answer(brand: TestClient, admin: Headers) -> None:
    unit = codes(brand, admin, 2)[0]
    made = cli(
        "coldchain", "attach", "LOG-1", "--to", unit, "--from", "2026-03-01T08:00:00+01:00",
        "--until", "2026-03-02T07:00:00Z",
    )  # fmt: skip
    device = api(brand, admin, "GET", "/api/sensor-devices/LOG-1")
    assert device["attachments"] == [{key: made[key] for key in made if key != "judged"}]
    assert [(lot["breaches"], lot["held"]) for lot in made["judged"]] == [(0, 0)]
    assert (made["target_kind"], made["from"], made["until"], made["created_by"]) == (
        "unit",
        "2026-03-01T07:00:00Z",
        "2026-03-02T07:00:00Z",
        "cli",
    )


def test_an_upload_judges_and_show_prints_what_the_route_answers(
    brand: TestClient, admin: Headers, database: Database, tmp_path: Path
) -> None:
    import datetime as dt

    from tests.services.issued_units import ADMIN as SERVICE_ADMIN
    from unitrace.gs1 import Gtin
    from unitrace.services.lifecycle import commission

    with database.unit_of_work() as uow:
        commission(
            uow,
            gtin=Gtin(GTIN),
            lot="L1",
            seq_from=1,
            seq_to=2,
            actor=SERVICE_ADMIN,
            at=dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC),
        )
        uow.commit()
    unit = codes(brand, admin, 1)[0]
    cli("coldchain", "conditions", "set", GTIN, "--min-c", "2", "--max-c", "8")
    cli("coldchain", "attach", "LOG-1", "--to", unit, "--from", "2026-03-01T07:00:00Z")
    trip = tmp_path / "trip.csv"
    trip.write_text(
        "time,value,uom\n"
        + "".join(
            f"2026-03-01T{7 + n // 6:02d}:{n % 6 * 10:02d}:00Z,{12 if n == 3 else 5},CEL\n"
            for n in range(12)
        ),
        encoding="utf-8",
    )
    uploaded = runner.invoke(app, ["coldchain", "upload", str(trip), "--device", "LOG-1"])
    assert uploaded.exit_code == 0, uploaded.output
    assert uploaded.stdout.splitlines()[-1] == (
        "lot L1 of 09506000134352: breach 1, none 1; 1 excursions recorded, 1 breaches, "
        "1 units put on hold"
    )
    shown = cli("coldchain", "show", unit)
    asked = api(brand, admin, "GET", f"/api/cold-chain?code={unit}")
    # the unit is still in the chain: its time runs to the moment each was asked
    assert _to_then(shown) == _to_then(asked)
    assert (shown["verdict"], shown["max_c"], [e["peak_c"] for e in shown["excursions"]]) == (
        "breach",
        12.0,
        [12.0],
    )
    printed = runner.invoke(app, ["coldchain", "show", unit])
    assert printed.stdout.splitlines()[0] == f"unit {shown['epc']}: breach"
    again = runner.invoke(app, ["coldchain", "judge", unit])
    assert again.stdout == (
        "lot L1 of 09506000134352: breach 1, none 1; 0 excursions recorded, 0 breaches, "
        "0 units put on hold\n"
    )


def _to_then(answer: dict[str, Any]) -> dict[str, Any]:
    """An exposure without the ends that run to now."""
    return {
        **answer,
        "until": None,
        "periods": [{**period, "until": None} for period in answer["periods"]],
        "gaps": [{**gap, "until": None, "minutes": None} for gap in answer["gaps"]],
    }
