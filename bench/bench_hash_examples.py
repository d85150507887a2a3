"""GS1's example documents for the event hash (all 39, tests/epcis/reference_examples/), in
one run: per file, how many events

  (a) unitrace hashes to the CBV 2.0 expected value,
  (b) the reference implementation 1.9.3 (PyPI ``epcis-event-hash-generator``, its Python API
      on the same file) hashes to the CBV 2.0 expected value,
  (c) unitrace and the reference 1.9.3 hash alike,

and, for information, (d) unitrace against the CBV 2.1 draft's expected value where one is
vendored. Then the totals: files where every event agrees, and events.

A file a side cannot read counts as disagreeing on all its events. Run from the repository:
``python bench/bench_hash_examples.py``. tests/epcis/test_hash_examples.py gives the reason
for every difference of (a).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.epcis.gs1_examples import (
    DOCUMENTS,
    digest,
    expected,
    reference_pre_hashes,
    unitrace_pre_hashes,
)

Hashes = list[str] | str  # the hashes, or why the side could not read the file


def _hashes(read: Callable[[Path], list[str]], path: Path) -> Hashes:
    try:
        return [digest(text) for text in read(path)]
    except Exception as error:  # any failure to read is a result here, not a crash
        return f"{type(error).__name__}: {str(error)[:60]}"


def _agreeing(ours: Hashes, theirs: Hashes | None) -> int | None:
    if theirs is None:
        return None
    if isinstance(ours, str) or isinstance(theirs, str) or len(ours) != len(theirs):
        return 0
    return sum(a == b for a, b in zip(ours, theirs, strict=True))


def main() -> None:
    columns = ("unitrace=2.0", "ref=2.0", "unitrace=ref", "unitrace=2.1")
    totals = {column: [0, 0, 0, 0] for column in columns}  # files, of files, events, of events
    print(f"{'document':52} {'events':>6}  " + "  ".join(f"{c:>12}" for c in columns))
    notes: list[str] = []
    for path in DOCUMENTS:
        cbv20 = expected(path)
        # The CBV 2.1 column reads the CBV 2.1 files only (expected() falls back for CBV 2.0).
        cbv21 = expected(path, "CBV2.1")
        wanted = cbv20[0] if cbv20 else None
        count = len(wanted) if wanted else 0
        ours = _hashes(unitrace_pre_hashes, path)
        reference = _hashes(reference_pre_hashes, path)
        cells = []
        pairs = (
            (ours, wanted),
            (reference, wanted),
            (ours, reference),
            (ours, cbv21[0] if cbv21 else None),
        )
        for column, (left, right) in zip(columns, pairs, strict=True):
            size = len(right) if isinstance(right, list) else count
            agree = _agreeing(left, right)
            if agree is None:
                cells.append(f"{'-':>12}")
                continue
            total = totals[column]
            total[0] += agree == size and size > 0
            total[1] += 1
            total[2] += agree
            total[3] += size
            cells.append(f"{f'{agree}/{size}':>12}")
        print(f"{path.name:52} {count:>6}  " + "  ".join(cells))
        for side, result in (("unitrace", ours), ("reference 1.9.3", reference)):
            if isinstance(result, str):
                notes.append(f"  {path.name}: {side} cannot read it ({result})")
    print()
    for column in columns:
        files, of_files, events, of_events = totals[column]
        print(f"{column:14} files {files:>2}/{of_files:<2}  events {events:>3}/{of_events}")
    print("\nnot read:")
    print("\n".join(notes))


if __name__ == "__main__":
    main()
