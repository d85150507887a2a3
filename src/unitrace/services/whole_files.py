"""Files for the packaging line written whole or not at all: a code file, a label sheet or a
ZIP of symbols is written to a temporary file beside its path and moved into place once
complete, so that a failure half-way leaves no partial file for the line to print."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

#: Where a file goes: a path, or a binary file already open (a pipe to a browser).
Destination = str | os.PathLike[str] | BinaryIO


@contextmanager
def written_whole(out: Destination) -> Iterator[str | BinaryIO]:
    """The place to write ``out``'s content: a temporary path moved to ``out`` once the block
    ends without error, and removed otherwise.

    A link at ``out`` keeps pointing where it did (its target is replaced, its mode kept),
    and a device or pipe (``/dev/null``) is written as it is, since neither can be replaced by
    a file. An open file is also written as it is: its owner decides what a failure leaves.
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
        yield str(path)
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        yield temporary
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
