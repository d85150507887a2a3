"""Files a service writes (a code file, a PDF label sheet, a ZIP of symbols) sent to the browser
as they are written, so that a request of a million units is never held whole in the answer.

The writer runs on a thread of its own, with its own unit of work, into a pipe whose bounded
queue the answer reads from: a browser that reads slowly holds the writer back, one that goes
away stops it at its next write (or its next unit, through ``progress``). The answer waits for
the first part before it starts: a refusal the writer meets before writing anything (a unit too
long for the symbology) is raised to the caller, who answers it as a refusal, not as half a
file.
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from typing import BinaryIO, Final, cast

import anyio.to_thread
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

#: Bytes per part handed to the answer, and parts the pipe holds before the writer waits.
PART_SIZE: Final = 256 * 1024
PARTS_HELD: Final = 8
#: Seconds between the writer's looks at whether the browser went away while it waits.
_LOOK_EVERY: Final = 0.5


class BrowserGone(Exception):
    """The browser stopped reading: the writer stops."""


class _Finished:
    """The writer's last word: done, or what it failed with."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class FilePipe(io.RawIOBase):
    """A binary file a writer writes to and the answer reads from, part by part."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: queue.Queue[bytes | _Finished] = queue.Queue(PARTS_HELD)
        self._buffer = bytearray()
        self.gone = threading.Event()

    def writable(self) -> bool:
        return True

    @property
    def binary(self) -> BinaryIO:
        """The pipe as the binary file the writers of files take."""
        return cast(BinaryIO, self)

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.check()
        self._buffer += data
        while len(self._buffer) >= PART_SIZE:
            self._hand(bytes(self._buffer[:PART_SIZE]))
            del self._buffer[:PART_SIZE]
        return len(data)

    def check(self, _done: int = 0) -> None:
        """Raise :class:`BrowserGone` once the browser stopped reading (a ``progress``)."""
        if self.gone.is_set():
            raise BrowserGone

    def _hand(self, item: bytes | _Finished) -> None:
        while True:
            if self.gone.is_set():
                raise BrowserGone
            try:
                self._parts.put(item, timeout=_LOOK_EVERY)
                return
            except queue.Full:
                continue

    def finish(self, error: BaseException | None = None) -> None:
        if error is None and self._buffer:
            self._hand(bytes(self._buffer))
            self._buffer.clear()
        self._hand(_Finished(error))

    def let_go(self) -> None:
        """Wake a reader that may still wait for a part, the browser being gone."""
        # a full pipe has a part for it to take already
        with contextlib.suppress(queue.Full):
            self._parts.put_nowait(_Finished())

    def next_part(self) -> bytes | _Finished:
        return self._parts.get()


class _PipedResponse(StreamingResponse):
    """The answer of a pipe: once it is sent, or fails to be (a browser gone before its
    start, whose parts are then never asked for, so that their own ``finally`` never runs),
    the writer is told to stop; one never sent at all tells it when it is collected."""

    def __init__(self, pipe: FilePipe, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.pipe = pipe
        weakref.finalize(self, pipe.gone.set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.pipe.gone.set()


async def streamed_file(
    write: Callable[[FilePipe], object],
    *,
    media_type: str,
    file_name: str | None,
    headers: Mapping[str, str] | None = None,
) -> StreamingResponse:
    """The file ``write`` writes to the pipe it is given, as an attachment named
    ``file_name`` (or shown inline where it has none). What ``write`` raises before its first
    part is raised here."""
    pipe = FilePipe()

    def run() -> None:
        try:
            write(pipe)
        except BrowserGone:
            pipe.let_go()
            return
        except BaseException as error:  # handed to the answer, which raises it there
            try:
                pipe.finish(error)
            except BrowserGone:
                pipe.let_go()
            return
        try:
            pipe.finish()
        except BrowserGone:
            pipe.let_go()

    threading.Thread(target=run, name=f"file {file_name or media_type}", daemon=True).start()
    first = await anyio.to_thread.run_sync(pipe.next_part)
    if isinstance(first, _Finished) and first.error is not None:
        pipe.gone.set()
        raise first.error

    async def parts() -> AsyncIterator[bytes]:
        part = first
        try:
            while not isinstance(part, _Finished):
                yield part
                # a browser that goes away cancels this wait; the writer then stops
                part = await anyio.to_thread.run_sync(pipe.next_part, abandon_on_cancel=True)
            if part.error is not None:
                # half a file sent: the answer is broken off, so the browser keeps no file
                raise part.error
        finally:
            pipe.gone.set()

    disposition = (
        {"Content-Disposition": f'attachment; filename="{file_name}"'} if file_name else {}
    )
    return _PipedResponse(
        pipe, parts(), media_type=media_type, headers={**(headers or {}), **disposition}
    )
