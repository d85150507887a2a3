"""A symbol's dark modules as runs along its rows, written out as PDF and SVG path text.

A label sheet or an archive of symbols draws hundreds of thousands of symbols, each of a
hundred or more runs; finding the runs and formatting their numbers one by one in Python is
most of the time a label takes. Here the runs are found with numpy in a few array
operations, and each number is looked up, already formatted, in a table.

>>> from unitrace.symbols.symbology import Symbology
>>> from unitrace.symbols.symbol import Symbol
>>> rows = bytes([1, 1, 0,
...               0, 1, 1])
>>> symbol = Symbol(Symbology.DATAMATRIX, (), "", 3, 2, rows)
>>> dark_runs(symbol).tolist()
[[0, 0, 2], [1, 1, 2]]
>>> pdf_path(symbol, 1, 1)
'1 1 2 1 re\\n2 2 2 1 re\\n'
>>> svg_path(symbol, 1, 1, 1)
'M1 1h2v1h-2zM2 2h2v1h-2z'
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from unitrace.symbols.symbol import Symbol

# Formatted numbers up to this bound are looked up; a symbol beyond it (none that zxing-cpp
# draws: QR codes stop at 177 modules, GS1-128 at 48 characters) is formatted number by number.
_TABLE_SIZE = 1024


def dark_runs(symbol: Symbol) -> npt.NDArray[np.int64]:
    """The runs of dark modules along each row, as rows of ``(x, y, width)`` in modules."""
    width, height = symbol.width, symbol.height
    # a light module either side of every row, so that no run reaches into the next row
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = np.frombuffer(symbol.modules, dtype=np.int8).reshape(height, width)
    # where a module differs from the one before it: runs start and end in turn
    edges = np.flatnonzero(padded[:, 1:] != padded[:, :-1])
    starts = edges[0::2]
    runs = np.empty((starts.size, 3), dtype=np.int64)
    runs[:, 1], runs[:, 0] = np.divmod(starts, width + 1)
    np.subtract(edges[1::2], starts, out=runs[:, 2])
    return runs


def pdf_path(symbol: Symbol, right: int, down: int, height: int = 1) -> str:
    """PDF ``re`` operators of the runs, moved ``right`` and ``down`` by whole modules (the
    quiet zone), each ``height`` rows high, one a line: the path to fill in module units."""
    return _formatted(
        symbol,
        (right, down),
        _pdf_tokens(height),
        lambda x, y, w: f"{x} {y} {w} {height} re\n",
    )


def svg_path(symbol: Symbol, right: int, down: int, height: int = 1) -> str:
    """SVG path data of the runs, moved ``right`` and ``down`` by whole modules, each
    ``height`` rows high: ``M x y h w v height h -w z`` a run."""
    return _formatted(
        symbol,
        (right, down),
        _svg_tokens(height),
        lambda x, y, w: f"M{x} {y}h{w}v{height}h-{w}z",
    )


def _formatted(
    symbol: Symbol,
    offset: tuple[int, int],
    tokens: list[str],
    one: Callable[[int, int, int], str],
) -> str:
    runs = dark_runs(symbol)
    runs[:, :2] += offset
    if runs.size and int(runs.max()) >= _TABLE_SIZE:
        return "".join(one(x, y, w) for x, y, w in runs.tolist())
    # x, y and width index the three thirds of the table
    return "".join(map(tokens.__getitem__, (runs + _THIRDS).ravel().tolist()))


_THIRDS = np.array([0, _TABLE_SIZE, 2 * _TABLE_SIZE], dtype=np.int64)


@lru_cache(maxsize=16)
def _pdf_tokens(height: int) -> list[str]:
    numbers = range(_TABLE_SIZE)
    return [f"{n} " for n in numbers] * 2 + [f"{n} {height} re\n" for n in numbers]


@lru_cache(maxsize=16)
def _svg_tokens(height: int) -> list[str]:
    numbers = range(_TABLE_SIZE)
    return (
        [f"M{n} " for n in numbers]
        + [f"{n}h" for n in numbers]
        + [f"{n}v{height}h-{n}z" for n in numbers]
    )
