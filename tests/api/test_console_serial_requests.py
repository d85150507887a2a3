"""The console's serial requests: who may issue them, the form checked as
``POST /api/serial-requests`` checks it (its messages next to the field, nothing recorded on a
refusal), a request issued in the background and followed to its page, and its files."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.api.console_catalog_world import (
    SETUP,
    VITAMIN,
    ZINC,
    SignIn,
    anonymous,
    catalog_world,
    console_app,
    field_errors,
    form_token,
    page_text,
    quick_passwords,
    sign_in,
    table_rows,
)
from unitrace.gs1 import parse
from unitrace.registry.model import Actor, Role
from unitrace.services import lifecycle
from unitrace.services.serial_request_jobs import run_serial_request_job, submit_serial_request
from unitrace.store.serial_request_jobs import JobStatus
from unitrace.store.unit_of_work import Database

__all__ = ["anonymous", "catalog_world", "console_app", "quick_passwords", "sign_in"]  # fixtures

BASE = "/console/serial-requests"
DASH = "\N{EN DASH}"
#: The requests the catalog was made with (Vitamin C L1, Zinc L1).
MADE = 2


def issued_so_far(database: Database) -> tuple[int, int, int]:
    """Jobs recorded, serial requests and units issued."""
    with database.unit_of_work(read_only=True) as uow:
        jobs = len(uow.serial_request_jobs.recent(limit=100, statuses=tuple(JobStatus)))
        requests = len(uow.issuance.recent_requests(limit=100))
        units = sum(product.issued for product in uow.products.all())
    return jobs, requests, units


def ask(client: TestClient, **fields: str) -> Any:
    return client.post(BASE, data={**fields, "csrf": form_token(client, BASE)})


def settled(client: TestClient, job_page: str, within: float = 30) -> dict[str, Any]:
    """The job's progress once it has finished."""
    until = time.monotonic() + within
    while time.monotonic() < until:
        progress: dict[str, Any] = client.get(job_page + "/progress").json()
        if progress["finished"]:
            return progress
        time.sleep(0.05)
    raise AssertionError(f"{job_page} not finished after {within} s")


@pytest.mark.parametrize(
    ("user", "allowed"), [("admin", True), ("line", True), ("verifier", False), ("dist-a", False)]
)
def test_serial_requests_are_for_the_brands_admin_and_line_users(
    sign_in: SignIn, catalog_world: Database, user: str, allowed: bool
) -> None:
    client = sign_in(user)
    pages = [BASE, f"{BASE}/1", f"{BASE}/1/codes.csv", f"{BASE}/1/labels.pdf"]
    assert [client.get(page).status_code for page in pages] == [200 if allowed else 403] * 4
    if not allowed:
        assert "serial requests are for the brand's admin and line users" in page_text(
            client.get(BASE).text
        )
        sent = client.post(
            BASE,
            data={"gtin": VITAMIN, "lot": "L1", "count": "5", "csrf": form_token(client)},
        )
        assert sent.status_code == 403
        assert issued_so_far(catalog_world) == (0, MADE, 15)
    navigation = client.get("/console").text
    assert ('href="/console/serial-requests"' in navigation) is allowed


def test_a_line_user_issues_serials_and_follows_them_to_the_request(
    sign_in: SignIn, token_for: Callable[..., dict[str, str]]
) -> None:
    client = sign_in("line")
    answer = ask(client, gtin=VITAMIN, lot="L1", count="25", commission="on")
    assert answer.status_code == 303
    job_page = answer.headers["location"]
    assert job_page.startswith(f"{BASE}/jobs/")
    progress = settled(client, job_page)
    request_id = MADE + 1
    assert progress | {"elapsed": None} == {
        "id": int(job_page.rsplit("/", 1)[1]),
        "status": "done",
        "finished": True,
        "message": None,
        "count": 25,
        "commission": True,
        "ahead": 0,
        "elapsed": None,
        "estimate": None,
        "request": request_id,
        "href": f"{BASE}/{request_id}",
    }
    # the job's page, once done, is the request's
    assert client.get(job_page).headers["location"] == f"{BASE}/{request_id}"
    shown = client.get(f"{BASE}/{request_id}")
    text = page_text(shown.text)
    assert "Serial request 3" in text
    assert "25 serials issued and commissioned" in text
    assert f"11{DASH}35 seqs in the lot" in text
    api = client.get(f"/api/serial-requests/{request_id}", headers=token_for("line")).json()
    assert (api["count"], api["seq_from"], api["seq_to"], api["commissioned"]) == (25, 11, 35, True)
    listed = table_rows(client.get(BASE).text, "requests")
    assert listed[0][0] == "3"
    assert listed[0][2:] == [
        f"Vitamin C 500 mg {VITAMIN}",
        "L1",
        "25",
        f"11{DASH}35",
        "issued, commissioned",
    ]


@pytest.mark.parametrize(
    ("sent", "status", "field", "message"),
    [
        ({"count": "0"}, 422, "count", "count: 0 is not between 1 and the maximum of 1,000,000 serials per request"),
        ({"count": "1000001"}, 422, "count", "count: 1,000,001 is not between 1 and the maximum of 1,000,000 serials per request"),
        ({"count": "ten"}, 422, "count", "count: Input should be a valid integer, unable to parse string as an integer"),
        ({"count": ""}, 422, "count", "count: Input should be a valid integer, unable to parse string as an integer"),
        ({"gtin": "09506000134376"}, 404, "gtin", "gtin: 09506000134376 is not a registered product"),
        ({"gtin": "123"}, 422, "gtin", "gtin: AI (01): a GTIN has 8, 12, 13 or 14 digits, got '123'"),
        ({"lot": "<script>alert(1)</script>"}, 404, "lot", f"lot: <script>alert(1)</script> of {VITAMIN} is not a registered lot"),
        ({"gtin": ZINC, "lot": "L2"}, 404, "lot", f"lot: L2 of {ZINC} is not a registered lot"),
    ],
)  # fmt: skip
def test_a_request_the_api_would_refuse_is_refused_next_to_its_field_and_nothing_is_recorded(
    sign_in: SignIn,
    catalog_world: Database,
    sent: dict[str, str],
    status: int,
    field: str,
    message: str,
) -> None:
    client = sign_in("line")
    answer = ask(client, **{"gtin": VITAMIN, "lot": "L1", "count": "5", **sent})
    assert answer.status_code == status
    assert field_errors(answer.text) == {f"issue-{field}": message}
    # what was typed is kept, escaped
    assert "<script>" not in answer.text
    assert answer.text.count('aria-invalid="true"') == 1
    assert issued_so_far(catalog_world) == (0, MADE, 15)


def test_a_recalled_lot_is_refused_with_the_reason(
    sign_in: SignIn, catalog_world: Database
) -> None:
    with catalog_world.unit_of_work() as uow:
        lifecycle.set_lot_status(
            uow, gtin=VITAMIN, lot="L2", status="recalled", reason="label misprint", actor=SETUP
        )
        uow.commit()
    answer = ask(sign_in("admin"), gtin=VITAMIN, lot="L2", count="5")
    assert answer.status_code == 409
    assert field_errors(answer.text) == {
        "issue-lot": f"lot: L2 of {VITAMIN} is recalled (label misprint); no serials are issued "
        "for a recalled lot"
    }


def test_a_form_without_its_token_is_refused_and_nothing_is_recorded(
    sign_in: SignIn, catalog_world: Database
) -> None:
    client = sign_in("line")
    answer = client.post(BASE, data={"gtin": VITAMIN, "lot": "L1", "count": "5"})
    assert answer.status_code == 403
    assert "nothing was changed" in answer.text
    forged = client.post(BASE, data={"gtin": VITAMIN, "lot": "L1", "count": "5", "csrf": "x" * 43})
    assert forged.status_code == 403
    assert issued_so_far(catalog_world) == (0, MADE, 15)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"{BASE}/abc", 404),
        (f"{BASE}/0", 404),
        (f"{BASE}/99999999999", 404),
        (f"{BASE}/77", 404),
        (f"{BASE}/jobs/abc", 404),
        (f"{BASE}/jobs/77", 404),
        (f"{BASE}/77/codes.csv", 404),
        (f"{BASE}/abc/labels.pdf", 404),
        (f"{BASE}/1/codes.txt", 404),
        (f"{BASE}/1/labels.pdf?symbology=<b>qr</b>", 422),
        (f"{BASE}?before=abc", 404),
    ],
)
def test_an_address_naming_no_request_is_a_page_saying_so(
    sign_in: SignIn, path: str, status: int
) -> None:
    answer = sign_in("line").get(path)
    assert (answer.status_code, answer.headers["content-type"]) == (
        status,
        "text/html; charset=utf-8",
    )
    assert "<b>" not in answer.text


@pytest.mark.parametrize("job", ["abc", "77"])
def test_the_progress_of_no_job_is_a_404_in_json(sign_in: SignIn, job: str) -> None:
    answer = sign_in("line").get(f"{BASE}/jobs/{job}/progress")
    assert (answer.status_code, answer.json()) == (404, {"detail": "no such job"})


def test_a_requests_files_download_under_their_names(sign_in: SignIn) -> None:
    client = sign_in("line")
    csv_answer = client.get(f"{BASE}/1/codes.csv")
    assert csv_answer.headers["content-disposition"] == (
        'attachment; filename="serial-request-1-codes.csv"'
    )
    assert csv_answer.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(csv_answer.text)))
    assert [row["seq"] for row in rows] == [str(seq) for seq in range(1, 11)]
    for row in rows:
        scan = parse(row["hri"])
        assert (scan.gtin.value if scan.gtin else None, scan.lot, scan.serial) == (
            VITAMIN,
            "L1",
            row["serial"],
        )
        assert parse(row["digital_link"]).serial == row["serial"]
    as_json = client.get(f"{BASE}/1/codes.json")
    assert as_json.headers["content-disposition"] == (
        'attachment; filename="serial-request-1-codes.json"'
    )
    assert json.loads(as_json.content) == [{**row, "seq": int(row["seq"])} for row in rows]
    sheet = client.get(f"{BASE}/1/labels.pdf")
    assert sheet.headers["content-disposition"] == (
        'attachment; filename="serial-request-1-labels.pdf"'
    )
    assert sheet.content.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(sheet.content)).pages) == 1  # 10 labels, 24 a page
    symbols = client.get(f"{BASE}/1/symbols.zip?symbology=gs1-qr")
    names = zipfile.ZipFile(io.BytesIO(symbols.content)).namelist()
    assert [name.split("-", 1)[0] for name in names] == [f"{seq:02d}" for seq in range(1, 11)]
    assert symbols.headers["content-disposition"] == (
        'attachment; filename="serial-request-1-symbols.zip"'
    )


def test_the_code_file_is_the_apis(
    sign_in: SignIn, token_for: Callable[..., dict[str, str]]
) -> None:
    client = sign_in("admin")
    for file_format in ("csv", "json"):
        api = client.get(
            f"/api/serial-requests/1/codes?format={file_format}", headers=token_for("admin")
        )
        assert client.get(f"{BASE}/1/codes.{file_format}").content == api.content


def test_a_stranger_is_sent_to_sign_in(anonymous: TestClient) -> None:
    for path in (BASE, f"{BASE}/1", f"{BASE}/1/codes.csv", f"{BASE}/jobs/1/progress"):
        answer = anonymous.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/console/login?next=")


def test_a_job_refused_when_it_came_to_be_issued_says_why_and_stops_asking(
    sign_in: SignIn, catalog_world: Database
) -> None:
    with catalog_world.unit_of_work() as uow:
        job = submit_serial_request(
            uow, gtin=VITAMIN, lot="L2", count=5, commission=False, actor=Actor("x", Role.LINE)
        )
        uow.commit()
    with catalog_world.unit_of_work() as uow:
        lifecycle.set_lot_status(
            uow, gtin=VITAMIN, lot="L2", status="withdrawn", reason="market exit", actor=SETUP
        )
        uow.commit()
    run_serial_request_job(catalog_world.unit_of_work, job.id)
    client = sign_in("line")
    page = client.get(f"{BASE}/jobs/{job.id}")
    assert page.status_code == 200
    reason = (
        f"lot: L2 of {VITAMIN} is withdrawn (market exit); no serials are issued for a "
        "withdrawn lot"
    )
    assert "Refused: nothing was issued." in page_text(page.text)
    assert reason in page_text(page.text)
    # nothing left to wait for: the page neither polls nor offers a refresh
    assert "data-job-progress" not in page.text
    assert "console-serial-requests.js" not in page.text
    listed = table_rows(client.get(BASE).text, "jobs")
    assert listed == [[str(job.id), listed[0][1], VITAMIN, "L2", "5", f"refused {reason}"]]


def test_a_request_says_who_asked_for_it(sign_in: SignIn) -> None:
    client = sign_in("admin")
    answer = ask(client, gtin=ZINC, lot="L1", count="3")
    settled(client, answer.headers["location"])
    shown = page_text(client.get(f"{BASE}/{MADE + 1}").text)
    assert "by admin@brand.example" in shown
    assert "by test-setup" in page_text(client.get(f"{BASE}/1").text)
