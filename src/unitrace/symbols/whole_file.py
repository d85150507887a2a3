"""Print files written whole or not at all: a code file, a label sheet or a ZIP of symbols
streamed to a path goes to a temporary file beside it and takes the path's name once
complete, so that a failure half-way leaves no partial file for the line to print, nor harms
a file of that name written before.

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
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

#: Where a print file goes: a path, or a binary file open for writing (a pipe to a browser).
Destination = str | os.PathLike[str] | BinaryIO

# Writes of a megabyte at a time: a label sheet's pages are tens of kilobytes each.
_BUFFER = 1 << 20


@contextmanager
def written_whole(out: Destination) -> Iterator[BinaryIO]:
    """A binary file to write ``out`` through, moved to ``out`` once the block ends without
    error and removed otherwise.

    A link at ``out`` keeps pointing where it did (its target is replaced, its mode kept), and
    a device or pipe (``/dev/null``) is written as it is, since neither can be replaced by a
    file. An open file is also written as it is: its owner decides what a failure leaves.
    """
    if not isinstance(out, str | os.PathLike):
        yield out
        return
    path = Path(os.path.realpath(out))
    try:
        existing: os.stat_result | None = path.stat()
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(path, "wb", buffering=_BUFFER) as device:
            yield device
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb", buffering=_BUFFER) as file:
            yield file
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
