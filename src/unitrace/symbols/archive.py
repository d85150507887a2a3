"""A ZIP archive of symbol files written entry by entry, in memory that does not grow with
the number of entries.

Python's :mod:`zipfile` keeps a record of every entry in memory until it writes the central
directory at the end: some hundreds of bytes an entry, hundreds of megabytes for a million
symbols. Here each entry is compressed and written at once, and its central directory record
goes to a temporary file, copied to the end of the archive when it is complete. ZIP64 records
are added where the archive outgrows the classic format (more than 65,535 entries, or past
4 GiB), as every current unzip program reads them.

>>> import io, zipfile
>>> out = io.BytesIO()
>>> archive = SymbolArchive(out)
>>> archive.add("1-X1.svg", b"<svg/>")
>>> archive.close()
>>> zipfile.ZipFile(out).read("1-X1.svg")
b'<svg/>'
"""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import tempfile
import zlib
from typing import BinaryIO

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_EXTRA64_OFFSET = struct.Struct("<HHQ")

_VERSION = 20  # 2.0: deflate
_VERSION64 = 45  # 4.5: ZIP64
_MADE_ON_UNIX = 3 << 8
_UTF8_NAMES = 1 << 11
_DEFLATE = 8
_FILE_MODE = 0o100644 << 16  # a regular file everyone reads, in the Unix attribute bits
_CLASSIC_ENTRIES = 0xFFFF
_CLASSIC_SIZE = 0xFFFFFFFF
# A symbol's SVG of two kilobytes deflates to a third at level 1, a tenth smaller at level 6
# for nearly twice the time.
_COMPRESSION = 1


class SymbolArchive:
    """Writes a ZIP of files to ``out``, a binary file open for writing; :meth:`close`
    completes it."""

    def __init__(self, out: BinaryIO, *, when: dt.datetime | None = None) -> None:
        self._out = out
        self._position = 0
        self._entries = 0
        self._directory = tempfile.SpooledTemporaryFile(max_size=1 << 22)  # noqa: SIM115 - closed in close()
        when = when or dt.datetime.now()  # ZIP times are local times, as unzip shows them
        self._time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
        self._date = ((when.year - 1980) << 9) | (when.month << 5) | when.day

    @property
    def entries(self) -> int:
        return self._entries

    def add(self, name: str, data: bytes) -> None:
        """Add a file ``name`` holding ``data``, compressed."""
        packed = zlib.compress(data, _COMPRESSION, -zlib.MAX_WBITS)  # raw deflate, as ZIP has it
        encoded = name.encode()
        checksum = zlib.crc32(data)
        offset = self._position
        # signature, version needed, flags, method, time, date, CRC-32, sizes, name, extra
        header = (_VERSION, _UTF8_NAMES, _DEFLATE, self._time, self._date, checksum)
        sizes = (len(packed), len(data), len(encoded))
        self._write(_LOCAL.pack(0x04034B50, *header, *sizes, 0) + encoded + packed)
        extra = b""
        if offset >= _CLASSIC_SIZE:
            extra = _EXTRA64_OFFSET.pack(0x0001, 8, offset)
            offset = _CLASSIC_SIZE
        version = _VERSION64 if extra else _VERSION
        # signature, version made by, the local header's fields, extra and comment lengths,
        # disk, internal and external attributes, the local header's offset
        record = _CENTRAL.pack(
            0x02014B50, _MADE_ON_UNIX | version, version, *header[1:], *sizes, len(extra), 0,
            0, 0, _FILE_MODE, offset,
        )  # fmt: skip
        self._directory.write(record + encoded + extra)
        self._entries += 1

    def close(self) -> None:
        """Write the central directory and the end records: the archive is complete."""
        start = self._position
        self._directory.seek(0)
        shutil.copyfileobj(self._directory, self._out)
        size = self._directory.tell()
        self._directory.close()
        self._position += size
        entries = self._entries
        if entries > _CLASSIC_ENTRIES or start >= _CLASSIC_SIZE or size >= _CLASSIC_SIZE:
            end64 = self._position
            versions = (_MADE_ON_UNIX | _VERSION64, _VERSION64)
            record = _END64.pack(0x06064B50, _END64.size - 12, *versions, 0, 0, entries, entries, size, start)  # fmt: skip
            self._write(record + _LOCATOR64.pack(0x07064B50, 0, end64, 1))
            entries = min(entries, _CLASSIC_ENTRIES)
            start, size = min(start, _CLASSIC_SIZE), min(size, _CLASSIC_SIZE)
        self._write(_END.pack(0x06054B50, 0, 0, entries, entries, size, start, 0))

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)
