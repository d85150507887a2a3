"""``GET /api/exports/fsma204``: the CSV (formula-safe) and the XLSX read back with openpyxl,
on events captured through EPCIS capture; who may ask; what it refuses, changing nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.services.fsma_scene import build_fsma_scene
from tests.services.issued_units import GTIN
from tests.services.test_fsma204 import CASE_SHIPPED, MADE, PACKED, RECEIVED, SHIPPED
from tests.services.test_fsma204_merged import captured
from unitrace.api.fsma204_sheets import csv_text, xlsx_bytes
from unitrace.api.trace_answers import FORMULA_STARTS, inert_cell
from unitrace.services.exports.fsma204 import COLUMNS, Fsma204Row
from unitrace.store.schema import epcis_events
from unitrace.store.unit_of_work import Database

Headers = Callable[..., dict[str, str]]
L1 = {"gtin": GTIN.value, "lot": "L1"}


@pytest.fixture
def scene(database: Database) -> Database:
    return build_fsma_scene(database)


def _text(row: tuple[object, ...]) -> list[str]:
    """A row as the CSV writes it: numbers as text, a cell a formula could start with
    inert."""
    return [("'" + str(value)) if str(value).startswith("=") else str(value) for value in row]


def test_the_csv_has_a_row_per_event(
    scene: Database, client: TestClient, admin: dict[str, str]
) -> None:
    answer = client.get("/api/exports/fsma204", params=L1, headers=admin)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="fsma204-{GTIN.value}-L1.csv"'
    )
    table = list(csv.reader(io.StringIO(answer.text, newline="")))
    assert table == [
        list(COLUMNS),
        *(_text(row) for row in (PACKED, MADE, SHIPPED, CASE_SHIPPED, RECEIVED)),
    ]
    # the shipment's reference number starts with "=": written inert
    assert table[3][COLUMNS.index("Reference Document Number")] == "'=ASN5; PO-77"


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_lots_units_shipped_one_by_one_are_one_row(
    database: Database, client: TestClient, admin: dict[str, str], format: str
) -> None:
    """Five units shipped one event each, the same day from the same place under the same
    order, are one Shipping row of 5; the sixth, under another order, a row of its own."""
    from tests.services.fsma_scene import DIST_A_PARTY, PLANT

    alike = {"step": "shipping", "at": "2026-03-02T09:00:00+08:00", "place": PLANT,
             "order": "PO-1", "to": DIST_A_PARTY, "kilos": None}  # fmt: skip
    events = [
        {**alike, "at": f"2026-03-02T09:0{seq}:00+08:00", "units": {seq}} for seq in range(1, 6)
    ]
    events.append({**alike, "order": "PO-2", "units": {6}})
    captured(database, events)
    answer = client.get("/api/exports/fsma204", params={**L1, "format": format}, headers=admin)
    assert answer.status_code == 200
    if format == "csv":
        table = list(csv.reader(io.StringIO(answer.text, newline="")))
    else:
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert sheet is not None
        table = [
            ["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    wanted = [
        "Critical Tracking Event (CTE)",
        "Event Time",
        "Quantity",
        "Reference Document Number",
        "EPCIS Event ID",
    ]
    at = [COLUMNS.index(name) for name in wanted]
    first = "urn:uuid:f5a20400-0000-4000-8000-00000000000"
    assert [[row[n] for n in at] for row in table] == [
        wanted,
        ["Initial Packing", "09:00:00+08:00", "8", "", first[:-11] + "100000000000"],
        ["Shipping", "09:00:00+08:00", "1", "PO-2", first + "6"],
        ["Shipping", "09:01:00+08:00", "5", "PO-1", first + "1 (+4 more)"],
    ]


def test_the_xlsx_reads_back_whole(
    scene: Database, client: TestClient, admin: dict[str, str]
) -> None:
    answer = client.get("/api/exports/fsma204", params={**L1, "format": "xlsx"}, headers=admin)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    read = [
        tuple("" if cell is None else cell for cell in row)
        for row in sheet.iter_rows(values_only=True)
    ]
    assert read == [COLUMNS, PACKED, MADE, SHIPPED, CASE_SHIPPED, RECEIVED]
    # a text starting with "=" is a text cell, not a formula
    assert sheet.cell(row=4, column=COLUMNS.index("Reference Document Number") + 1).data_type == "s"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:T6"


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_lot_with_no_events_is_the_header_alone(
    scene: Database, client: TestClient, admin: dict[str, str], format: str
) -> None:
    answer = client.get(
        "/api/exports/fsma204",
        params={"gtin": GTIN.value, "lot": "NONE", "format": format},
        headers=admin,
    )
    assert answer.status_code == 200
    if format == "csv":
        assert answer.text == ",".join(COLUMNS) + "\r\n"
    else:
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert list(sheet.iter_rows(values_only=True)) == [COLUMNS]


@pytest.mark.parametrize(
    ("parameters", "detail"),
    [
        ({"lot": "L1"}, "lot: a lot needs its product: give gtin as well"),
        ({"gtin": "09506000134353", "lot": "L1"}, "gtin: "),
        ({**L1, "from": "2026-03-04", "to": "2026-03-03"}, "from: 2026-03-04 is after to: 2026-03-03"),
        ({**L1, "from": "yesterday"}, "from: 'yesterday' is not a date (YYYY-MM-DD)"),
        ({**L1, "format": "pdf"}, "format: 'pdf' is neither csv nor xlsx"),
        ({"gtin": GTIN.value, "lot": "Ä1"}, "lot: AI (10): 'Ä' at position 1 is not in GS1 character set 82"),
        ({}, "gtin: give the GTIN of the food whose traceability lots to list"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_and_changes_nothing(
    scene: Database,
    client: TestClient,
    admin: dict[str, str],
    parameters: dict[str, str],
    detail: str,
) -> None:
    before = _event_count(scene)
    answer = client.get("/api/exports/fsma204", params=parameters, headers=admin)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"].startswith(detail)
    assert _event_count(scene) == before


@pytest.mark.parametrize(("role", "party"), [("line", None), ("verifier", None)])
def test_a_line_or_verifier_token_is_refused(
    scene: Database, client: TestClient, token_for: Headers, role: str, party: str | None
) -> None:
    answer = client.get("/api/exports/fsma204", params=L1, headers=token_for(role, party))
    assert answer.status_code == 403
    assert answer.json()["detail"] == (
        f"a {role} may not export the FSMA 204 spreadsheet; needs admin or distributor"
    )


@pytest.mark.parametrize(("party", "events"), [("dist-a", [5, 6, 8, 9]), ("dist-b", [5, 6, 12])])
def test_a_distributor_gets_its_view(
    scene: Database, client: TestClient, token_for: Headers, party: str, events: list[int]
) -> None:
    answer = client.get("/api/exports/fsma204", params=L1, headers=token_for("distributor", party))
    assert answer.status_code == 200
    table = list(csv.DictReader(io.StringIO(answer.text, newline="")))
    assert [row["EPCIS Event ID"] for row in table] == [
        f"urn:uuid:f5a20400-0000-4000-8000-{n:012d}" for n in events
    ]


def test_a_caller_without_a_token_is_refused(scene: Database, client: TestClient) -> None:
    assert client.get("/api/exports/fsma204", params=L1).status_code == 401


def _event_count(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return len(uow.connection.execute(epcis_events.select()).all())


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_every_text_reads_back_from_the_csv_as_written_inert(text: str) -> None:
    row = Fsma204Row(
        cte="Shipping", date="2026-03-03", time="08:00:00+08:00", tlc=text, gtin=GTIN.value,
        product=text, quantity=1, unit_of_measure="each", document_number=text,
    )  # fmt: skip
    (header, read) = list(csv.reader(io.StringIO(csv_text([row]), newline="")))
    assert header == list(COLUMNS)
    assert read[3] == read[5] == read[18] == inert_cell(text)
    assert not read[3].startswith(FORMULA_STARTS)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_every_text_reads_back_from_the_workbook_without_its_control_characters(
    text: str,
) -> None:
    row = Fsma204Row(
        cte="Shipping", date="2026-03-03", time="08:00:00+08:00", tlc=text, gtin=GTIN.value,
        product=text, quantity=1, unit_of_measure="each", document_number=text,
    )  # fmt: skip
    sheet = load_workbook(io.BytesIO(xlsx_bytes([row]))).active
    assert sheet is not None
    (_, read) = list(sheet.iter_rows(values_only=True))
    kept = "".join(c for c in text if not ("\x00" <= c <= "\x08" or "\x0b" <= c <= "\x0c"
                                         or "\x0e" <= c <= "\x1f"))  # fmt: skip
    assert [read[3], read[5], read[18]] == [kept or None] * 3
