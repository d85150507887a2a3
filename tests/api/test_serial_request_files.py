"""``GET /api/serial-requests/{id}/labels.pdf`` and ``…/symbols.zip``: the print files sent as
they are written, the same as the command line writes them, refusals answered as problems
before any byte, and nothing left behind (no temporary file, no writer) whether the file was
sent, refused, or abandoned by a caller half-way."""

from __future__ import annotations

import io
import re
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import RESOLVER
from unitrace.api import streamed_files
from unitrace.services.labels import write_request_labels, write_request_symbols
from unitrace.store.unit_of_work import Database
from unitrace.symbols import Symbology

GTIN = "09506000134352"
LONG_LOT = "ABCDEFGHIJKLMNOPQRST"
Headers = dict[str, str]
PROBLEM = "application/problem+json"
FILES = ["labels.pdf", "symbols.zip"]


@pytest.fixture(autouse=True)
def temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The system's temporary folder, for this test alone: it must be empty again after."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == []


@pytest.fixture
def issued(client: TestClient, admin: Headers) -> TestClient:
    """Request 1: 30 units of lot L1. Request 2: 2 units of a lot too long for GS1-128."""
    for path, body in [
        ("/api/products", {"gtin": GTIN, "name": "Vitamin C", "company_prefix_length": 7}),
        ("/api/lots", {"gtin": GTIN, "lot": "L1", "expiry": "2028-06-30"}),
        ("/api/lots", {"gtin": GTIN, "lot": LONG_LOT, "expiry": "2028-06-30"}),
        ("/api/serial-requests", {"gtin": GTIN, "lot": "L1", "count": 30}),
        ("/api/serial-requests", {"gtin": GTIN, "lot": LONG_LOT, "count": 2}),
    ]:
        answer = client.post(path, json=body, headers=admin)
        assert answer.status_code == 201, answer.json()
    return client


def writers_running() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("file serial-request-")]


def no_writer_left(within: float = 10) -> None:
    until = time.monotonic() + within
    while writers_running() and time.monotonic() < until:
        time.sleep(0.02)
    assert writers_running() == []


def undated(pdf: bytes) -> bytes:
    """A PDF with its creation and modification times blanked (of the same length)."""
    return re.sub(rb"D:\d{14}\+00'00'", b"D:00000000000000+00'00'", pdf)


def entries(archive: bytes) -> list[tuple[str, int, bytes]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return [(info.filename, info.CRC, opened.read(info)) for info in opened.infolist()]


@pytest.mark.parametrize("symbology", [Symbology.DATAMATRIX, Symbology.GS1_128])
def test_the_files_sent_are_those_the_command_line_writes(
    issued: TestClient, admin: Headers, database: Database, tmp_path: Path, symbology: Symbology
) -> None:
    query = f"?symbology={symbology.value}"
    pdf = issued.get(f"/api/serial-requests/1/labels.pdf{query}", headers=admin)
    archive = issued.get(f"/api/serial-requests/1/symbols.zip{query}", headers=admin)
    # what `unitrace labels pdf 1` and `unitrace labels svg 1` write to --out
    with database.unit_of_work(read_only=True) as uow:
        write_request_labels(
            uow, 1, tmp_path / "labels.pdf", symbology=symbology, resolver_base=RESOLVER
        )
        write_request_symbols(
            uow, 1, tmp_path / "symbols.zip", symbology=symbology, resolver_base=RESOLVER
        )
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.headers["content-disposition"] == (
        'attachment; filename="serial-request-1-labels.pdf"'
    )
    assert undated(pdf.content) == undated((tmp_path / "labels.pdf").read_bytes())
    assert (archive.status_code, archive.headers["content-type"]) == (200, "application/zip")
    assert entries(archive.content) == entries((tmp_path / "symbols.zip").read_bytes())
    assert len(entries(archive.content)) == 30
    no_writer_left()


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/serial-requests/99/{file}", 404, "serial request 99"),
        ("/api/serial-requests/2/{file}?symbology=gs1-128", 422, "symbology:"),
        ("/api/serial-requests/1/{file}?symbology=aztec", 422, "symbology"),
        ("/api/serial-requests/0/{file}", 422, ""),
    ],
)
def test_refusals_are_problems_before_any_byte_of_the_file(
    issued: TestClient, admin: Headers, file: str, path: str, status: int, message: str
) -> None:
    answer = issued.get(path.format(file=file), headers=admin)
    assert (answer.status_code, answer.headers["content-type"]) == (status, PROBLEM)
    assert "content-disposition" not in answer.headers
    assert message in str(answer.json())
    no_writer_left()


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize(("who", "status"), [("distributor", 403), ("anonymous", 401)])
def test_only_the_line_and_admin_may_have_the_files(
    issued: TestClient,
    token_for: Callable[..., Headers],
    admin: Headers,
    file: str,
    who: str,
    status: int,
) -> None:
    if who == "distributor":
        answer = issued.post(
            "/api/parties",
            json={"id": "dist-a", "name": "A", "role": "distributor", "territory": ["SG"]},
            headers=admin,
        )
        assert answer.status_code == 201
        headers = token_for("distributor", party="dist-a")
    else:
        headers = {}
    answer = issued.get(f"/api/serial-requests/1/{file}", headers=headers)
    assert (answer.status_code, answer.headers["content-type"]) == (status, PROBLEM)
    no_writer_left()


@pytest.mark.parametrize("file", FILES)
def test_a_caller_who_goes_away_half_way_stops_the_writer(
    issued: TestClient, admin: Headers, monkeypatch: pytest.MonkeyPatch, file: str
) -> None:
    # parts of a kilobyte, one held at a time: the writer is still writing when the
    # caller goes away after the first part
    monkeypatch.setattr(streamed_files, "PART_SIZE", 1024)
    monkeypatch.setattr(streamed_files, "PARTS_HELD", 1)
    app: Any = issued.app
    sent: list[dict[str, Any]] = []

    async def download() -> None:
        first_part = anyio.Event()
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await first_part.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and message.get("body"):
                first_part.set()

        token = admin["Authorization"].encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": f"/api/serial-requests/1/{file}",
            "raw_path": f"/api/serial-requests/1/{file}".encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"authorization", token)],
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
            "app": app,
        }
        with anyio.fail_after(20):
            await app(scope, receive, send)

    with issued:  # the application started, as a server runs it
        anyio.run(download)
    assert sent[0]["status"] == 200
    body = b"".join(message.get("body", b"") for message in sent[1:])
    assert body
    assert not any(message.get("more_body") is False for message in sent[1:])  # not all sent
    no_writer_left()
