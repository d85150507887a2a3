"""Serial requests in a real browser, on the demo data: a line user's request refused beside
its field, then issued in the background while its page shows how it stands, reaching done
by itself; its code file and label sheet downloaded and read back."""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.web.console_browser import (
    ConsoleSite,
    assert_accessible,
    chromium,  # noqa: F401  (a fixture)
    console_site,  # noqa: F401  (a fixture)
    signed_in_page,
)
from unitrace.gs1 import parse
from unitrace.services import serial_request_runner
from unitrace.symbols import SheetLayout

VITAMIN = "09506000134352"
COUNT = 1_200


@pytest.fixture
def held_issuing(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A job, once issuing, waits for the event before it opens its unit of work: the test
    sees the request while it is being issued."""
    go = threading.Event()
    real = serial_request_runner.run_serial_request_job

    def held(units_of_work: Callable[[], Any], job_id: int) -> Any:
        opened = 0

        def opening() -> Any:
            nonlocal opened
            opened += 1
            if opened == 2:  # the first marked it issuing
                go.wait(30)
            return units_of_work()

        return real(opening, job_id)

    monkeypatch.setattr(serial_request_runner, "run_serial_request_job", held)
    yield go
    go.set()


def test_a_line_user_issues_serials_watches_them_issued_and_downloads_codes_and_labels(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
    held_issuing: threading.Event,
    tmp_path: Path,
) -> None:
    site = console_site
    with signed_in_page(
        chromium, site, "line", then="/console/serial-requests", accept_downloads=True
    ) as page:
        page.get_by_label("GTIN").fill(VITAMIN)
        page.get_by_label("Lot").fill("L2612B")
        page.get_by_label("How many serials").fill("0")
        page.get_by_role("button", name="Issue serials").click()
        assert page.locator("#issue-count-error").inner_text() == (
            "count: 0 is not between 1 and the maximum of 1,000,000 serials per request"
        )
        assert page.get_by_label("Lot").input_value() == "L2612B"
        assert_accessible(page)
        page.get_by_label("How many serials").fill(str(COUNT))
        page.get_by_label("Commission them at once").check()
        page.get_by_role("button", name="Issue serials").click()
        page.wait_for_url(f"{site.base}/console/serial-requests/jobs/*")
        assert page.locator("main h1").inner_text() == "Issuing 1,200 serials"
        # the page asks how it stands, and says so as the seconds go by
        status = page.locator("#job-status")
        expect(status).to_have_text(re.compile(r"^\s*Issuing: \d+ s so far\.\s*$"))
        assert status.get_attribute("data-status") == "issuing"
        assert_accessible(page)
        held_issuing.set()
        page.wait_for_url(f"{site.base}/console/serial-requests/7", timeout=30_000)
        assert page.locator("#request-count").inner_text() == "1,200"
        assert "serials issued and commissioned" in page.locator(".cards").inner_text()
        assert_accessible(page)

        with page.expect_download() as asked:
            page.get_by_role("link", name="CSV").click()
        download = asked.value
        assert download.suggested_filename == "serial-request-7-codes.csv"
        rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
        assert [int(row["seq"]) for row in rows] == list(range(1001, 1001 + COUNT))
        for row in rows:
            for form in ("hri", "element_string", "digital_link"):
                scan = parse(row[form])
                assert (scan.gtin.value if scan.gtin else None, scan.lot, scan.serial) == (
                    VITAMIN,
                    "L2612B",
                    row["serial"],
                )

        with page.expect_download() as asked:
            page.get_by_role("button", name="Download the label sheet (PDF)").click()
        download = asked.value
        assert download.suggested_filename == "serial-request-7-labels.pdf"
        sheet = Path(download.path()).read_bytes()
        assert sheet.startswith(b"%PDF")
        pages = len(PdfReader(io.BytesIO(sheet)).pages)
        assert pages == SheetLayout().pages_for(COUNT) == 50
