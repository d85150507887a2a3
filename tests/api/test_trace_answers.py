"""The trace CSV (:mod:`unitrace.api.trace_answers`): a value a spreadsheet would run as a
formula is written inert, with a leading ``'``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.console_client import signed_in_client
from tests.services.issued_units import ADMIN, EXPIRY, GTIN, issue
from tests.services.lifecycle.conftest import scene, world  # noqa: F401 - the scene's fixtures
from tests.services.lifecycle.scenes import done
from unitrace.api.trace_answers import csv_lines, csv_values
from unitrace.services.catalog import register_lot
from unitrace.services.trace import TraceRow
from unitrace.store.unit_of_work import Database, UnitOfWork

Headers = Callable[..., dict[str, str]]


def _row(value: str) -> TraceRow:
    return TraceRow(GTIN.value, value, value, "active", value, value, "brand", value, None)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_value_a_spreadsheet_would_run_is_written_inert(start: str) -> None:
    value = f'{start}HYPERLINK("x")'
    values = csv_values(_row(value))
    assert values == [GTIN.value, "'" + value, "'" + value, "active"] + ["'" + value] * 2 + [
        "brand",
        "'" + value,
        "",
    ]
    written = list(csv.reader(io.StringIO("".join(csv_lines([_row(value)])))))
    assert written[1][2] == "'" + value


def test_a_plain_value_is_written_as_it_is() -> None:
    assert csv_values(_row("L-1=2"))[1:3] == ["L-1=2", "L-1=2"]


def _lot_of_one_unit(database: Database, lot: str) -> None:
    def build(uow: UnitOfWork) -> None:
        register_lot(uow, gtin=GTIN.value, lot=lot, expiry=EXPIRY, actor=ADMIN)
        issue(uow, GTIN, lot, 1, ["F1"])

    done(database, build)


def test_a_lot_named_as_a_formula_comes_out_inert_in_the_trace_csv(
    scene: Database,  # noqa: F811 - the scene fixture
    client: TestClient,
    token_for: Headers,
) -> None:
    lot = '=HYPERLINK("x")'
    _lot_of_one_unit(scene, lot)
    answer = client.get(
        "/api/trace",
        params={"gtin": GTIN.value, "lot": lot, "format": "csv"},
        headers=token_for("admin"),
    )
    assert answer.status_code == 200, answer.text
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert [(row[1], row[2]) for row in rows[1:]] == [("F1", "'" + lot)]


def test_the_consoles_trace_csv_writes_a_formula_inert_too(
    scene: Database,  # noqa: F811 - the scene fixture
) -> None:
    lot = "=1+2"
    _lot_of_one_unit(scene, lot)
    client = signed_in_client(scene, "admin", None).client
    answer = client.get("/console/trace.csv", params={"code": f"(01){GTIN.value}(10){lot}"})
    assert answer.status_code == 200, answer.text
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert [(row[1], row[2]) for row in rows[1:]] == [("F1", "'" + lot)]
