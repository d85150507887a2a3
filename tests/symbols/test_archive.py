"""The ZIP of symbol files, written entry by entry: what any unzip reads back."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from unitrace.symbols.archive import SymbolArchive

WHEN = dt.datetime(2026, 3, 2, 14, 30, 8)


def archive_of(entries: dict[str, bytes]) -> zipfile.ZipFile:
    out = io.BytesIO()
    archive = SymbolArchive(out, when=WHEN)
    for name, data in entries.items():
        archive.add(name, data)
    archive.close()
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


@pytest.mark.parametrize(
    "entries",
    [
        {},
        {"1-X1.svg": b"<svg/>"},
        {"01-A%2FB.svg": b"<svg>" + b"M1 1h2v1h-2z" * 500 + b"</svg>", "02-\u00e9.svg": b""},
    ],
)
def test_every_entry_reads_back_with_its_name_time_and_checksum(entries: dict[str, bytes]) -> None:
    zipped = archive_of(entries)
    assert zipped.testzip() is None
    assert [(info.filename, info.date_time) for info in zipped.infolist()] == [
        (name, (2026, 3, 2, 14, 30, 8)) for name in entries
    ]
    assert {name: zipped.read(name) for name in zipped.namelist()} == entries


def test_more_entries_than_the_classic_format_counts_are_read_back() -> None:
    count = 0xFFFF + 10  # the end record's count overflows: a ZIP64 end record holds it
    zipped = archive_of({f"{number:06d}.svg": b"%d" % number for number in range(count)})
    names = zipped.namelist()
    assert (len(names), names[-1], zipped.read(names[-1])) == (count, "065544.svg", b"65544")
