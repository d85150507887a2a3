"""Print files written whole or not at all: a file streamed to a path goes to a temporary
file beside it and takes the path's name once complete, so that a failure half-way leaves no
partial file for the line to print, nor harms a file of that name written before.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> try:
...     with written_whole(folder / "labels.pdf") as out:
...         _ = out.write(b"%PDF")
...         raise ValueError("a label that cannot be drawn")
... except ValueError:
...     pass
>>> list(folder.iterdir())
[]
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

#: Where a print file goes: a path, or a binary file open for writing.
Destination = str | os.PathLike[str] | BinaryIO

# Writes of a megabyte at a time: a label sheet's pages are tens of kilobytes each.
_BUFFER = 1 << 20


@contextmanager
def written_whole(out: Destination) -> Iterator[BinaryIO]:
    """A binary file to write ``out`` through. An open file is written as it is: its owner
    decides what a failure leaves."""
    if not isinstance(out, str | os.PathLike):
        yield out
        return
    path = Path(out)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb", buffering=_BUFFER) as file:
            yield file
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
