"""Instants as the cold chain counts them: whole milliseconds since the Unix epoch, UTC. A
reading's time, an attachment's bounds, an event's time read for stitching and every answer's
times pass through these two functions, so that one instant is always the same number.

Counted in integers (a float of seconds would blur the far years' milliseconds: year 9999's
last reading told as 23:59:59.998993).

>>> epoch_ms(dt.datetime(1970, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))))
0
>>> instant(253402300799999).isoformat()
'9999-12-31T23:59:59.999000+00:00'
"""

from __future__ import annotations

import datetime as dt
from typing import Final

EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MILLISECOND: Final = dt.timedelta(milliseconds=1)


def epoch_ms(moment: dt.datetime) -> int:
    """``moment`` in whole milliseconds since the epoch, the nearest one; a time with no
    offset is UTC, as SQLite gives the store's times back.

    >>> epoch_ms(dt.datetime(2026, 1, 1))
    1767225600000
    """
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return round((aware - EPOCH) / _MILLISECOND)


def instant(at_ms: int) -> dt.datetime:
    """The instant ``at_ms`` milliseconds since the epoch names, in UTC."""
    return EPOCH + dt.timedelta(milliseconds=at_ms)
