"""Files sent as they are written: whole however they are written, a refusal before the first
byte raised to the route, a failure after it breaking the answer off, and a browser that stops
reading stopping the writer."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import anyio
import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient

from unitrace.api.streamed_files import PART_SIZE, BrowserGone, FilePipe, streamed_file
from unitrace.registry.errors import InvalidRequest

BODY = os.urandom(3 * PART_SIZE + 12_345)


def written_in_pieces(out: FilePipe) -> None:
    for start in range(0, len(BODY), 70_001):
        out.write(BODY[start : start + 70_001])


def refused_at_once(out: FilePipe) -> None:
    raise InvalidRequest("symbology: this code does not fit a GS1-128 symbol")


def failing_half_way(out: FilePipe) -> None:
    out.write(BODY[: 2 * PART_SIZE])
    raise RuntimeError("the database went away")


def service() -> FastAPI:
    app = FastAPI()
    writers = {"whole": written_in_pieces, "refused": refused_at_once, "broken": failing_half_way}

    @app.get("/{name}")
    async def download(name: str) -> Response:
        try:
            return await streamed_file(
                writers[name], media_type="application/pdf", file_name=f"{name}.pdf"
            )
        except InvalidRequest as refusal:
            return PlainTextResponse(str(refusal), status_code=422)

    return app


def test_a_file_arrives_whole_and_named() -> None:
    answer = TestClient(service()).get("/whole")
    assert (answer.status_code, answer.content) == (200, BODY)
    assert answer.headers["content-disposition"] == 'attachment; filename="whole.pdf"'
    assert answer.headers["content-type"] == "application/pdf"


def test_a_refusal_before_the_first_byte_is_the_routes_to_answer() -> None:
    answer = TestClient(service()).get("/refused")
    assert (answer.status_code, answer.text) == (
        422,
        "symbology: this code does not fit a GS1-128 symbol",
    )


def test_a_failure_half_way_breaks_the_answer_off() -> None:
    with pytest.raises(RuntimeError, match="the database went away"):
        TestClient(service()).get("/broken")


def endless_writer(stopped: threading.Event) -> Callable[[FilePipe], None]:
    """A writer that writes until the browser is gone, and then sets ``stopped``."""

    def endless(out: FilePipe) -> None:
        try:
            while True:
                out.write(b"x" * 10_000)
        except BrowserGone:
            stopped.set()
            raise

    return endless


def test_a_browser_that_stops_reading_stops_the_writer() -> None:
    stopped = threading.Event()
    endless = endless_writer(stopped)

    async def read_one_part() -> bytes:
        answer = await streamed_file(endless, media_type="text/plain", file_name="x.txt")
        parts = answer.body_iterator
        first = await parts.__anext__()
        await parts.aclose()  # type: ignore[attr-defined]
        return bytes(first)

    assert len(anyio.run(read_one_part)) == PART_SIZE
    assert stopped.wait(5)


def test_a_browser_gone_before_the_answer_starts_stops_the_writer() -> None:
    """The browser went away while the route waited for the first part: sending the answer's
    start fails (ASGI 2.4: OSError), the parts are never asked for, so their ``finally`` never
    runs. The writer must stop all the same, not wait for ever holding its unit of work (a
    pooled connection and a read transaction)."""
    stopped = threading.Event()
    endless = endless_writer(stopped)

    async def send_to_nobody() -> None:
        answer = await streamed_file(endless, media_type="text/plain", file_name="x.txt")

        async def receive() -> dict[str, object]:
            return {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            raise OSError("connection reset by peer")

        scope = {"type": "http", "asgi": {"spec_version": "2.4"}}
        with pytest.raises(Exception):  # noqa: B017, PT011 - ClientDisconnect, as Starlette has it
            await answer(scope, receive, send)

    anyio.run(send_to_nobody)
    assert stopped.wait(5)
